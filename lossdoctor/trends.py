"""Robust trends of one loss curve: reduce, smooth, fit slopes per window, label each window.

Cost is linear in the number of points: long curves are first reduced to medians of
equal-count bins, and the slope fits (Theil-Sen) run on at most a few dozen points per window.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .records import CurveSummary, Direction, Window
from .smoothing import median_width, reduce_points, running_median
from .thresholds import DEFAULT, Thresholds

MAX_FIT_POINTS = 60
LOCAL_NOISE_POINTS = 12        # fewer points in a window: its scatter is the whole curve's
MIDPOINTS_LEAST = 2            # lone interpolated-looking points a curve needs before they go


@dataclass(frozen=True)
class CurveTrend:
    """One split's curve after cleaning: what the rules read, and its summary for users."""

    split: str
    steps: np.ndarray            # reduced, finite, increasing
    values: np.ndarray
    smooth: np.ndarray           # running median of values
    summary: CurveSummary
    non_finite_count: int
    y: np.ndarray                # values on the working scale (log for a positive loss)
    ys: np.ndarray               # smooth on the working scale
    log: bool                    # whether the working scale is log
    noise: float                 # robust scatter around the trend, working scale
    rho: float                   # lag-1 autocorrelation of that scatter
    floor: float                 # the log's own resolution, working scale
    moved: bool = True           # False: the curve never measurably moved (see ``still``)

    @property
    def windows(self) -> tuple[Window, ...]:
        return self.summary.windows

    @property
    def progress(self) -> float:
        """How far the curve moved at all: the range of its smoothed values."""
        return float(self.smooth.max() - self.smooth.min()) if len(self.smooth) else 0.0

    @property
    def span(self) -> float:
        """How far the curve moved, on the working scale: what shares are shares of."""
        return float(self.ys.max() - self.ys.min()) if len(self.ys) else 0.0

    @property
    def best_index(self) -> int:
        return int(np.argmin(self.smooth))

    def direction_at_end(self) -> Direction | None:
        return self.windows[-1].direction if self.windows else None


def theil_sen(x: np.ndarray, y: np.ndarray) -> float:
    """Median of pairwise slopes: a few wild points cannot tilt it."""
    if len(x) < 2:
        return 0.0
    if len(x) > MAX_FIT_POINTS:
        idx = np.linspace(0, len(x) - 1, MAX_FIT_POINTS).round().astype(int)
        x, y = x[idx], y[idx]
    i, j = np.triu_indices(len(x), k=1)
    dx = x[j] - x[i]
    ok = dx > 0
    if not ok.any():
        return 0.0
    return float(np.median((y[j] - y[i])[ok] / dx[ok]))


def robust_scale(x: np.ndarray) -> float:
    """Standard deviation of the bulk of ``x``, blind to heavy tails: 1.4826 MAD."""
    if not len(x):
        return 0.0
    return float(1.4826 * np.median(np.abs(x - np.median(x))))


def printed_step(values: np.ndarray) -> float:
    """The smallest gap between two distinct logged values (the log's printing precision,
    in loss units); 0 when all values are equal."""
    gaps = np.diff(np.unique(values))
    gaps = gaps[gaps > 0]
    return float(gaps.min()) if len(gaps) else 0.0


def resolution(values: np.ndarray) -> float:
    """The finest step the logged numbers can take (printing precision), in working units:
    the noise estimate never falls below what the log can resolve."""
    level = float(np.median(np.abs(values))) if len(values) else 0.0
    if level <= 0 and len(values):
        level = working_scale(values)     # mostly exact zeros: the scale asinh is taken on
    quantum = max(printed_step(values), 1e-12 * level)
    return quantum / max(level, 1e-300) / np.sqrt(12.0)   # d log v = d asinh(v/s) near s


def working_scale(values: np.ndarray) -> float:
    """0 for a positive loss, judged on a log scale (minibatch noise is multiplicative, and
    a rescaled loss then gives the same numbers); for any other, s in asinh(v / s), its
    median magnitude: linear near zero, logarithmic for a blow-up, as blind to a rescale."""
    if not len(values) or float(values.min()) > 0:
        return 0.0
    scale = float(np.median(np.abs(values)))
    return scale if scale > 0 else float(np.max(np.abs(values))) or 1.0


