"""Runs the selected rules over each run's trends and picks the verdict."""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from .columns import boosted
from .errors import LogReadError
from .evidence_keys import TEST_BEST_STEP
from .frame import LossLog, curve_arrays, metric_names, summed_splits
from .records import Diagnosis, Direction, Finding
from .report import NO_FINDING, Report, RunReport
from .rules import RULES, Rule, RunContext, find_rule
from .rules.divergence import climb_start
from .rules.measures import (
    NO_ORDER,
    WITHIN_SPAN,
    best_logged,
    best_step,
    climb_se,
    end_rise,
    falls_back,
    level_scatter,
    rise_since,
    rises_materially,
    smooth_width,
    standing_still,
)
from .rules.said import describe
from .thresholds import DEFAULT, Thresholds
from .trends import LOCAL_NOISE_POINTS, CurveTrend, analyze_curve, placed, still
from .wording import join, text

if TYPE_CHECKING:
    import pandas as pd


def diagnose_log(log: LossLog, thresholds: Thresholds = DEFAULT,
                 rules: Iterable[Rule] | None = None) -> Report:
    """Diagnose every run of a parsed log; the report's verdict is the most urgent run's."""
    selected = sorted(rules if rules is not None else RULES.values(), key=lambda r: r.priority)
    runs = [diagnose_run(run, log, thresholds, selected, log.source) for run in log.runs()]
    if not runs:
        raise LogReadError("no loss values", log.source)
    return Report(log.source, log.format, list(log.notes), runs)


def diagnose_run(run: str, log: LossLog | pd.DataFrame, th: Thresholds, rules: list[Rule],
                 source: str) -> RunReport:
    ctx, notes = build_context(log, th, source, run)
    if not ctx.curves() and not ctx.broken:    # judged whatever was selected: it is about
        d = RULES["LD000"].diagnose(ctx, th)   # the log, not about training
        if d is not None:
            return RunReport(run, d.name, [d], ctx, notes)
    found: list[Diagnosis] = []
    for r in rules:
        d = r.diagnose(ctx, th)
        if d is not None:
            found.append(d)
    if not found and len([r for r in rules if r.code != "LD000"]) < len(RULES) - 1:
        skipped = sorted(f"{r.code} {r.name}" for r in RULES.values() if r not in rules)
        notes.append(f"no finding among the selected rules; {len(skipped)} not selected:"
                     f" {', '.join(skipped)}")
        return RunReport(run, NO_FINDING, [], ctx, notes)
    if not found:
        found.append(_mixed(ctx, th))
        notes.append("no rule matched the trends clearly: " + found[0].message)
    verdict = _verdict(found)
    return RunReport(run, verdict, found, ctx, notes)


def _verdict(found: list[Diagnosis]) -> str:
    """The most urgent finding, unless it defers to another finding that is also there."""
    names = {d.name for d in found}
    return next((d.name for d in found if not names.intersection(d.yields_to)), found[0].name)


