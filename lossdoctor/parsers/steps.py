"""Steps that go back: resumes keep the last value per step, restarts start a new segment."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..errors import UsageError
from ..frame import CurveArrays, LossLog, concat_frames

if TYPE_CHECKING:     # frames are built, and pandas loaded, only when a curve needs fixing
    import pandas as pd

MIN_SEGMENT = 3   # a restart that logs fewer points than this is read as a resume


def resolve_steps(log: LossLog, segments: str = "last") -> LossLog:
    """Return the log with each curve's steps increasing; say what was done in the notes."""
    if segments not in ("last", "all"):
        raise UsageError(f"segments: expected 'last' or 'all', got {segments!r}")
    if log.curves is not None and _curves_in_order(log.curves):
        return log                       # the common case, without building a frame
    frame = log.frame
    if frame.empty or _all_in_order(frame):
        return log
    parts, notes = [], []
    groups = list(frame.groupby(["run", "split"], sort=False, observed=True))
    # the step range of each loss curve that never starts again: where its run's other
    # curve's segment must lie to be of the same run
    spans = {key: (float(s[0]), float(s[-1])) for key, g in groups
             if key[1] != "lr" and len(s := g["step"].to_numpy(float))
             and np.all(np.diff(s) >= 0)}
    for (run, split), group in groups:
        other = spans.get((run, "test" if split == "train" else "train"))
        fixed, said = _resolve_curve(group.reset_index(drop=True), segments,
                                     other if split != "lr" else None)
        parts.append(fixed)
        label = f"{split} loss" if split != "lr" else "learning rate"
        label = f"{run}: {label}" if run else label
        if split != "lr":
            notes += [f"{label}: {s}" for s in said]
    out = concat_frames(parts)
    return LossLog(out, log.source, log.format, log.notes + notes)


def _curves_in_order(curves: list[CurveArrays]) -> bool:
    """True when each (run, split) is one curve whose steps increase: nothing to fix."""
    keys = [(c[0], c[1]) for c in curves]
    if len(set(keys)) != len(keys):
        return False
    for c in curves:
        steps = np.asarray(c[3])
        if len(steps) >= 3 and steps[0] == steps[-1] and np.all(steps == steps[0]):
            return False
        if np.any(steps[1:] < steps[:-1]):
            return False
    return True


def _all_in_order(frame: pd.DataFrame) -> bool:
    """True when every curve is one block of rows with increasing steps: nothing to fix.

    The common case, checked in a few array passes instead of splitting millions of rows.
    """
    import pandas as pd

    if not isinstance(frame.index, pd.RangeIndex) or frame.index.start != 0 or \
            frame.index.step != 1:
        return False
    run, split = (_codes(frame[c]) for c in ("run", "split"))
    key = split if run.max(initial=0) == run.min(initial=0) else \
        run.astype(np.int64) * (int(split.max()) + 1) + split
    cuts = np.flatnonzero(key[1:] != key[:-1]) + 1
    if len(np.unique(key[np.r_[0, cuts]])) != len(cuts) + 1:
        return False             # a curve comes back after another: the rows get regrouped
    steps = frame["step"].to_numpy()
    bounds = np.r_[0, cuts, len(steps)]
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        part = steps[a:b]
        if (b - a >= 3 and part[0] == part[-1] and np.all(part == part[0])) or \
                np.any(part[1:] < part[:-1]):
            return False
    return True


def _codes(labels: pd.Series) -> np.ndarray:
    """Small integer codes of a label column (a categorical's own codes: no copy)."""
    import pandas as pd

    values = labels.array
    if isinstance(values, pd.Categorical):
        return values.codes
    return pd.factorize(labels, use_na_sentinel=False)[0]


