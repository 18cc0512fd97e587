"""A learning rate too high: a loss that spikes, climbs back, is knocked up, rises late or
swings around its trend instead of settling."""
from __future__ import annotations

import numpy as np

from ..evidence_keys import SPIKE_COUNT, SPIKE_STEPS
from ..records import Direction, Finding, Severity, confidence
from ..thresholds import Thresholds
from ..trends import LOCAL_NOISE_POINTS, CurveTrend, noise_of
from ..wording import Said, Text, join, text
from . import actions
from .context import RunContext
from .divergence import climb_start, rise_start
from .measures import (
    TREND_Z,
    best_logged,
    best_step,
    biggest_climb,
    climb_count,
    climb_se,
    climbs_and_falls,
    end_rise,
    learned_by,
    level_scatter,
    lowest,
    material,
    noise_range,
    outran,
    point_sigma,
    run_change_z,
    settled,
    smooth_se,
    smooth_width,
    spikes,
    stretch_ends,
    trend_z,
    white_noise,
)
from .registry import rule


@rule("LD302", "lr_too_high", Severity.WARNING, 30,
      "train rising or oscillating strongly, no sustained joint blow-up")
def lr_too_high(ctx: RunContext, th: Thresholds) -> Finding | None:
    """Learning rate too high: the train loss rises or swings hard instead of settling.

    Steps overshoot the minimum. Lower the learning rate and adjust it as training goes on
    (step decay, reduce-on-plateau).
    """
    tr = ctx.train
    if tr is None or len(tr.values) < th.min_points:
        return None
    found = _instability(tr, ctx.test, th)
    if found is None:
        return None
    start, why, ev, conf = found
    acts: tuple[Said, ...] = (actions.lower_lr(ctx, start), *actions.schedule(ctx))
    # spikes, or a knock of the test loss alone, are what a noisy evaluation of an
    # overfitting model shows too, and so is a late rise the test loss outran: the verdict
    # is the overfitting when that is found; a knock of the test loss alone beside a train
    # loss that itself scatters under swing_limit is what a train set the model cannot fit
    # shows too (corrupted labels hold the train loss flat above a test loss that wanders):
    # the data problem, when that is found
    yields: tuple[str, ...] = ("overfitting",) if SPIKE_COUNT in ev or "test_knock" in ev \
        or ("test_swing_around_level" in ev and tr.moved) \
        or ("train_rise" in ev and outran(ev["train_rise"], tr, ctx.test, th)) else ()
    if "test_knock" in ev and tr.noise < th.swing_limit:
        yields += ("data_problem",)
    return Finding(text("Learning rate too high: {why}.", why=why), start, float(tr.steps[-1]),
                   ev, acts, yields_to=yields, confidence=conf)


def _instability(tr: CurveTrend, te: CurveTrend | None, th: Thresholds
                 ) -> tuple[float, Text, dict, float] | None:
    """(onset, why, evidence, confidence) of the first sign of an unstable run, if any:
    a late rise, a knock (a climb the loss later recovered from), a trend that keeps
    climbing back, spikes far out of the curve's scatter, or a test loss that swings more
    than it ever improved."""
    te = te if te is not None and te.moved else None
    # a train loss that never moved is not unstable; beside it, only a test loss that swings
    # says the steps throw the weights around (a rate too small leaves them, and the test
    # loss with them, where they are)
    checks = ((_late_rise, _knock, _climbing_back, _spikes, _swings, _no_headway,
               _worse_than_start) if tr.moved else (_swings,))
    found = [f for check in checks if (f := check(tr, te, th)) is not None]
    found = [f for f in found if not _recovered(f[2], tr, th)]
    train_steady = _steadily_learning(tr)
    test_steady = te is not None and _steadily_learning(te)
    if train_steady:
        found = [f for f in found if "test_knock" not in f[2] and "test_swing" not in f[2]
                 and f[2].get("spike_splits") != ["test"]]
    if train_steady and (te is None or test_steady) \
            and not any(_material_spike(c, th) for c in (tr, te) if c is not None):
        # both losses (or a train loss logged alone) fall in every window to their lowest
        # values in the last, and no spike matters next to what its loss had learned by
        # then: batches' noise around a falling trend near zero, not steps that overshoot
        # (the weights improve throughout)
        found = [f for f in found if SPIKE_COUNT not in f[2]]
    if te is not None and test_steady and _climbs_back(te, th) is None:
        # and the other way round: beside a test loss that falls in every window to its
        # lowest value in the last, without climbing back itself, a train loss's late rise
        # or climbs back are its batches' noise (the weights still improve), not steps that
        # overshoot
        found = [f for f in found if not {"train_rise", "train_climbs", "train_above_start"}
                 & set(f[2])]
    if not found:
        return None
    # a test loss's swings read around its level are the evidence of last resort: another
    # sign, when there is one, speaks first
    found.sort(key=lambda f: "test_swing_around_level" in f[2])
    start, why, ev, conf = found[0]
    # the trouble began at its earliest sign, or at the train loss's first climb
    return min(min(f[0] for f in found), rise_start(tr, th)), why, ev, conf


