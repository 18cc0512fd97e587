"""Shared measurements on a curve's trend that several rules read (no judgement here)."""
from __future__ import annotations

import math

import numpy as np

from ..records import Direction
from ..smoothing import median_width
from ..thresholds import Thresholds
from ..trends import CurveTrend, median_bias, printed_step, robust_scale, theil_sen

#: a median of n normal values has sqrt(pi / 2) times the standard error of their mean
MEDIAN_SE = float(np.sqrt(np.pi / 2))
#: a Theil-Sen change needs this many points (a median of at least three pairwise slopes)
MIN_STRETCH = 3
#: a curve's end (or start) stretch is at most this share of its points
END_SHARE = 1 / 3


def smooth_se(c: CurveTrend, width: int) -> float:
    """Standard error of a running median over ``width`` points of the curve (working scale):
    1.25 sigma / sqrt(independent points), never below the log's own resolution."""
    n_eff = max(width * (1 - c.rho) / (1 + c.rho), 1.0)
    return max(MEDIAN_SE * c.noise / np.sqrt(n_eff), c.floor)


def climb_se(c: CurveTrend, width: int) -> float:
    """Standard error of a climb between two smoothed values of the curve: sqrt(2) times
    that of one."""
    return float(np.sqrt(2.0) * smooth_se(c, width))


def point_sigma(c: CurveTrend, th: Thresholds) -> float:
    """The scatter of one point as white noise would have it: the residual scatter around
    the running median over the share of it such a median leaves (``median_bias``)."""
    return c.noise / median_bias(smooth_width(c, th.smooth_fraction))


def level_scatter(c: CurveTrend) -> float:
    """How far the points of a curve with no monotone trend (Mann-Kendall at 1%) scatter
    around its level: 1.4826 MAD of its values (working scale); 0 for a curve with a trend.
    A running median follows evaluations that swing in pairs or runs (1.43, 1.42, 1.71,
    1.76, 0.87, ...) and leaves residuals of a few percent where the values swing 4x;
    around a level that is not moving, the level itself is what they scatter around."""
    mk = trend_z(c.y)
    return robust_scale(c.y) if mk is not None and abs(mk) < TREND_Z else 0.0


def noise_range(c: CurveTrend, width: int) -> float:
    """The spread that noise alone gives the smoothed curve: the expected range of its m
    independent stretches, 2 sigma sqrt(2 ln m) (sigma the smoothed curve's standard error)."""
    m = max(len(c.y) / max(width, 1), 2.0)
    return 2.0 * smooth_se(c, width) * float(np.sqrt(2.0 * np.log(m)))


#: a last window falling this many times the curve's mean pace (its share of the progress
#: per window length, times the number of windows: 1 for a steady fall): a fall that speeds
#: up (a curve in its first phase of learning) is not standing still, however little it has
#: moved yet
ACCELERATING = 1.5
#: why a curve reads as standing still (``standing_still``)
WITHIN_SPAN, NO_ORDER = "within its span", "no order"