def _mixed(ctx: RunContext, th: Thresholds) -> Diagnosis:
    """When no rule decides: say which way each curve goes and name the nearest cell of the
    trend table, with low confidence: a run whose curves disagree has stopped improving as
    a whole (plateau), unless every curve still falls (learning), the train loss rises
    while no curve falls, and a rise matters on the loss's own scale ("if the loss rises
    during training, the learning rate is usually too large"; a short flat curve's noise
    read as a rise in its last few points is no such rise), or the test loss rises by a
    share that matters and the train loss rose half as far with it (worse on both sets: a
    rate too high too), or the train loss falls while the test loss rises by a share that
    matters (overfitting's cell, when its own rule found no rise from a smoothed best: a
    best of one evaluation on a short curve); a train loss whose last window rises by a
    share that does not matter, or at all when the test loss's latest evaluation is its
    lowest (a snapshot of one batch's loss ticking up), beside a test loss still falling is
    learning (the run improves where it counts), and so is a train loss falling beside a
    test loss whose last window is flat or rising but which logged its lowest value within
    its last ``overfit_points`` evaluations (it still makes new lows, however small)."""
    curves = [c for c in ctx.curves() if c.windows]
    ends = [c.windows[-1].direction for c in curves]
    still = all(e is Direction.FALLING for e in ends) and not (
        ctx.test is not None and falls_back(ctx.test))
    rising = (ctx.train is not None and ctx.train.windows
              and ctx.train.windows[-1].direction is Direction.RISING
              and Direction.FALLING not in ends
              and any(rises_materially(c, th) for c in curves)
              and end_rise(ctx.train, th)[1] >= th.flat_noise_z)
    said = join("; ", (describe(c) for c in curves))
    # the table's overfitting cell: train falling, test rising (by a share that matters,
    # evaluated overfit_points times since its lowest logged value: once can be noise)
    te = ctx.test
    # evaluations of the test loss since its lowest logged value
    since_best = int(np.sum(te.steps > best_logged(te)[0])) if te is not None else 0
    parting = (ends == [Direction.FALLING, Direction.RISING] and te is not None
               and rises_materially(te, th) and since_best >= th.overfit_points)
    # a train loss ticking up by a share that does not matter (or any, when the test loss's
    # latest evaluation is its lowest) beside a test loss that still falls: the run still
    # improves where it counts
    improving = (ends == [Direction.RISING, Direction.FALLING] and ctx.train is not None
                 and (not rises_materially(ctx.train, th)
                      or (te is not None and float(te.values[-1]) <= float(te.values.min()))))
    # a train loss falling beside a test loss whose last window is flat, or rises as a
    # trend, but whose lowest logged value is among its last overfit_points evaluations: it
    # still makes new lows
    newlow = (ends[:1] == [Direction.FALLING] and ends[1:] in ([Direction.FLAT],
                                                               [Direction.RISING])
              and te is not None and te.moved and since_best < th.overfit_points)
    # a test loss rising beside a train loss that rose with it: the weights got worse on
    # both sets, as a rate too high makes them
    together = (ends[-1:] == [Direction.RISING] and te is not None and ctx.train is not None
                and _rose_together(ctx.train, te, th))
    nearest = ("learning" if still or improving or newlow else "lr_too_high"
               if rising or together else "overfitting" if parting else "plateau")
    ev: dict[str, float | str] = {f"{c.split}_direction": c.windows[-1].direction.value
                                  for c in curves}
    # where the nearest cell's trouble began, as its own rule would place it: the train
    # loss's sustained climb, the test loss's smoothed best
    onset = None
    if nearest == "lr_too_high" and ctx.train is not None:
        onset = ev["rise_start_step"] = climb_start(ctx.train, th)
    elif nearest == "overfitting" and te is not None:
        onset = ev[TEST_BEST_STEP] = best_step(te)
    return find_rule(nearest).diagnosis(Finding(
        text("Mixed trends: {said}.", said=said), onset, None, ev,
        ("look at the curves: the train and test loss disagree",), confidence=0.3))


def _rose_together(tr: CurveTrend, te: CurveTrend, th: Thresholds) -> bool:
    """Whether the test loss rose since its smoothed best by a share that matters and the
    train loss rose half as far or more over the same steps (log scale), as the overfitting
    rule asks of a rise the train loss shares: getting worse on both sets, not memorising."""
    if not (te.log and tr.log and rises_materially(te, th)
            and end_rise(te, th)[1] >= th.overfit_z):
        return False
    best = best_step(te)
    te_rise, tr_rise = rise_since(te, best), rise_since(tr, best)
    # the train loss's share must stand out of its own noise too (a climb's standard error)
    return te_rise > 0 and tr_rise >= te_rise / 2 and tr_rise >= th.flat_noise_z * climb_se(
        tr, smooth_width(tr, th.smooth_fraction))


Points = dict[str, tuple[np.ndarray, np.ndarray]]