def _material_spike(c: CurveTrend, th: Thresholds) -> bool:
    """Whether one of the curve's spikes stands above its trend by ``material_share`` of
    what the loss had learned by then, on its own scale (its smoothed fall to that point):
    a loss that fell four decades, spiking x2 at 5e-4, has spiked by nothing it learned."""
    return any(float(c.values[i] - c.smooth[i]) >= th.material_share * learned_by(c, i)
               for i, _ in spikes(c, th))


def _steadily_learning(tr: CurveTrend) -> bool:
    """Whether the train loss falls in every window and logged its lowest value in the last:
    steps that overshoot throw the train loss off too, so beside such a train loss a test
    loss that swings, was knocked up or spiked (alone) is the evaluation's noise (a small
    or shifting test set), not a learning rate too high."""
    return (all(w.direction is Direction.FALLING for w in tr.windows)
            and best_logged(tr)[0] >= tr.windows[-1].start_step)


def _recovered(ev: dict, tr: CurveTrend, th: Thresholds) -> bool:
    """Whether the run has got over the spikes in ``ev``: it has been calm since the last
    for at least as long as it was spiking (from the first spike to the last; a span of
    steps, which the log's cadence does not change as a count of spikes would), and every
    window of the train loss that ends after it (the one that holds it too) falls, or is
    flat while the train loss scatters less than ``swing_limit`` since that spike (a run
    that settled, not one still swinging between its spikes). The verdict is the run's state
    at its end, not its history. (A knock is not dismissed so: it is a climb the loss
    recovered from by definition, and which knock is the biggest can hinge on the cadence of
    the log.)"""
    if "last_spike_step" not in ev:
        return False
    last = ev["last_spike_step"]
    if float(tr.steps[-1]) - last < last - ev[SPIKE_STEPS][0]:
        return False
    later = [w for w in tr.windows if w.end_step > last]
    since = tr.steps > last
    noise = tr.noise
    if int(since.sum()) >= LOCAL_NOISE_POINTS:      # the scatter of the calm stretch itself
        noise = noise_of((tr.y - tr.ys)[since], tr.floor,
                         smooth_width(tr, th.smooth_fraction))[0]
    settled_ok = (Direction.FALLING, Direction.FLAT) if noise < th.swing_limit \
        else (Direction.FALLING,)
    return bool(later and all(w.direction in settled_ok for w in later))


def _late_rise(tr: CurveTrend, te: CurveTrend | None, th: Thresholds):
    rise, z = end_rise(tr, th)
    width = smooth_width(tr, th.smooth_fraction)
    if (rise < th.late_rise * tr.span or z < th.divergence_z
            or not material(tr, lowest(tr, width, th.early_low_z), len(tr.ys) - 1,
                            th.material_share)):
        return None
    # rose several times (cycles): the trouble began at the first rise; once: where it left
    # its best for good
    floor = th.climb_noise * climb_se(tr, width)
    climbs = climb_count(tr, floor, settled(tr, width), th.min_points)
    start = rise_start(tr, th) if climbs > 1 else climb_start(tr, th)
    # measured from its best (where the climb began can lie above where it ends, when the
    # best came later): "rose from 1.26 to 1.22" would read as a fall
    began = text("it climbed back {count} times, first at step {start:step}",
                 count=climbs, start=start) if climbs > 1 \
        else text("the climb began at step {start:step}", start=start)
    return start, text("train loss rose to {now:num}, {z:se} above its best ({best:num} at step"
                       " {best_step:step}; {began})", now=float(tr.smooth[-1]), z=z,
                       best=float(tr.smooth.min()), best_step=best_step(tr), began=began), {
        "rise_start_step": start, "train_best_step": best_step(tr), "train_rise": rise,
        "train_rise_z": z, "train_progress": tr.span}, confidence(z, th.divergence_z)