def standing_still(c: CurveTrend, th: Thresholds) -> str:
    """Why a curve has not measurably moved, '' when it has. It has moved when it scatters
    ``swing_limit`` or more around its trend (a loss swinging 0.04-0.3 has no trend but is
    not standing still), when it is a train loss thrown up from its first value to a level
    it kept, or its Theil-Sen change over the whole run is both
    ``flat_noise_z`` standard errors (of each point's own scatter, ``point_sigma``) and
    ``still_span`` large (a slow steady fall under heavy noise). Else it stands still when
    its points in their order are noise around a level (``unordered``: Mann-Kendall and
    von Neumann; ``NO_ORDER``) and neither swing nor spike, or when its smoothed values,
    beyond the spread white noise of its scale explains, stay within ``still_span`` of each
    other (log scale; ``WITHIN_SPAN``)."""
    width = smooth_width(c, th.smooth_fraction)
    if c.noise >= th.swing_limit:
        return ""         # swinging by a quarter around its level is not standing still
    # each point's own scatter (a smooth curve given 2% of jitter drifts by a standard error
    # or two of the residual scatter, which a running median of 3 leaves at 44% of it)
    sigma = point_sigma(c, th)
    # a train loss thrown up from its first value (the untrained model's) to a level it then
    # kept has moved, however level the rest: by divergence_z of a point's scatter (one
    # point against the rest: a climb's significance) and still_span (a test loss's first
    # evaluation comes after training began)
    rose = float(np.median(c.y[1:]) - c.y[0]) if c.split == "train" and len(c.y) > 1 else 0.0
    if rose >= th.divergence_z * sigma and rose >= th.still_span:
        return ""
    change, z = stretch_change(c, float(c.steps[0]), sigma)
    last = c.windows[-1]
    speeding = (last.direction is Direction.FALLING
                and -last.share * len(c.windows) >= ACCELERATING)
    if abs(z) >= th.flat_noise_z and (abs(change) >= th.still_span or speeding):
        mk = trend_z(c.y)             # (asked only here: ``unordered`` computes its own)
        if mk is None or abs(mk) >= TREND_Z:
            return ""
    if c.span - noise_range(c, width) / median_bias(width) < th.still_span:
        return WITHIN_SPAN
    # however far apart its smoothed values stand (2% of jitter on 20 points, whose scatter
    # the residuals estimate loosely), unless it swings or spikes (a test loss bouncing
    # between 0.46 and 1.39 at random is unstable, not still)
    if unordered(c.y) and sigma < th.swing_limit and not spikes(c, th):
        return NO_ORDER
    return ""


#: the two-sided normal quantile of the Mann-Kendall test at 1% (a trend must be clear to
#: count as a move) and the one-sided one of the von Neumann ratio at 5% (its power on a U
#: of 10 evaluations is low: a test loss's rise after its best must still show)
TREND_Z, SERIAL_Z = 2.576, 1.645


def unordered(y: np.ndarray) -> bool:
    """Whether points, in the order they were logged, carry no sign of a trend or of any
    structure: neither a Mann-Kendall test (a monotone trend, by ranks) nor the von Neumann
    ratio (successive differences against the spread: 2 for white noise, near 0 for any
    smooth curve) rejects noise around a level (at 1% and 5%). Neither needs a noise
    estimate, which on a short curve is itself noisy: 2% of jitter on a flat 20-point curve
    read as moved.
    False when the points are too few for even a perfect order to show."""
    y = y[np.isfinite(y)]
    mk = trend_z(y)
    if mk is None or abs(mk) >= TREND_Z:
        return False
    spread = float(((y - y.mean()) ** 2).sum())
    if spread <= 0:
        return False
    n = len(y)
    ratio = float((np.diff(y) ** 2).sum()) / spread
    return (ratio - 2.0) / math.sqrt(4.0 * (n - 2) / ((n + 1) * (n - 1))) > -SERIAL_Z


#: the lags a portmanteau test of whiteness looks at (a period of a few points, such as a
#: data order repeating every epoch of a per-step log, shows at its own lag, not the first)
WHITE_LAGS = 10
#: the chi-squared distribution's 95% points for 2..10 degrees of freedom (Ljung-Box at 5%)
_CHI2_95 = (5.991, 7.815, 9.488, 11.070, 12.592, 14.067, 15.507, 16.919, 18.307)


