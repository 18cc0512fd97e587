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
from ..wording import Said, join, text
from . import actions
from .context import RunContext, end_direction
from .measures import (
    best_logged,
    chance_classes,
    coarse_print,
    end_rise,
    falls_back,
    falls_throughout,
    flat_since,
    lowest,
    rise_since,
    rises_materially,
    settled,
    smooth_se,
    smooth_width,
    stretch_change,
    total_fall,
    trusted_best,
)
from .registry import rule
from .said import describe, tail

FALLING, FLAT, RISING = Direction.FALLING, Direction.FLAT, Direction.RISING


@rule("LD100", "learning", Severity.INFO, 90, "train falling, test falling")
def learning(ctx: RunContext, th: Thresholds) -> Finding | None:
    """The network is learning: train and test loss both keep falling.

    Healthy. Keep training; the test loss has not bottomed out yet, so more steps should
    still help. Statistic: the last window's Theil-Sen change is beyond ``flat_noise_z``
    standard errors and ``flat_share`` of the curve's progress; a test loss counts as still
    falling only when its lowest logged value lies in that window (one falling back towards
    a lowest logged earlier is recovering or swinging, not improving on what it reached).
    """
    tr, te = end_direction(ctx.train), end_direction(ctx.test)
    if tr is None and te is None:
        return _fell_at_every_point(ctx, th)
    if ctx.test is not None and falls_back(ctx.test):
        te = FLAT     # falling back towards a lowest logged before its last window: no new low
    # a flat train window still edging down (by edging_z standard errors or more: too noisy
    # to be significant alone, yet not a tilt within its noise, whose sign is chance), or printed
    # too coarsely to show a fall, beside a test loss that falls significantly, or one that
    # falls by carry_share of its progress: the test loss, the cleaner curve, carries the
    # evidence
    printed = (coarse_print(ctx.train, th) if tr is FLAT and te is FALLING
               and ctx.train is not None else 0.0)
    train_done = tr is FLAT and (_converged(ctx.train, ctx.test, th) or (
        te is FALLING and ctx.train is not None
        and (ctx.train.windows[-1].z <= -th.edging_z or printed > 0 or _test_carries(ctx, th))))
    # and the other way round: a sparse test window still edging down beside a significantly
    # falling train loss
    test_edging = te is FLAT and tr is FALLING and _test_edging(ctx, th)
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
                       (actions.keep_going(ctx),),
                       confidence=confidence(z, th.flat_noise_z))
    return None


def _test_edging(ctx: RunContext, th: Thresholds, new_low: bool = False) -> bool:
    """Whether a flat test window beside a falling train loss still edges down: on too few
    evaluations to be judged alone (fewer than LOCAL_NOISE_POINTS), it falls by a standard
    error or more, and by ``flat_share`` of its progress or to a new low at its last
    evaluation, below every earlier one by more than its noise (only the latter when
    ``new_low``: a test loss at its lowest yet still benefits from training)."""
    te = ctx.test
    if te is None or not te.moved or not te.windows or len(te.y) < 2:
        return False
    w = te.windows[-1]
    lowest = float(te.y[-1]) < float(te.y[:-1].min()) - max(te.noise, te.floor)
    return (w.points < LOCAL_NOISE_POINTS and w.z <= -th.edging_z
            and (lowest or (not new_low and w.share <= -th.flat_share)))


