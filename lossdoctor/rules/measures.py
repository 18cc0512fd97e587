"""Shared measurements on a curve's trend that several rules read (no judgement here)."""
from __future__ import annotations

import numpy as np

from ..numbers import fmt, fmt_step  # noqa: F401  (moved; re-exported for the rules)
from ..trends import CurveTrend


def first_drop(c: CurveTrend) -> float:
    """How far the smoothed curve fell from its start to its best."""
    return float(c.smooth[0] - c.smooth.min()) if len(c.smooth) else 0.0


def end_rise(c: CurveTrend) -> float:
    """How far above its best the smoothed curve ends."""
    return float(c.smooth[-1] - c.smooth.min()) if len(c.smooth) else 0.0


def best_step(c: CurveTrend) -> float:
    return float(c.steps[c.best_index])


def rise_onset(c: CurveTrend, tolerance: float) -> float | None:
    """Where the smoothed curve first climbs above its running best by more than ``tolerance``
    of its progress: the step of that running best. None when it never does."""
    if len(c.smooth) < 2 or c.progress <= 0:
        return None
    best_so_far = np.minimum.accumulate(c.smooth)
    above = np.flatnonzero(c.smooth - best_so_far > tolerance * c.progress)
    if not len(above):
        return None
    return float(c.steps[_best_before(c.smooth, best_so_far, int(above[0]))])


def blowup_onset(c: CurveTrend, factor: float) -> float | None:
    """Where the climb that took the smoothed curve past ``factor`` times its running best
    began: the step of that running best (a loss that explodes is judged on a log scale).
    None when it never climbs that far or the curve is not positive."""
    if len(c.smooth) < 2 or c.smooth.min() <= 0:
        return None
    best_so_far = np.minimum.accumulate(c.smooth)
    above = np.flatnonzero(c.smooth > factor * best_so_far)
    if not len(above):
        return None
    return float(c.steps[_best_before(c.smooth, best_so_far, int(above[0]))])


def _best_before(s: np.ndarray, best_so_far: np.ndarray, i: int) -> int:
    """Index of the running best that point ``i`` is measured from (its last occurrence)."""
    return int(np.flatnonzero(s[: i + 1] == best_so_far[i])[-1])


def rise_knee(c: CurveTrend) -> float | None:
    """Where the log loss turns upward: the breakpoint of the best continuous two-line fit
    whose second line climbs faster than the first. A loss that blows up grows
    exponentially, so on a log scale the climb is a straight line and its start a sharp
    knee. None when no such fit exists or the curve is not positive."""
    ok = np.isfinite(c.smooth) & (c.smooth > 0)
    x, y = c.steps[ok], np.log(c.smooth[ok])
    n = len(x)
    if n < 4 or x[-1] <= x[0]:
        return None
    x = (x - x[0]) / (x[-1] - x[0])
    knots = x[1:-1]
    hinge = np.maximum(0.0, x[None, :] - knots[:, None])            # (knots, points)
    # least squares of y ~ a + b x + d hinge for every knot at once (normal equations)
    design = np.stack([np.ones_like(hinge), np.broadcast_to(x, hinge.shape), hinge], 1)
    gram = np.einsum("kin,kjn->kij", design, design)
    rhs = np.einsum("kin,n->ki", design, y)
    solvable = np.abs(np.linalg.det(gram)) > 1e-12
    if not solvable.any():
        return None
    coef = np.zeros_like(rhs)
    coef[solvable] = np.linalg.solve(gram[solvable], rhs[solvable][..., None])[..., 0]
    fit = np.einsum("kin,ki->kn", design, coef)
    climbs = coef[:, 2] > 1e-6           # in log units over the run: a real turn upward
    sse = np.where(solvable & climbs, ((y - fit) ** 2).sum(axis=1), np.inf)
    if not np.isfinite(sse).any():
        return None
    return float(c.steps[ok][1 + int(np.argmin(sse))])