def _knock(tr: CurveTrend, te: CurveTrend | None, th: Thresholds):
    """A climb of ``knock_share`` of a curve's progress, well out of its noise, that the
    curve then came back down from: a step too large threw the weights off. It must stand
    above half its height at two points or more: one point up and straight back (a short
    curve's smoothing keeps it) is a spike, which ``_spikes`` counts."""
    for c in (tr, te):
        if c is None or len(c.values) < th.min_points:
            continue
        width = smooth_width(c, th.smooth_fraction)
        i, j = biggest_climb(c, settled(c, width))
        climb = float(c.ys[j] - c.ys[i])
        se = climb_se(c, width)
        after = float(c.ys[j:].min()) if j < len(c.ys) else float(c.ys[j])
        noise = th.divergence_z * se + noise_range(c, width)
        if (climb < th.knock_share * c.span or climb < noise
                or c.ys[j] - after < th.knock_recovery * climb
                or not material(c, i, j, th.material_share)
                or _outgrown(c, i, j, th)
                or int(np.sum(c.ys[i:] > c.ys[i] + climb / 2)) <= 1):
            continue
        start = float(c.steps[i])
        return start, text("the {split} loss was knocked up from {low:num} at step {start:step}"
                           " to {high:num} at step {top:step} ({share:.0%} of its progress,"
                           " {z:se}) before it recovered", split=c.split,
                           low=float(c.smooth[i]), start=start, high=float(c.smooth[j]),
                           top=c.steps[j], share=climb / c.span, z=climb / se), {
            "knock_steps": [start, float(c.steps[j])], f"{c.split}_knock": climb,
            "knock_z": climb / se}, confidence(climb, th.knock_share * c.span)
    return None


def _outgrown(c: CurveTrend, low: int, top: int, th: Thresholds) -> bool:
    """Whether the curve got over a knock from index ``low`` to ``top``: every window that
    starts after the top falls, and the curve ends (the median of its last stretch, as long
    as the smoothing) below where the knock threw it from, by ``knock_recovery`` of the
    knock's climb and ``near_se`` standard errors. A bad batch the run has since learned
    well past is history, not the run's state; a rate too high leaves the loss short of
    its old low, or about back at it."""
    later = [w for w in c.windows if w.start_step > c.steps[top]]
    if not later or any(w.direction is not Direction.FALLING for w in later):
        return False
    width = smooth_width(c, th.smooth_fraction)
    below = float(c.ys[low]) - float(np.median(c.y[-width:]))
    climb = float(c.ys[top] - c.ys[low])
    return below >= max(th.knock_recovery * climb, th.near_se * smooth_se(c, width))


def _climbs_back(c: CurveTrend, th: Thresholds) -> tuple[float, float] | None:
    """(climbed, fell), the smoothed curve's climbs and falls beyond ``climb_noise``
    standard errors summed, when the climbs add up to ``climb_share`` of the falls and
    ``late_rise`` of its progress (a trend that keeps climbing back); else None."""
    width = smooth_width(c, th.smooth_fraction)
    climbed, fell = climbs_and_falls(c, th.climb_noise * climb_se(c, width), settled(c, width),
                                     th.min_points)
    if climbed <= 0 or climbed < th.climb_share * fell or climbed < th.late_rise * c.span:
        return None
    return climbed, fell


def _climbing_back(tr: CurveTrend, te: CurveTrend | None, th: Thresholds):
    found = _climbs_back(tr, th)
    if found is None:
        return None
    climbed, fell = found
    skip = settled(tr, smooth_width(tr, th.smooth_fraction))
    i, j = biggest_climb(tr, skip)
    if not material(tr, i, j, th.material_share):
        return None
    return rise_start(tr, th), text(
        "its trend keeps climbing back: the smoothed train loss climbed {climbed:num} in all"
        " (it fell {fell:num}; {units}), the most from {low:num} at step {start:step} to"
        " {high:num} at step {top:step}", climbed=climbed, fell=fell,
        units="log units" if tr.log else "units", low=float(tr.smooth[i]), start=tr.steps[i],
        high=float(tr.smooth[j]), top=tr.steps[j]), {
        "train_climbs": climbed, "train_falls": fell,
        "biggest_climb_steps": [float(tr.steps[i]), float(tr.steps[j])]}, \
        confidence(climbed, th.climb_share * fell)


