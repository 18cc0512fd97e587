"""Trend detector: robust slopes and falling/flat/rising labels on generated curves."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lossdoctor.records import Direction
from lossdoctor.smoothing import reduce_points, running_median
from lossdoctor.thresholds import DEFAULT
from lossdoctor.trends import analyze_curve, first_min, theil_sen

FALLING, FLAT, RISING = Direction.FALLING, Direction.FLAT, Direction.RISING


def labels(curve) -> list[Direction]:
    return [w.direction for w in curve.windows]


def line(n: int, start: float, slope: float, noise: float, seed: int = 0
         ) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    steps = np.arange(n, dtype=float)
    return steps, start + slope * steps + noise * rng.standard_normal(n)


# ---------------------------------------------------------------- straight lines


@pytest.mark.parametrize("seed", range(5))
def test_falling_line_every_window_falls_with_the_true_slope(seed):
    steps, values = line(300, 3.0, -0.005, 0.03, seed)      # falls 1.5 over the run
    curve = analyze_curve("train", steps, values)
    assert curve.windows and labels(curve) == [FALLING] * len(curve.windows)
    for w in curve.windows:
        assert w.slope == pytest.approx(-0.005, rel=0.2)
        assert w.change < 0


@pytest.mark.parametrize("seed", range(5))
def test_rising_line_every_window_rises(seed):
    steps, values = line(300, 1.0, 0.004, 0.02, seed)
    curve = analyze_curve("test", steps, values)
    assert labels(curve) == [RISING] * len(curve.windows)
    assert all(w.slope == pytest.approx(0.004, rel=0.2) for w in curve.windows)


def test_constant_with_noise_is_flat_at_any_scale():
    # a window is called moving at z >= 2.5: about 1.2% of pure-noise windows by chance
    moving = total = 0
    for seed in range(100):
        steps, shape = line(300, 1.0, 0.0, 0.01, seed)
        big = analyze_curve("train", steps, 2.3 * shape)
        small = analyze_curve("train", steps, 0.003 * shape)
        assert labels(small) == labels(big)
        for wb, ws in zip(big.windows, small.windows, strict=True):
            assert ws.slope == pytest.approx(wb.slope * 0.003 / 2.3, rel=1e-6, abs=1e-15)
        moving += sum(d is not FLAT for d in labels(big))
        total += len(big.windows)
    assert moving / total <= 0.03, moving / total


def test_scaling_a_curve_keeps_its_labels():
    rng = np.random.default_rng(7)
    steps = np.arange(200, dtype=float)
    shape = (0.5 + 2 * np.exp(-steps / 30)) * (1 + 0.02 * rng.standard_normal(200))
    ref = labels(analyze_curve("train", steps, shape))
    for scale in (1e-4, 0.003, 2.3, 1e4):
        assert labels(analyze_curve("train", steps, scale * shape)) == ref


def test_decay_then_floor_is_falling_then_flat():
    rng = np.random.default_rng(1)
    steps = np.arange(300, dtype=float)
    values = (0.4 + 2 * np.exp(-steps / 15)) * (1 + 0.01 * rng.standard_normal(300))
    got = labels(analyze_curve("train", steps, values))
    assert got[0] is FALLING and got[-1] is FLAT


# ---------------------------------------------------------------- robustness


@pytest.mark.parametrize("factor", [3.0, 10.0, 100.0])
def test_spikes_do_not_flip_the_slope(factor):
    steps, values = line(120, 2.0, -0.008, 0.01, seed=3)
    spiked = values.copy()
    spiked[5::12] *= factor                 # a spike every 12 steps, early in each window too
    curve = analyze_curve("train", steps, spiked)
    assert labels(curve) == [FALLING] * len(curve.windows)
    assert all(w.slope < 0 for w in curve.windows)


def test_theil_sen_ignores_a_few_wild_points():
    x = np.arange(40, dtype=float)
    y = 5.0 - 0.1 * x
    y[[3, 17, 30]] = 1e6
    assert theil_sen(x, y) == pytest.approx(-0.1, rel=0.05)


def test_uneven_step_spacing_uses_the_steps_not_the_index():
    rng = np.random.default_rng(4)
    steps = np.sort(rng.choice(np.arange(100_000), size=250, replace=False)).astype(float)
    values = 4.0 - 2e-5 * steps + 0.02 * rng.standard_normal(len(steps))
    curve = analyze_curve("train", steps, values)
    assert labels(curve) == [FALLING] * len(curve.windows)
    for w in curve.windows:
        assert w.slope == pytest.approx(-2e-5, rel=0.2)


def test_dense_start_sparse_end_still_one_slope():
    # logged every step early, every 100 steps late (common with eval schedules)
    steps = np.concatenate([np.arange(0, 200), np.arange(200, 20_000, 100)]).astype(float)
    rng = np.random.default_rng(5)
    values = 3.0 - 1e-4 * steps + 0.01 * rng.standard_normal(len(steps))
    curve = analyze_curve("train", steps, values)
    assert all(d is FALLING for d in labels(curve))
    assert curve.windows[-1].slope == pytest.approx(-1e-4, rel=0.2)


def test_unsorted_steps_are_sorted_first():
    steps, values = line(90, 2.0, -0.01, 0.005, seed=6)
    order = np.random.default_rng(6).permutation(90)
    a = analyze_curve("train", steps, values)
    b = analyze_curve("train", steps[order], values[order])
    assert labels(a) == labels(b)
    assert [w.slope for w in a.windows] == pytest.approx([w.slope for w in b.windows])


# ---------------------------------------------------------------- size and NaN


def test_reduce_points_bounds_the_size():
    steps = np.arange(1_000_000, dtype=float)
    values = np.linspace(5, 1, 1_000_000)
    rs, rv = reduce_points(steps, values, 400)
    assert 200 <= len(rs) <= 401 and len(rs) == len(rv)
    assert np.all(np.diff(rs) > 0)
    assert rs[0] < 5_000 and rs[-1] > 995_000        # keeps the whole span
    small_s, small_v = reduce_points(steps[:50], values[:50], 400)
    assert len(small_s) == 50                        # short curves untouched


@pytest.mark.parametrize("kind", ["noise", "nan", "inf", "ties", "constant", "sorted",
                                  "descending", "trend", "spikes"])
@pytest.mark.parametrize("width", [2048, 2049, 12_500])
def test_bin_medians_are_exactly_numpys(kind, width):
    """Long bins get their medians by selection in a band: the same numbers as np.median,
    whatever the values (NaN, ties, infinities, a trend inside the bin)."""
    rng = np.random.default_rng(width)
    values = rng.standard_normal(37 * width)
    rows = values.reshape(37, width)
    if kind == "nan":
        rows[3, 7], rows[10] = np.nan, np.nan
    elif kind == "inf":
        rows[5, ::3], rows[6], rows[7, :width // 2 + 1] = np.inf, -np.inf, np.inf
    elif kind == "ties":
        rows[:] = np.round(rows, 1)
    elif kind == "constant":
        rows[:] = 1.5
    elif kind in ("sorted", "descending"):
        rows[:] = np.sort(rows, axis=1) * (1 if kind == "sorted" else -1)
    elif kind == "trend":
        rows[:] = rows * 0.01 + np.linspace(0, 5, width)
    elif kind == "spikes":
        rows[:, ::50] = 1e300
    steps = np.arange(len(values), dtype=float)
    _, got = reduce_points(steps, values, 37)
    assert np.array_equal(got, np.median(rows, axis=1), equal_nan=True)


@pytest.mark.parametrize("values", [
    [3.0, 1.0, 1.0, 2.0], [2.0, np.nan, 1.0, np.nan], [1.0, np.inf, -np.inf, -np.inf],
    [0.5], [-0.0, 0.0, -1e-300, -1e-300]], ids=["ties", "nan", "inf", "one", "tiny"])
def test_first_min_is_argmin_on_a_read_only_column(values):
    """pandas' columns are read-only, of which np.argmin makes a whole copy first."""
    column = np.array(values)
    column.flags.writeable = False
    assert first_min(column) == np.argmin(column)


