"""The train/test trend table of the source notes: learning, overfitting, plateau, data problem.

Every decision compares a change with the curve's own scatter (in standard errors) and with
its own progress (as a share); a positive loss is read on a log scale, so a rescaled loss
gives the same verdict.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..evidence_keys import TEST_BEST_STEP, TEST_BEST_VALUE
from ..records import Direction, Finding, Severity, confidence
from ..thresholds import Thresholds
from ..trends import LOCAL_NOISE_POINTS, CurveTrend
from ..wording import Said, Text, join, text
from . import actions
from .context import RunContext, end_direction
from .measures import (
    best_logged,
    climb_se,
    coarse_print,
    end_rise,
    falls_throughout,
    lowest,
    material,
    run_change,
    settled,
    smooth_se,
    smooth_width,
    stretch_change,
)
from .registry import rule

FALLING, FLAT, RISING = Direction.FALLING, Direction.FLAT, Direction.RISING


def tail(c: CurveTrend) -> dict[str, Any]:
    """Evidence of a curve's last window: where, slope, change, and its last value."""
    w = c.windows[-1]
    p = c.split
    return {f"{p}_window": [w.start_step, w.end_step], f"{p}_slope": w.slope,
            f"{p}_change": w.change, f"{p}_direction": w.direction.value,
            f"{p}_z": w.z, f"{p}_last": float(c.values[-1])}


def describe(c: CurveTrend) -> Text:
    w = c.windows[-1]
    verb = {FALLING: "still falling", FLAT: "flat", RISING: "rising"}[w.direction]
    return text("{split} loss is {verb} over steps {start:step}-{end:step} (now {now:num},"
                " change {change:num}, {z:se})", split=c.split, verb=verb, start=w.start_step,
                end=w.end_step, now=float(c.smooth[-1]), change=w.change, z=w.z)


@rule("LD100", "learning", Severity.INFO, 90, "train falling, test falling")
def learning(ctx: RunContext, th: Thresholds) -> Finding | None:
    """The network is learning: train and test loss both keep falling.

    Healthy. Keep training; the test loss has not bottomed out yet, so more steps should
    still help. Statistic: the last window's Theil-Sen change is beyond ``flat_noise_z``
    standard errors and ``flat_share`` of the curve's progress.
    """
    tr, te = end_direction(ctx.train), end_direction(ctx.test)
    if tr is None and te is None:
        return _fell_at_every_point(ctx, th)
    # a flat train window still edging down (too noisy to be significant alone), or printed
    # too coarsely to show a fall, beside a test loss that falls significantly: the test
    # loss, the cleaner curve, carries the evidence
    printed = (coarse_print(ctx.train, th) if tr is FLAT and te is FALLING
               and ctx.train is not None else 0.0)
    train_done = tr is FLAT and (_converged(ctx.train, ctx.test, th) or (
        te is FALLING and ctx.train is not None and (ctx.train.windows[-1].z < 0
                                                     or printed > 0)))
    # and the other way round: a test window that falls by a relevant share of its progress
    # and a standard error or more, on too few evaluations to be judged alone (fewer than
    # LOCAL_NOISE_POINTS) and so not significant, beside a significantly falling train loss
    test_edging = (te is FLAT and tr is FALLING and ctx.test is not None and ctx.test.moved
                   and ctx.test.windows[-1].points < LOCAL_NOISE_POINTS
                   and ctx.test.windows[-1].share <= -th.flat_share
                   and ctx.test.windows[-1].z <= -th.edging_z)
    if (tr in (FALLING, None) or train_done) and (te in (FALLING, None) or test_edging):
        curves = [c for c in ctx.curves() if c.windows]
        ev: dict[str, Any] = {}
        for c in curves:
            ev.update(tail(c))
        falling = [c for c in curves if c.windows[-1].direction is FALLING] or curves
        z = min(abs(c.windows[-1].z) for c in falling)
        said = join(" and ", (describe(c) for c in curves))
        if train_done and printed:
            ev["train_printed_step"] = printed
            said = text("{said}; the train loss is printed in steps of {step:num}, too coarse"
                        " to show its fall", said=said, step=printed)
        return Finding(text("Learning: {said}.", said=said), None, None, ev,
                       ("keep training: the loss is still falling",),
                       confidence=confidence(z, th.flat_noise_z))
    return None


