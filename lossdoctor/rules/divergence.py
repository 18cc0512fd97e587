"""Runs that blow up: divergence (a loss climbing far above its best, still climbing) and
non-finite losses."""
from __future__ import annotations

import numpy as np

from ..records import SUREST, Direction, Finding, Severity, confidence
from ..thresholds import Thresholds
from ..trends import CurveTrend
from ..wording import Said, join, text
from . import actions
from .context import RunContext, end_direction
from .measures import (
    best_step,
    climb_se,
    end_rise,
    material,
    outran,
    point_sigma,
    rise_onset,
    settled,
    smooth_width,
    stretch_change,
    trusted_best,
)
from .registry import rule


def diverged(c: CurveTrend | None, th: Thresholds, resting: bool = True) -> bool:
    """The curve climbed ``divergence_z`` standard errors above its best, to at least
    ``blowup_factor`` times it and back above where it started (or, for a positive loss,
    to ``divergence_factor`` times its best), by ``material_share`` of what it had learned
    by its best on its own scale, and is still climbing, or rests ``divergence_factor``
    times its best (where a blow-up left it: near the untrained level, the model predicting
    the mean); or climbed (its last finite value ``blowup_factor`` times its smoothed best)
    and broke into NaN/Inf: a loss that ticks up a little before a NaN (a bad batch) has
    not diverged. A loss that jumped and then rests at a few times its best has not
    diverged, and neither has one that climbs back part of the way it fell (too high a
    rate). ``resting=False`` asks it to be still climbing (a train loss with no test loss to
    confirm it: a per-step loss whose best was a deep noise dip rests "10x" above it)."""
    if c is None or len(c.values) < th.min_points or not c.windows:
        return False
    rise, z = end_rise(c, th)
    if z < th.divergence_z:
        return False
    doubled = rise >= np.log(th.blowup_factor)     # a blow-up, not a step to a new level
    if c.non_finite_count and rise >= th.late_rise * c.span \
            and c.y[-1] - c.ys.min() >= np.log(th.blowup_factor):
        return True                       # climbed, then broke into NaN/Inf
    back_up = rise >= float(c.ys[0] - c.ys.min())
    far_up = c.log and rise >= np.log(th.divergence_factor)
    # still climbing, or resting where the blow-up left it, divergence_factor times its best
    stays_up = c.windows[-1].direction is Direction.RISING or (far_up and resting)
    # and a climb that matters on the loss's own scale: a memorised loss wandering up from
    # 1e-4 to 1e-2 is 100x its best, and nothing next to what it learned
    return bool((back_up or far_up) and doubled and stays_up and _unprecedented(c, rise, th)
                and material(c, trusted_best(c, th), len(c.ys) - 1, th.material_share))


def blowup_begun(c: CurveTrend | None, th: Thresholds) -> bool:
    """A climb that has clearly begun, before it dominates the curve: the last
    ``blowup_points`` points each stand ``blowup_noise_z`` noise sigmas (the curve's own
    point-to-point scatter, not the standard error of its smoothing) above its best; the
    smoothed end stands ``divergence_z`` standard errors above it, by a material share of the
    progress on the loss's own scale; and the last ``blowup_stretch`` points still rise. A
    curve that never measurably moved (``moved``: within its noise and ``still_span`` of
    its level) is blowing up nowhere, however smooth (a running mean's 1.4% drift reads
    "100 noise sigmas")."""
    if c is None or not c.moved or len(c.values) < th.min_points or not c.windows:
        return False
    _, z = end_rise(c, th)
    low = trusted_best(c, th)
    if z < th.divergence_z or low >= len(c.y) - th.blowup_points:
        return False
    return bool(blowup_sigmas(c, th) >= th.blowup_noise_z
                and material(c, low, len(c.ys) - 1, th.material_share)
                and _still_climbing(c, th))


def blowup_sigmas(c: CurveTrend, th: Thresholds) -> float:
    """How far the least of the curve's last ``blowup_points`` points stands above its best,
    in noise sigmas (working scale)."""
    low = trusted_best(c, th)
    least = float(np.min(c.y[-th.blowup_points:]))
    return (least - float(c.ys[low])) / max(c.noise, c.floor, 1e-300)


