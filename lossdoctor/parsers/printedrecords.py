"""The records a console log's lines make (one a step or epoch) and how they are cleaned:
strays, echoes and reprints dropped, one train loss chosen of several spellings, a bar's
carried test loss printed once, batch counts chained in the order of the lines."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..columns import TREND_POINTS
from ..names import (
    PERPLEXITY,
    TEST_TOKENS,
    TRAIN_TOKENS,
    component,
    names_test,
    split_of,
    tokens,
)
from .steps import EPOCHS_LEAST, chain_starts, epoch_runs


@dataclass
class Record:
    """One step's (or epoch's) values as a log's lines print them, and what each name's
    lines said about it (beside a test loss, named by a split's word, marked)."""

    x: float
    values: dict[str, float] = field(default_factory=dict)
    wall: float = np.nan
    with_test: set[str] = field(default_factory=set)    # names printed beside a test loss
    inferred: set[str] = field(default_factory=set)     # names given by a split's word
    bar: int = 0                     # which progress bar's update (the iteration axis)
    marked: set[str] = field(default_factory=set)       # names given by a line with a marker


#: a loss name seen this often or less is a stray (a checkpoint message) beside a series ...
STRAY_MOST = 2
#: ... of at least this many values of the same split and component
SERIES_LEAST = 5


def drop_strays(counts: dict[str, int], notes: list[str]) -> list[str]:
    """Names of losses logged once or twice beside the same loss logged every epoch (a
    ``val_loss=`` in a checkpoint message next to a ``ValLoss`` column) are dropped."""
    keep = []
    for name, n in counts.items():
        split = split_of(name)
        twin = max((m for other, m in counts.items() if _same_loss(other, name)),
                   default=0) if split in ("train", "test") else 0
        if n <= STRAY_MOST and twin >= max(SERIES_LEAST, 4 * n):
            notes.append(f"{name!r} appears on {n} line(s) only: ignored beside the {split}"
                         f" loss logged {twin} times")
            continue
        keep.append(name)
    return keep


def spelt_apart(records: list[Record], names: list[str], notes: list[str]) -> dict[str, str]:
    """One loss printed under two spellings on lines apart ('Va loss=0.10' by one run's
    script, 'va_loss=0.35' by the next one's, appended to one log): never on one line
    together, they are one series, read under the spelling its last line uses (the
    records renamed in place, with a note). Two names printed on one line are two losses,
    left as they are. Returns the renaming (old name -> new)."""
    lossy = [n for n in names if split_of(n) in ("train", "test")]
    pairs = [(a, b) for i, a in enumerate(lossy) for b in lossy[i + 1:] if _same_loss(a, b)]
    renamed: dict[str, str] = {}
    for a, b in pairs:
        if a in renamed or b in renamed or any(a in r.values and b in r.values for r in records):
            continue
        last_a = max(i for i, r in enumerate(records) if a in r.values)
        last_b = max(i for i, r in enumerate(records) if b in r.values)
        old, new = (a, b) if last_a < last_b else (b, a)
        renamed[old] = new
        notes.append(f"{old!r} and {new!r} are never printed on one line: one loss spelt two"
                     f" ways, read as {new!r}")
    for r in records if renamed else ():
        r.values = {renamed.get(n, n): v for n, v in r.values.items()}
        for kept in (r.marked, r.inferred, r.with_test):
            moved = kept & renamed.keys()
            kept -= moved
            kept |= {renamed[n] for n in moved}
    return renamed


def _same_loss(a: str, b: str) -> bool:
    """Two names of one split's same loss (component): 'Val Loss' and 'val_loss'."""
    return a != b and split_of(a) == split_of(b) and component(a) == component(b)


def drop_echoes(records: list[Record], names: list[str], notes: list[str]) -> list[str]:
    """A loss printed again under another name, only on lines of the points that print it
    already and with the same value ('Val Loss: 3.25' and, when it is the best so far,
    'saving best model (val_loss=3.25)') or with one it printed before (a closing 'best
    val loss: 3.21'), is an echo of it: dropped, with a note."""
    keep = list(names)
    for echo in names:
        if split_of(echo) not in ("train", "test"):
            continue
        for other in keep:
            if not _same_loss(other, echo):
                continue
            seen = [r for r in records if echo in r.values]
            if seen and len(seen) < sum(other in r.values for r in records) and \
                    _repeats(records, echo, other):
                keep.remove(echo)
                notes.append(f"{echo!r} repeats {other!r} on {len(seen)} of its lines: ignored")
                break
    return keep


def _repeats(records: list[Record], echo: str, other: str) -> bool:
    """Whether each value of ``echo`` is ``other``'s at its point or one printed before."""
    printed: set[float] = set()
    for r in records:
        if other in r.values:
            printed.add(r.values[other])
        if echo in r.values and r.values[echo] not in printed:
            return False
    return True


def stated_over_inferred(records: list[Record], names: list[str], notes: list[str]
                          ) -> list[str]:
    """Of a split's main losses, one whose name states the split ('Val Loss') over a bare
    'Loss' that only a split's word before it on the line made that split's (a
    'Validate: ... Loss 1.29 (1.30)' meter beside the epoch's ' * Val Loss 1.30')."""
    dropped: list[str] = []
    for split in ("train", "test"):
        mains = [n for n in names if split_of(n) == split and not component(n)]
        given = {n for n in mains if any(n in r.inferred for r in records)}
        if given and len(given) < len(mains):
            dropped += sorted(given)
            stated = ", ".join(n for n in mains if n not in given)
            notes.append(f"{split} loss: {stated} as printed ({', '.join(sorted(given))},"
                         " named by a split's word before it on its line, also found)")
    return [n for n in names if n not in dropped]


def paired_train(records: list[Record], names: list[str], notes: list[str]) -> list[str]:
    """Of two main train losses, the one printed on the test loss's lines is the evaluation
    to compare it with (nanoGPT's ``step N: train loss .., val loss ..`` beside its per-batch
    ``iter N: loss ..``); when neither is, the one printed on more lines (a per-step loss
    beside an epoch summary of it), unless that one is a single batch's (``batch_loss``)
    beside an epoch's mean with points enough; the other is left out, with a note, instead
    of refusing the log, unless it alone shows the run breaking into NaN or Inf."""
    train = [n for n in names if split_of(n) == "train" and not component(n)]
    if len(train) < 2:
        return names
    paired = {n for n in train if any(n in r.with_test for r in records)}
    if len(paired) == 1:
        kept = paired.pop()
        why = "printed with the test loss"
    else:
        # none printed with it (a per-step 'loss' beside an epoch summary's 'train_loss'):
        # the one printed on more lines is the curve, when one is
        lines = _by_lines(records, train)
        if lines[0][0] == lines[1][0]:
            return names
        kept = lines[0][1]
        why = f"printed on {lines[0][0]} lines"
        # ... but a single batch's loss ('batch_loss', sampled every few batches) gives way
        # to a mean of the epoch's batches ('Train Loss') that has points enough for a trend
        means = [(k, n) for k, n in lines if "batch" not in tokens(n) and k >= TREND_POINTS]
        if "batch" in tokens(kept) and means:
            kept, why = means[0][1], f"a mean over batches, beside {kept!r}, a single batch's"
    # ... unless another broke into NaN or Inf after the kept one's last value: the run's
    # end, which the kept spelling did not live to print (nanoGPT's 'iter 425: loss nan'
    # after its last evaluation)
    last = max(r.x for r in records if kept in r.values)
    broke = [n for n in train if n != kept and any(
        r.x > last and not np.isfinite(r.values.get(n, 0.0)) for r in records)]
    if broke:
        kept, why = broke[0], f"non-finite after the last {kept!r}"
    left = [n for n in train if n != kept]
    notes.append(f"train loss: {kept!r}, {why} ({', '.join(left)} also found)")
    return [n for n in names if n not in left]


def _by_lines(records: list[Record], names: list[str]) -> list[tuple[int, str]]:
    """(how many records print it, name) of each name, the most printed first."""
    return sorted(((sum(n in r.values for r in records), n) for n in names), reverse=True)


def chained_in_line_order(records: list[Record]) -> bool:
    """Records whose step counts the batches of each epoch, with no epoch on their lines
    ('Batch 100/1563, Loss: 1.84', then the epoch's 'Val Loss: 1.46'), chained in the order
    of the lines when the train loss goes on where it left off at every restart (one run
    of epochs, as ``steps`` reads it): each stretch is put after the one before, so an
    evaluation printed between them keeps its place beside the batches (chained curve by
    curve, it had been left at the epoch's last batch count, every one the same). Whether
    it chained them."""
    train = [n for n in dict.fromkeys(n for r in records for n in r.values)
             if split_of(n) == "train"]
    held = [i for i, r in enumerate(records) if train and train[0] in r.values]
    back = [k for k in range(1, len(held)) if records[held[k]].x < records[held[k - 1]].x]
    if len(back) <= EPOCHS_LEAST:
        return False
    values = np.array([records[i].values[train[0]] for i in held], dtype=float)
    bounds = [0, *back, len(held)]
    segs = [np.arange(a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    if len(epoch_runs(values, segs)) != 1:
        return False                      # new runs, or too few epochs: the steps' reader
    stretches = [np.array([records[held[i]].x for i in seg]) for seg in segs]
    ends = [held[seg[0]] for seg in segs] + [len(records)]
    for k, (xs, start) in enumerate(zip(stretches, chain_starts(stretches, least_stride=1.0),
                                        strict=True)):
        # every record of the stretch, the evaluations printed in it too (records that
        # hold no train loss before the first stretch keep their place)
        for r in records[ends[k]:ends[k + 1]]:
            r.x = r.x - xs[0] + start
    return True


def without_reprints(records: list[Record]) -> list[Record]:
    """The records less those that print an earlier step again with all its values the same
    (lines after it may add others): a summary (LightGBM's "Early stopping, best iteration
    is:" then ``[7] ...``), not a run that went back to step 7 and is resumed there."""
    seen: dict[float, list[dict[str, float]]] = {}
    kept = []
    for r in records:
        if any(all(r.values.get(k) == v for k, v in was.items()) for was in seen.get(r.x, [])):
            continue
        seen.setdefault(r.x, []).append(r.values)
        kept.append(r)
    return kept


def without_carried(records: list[Record]) -> list[Record]:
    """The records without the test losses a progress bar carries: its postfix (or the line
    a live display draws under it) prints the last evaluation again at every update, and
    only the first print of it is a point. A test loss is carried when one bar prints it
    at two updates or more; then a print that repeats the one before (NaN as well) is
    dropped. Evaluations printed once a bar keep all their points, equal or not."""
    def same(a: float, b: float) -> bool:
        return a == b or a != a and b != b

    prints: dict[str, list[Record]] = {}
    for r in records:
        for name in r.values:
            if split_of(name) == "test":
                prints.setdefault(name, []).append(r)
    for name, seen in prints.items():
        bars = [r.bar for r in seen]
        if len(set(bars)) == len(bars):
            continue                  # once a bar: evaluations, not a postfix carrying one
        kept = seen[0].values[name]
        for r in seen[1:]:
            if same(r.values[name], kept):
                del r.values[name]
            else:
                kept = r.values[name]
    return [r for r in records if r.values]


def splits_of(records: list[Record]) -> set[str]:
    """The loss splits (train, test) the records hold."""
    return {s for r in records for n in r.values if (s := split_of(n) or "") in ("train", "test")}


def perplexity_loss(records: list[Record], names: list[str], notes: list[str],
                    split: str = "test") -> list[str]:
    """A split that prints its perplexity and no loss (OpenNMT's 'Validation perplexity:
    74.75', 'Train perplexity at epoch 0: 396.31'): ln of it is the mean cross-entropy, the
    split's loss; added to the records under that name. Of several such names, the one
    printed most often; nothing when none is."""
    words = TEST_TOKENS if split == "test" else TRAIN_TOKENS
    ppl = [n for n in names if split_of(n) is None and words & set(tokens(n))
           and not (split == "train" and names_test(tokens(n)))
           and PERPLEXITY & set(tokens(n))]
    if len(ppl) > 1:        # a closing 'Test Perplexity: 76.2' beside one an epoch: the curve
        counts = _by_lines(records, ppl)
        ppl = [counts[0][1]] if counts[0][0] > counts[1][0] else ppl
    if len(ppl) != 1:
        return []
    name, loss = ppl[0], f"ln({ppl[0]})"
    for r in records:
        value = r.values.get(name)
        if value is not None:
            r.values[loss] = float(np.log(value)) if value > 0 else float("nan")
    notes.append(f"{split} loss: {loss}, the cross-entropy its perplexity is exp of (no"
                 f" {split} loss printed)")
    return [loss]
