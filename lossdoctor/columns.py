"""Which columns hold the train loss, the test loss, the learning rate and the step axis.

Names are split into lower-case tokens (``Loss/train`` -> ``loss train``, ``valLoss`` ->
``val loss``) so that every common spelling is matched by meaning, not by a list of strings.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import ColumnError, NoLossError, close_matches

TEST_TOKENS = frozenset({"val", "valid", "validation", "test", "eval", "evaluation", "dev",
                         "vl", "tst", "holdout"})
TRAIN_TOKENS = frozenset({"train", "training", "trn", "tr", "main", "batch"})
#: tokens that say "the same loss, aggregated differently": not a separate component
MODIFIERS = ("epoch", "avg", "mean", "total", "overall", "running", "smoothed", "step")
STATS = frozenset({"min", "max", "std", "stderr", "var", "count"})
STEP_NAMES = ("step", "global_step", "globalstep", "iteration", "iter", "it", "_step",
              "batch", "steps", "n_iter", "trainer/global_step")
EPOCH_NAMES = ("epoch", "epochs", "ep", "epoch/epoch")


def tokens(name: str) -> list[str]:
    """``'Train/epoch_loss'`` -> ``['train', 'epoch', 'loss']``; camelCase is split too."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", name)
    return [t for t in re.split(r"[^0-9a-zA-Z]+", spaced.lower()) if t]


def split_of(name: str) -> str | None:
    """``train``, ``test`` or ``lr`` by the column's name, or None when it is not a loss."""
    toks = tokens(name)
    if not toks or STATS & set(toks):
        return None
    if "lr" in toks or re.search(r"(^|[^a-z])lr\d*$", name.lower()) or \
            ("learning" in toks and "rate" in toks):
        return "lr"
    if not any(t == "loss" or t.endswith("loss") for t in toks):
        return None
    if TEST_TOKENS & set(toks):
        return "test"
    return "train"


def component(name: str) -> str:
    """What is left of a loss name without split and aggregation words: '' for the main loss."""
    toks = [t for t in tokens(name) if t not in TEST_TOKENS and t not in TRAIN_TOKENS
            and t not in MODIFIERS and t != "loss"]
    return " ".join(toks)


def _preference(name: str) -> tuple[int, int]:
    """Lower is better among main-loss spellings of one split: plain, then per-epoch, ..."""
    toks = set(tokens(name))
    for rank, word in enumerate(MODIFIERS):
        if word in toks:
            return (1 + rank, len(name))
    return (0, len(name))


@dataclass
class ColumnChoice:
    """The columns chosen per split; several names in one split are summed (components)."""

    train: list[str] = field(default_factory=list)
    test: list[str] = field(default_factory=list)
    lr: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def choose_columns(names: list[str], train_col: str | None = None, test_col: str | None = None,
                   source: str | None = None) -> ColumnChoice:
    """Pick train/test/lr columns from ``names``; explicit choices win and are checked."""
    choice = ColumnChoice()
    for split, wanted in (("train", train_col), ("test", test_col)):
        if wanted is not None:
            if wanted not in names:
                raise ColumnError(f"no column named {wanted!r}", source,
                                  _did_you_mean(wanted, names))
            getattr(choice, split).append(wanted)
    lr = [n for n in names if split_of(n) == "lr"]
    choice.lr = sorted(lr, key=len)[:1]
    for split in ("train", "test"):
        if getattr(choice, split):
            continue
        cands = [n for n in names if split_of(n) == split]
        picked = _pick(split, cands, source, choice.notes)
        getattr(choice, split).extend(picked)
    if train_col is None and test_col is not None and choice.train == [test_col]:
        choice.train = []
    if not choice.train and not choice.test:
        raise NoLossError("no loss column found", source,
                          f"columns are {_short(names)}; choose with train_col=/test_col=")
    return choice


def _pick(split: str, cands: list[str], source: str | None, notes: list[str]) -> list[str]:
    if not cands:
        return []
    mains = [c for c in cands if component(c) == ""]
    if mains:
        ranked = sorted(mains, key=_preference)
        best = [c for c in ranked if _preference(c)[0] == _preference(ranked[0])[0]]
        if len(best) > 1:
            option = "train_col=" if split == "train" else "test_col="
            raise ColumnError(f"several {split} loss columns: {', '.join(best)}", source,
                              f"choose one with {option}")
        if len(ranked) > 1:
            notes.append(f"{split} loss: {ranked[0]} (also found {', '.join(ranked[1:])})")
        return [ranked[0]]
    if len(cands) == 1:
        return cands
    # only components (YOLO box/obj/cls, Mask R-CNN parts): their sum is the loss optimised
    notes.append(f"{split} loss is the sum of {len(cands)} components: {', '.join(cands)}")
    return cands


def step_axis(df: pd.DataFrame) -> tuple[np.ndarray, str]:
    """The x axis: a step column, else an epoch column, else the row index."""
    lower = {str(c).strip().lower(): c for c in df.columns}
    for names in (STEP_NAMES, EPOCH_NAMES):
        for n in names:
            if n in lower:
                col = df[lower[n]]
                if col.dtype.kind not in "iuf":     # to_numeric would copy a number column
                    col = pd.to_numeric(col, errors="coerce")
                if col.notna().sum() >= max(1, len(df) // 2):   # integer steps stay ints
                    return col.to_numpy() if col.dtype.kind in "iu" else col.to_numpy(float), \
                        str(lower[n])
    return np.arange(len(df), dtype=float), ""


def _did_you_mean(wanted: str, names: list[str]) -> str:
    close = close_matches(wanted, names, n=3)
    base = f"did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return (base + " " if base else "") + f"columns are {_short(names)}"


def _short(names: list[str], limit: int = 12) -> str:
    shown = ", ".join(n if len(n) <= 40 else n[:37] + "..." for n in names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "")
