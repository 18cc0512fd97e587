"""Which columns hold the train loss, the test loss, the learning rate and the step axis,
chosen by what their names say (``names``)."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .errors import ColumnError, NoLossError, close_matches
from .names import (
    EPOCH_NAMES,
    HELD_OUT_TOKENS,
    MODIFIERS,
    REPORTED,
    STEP_NAMES,
    TRAIN_TOKENS,
    WHOLE,
    component,
    dual_head,
    names_test,
    says_loss,
    split_of,
    tokens,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    import pandas as pd


def _preference(name: str) -> tuple[int, int]:
    """Lower is better among main-loss spellings of one split: plain, then per-epoch, ..."""
    toks = set(tokens(name))
    for rank, word in enumerate(MODIFIERS):
        if word in toks:
            return (1 + rank, len(name))
    if toks & WHOLE:
        return (1 + len(MODIFIERS), len(name))  # beside a plain 'train_loss', that one
    return (0, len(name))


@dataclass
class ColumnChoice:
    """The columns chosen per split; several names in one split are summed (components)."""

    train: list[str] = field(default_factory=list)
    test: list[str] = field(default_factory=list)
    lr: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class CountedWhenAsked(Mapping[str, int]):
    """Values per name for ``choose_columns``, counted only for the names it asks about and
    once each: a wide table's columns, or a run's metric files read to their ends, cost
    nothing unless they could be a loss."""

    def __init__(self, names: Iterable[str], count: Callable[[str], int]) -> None:
        self._names, self._count, self._known = list(names), count, dict[str, int]()

    def __getitem__(self, name: str) -> int:
        if name not in self._known:
            self._known[name] = self._count(name)
        return self._known[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


#: a curve of fewer points than this has no trend (the rules' own least is 5)
TREND_POINTS = 5


def choose_columns(names: list[str], train_col: str | None = None, test_col: str | None = None,
                   source: str | None = None, numeric: list[str] | None = None,
                   counts: Mapping[str, int] | None = None) -> ColumnChoice:
    """Pick train/test/lr columns from ``names``; explicit choices win and are checked.

    A column is a loss when its name says so (``loss``; else ``nll``, ``objective``, ``mse``,
    ...) or the user names it. None found: NoLossError listing ``numeric`` (default: all
    ``names``), the columns the user may choose from. ``counts`` (values per name, when the
    reader knows them) tells a curve from a summary written once beside it.
    """
    choice = ColumnChoice()
    for split, wanted in (("train", train_col), ("test", test_col)):
        if wanted is not None:
            if wanted not in names:
                raise ColumnError(f"no column named {wanted!r}", source,
                                  _did_you_mean(wanted, names))
            getattr(choice, split).append(wanted)
    lr = [n for n in names if split_of(n) == "lr"]
    choice.lr = sorted(lr, key=len)[:1]
    roles = {**_meter_values(names, choice.notes), **_eval_sets(names, choice.notes)}
    for split in ("train", "test"):
        if getattr(choice, split):
            continue
        cands = [n for n in names if roles.get(n, split_of(n)) == split]
        picked = _pick(split, cands, source, choice.notes, counts or {})
        getattr(choice, split).extend(picked)
    if train_col is None and test_col is not None and choice.train == [test_col]:
        choice.train = []
    free = [n for n in names if n not in roles]
    if not choice.train and not choice.test and train_col is None and test_col is None:
        _loss_like(free, choice, source, counts or {})
    elif train_col is None and test_col is None and bool(choice.train) != bool(choice.test):
        _objective_beside(free, choice, counts or {})
    if not choice.train and not choice.test:
        raise no_loss(source, names if numeric is None else numeric)
    return choice


#: XGBoost's names for the sets of ``eval_set``: ``validation_0-logloss``, ``validation_1-rmse``
_EVAL_SET = re.compile(r"^validation_(\d+)-(.+)$")


#: names only gradient-boosting libraries give their curves: XGBoost's '<set>-<metric>'
#: ('validation_0-logloss', 'train-rmse', 'eval-mlogloss') and LightGBM's '<set> <metric>'
#: ('training binary_logloss', 'valid_1 l2', as its "training's binary_logloss" is read)
_BOOSTING = re.compile(
    r"^(?:(?:validation_\d+|train|eval|test|valid)-(?:logloss|mlogloss|rmse|rmsle|mae|mape|error|"
    r"merror|mphe|poisson-nloglik|gamma-nloglik|tweedie-nloglik|cox-nloglik|aft-nloglik)"
    r"|(?:training|valid(?:_\d+)?) (?:l1|l2|rmse|binary_logloss|multi_logloss|multi_error|"
    r"binary_error|huber|fair|poisson|quantile|mape|gamma|tweedie|cross_entropy|xentropy))$")


#: the format of CatBoost's own training log (``catboost_info/catboost_training.json``),
#: and the name its verbose console's unnamed ``learn:`` metric is read under
CATBOOST_FORMAT = "catboost"
LEARN_LOSS = "learn-loss"


def boosted(fmt: str, names: Iterable[str]) -> bool:
    """Whether a log is a gradient-boosting library's: CatBoost's own file, or curves named
    as only XGBoost and LightGBM name them."""
    return fmt == CATBOOST_FORMAT or any(n == LEARN_LOSS or _BOOSTING.match(n) for n in names)


def _eval_sets(names: list[str], notes: list[str]) -> dict[str, str]:
    """The split of XGBoost's ``validation_0-m`` and ``validation_1-m`` when both are logged:
    the first set is the train set, as ``eval_set=[(X_train, y_train), (X_test, y_test)]``
    (XGBoost's own examples) puts it, the second the test set; one set alone is a test set."""
    sets: dict[str, dict[int, str]] = {}
    for n in names:
        m = _EVAL_SET.match(n)
        if m:
            sets.setdefault(m.group(2), {})[int(m.group(1))] = n
    roles: dict[str, str] = {}
    for metric, by_index in sets.items():
        if 0 in by_index and 1 in by_index and says_loss(metric):
            roles[by_index[0]], roles[by_index[1]] = "train", "test"
            notes.append(f"{by_index[0]!r} read as the train loss and {by_index[1]!r} as the"
                         " test loss (XGBoost's eval_set=[train, test])")
    return roles


def _meter_values(names: list[str], notes: list[str]) -> dict[str, str]:
    """The train split of ``loss_val`` beside ``loss_avg``: an AverageMeter's ``val`` and
    ``avg`` fields after the loss's name (the ImageNet example's meters: the batch's value
    and the running mean), not a validation loss and a train loss ('val loss' beside 'avg
    loss' is a validation loss beside a train loss's running mean)."""
    spelled = {tuple(tokens(n)) for n in names}
    roles = {n: "train" for n in names if tokens(n)[-1:] == ["val"] and split_of(n) == "test"
             and (*tokens(n)[:-1], "avg") in spelled}
    if roles:
        notes.append(f"{', '.join(roles)}: a meter's current value beside its running average"
                     " (_avg), read as the train loss, not a validation loss")
    return roles


def no_loss(source: str | None, numeric: list[str], what: str = "column") -> NoLossError:
    """'no loss column found', naming the numeric columns the user may choose from."""
    if not numeric:
        return NoLossError(f"no loss {what} found (and no numeric {what}s)", source,
                           "expected a column named like loss, train_loss, val_loss, or one"
                           " chosen with train_col=/test_col=")
    return NoLossError(f"no loss {what} found; numeric {what}s: {_short(numeric)}", source,
                       "none is named like a loss: name yours with train_col=/test_col=")


def one_series_split(path: Path, name: str, train_col: str | None, test_col: str | None,
                     detected: str) -> str:
    """The split of the file ``path`` holding one series (a TensorBoard download, an MLflow
    metric file, a JSON list) named ``name``: ``detected`` when that name or the file's says
    loss, the option's when the user chose it with train_col/test_col (any value: there is
    one series)."""
    if test_col is not None and train_col is None:
        return "test"
    if train_col is not None:
        return "train"
    if says_loss(name) or says_loss(path.name):
        return detected
    raise NoLossError(f"one series, {name!r}, and neither it nor the file name says loss",
                      str(path), f"if it is a loss, say so: train_col= {_quote(name)} (or"
                                   " test_col=)")


def _quote(name: str) -> str:
    return name if re.fullmatch(r"[\w./-]+", name) else repr(name)


def _total_of_parts(names: list[str]) -> str | None:
    """Of several names, the one whose words every other holds, and more (DeePMD's
    ``rmse_trn`` beside ``rmse_e_trn`` and ``rmse_f_trn``, its energy and force parts): the
    total beside its parts; else None."""
    if len(names) < 2:
        return None
    words = {n: set(tokens(n)) for n in names}
    found = [n for n in names if all(words[n] < words[m] for m in names if m != n)]
    return found[0] if len(found) == 1 else None


def _loss_like_of(names: list[str], split: str) -> list[str]:
    """The names of ``split`` that say a loss without the word (nll, objective, mse, ...)."""
    return [n for n in names if says_loss(n) and split_of(n) is None
            and (split == "test") == names_test(tokens(n))]


def _loss_like(names: list[str], choice: ColumnChoice, source: str | None,
               counts: Mapping[str, int]) -> None:
    """No name says 'loss': names that say nll, objective, mse, ... are the losses; an
    objective (mse) beside the errors reported with it (rmse, mae) is the one, two
    objectives (mse and nll) are the user's to choose."""
    for split in ("train", "test"):
        mine = _summaries_left_out(_loss_like_of(names, split), counts, choice.notes)
        objectives = [n for n in mine if not REPORTED & set(tokens(n))]
        spellings = len(objectives) > 1 and len({component(n) for n in objectives}) == 1
        if spellings:
            # spellings of one loss (Lightning's train_cross_entropy_epoch and _step): the
            # preferred one, as among spellings of 'loss' (a summary of too few values for a
            # trend giving way to a curve)
            ranked = sorted(objectives, key=_preference)
            objectives = _curves_first(split, ranked[:1], ranked, counts, choice.notes)[0]
        if len(mine) > 1 and len(objectives) == 1:
            getattr(choice, split).append(objectives[0])
            others = ", ".join(n for n in mine if n != objectives[0])
            beside = "" if spellings else ", errors reported beside it"
            choice.notes.append(f"{split} loss: {objectives[0]} (no column is named loss; also"
                                f" found {others}{beside})")
            continue
        if _detector_parts(objectives):
            getattr(choice, split).extend(objectives)
            choice.notes.append(f"{split} loss is the sum of {len(objectives)} components: "
                                f"{', '.join(objectives)} (a detector's class and box losses)")
            continue
        total = _total_of_parts(mine)
        if total:
            getattr(choice, split).append(total)
            parts = ", ".join(n for n in mine if n != total)
            choice.notes.append(f"{split} loss: {total} (no column is named loss; its parts"
                                f" {parts} also found)")
            continue
        if len(mine) > 1:
            option = "train_col=" if split == "train" else "test_col="
            raise ColumnError(f"no column is named loss, and several could be the {split}"
                              f" loss: {_short(mine)}", source, f"choose one with {option}")
        if mine:
            getattr(choice, split).append(mine[0])
            choice.notes.append(f"{split} loss: {mine[0]} (no column is named loss)")


def _detector_parts(objectives: list[str]) -> bool:
    """A detector's losses, logged without the word, the parts of the one loss it
    minimises: its classification objective and its box regression's smooth L1 (MXNet's
    SSD: ``CrossEntropy=0.86, SmoothL1=3.7e-03``), or YOLOv10's box, cls and dfl losses of
    its two heads (``train/box_om`` ... ``train/dfl_oo``)."""
    box = [n for n in objectives if "smoothl1" in tokens(n)]
    return (len(objectives) == 2 and len(box) == 1) or (
        len(objectives) > 1 and all(dual_head(n) for n in objectives))


def _objective_beside(names: list[str], choice: ColumnChoice, counts: Mapping[str, int]
                      ) -> None:
    """One split's loss is named loss and the other split has none so named: that split's
    one objective (``val_sumMSE`` beside ``train_loss``; not an error reported beside it,
    rmse or mae, nor one of several) is its loss."""
    split = "test" if choice.train else "train"
    mine = _summaries_left_out(
        [n for n in _loss_like_of(names, split) if not REPORTED & set(tokens(n))], counts,
        choice.notes)
    if len(mine) == 1:
        getattr(choice, split).append(mine[0])
        choice.notes.append(f"{split} loss: {mine[0]} (no {split} column is named loss; the"
                            " one objective beside the other split's loss)")


def _summaries_left_out(names: list[str], counts: Mapping[str, int],
                        notes: list[str]) -> list[str]:
    """Of several loss-like names, the one with enough values for a trend when each other
    has too few: those are summaries of the run (a closing ``Avg Train CE`` printed once
    beside ``TRAIN CROSS ENTROPY`` every epoch), not a second loss to choose from."""
    curves = [n for n in names if counts.get(n, 0) >= TREND_POINTS]
    if len(names) < 2 or len(curves) != 1:
        return names
    notes.append(_summary_note([n for n in names if n != curves[0]], curves[0], counts))
    return curves


def _summary_note(few: list[str], curve: str, counts: Mapping[str, int]) -> str:
    return (f"{', '.join(few)} left out: {max(counts.get(n, 0) for n in few)} value(s) at"
            f" most, a summary beside the curve {curve}")


def _validation_first(best: list[str], ranked: list[str]) -> tuple[list[str], list[str]]:
    """A validation loss before a held-out test loss (``val_loss`` and ``test_loss``, as
    Lightning logs ``validation_step`` and ``trainer.test``): the validation loss is the one
    watched during training; the test set is scored once, at the end. And before an
    evaluation of the train set (``train_eval_loss`` beside ``validation_loss``: the train
    set scored in eval mode, not held out)."""
    watched = _watched(best)
    if len(watched) != 1:
        return best, ranked
    return watched, watched + [c for c in ranked if c != watched[0]]


def _watched(names: list[str]) -> list[str]:
    """The names of a loss watched during training: not a held-out test set's, nor an
    evaluation of the train set."""
    return [c for c in names if not (HELD_OUT_TOKENS | TRAIN_TOKENS) & set(tokens(c))]


def _curves_first(split: str, best: list[str], ranked: list[str], counts: Mapping[str, int],
                  notes: list[str]) -> tuple[list[str], list[str]]:
    """Spellings of a loss with too few values for a trend, beside one that has enough, are
    summaries, not curves: of equally good spellings they give way (the HF Trainer's
    closing ``train_loss``, the run's mean, beside its ``loss`` every few steps); a preferred
    train spelling gives way too (Lightning's ``train_loss_epoch`` of two epochs beside
    ``train_loss_step``; a validation's per-batch values are no curve over training)."""
    curves = [c for c in ranked if counts.get(c, 0) >= TREND_POINTS]
    if not curves or len(curves) == len(ranked):
        return best, ranked
    if len(best) > 1:
        kept = [c for c in best if c in curves]
        if not kept or len(kept) == len(best):
            return best, ranked
        few = [c for c in best if c not in kept]
        notes.append(_summary_note(few, kept[0], counts))
        return kept, kept + [c for c in ranked if c not in best]
    if split != "train" or best[0] in curves:
        return best, ranked
    notes.append(f"{curves[0]} read instead of {best[0]}, which has {counts.get(best[0], 0)}"
                 " value(s), too few for a trend")
    return [curves[0]], [curves[0]] + [c for c in ranked if c != curves[0]]


def _one_spelling(split: str, best: list[str], ranked: list[str], counts: Mapping[str, int],
                  notes: list[str]) -> tuple[list[str], list[str]]:
    """Names that differ only in case are one loss printed twice (a progress bar's
    ``loss=`` after each batch and an ``Epoch 10 Loss: 87.17`` line after each epoch): the
    one logged most often (the first, when as often) is read."""
    if len(best) < 2 or len({c.casefold() for c in best}) > 1:
        return best, ranked
    kept = max(best, key=lambda c: counts.get(c, 0))
    others = [c for c in best if c != kept]
    notes.append(f"{split} loss: {kept}; {', '.join(others)}, the same name in another case"
                 " (one loss printed twice), left out")
    return [kept], [kept] + [c for c in ranked if c not in best]


def _pick(split: str, cands: list[str], source: str | None, notes: list[str],
          counts: Mapping[str, int]) -> list[str]:
    if not cands:
        return []
    mains = [c for c in cands if component(c) == ""]
    if mains:
        ranked = sorted(mains, key=_preference)
        best = [c for c in ranked if _preference(c)[0] == _preference(ranked[0])[0]]
        if split == "test" and len(best) > 1:
            best, ranked = _validation_first(best, ranked)
        if counts:
            best, ranked = _curves_first(split, best, ranked, counts, notes)
            best, ranked = _one_spelling(split, best, ranked, counts, notes)
        if len(best) > 1:
            option = "train_col=" if split == "train" else "test_col="
            raise ColumnError(f"several {split} loss columns: {', '.join(best)}", source,
                              f"choose one with {option}")
        if len(ranked) > 1:
            notes.append(f"{split} loss: {ranked[0]} (also found {', '.join(ranked[1:])})")
        return [ranked[0]]
    if split == "test":
        # a validation's components beside a held-out test set's (``Validation: loss_R=``
        # and ``Test: loss_R=`` each epoch): the validation's are the curve, as a
        # validation loss is before a test loss; summed together they were neither
        watched = _watched(cands)
        if watched and len(watched) < len(cands):
            left = ", ".join(c for c in cands if c not in watched)
            notes.append(f"test loss: the validation's components; {left} (a held-out test"
                         " set's) left out")
            cands = watched
    if len(cands) == 1:
        return cands
    # only components (YOLO box/obj/cls, Mask R-CNN parts): their sum is the loss optimised;
    # a part that never logged a value (a stress_loss column left empty beside
    # velocity_loss) would leave no row to sum
    empty = [c for c in cands if counts.get(c, 1) == 0]
    if empty and len(empty) < len(cands):
        kept = [c for c in cands if c not in empty]
        notes.append(f"{split} loss: {', '.join(kept)}"
                     + (f", the sum of {len(kept)} components" if len(kept) > 1 else "")
                     + f" ({', '.join(empty)} never logged a value)")
        return kept
    notes.append(f"{split} loss is the sum of {len(cands)} components: {', '.join(cands)}")
    return cands


def step_axis(df: pd.DataFrame, notes: list[str] | None = None) -> tuple[np.ndarray, str]:
    """The x axis: a step column, else an epoch column, else the row index. A step that
    counts the batches of each epoch (it starts again as the epoch column moves on) is
    chained across the epochs, said in ``notes``. A number sign after the name is the
    name's (``Epoch#``)."""
    lower = {str(c).strip().lower().rstrip("#").rstrip(): c for c in df.columns}
    for names in (STEP_NAMES, EPOCH_NAMES):
        for n in names:
            if n in lower:
                steps, found = _numbers(df[lower[n]])
                if found >= max(1, len(df) // 2):   # integer steps stay ints
                    if names is STEP_NAMES:
                        steps = _chained_over_epochs(df, lower, steps, str(lower[n]), notes)
                    return steps, str(lower[n])
    return np.arange(len(df), dtype=float), ""


def _numbers(col: pd.Series) -> tuple[np.ndarray, int]:
    """A column's values as numbers (integers stay ints) and how many are not NaN."""
    if col.dtype.kind not in "iuf":     # to_numeric would copy a number column
        import pandas as pd

        col = pd.to_numeric(col, errors="coerce")
    steps = col.to_numpy() if col.dtype.kind in "iu" else col.to_numpy(float)
    if steps.dtype.kind != "f":
        return steps, int(col.notna().sum())
    if not np.isnan(np.add.reduce(steps)):     # no NaN: no mask of them
        return steps, len(steps)
    return steps, len(steps) - int(np.count_nonzero(np.isnan(steps)))


def _chained_over_epochs(df: pd.DataFrame, lower: dict[str, str], steps: np.ndarray,
                         name: str, notes: list[str] | None) -> np.ndarray:
    """``steps`` as one axis when they count the batches of each epoch: they go back only
    where an epoch column moves on, so each epoch is laid one step interval past the last
    ('epoch,iteration,loss' with the iteration starting again at every epoch). Where the
    epoch starts again too (runs appended to one file) the steps start again, for the
    reader of segments; steps that go back inside an epoch (a resume) are left as they are."""
    epoch_name = next((lower[e] for e in EPOCH_NAMES if e in lower), None)
    if epoch_name is None:
        return steps
    back = np.flatnonzero(steps[1:] < steps[:-1]) + 1
    if not len(back):
        return steps
    epochs = np.asarray(_numbers(df[epoch_name])[0], dtype=float)
    s = np.asarray(steps, dtype=float)
    moved = np.sign(np.diff(epochs))
    # the steps go back only where the epoch moves, and wherever the epoch goes back
    if np.isnan(s).any() or np.isnan(epochs).any() or np.any(moved[back - 1] == 0) \
            or not np.isin(np.flatnonzero(moved < 0) + 1, back).all():
        return steps
    on = back[moved[back - 1] > 0]
    if not len(on):
        return steps
    gaps = np.diff(s)
    gap = float(np.median(gaps[gaps > 0])) if np.any(gaps > 0) else 1.0
    out, offset, start = s.copy(), 0.0, 0
    for i in back.tolist():
        out[start:i] += offset
        offset = (offset + s[i - 1] + gap - s[i]) if moved[i - 1] > 0 else 0.0
        start = i
    out[start:] += offset
    if notes is not None:
        notes.append(f"x axis: {name} counts the batches of each epoch; chained across"
                     f" {len(on) + 1 + int(np.sum(moved < 0))} epochs")
    return out


def _did_you_mean(wanted: str, names: list[str]) -> str:
    close = close_matches(wanted, names, n=3)
    base = f"did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return (base + " " if base else "") + f"columns are {_short(names)}"


def _short(names: list[str], limit: int = 12) -> str:
    shown = ", ".join(n if len(n) <= 40 else n[:37] + "..." for n in names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "")