def settle_step(c: CurveTrend, tolerance: float) -> float:
    """First step where the smoothed curve is within ``tolerance`` of its drop from its best."""
    if not len(c.smooth):
        return float("nan")
    best = c.best_index
    reach = c.smooth.min() + tolerance * max(first_drop(c), 0.0)
    within = np.flatnonzero(c.smooth[: best + 1] <= reach)
    return float(c.steps[within[0]]) if len(within) else float(c.steps[best])


def end_rate(c: CurveTrend) -> float:
    """Relative change over the last window: -0.02 = fell 2% of its level."""
    if not c.windows:
        return 0.0
    w = c.windows[-1]
    inside = (c.steps >= w.start_step) & (c.steps <= w.end_step)
    level = abs(float(np.median(c.smooth[inside]))) if inside.any() else 0.0
    return w.change / level if level > 0 else 0.0


def log_residuals(c: CurveTrend) -> np.ndarray:
    """Residuals around the smoothed curve in log space (relative jumps); linear if not positive."""
    v, s = c.values, c.smooth
    if len(v) and v.min() > 0 and s.min() > 0:
        return np.log(v) - np.log(s)
    scale = max(float(np.median(np.abs(s))), 1e-12)
    return (v - s) / scale


def spikes(c: CurveTrend, ratio: float, height: float) -> np.ndarray:
    """Indices where the curve jumps to ``ratio`` times its trend or more, the jump is at least
    ``height`` of the curve's progress, and it stands far out of the curve's own scatter."""
    r = log_residuals(c)
    if len(r) < 5:
        return np.empty(0, dtype=int)
    spread = 1.4826 * float(np.median(np.abs(r - np.median(r))))
    jump = c.values - c.smooth
    big = (r >= np.log(ratio)) & (r > 4 * spread) & (jump >= height * max(c.progress, 1e-300))
    big[0] = False  # the first point is the untrained loss, above any trend, not a spike
    return np.flatnonzero(big)


def climbs_and_falls(c: CurveTrend, floor: float = 0.0) -> tuple[float, float]:
    """The climbs and the falls of the smoothed curve added up, on a log scale: a healthy
    loss mostly falls; one whose trend keeps going back up is unstable. A climb (a run of
    rising steps) counts only when it rises more than ``floor``, so the wiggles of a noisy
    curve do not add up to one. (0, 0) when the curve is not positive."""
    d = _log_steps(c)
    return float(sum(r for r in _climbs(d) if r > floor)), float(-d[d <= 0].sum())


def climb_count(c: CurveTrend, floor: float) -> int:
    """How many separate climbs of the smoothed curve rise more than ``floor`` (log scale)."""
    return sum(1 for r in _climbs(_log_steps(c)) if r > floor)


def _log_steps(c: CurveTrend) -> np.ndarray:
    """Step-to-step changes of the smoothed curve's log; none when it is short or not positive."""
    s = c.smooth[np.isfinite(c.smooth)]
    if len(s) < 5 or s.min() <= 0:
        return np.empty(0)
    return np.diff(np.log(s))


def _climbs(d: np.ndarray) -> list[float]:
    """The rise of each run of rising steps in a series of log differences."""
    edges = np.flatnonzero(np.diff(np.r_[0, (d > 0).astype(np.int8), 0]))  # run starts, ends
    return [float(d[a:b].sum()) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def biggest_climb(c: CurveTrend) -> tuple[int, int]:
    """Indices (low, high) of the largest climb of the smoothed curve above its running best."""
    s = np.where(np.isfinite(c.smooth), c.smooth, np.inf)
    best = np.minimum.accumulate(s)
    gain = np.where(np.isfinite(s), s - best, -np.inf)
    j = int(np.argmax(gain))
    return _best_before(s, best, j), j


def relative_scatter(c: CurveTrend) -> float:
    """Typical relative swing of the curve around its trend (0.3 = +-30%)."""
    r = log_residuals(c)
    return float(1.4826 * np.median(np.abs(r - np.median(r)))) if len(r) >= 5 else 0.0