def test_a_million_points_are_reduced_and_labelled():
    rng = np.random.default_rng(8)
    n = 1_000_000
    steps = np.arange(n, dtype=float)
    values = 3.0 - 2e-6 * steps + 0.3 * rng.standard_normal(n)   # minibatch noise >> trend/step
    curve = analyze_curve("train", steps, values)
    assert len(curve.steps) <= DEFAULT.max_points + 1
    assert curve.summary.points == n
    assert labels(curve) == [FALLING] * len(curve.windows)
    assert curve.windows[-1].slope == pytest.approx(-2e-6, rel=0.2)


def test_nan_values_are_counted_not_fitted():
    steps, values = line(150, 2.0, -0.006, 0.01, seed=9)
    values[[20, 21, 80]] = np.nan
    values[100] = np.inf
    curve = analyze_curve("train", steps, values)
    assert curve.non_finite_count == 4
    assert curve.summary.non_finite_step == 20.0
    assert curve.summary.points == 150
    assert np.all(np.isfinite(curve.values)) and np.all(np.isfinite(curve.smooth))
    assert 20.0 not in curve.steps and 100.0 not in curve.steps
    assert labels(curve) == [FALLING] * len(curve.windows)
    assert curve.windows[0].slope == pytest.approx(-0.006, rel=0.2)