def _taking_turns(points: Points) -> tuple[Points, int]:
    """The curves without the zeros a logger writes for the loss it did not compute (a 0
    val_loss at a training step, a 0 train_loss at an evaluation's): at the steps both
    curves hold, never both are non-zero, each is zero at some and non-zero at others, and
    every zero lies at such a step. Also how many zeros were left out (0: none)."""
    if set(points) != {"train", "test"}:
        return points, 0
    (ts, tv), (es, ev) = points["train"], points["test"]
    _, ti, ei = np.intersect1d(ts, es, return_indices=True)
    kept_t, kept_e = tv != 0, ev != 0
    on_t, on_e = kept_t[ti], kept_e[ei]
    shared = len(ti)
    if np.any(on_t & on_e) or not (0 < on_t.sum() < shared and 0 < on_e.sum() < shared):
        return points, 0
    zeros = int(np.sum(~kept_t) + np.sum(~kept_e))
    if zeros != int(np.sum(~on_t) + np.sum(~on_e)):
        return points, 0            # a zero away from the shared steps: a value, maybe
    return {"train": (ts[kept_t], tv[kept_t]), "test": (es[kept_e], ev[kept_e])}, zeros


def _leading_zeros(points: Points) -> tuple[Points, dict[str, int]]:
    """The curves without the exact zeros before their first non-zero value (a logger that
    writes 0 for an evaluation it skipped until the one it ran: an untrained model's loss
    is not 0), and how many each lost. A curve of zeros only is left to the caller."""
    cut: dict[str, int] = {}
    out = dict(points)
    for split, (steps, values) in points.items():
        first = int(np.argmax(values != 0)) if len(values) else 0
        if first and values[first] != 0:
            out[split] = (steps[first:], values[first:])
            cut[split] = first
    return out, cut


def build_context(log: LossLog | pd.DataFrame, th: Thresholds, source: str, run: str = ""
                  ) -> tuple[RunContext, list[str]]:
    """Trends of the train and test curves of one run on a shared step span.

    ``log`` is a parsed log (its arrays are read, no frame is built) or one run's frame.
    """
    notes: list[str] = []
    if isinstance(log, LossLog):
        arrays = {split: log.curve(run, split) for split in ("train", "test", "lr")}
    else:
        arrays = {split: curve_arrays(log, split) for split in ("train", "test", "lr")}
    if not any(len(arrays[s][0]) for s in ("train", "test")):
        raise LogReadError(f"no loss values{f' for run {run}' if run else ''}", source)
    # each curve at its finite steps, in order (views of 1e7 rows, not copies): its first
    # and last step are its range
    points = {s: placed(*arrays[s]) for s in ("train", "test") if len(arrays[s][0])}
    points, turns = _taking_turns(points)
    if turns:
        notes.append(f"train and test loss take turns at 0 ({turns} zeros, each where the other"
                     " loss was logged): placeholders of a logger that writes both, left out")
    points, leading = _leading_zeros(points)
    for split, n in leading.items():
        notes.append(f"{split} loss is 0 at its first {n} points and not after: placeholders"
                     " of evaluations not run (an untrained model's loss is not 0), left out")
    ends = [(p[0][0], p[0][-1]) for p in points.values() if len(p[0])]
    if not ends:
        raise LogReadError(f"no finite steps{f' for run {run}' if run else ''}", source)
    span = (float(min(lo for lo, _ in ends)), float(max(hi for _, hi in ends)))
    curves: dict[str, CurveTrend | None] = {"train": None, "test": None}
    lr_steps, lr_values = arrays["lr"]
    order = np.argsort(lr_steps, kind="stable")
    lr_steps = np.asarray(lr_steps[order], float)
    lr_values = np.asarray(lr_values[order], float)
    since = rate_step(lr_steps, lr_values, span, th)   # both curves' last window starts there
    for split, (part_steps, part_values) in points.items():
        curves[split] = analyze_curve(split, part_steps, part_values, span, th, since,
                                      ordered=True)
    broken = []
    short: dict[str, np.ndarray] = {}
    counts = {split: len(c.values) for split, c in curves.items() if c is not None}
    for split, c in curves.items():
        if c is not None and len(c.values) and not c.non_finite_count and \
                not np.any(c.values) and any(o is not None and np.any(o.values)
                                             for o in curves.values()):
            # zero at every point beside a loss that is not: a placeholder (YOLO writes its
            # val losses as 0 when it skips validation), no measurement
            notes.append(f"{split} loss is 0 at all {len(c.values)} of its points: no"
                         f" evaluation was recorded; diagnosing the {_other(split)} loss alone")
            curves[split] = None
        elif c is None:
            notes.append(f"no {split} loss in this log: diagnosing the {_other(split)} loss alone")
        elif len(c.values) < th.min_points or not c.windows:
            if c.non_finite_count:
                broken.append(c)
            else:
                short[split] = c.values
            notes.append(f"{split} loss has {len(c.values)} finite point"
                         f"{'s' if len(c.values) != 1 else ''} at distinct steps, too few for"
                         f" a trend (need {th.min_points}); ignored")
            curves[split] = None
    whys = {split: standing_still(c, th) if c is not None and c.log and c.windows else ""
            for split, c in curves.items()}
    for split, c in curves.items():
        why = whys[split]
        other = curves[_other(split)]
        if why == NO_ORDER and whys[_other(split)] == "" and other is not None and \
                c is not None and not _noise_beside(split, c, other, th):
            why = ""
        if why and split == "test" and whys["train"] and c is not None and \
                level_scatter(c) >= th.swing_limit:
            why = ""      # swinging around its level beside a train loss that stands still
        if c is not None and why:
            curves[split] = still(c)
            notes.append(f"the {split} loss moved less than {th.still_span:.0%} of its level,"
                         " beyond what its noise explains, over the whole run: read as not"
                         " moving" if why == WITHIN_SPAN else
                         f"the {split} loss's points show no trend and no order (Mann-Kendall"
                         " test at 1%, von Neumann at 5%): read as noise around its level, not"
                         " moving")
    summed = log.summed_splits(run) if isinstance(log, LossLog) else summed_splits(log)
    ctx = RunContext(curves["train"], curves["test"], lr_steps, lr_values, tuple(broken),
                     counts, short, summed,
                     boosted(log.format, log.metrics(run)) if isinstance(log, LossLog)
                     else boosted("", metric_names(log)))
    return ctx, notes