def _fell_at_every_point(ctx: RunContext, th: Thresholds) -> Finding | None:
    """Learning on too few points for a trend: every curve fell at each of them (see
    ``measures.falls_throughout``)."""
    if ctx.curves() or ctx.broken or not falls_throughout(ctx.short, th):
        return None
    said = join(" and ", (text("{split} loss fell at each of its {n} points ({first:num} ->"
                               " {last:num})", split=split, n=len(v), first=float(v[0]),
                               last=float(v[-1])) for split, v in ctx.short.items()))
    n = max(len(v) for v in ctx.short.values())
    p = 1.0 / math.factorial(n)
    ev: dict[str, Any] = {f"{split}_points": len(v) for split, v in ctx.short.items()}
    ev["monotone_p"] = p
    return Finding(text("Learning, on few points: {said}; with no trend that order has a"
                        " chance of 1 in {odds} (too few points to judge anything else).",
                        said=said, odds=math.factorial(n)), None, None, ev,
                   ("keep training, and log more often to see where it levels off",),
                   confidence=confidence(th.monotone_p, p))


def _converged(tr: CurveTrend | None, te: CurveTrend | None, th: Thresholds) -> bool:
    """The train loss fell far further than the test loss (it learned its training set)
    and now rests: the test loss can still improve without it."""
    if tr is None or te is None or not tr.moved:
        return False                  # a train loss that never moved has learned nothing
    return _total_fall(tr) >= th.data_ratio * max(_total_fall(te), 0.0)


def _total_fall(c: CurveTrend) -> float:
    """How far the smoothed curve fell from its start to its end (working scale)."""
    return float(c.ys[0] - c.ys[-1])


@rule("LD201", "overfitting", Severity.WARNING, 40,
      "train falling (or flat and low), test flat or rising above its best, gap widening")
