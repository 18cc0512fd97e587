"""The train/test trend table of the source notes: learning, overfitting, plateau, data problem."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..records import Diagnosis, Direction, Severity
from ..thresholds import Thresholds
from ..trends import CurveTrend
from . import actions
from .context import RunContext, end_direction
from .measures import best_step, end_rate, end_rise, first_drop, fmt, fmt_step, settle_step
from .registry import rule

FALLING, FLAT, RISING = Direction.FALLING, Direction.FLAT, Direction.RISING


def tail(c: CurveTrend) -> dict[str, Any]:
    """Evidence of a curve's last window: where, slope, change, and its last value."""
    w = c.windows[-1]
    p = c.split
    return {f"{p}_window": [w.start_step, w.end_step], f"{p}_slope": w.slope,
            f"{p}_change": w.change, f"{p}_direction": w.direction.value,
            f"{p}_last": float(c.values[-1])}


def _describe(c: CurveTrend) -> str:
    w = c.windows[-1]
    verb = {FALLING: "still falling", FLAT: "flat", RISING: "rising"}[w.direction]
    return (f"{c.split} loss is {verb} over steps {fmt_step(w.start_step)}-"
            f"{fmt_step(w.end_step)} (now {fmt(float(c.smooth[-1]))}, change {fmt(w.change)})")


@rule("LD100", "learning", Severity.INFO, 90, "train falling, test falling")
def learning(ctx: RunContext, th: Thresholds) -> Diagnosis | None:
    """The network is learning: train and test loss both keep falling.

    Healthy. Keep training; the test loss has not bottomed out yet, so more steps should
    still help.
    """
    tr, te = end_direction(ctx.train), end_direction(ctx.test)
    if tr is None and te is None:
        return None
    if tr is FLAT and te is FALLING and _converged(ctx.train, th):
        tr = FALLING         # flat at its best after its fall: done, while the test improves
    if (tr in (FALLING, None)) and (te in (FALLING, None)):
        curves = [c for c in ctx.curves() if c.windows]
        ev: dict[str, Any] = {}
        for c in curves:
            ev.update(tail(c))
        said = " and ".join(_describe(c) for c in curves)
        return Diagnosis("learning", Severity.INFO, f"Learning: {said}.", None, None, ev,
                         ("keep training: the loss is still falling",))
    return None


def _converged(c: CurveTrend | None, th: Thresholds) -> bool:
    """The curve fell and now rests at its best (within ``best_tolerance`` of its drop)."""
    if c is None:
        return False
    drop = first_drop(c)
    return drop > 3 * c.summary.noise and end_rise(c) <= th.best_tolerance * drop


@rule("LD201", "overfitting", Severity.WARNING, 40,
      "train falling (or flat and low), test flat or rising above its best, gap widening")
def overfitting(ctx: RunContext, th: Thresholds) -> Diagnosis | None:
    """Overfitting: the train loss keeps falling while the test loss levels off or rises.

    The network memorises the training set. Stop at the best test step, and regularize:
    weight decay around 5e-4, dropout 0.5, augmentation or more data.
    """
    tr, te = ctx.train, ctx.test
    if tr is None or te is None or len(te.values) < 3 or end_direction(tr) is RISING:
        return None
    te_dir = end_direction(te)
    if te_dir is FALLING or te.best_index >= len(te.values) - 1:
        return None
    best = best_step(te)
    best_val = float(te.smooth.min())
    rise = end_rise(te)
    # since the test loss was best: did the train loss keep improving, or the test loss worsen?
    # (measured from its lowest point, not from where it levelled off: a train loss that still
    # eases down while the test loss rests is a plateau, not yet overfitting)
    train_then = _at(tr, best)
    train_gain = (train_then - float(tr.smooth[-1])) / abs(train_then) if train_then else 0.0
    test_loss = rise / abs(best_val) if best_val else 0.0
    if train_gain < th.overfit_train_gain and test_loss < th.overfit_test_rise:
        return None
    gap_then = float(best_val - train_then)
    gap_now = float(te.smooth[-1] - tr.smooth[-1])
    if gap_now <= gap_then:
        return None
    start = settle_step(te, th.best_tolerance)
    ev = {**tail(tr), **tail(te), "test_best_step": best, "test_best_value": best_val,
          "test_stopped_improving_step": start, "gap_at_best": gap_then, "gap_now": gap_now,
          "train_gain_since_best": train_gain, "test_rise_since_best": test_loss}
    rose = te_dir is RISING or test_loss >= th.overfit_test_rise
    msg = (f"Overfitting: test loss stopped improving at step {fmt_step(start)} and was lowest"
           f" at step {fmt_step(best)} ({fmt(best_val)}); since then it "
           f"{'rose' if rose else 'stayed flat'} to {fmt(te.smooth[-1])}"
           f" while train loss went to {fmt(tr.smooth[-1])} (gap {fmt(gap_then)} -> "
           f"{fmt(gap_now)}).")
    acts = (f"stop at step {fmt_step(best)}, where test loss was lowest ({fmt(best_val)}):"
            " keep that checkpoint, or use early stopping on the test loss",
            actions.REGULARIZE)
    return Diagnosis("overfitting", Severity.WARNING, msg, start, float(tr.steps[-1]), ev, acts)