def _still_climbing(c: CurveTrend, th: Thresholds) -> bool:
    """The last ``blowup_stretch`` points (or the smoothing width, if wider) rise by
    ``flat_noise_z`` standard errors (Theil-Sen): the climb goes on; a loss that stepped up
    and rests at its new level is not blowing up."""
    k = max(th.blowup_stretch, smooth_width(c, th.smooth_fraction))
    if len(c.steps) < k:
        return False
    change, z = stretch_change(c, float(c.steps[-k]))
    return change > 0 and z >= th.flat_noise_z


def blowing_up(tr: CurveTrend | None, te: CurveTrend | None, th: Thresholds) -> bool:
    """Divergence named as it begins: the train loss's climb has clearly begun and no earlier
    climb came near it (a loss that swings as much oscillates), and the test loss's climb has
    begun too: the joint blow-up that tells divergence from a too-high rate; unless the test
    loss outran it (``outran``: a memorising model's test loss climbing away from a train
    loss that ticked up, which a point-to-point scatter of epoch means makes "sigmas").
    Without a test trend to confirm it, the train loss must also be back above where it
    started."""
    if tr is None or not blowup_begun(tr, th):
        return False
    rise, _ = end_rise(tr, th)
    if not _unprecedented(tr, rise, th) or outran(rise, tr, te, th):
        return False
    if te is not None and len(te.values) >= th.min_points and te.windows:
        return blowup_begun(te, th)
    return rise >= float(tr.ys[0] - tr.ys.min())


def _unprecedented(c: CurveTrend, rise: float, th: Thresholds) -> bool:
    """No climb before this one came within ``1 / blowup_factor`` of its size, or the curve
    now stands ``blowup_factor`` times above every value before the climb: a loss that
    swings up and down by as much (a cyclic or too-high rate) is oscillating, not diverging,
    but one whose earlier knocks were the first signs of the same blow-up (a rate that keeps
    growing) has left them all far below."""
    start = float(climb_start(c, th))
    before = c.ys[: int(np.searchsorted(c.steps, start))]
    if len(before) < EARLIER_LEAST:
        return True
    earlier = float(np.max(before - np.minimum.accumulate(before)))
    above = float(c.ys[-1] - before.max())
    return earlier < rise / th.blowup_factor or above >= np.log(th.blowup_factor)


def _test_agrees(te: CurveTrend, th: Thresholds) -> bool:
    """The test loss does not contradict a blow-up of the train loss: it diverged too, is
    rising, or its last value already stands ``blowup_factor`` times above its best."""
    if diverged(te, th) or end_direction(te) is Direction.RISING:
        return True
    return bool(te.y[-1] - te.ys.min() >= np.log(th.blowup_factor))


def _left_behind(te: CurveTrend, tr: CurveTrend, train_rise: float, th: Thresholds) -> bool:
    """The test loss rose less than ``material_share`` of the train loss's rise since their
    bests (``train_rise``, ``end_rise``'s; log scale; a train loss that never broke into
    NaN/Inf): a train loss thrown up 300x beside a test loss creeping up 10% is not one
    blow-up of the weights but a train loss that measures something else (a penalty whose
    weight is ramped up, a KL term annealed in)."""
    if len(te.values) < th.min_points or not te.windows or not (tr.log and te.log) \
            or tr.non_finite_count:
        return False
    return end_rise(te, th)[0] < th.material_share * train_rise


def rise_start(c: CurveTrend, th: Thresholds) -> float:
    """Where the rise began: first climb above the running best, else the best step."""
    onset = rise_onset(c, th.rise_tolerance)
    return best_step(c) if onset is None else onset


def climb_start(c: CurveTrend, th: Thresholds) -> float:
    """Where a sustained climb began: the last time the smoothed loss stood near its running
    best (within ``onset_share`` of its progress plus two standard errors of the smoothed
    curve) before it left for good."""
    width = smooth_width(c, th.smooth_fraction)
    tol = th.onset_share * c.span + th.near_se * climb_se(c, width)
    skip = settled(c, width)
    ys = c.ys[skip:]
    near = np.flatnonzero(ys <= np.minimum.accumulate(ys) + tol)
    if skip and len(near) and near[-1] == len(ys) - 1:
        # it ends near its settled running best: it climbed before the median settled (a
        # jump at the second epoch that then held), from its best of those first points
        return float(c.steps[int(np.argmin(c.ys[:skip + 1]))])
    return float(c.steps[skip + near[-1]]) if len(near) else float(c.steps[skip])