def _spikes(tr: CurveTrend, te: CurveTrend | None, th: Thresholds):
    """Spikes far out of a curve's scatter, ``spike_count`` times or more. Points out in a
    row are one spike (a burst over two logged points is one event, whose count would
    otherwise hang on how densely the log was written)."""
    found, events = [], 0
    train_steps: list[float] = []
    for c in (tr, te):
        if c is None:
            continue
        at = spikes(c, th)
        firsts = [i for k, (i, _) in enumerate(at) if k == 0 or i > at[k - 1][0] + 1]
        if c is tr:
            train_steps = [float(c.steps[i]) for i, _ in at]
            events += len(firsts)
        else:       # a test spike over a train spike since the evaluation before is that one
            events += sum(1 for i in firsts if not any(
                (c.steps[i - 1] if i else -np.inf) < s <= c.steps[i] for s in train_steps))
        found += [(float(c.steps[i]), float(c.values[i] / c.smooth[i]) if c.smooth[i]
                   else np.inf, c.split, float(zz)) for i, zz in at]
    if events < th.spike_count:
        return None
    found.sort(key=lambda f: (f[0], f[2] != "train"))     # by step, the train loss first
    start = found[0][0]                   # _instability moves it to an earlier first climb
    at_step: dict[float, list[Text]] = {}
    for s, r, sp, _ in found[:6]:
        at_step.setdefault(s, []).append(text("{split} x{ratio:.1f}", split=sp, ratio=r))
    where = join(", ", (text("{step:step} ({seen})", step=s, seen=join(", ", seen))
                        for s, seen in at_step.items()))
    return start, text("the loss spiked {count} times far out of its own scatter ({z:g} standard"
                       " deviations or more), at steps {where}", count=events,
                       z=th.spike_z, where=where), {
        SPIKE_STEPS: [s for s, *_ in found[:20]], SPIKE_COUNT: events,
        "last_spike_step": found[-1][0],
        "spike_splits": sorted({sp for _, _, sp, _ in found})}, \
        confidence(events, th.spike_count)


def _swings(tr: CurveTrend, te: CurveTrend | None, th: Thresholds):
    """The test loss (evaluated on the whole test set, so free of minibatch noise) swings
    around its trend by ``swing_limit`` or more (relative) and by more than its last
    window's Theil-Sen fall, when that window falls: the weights themselves jump around (a
    fall 30x in the first epochs does not make the swings of the rest of the run a plateau,
    nor does a swing down within the last window count as progress, whose Theil-Sen slope
    on a few evaluations a peak at its start tilts down). Beside a train loss that swings
    ``swing_limit`` or more itself, the test loss's scatter is read on the scale of white
    noise (residual scatter / ``median_bias``): both curves swinging around a level is the
    weights jumping around, and a short running median follows a few evaluations' swings.
    Else a test loss with no trend (Mann-Kendall) is read around its level
    (``level_scatter``: evaluations swinging 4x in pairs and runs leave a running median's
    residuals small), beside a train loss that never moved (the weights jump around
    without learning; a rate too small leaves them where they are) or when its latest
    evaluation is not its lowest (one whose latest is its lowest still improves); and then
    only a new low below all its earlier ones is progress, not a fall within its range."""
    c = te if te is not None and len(te.values) >= th.min_points else None
    if c is None or not c.log:
        return None
    # the last window's Theil-Sen fall, when it is one (a swing down within a window read
    # as flat is the swinging, not progress)
    last = c.windows[-1]
    improved = -last.share * c.span if last.direction is Direction.FALLING else 0.0
    swing = c.noise
    if swing < th.swing_limit and tr.log and tr.noise >= th.swing_limit:
        swing = point_sigma(c, th)
    around = swing < th.swing_limit or swing < improved     # read around its level
    if not around:
        why = text("the test loss swings +-{swing:.0%} around its trend, more than its last"
                   " window's trend fell ({improved:.0%})", swing=np.expm1(swing),
                   improved=np.expm1(max(improved, 0.0)))
    else:
        # a test loss with no trend swings around its level (beside a train loss that never
        # moved, or when its latest evaluation is not its lowest: one whose latest is its
        # lowest still improves, however it swung on the way), and it made progress only
        # by a new low below all its earlier ones
        swing = (level_scatter(c) if not tr.moved or best_logged(c)[0] < float(c.steps[-1])
                 else 0.0)
        before = c.y[c.steps < last.start_step]
        if len(before):
            improved = min(improved, max(float(before.min() - c.y[c.steps >= last.start_step]
                                               .min()), 0.0))
        if swing < th.swing_limit or swing < improved:
            return None
        beside = (text("beside a train loss that did not move") if not tr.moved else
                  text("its latest evaluation {now:num}, {up:.0%} above its lowest",
                       now=float(c.values[-1]), up=float(np.expm1(c.y[-1] - c.y.min()))))
        why = text("the test loss swings +-{swing:.0%} around its level with no trend"
                   " ({beside}), and its last window's low stands {improved:.0%} below its"
                   " earlier lows", swing=np.expm1(swing), beside=beside,
                   improved=-np.expm1(-max(improved, 0.0)))
    # swings around a level beside a train loss that learned began where it first climbed,
    # as every rate too high is placed (the test loss's own swings start wherever its first
    # fall ended); beside one that never moved, at the start
    start = rise_start(tr, th) if around and tr.moved else float(c.steps[0])
    ev = {"test_swing": swing, "test_improvement": improved}
    if around:
        ev["test_swing_around_level"] = swing
    return start, why, ev, confidence(swing, th.swing_limit)


