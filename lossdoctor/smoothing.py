"""Long curves made short and smooth: medians of equal-count bins (linear time, in two
threads for the longest) and a centred running median whose width grows with the curve."""
from __future__ import annotations

import os

import numpy as np

PARALLEL_POINTS = 1 << 21       # curves longer than this get their bin medians in 2 threads
BANDED_MIN_ROW = 2048           # bins this long get their medians by selection in a band
BAND_SAMPLE = 1024              # ... bracketed by a sample of about this many values a bin
BAND_SIGMAS = 4.0               # ... this many standard errors of its rank either side


def reduce_points(steps: np.ndarray, values: np.ndarray, max_points: int, *,
                  ascending: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Medians of equal-count bins: keeps the shape, drops minibatch noise and lone spikes.

    ``ascending``: the caller has checked that the steps are finite and in order (no pass
    over millions of them to check it again).
    """
    n = len(values)
    if n <= max_points:
        return steps, values
    size = int(np.ceil(n / max_points))
    full = (n // size) * size
    s = _sorted_median(steps[:full].reshape(-1, size), ascending)
    v = _row_medians(values[:full].reshape(-1, size))
    if full < n:
        s = np.append(s, np.median(steps[full:]))
        v = np.append(v, np.median(values[full:]))
    return s, v


def _sorted_median(rows: np.ndarray, ascending: bool = False) -> np.ndarray:
    """np.median of each row; rows already ascending (steps) need no partial sort."""
    size = rows.shape[1]
    if not ascending and not np.all(rows[:, 1:] >= rows[:, :-1]):   # unsorted, or NaN
        return np.median(rows, axis=1)
    return np.mean(rows[:, [(size - 1) // 2, size // 2]], axis=1)


def _row_medians(rows: np.ndarray) -> np.ndarray:
    """np.median of each row, a few rows at a time: no copy of a curve of millions of points.

    Blocks of a long curve are shared out to threads (numpy's partition releases the GIL).
    """
    out = np.empty(rows.shape[0])
    step = max(1, (1 << 18) // max(rows.shape[1], 1))
    starts = range(0, rows.shape[0], step)
    medians = _banded_medians if rows.shape[1] >= BANDED_MIN_ROW else _plain_medians

    def block(a: int) -> None:
        out[a:a + step] = medians(rows[a:a + step])

    if rows.size < PARALLEL_POINTS:
        for a in starts:
            block(a)
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(min(2, os.cpu_count() or 1)) as pool:
            list(pool.map(block, starts))
    return out


def _plain_medians(rows: np.ndarray) -> np.ndarray:
    return np.median(rows, axis=1)


def _banded_medians(rows: np.ndarray) -> np.ndarray:
    """np.median of each row, the same numbers, for a fraction of its cost on long rows.

    The median's two middle order statistics lie, almost surely, between two values that a
    strided sample of the row brackets them with (its own order statistics some standard
    errors either side); counting the values below that band and partitioning only the
    values inside it finds them exactly. A row whose band misses them, or that holds a NaN,
    gets np.median itself.
    """
    n, m = rows.shape
    lo_k, hi_k = (m - 1) // 2, m // 2
    sample = rows[:, ::max(1, m // BAND_SAMPLE)]
    k = sample.shape[1]
    centre, margin = k * (lo_k + 0.5) / m, BAND_SIGMAS * np.sqrt(k) / 2
    a, b = max(0, int(centre - margin)), min(k - 1, int(np.ceil(centre + margin)))
    bounds = np.partition(sample, [a, b], axis=1)
    below = rows < bounds[:, a:a + 1]
    upto = rows <= bounds[:, b:b + 1]           # the band: up to its top, not below it
    # row by row: count_nonzero of a whole row is four times its speed along an axis
    n_below = np.fromiter(map(np.count_nonzero, below), np.intp, n)
    count = np.fromiter(map(np.count_nonzero, upto), np.intp, n) - n_below
    band = np.compress((upto ^ below).ravel(), rows.ravel())    # 4x a boolean index's speed
    ends = np.cumsum(count)
    ok = (n_below <= lo_k) & (n_below + count > hi_k) & ~np.isnan(rows.sum(axis=1))
    low, high = np.empty(n), np.empty(n)
    for i in np.flatnonzero(ok):
        part = band[ends[i] - count[i]:ends[i]]
        kth = [lo_k - n_below[i], hi_k - n_below[i]]
        part.partition(kth)
        low[i], high[i] = part[kth[0]], part[kth[1]]
    # as np.median: the middle value, or the mean of the middle two
    out = low if lo_k == hi_k else (low + high) / 2
    for i in np.flatnonzero(~ok):
        out[i] = np.median(rows[i])
    return out


def median_width(n: int, fraction: float) -> int:
    """Points a running median over ``fraction`` of a curve of ``n`` points spans: odd, and
    at least 3 once the curve has 7 points."""
    return max(int(round(n * fraction)) | 1, 3 if n >= 7 else 1)


def running_median(values: np.ndarray, fraction: float) -> np.ndarray:
    """Centered running median whose width grows with the curve (odd, at least 1)."""
    n = len(values)
    k = median_width(n, fraction)
    if k <= 1:
        return values.astype(float)
    half = k // 2
    padded = np.pad(values.astype(float), half, mode="constant", constant_values=np.nan)
    windows = np.lib.stride_tricks.sliding_window_view(padded, k)
    out = np.nanmedian(windows, axis=1)
    # At the start the window shrinks symmetrically (point i sees i points each side): the
    # first steps are where a loss moves fastest, and a one-sided window would smear a test
    # loss that shoots up at once. The end keeps its one-sided window, so the verdict, read
    # there, never hinges on one noisy last point.
    for i in range(min(half, n)):
        out[i] = np.nanmedian(values[: 2 * i + 1])
    return out