#: a climb is compared with the earlier ones only when this many points precede it
EARLIER_LEAST = 3
#: a loss that rose ``blowup_factor`` times and came back this many times since its climb
#: began swings (see ``swinging``)
SWINGS_LEAST = 2


def swinging(c: CurveTrend, start: float, th: Thresholds) -> bool:
    """Since its climb began (at step ``start``, ``climb_start``) the logged loss rose and
    came back ``SWINGS_LEAST`` times or more (``_swings_back``) and now stands
    ``blowup_factor`` times below the highest it logged since: a loss that swings (a total
    summed over each epoch and logged as it grows, a cyclic rate), not one that blows up."""
    at = int(np.searchsorted(c.steps, start))
    return (_swings_back(c, at, th) >= SWINGS_LEAST
            and float(c.ys[-1]) <= float(c.y[at:].max()) - float(np.log(th.blowup_factor)))


def _swings_back(c: CurveTrend, at: int, th: Thresholds) -> int:
    """How many times the logged loss, from index ``at`` (where its climb began) on, rose
    ``blowup_factor`` times and ``divergence_z`` sigmas of a point above the level it
    started the climb at and came back down to it: a blow-up climbs and does not return,
    however wildly its minibatches scatter on the way (a positive loss only; 0 otherwise)."""
    if not c.log or at >= len(c.y):
        return 0
    level = float(c.y[at])
    up = max(float(np.log(th.blowup_factor)), th.divergence_z * point_sigma(c, th))
    count, high = 0, False
    for v in c.y[at:].tolist():
        if not high and v >= level + up:
            high = True
        elif high and v <= level:
            count, high = count + 1, False
    return count


@rule("LD301", "divergence", Severity.ERROR, 10, "train rising, test rising (often to NaN)")
def divergence(ctx: RunContext, th: Thresholds) -> Finding | None:
    """Divergence: train and test loss both climb away from their best, often to NaN.

    Badly set hyper-parameters, a bad architecture or a bug. Lower the learning rate, clip
    gradients, and check the code (loss, data normalisation, schedule). Statistic: the train
    loss ends ``divergence_z`` standard errors above its best, ``blowup_factor`` times it and
    back above its start (or ``divergence_factor`` times it), still rising or resting at
    ``divergence_factor`` times its best; or, as soon as a blow-up has clearly begun, its
    last ``blowup_points`` points (and the test loss's) each stand ``blowup_noise_z`` noise
    sigmas above their best, in a material climb still rising over the last
    ``blowup_stretch`` points, larger than any before it or far above all of it; unless the
    train loss swings, rising and coming back down from its peaks since the climb began
    (``swinging``), never broke into NaN/Inf, and the test loss did not diverge itself; and
    not when the test loss rose less than ``material_share`` as far as the train loss (log
    scale: a train loss thrown up alone measures something else, a penalty ramped up).
    """
    tr, te = ctx.train, ctx.test
    full = diverged(tr, th, resting=te is not None and len(te.values) >= th.min_points)
    if tr is None or not (full or blowing_up(tr, te, th)):
        return None
    start = climb_start(tr, th)
    if swinging(tr, start, th) and not tr.non_finite_count and not (te is not None
                                                                     and diverged(te, th)):
        return None           # a train loss that keeps coming back down, alone, swings
    if te is not None and len(te.values) >= th.min_points and not _test_agrees(te, th):
        return None
    rise, z = end_rise(tr, th)
    if te is not None and _left_behind(te, tr, rise, th):
        return None
    ev = {"train_best_step": best_step(tr), "rise_start_step": start,
          "train_best_value": float(tr.smooth.min()),
          "train_last": float(tr.values[-1]), "train_first": float(tr.values[0])}
    test_said: Said = ""
    if te is not None and len(te.values):
        ev.update(test_best_step=best_step(te), test_last=float(te.values[-1]))
        test_said = text(", test loss from {best:num} to {last:num}",
                         best=float(te.smooth.min()), last=float(te.values[-1]))
    under_way: Said = ""
    if not full:                          # named as it begins: say how it was established
        sigmas = blowup_sigmas(tr, th)
        ev["train_blowup_sigmas"] = sigmas
        under_way = text("; a blow-up under way: the last {points} train points all stand"
                         " above its best, the lowest of them by {sigmas:sigmas}",
                         points=th.blowup_points, sigmas=sigmas)
    broke: Said = ""
    bad = [c.summary.non_finite_step for c in ctx.curves() if c.summary.non_finite_step is not None]
    if bad:
        ev["first_non_finite_step"] = min(bad)
        broke = text(", then non-finite from step {step:step}", step=min(bad))
    msg = text("Divergence: train loss rose from {best:num} at step {best_step:step} to"
               " {last:num} at step {last_step:step} (the climb took off at step {start:step})"
               "{test}{under_way}{broke}.", best=float(tr.smooth.min()), best_step=best_step(tr),
               last=float(tr.values[-1]), last_step=tr.steps[-1], start=start, test=test_said,
               under_way=under_way, broke=broke)
    acts: tuple[Said, ...] = (actions.lower_lr(ctx, start), *actions.steady(ctx))
    return Finding(msg, start, float(tr.steps[-1]), ev, acts,
                   confidence=confidence(z, th.divergence_z))