def test_all_nan_curve_has_no_windows():
    curve = analyze_curve("train", np.arange(10.0), np.full(10, np.nan))
    assert curve.non_finite_count == 10 and curve.windows == ()
    assert curve.summary.non_finite_step == 0.0


def test_shared_span_gives_both_splits_the_same_windows():
    steps = np.arange(0, 300, dtype=float)
    test_steps = steps[::10]
    tr = analyze_curve("train", steps, 3 - 0.005 * steps, span=(0.0, 299.0))
    te = analyze_curve("test", test_steps, 3 - 0.004 * test_steps, span=(0.0, 299.0))
    assert len(tr.windows) == len(te.windows)
    for a, b in zip(tr.windows, te.windows, strict=True):
        assert abs(a.start_step - b.start_step) <= 10 and abs(a.end_step - b.end_step) <= 10


def test_running_median_keeps_length_and_removes_a_lone_spike():
    v = np.ones(101)
    v[50] = 100.0
    out = running_median(v, 0.08)
    assert len(out) == 101 and out.max() == 1.0


def test_running_median_keeps_a_fast_move_at_the_start():
    # a test loss that shoots up in the first few points: the start stays low, the end robust
    values = np.r_[0.4, 6.0, 12.0, 18.0, np.full(96, 25.0)]
    values[-1] = 60.0                                   # one wild last point
    smooth = running_median(values, 0.08)
    assert smooth[0] == 0.4
    assert smooth[-1] == 25.0


# ---------------------------------------------------------------- a step of the learning rate

