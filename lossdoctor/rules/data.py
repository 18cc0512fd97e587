"""Data problem: a train set the model cannot fit as well as a test set it never saw.

The test loss falls while the train loss stays put, falls far further than it, or ends below
it; each compared on the log scale (positive losses only), against the curves' own noise
and progress.
"""
from __future__ import annotations

import numpy as np

from ..records import Direction, Finding, Severity, confidence
from ..thresholds import Thresholds
from ..trends import CurveTrend
from ..wording import Text, text
from . import actions
from .context import RunContext, end_direction
from .measures import (
    chance_classes,
    climb_se,
    end_rise,
    flat_since,
    run_change,
    smooth_se,
    smooth_width,
    stretch_change,
    stretch_ends,
    total_fall,
)
from .registry import rule
from .said import describe, tail

FALLING, FLAT, RISING = Direction.FALLING, Direction.FLAT, Direction.RISING


def _fell_further(te: CurveTrend, tr: CurveTrend, th: Thresholds) -> bool:
    """The test loss fell further than the train loss over the run (smoothed start to end,
    working scale), by ``overfit_z`` standard errors of the two falls: a noisy train loss
    that fell nearly as far has learned."""
    se = float(np.hypot(climb_se(te, smooth_width(te, th.smooth_fraction)),
                        climb_se(tr, smooth_width(tr, th.smooth_fraction))))
    return total_fall(te) - total_fall(tr) >= th.overfit_z * se


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
    # a last window that still falls has not risen (its last stretch's median stands above
    # its last points only because the fall goes on)
    rose = (rise_z >= th.overfit_z and rise >= th.overfit_rise_share * te.span
            and te.windows[-1].direction is not FALLING)
    if te_z > -th.overfit_z or rose:
        return None
    return max(-tr_change, 0.0), -te_change


def _test_below_train(tr: CurveTrend, te: CurveTrend, th: Thresholds) -> float | None:
    """How far (working scale) the median of the test loss's last window stands below the
    train loss's, when that is ``data_gap`` and ``overfit_z`` standard errors: with a test
    loss that fell ``data_ratio_below`` times further over the run, the model fits a test
    set it never trained on better than its own train set, and learns that train set more
    slowly (corrupted train labels or targets). A train loss above the test loss from
    dropout or augmentation falls about as far as the test loss."""
    tr_last = tr.y[tr.steps >= tr.windows[-1].start_step]
    te_last = te.y[te.steps >= te.windows[-1].start_step]
    gap = float(np.median(tr_last) - np.median(te_last))
    se = float(np.hypot(smooth_se(tr, len(tr_last)), smooth_se(te, len(te_last))))
    return gap if gap >= np.log1p(th.data_gap) and gap >= th.overfit_z * se else None


def _train_above_test(tr: CurveTrend, te: CurveTrend, th: Thresholds) -> Finding | None:
    """The train loss ends above the worst the test loss ever was, by more than a share of its
    own fall: corrupted train labels or targets (see data_problem). Positive losses only:
    the gap is a ratio of the two. One of the curves must have moved: two that never did,
    apart, are one model on two scales, not a train set it cannot fit, and a test loss
    resting at chance level (ln K) says the model learned nothing it could apply (a train
    loss above it is on another scale: a margin loss); and both must not
    still be falling (a train loss logged as a sum over the epoch beside a test mean, both
    learning, is the learning cell), nor the train loss ending above where it started (the
    median of its last stretch above its first's by ``flat_noise_z`` standard errors of the
    two: one that blows up ends above everything the test loss was, whatever its labels)."""
    if not (tr.log and te.log and (te.moved or tr.moved)) or chance_classes(te, th):
        return None       # a test loss at chance: the model learned nothing it could apply
    if tr.windows[-1].direction is FALLING and te.windows[-1].direction is FALLING:
        return None       # both still learning: the table's learning cell, whatever the levels
    first, end, m = stretch_ends(tr, th)
    if end - first >= th.flat_noise_z * climb_se(tr, m):
        return None       # worse than it started: a blow-up, not labels it cannot fit
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
    # sum over the batch logged instead of a mean), not labels it cannot fit; a test loss
    # that never moved has no fall to match (its range is its noise)
    if te.moved and float(np.interp(te.steps[0], tr.steps, tr.ys)) - level >= float(
            te.ys.max() - te.ys.min()):
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
    learns more slowly); each whole-run reading also asks the test loss to have fallen
    further than the train loss by ``overfit_z`` standard errors of the two falls (a noisy
    train loss read as not moving could have fallen as far unseen); or, whatever the test
    loss does now (unless both curves still fall), the train loss ends (the median
    of its last window) ``data_gap`` and ``overfit_z`` standard errors above the highest
    the test loss ever was (smoothed), by at least 1 / ``data_ratio`` of how far the train
    loss itself fell from its worst, and one of the two moved: the model fits its own
    train set worse than it fitted the test set at its worst, and it is not a train loss
    that learned as much as the test loss but carries an offset (dropout, label smoothing,
    a penalty term), nor one that fell as far as a test loss that moved, over the test's
    steps (a sum over the batch logged instead of a mean). Positive losses only: the falls are
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
    further = _fell_further(te, tr, th)
    if (w_te.direction is not FALLING or te_rate < th.data_ratio * max(tr_rate, 0.0)
            or not further):
        # the whole run's evidence, which the last window alone may be too short to carry:
        # the test loss fell data_ratio times further and the train loss is not falling now,
        # or data_ratio_below times further and it ends below the train loss
        falls = _whole_run_falls(tr, te, th) if further else None
        if falls is not None and end_direction(tr) is not FALLING \
                and falls[1] >= th.data_ratio * falls[0]:
            run = falls
        elif falls is not None and falls[1] >= th.data_ratio_below * falls[0] \
                and (gap := _test_below_train(tr, te, th)) is not None:
            run, needed = falls, th.data_ratio_below
        else:
            return _train_above_test(tr, te, th)
        tr_rate, te_rate = run
    since = flat_since(tr) if w_tr.direction is FLAT else w_te.start_step
    ev = {**tail(tr), **tail(te), "train_rate": -tr_rate, "test_rate": -te_rate,
          "train_flat_since_step": since}
    # the rates are changes of the log of each loss: as shares of the loss, 1 - exp(-rate)
    said = text("{te:.1%} and {tr:.1%}", te=float(-np.expm1(-te_rate)),
                tr=float(-np.expm1(-max(0.0, tr_rate))))
    over = "the last window" if run is None else "the whole run"
    if run is not None:
        # a trend fitted over the whole run reads a fall that came early as small: the
        # logged ends say how far each loss went
        said = text("{said} (Theil-Sen trends; logged, test {a:num} -> {b:num}, train {c:num} ->"
                    " {d:num})", said=said, a=te.summary.first_value, b=te.summary.last_value,
                    c=tr.summary.first_value, d=tr.summary.last_value)
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