def _noise_beside(split: str, c: CurveTrend, other: CurveTrend, th: Thresholds) -> bool:
    """Whether a curve whose points show no order is noise around its level beside a curve
    that moved. Only two curves at rest together, or one alone, are, as a rule: a blown-up
    train loss swinging around its level beside a test loss swinging wider is not at rest.
    A test loss of ``LOCAL_NOISE_POINTS`` evaluations or more beside a train loss that moved
    without swinging (scatter under ``swing_limit``) and now rests is: its evaluations
    scatter around a level the model no longer changes, and a down-swing of its last window
    is no progress (fewer evaluations are too few for the order tests to say much)."""
    return (split == "test" and other.noise < th.swing_limit
            and other.windows[-1].direction is Direction.FLAT
            and len(c.values) >= LOCAL_NOISE_POINTS)


def rate_step(steps: np.ndarray, rates: np.ndarray, span: tuple[float, float],
              th: Thresholds) -> float | None:
    """The step where the recorded learning rate was last cut (or raised) ``lr_step`` times
    or more from one logged value to the next, in the last window of the run, while the
    changes just before and after it were ``lr_step`` times smaller (on a log scale): a
    step decay starts a new trend there; a cosine or linear decay to zero, whose last
    changes grow smoothly, does not. None when there is none. ``steps`` are in order."""
    keep = np.isfinite(rates) & (rates > 0)
    s, r = steps[keep], rates[keep]
    if len(r) < 3:
        return None
    d = np.abs(np.diff(np.log(r)))
    around = np.maximum(np.r_[0.0, d[:-1]], np.r_[d[1:], np.inf])    # the last has no after
    cut = (d >= np.log(th.lr_step)) & (around * th.lr_step <= d)
    lo, hi = span
    late = [float(s[i + 1]) for i in np.flatnonzero(cut)
            if s[i + 1] > lo + (hi - lo) * (1 - 1 / th.windows)]
    return late[-1] if late else None


def _other(split: str) -> str:
    return "test" if split == "train" else "train"