def _test_carries(ctx: RunContext, th: Thresholds) -> bool:
    """Whether the test loss's last window falls ``carry_share`` of its progress beside a
    train loss that moved before (one that never moved has learned nothing): whichever way
    the flat train window tilts within its noise, the run still improves where it counts."""
    te, tr = ctx.test, ctx.train
    return (tr is not None and tr.moved and te is not None and bool(te.windows)
            and te.windows[-1].share <= -th.carry_share)


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
    return total_fall(tr) >= th.data_ratio * max(total_fall(te), 0.0)


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
    best. A test loss whose last window still falls counts when it levelled off (to within
    ``flat_share`` of its progress, a band its noise resolves) before that window and the
    train loss fell ``data_ratio`` times as far as it since: its new lows are tiny next to
    what it did and to what the train loss still does.
    """
    tr, te = ctx.train, ctx.test
    if te is None or len(te.values) < th.min_points or not te.windows:
        return None
    if tr is not None and rises_materially(tr, th):
        return None
    falling_end = end_direction(te) is FALLING and not _above_best(te, th)
    width = smooth_width(te, th.smooth_fraction)
    best_i = lowest(te, width, th.early_low_z)
    low = float(te.ys[best_i])
    # where the test loss levelled off: its first point within flat_share of its progress
    # (or the smoothing's noise) above its minimum; the train loss is measured from there
    near = low + max(th.flat_share * te.span, th.near_se * smooth_se(te, width))
    start_i = min(best_i, settled(te, width))
    level_i = start_i + int(np.argmax(te.ys[start_i:] <= near))
    levelled = float(te.steps[level_i])
    last_ones = len(te.ys) - th.overfit_points
    if level_i >= last_ones:
        return None                       # not evaluated often enough since it levelled
    # a test loss whose last window still falls counts only when it levelled off before
    # that window, to within a share of its progress its noise resolves: its new lows are
    # then tiny next to what it did, however significant (a recovery after a rate drop)
    if falling_end and (levelled > te.windows[-1].start_step
                        or th.near_se * smooth_se(te, width) > th.flat_share * te.span):
        return None
    # a flat test loss whose smoothed minimum is a hair lower at its very end (a drift
    # within its noise) has its best where it levelled off: it cannot have risen since
    late_low = best_i >= last_ones or falling_end
    if late_low:
        best_i = level_i
    best = float(te.steps[best_i])
    rise, rise_z = (0.0, 0.0) if late_low else end_rise(te, th)
    train_fall = train_z = 0.0
    if tr is not None:
        change, z = stretch_change(tr, levelled)
        train_fall, train_z = -change, -z
    # a change of level alone must stand twice as far out when no window since the best
    # (the train loss: its last window) shows it as a trend of its own: a noise dip of a
    # flat test loss is no best, nor is a drift of a flat train loss learning
    trend_up = any(w.direction is RISING for w in te.windows if w.end_step > best)
    # and a test loss read as not moving at all (``standing_still``) rose from no best
    rose = (te.moved and rise_z >= th.overfit_z * (1 if trend_up else th.level_factor)
            and rise >= th.overfit_rise_share * te.span)
    kept_learning = (tr is not None and tr.moved
                     and train_z >= th.overfit_z * (1 if end_direction(tr) is FALLING
                                                    else th.level_factor)
                     and train_fall >= th.overfit_train_share * tr.span)
    if late_low and kept_learning and tr is not None:
        # its end is its lowest: it levelled off only if the train loss fell data_ratio
        # times as far over the same steps (a sparse noisy test loss still easing down has
        # not, nor one whose file lags the train loss's)
        same = float(np.interp(levelled, tr.steps, tr.ys) - np.interp(te.steps[-1], tr.steps,
                                                                      tr.ys))
        kept_learning = same >= th.data_ratio * (float(te.ys[level_i]) - float(te.ys[-1]))
    if not (rose or kept_learning):
        return None
    gap_then = gap_now = None
    ratios: tuple[float, float] | None = None       # test / train then and now, log scale
    apart = True
    if tr is not None:
        gap_then = float(te.smooth[best_i]) - float(np.interp(best, tr.steps, tr.smooth))
        gap_now = float(te.smooth[-1] - tr.smooth[-1])
        if te.log and tr.log:
            ratios = (float(te.ys[best_i] - np.interp(best, tr.steps, tr.ys)),
                      float(te.ys[-1] - tr.ys[-1]))
        # the test loss pulls away from the train loss: it ends above it, or (dropout,
        # augmentation or corrupted train labels keep the train loss above it) it rose as
        # a trend while the train loss kept learning
        apart = _apart(te, tr, th)
        # the gap widens as a ratio when both losses are positive (a test loss resting at
        # 0.06 beside a train loss falling 0.006 -> 0.002 pulls away 10x -> 25x, though the
        # difference shrinks), else as a difference
        widened = gap_now > gap_then or (ratios is not None and ratios[1] > ratios[0])
        if not widened or not (apart or (rose and kept_learning)):
            return None
        # a rise the train loss shares (half of it or more, on the log scale and on the
        # loss's own, the two being one loss on two sets) is the weights getting worse on
        # both sets, as a rate too high makes them, not memorisation (a memorised train
        # loss wandering up from 1e-3 to 1e-2 rose by nothing next to the test loss)
        if rose and not kept_learning and tr.log and te.log and \
                rise_since(tr, best) >= rise / 2 and \
                float(tr.smooth[-1] - np.interp(best, tr.steps, tr.smooth)) >= \
                float(te.smooth[-1] - te.smooth[best_i]) / 2:
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
    # a test loss whose lowest is at its end has its best where it levelled off
    now = float(te.smooth[-1])
    since = (text("risen to {now:num} ({z:se})", now=now, z=rise_z) if rose
             else text("moved little (now {now:num})", now=now) if late_low
             else text("stayed at {now:num}", now=now))
    # the train loss from where its fall was measured: the test loss's levelling off when
    # that fall is the evidence, else its best
    since_step = best if rose or levelled >= best else levelled
    gap: Said = ""
    if gap_then is not None and gap_now is not None:
        gap = (text("test/train {then:.3g}x -> {now:.3g}x", then=float(np.exp(ratios[0])),
                    now=float(np.exp(ratios[1])))       # the gap widened as a ratio only
               if gap_now <= gap_then and ratios is not None else
               text("gap {gap_then:num} -> {gap_now:num}", gap_then=gap_then, gap_now=gap_now))
    meanwhile = "" if tr is None else text(
        " while train loss went from {then:num} (step {since:step}) to {now:num} ({gap})",
        then=float(np.interp(since_step, tr.steps, tr.smooth)), since=since_step,
        now=float(tr.smooth[-1]), gap=gap)
    msg = text("Overfitting: test loss {where} around step {best:step} ({low:num}) and has"
               " since {since}{meanwhile}.", where="levelled off" if late_low else "was lowest",
               best=best, low=float(te.smooth[best_i]), since=since, meanwhile=meanwhile)
    acts = (actions.keep_best(ctx, step, value), actions.regularize(ctx))
    end = float(tr.steps[-1]) if tr is not None else float(te.steps[-1])
    # below a train loss it cannot fit, the test loss rising is the corrupted train set's
    # doing as much as memorisation: the data problem, when found, is the verdict
    yields = () if tr is None or apart else ("data_problem",)
    # it began where the test loss stopped improving: at its best when it rose from there,
    # where it levelled off when it stayed (its lowest is then a noise dip)
    onset = best if rose else levelled
    return Finding(msg, onset, end, ev, acts, yields_to=yields,
                   confidence=confidence(z, th.overfit_z))


def _above_best(te: CurveTrend, th: Thresholds) -> bool:
    """A test loss whose last window falls still stands above its best when it rose
    ``overfit_z`` standard errors and ``overfit_rise_share`` of its progress since, and the
    fall took back less than half of that rise: a drift down within a risen level, not a
    return to a new best."""
    rise, z = end_rise(te, th)
    # the fall since the best (a last window that holds the whole run of a short curve
    # falls mostly before it)
    best = float(te.steps[trusted_best(te, th)])
    fall = -stretch_change(te, max(te.windows[-1].start_step, best))[0]
    return bool(z >= th.overfit_z and rise >= th.overfit_rise_share * te.span
                and fall < rise / 2)


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
    counts as flat for the test: the test loss no longer benefits, unless a short test
    window ends at a new low below all its earlier evaluations).
    """
    tr, te = end_direction(ctx.train), end_direction(ctx.test)
    if tr is None and te is None:
        return None
    eases_above = (tr is FALLING and te is FLAT and ctx.train is not None
                   and ctx.test is not None and ctx.test.smooth[-1] <= ctx.train.smooth[-1]
                   and not _test_edging(ctx, th, new_low=True))
    if not eases_above and (tr not in (FLAT, None) or te not in (FLAT, None)):
        return None
    flat = [c for c in ctx.curves() if c.windows]
    since = min(flat_since(c) for c in flat if c.windows[-1].direction is FLAT)
    ev: dict[str, Any] = {"flat_since_step": since}
    for c in flat:
        ev.update(tail(c))
    said = join(" and ", (describe(c) for c in flat))
    chance = [(c, k) for c in flat if c.split not in ctx.summed
              and (k := chance_classes(c, th)) is not None]
    stuck: Said = ""
    acts: tuple[Said, ...] = (
        actions.lower_lr(ctx) if ctx.boosted else text("{lower}, or halve the batch size",
                                                       lower=actions.lower_lr(ctx)),
        *actions.schedule(ctx), "or stop here if this loss is good enough: more steps at"
        " this setting will not help")
    if chance:
        c, k = chance[0]
        ev.update(chance_classes=k, chance_loss=float(np.log(k)))
        stuck = text(" The {split} loss {level:num} ~ ln {k}: the model predicts uniformly"
                     " over {k} classes and has not moved from its start.",
                     split=c.split, level=float(np.median(c.values)), k=k)
        acts = actions.STUCK_AT_CHANCE
    elif not any(c.moved for c in flat):
        # every curve stayed within its noise or ``still_span`` of its level from its start:
        # the run never left where it began, which a lower rate will not mend
        ev["never_moved"] = True
        stuck = text(" {which} measurably from its start.", which="Neither loss moved"
                         if len(flat) > 1 else text("The {split} loss never moved",
                                                    split=flat[0].split))
        acts = actions.NEVER_MOVED
    msg = text("Plateau since about step {since:step}: {said}.{stuck}",
               since=since, said=said, stuck=stuck)
    # how far inside "flat" each last window is: its z under flat_noise_z, or its share under
    # flat_share, whichever is the wider margin; the least flat curve decides
    margin = min((max(th.flat_noise_z / max(abs(w.z), 1e-9),
                      th.flat_share / max(abs(w.share), 1e-9))
                  for w in (c.windows[-1] for c in flat) if w.direction is FLAT), default=1.0)
    conf = confidence(margin, 1.0)
    return Finding(msg, since, None, ev, acts, confidence=conf)