@rule("LD303", "non_finite", Severity.ERROR, 20, "NaN or Inf appears in a loss")
def non_finite(ctx: RunContext, th: Thresholds) -> Finding | None:
    """Non-finite loss: NaN or Inf values appear in the log.

    The run produced losses that are not numbers; everything after is meaningless. Stop,
    find the step where they start: log(0), division by zero, infinite inputs, or a blow-up.
    A run that logged finite values again after them (enough for a trend, in every curve
    that had them) is told so, and to check that no NaN reached the weights.
    """
    every = [*ctx.curves(), *ctx.broken]
    bad = [(c.summary.non_finite_step, c) for c in every
           if c.summary.non_finite_step is not None]
    if not bad:
        return None
    step, curve = min(bad, key=lambda b: b[0])
    counts = {f"{c.split}_non_finite": c.non_finite_count for c in every}
    last_good = curve.steps[curve.steps < step]
    ev = {"first_non_finite_step": step, **counts,
          "last_finite_step": float(last_good[-1]) if len(last_good) else None}
    counts_said = join(", ", (text("{count} {split}", count=c.non_finite_count, split=c.split)
                              for _, c in bad))
    values = "value" if sum(c.non_finite_count for _, c in bad) == 1 else "values"
    before = float(curve.values[len(last_good) - 1]) if len(last_good) else None
    # a run that went on logging finite values (enough for a trend) after its last NaN in
    # every curve got over it: what to look for differs from a run that NaN ended
    lasts = [(c, b if c.summary.last_non_finite_step is None
              else c.summary.last_non_finite_step) for b, c in bad]
    until = max(last for _, last in lasts)
    recovered = all(int((c.steps > last).sum()) >= th.min_points for c, last in lasts)
    if recovered:
        ev["last_non_finite_step"] = until
        where = (text("at step {step:step}", step=step) if until == step else
                 text("at steps {step:step} to {until:step}", step=step, until=until))
        msg = text("Non-finite loss: {split} loss was NaN/Inf {where} ({counts} {values}"
                   "{before}) and is finite again since.", split=curve.split, where=where,
                   counts=counts_said, values=values, before="" if before is None else
                   text("; {value:num} just before", value=before))
        find = text("find what happens at step {step:step}: log(0), 0/0 (an empty mask or"
                    " batch), infinite inputs; the run went on with finite losses, so check"
                    " that no NaN reached the weights (torch.autograd.set_detect_anomaly(True)"
                    " helps)", step=step)
    else:
        msg = text("Non-finite loss: {split} loss is NaN/Inf from step {step:step} ({counts}"
                   " {values}){last}.", split=curve.split, step=step, counts=counts_said,
                   values=values, last="" if before is None else
                   text("; last finite value {value:num}", value=before))
        find = text("stop the run and find what happens at step {step:step}: log(0), 0/0 (an"
                    " empty mask or batch), infinite inputs; torch.autograd.set_detect_anomaly"
                    "(True) helps", step=step)
    acts = (find, actions.steady(ctx)[0], actions.lower_lr(ctx, step))
    return Finding(msg, step, None, ev, acts, confidence=SUREST)   # a NaN is no estimate