def _step_decay_run(drop_at: int, n: int = 120) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A loss easing down at rate 0.1, which drops 20% in one step when the rate is cut 10x
    at ``drop_at`` and then rests at its new level."""
    rng = np.random.default_rng(3)
    steps = np.arange(n, dtype=float)
    loss = 1.0 + np.exp(-steps / 30.0)
    loss = np.where(steps >= drop_at, loss[drop_at] * 0.8, loss)
    lr = np.where(steps >= drop_at, 0.01, 0.1)
    return steps, loss * np.exp(rng.normal(0, 0.002, n)), lr


def test_a_cut_of_the_rate_in_the_last_window_starts_its_trend():
    from lossdoctor.engine import rate_step

    steps, loss, lr = _step_decay_run(100)
    since = rate_step(steps, lr, (0.0, 119.0), DEFAULT)
    assert since == 100.0
    judged_whole = analyze_curve("test", steps, loss, (0.0, 119.0))
    judged_since = analyze_curve("test", steps, loss, (0.0, 119.0), since=since)
    assert labels(judged_whole)[-1] is FALLING       # the drop itself reads as a fall
    assert labels(judged_since)[-1] is FLAT          # after it the loss rests
    assert judged_since.windows[-1].start_step == 100.0


def test_a_smooth_decay_or_an_early_cut_starts_no_new_trend():
    from lossdoctor.engine import rate_step

    steps = np.arange(200, dtype=float)
    linear = 0.1 * (1 - steps / 200) + 1e-6                  # decays to almost 0, smoothly
    cosine = 0.05 * (1 + np.cos(np.pi * steps / 200)) + 1e-6
    assert rate_step(steps[:-1], linear[:-1], (0.0, 199.0), DEFAULT) is None
    assert rate_step(steps, cosine, (0.0, 199.0), DEFAULT) is None
    _, _, lr = _step_decay_run(30)
    assert rate_step(np.arange(120.0), lr, (0.0, 119.0), DEFAULT) is None


# ---------------------------------------------------------------- the residual scatter

def test_the_noise_of_a_short_noisy_curve_never_collapses_to_zero():
    # white noise on 11 points: a third of the residuals around a 3-point running median are
    # exactly 0 (each point that is its own window's median); they must not read it as clean
    from lossdoctor.trends import median_bias

    rng = np.random.default_rng(0)
    seen = []
    for _ in range(300):
        values = np.exp(rng.normal(0.0, 0.02, 11))            # 2% multiplicative noise
        seen.append(analyze_curve("train", np.arange(11.0), values).noise)
    seen = np.array(seen) / 0.02
    assert np.percentile(seen, 10) > 0.1                      # 0.0 with every zero kept
    # on the scale the thresholds were set with: what a 3-point median leaves of white noise
    assert np.median(seen) == pytest.approx(median_bias(3), rel=0.25)


def test_a_smooth_curve_keeps_a_small_noise():
    # a clean monotone decay: its zero residuals are not noise to be left out
    steps = np.arange(120.0)
    clean = analyze_curve("train", steps, 0.3 + 2.0 * np.exp(-steps / 30))
    assert clean.noise < 1e-3


def _with_midpoints(steps: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mid_s, mid_v = (steps[:-1] + steps[1:]) / 2, (values[:-1] + values[1:]) / 2
    order = np.argsort(np.concatenate([steps, mid_s]), kind="stable")
    return np.concatenate([steps, mid_s])[order], np.concatenate([values, mid_v])[order]


@pytest.mark.parametrize("seed", range(5))
def test_interpolated_points_do_not_make_a_noisy_curve_look_clean(seed):
    # a resampled export: one interpolated point between each pair of logged ones. Around a
    # running median they would halve the logged points' residuals and zero their own
    rng = np.random.default_rng(seed)
    steps = np.arange(40.0)
    values = (0.3 + 2.0 * np.exp(-steps / 10)) * np.exp(rng.normal(0.0, 0.05, 40))
    logged = analyze_curve("test", steps, values)
    dense = analyze_curve("test", *_with_midpoints(steps, values))
    assert dense.noise == pytest.approx(logged.noise, rel=1e-9)
    assert labels(dense) == labels(logged)


def test_a_straight_stretch_printed_to_few_digits_keeps_its_points():
    # 0.50, 0.49, 0.48, ...: every interior point lies on the line between its neighbours,
    # side by side, as no interpolation leaves them; and a blow-up's points are no midpoints
    from lossdoctor.trends import without_midpoints

    steps = np.arange(30.0)
    printed = np.round(0.5 - 0.01 * steps, 2)
    assert len(without_midpoints(steps, printed)[0]) == 30
    growing = np.exp(steps)
    assert len(without_midpoints(steps, growing)[0]) == 30
    assert len(without_midpoints(*_with_midpoints(steps, growing))[0]) == 30


def test_midpoints_do_not_make_a_short_log_long_enough_for_a_trend():
    # a 4-epoch run is too short for a verdict; written out with a point interpolated
    # between each pair of epochs (a resampled export) it has 7 points, 3 of them no
    # measurement: still too short, and not a plateau or an overfitting read into them
    import lossdoctor.api as api

    epochs = np.arange(4.0)
    train, test = np.array([1.39, 1.382, 1.386, 1.381]), np.array([1.388, 1.384, 1.387, 1.383])
    short = pd.DataFrame({"step": epochs, "loss": train, "val_loss": test})
    s, tr = _with_midpoints(epochs, train)
    dense = pd.DataFrame({"step": s, "loss": tr, "val_loss": _with_midpoints(epochs, test)[1]})
    assert api.diagnose(short).verdict == "not_enough_evidence"
    assert api.diagnose(dense).verdict == "not_enough_evidence"
    # a 3-epoch run written so has 5 points, 2 of them interpolated: still 3 measurements
    s, tr = _with_midpoints(epochs[:3], train[:3])
    dense = pd.DataFrame({"step": s, "loss": tr, "val_loss": _with_midpoints(epochs[:3],
                                                                             test[:3])[1]})
    assert api.diagnose(dense).verdict == "not_enough_evidence"


def test_a_loss_memorised_to_exact_zero_has_a_finite_noise():
    # a train loss printed as 0.0 for most of the run (memorised): its median is 0, so the
    # asinh scale is taken on its largest value, and the log's resolution is measured on
    # that scale too (it was a printed step over a median of 0: a noise of 1e295)
    steps = np.arange(60.0)
    values = np.where(steps < 10, np.geomspace(1.0, 1e-3, 60)[:60], 0.0)
    values[[20, 35, 50]] = 1e-4
    c = analyze_curve("train", steps, values)
    assert c.floor < 1e-3 and c.noise < 1e-3


# ---------------------------------------------------------------- order in the points


def test_white_noise_shows_no_order_and_a_trend_or_a_swing_does():
    from lossdoctor.rules.measures import trend_z, unordered

    rng = np.random.default_rng(0)
    calm = sum(unordered(rng.normal(0, 0.02, n)) for n in (12, 20, 40, 200) for _ in range(50))
    assert calm >= 180                     # of 200: the two tests' 1% and 5% false alarms
    t = np.arange(200.0)
    noise = rng.normal(0, 0.02, 200)
    assert not unordered(noise - 0.02 * t / 200)       # one sigma over the run, monotone
    assert not unordered(0.02 * np.sin(t / 10) + 0.2 * noise)    # a smooth swing
    # a U of 10 evaluations (a test loss at its best halfway, then back up) is structure
    assert not unordered(np.log([0.098, 0.084, 0.074, 0.074, 0.069, 0.072, 0.070, 0.082,
                                 0.075, 0.084]))
    # too few points for even a perfect order to show: no reading either way
    assert trend_z(np.arange(5.0)) is None and not unordered(np.array([1.0, 3, 2, 5, 4]))
    assert trend_z(-np.arange(30.0)) < -5