def _resolve_curve(group: pd.DataFrame, segments: str,
                   beside: tuple[float, float] | None = None) -> tuple[pd.DataFrame, list[str]]:
    """The curve with its steps increasing; ``beside``, the step range of its run's other
    loss curve, when that one never starts again."""
    steps = group["step"].to_numpy()
    notes: list[str] = []
    if len(steps) >= 3 and np.all(steps == steps[0]):
        group = group.assign(step=np.arange(len(steps), dtype=float))
        return group, [f"every step is {steps[0]:g}; using the order of the rows"]
    back = np.flatnonzero(np.diff(steps) < 0) + 1
    if len(back) == 0:
        return group, notes
    lengths = np.diff(np.r_[0, back, len(steps)])
    many = len(back) > max(10, len(steps) // 100)
    if many and np.median(lengths) < MIN_SEGMENT:
        # shuffled rather than started again: most stretches in order are a point or two
        out = group.iloc[np.argsort(steps, kind="stable")]
        out = out.drop_duplicates("step", keep="last")
        return out.reset_index(drop=True), [f"steps out of order {len(back)} times; sorted"]
    bounds = [0]
    resumes = []
    keep = np.ones(len(steps), dtype=bool)
    for pos, i in enumerate(back):
        seg_start = bounds[-1]
        nxt = back[pos + 1] if pos + 1 < len(back) else len(steps)
        if steps[i] <= steps[seg_start] and nxt - i >= MIN_SEGMENT:
            bounds.append(int(i))
            continue
        earlier = np.arange(seg_start, i)
        undone = earlier[steps[earlier] >= steps[i]]
        if nxt == len(steps) and nxt - i < MIN_SEGMENT and len(undone) > nxt - i:
            # a value or two written back at an earlier step when the run ended (a closing
            # summary at step 0) would undo more of the curve than it brings: left out
            keep[i:] = False
            notes.append(f"the last {nxt - i} value(s), written back at step {steps[i]:g} after"
                         f" step {steps[i - 1]:g}, left out (a closing summary, not a resume)")
            continue
        keep[undone] = False
        resumes.append(steps[i])
    if resumes:
        where = ", ".join(f"{s:g}" for s in resumes[:5]) + (" ..." if len(resumes) > 5 else "")
        notes.append(f"resumed {len(resumes)} time{'s' * (len(resumes) > 1)} at step(s) {where}"
                     " (kept the last value written for each step)")
    bounds.append(len(steps))
    segs = [_last_per_step(steps, np.arange(a, b)[keep[a:b]])
            for a, b in zip(bounds[:-1], bounds[1:], strict=False)]
    if len(segs) == 1:
        return group.iloc[segs[0]].reset_index(drop=True), notes
    runs = epoch_runs(group["value"].to_numpy(float), segs) if segments == "last" else []
    # one run of epochs; or, where steps start again many times, runs of epochs one after
    # another, the last of them long enough to count as one (a few restarts are new runs)
    per_epoch = len(runs) == 1 or bool(runs) and many and len(runs[-1]) > EPOCHS_LEAST
    if per_epoch and len(runs) > 1:
        notes.append(f"{len(runs)} runs one after another, each with its step counted within"
                     f" each epoch; diagnosing the last ({len(runs[-1])} epochs)")
        segs = [segs[i] for i in runs[-1]]
    if segments == "last" and not per_epoch:
        pick = _beside(steps, segs, beside)
        which = (" last" if beside is None or pick == len(segs) - 1 else
                 f" one beside the other loss's steps ({beside[0]:g}-{beside[1]:g}; the last"
                 " lies outside them)")
        notes.append(f"{len(segs)} segments (steps restart from the beginning), diagnosing the"
                     f"{which}; --segments all chains them")
        out = group.iloc[segs[pick]]
    else:
        notes.append(f"steps start again {len(segs) - 1} times, each time where the loss left"
                     " off: a step counted within each epoch; the segments are chained"
                     if per_epoch else
                     f"{len(segs)} segments (steps restart from the beginning), chained")
        steps_of = [group["step"].to_numpy()[idx] for idx in segs]
        chained = [group.iloc[idx].assign(step=s - s[0] + start)
                   for idx, s, start in zip(segs, steps_of, chain_starts(steps_of),
                                            strict=True)]
        import pandas as pd

        out = pd.concat(chained)
    out = out.iloc[np.argsort(out["step"].to_numpy(), kind="stable")]
    return out.reset_index(drop=True), notes


def chain_starts(stretches: list[np.ndarray], least_stride: float = 0.0) -> list[float]:
    """Where each stretch of steps counted from its own start begins once they are chained:
    after the one before, one stride on (its median step, at least ``least_stride``)."""
    starts, offset = [], 0.0
    for s in stretches:
        starts.append(offset)
        gap = float(np.median(np.diff(s))) if len(s) > 1 else 1.0
        offset += s[-1] - s[0] + max(gap, least_stride)
    return starts


def _beside(steps: np.ndarray, segs: list[np.ndarray], beside: tuple[float, float] | None
            ) -> int:
    """Which segment to diagnose: the last, unless it lies outside the steps of the run's
    other loss curve (which never starts again) and an earlier one overlaps them: a restart
    that logged a few train steps and no evaluation, after a run whose evaluations are the
    test curve, is not that curve's run."""
    last = len(segs) - 1
    if beside is None:
        return last

    def overlaps(idx: np.ndarray) -> bool:
        return len(idx) > 0 and steps[idx[0]] <= beside[1] and steps[idx[-1]] >= beside[0]

    if overlaps(segs[last]):
        return last
    return next((i for i in range(last - 1, -1, -1) if overlaps(segs[i])), last)


def _last_per_step(steps: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Of a segment's rows (``idx``, steps not going back), the last written at each step:
    runs that each stopped after their first epoch, one after the other, write epoch 0 again
    without going back (a NaN from one of them is no point of the run that followed)."""
    if len(idx) < 2:
        return idx
    s = steps[idx]
    return idx[np.r_[s[1:] != s[:-1], True]]


#: a step counted within each epoch starts again at least this many times
EPOCHS_LEAST = 3
#: where a segment starts or ends: the median of this many of its values (minibatch noise)
EDGE_POINTS = 5


def epoch_runs(values: np.ndarray, segs: list[np.ndarray]) -> list[list[int]]:
    """The segments (their indices) grouped into runs whose step is a count within each
    epoch, when steps that start again are that rather than new runs only: a segment that
    starts (the median of its first ``EDGE_POINTS`` values) nearer where the one before it
    ended than where its run's first segment started goes on in that run (the next epoch
    goes on where the last one ended; a run started again begins where runs begin, high).
    Compared on a log scale for a positive loss. Empty unless there are more than
    ``EPOCHS_LEAST`` restarts and some run counts that many (a few are new runs)."""
    if len(segs) <= EPOCHS_LEAST or any(len(seg) == 0 for seg in segs):
        return []
    finite = values[np.isfinite(values)]
    v = np.log(values) if len(finite) and np.all(finite > 0) else values

    def edge(idx: np.ndarray) -> float:
        return float(np.nanmedian(v[idx])) if np.isfinite(v[idx]).any() else np.nan

    runs = [[0]]
    for k in range(1, len(segs)):
        now, then = edge(segs[k][:EDGE_POINTS]), edge(segs[k - 1][-EDGE_POINTS:])
        start = edge(segs[runs[-1][0]][:EDGE_POINTS])
        if abs(now - then) < abs(now - start):
            runs[-1].append(k)
        else:
            runs.append([k])
    return runs if any(len(run) > EPOCHS_LEAST for run in runs) else []