def to_working(x: np.ndarray, scale: float) -> np.ndarray:
    """Values on the working scale chosen by ``working_scale``."""
    return np.log(x) if scale == 0 else np.arcsinh(x / scale)


def residual_scatter(r: np.ndarray, k: int) -> float:
    """Scatter of residuals ``r`` around a running median of ``k`` points (1.4826 MAD),
    without the zeros that white noise puts there. A point that is its own window's median
    has a residual of exactly 0: one in k of them under white noise, and a MAD over those
    can read a noisy short curve as clean (0 for one in ten 11-point curves of white
    noise). When the zeros are no more than white noise explains (their binomial mean plus
    three standard deviations), that many are dropped, which measures white noise without
    bias (within 2% at any width, simulated); more zeros mean smooth, monotone stretches
    with no noise at all, and all of them stay. Times the share of white noise that a median
    including the point leaves, about 1 - 1.68 / k, the estimate keeps the scale of the
    plain residual MAD, without its collapse."""
    r = r[np.isfinite(r)]
    n = len(r)
    if k < 3 or n < 3:
        return robust_scale(r)
    zero = np.flatnonzero(r == 0)
    expected = n / k
    if 0 < len(zero) <= expected + 3.0 * np.sqrt(expected * (1 - 1 / k)):
        r = np.delete(r, zero[: int(round(expected))])
    return robust_scale(r) * median_bias(k)


def median_bias(k: int) -> float:
    """The share of white noise's scatter (1.4826 MAD) left in the residuals around a running
    median of ``k`` points that includes the point itself: about 1 - 1.68 / k (simulated,
    within 5%; 1 without smoothing)."""
    return 1.0 - 1.68 / k if k >= 3 else 1.0


def noise_of(residuals: np.ndarray, floor: float, k: int) -> tuple[float, float]:
    """Scatter of a curve around its running median of ``k`` points and the lag-1
    autocorrelation of that scatter (0..0.9): interpolated or smoothed points are
    correlated and carry less evidence than their count says."""
    r = residuals[np.isfinite(residuals)]
    scale = max(residual_scatter(r, k), floor)
    if len(r) < 6 or scale <= floor:
        return scale, 0.0
    c = np.clip(r - np.median(r), -3 * scale, 3 * scale)     # a lone spike must not decide
    den = float(np.dot(c, c))
    rho = float(np.dot(c[:-1], c[1:]) / den) if den > 0 else 0.0
    return scale, min(max(rho, 0.0), 0.9)