def overfitting(ctx: RunContext, th: Thresholds) -> Finding | None:
    """Overfitting: the train loss keeps falling while the test loss levels off or rises.

    The network memorises the training set. Stop at the best test step, and regularize:
    weight decay around 5e-4, dropout 0.5, augmentation or more data. Statistic: since the
    smoothed test minimum, the test loss rose ``overfit_z`` standard errors (and the train
    loss rose less than half as much), or the train loss fell ``overfit_z`` standard errors
    and ``overfit_train_share`` of its progress while the test loss stayed flat; and the
    test loss now stands above the train loss (or, when the train loss stays above it, it
    rose and the train loss fell, both so), evaluated ``overfit_points`` times since its
    best.
    """
    tr, te = ctx.train, ctx.test
    if te is None or len(te.values) < th.min_points or not te.windows:
        return None
    if tr is not None and _rising(tr, th):
        return None
    if end_direction(te) is FALLING and not _above_best(te, th):
        return None
    width = smooth_width(te, th.smooth_fraction)
    best_i = lowest(te, width, th.early_low_z)
    low = float(te.ys[best_i])
    if best_i >= len(te.ys) - th.overfit_points:
        return None                       # not evaluated often enough since its best
    best = float(te.steps[best_i])
    rise, rise_z = end_rise(te, th)
    train_fall = train_z = 0.0
    # where the test loss levelled off: its first point within flat_share of its progress
    # (or the smoothing's noise) above its minimum; the train loss is measured from there
    near = low + max(th.flat_share * te.span, th.near_se * smooth_se(te, width))
    start_i = min(best_i, settled(te, width))
    level_i = start_i + int(np.argmax(te.ys[start_i:] <= near))
    levelled = float(te.steps[level_i])
    if tr is not None:
        change, z = stretch_change(tr, levelled)
        train_fall, train_z = -change, -z
    # a change of level alone must stand twice as far out when no window since the best
    # (the train loss: its last window) shows it as a trend of its own: a noise dip of a
    # flat test loss is no best, nor is a drift of a flat train loss learning
    trend_up = any(w.direction is RISING for w in te.windows if w.end_step > best)
    rose = (rise_z >= th.overfit_z * (1 if trend_up else th.level_factor)
            and rise >= th.overfit_rise_share * te.span)
    kept_learning = (tr is not None
                     and train_z >= th.overfit_z * (1 if end_direction(tr) is FALLING
                                                    else th.level_factor)
                     and train_fall >= th.overfit_train_share * tr.span)
    if not (rose or kept_learning):
        return None
    gap_then = gap_now = None
    apart = True
    if tr is not None:
        gap_then = float(te.smooth[best_i]) - float(np.interp(best, tr.steps, tr.smooth))
        gap_now = float(te.smooth[-1] - tr.smooth[-1])
        # the test loss pulls away from the train loss: it ends above it, or (dropout,
        # augmentation or corrupted train labels keep the train loss above it) it rose as
        # a trend while the train loss kept learning
        apart = _apart(te, tr, th)
        if gap_now <= gap_then or not (apart or (rose and kept_learning)):
            return None
        # a rise the train loss shares (half of it or more, log scale) is the weights getting
        # worse on both sets, as a rate too high makes them, not memorisation
        if rose and not kept_learning and tr.log and te.log and \
                float(tr.ys[-1] - np.interp(best, tr.steps, tr.ys)) >= rise / 2:
            return None
    step, value = best_logged(te)
    ev: dict[str, Any] = {**tail(te), TEST_BEST_STEP: best,
                          TEST_BEST_VALUE: float(te.smooth[best_i]),
                          "test_best_logged_step": step, "test_best_logged_value": value,
                          "test_rise_z": rise_z, "train_fall_z": train_z}
    if tr is not None:
        ev.update(tail(tr))
        ev.update(gap_at_best=gap_then, gap_now=gap_now)
    z = max(rise_z if rose else 0.0, train_z if kept_learning else 0.0)
    since = (text("risen to {now:num} ({z:se})", now=float(te.smooth[-1]), z=rise_z) if rose
             else text("stayed at {now:num}", now=float(te.smooth[-1])))
    meanwhile = "" if tr is None else text(
        " while train loss went from {then:num} to {now:num} (gap {gap_then:num} ->"
        " {gap_now:num})", then=float(np.interp(best, tr.steps, tr.smooth)),
        now=float(tr.smooth[-1]), gap_then=gap_then, gap_now=gap_now)
    msg = text("Overfitting: test loss was lowest around step {best:step} ({low:num}) and has"
               " since {since}{meanwhile}.", best=best, low=float(te.smooth[best_i]),
               since=since, meanwhile=meanwhile)
    acts = (text("keep the checkpoint of step {step:step}, the lowest logged test loss"
                 " ({value:num}), or use early stopping on the test loss",
                 step=step, value=value), actions.REGULARIZE)
    end = float(tr.steps[-1]) if tr is not None else float(te.steps[-1])
    # below a train loss it cannot fit, the test loss rising is the corrupted train set's
    # doing as much as memorisation: the data problem, when found, is the verdict
    yields = () if tr is None or apart else ("data_problem",)
    return Finding(msg, levelled, end, ev, acts, yields_to=yields,
                   confidence=confidence(z, th.overfit_z))


def _above_best(te: CurveTrend, th: Thresholds) -> bool:
    """A test loss whose last window falls still stands above its best when it rose
    ``overfit_z`` standard errors and ``overfit_rise_share`` of its progress since, and the
    fall took back less than half of that rise: a drift down within a risen level, not a
    return to a new best."""
    rise, z = end_rise(te, th)
    fall = -te.windows[-1].share * te.span
    return bool(z >= th.overfit_z and rise >= th.overfit_rise_share * te.span
                and fall < rise / 2)


def _rising(c: CurveTrend, th: Thresholds) -> bool:
    """The curve ends rising, by an amount that matters on the loss's own scale (a loss
    near zero wandering up by factors on a log scale does not)."""
    low = lowest(c, smooth_width(c, th.smooth_fraction), th.early_low_z)
    return end_direction(c) is RISING and material(c, low, len(c.ys) - 1, th.material_share)


def _apart(te: CurveTrend, tr: CurveTrend, th: Thresholds) -> bool:
    """The test loss ends above the train loss by ``overfit_z`` standard errors of the
    two smoothed ends (on the log scale when both are positive)."""
    n = min(th.min_points, len(te.y), len(tr.y))
    if te.log and tr.log:
        gap = float(np.median(te.y[-n:]) - np.median(tr.y[-n:]))
        return gap >= th.overfit_z * float(np.hypot(smooth_se(te, n), smooth_se(tr, n)))
    return float(te.smooth[-1] - tr.smooth[-1]) > 0