def _at(c: CurveTrend, step: float) -> float:
    return float(np.interp(step, c.steps, c.smooth))


@rule("LD202", "plateau", Severity.WARNING, 60, "train flat, test flat")
def plateau(ctx: RunContext, th: Thresholds) -> Diagnosis | None:
    """Plateau: train and test loss have both levelled off.

    Learning has hit a bottleneck. Lower the learning rate (e.g. 10x) or the batch size, or
    stop if the loss is good enough: more steps at this setting will not help.
    """
    tr, te = end_direction(ctx.train), end_direction(ctx.test)
    if tr not in (FLAT, None) or te not in (FLAT, None) or (tr is None and te is None):
        return None
    flat = [c for c in ctx.curves() if c.windows]
    since = min(_flat_since(c) for c in flat)
    ev: dict[str, Any] = {"flat_since_step": since}
    for c in flat:
        ev.update(tail(c))
    said = " and ".join(_describe(c) for c in flat)
    acts = (actions.lower_lr(ctx) + ", or halve the batch size", actions.SCHEDULE,
            "or stop here if this loss is good enough: more steps at this setting will not help")
    return Diagnosis("plateau", Severity.WARNING, f"Plateau since about step {fmt_step(since)}:"
                     f" {said}.", since, None, ev, acts)


def _flat_since(c: CurveTrend) -> float:
    start = c.windows[-1].start_step
    for w in reversed(c.windows):
        if w.direction is not FLAT:
            break
        start = w.start_step
    return start


@rule("LD203", "data_problem", Severity.WARNING, 50, "train flat, test falling")
def data_problem(ctx: RunContext, th: Thresholds) -> Diagnosis | None:
    """Data problem: the train loss is flat while the test loss keeps falling.

    A network that does not learn its training set cannot improve on the test set; the data
    set almost surely has a problem: labels, the split, leakage, or different preprocessing
    or loss on train and test.
    """
    tr, te = ctx.train, ctx.test
    if tr is None or te is None or end_direction(tr) is not FLAT or len(te.values) < 3:
        return None
    tr_rate, te_rate = end_rate(tr), end_rate(te)
    # the test loss must fall, much faster for its level than the train loss, and the train
    # loss must be stuck high: one "flat" only because it fell to near zero has converged
    if not (te_rate <= -th.data_test_rate and -te_rate >= th.data_ratio * abs(tr_rate)):
        return None
    if tr.smooth[-1] < th.data_train_stuck * tr.smooth[0]:
        return None
    since = _flat_since(tr)
    ev = {**tail(tr), **tail(te), "train_rate": tr_rate, "test_rate": te_rate,
          "train_flat_since_step": since}
    msg = (f"Data problem: {_describe(tr)}, flat since step {fmt_step(since)}, while"
           f" {_describe(te)}: over the last window the test loss fell {-te_rate:.1%} of its"
           f" level, the train loss {-tr_rate:.1%}.")
    return Diagnosis("data_problem", Severity.WARNING, msg, since, None, ev,
                     (actions.DATA_CHECKS,
                      "compare a few train and test batches by hand: inputs, targets, loss"))