def midpoints(steps: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Mask of the interior points whose value lies on the line between their neighbours'
    (to 1e-9 of their size) while the neighbours differ: points that may have been
    interpolated into a log (a resampled export) and then carry no noise of their own."""
    mask = np.zeros(len(values), dtype=bool)
    if len(values) < 3:
        return mask
    gap = steps[2:] - steps[:-2]
    w = (steps[1:-1] - steps[:-2]) / np.where(gap > 0, gap, 1.0)
    line = values[:-2] + w * (values[2:] - values[:-2])
    tol = 1e-9 * (np.abs(values[:-2]) + np.abs(values[2:]))
    mask[1:-1] = (np.abs(values[1:-1] - line) <= tol) & (values[2:] != values[:-2])
    return mask


def without_midpoints(steps: np.ndarray, values: np.ndarray, least: int = MIDPOINTS_LEAST
                      ) -> tuple[np.ndarray, np.ndarray]:
    """The curve without its interpolated points, when a third or more of its points are
    ones that lie on the line between their neighbours, each between two that do not: such
    a point is no measurement, and next to a running median it makes the logged points look
    smooth (the noise estimate collapses, spikes halve), or makes a 4-epoch log look long
    enough for a trend (a 3-epoch log written with 2 midpoints has 5 points). Fewer than
    ``least`` such points can be chance: 0.50, 0.45, 0.40 printed by a short log."""
    mid = midpoints(steps, values)
    # interpolated between logged points, they alternate with them; a straight stretch of a
    # log printed to a few digits has its collinear points side by side, and keeps them
    lone = mid.copy()
    lone[1:] &= ~mid[:-1]
    lone[:-1] &= ~mid[1:]
    if lone.sum() * 3 < len(values) or lone.sum() < least:
        return steps, values
    return steps[~lone], values[~lone]


def all_finite(x: np.ndarray) -> bool:
    """``np.isfinite(x).all()``, without a mask of millions of points when the sum is finite
    (a NaN or an infinity never leaves it finite)."""
    return bool(np.isfinite(np.add.reduce(x))) or bool(np.isfinite(x).all())


def first_min(values: np.ndarray) -> int:
    """``np.argmin(values)``, without the copy it makes of a read-only array (pandas' columns
    are read-only: a copy of millions of values costs four passes): the first place the
    minimum is, found with ``argmax`` of a mask; a NaN minimum is left to ``argmin``."""
    low = values.min()
    if low != low:
        return int(np.argmin(values))
    return int(np.argmax(values == low))


def placed(steps: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The points at finite steps, in step order, as floats: a point at step inf or NaN has
    no place. Views, not copies, in the usual case (finite steps, sorted already); the
    first and last step are then the curve's step range, with no pass to find them."""
    steps = np.asarray(steps, dtype=float)
    values = np.asarray(values, dtype=float)
    if not all_finite(steps):
        steps, values = steps[np.isfinite(steps)], values[np.isfinite(steps)]
    if not np.all(steps[1:] >= steps[:-1]):
        order = np.argsort(steps, kind="stable")
        steps, values = steps[order], values[order]
    return steps, values


def analyze_curve(split: str, steps: np.ndarray, values: np.ndarray,
                  span: tuple[float, float] | None = None,
                  thresholds: Thresholds = DEFAULT, since: float | None = None, *,
                  ordered: bool = False) -> CurveTrend:
    """Trend of one curve; ``span`` is the run's step range so both splits share windows;
    ``since``, a step inside the last window where the learning rate changed in one step,
    starts the last window there (a trend across a step of the rate is not one trend);
    ``ordered``: the points come from :func:`placed` already."""
    if not ordered:
        steps, values = placed(steps, values)
    if all_finite(values):                      # no NaN/Inf (the usual case): no copies
        bad_steps, fs, fv = steps[:0], steps, values
    else:
        finite = np.isfinite(values)
        bad_steps, fs, fv = steps[~finite], steps[finite], values[finite]
    rs, rv = reduce_points(fs, fv, thresholds.max_points, ascending=True)
    rs, rv = without_midpoints(rs, rv)
    smooth = running_median(rv, thresholds.smooth_fraction) if len(rv) else rv
    scale = working_scale(rv)
    log = scale == 0
    y, ys = to_working(rv, scale), to_working(smooth, scale)
    floor = resolution(rv) if len(rv) else 0.0
    k = median_width(len(y), thresholds.smooth_fraction)
    noise, rho = noise_of(y - ys, floor, k)
    lo, hi = span if span else ((rs[0], rs[-1]) if len(rs) else (0.0, 0.0))
    progress = float(ys.max() - ys.min()) if len(ys) else 0.0
    windows = fit_windows(split, rs, rv, y, ys, max(noise, floor), progress, (lo, hi),
                          thresholds, since)
    summary = _summary(split, fs, fv, noise, bad_steps, windows, log)
    return CurveTrend(split, rs, rv, smooth, summary, len(bad_steps), y, ys, log,
                      noise, rho, floor)


def fit_windows(split: str, steps: np.ndarray, values: np.ndarray, y: np.ndarray,
                ys: np.ndarray, noise: float, progress: float, span: tuple[float, float],
                th: Thresholds, since: float | None = None) -> tuple[Window, ...]:
    """Cut the span into windows (at least 3 points each) and label each by its slope.

    A window falls (or rises) when its Theil-Sen change is both *significant*, beyond
    ``flat_noise_z`` standard errors of the scatter (counted in independent points), and
    *relevant*, at least ``flat_share`` of the curve's progress (the range of its smoothed
    trend): noise is not a trend, and neither is a drift that is tiny next to what the
    curve has already done. A window of a few points, too noisy to decide alone, is judged
    with the half of the run that ends with it, when that goes the same way.
    """
    n = len(y)
    if n < 2:
        return ()
    count = max(1, min(th.windows, n // 3))
    k_med = median_width(n, th.smooth_fraction)
    lo, hi = span
    edges = np.linspace(lo, hi, count + 1)
    if since is not None and edges[-2] < since < hi and (steps >= since).sum() >= th.min_points:
        edges[-2] = since
    out = []
    for a, b in zip(edges[:-1], edges[1:], strict=False):
        inside = (steps >= a) & (steps <= b)
        k = int(inside.sum())
        if k < 2:
            continue
        x = steps[inside]
        change, z, noise_w = _window_trend(x, y[inside], ys[inside], noise, k_med)
        if abs(z) < th.flat_noise_z and k < LOCAL_NOISE_POINTS and b - a < (hi - lo) / 2:
            longer = (steps >= b - (hi - lo) / 2) & (steps <= b)
            _, z_long, _ = _window_trend(steps[longer], y[longer], ys[longer], noise,
                                         k_med)
            if np.sign(z_long) == np.sign(change):
                z = z_long if abs(z_long) > abs(z) else z
        # per window length: a last window cut short at a step of the rate is not held to
        # the change of a whole window
        share = (change / progress * (hi - lo) / count / max(b - a, 1e-300)
                 if progress > 0 else 0.0)
        tol = max(abs(change / z) * th.flat_noise_z if z else 0.0, th.flat_share * progress)
        moved = abs(z) >= th.flat_noise_z and abs(share) >= th.flat_share
        direction = (Direction.FLAT if not moved
                     else Direction.RISING if change > 0 else Direction.FALLING)
        slope = theil_sen(x, values[inside])                # loss units: what users check
        out.append(Window(split, float(x[0]), float(x[-1]), slope, slope * (x[-1] - x[0]),
                          float(tol), direction, k, float(noise_w), float(z), float(share)))
    return tuple(out)


def _window_trend(x: np.ndarray, v: np.ndarray, trend: np.ndarray, noise: float,
                  width: int) -> tuple[float, float, float]:
    """(Theil-Sen change, its z, the scatter used) of one stretch on the working scale;
    ``width`` is the running median's, which ``trend`` is."""
    k = len(x)
    change = theil_sen(x, v) * (x[-1] - x[0]) if k >= 2 else 0.0
    local, rho = noise_of(v - trend, 0.0, width)
    # a stretch's own scatter is trusted once it has enough points; before, the curve's
    scatter = local if k >= LOCAL_NOISE_POINTS else noise   # (a 3-point MAD can be 0)
    scatter = max(scatter, noise * 1e-3)
    # the fit sees at most MAX_FIT_POINTS of them; Theil-Sen is 91% as efficient as least
    # squares on normal noise
    n_eff = max(min(k, MAX_FIT_POINTS) * (1 - rho) / (1 + rho), 2.0) * 0.91
    se = scatter * np.sqrt(12.0 / n_eff)
    z = change / se if se > 0 else float(np.sign(change)) * np.inf
    return float(change), float(z), float(scatter)


def still(c: CurveTrend) -> CurveTrend:
    """The same curve with every window read as flat."""
    flat = tuple(replace(w, direction=Direction.FLAT, z=0.0, share=0.0) for w in c.windows)
    return replace(c, summary=replace(c.summary, windows=flat), moved=False)


def _summary(split: str, steps: np.ndarray, values: np.ndarray, noise: float,
             bad_steps: np.ndarray, windows: tuple[Window, ...], log: bool) -> CurveSummary:
    nan = float("nan")
    if len(values):
        i = first_min(values)
        first = (float(steps[0]), float(values[0]))
        last = (float(steps[-1]), float(values[-1]))
        best = (float(steps[i]), float(values[i]))
    else:
        first = last = best = (nan, nan)
    return CurveSummary(split, len(values) + len(bad_steps), first[0], first[1], last[0],
                        last[1], best[0], best[1], noise,
                        float(bad_steps[0]) if len(bad_steps) else None, windows,
                        "log" if log else "linear",
                        float(bad_steps[-1]) if len(bad_steps) else None)