@rule("LD202", "plateau", Severity.WARNING, 60, "train flat, test flat")
def plateau(ctx: RunContext, th: Thresholds) -> Finding | None:
    """Plateau: train and test loss have both levelled off.

    Learning has hit a bottleneck. Lower the learning rate (e.g. 10x) or the batch size, or
    stop if the loss is good enough: more steps at this setting will not help. Statistic:
    neither curve's last window moves beyond ``flat_noise_z`` standard errors and
    ``flat_share`` of its progress (a train loss still easing down above a flat test loss
    counts as flat for the test: the test loss no longer benefits).
    """
    tr, te = end_direction(ctx.train), end_direction(ctx.test)
    if tr is None and te is None:
        return None
    eases_above = (tr is FALLING and te is FLAT and ctx.train is not None
                   and ctx.test is not None and ctx.test.smooth[-1] <= ctx.train.smooth[-1])
    if not eases_above and (tr not in (FLAT, None) or te not in (FLAT, None)):
        return None
    flat = [c for c in ctx.curves() if c.windows]
    since = min(_flat_since(c) for c in flat if c.windows[-1].direction is FLAT)
    ev: dict[str, Any] = {"flat_since_step": since}
    for c in flat:
        ev.update(tail(c))
    said = join(" and ", (describe(c) for c in flat))
    chance = [(c, k) for c in flat if (k := chance_classes(c, th)) is not None]
    at_chance: Said = ""
    acts: tuple[Said, ...] = (text("{lower}, or halve the batch size",
                                   lower=actions.lower_lr(ctx)),
                              actions.SCHEDULE, "or stop here if this loss is good enough:"
                              " more steps at this setting will not help")
    if chance:
        c, k = chance[0]
        ev.update(chance_classes=k, chance_loss=float(np.log(k)))
        at_chance = text(" The {split} loss {level:num} ~ ln {k}: the model predicts uniformly"
                         " over {k} classes and has not moved from its start.",
                         split=c.split, level=float(np.median(c.values)), k=k)
        acts = actions.STUCK_AT_CHANCE
    msg = text("Plateau since about step {since:step}: {said}.{at_chance}",
               since=since, said=said, at_chance=at_chance)
    # how far inside "flat" each last window is: its z under flat_noise_z, or its share under
    # flat_share, whichever is the wider margin; the least flat curve decides
    margin = min((max(th.flat_noise_z / max(abs(w.z), 1e-9),
                      th.flat_share / max(abs(w.share), 1e-9))
                  for w in (c.windows[-1] for c in flat) if w.direction is FLAT), default=1.0)
    conf = confidence(margin, 1.0)
    return Finding(msg, since, None, ev, acts, confidence=conf)


def chance_classes(c: CurveTrend, th: Thresholds) -> int | None:
    """K when a curve rests at ln K (a classifier guessing uniformly) and never left it:
    every smoothed value within ``chance_band`` of ln K, and nearer ln K than a quarter of
    the way to ln(K +- 1)."""
    if not c.log or len(c.values) < th.min_points:
        return None
    level = float(np.median(c.values))
    if level >= np.log(th.chance_max_classes + 1):
        return None
    k = int(round(np.exp(level)))
    if not 2 <= k <= th.chance_max_classes:
        return None
    band = min(th.chance_separation * np.log((k + 1) / k), th.chance_band * np.log(k))
    return k if float(np.max(np.abs(c.smooth - np.log(k)))) <= band else None


def _fell_further(te: CurveTrend, tr: CurveTrend, th: Thresholds) -> bool:
    """The test loss fell further than the train loss over the run (smoothed start to end,
    working scale), by ``overfit_z`` standard errors of the two falls: a noisy train loss
    that fell nearly as far has learned."""
    se = float(np.hypot(climb_se(te, smooth_width(te, th.smooth_fraction)),
                        climb_se(tr, smooth_width(tr, th.smooth_fraction))))
    return _total_fall(te) - _total_fall(tr) >= th.overfit_z * se