def white_noise(y: np.ndarray, mk: float | None = None) -> bool:
    """Whether points, in their order, are white noise around a level: no Mann-Kendall
    trend (at 1%) and no autocorrelation at lags 1 to ``WHITE_LAGS`` (the Ljung-Box test at
    5%). Minibatch noise is white however wide; weights bouncing around a level carry
    over from step to step, and a swing with a period shows at its lag. False when the
    points are too few for the test (under 5 a lag). ``mk``: the points' ``trend_z`` when
    the caller has it already (it costs a pass over every pair of points)."""
    y = y[np.isfinite(y)]
    n, lags = len(y), min(WHITE_LAGS, len(y) // 5)
    if mk is None:
        mk = trend_z(y)
    if lags < 2 or mk is None or abs(mk) >= TREND_Z:
        return False
    d = y - y.mean()
    spread = float(d @ d)
    if spread <= 0:
        return False
    r = np.array([float(d[k:] @ d[:-k]) / spread for k in range(1, lags + 1)])
    q = n * (n + 2) * float((r ** 2 / (n - np.arange(1, lags + 1))).sum())
    return q < _CHI2_95[lags - 2]


def trend_z(y: np.ndarray) -> float | None:
    """The Mann-Kendall statistic of finite points ``y`` in normal units (continuity
    corrected; no tie correction), None when they are too few for even a perfect order to
    reach ``TREND_Z``."""
    n = len(y)
    sd = math.sqrt(n * (n - 1) * (2 * n + 5) / 18.0)
    if n * (n - 1) / 2 - 1 < TREND_Z * sd:
        return None
    i, j = np.triu_indices(n, k=1)
    s = float(np.sign(y[j] - y[i]).sum())
    return float(np.sign(s)) * max(abs(s) - 1.0, 0.0) / sd


def coarse_print(c: CurveTrend, th: Thresholds) -> float:
    """The log's printed precision (the smallest gap between two logged values) when it is
    too coarse to show a change that would count in the curve's last window: one printed
    step at the window's level is ``flat_share`` of the curve's progress or more (a loss
    rounded to 4 decimals that has reached 0.0001); else 0. A positive loss only."""
    if not c.log or not c.windows or len(c.values) < 2:
        return 0.0
    step = printed_step(c.values)
    level = float(np.median(c.values[c.steps >= c.windows[-1].start_step]))
    if step == 0 or level <= 0:
        return 0.0
    return step if np.log1p(step / level) >= th.flat_share * c.span else 0.0


def smooth_width(c: CurveTrend, fraction: float) -> int:
    """How many points the running median spans (as trends.running_median chooses it)."""
    return median_width(len(c.values), fraction)


def rise_since(c: CurveTrend, step: float) -> float:
    """How far the smoothed curve ends above where it stood at ``step`` (working scale): a
    loss's share in a rise of the other split's since that split's best."""
    return float(c.ys[-1] - np.interp(step, c.steps, c.ys))


def end_rise(c: CurveTrend, th: Thresholds) -> tuple[float, float]:
    """How far the curve ends above its best, on the working scale, and that rise in
    standard errors: the median of the last stretch (as long as the smoothing; the last
    smoothed value when the curve then broke into NaN/Inf) against the smoothed minimum
    away from the first points (there the running median still sees few points), less the
    dip expected from picking the lowest of the curve's independent stretches
    (sigma * sqrt(2 ln m)): a noise dip is not a best."""
    width = smooth_width(c, th.smooth_fraction)
    n_end = max(width, min(th.min_points, int(len(c.y) * END_SHARE)))
    end = float(np.median(c.y[-n_end:]))
    if c.non_finite_count:
        end = max(end, float(c.ys[-1]))
    rise = end - float(c.ys[lowest(c, width, th.early_low_z)])
    se_min, se_end = smooth_se(c, width), smooth_se(c, n_end)
    m = max(len(c.y) / width, 1.0)
    z = (rise - se_min * np.sqrt(2 * np.log(m))) / np.hypot(se_min, se_end)
    return rise, float(z)


def outran(train_rise: float, tr: CurveTrend, te: CurveTrend | None, th: Thresholds
           ) -> bool:
    """Whether the train loss's rise since its best (``train_rise``, ``end_rise``'s) is a
    memorising run's tick: the test loss rose more than twice as far since its best and
    ends above the train loss by more than its own rise (the log scale). A rise the train
    loss shares by half or more is the weights getting worse on both sets; two losses
    thrown up together to one level are not apart."""
    if te is None or not (te.log and tr.log) or len(te.values) < th.min_points:
        return False
    rise = end_rise(te, th)[0]
    return rise >= 2 * train_rise and float(te.ys[-1] - tr.ys[-1]) >= rise


def lowest(c: CurveTrend, width: int, early_z: float) -> int:
    """Index of the curve's trusted best: the first smoothed value within the log's
    resolution of the minimum once the running median has settled, or an earlier point
    (where the median still sees few points) only when it lies ``early_z`` point-to-point
    scatters lower still: a real low, not a noise dip."""
    skip = settled(c, width)
    low = float(c.ys[skip:].min())
    i = skip + int(np.argmax(c.ys[skip:] <= low + c.floor))
    if skip:
        j = int(np.argmin(c.ys[:skip]))
        if c.ys[j] < low - early_z * max(c.noise, c.floor):
            i = j
    return i


def trusted_best(c: CurveTrend, th: Thresholds) -> int:
    """Index of the curve's trusted best (``lowest``) at the rules' own smoothing width."""
    return lowest(c, smooth_width(c, th.smooth_fraction), th.early_low_z)


def settled(c: CurveTrend, width: int) -> int:
    """First index where the running median spans its full width (0 for a short curve)."""
    half = width // 2
    return half if len(c.ys) > 2 * half + 2 else 0


def material(c: CurveTrend, low: int, high: int, share: float) -> bool:
    """Whether the climb of the smoothed curve from index ``low`` to ``high`` is at least
    ``share`` of what it had learned by ``low`` on the loss's own scale too (its fall to
    there; its whole range when it had not fallen): a loss near zero that wanders by factors
    on a log scale moves by nothing next to what it learned, and a blow-up to 1e5 is not
    made small by its own peak."""
    learned = learned_by(c, low)
    return bool(c.smooth[high] - c.smooth[low] >= share * (learned if learned > 0 else c.progress))


def learned_by(c: CurveTrend, i: int) -> float:
    """How far the smoothed curve had fallen by index ``i``, on the loss's own scale: from
    its highest before to its value there."""
    return float(c.smooth[: i + 1].max() - c.smooth[i])


def rises_materially(c: CurveTrend, th: Thresholds) -> bool:
    """The curve ends rising (its last window), by an amount that matters on the loss's own
    scale: ``material_share`` of its progress above its trusted best (a loss near zero
    wandering up by factors on a log scale, or a flat one scattering, does not)."""
    low = trusted_best(c, th)
    return (bool(c.windows) and c.windows[-1].direction is Direction.RISING
            and material(c, low, len(c.ys) - 1, th.material_share))


def stretch_change(c: CurveTrend, start: float, sigma: float | None = None
                   ) -> tuple[float, float]:
    """Theil-Sen change of the curve from ``start`` to its end (working scale) and that
    change in standard errors of the points in the stretch, each of scatter ``sigma`` (by
    default the residual scatter around the running median, ``c.noise``)."""
    inside = c.steps >= start
    k = int(inside.sum())
    if k < MIN_STRETCH:
        return 0.0, 0.0
    x, y = c.steps[inside], c.y[inside]
    change = theil_sen(x, y) * (x[-1] - x[0])
    n_eff = max(k * (1 - c.rho) / (1 + c.rho), 2.0)
    se = max(c.noise if sigma is None else sigma, c.floor) * np.sqrt(12.0 / n_eff)
    return float(change), float(change / se) if se > 0 else 0.0


def flat_since(c: CurveTrend) -> float:
    """Where the curve's trailing run of flat windows begins (its last window's start when
    that is not flat), or earlier where the curve came to rest inside the falling window
    before that run (or inside its first window, when every window is flat but the curve
    moved: a fast fall a Theil-Sen slope of a window's many level points does not show): the
    first step there where the smoothed curve stands within the last window's flat
    tolerance of the level it rests at (the median of its smoothed values there)."""
    last = c.windows[-1]
    if last.direction is not Direction.FLAT:
        return last.start_step
    run = len(c.windows) - 1
    while run > 0 and c.windows[run - 1].direction is Direction.FLAT:
        run -= 1
    start = c.windows[run].start_step
    if run > 0 and c.windows[run - 1].direction is Direction.FALLING:
        fell_from = c.windows[run - 1].start_step
    elif run == 0 and c.moved:
        fell_from = start
    else:
        return start                      # rose before it rested, or never moved
    level = float(np.median(c.ys[c.steps >= last.start_step]))
    came = np.flatnonzero((c.steps >= fell_from) & (c.ys <= level + last.tolerance))
    if not len(came):
        return start
    # (no later than the flat run's start: the windows say it was flat from there)
    return float(c.steps[came[0]]) if run == 0 else min(float(c.steps[came[0]]), start)


def total_fall(c: CurveTrend) -> float:
    """How far the smoothed curve fell from its start to its end (working scale)."""
    return float(c.ys[0] - c.ys[-1])


def run_change(c: CurveTrend, th: Thresholds) -> float:
    """How far the curve moved from its start to its end (working scale): the median of its
    last stretch less that of its first, each as long as the smoothing (at least
    ``min_points`` when the curve has three times as many). Unlike a fitted slope, it
    reads a fall that came early in full."""
    return run_change_z(c, th)[0]


def run_change_z(c: CurveTrend, th: Thresholds) -> tuple[float, float]:
    """``run_change`` and that change in standard errors of a climb between the two
    stretch medians."""
    first, last, m = stretch_ends(c, th)
    change = last - first
    se = climb_se(c, m)
    return change, (change / se if se > 0 else float(np.sign(change)) * np.inf)


def stretch_ends(c: CurveTrend, th: Thresholds) -> tuple[float, float, int]:
    """Medians of the curve's first and last stretch (working scale), and their length:
    as long as the smoothing, at least ``min_points`` when the curve has three times as
    many."""
    n = len(c.y)
    m = min(max(smooth_width(c, th.smooth_fraction), min(th.min_points, int(n * END_SHARE))), n)
    return float(np.median(c.y[:m])), float(np.median(c.y[-m:])), m


def best_logged(c: CurveTrend) -> tuple[float, float]:
    """(step, value) of the lowest logged value: the checkpoint a user can go back to."""
    return c.summary.min_step, c.summary.min_value


def falls_back(c: CurveTrend) -> bool:
    """Whether the curve's last window falls towards a lowest value it logged before that
    window: recovering or swinging back, not improving on what it reached."""
    return (bool(c.windows) and c.windows[-1].direction is Direction.FALLING
            and best_logged(c)[0] < c.windows[-1].start_step)


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


def _best_before(s: np.ndarray, best_so_far: np.ndarray, i: int) -> int:
    """Index of the running best that point ``i`` is measured from (its last occurrence)."""
    return int(np.flatnonzero(s[: i + 1] == best_so_far[i])[-1])


def spikes(c: CurveTrend, th: Thresholds) -> list[tuple[int, float]]:
    """(index, z) of points that jump far out of the curve's own scatter: at least
    ``spike_z`` robust standard deviations above the smoothed trend (working scale) and
    log(``spike_ratio``) above it on that scale: for a positive loss, ``spike_ratio`` times
    it; a loss that can be negative (an energy, a log-likelihood) must also jump
    ``knock_share`` of its progress.
    Minibatch noise, however wide, is not a spike; the first point (the untrained loss)
    never is."""
    r = c.y - c.ys
    if len(r) < th.min_points:
        return []
    scale = max(c.noise, c.floor)
    z = r / scale
    big = z >= th.spike_z
    # as far out on the working scale as a positive loss's spike_ratio (for a loss that can
    # be negative, asinh(v / s) is logarithmic far from 0 and linear near it)
    big &= r >= np.log(th.spike_ratio)
    if not c.log:
        big &= c.values - c.smooth >= th.knock_share * c.progress
    big[0] = False
    return [(int(i), float(z[i])) for i in np.flatnonzero(big)]


def climbs_and_falls(c: CurveTrend, floor: float, skip: int, least: int
                     ) -> tuple[float, float]:
    """The climbs and the falls of the smoothed curve added up, on a log scale: a healthy
    loss mostly falls; one whose trend keeps going back up is unstable. A climb (a run of
    rising steps) counts only when it rises more than ``floor``, so the wiggles of a noisy
    curve do not add up to one. (0, 0) when the curve is not positive."""
    d = _log_steps(c, skip, least)
    return float(sum(r for r in _climbs(d) if r > floor)), float(-d[d <= 0].sum())


def climb_count(c: CurveTrend, floor: float, skip: int, least: int) -> int:
    """How many separate climbs of the smoothed curve rise more than ``floor`` (log scale)."""
    return sum(1 for r in _climbs(_log_steps(c, skip, least)) if r > floor)


def _log_steps(c: CurveTrend, skip: int, least: int) -> np.ndarray:
    """Step-to-step changes of the smoothed curve (working scale) from index ``skip`` on;
    none when fewer than ``least`` points are left (``min_points``: too few for a trend)."""
    s = c.ys[skip:][np.isfinite(c.ys[skip:])]
    return np.diff(s) if len(s) >= least else np.empty(0)


def _climbs(d: np.ndarray) -> list[float]:
    """The rise of each run of rising steps in a series of log differences."""
    edges = np.flatnonzero(np.diff(np.r_[0, (d > 0).astype(np.int8), 0]))  # run starts, ends
    return [float(d[a:b].sum()) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def biggest_climb(c: CurveTrend, skip: int = 0) -> tuple[int, int]:
    """Indices (low, high) of the largest climb of the smoothed curve (working scale) above
    its running best, from index ``skip`` on (before it the running median has not
    settled)."""
    s = np.where(np.isfinite(c.ys), c.ys, np.inf)      # working scale: relative for a loss
    s[:skip] = np.inf
    best = np.minimum.accumulate(s)
    gain = np.full(len(s), -np.inf)
    ok = np.isfinite(s) & np.isfinite(best)
    gain[ok] = s[ok] - best[ok]
    j = int(np.argmax(gain))
    return _best_before(s, best, j), j


def falls_throughout(short: dict[str, np.ndarray], th: Thresholds) -> bool:
    """Whether curves too short for a trend still show one: each falls at every logged
    point, by ``still_span`` or more in all, and one has enough points that the chance of
    that order with no trend (1 / n!, the Mann-Kendall statistic at its extreme) is below
    ``monotone_p``."""
    if not short:
        return False
    for values in short.values():
        if len(values) < 2 or not bool(np.all(np.diff(values) < 0)):
            return False
        if values[-1] <= 0 or np.log(values[0] / values[-1]) < th.still_span:
            return False
    return any(1.0 / math.factorial(len(v)) < th.monotone_p for v in short.values())


def chance_classes(c: CurveTrend, th: Thresholds) -> int | None:
    """K when a curve rests at ln K (a classifier guessing uniformly) and never left it:
    its median nearer ln K than ``chance_separation`` of the way to ln(K +- 1) (which K),
    and every smoothed value within ``chance_band`` of ln K (never left it: the first
    values of a 37-class model sit 0.3% above ln 37, farther than a quarter of the way to
    ln 38)."""
    if not c.log or len(c.values) < th.min_points:
        return None
    level = float(np.median(c.values))
    if level >= np.log(th.chance_max_classes + 1):
        return None
    k = int(round(np.exp(level)))
    if not 2 <= k <= th.chance_max_classes:
        return None
    separation = th.chance_separation * np.log((k + 1) / k)
    if abs(level - np.log(k)) > separation:
        return None
    band = th.chance_band * np.log(k)
    return k if float(np.max(np.abs(c.smooth - np.log(k)))) <= band else None