def _no_headway(tr: CurveTrend, te: CurveTrend | None, th: Thresholds):
    """The train loss scatters ``swing_limit`` or more around its trend and made no headway:
    the median of its last stretch is no lower than that of its first by its own scatter
    nor by ``flat_noise_z`` standard errors (``run_change``). The steps overshoot and the
    weights bounce around a level; a healthy loss, however wide its minibatch noise, falls
    (a memorised train loss wandering over decades near zero fell far first). A test loss
    that falls in every window to its lowest value in its last one says the weights still
    improve: the swings are the batches' noise, not steps that overshoot. Nor do points
    that are white noise around a level (``white_noise``: no trend, no autocorrelation over
    lags 1-10): minibatch noise at a floor (one late epoch of per-step losses) is white
    however wide, where weights that overshoot carry over from step to step or swing with
    a period. Nor do points that fall in their order (a Mann-Kendall trend at 1%), however
    little their last stretch's median shows it beside their scatter."""
    # a loss >= 0 with a few exact zeros is on the asinh scale, about relative at its level;
    # one mostly at zero (memorised), or one that can be negative, is not judged so
    relative = tr.log or (float(tr.values.min()) >= 0 and float(np.median(tr.values)) > 0)
    if not relative or tr.noise < th.swing_limit or (te is not None and _steadily_learning(te)):
        return None
    mk = trend_z(tr.y)
    if mk is not None and mk <= -TREND_Z:
        return None       # its points fall in order (Mann-Kendall at 1%): that is headway
    if white_noise(tr.y, mk):
        return None
    change, z = run_change_z(tr, th)
    if z <= -th.flat_noise_z or change <= -tr.noise:
        return None
    # nor below its first logged value (the untrained loss) by flat_noise_z sigmas of a
    # point: a loss that fell within its first stretch and then sat at a noisy floor did
    sigma = point_sigma(tr, th)
    if float(tr.y[0]) - stretch_ends(tr, th)[1] >= th.flat_noise_z * sigma:
        return None
    return float(tr.steps[0]), text(
        "the train loss swings +-{swing:.0%} around its trend and made no headway: its last"
        " stretch stands {change:+.0%} from its first ({z:se})",
        swing=np.expm1(tr.noise), change=np.expm1(change), z=z), {
        "train_swing": tr.noise, "train_run_change": change, "train_run_change_z": z}, \
        confidence(tr.noise, th.swing_limit)


def _worse_than_start(tr: CurveTrend, te: CurveTrend | None, th: Thresholds):
    """The train loss ends worse than it started: the median of its last stretch stands
    ``flat_noise_z`` standard errors above its first logged value (the untrained model's
    loss; the error of one point's scatter and of that median, combined), by ``late_rise``
    of the curve's progress (a loss thrown up 300x by one spike and back near where it
    started has not ended worse by what matters). Training made the fit worse, so the
    steps overshoot, however small its swings and however early it rose (before a running
    median settles, where the late rise is measured from). A positive loss only: the rise
    is a ratio."""
    if not tr.log:
        return None
    _, last, m = stretch_ends(tr, th)
    up = last - float(tr.y[0])
    se = float(np.hypot(max(point_sigma(tr, th), tr.floor), smooth_se(tr, m)))
    if up < th.flat_noise_z * se or up < th.late_rise * tr.span:
        return None
    z = up / se
    return rise_start(tr, th), text(
        "the train loss ends worse than it started: the median of its last stretch stands"
        " {up:+.0%} above its first value ({first:num}; {z:se})",
        up=np.expm1(up), first=float(tr.values[0]), z=z), {
        "train_above_start": up, "train_above_start_z": z}, confidence(z, th.flat_noise_z)