def _whole_run_falls(tr: CurveTrend, te: CurveTrend, th: Thresholds
                     ) -> tuple[float, float] | None:
    """(train fall, test fall) over the whole run (working scale) when the test loss fell
    significantly (``overfit_z`` standard errors) and has not risen since its best (by
    ``overfit_z`` standard errors and ``overfit_rise_share`` of its progress)."""
    if not te.moved:
        return None
    te_change, te_z = stretch_change(te, float(te.steps[0]))
    # the train loss's fall is the larger of its fitted trend and its start-to-end change
    # (a fitted slope reads an early fall that then levelled off as small)
    tr_change = (min(stretch_change(tr, float(tr.steps[0]))[0], run_change(tr, th))
                 if tr.moved else 0.0)
    rise, rise_z = end_rise(te, th)
    rose = rise_z >= th.overfit_z and rise >= th.overfit_rise_share * te.span
    if te_z > -th.overfit_z or rose:
        return None
    return max(-tr_change, 0.0), -te_change


def _fell_far_more(tr: CurveTrend, te: CurveTrend, th: Thresholds) -> tuple[float, float] | None:
    """The whole-run falls when the test loss fell ``data_ratio`` times further than the
    train loss (see ``_whole_run_falls``) and the train loss is not falling now: the whole
    run's evidence, which the last window alone may be too short to carry."""
    if end_direction(tr) is FALLING:
        return None
    falls = _whole_run_falls(tr, te, th)
    return falls if falls is not None and falls[1] >= th.data_ratio * falls[0] else None


def _fell_more_ends_below(tr: CurveTrend, te: CurveTrend, th: Thresholds
                          ) -> tuple[float, float, float] | None:
    """(train fall, test fall, gap) when the test loss fell ``data_ratio_below`` times
    further than the train loss over the run (see ``_whole_run_falls``) and the median of
    its last window stands ``data_gap`` and ``overfit_z`` standard errors (the ``gap``,
    working scale) below the train loss's: the model fits a test set it never trained on
    better than its own train set, and learns that train set more slowly (corrupted train
    labels or targets). A train loss above the test loss from dropout or augmentation
    falls about as far as the test loss."""
    falls = _whole_run_falls(tr, te, th)
    if falls is None or falls[1] < th.data_ratio_below * falls[0]:
        return None
    tr_last = tr.y[tr.steps >= tr.windows[-1].start_step]
    te_last = te.y[te.steps >= te.windows[-1].start_step]
    gap = float(np.median(tr_last) - np.median(te_last))
    se = float(np.hypot(smooth_se(tr, len(tr_last)), smooth_se(te, len(te_last))))
    if gap < np.log1p(th.data_gap) or gap < th.overfit_z * se:
        return None
    return falls[0], falls[1], gap


def _train_above_test(tr: CurveTrend, te: CurveTrend, th: Thresholds) -> Finding | None:
    """The train loss ends above the worst the test loss ever was, by more than a share of its
    own fall: corrupted train labels or targets (see data_problem). Positive losses only:
    the gap is a ratio of the two."""
    if not (tr.log and te.log and te.moved):
        return None
    start = tr.windows[-1].start_step
    last = tr.y[tr.steps >= start]
    level = float(np.median(last))
    worst = int(np.argmax(te.ys))
    gap = level - float(te.ys[worst])
    se = float(np.hypot(smooth_se(tr, len(last)),
                        smooth_se(te, smooth_width(te, th.smooth_fraction))))
    fell = float(tr.ys.max()) - level
    if gap < np.log1p(th.data_gap) or gap < th.overfit_z * se or th.data_ratio * gap < fell:
        return None
    # over the steps the test loss was evaluated, a train loss that fell at least as far
    # as the test loss learns its train set as well: the gap is an offset of its scale (a
    # sum over the batch logged instead of a mean), not labels it cannot fit
    if float(np.interp(te.steps[0], tr.steps, tr.ys)) - level >= float(te.ys.max() - te.ys.min()):
        return None
    now, high = float(np.exp(level)), float(te.smooth[worst])
    z = gap / se if se > 0 else float("inf")
    ev = {**tail(tr), **tail(te), "train_level": now, "test_worst_value": high,
          "test_worst_step": float(te.steps[worst]), "train_above_test": gap,
          "train_above_test_z": z}
    msg = text("Data problem: the train loss ends at {now:num} (steps {start:step}-{end:step}),"
               " {pct:.0%} above the highest the test loss ever was ({high:num} at step"
               " {step:step}; {z:se}): the model fits its own train set worse than it fitted"
               " the test set at its worst.", now=now, start=start, end=tr.steps[-1],
               pct=float(np.expm1(gap)), high=high, step=te.steps[worst], z=z)
    return Finding(msg, start, None, ev,
                   (actions.DATA_CHECKS,
                    "compare a few train and test batches by hand: inputs, targets, loss"),
                   confidence=confidence(gap, float(np.log1p(th.data_gap))))


def _flat_since(c: CurveTrend) -> float:
    start = c.windows[-1].start_step
    for w in reversed(c.windows):
        if w.direction is not FLAT:
            break
        start = w.start_step
    return start


@rule("LD203", "data_problem", Severity.WARNING, 50, "train flat, test falling")
def data_problem(ctx: RunContext, th: Thresholds) -> Finding | None:
    """Data problem: the train loss is flat while the test loss keeps falling, or it ends
    above anything the test loss ever was.

    A network that does not learn its training set cannot improve on the test set; the data
    set almost surely has a problem: labels, the split, leakage, or different preprocessing
    or loss on train and test. Statistic: over the last window the test loss falls
    ``data_ratio`` times faster than the train loss (relative rates), and over the whole
    run the test loss fell further than the train loss by ``overfit_z`` standard errors; or,
    over the whole run, the test loss fell ``overfit_z`` standard errors and ``data_ratio``
    times further than the train loss, did not rise since its best, and the train loss is
    not falling now; or, over the whole run, the test loss fell ``data_ratio_below`` times
    further than the train loss, did not rise since its best, and the median of its last
    window stands ``data_gap`` and ``overfit_z`` standard errors below the train loss's (the
    model fits a test set it never trained on better than its own train set, which it
    learns more slowly); or, whatever the test loss does now, the train loss ends (the median
    of its last window) ``data_gap`` and ``overfit_z`` standard errors above the highest
    the test loss ever was (smoothed), by at least 1 / ``data_ratio`` of how far the train
    loss itself fell from its worst, and the test loss has moved: the model fits its own
    train set worse than it fitted the test set at its worst, and it is not a train loss
    that learned as much as the test loss but carries an offset (dropout, label smoothing,
    a penalty term), nor one that fell as far as the test loss over the test's steps (a
    sum over the batch logged instead of a mean). Positive losses only: the falls are
    compared as ratios, which a loss printed down to 0 (or one that can be negative) has not.
    """
    tr, te = ctx.train, ctx.test
    if tr is None or te is None or len(te.values) < th.min_points:
        return None
    if not (tr.log and te.log):
        return None       # rates compared as ratios: a loss that reaches 0 (or below) has none
    w_tr, w_te = tr.windows[-1], te.windows[-1]
    if end_direction(tr) is RISING or w_te.direction is RISING:
        return _train_above_test(tr, te, th)
    tr_rate = -w_tr.share * tr.span
    te_rate = -w_te.share * te.span
    run: tuple[float, float] | None = None
    gap, needed = None, th.data_ratio
    if (w_te.direction is not FALLING or te_rate < th.data_ratio * max(tr_rate, 0.0)
            or not _fell_further(te, tr, th)):
        run = _fell_far_more(tr, te, th)
        below = None if run is not None else _fell_more_ends_below(tr, te, th)
        if below is not None:
            run, gap, needed = below[:2], below[2], th.data_ratio_below
        if run is None:
            return _train_above_test(tr, te, th)
        tr_rate, te_rate = run
    since = _flat_since(tr) if w_tr.direction is FLAT else w_te.start_step
    ev = {**tail(tr), **tail(te), "train_rate": -tr_rate, "test_rate": -te_rate,
          "train_flat_since_step": since}
    unit = "%" if tr.log and te.log else ""
    said = text("{te:.1%} and {tr:.1%}" if unit else "{te:num} and {tr:num}",
                te=te_rate, tr=max(0.0, tr_rate))
    over = "the last window" if run is None else "the whole run"
    ends: Text | str = ""
    if gap is not None:
        ev["test_below_train"] = gap
        ends = text(", and the test loss ends {pct:.0%} below the train loss",
                    pct=float(-np.expm1(-gap)))
    msg = text("Data problem: {train}, while {test}: over {over} the test and train loss fell"
               " {said}{ends}.", train=describe(tr), test=describe(te), over=over, said=said,
               ends=ends)
    ratio = te_rate / tr_rate if tr_rate > 0 else float("inf")
    return Finding(msg, since, None, ev,
                   (actions.DATA_CHECKS,
                    "compare a few train and test batches by hand: inputs, targets, loss"),
                   confidence=confidence(ratio, needed))
