"""Rules from tables of generated curves: each rule fires where it must and nowhere else."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from helpers import FRESH

import lossdoctor.api as api
from lossdoctor.records import Severity
from lossdoctor.rules import RULES

N = 120
T = np.arange(N, dtype=float)


def decay(floor: float, height: float = 2.0, tau: float = 15.0) -> np.ndarray:
    return floor + height * np.exp(-T / tau)


def noisy(curve: np.ndarray, rel: float = 0.01, seed: int = 0) -> np.ndarray:
    return curve * (1 + rel * np.random.default_rng(seed).standard_normal(len(curve)))


def frame(train: np.ndarray | None, test: np.ndarray | None, lr: float | np.ndarray | None
          = None, steps: np.ndarray = T) -> pd.DataFrame:
    cols: dict[str, object] = {"step": steps}
    if train is not None:
        cols["loss"] = train
    if test is not None:
        cols["val_loss"] = test
    if lr is not None:
        cols["lr"] = np.broadcast_to(lr, steps.shape).astype(float)
    return pd.DataFrame(cols)


# ---------------------------------------------------------------- curve shapes (by intent)

VAL_BOTTOM = 48.0            # overfitting: the test loss is lowest here
RISE_FROM = 60.0             # divergence: the blow-up starts here
FIRST_NAN = 84.0             # non_finite: NaN from this step on


def learning() -> pd.DataFrame:
    return frame(noisy(decay(0.2, tau=60), seed=1), noisy(decay(0.3, tau=70), seed=2), 1e-3)


def learning_train_only() -> pd.DataFrame:
    return frame(noisy(decay(0.2, tau=60), seed=3), None)


def overfitting() -> pd.DataFrame:
    val = 0.6 + 2.0 * np.exp(-T / 10) + 0.015 * np.clip(T - VAL_BOTTOM, 0, None)
    return frame(noisy(decay(0.05, tau=20), seed=4), noisy(val, seed=5), 1e-3)


def overfitting_test_flat_train_falls() -> pd.DataFrame:
    # the test loss levels off (creeping up well inside the flat tolerance), train keeps falling
    val = 0.9 + 2.0 * np.exp(-T / 6) + 0.0004 * np.clip(T - 40, 0, None)
    return frame(noisy(0.05 + 2.5 * np.exp(-T / 45), seed=6), noisy(val, 0.005, seed=7))


def plateau() -> pd.DataFrame:
    return frame(noisy(decay(0.6, tau=5), 0.004, 8), noisy(decay(0.7, tau=5), 0.004, 9), 3e-4)


def plateau_train_only() -> pd.DataFrame:
    return frame(noisy(decay(0.6, tau=5), 0.004, 10), None, 3e-4)


def data_problem() -> pd.DataFrame:
    train = 2.3 - 0.0002 * T                          # stuck near ln(10)
    return frame(noisy(train, 0.005, 11), noisy(decay(0.4, 1.9, 45), seed=12), 1e-3)


def _blowup(seed: int, nan_tail: int) -> tuple[np.ndarray, np.ndarray]:
    growth = np.exp(np.clip(T - RISE_FROM, 0, None) / 12)
    train = noisy(decay(0.3, tau=10) * growth, 0.02, seed)
    val = noisy(decay(0.4, tau=10) * growth, 0.02, seed + 1)
    if nan_tail:
        train[-nan_tail:] = np.nan
        val[-nan_tail + 1:] = np.nan
    return train, val


def divergence_to_nan() -> pd.DataFrame:
    train, val = _blowup(13, nan_tail=4)
    return frame(train, val, 3e-3)


def divergence_finite() -> pd.DataFrame:
    train, val = _blowup(15, nan_tail=0)
    return frame(train, val)


def lr_spikes() -> pd.DataFrame:
    train, val = noisy(decay(0.6, tau=10), 0.02, 17), noisy(decay(0.7, tau=10), 0.02, 18)
    for i, k in enumerate(range(30, N - 5, 12)):
        train[k] *= 3 + i % 7
        val[k + 1] *= 2.5 + i % 6
    return frame(train, val, 0.3)


def lr_rising_end() -> pd.DataFrame:
    # falls, then creeps back up by a sixth of its progress and rests there: too high, but
    # no blow-up
    end = 0.012 * np.clip(T - 75, 0, 25)
    return frame(noisy(decay(0.5, tau=10) + end, 0.01, 19),
                 noisy(decay(0.6, tau=10) + end, 0.01, 20), 0.1)


def blowup_under_way() -> pd.DataFrame:
    # falls, then both losses climb together, far out of their scatter and still climbing
    # at the end: a blow-up that has begun (not yet doubled) is named at once
    end = 0.012 * np.clip(T - 80, 0, None)
    return frame(noisy(decay(0.5, tau=10) + end, 0.01, 19),
                 noisy(decay(0.6, tau=10) + end, 0.01, 20), 0.1)


def train_climb_under_way() -> pd.DataFrame:
    # the same climb of the train loss alone, the test loss unmoved: no joint blow-up
    end = 0.012 * np.clip(T - 80, 0, None)
    return frame(noisy(decay(0.5, tau=10) + end, 0.01, 19),
                 noisy(decay(0.6, tau=10), 0.01, 20), 0.1)


def blown_up_and_stuck(rest: float, height: float = 1.0) -> pd.DataFrame:
    # learns ``height`` -> 0.005, blows up from RISE_FROM to ~1e5 and comes down to rest at
    # ``rest`` (the model predicting the mean), the test loss with it: flat at the end
    peak = np.exp(17.0 * np.exp(-((T - RISE_FROM - 12) / 5) ** 2))
    after = np.where(T > RISE_FROM + 12, rest, 0.0)
    train = np.maximum(decay(0.005, height, 8) * peak, after)
    train = np.where(T > RISE_FROM + 25, rest, train)
    return frame(noisy(train, 0.02, 45), noisy(train * 1.1, 0.02, 46), 2e-3)


def lr_bumps() -> pd.DataFrame:
    # falls, then its trend climbs back twice (x4, x3.5 over a dozen steps) and falls again
    bumps = 1 + 3 * np.exp(-((T - 50) / 6) ** 2) + 2.5 * np.exp(-((T - 90) / 6) ** 2)
    return frame(noisy(decay(0.1, 1.0, 15) * bumps, 0.01, 37),
                 noisy(decay(0.15, 1.0, 15) * bumps, 0.01, 38), 0.5)


def non_finite() -> pd.DataFrame:
    train, val = noisy(decay(0.2, tau=40), seed=21), noisy(decay(0.3, tau=40), seed=22)
    train[int(FIRST_NAN):] = np.nan
    val[int(FIRST_NAN) + 2:] = np.nan
    return frame(train, val, 2e-3)


def single_inf() -> pd.DataFrame:
    train = noisy(decay(0.2, tau=40), seed=23)
    train[70] = np.inf
    return frame(train, noisy(decay(0.3, tau=40), seed=24))


def sparse_validation() -> pd.DataFrame:
    # val logged every 10 steps in a wide frame: the NaN cells are gaps, not NaN losses
    val = noisy(decay(0.3, tau=60), seed=25)
    val[T % 10 != 0] = np.nan
    return frame(noisy(decay(0.2, tau=60), seed=26), val)


def train_converged_test_falls() -> pd.DataFrame:
    # train fell 99% and rests near zero (flat for its progress) while the test still falls:
    # a finished fit, not a stuck one
    train = 0.005 + 0.8 * np.exp(-T / 8)
    return frame(noisy(train, 0.01, 27), noisy(decay(0.1, 0.4, 70), 0.005, 28))


# ---------------------------------------------------------------- the table


@dataclass(frozen=True)
class Case:
    rule: str
    build: Callable[[], pd.DataFrame]
    fires: bool
    intent: str


def four_points() -> pd.DataFrame:
    """Four points that do not fall at each one: too few for a trend, and no order to read."""
    train, test = decay(0.3)[:4], decay(0.4)[:4]
    train[2] = train[1] * 1.01
    return frame(train, test, steps=T[:4])


CASES = [
    Case("not_enough_evidence", four_points, True, "four-points"),
    Case("not_enough_evidence", learning, False, "a-whole-run"),
    Case("learning", learning, True, "both-falling"),
    Case("learning", learning_train_only, True, "train-only-falling"),
    Case("learning", plateau, False, "both-flat"),
    Case("learning", train_converged_test_falls, True, "train-converged-test-falls"),
    Case("learning", overfitting, False, "test-rising"),
    Case("learning", divergence_finite, False, "blow-up"),
    Case("overfitting", overfitting, True, "test-u-shape"),
    Case("overfitting", overfitting_test_flat_train_falls, True, "test-flat-train-falls"),
    Case("overfitting", learning, False, "both-falling"),
    Case("overfitting", plateau, False, "both-flat"),
    Case("overfitting", learning_train_only, False, "no-test-curve"),
    Case("overfitting", data_problem, False, "test-still-falling"),
    Case("plateau", plateau, True, "both-flat"),
    Case("plateau", plateau_train_only, True, "train-only-flat"),
    Case("plateau", learning, False, "both-falling"),
    Case("plateau", overfitting, False, "test-rising"),
    Case("plateau", data_problem, False, "test-falling"),
    Case("data_problem", data_problem, True, "train-stuck-test-falls"),
    Case("data_problem", learning, False, "both-falling"),
    Case("data_problem", plateau, False, "both-flat"),
    Case("data_problem", plateau_train_only, False, "no-test-curve"),
    Case("data_problem", train_converged_test_falls, False, "train-converged-near-zero"),
    Case("divergence", divergence_to_nan, True, "blow-up-to-nan"),
    Case("divergence", divergence_finite, True, "blow-up-finite"),
    Case("divergence", learning, False, "both-falling"),
    Case("divergence", overfitting, False, "only-test-rises"),
    Case("divergence", lr_spikes, False, "spikes-without-blow-up"),
    Case("divergence", lr_bumps, False, "climbs-that-come-back-down"),
    Case("divergence", non_finite, False, "nan-after-healthy-run"),
    Case("divergence", blowup_under_way, True, "joint-climb-under-way"),
    Case("divergence", lr_rising_end, False, "stepped-up-and-rests"),
    Case("divergence", train_climb_under_way, False, "train-alone-climbs"),
    Case("lr_too_high", lr_spikes, True, "repeated-spikes"),
    Case("lr_too_high", lr_rising_end, True, "rising-end"),
    Case("lr_too_high", lr_bumps, True, "trend-climbs-back"),
    Case("lr_too_high", learning, False, "smooth-falling"),
    Case("lr_too_high", plateau, False, "flat-with-noise"),
    Case("lr_too_high", overfitting, False, "train-falls-test-rises"),
    Case("lr_too_high", data_problem, False, "train-stuck"),
    Case("non_finite", non_finite, True, "nan-from-a-step-on"),
    Case("non_finite", single_inf, True, "one-inf"),
    Case("non_finite", divergence_to_nan, True, "nan-after-blow-up"),
    Case("non_finite", learning, False, "all-finite"),
    Case("non_finite", sparse_validation, False, "nan-cells-are-gaps"),
]


def names(report) -> list[str]:
    return [d.name for d in report.diagnoses]


def get(report, name: str):
    return next(d for d in report.diagnoses if d.name == name)


@pytest.mark.parametrize("case", CASES,
                         ids=[f"{c.rule}-{'fires' if c.fires else 'not'}-{c.intent}"
                              for c in CASES])
def test_rule_table(case):
    report = api.diagnose(case.build())
    assert (case.rule in names(report)) == case.fires, (names(report), report.verdict)


# the clear-cut shapes also get the right verdict (the most urgent diagnosis)
VERDICTS = [(learning, "learning"), (overfitting, "overfitting"), (plateau, "plateau"),
            (data_problem, "data_problem"), (divergence_to_nan, "divergence"),
            (divergence_finite, "divergence"), (lr_spikes, "lr_too_high"),
            (lr_rising_end, "lr_too_high"), (blowup_under_way, "divergence"),
            (train_climb_under_way, "lr_too_high"), (non_finite, "non_finite")]


@pytest.mark.parametrize("build,verdict", VERDICTS, ids=[v[0].__name__ for v in VERDICTS])
def test_verdict_of_clear_cut_shapes(build, verdict):
    assert api.diagnose(build()).verdict == verdict


def test_every_rule_is_documented_unique_and_covered():
    codes = [r.code for r in RULES.values()]
    rule_names = [r.name for r in RULES.values()]
    assert len(set(codes)) == len(codes) and len(set(rule_names)) == len(rule_names)
    for r in RULES.values():
        assert r.doc and len(r.doc.splitlines()) >= 2, f"{r.name}: needs a docstring"
        assert r.summary and r.condition, r.name
        assert re.fullmatch(r"LD\d{3}", r.code), r.code
        assert any(c.rule == r.name and c.fires for c in CASES), f"{r.name}: no firing case"
        assert any(c.rule == r.name and not c.fires for c in CASES), f"{r.name}: no quiet case"
    assert {c.rule for c in CASES} <= set(rule_names), "a case names an unknown rule"


def test_name_code_and_severity_come_from_the_registration():
    """Rules return their facts; the engine stamps what ``@rule`` registered, once."""
    by_name = {r.name: r for r in RULES.values()}
    for c in CASES:
        if c.fires:
            for d in api.diagnose(c.build()).diagnoses:
                r = by_name[d.name]
                assert (d.code, d.severity) == (r.code, r.severity), d.name


def test_when_no_rule_decides_the_nearest_cell_is_stamped_too(monkeypatch):
    from dataclasses import replace

    for code, r in list(RULES.items()):
        monkeypatch.setitem(RULES, code, replace(r, check=lambda ctx, th: None))
    report = api.diagnose(overfitting())     # train falling, test rising: that cell
    d = report.diagnoses[0]
    assert d.message.startswith("Mixed trends:") and d.name == "overfitting"
    assert (d.code, d.severity, d.confidence) == ("LD201", Severity.WARNING, 0.3)
    # its onset is the test loss's smoothed best, where the overfitting rule would put it
    te = report.main.context.test
    assert d.start_step == d.evidence["test_best_step"] == te.steps[np.argmin(te.smooth)]
    report = api.diagnose(plateau())
    d = report.diagnoses[0]
    assert d.message.startswith("Mixed trends:") and d.name == "plateau"
    assert (d.code, d.severity, d.confidence) == ("LD202", Severity.WARNING, 0.3)


def test_when_no_rule_decides_a_rising_train_loss_is_nearest_a_rate_too_high(monkeypatch):
    """No rule fires; the train loss's last window rises and no curve falls: "if the loss
    rises during training, the learning rate is usually too large" (the source notes), not
    a plateau. With a falling curve beside it, the run is mixed: a plateau."""
    from dataclasses import replace

    for code, r in list(RULES.items()):
        monkeypatch.setitem(RULES, code, replace(r, check=lambda ctx, th: None))
    up = np.where(T < 80, decay(0.5, 1.0, 20), decay(0.5, 1.0, 20)[80] * (1 + 0.004 * (T - 80)))
    d = api.diagnose(frame(noisy(up, 0.005, 47), noisy(1.2 * up, 0.005, 48))).diagnoses[0]
    assert d.message.startswith("Mixed trends:") and d.name == "lr_too_high"
    assert d.confidence == 0.3
    # its onset is where the train loss's climb began (step 80), as the rule's own findings
    # place it: within a tenth of the run
    assert abs(d.start_step - 80) <= N / 10 and d.evidence["rise_start_step"] == d.start_step
    falling = noisy(decay(0.3, 1.0, 40), 0.005, 49)
    assert api.diagnose(frame(noisy(up, 0.005, 47), falling)).diagnoses[0].name == "plateau"


def test_when_no_rule_decides_a_test_loss_rising_with_the_train_loss_is_a_rate_too_high(
        monkeypatch):
    """No rule fires; the test loss's last window rises by a share that matters and the
    train loss, its own last window flat, stands higher than at the test loss's best by half
    that rise or more: the weights got worse on both sets, as a rate too high makes them
    (set28's w048: both losses thrown up together to a level that rests). A train loss that
    fell meanwhile is the overfitting cell; one that did not move with it, a plateau."""
    from dataclasses import replace

    for code, r in list(RULES.items()):
        monkeypatch.setitem(RULES, code, replace(r, check=lambda ctx, th: None))
    base = decay(0.5, 1.0, 20)
    step = np.where(T < 60, base, base[60] * np.minimum(1.3, 1 + 0.05 * (T - 60)))
    rising = np.where(T < 60, 1.2 * base, 1.2 * base[60] * (1 + 0.006 * (T - 60)))
    test = noisy(rising, 0.005, 52)
    d = api.diagnose(frame(noisy(step, 0.005, 51), test)).diagnoses[0]
    assert d.message.startswith("Mixed trends:") and d.name == "lr_too_high", d.message
    ends = [c.windows[-1].direction.value for c in api.diagnose(frame(
        noisy(step, 0.005, 51), test)).main.context.curves()]
    assert ends == ["flat", "rising"]
    fell = np.where(T < 60, base, base[60] * (1 - 0.003 * (T - 60)))
    assert api.diagnose(frame(noisy(fell, 0.005, 51), test)).diagnoses[0].name == "overfitting"
    flat = np.where(T < 60, base, base[60])
    assert api.diagnose(frame(noisy(flat, 0.005, 51), test)).diagnoses[0].name == "plateau"


def test_a_test_loss_swinging_down_within_a_flat_last_window_made_no_progress():
    """set38's s38_030 (a fresh run in the repository): a rate too high throws the test loss
    0.04 -> 0.24 -> 0.10 -> 0.31 -> 0.085 over its last evaluations beside a train loss
    wandering 0.05-0.25. The last window's Theil-Sen slope, tilted by the peak at its start,
    "fell" more than the test loss swings, yet the window reads flat (within its noise):
    that swing down is the swinging, not progress, and the swings are the rate's (a plateau
    before)."""
    report = api.diagnose(FRESH / "set38" / "s38_030" / "train_log.csv")
    test_curve = report.main.context.test
    assert test_curve.windows[-1].direction.value == "flat"
    assert test_curve.windows[-1].share < 0          # its slope tilts down
    d = report.diagnoses[0]
    assert d.name == "lr_too_high" and "test_swing" in d.evidence, d.message


@pytest.mark.parametrize("seed", [16, 30])
def test_a_flat_short_log_whose_noise_reads_as_a_rise_is_no_rate_too_high(seed):
    """19 evaluations of two losses that fell at once and then scatter 5% around 0.07: the
    train loss's last few points read as rising (noise, on too few points to tell), the
    test loss as flat, and no rule decides. The rise is no share of what the loss fell on
    its own scale: the nearest cell is a plateau, not a rate too high."""
    t = np.arange(19.0)
    train = noisy(0.07 + 0.3 * np.exp(-t / 0.7), 0.05, seed=100 + seed)
    test = noisy(0.08 + 0.3 * np.exp(-t / 0.7), 0.05, seed=200 + seed)
    d = api.diagnose(frame(train, test, steps=t)).diagnoses[0]
    assert d.message.startswith("Mixed trends: train loss is rising"), d.message
    assert d.name == "plateau"


def test_a_noisy_per_step_loss_at_its_floor_rising_within_its_noise_is_no_rate_too_high():
    """46 per-step losses of single batches (30% multiplicative noise) that fell 1.1 -> 0.2
    and then scatter around it, train only: a last window read as rising at a couple of
    standard errors, with no rule deciding, is no rate too high unless the rise since the
    best stands out of the noise (``end_rise``'s z, the dip expected of the lowest of the
    curve's stretches taken off): 10 of 200 seeds said lr_too_high, the nearest cell of
    the mixed trends; a plateau (or the learning it still is) now."""
    t = np.arange(46) * 50.0 + 49
    said = []
    for seed in range(200):
        y = (0.2 + 0.9 * np.exp(-t / 200)) * np.exp(
            np.random.default_rng(seed).normal(0, 0.3, len(t)))
        d = api.diagnose(frame(y, None, steps=t)).diagnoses[0]
        if d.message.startswith("Mixed trends") and d.name == "lr_too_high":
            said.append(seed)
    assert said == []


@pytest.mark.parametrize("tau", [1.5, 6.0])
def test_a_plateau_after_a_fast_fall_starts_where_the_loss_came_to_rest(tau):
    """400 per-batch losses that fall 2.2 -> 0.003 within their first points and then rest
    (a posture detector's log): every window is flat (tau 1.5: a Theil-Sen slope of the first
    window's 133 points, most of them level, does not see the fall) or the first falls and
    the rest are flat (tau 6). The plateau began where the smoothed curve came within the
    last window's flat tolerance of its level (about 8 tau), not at the first step nor at
    the second window's start, whatever the noise; a curve that never moved rests from its
    start."""
    t = np.arange(400.0)
    since = set()
    for rel in (0.02, 0.05, 0.1):
        y = noisy(2.2 * np.exp(-t / tau) + 0.0026, rel, 7)
        d = get(api.diagnose(frame(y, None, steps=t)), "plateau")
        assert d.start_step == d.evidence["flat_since_step"]
        assert f"since about step {d.start_step:g}" in d.message
        since.add(d.start_step)
    assert all(4 * tau <= s <= 12 * tau for s in since), since
    still = get(api.diagnose(frame(noisy(np.full(400, 2.3), 0.0005, 8), None, steps=t)),
                "plateau")
    assert still.evidence["flat_since_step"] == 0


# ---------------------------------------------------------------- onsets


def test_overfitting_starts_near_the_test_minimum():
    d = get(api.diagnose(overfitting()), "overfitting")
    assert abs(d.start_step - VAL_BOTTOM) <= 0.15 * N
    assert abs(d.evidence["test_best_step"] - VAL_BOTTOM) <= 0.1 * N
    # the test loss rose from its best: overfitting began there (LABELS.md's onset, the
    # smoothed test minimum), not where it first came within its flat band of it
    assert d.start_step == d.evidence["test_best_step"]


def test_divergence_starts_where_the_rise_begins():
    for build in (divergence_to_nan, divergence_finite):
        d = get(api.diagnose(build()), "divergence")
        assert abs(d.start_step - RISE_FROM) <= 0.1 * N, build.__name__


@pytest.mark.parametrize("rise_from", [30.0, 60.0, 90.0])
def test_divergence_onset_is_where_the_loss_left_its_best_for_good(rise_from):
    # flat at its best, then an exponential blow-up from ``rise_from``
    train = noisy(0.4 * np.exp(np.clip(T - rise_from, 0, None) / 6), 0.02, 31)
    d = get(api.diagnose(frame(train, noisy(train * 1.2, 0.02, 32))), "divergence")
    assert abs(d.start_step - rise_from) <= 0.1 * N
    assert d.start_step >= d.evidence["train_best_step"]


def test_a_blow_up_that_undid_all_it_learned_is_divergence_though_it_rests_at_the_end():
    # the loss blew up (to 1e5) and rests above its start, 200x its best: the run destroyed
    # what it learned, climbing or not; the 1e5 peak does not make the rest immaterial
    d = get(api.diagnose(blown_up_and_stuck(1.07)), "divergence")
    assert api.diagnose(blown_up_and_stuck(1.07)).verdict == "divergence"
    assert abs(d.start_step - RISE_FROM) <= 0.1 * N


def test_a_blow_up_that_left_the_loss_far_above_its_best_is_divergence_below_its_start_too():
    # learned 5 -> 0.005 and rests at 0.3 after the blow-up: below its start, but 60x its
    # best (divergence_factor 10x); without a test loss to confirm it, a train loss resting
    # 10x above its best is no divergence (a per-step loss's best can be a deep noise dip)
    log = blown_up_and_stuck(0.3, height=5.0)
    assert api.diagnose(log).verdict == "divergence"
    assert "divergence" not in names(api.diagnose(log.drop(columns="val_loss")))


def test_a_blow_up_that_rests_a_few_times_its_best_is_a_rate_too_high():
    # the same blow-up coming down to rest at 0.02: 4x its best, far below its start; a
    # rate too high that knocked the model back, not divergence
    assert api.diagnose(blown_up_and_stuck(0.02)).verdict == "lr_too_high"


def test_lone_spikes_while_both_losses_fall_in_every_window_are_no_rate_too_high():
    # both losses fall over four decades to their lowest values at the end, the train loss
    # spiking x2-3 five times late on (small batches near zero): noise around a falling
    # trend; the same spikes once the losses have levelled off are a rate too high
    falling = np.exp(-T / 12)
    train, test = noisy(falling, 0.02, 51), noisy(1.3 * falling, 0.02, 52)
    for i, k in enumerate((70, 82, 93, 104, 111)):
        train[k] *= 2.2 + 0.2 * i
    report = api.diagnose(frame(train, test))
    assert report.verdict == "learning", report.verdict
    assert "lr_too_high" not in names(report)
    assert api.diagnose(lr_spikes()).verdict == "lr_too_high"


def test_a_train_loss_thrown_up_alone_beside_a_test_loss_creeping_up_is_no_divergence():
    # a Bayesian net's train loss, NLL plus a KL term whose weight is ramped up: 0.33 ->
    # 100 and rising, while the test loss (the NLL alone) creeps up 10% from its best; not
    # one blow-up of the weights (the test loss rose under 5% as far on the log scale)
    ramp = np.clip((T - 10) / 60, 0, 1)
    train = noisy(0.33 + 100 * ramp ** 2 + 0.02 * T / N, 0.01, 49)
    test = noisy(0.45 * (1 + 0.1 * np.clip((T - 10) / (N - 10), 0, 1)), 0.005, 50)
    report = api.diagnose(frame(train, test))
    assert "divergence" not in names(report), report.verdict


@pytest.mark.parametrize("tau", [6.0, 15.0, 25.0])
def test_a_blow_up_is_named_as_soon_as_it_has_clearly_begun(tau):
    # flat at its best, then both losses blow up from RISE_FROM (doubling every tau ln 2
    # steps): the first prefix named divergence comes a few points after the onset, before
    # the loss has doubled, and says how far out of its scatter the climb stands
    train = noisy(0.4 * np.exp(np.clip(T - RISE_FROM, 0, None) / tau), 0.02, 31)
    log = frame(train, noisy(train * 1.2, 0.02, 32))
    named = next(n for n in range(int(RISE_FROM), N + 1)
                 if api.diagnose(log.iloc[:n]).verdict == "divergence")
    assert named - RISE_FROM <= 6
    assert train[named - 1] < 2 * 0.4
    d = get(api.diagnose(log.iloc[:named]), "divergence")
    assert d.evidence["train_blowup_sigmas"] >= 4 and "noise sigmas" in d.message
    assert abs(d.start_step - RISE_FROM) <= 3


@pytest.mark.parametrize("build", [lr_spikes, train_climb_under_way, learning],
                         ids=lambda b: b.__name__)
def test_no_prefix_of_a_run_that_does_not_blow_up_jointly_says_divergence(build):
    log = build()
    said = {api.diagnose(log.iloc[:n]).verdict for n in range(10, N + 1, 5)}
    assert "divergence" not in said, said


def test_a_climb_like_one_that_came_back_down_before_is_no_blow_up():
    # while the first bump climbs (x2.5 and rising at step 50) a prefix cannot tell it from
    # a blow-up beginning; once it has come back down, the second, no larger, is a swing
    log = lr_bumps()
    assert api.diagnose(log.iloc[:48]).verdict == "divergence"
    said = {api.diagnose(log.iloc[:n]).verdict for n in range(60, N + 1, 2)}
    assert said == {"lr_too_high"}


def test_a_blow_up_that_leaves_an_earlier_knock_far_below_is_named_as_it_begins():
    # a rate that keeps growing: a knock up x20 at step 42 that comes back down, then from
    # step 80 a climb. Its climb stays under twice the knock's (in log units) until the loss
    # stands x20 above the knock's peak, but it is named once it stands a few times above
    knock = 1 + 19 * np.exp(-((T - 42) / 3) ** 2)
    growth = np.exp(np.clip(T - 80, 0, None) / 4)
    train = noisy(decay(0.1, 1.0, 10) * knock * growth, 0.02, 43)
    log = frame(train, noisy(decay(0.15, 1.0, 10) * knock * growth, 0.02, 44))
    named = next(n for n in range(60, N + 1) if api.diagnose(log.iloc[:n]).verdict == "divergence")
    peak = train[30:60].max()
    assert peak < train[named - 1] < 5 * peak


@pytest.mark.parametrize("after,verdict", [(0.3, "learning"), (0.85, "lr_too_high")])
def test_a_knock_the_run_learned_far_past_is_history(after, verdict):
    """One bad batch at step 55 knocks both losses up 5x; they recover and keep falling,
    ending at 0.3 of where they were knocked from, well below it: the state at the end is
    learning. A loss that only gets back to about where it was knocked from (0.85 of it)
    is still the rate's doing."""
    knock = 1 + 4 * np.exp(-((T - 55) / 4) ** 2)
    level = np.where(T < 50, 0.2 + 2 * np.exp(-T / 10), 0.2135 * after ** ((T - 50) / 69))
    report = api.diagnose(frame(noisy(level * knock, 0.01, 45), noisy(1.1 * level * knock,
                                                                       0.01, 46)))
    assert report.verdict == verdict, report.main.diagnoses


@pytest.mark.parametrize("tau", [8, 20])
def test_a_test_loss_knock_inside_overfitting_yields_to_it(tau):
    # the test loss is U-shaped; on its rising side it jumps x1.5 for ten evaluations and
    # comes back down. Beside a train loss that came to rest (tau 8) the knock is reported,
    # but the verdict is the overfitting; beside one still falling to new lows (tau 20) it
    # is not a rate too high at all: a too-high rate would throw the train loss off too
    val = 0.6 + 2.0 * np.exp(-T / 10) + 0.006 * np.clip(T - VAL_BOTTOM, 0, None)
    bump = np.where((T >= 60) & (T < 70), 1.5, 1.0)
    report = api.diagnose(frame(noisy(decay(0.05, tau=tau), seed=4),
                                noisy(val * bump, 0.02, seed=5), 1e-3))
    assert report.verdict == "overfitting"
    found = {d.name: d for d in report.main.diagnoses}
    assert ("lr_too_high" in found) == (tau == 8)
    if tau == 8:
        assert "test_knock" in found["lr_too_high"].evidence


@pytest.mark.parametrize("until, verdict", [(40, "learning"), (55, "learning"),
                                            (100, "lr_too_high"), (118, "lr_too_high")])
def test_spikes_the_run_got_over_are_history_not_the_verdict(until, verdict):
    # spikes up to step ``until``, a smooth fall throughout: spikes only in the first half,
    # with every later train window falling, are over; spikes into the second half are not
    train, val = noisy(decay(0.01, 1.0, 25), 0.02, 17), noisy(decay(0.012, 1.0, 25), 0.02, 18)
    for i, k in enumerate(range(8, until, 6)):
        train[k] *= 3 + i % 4
    assert api.diagnose(frame(train, val, 0.05)).verdict == verdict


@pytest.mark.parametrize("scatter, verdict", [(0.01, "plateau"), (0.6, "lr_too_high")])
def test_early_spikes_before_a_calm_flat_run_are_history(scatter, verdict):
    # the test loss jumps x100 and x50 during the first fifth, then both curves rest on
    # their floors: a run that settled is read at its end (plateau); one whose train loss
    # still scatters by factors between the spikes has not settled
    train = noisy(decay(0.03, 2.0, 5), scatter, 61)
    val = noisy(decay(0.03, 2.0, 5), 0.01, 62)
    val[[8, 20]] *= (100, 50)
    assert api.diagnose(frame(np.abs(train), val)).verdict == verdict


@pytest.mark.parametrize("train_rests", [False, True])
def test_test_swings_beside_a_steadily_learning_train_loss_are_no_lr_verdict(train_rests):
    # the test loss swings by factors around a level (a small validation set) while the train
    # loss falls smoothly to new lows: the evaluation is noisy, the optimizer is not; beside
    # a train loss that has come to rest, the same swings read as a rate too high
    rng = np.random.default_rng(71)
    train = noisy(decay(0.01, 0.4, 30), 0.005, 72)
    if train_rests:
        train = noisy(decay(0.05, 0.4, 8), 0.005, 72)     # resting since step ~40
    val = 0.02 * np.exp(0.8 * rng.standard_normal(N))
    found = {d.name: d for d in api.diagnose(frame(train, val)).main.diagnoses}
    assert ("lr_too_high" in found) == train_rests, found
    if train_rests:
        assert "test_swing" in found["lr_too_high"].evidence


def test_a_slow_steady_climb_back_from_a_deep_minimum_is_overfitting():
    # the test loss fell 8x, then climbs back steadily by 13% (under a tenth of its
    # progress on the log scale) while the train loss rests: overfitting, not a plateau
    val = (0.15 + 1.2 * np.exp(-T / 8)) * np.exp(0.002 * np.clip(T - 40, 0, None))
    report = api.diagnose(frame(noisy(decay(0.04, 1.3, 10), 0.02, 51), noisy(val, 0.005, 52)))
    assert report.verdict == "overfitting"
    assert "risen to" in get(report, "overfitting").message


def test_a_train_loss_rounded_to_its_last_printed_digit_does_not_decide():
    # the train loss is printed to 4 decimals (as Hugging Face's Trainer does) and reads
    # 0.0001 for the whole last window while the test loss keeps falling: the train loss
    # cannot show a fall there, so the test loss carries the verdict, and the report says why
    train = np.round(noisy(2.0 * np.exp(-T / 5) + 1.2e-4, 0.01, 71), 4)
    report = api.diagnose(frame(train, noisy(0.01 * np.exp(-T / 40) + 1e-5, 0.005, 72)))
    assert report.verdict == "learning"
    assert "printed in steps of 0.0001" in get(report, "learning").message
    # printed finely, the same flat train loss beside a falling test loss is mixed, not learning
    train = noisy(np.full(N, 0.5), 0.01, 73)
    report = api.diagnose(frame(train, noisy(0.01 * np.exp(-T / 40) + 1e-5, 0.005, 72)))
    assert report.verdict != "learning"


def test_a_test_loss_drifting_down_within_a_risen_level_is_still_overfitting():
    # the test loss bottoms out at step 9, stands 15% higher from step 40 and drifts down 2%
    # over the last window, while the train loss falls 5000x: the drift is no new best
    val = 0.035 * (1 + 0.15 * (1 - np.exp(-np.clip(T - 10, 0, None) / 10)))
    val = val * (1 - 0.0005 * np.clip(T - 60, 0, None))
    val[:10] = np.linspace(0.05, 0.035, 10)
    report = api.diagnose(frame(noisy(0.08 * np.exp(-T / 12) + 1e-5, 0.02, 91),
                                noisy(val, 0.002, 92)))
    assert report.runs[0].context.test.windows[-1].direction.value == "falling"
    assert report.verdict == "overfitting"


def test_a_sparse_noisy_test_loss_falling_beside_a_falling_train_loss_is_learning():
    # 8 evaluations with 12% noise of a test loss that keeps falling, beside a per-step train
    # loss that falls: a last test window falling by a relevant share on too few points to
    # be significant does not turn the run into "mixed trends" (12 noise seeds)
    ev = np.arange(7, N, 16)
    said = []
    for seed in range(12):
        test = np.full(N, np.nan)
        test[ev] = noisy(1.2 + 1.4 * np.exp(-ev / 70.0), 0.12, 200 + seed)
        said.append(api.diagnose(frame(noisy(1.0 + 3.5 * np.exp(-T / 40), 0.05, 95), test)).verdict)
    assert said.count("learning") >= 8, said


def test_a_flat_test_loss_whose_lowest_point_is_its_last_is_still_overfitting():
    """Keras early stopping on a small train set: the test loss levels off at 1.15 by epoch
    4 and then drifts within its noise, a hair lower at the very end, while the train loss
    falls 1.32 -> 0.25. Its end being its lowest point does not make it learning."""
    t = np.arange(17, dtype=float)
    test = (1.15 + 0.25 * np.exp(-t / 1.5)) * (1 + 0.006 * np.sin(2.1 * t))
    test[-2:] = test[4:].min() - [0.001, 0.002]
    train = 0.1 + 1.22 * np.exp(-t / 8)
    report = api.diagnose(frame(noisy(train, 0.01, 51), test, steps=t))
    assert report.verdict == "overfitting", report.main.diagnoses
    assert get(report, "overfitting").evidence["test_best_step"] <= 8


def test_a_test_loss_level_for_most_of_the_run_is_overfitting_despite_a_falling_last_window():
    """A DETR run: the test loss levels off at 8.0 by epoch 80 of 300 and wanders 8.0-8.4
    while the train loss falls 4x; a rate drop at epoch 200 brings both down a little, so
    the test loss's last window falls (significantly) to a new low a hair under its old
    level. Level for most of the run beside a train loss still learning fast: overfitting.
    A test loss still easing down window after window (levelling only in its last window)
    stays learning."""
    t = np.arange(300, dtype=float)
    drop = t >= 200
    test = 8.0 + 4.5 * np.exp(-t / 20) + 0.25 * np.sin(t / 15) * ~drop
    test[drop] = 8.0 + 0.2 * np.exp(-(t[drop] - 200) / 15) - 0.02 * (t[drop] - 200) / 100
    train = (1.4 + 15 * np.exp(-t / 30)) * np.where(drop, 0.85, 1.0)
    report = api.diagnose(frame(noisy(train, 0.02, 61), noisy(test, 0.004, 62), steps=t))
    assert report.runs[0].context.test.windows[-1].direction.value == "falling"
    assert report.verdict == "overfitting", report.main.diagnoses
    easing = 0.62 + 0.08 * np.exp(-t / 150)
    report = api.diagnose(frame(noisy(0.45 + 0.25 * np.exp(-t / 120), 0.03, 63),
                                noisy(easing, 0.002, 64), steps=t))
    assert report.verdict == "learning", report.main.diagnoses


def test_a_jump_at_the_second_epoch_that_holds_starts_there():
    """A run blown up between its first and second epoch that then sits at the new level
    for 600 epochs: the rise is named where it happened, not at the last step (the climb's
    start was sought only after the running median had settled, on the flat stretch)."""
    t = np.arange(1, 623, dtype=float)
    train = np.where(t < 2, 5.4e30, 3.19e31) * (1 + 1e-6 * np.sin(t))
    report = api.diagnose(frame(train, None, steps=t))
    d = get(report, "lr_too_high")
    assert d.start_step <= 2, d.message
    assert "the climb began at step 622" not in d.message


def test_a_test_loss_written_as_0_at_every_point_is_no_evaluation():
    """YOLO writes its val losses as 0 when validation is skipped: beside a train loss that
    falls, a test 'loss' of exact zeros is no measurement (it read as a flat test loss and
    the run as a plateau). Zeros among real values, or on both curves, are kept."""
    train = noisy(decay(0.2, tau=60.0), 0.01, 71)
    report = api.diagnose(frame(train, np.zeros(N)))
    assert report.verdict == "learning", report.main.diagnoses
    assert any("test loss is 0 at all 120 of its points" in n for n in report.main.notes)
    assert report.runs[0].context.test is None
    some = decay(0.5, 1.0)
    some[::10] = 0.0
    report = api.diagnose(frame(train, some))
    assert report.runs[0].context.test is not None


def test_a_test_loss_still_making_new_lows_beside_a_falling_train_loss_is_learning():
    """XGBoost rounds (fresh set11's z008): the train loss falls, the validation loss eases
    by a share of its progress too small for its last window to count as falling, and no
    rule decides. Its lowest logged value is its last: it still improves, the learning cell
    (a plateau was said). Held at an earlier value for its last 20 rounds, it is not."""
    log = api.load(FRESH / "set11" / "z008" / "train.log")
    report = api.diagnose(log)
    assert "Mixed trends" in report.main.diagnoses[0].message
    assert report.runs[0].context.test.windows[-1].direction.value == "flat"
    assert report.verdict == "learning", report.main.diagnoses
    frame_ = log.frame.copy()
    test = (frame_["split"] == "test").to_numpy()
    late = test & (frame_["step"] >= frame_.loc[test, "step"].max() - 19).to_numpy()
    held = frame_.loc[test & ~late].sort_values("step")["value"].iloc[-1]
    frame_.loc[late, "value"] = held * (1 + 0.001 * np.arange(late.sum()) % 3)
    assert api.diagnose(frame_).verdict != "learning"


def test_a_test_loss_whose_rising_window_ends_at_its_lowest_value_still_learns():
    # a Lightning run's metrics.csv (a real log): 15 evaluations, flat and noisy 0.69-0.75
    # for ten, then 0.654, its lowest, at the last: its last window's trend rises (2.8
    # standard errors) but it logged a new low at its end, beside a train loss still falling
    steps = np.arange(1, 16) * 312.0 - 1
    val = np.array([0.790277, 0.736276, 0.730639, 0.751753, 0.703568, 0.694638, 0.713700,
                    0.704101, 0.747172, 0.700902, 0.685524, 0.694699, 0.710113, 0.711735,
                    0.654182])
    train = np.array([0.745922, 0.657956, 0.609840, 0.580966, 0.572478, 0.522187, 0.513100,
                      0.466713, 0.461795, 0.435926, 0.452937, 0.411184, 0.401880, 0.391326,
                      0.371433])
    data = pd.DataFrame({"step": steps, "train_loss": train, "val_loss": val})
    report = api.diagnose(data)
    assert report.runs[0].context.test.windows[-1].direction.value == "rising"
    assert report.verdict == "learning", report.main.diagnoses
    data.loc[14, "val_loss"] = 0.70          # no new low at its end: not learning
    assert api.diagnose(data).verdict != "learning"


def test_a_noisy_train_loss_rising_late_beside_a_test_loss_still_learning():
    # a W&B run (a real log): the train loss is one batch's value per epoch, up late from
    # 0.022 to 0.12 and back (a late rise of 4.5 standard errors on a running median of 3);
    # the validation loss falls in every window to its lowest value at the last epoch: the
    # batches' noise, not a rate too high (lr_too_high had been said)
    train = [0.191, 0.3536, 0.1829, 0.0369, 0.022, 0.0835, 0.0712, 0.0934, 0.12, 0.0399]
    val = [0.2291, 0.2384, 0.1805, 0.1666, 0.1693, 0.1479, 0.1423, 0.1264, 0.1346, 0.1138]
    def run(test: list[float]) -> str:
        steps = np.arange(10) * 6.0
        data = pd.concat([pd.DataFrame({"step": steps + 2, "train_loss": train}),
                          pd.DataFrame({"step": steps + 5, "val_loss": test})])
        return api.diagnose(data.sort_values("step")).verdict
    assert run(val) == "learning"
    # no new low at its end: the rise stands
    assert run(val[:8] + [0.1546, 0.1638]) == "lr_too_high"


def test_a_train_loss_logged_as_a_sum_beside_a_test_mean_both_falling_is_learning():
    """A ViT's custom CSV: train_loss the epoch's sum over ~500 batches (812 -> 515), val_loss
    a mean (1.73 -> 0.91), both still falling. The train loss ends 300x above the highest
    test loss, which read as a train set the model cannot fit (data_problem); two curves
    both still learning are the learning cell, whatever their levels."""
    t = np.arange(50, dtype=float)
    train = noisy(480 + 330 * np.exp(-t / 30), 0.005, 91)
    test = noisy(0.8 + 0.93 * np.exp(-t / 25), 0.01, 92)
    report = api.diagnose(frame(train, test, steps=t))
    assert report.verdict == "learning", report.main.diagnoses
    assert not any(d.name == "data_problem" for d in report.diagnoses)


def test_a_test_rise_the_train_loss_shares_is_not_overfitting():
    # from step 50 to 80 both losses rise 28% and rest there: the weights got worse on both
    # sets (too high a rate), not memorisation; the same test rise beside a train loss that
    # stays at its low is overfitting
    up = np.exp(0.25 * np.clip((T - 50) / 30, 0, 1))
    val = noisy((0.55 + 0.6 * np.exp(-T / 15)) * up, 0.01, 98)
    both = api.diagnose(frame(noisy((0.5 + 14 * np.exp(-T / 8)) * up, 0.01, 97), val))
    assert "overfitting" not in names(both)
    alone = api.diagnose(frame(noisy(0.5 + 14 * np.exp(-T / 8), 0.01, 97), val))
    assert alone.verdict == "overfitting"


def test_two_flat_curves_of_white_noise_are_a_plateau_not_a_rate_too_high():
    # both losses at rest around their levels with 2% multiplicative noise, 12-40 epochs:
    # the scatter of a 20-point curve's residuals is itself loose, and its smoothed values
    # stood apart by more than the noise seemed to explain; read as moved, its last points
    # then made a "late rise" (lr_too_high on 75 of 300 draws). Points that show neither a
    # trend nor any order are noise around a level now
    # (21 of 300 then; 5 since a curve moving under 4% of its level in all reads as still)
    verdicts, said = [], 0
    for n in (12, 20, 40):
        t = np.arange(n, dtype=float)
        for seed in range(100):
            rng = np.random.default_rng(seed)
            report = api.diagnose(frame(1.95 * np.exp(rng.normal(0, 0.02, n)),
                                        1.93 * np.exp(rng.normal(0, 0.02, n)), steps=t))
            verdicts.append(report.verdict)
            said += any(note.endswith("read as noise around its level, not moving")
                        or note.endswith("over the whole run: read as not moving")
                        for note in report.runs[0].notes)
    assert verdicts.count("plateau") >= 285
    assert verdicts.count("lr_too_high") <= 10
    assert said == 300           # the notes say why a curve read as still
    report = api.diagnose(frame(1.95 * np.exp(np.random.default_rng(1).normal(0, 0.02, 20)),
                                None, steps=np.arange(20.0)))
    assert report.verdict == "plateau"


def test_a_test_knock_beside_a_calm_flat_train_loss_gives_way_to_a_data_problem():
    # set27's q007/q015: corrupted train labels hold the train loss flat (2.5% scatter) at
    # 1.01, above a test loss wandering around 0.9 that was knocked up 8% for two
    # evaluations; over 100 draws, every run where both a data problem and that knock are
    # found is the data problem (the knock alone is the evaluation's noise, not a rate)
    both = 0
    for seed in range(100):
        rng = np.random.default_rng(seed)
        t = np.arange(9, 1549, 9.0)
        train = 1.01 * np.exp(rng.normal(0, 0.025, len(t)))
        train[:3] = [1.15, 1.08, 1.05]
        ev = np.arange(36, 1549, 36.0)
        test = 0.9 * np.exp(rng.normal(0, 0.025, len(ev)))
        test[:2] = [0.94, 0.938]
        test[23:25] *= 1.08
        val = np.full(len(t), np.nan)
        val[np.searchsorted(t, ev)] = test
        report = api.diagnose(frame(train, val, steps=t))
        if {"data_problem", "lr_too_high"} <= set(names(report)):
            both += 1
            assert report.verdict == "data_problem", seed
    assert both >= 3


def test_a_memorised_train_loss_climbing_100x_near_zero_has_not_diverged():
    # memorised from 1 to 1e-4 by step 25, then climbing steadily to 1e-2 over the last
    # third (100x its best on the log scale, 0.01 on its own) beside a test loss creeping
    # up: no blow-up (a false divergence fails a CI gate), the overfitting it is
    rng = np.random.default_rng(5)
    t = np.arange(200, dtype=float)
    log_train = np.where(t < 25, np.log(1e-4) * t / 25,
                         np.log(1e-4) + np.log(100) * np.clip((t - 130) / 70, 0, 1))
    train = np.exp(log_train + rng.normal(0, 0.3, len(t)))
    val = noisy(0.08 + 0.8 * np.exp(-t / 6) + 0.05 * np.clip((t - 40) / 160, 0, 1), 0.01, 6)
    report = api.diagnose(frame(train, val, steps=t))
    assert "divergence" not in names(report)
    assert report.verdict == "overfitting"


def test_a_memorised_train_loss_wandering_up_near_zero_does_not_share_a_test_rise():
    # set26's r018: a train loss memorised from 1 to 1e-3 by step 25 then wandering up to
    # 1e-2 (a rise of 2.3 on the log scale, 0.009 on the loss's own) beside a test loss
    # that bottoms at 0.08 and creeps up to 0.13: memorisation, not weights getting worse
    # on both sets; the same test rise beside a train loss rising as far on its own scale
    # is shared
    t = np.arange(200, dtype=float)
    low = np.log(1e-3) + np.log(10) * np.clip((t - 100) / 100, 0, 1)
    train = noisy(np.exp(np.maximum(np.log(np.geomspace(1.0, 1e-3, 25))[np.minimum(t, 24)
                                                                       .astype(int)], low)),
                  0.1, 31)
    val = noisy(0.08 + 0.8 * np.exp(-t / 6) + 0.05 * np.clip((t - 40) / 160, 0, 1), 0.01, 32)
    assert api.diagnose(frame(train, val, steps=t)).verdict == "overfitting"
    shared = noisy(train + 0.05 * np.clip((t - 40) / 160, 0, 1), 0.01, 33)
    assert "overfitting" not in names(api.diagnose(frame(shared, val, steps=t)))


def test_a_train_losss_tick_up_that_the_test_loss_outran_is_no_blow_up():
    # set37's s37_039 (a barcode CNN, SGD+momentum at 0.3): train epoch means 2.20 -> 0.74,
    # then ticking up to 0.87 and 0.82 over its last epochs, beside a test loss climbing
    # from 1.37 to 2.34: a memorising run. The tick stands "over 100 noise sigmas" of a
    # smooth curve, but the test loss rose far more and ends far above: no joint blow-up
    # (a false divergence fails a CI gate), on the whole log and on every prefix
    log = api.load(FRESH / "set37" / "s37_039" / "lightning_logs" / "version_0"
                   / "metrics.csv").frame
    steps = sorted(log["step"].unique())
    said = {api.diagnose(log[log["step"] <= s]).verdict for s in steps[5:]}
    assert "divergence" not in said, said
    assert api.diagnose(log).verdict in ("overfitting", "lr_too_high")


def test_a_train_loss_that_never_moved_has_not_converged():
    # the train loss is noise around 2.79 for the whole run; the test loss (7 evaluations)
    # rose, then edges down: a train loss that learned nothing is no "converged" one that
    # leaves the test loss to carry a learning verdict
    ev = np.arange(10, N, 18)
    test = np.full(N, np.nan)
    test[ev] = [2.705, 2.76, 2.785, 2.79, 2.785, 2.78, 2.775]
    report = api.diagnose(frame(noisy(np.full(N, 2.79), 0.015, 99), test))
    assert report.verdict != "learning"


def test_a_loss_falling_fast_until_it_breaks_into_nan_did_not_diverge():
    # 8 epochs falling faster and faster (1.40 -> 0.66), then NaN: the median of the last
    # points lags above the one-sided smoothed end, but nothing climbed: non_finite only
    train = [1.3981, 1.0262, 0.9594, 0.9422, 0.9149, 0.8799, 0.8169, 0.6604] + [np.nan] * 4
    val = [1.1335, 0.9765, 0.9702, 0.9418, 0.9126, 0.8813, 0.7798, 0.5645] + [np.nan] * 4
    steps = np.arange(1.0, 13.0)
    report = api.diagnose(frame(np.array(train), np.array(val), steps=steps))
    assert report.verdict == "non_finite"
    assert "divergence" not in names(report)


def test_divergence_after_a_step_up_starts_at_the_step():
    # the loss jumps to a higher level at step 40, rests, then blows up at 90: it never
    # came back, so the trouble began at 40 (as a person reads the curve)
    level = np.where(T < 40, 0.3, 1.0) * np.exp(np.clip(T - 90, 0, None) / 5)
    train = noisy(level, 0.01, 41)
    d = get(api.diagnose(frame(train, noisy(level * 1.1, 0.01, 42))), "divergence")
    assert abs(d.start_step - 40) <= 0.1 * N


def test_first_point_above_the_trend_is_not_a_spike():
    # the untrained loss is far above where training settles: that is the start, not a jump
    train = noisy(decay(0.3, height=0.1, tau=30), 0.01, 33)
    train[0] = 5.0
    report = api.diagnose(frame(train, noisy(decay(0.35, height=0.1, tau=30), 0.01, 34)))
    assert "lr_too_high" not in names(report)


def spiky_overfitting() -> pd.DataFrame:
    # train falls to a low level with a few 3-4x jumps there; the test loss triples
    val = 0.3 + 2.0 * np.exp(-T / 8) + 0.01 * np.clip(T - 30, 0, None)
    train = noisy(decay(0.02, height=0.6, tau=25), 0.01, 35)
    for k in (70, 95, 110):
        train[k] *= 3.6
    return frame(train, noisy(val, 0.01, 36))


def test_spikes_alone_yield_the_verdict_to_a_strong_overfitting():
    report = api.diagnose(spiky_overfitting())
    assert report.verdict == "overfitting"
    assert "lr_too_high" in names(report)          # still reported, as a second finding
    assert get(report, "lr_too_high").yields_to == ("overfitting",)


def test_spikes_keep_the_verdict_when_the_test_loss_holds():
    report = api.diagnose(lr_spikes())
    assert report.verdict == "lr_too_high"          # yields only to a present overfitting
    assert "overfitting" not in names(report)


def test_non_finite_starts_at_the_first_nan_step():
    d = get(api.diagnose(non_finite()), "non_finite")
    assert d.start_step == FIRST_NAN
    assert d.evidence["first_non_finite_step"] == FIRST_NAN
    assert d.evidence["last_finite_step"] == FIRST_NAN - 1


def test_non_finite_onset_with_uneven_steps():
    steps = np.arange(N, dtype=float) * 50 + 1000
    df = non_finite().assign(step=steps)
    d = get(api.diagnose(df), "non_finite")
    assert d.start_step == steps[int(FIRST_NAN)]


def test_non_finite_that_the_run_got_over_says_so_and_does_not_say_stop(tmp_path):
    # `nan` written at the first two evaluations only (YOLOv5's val losses), finite for 118
    # since: a non_finite finding still (LABELS.md: any NaN), told as past, its action to
    # check the weights rather than to stop a run that went on
    df = single_inf()
    df.loc[70, "loss"] = df.loc[71, "loss"]
    df["val_loss"] = df.val_loss.astype(object)
    df.loc[:1, "val_loss"] = "nan"
    df.to_csv(tmp_path / "results.csv", index=False)
    d = get(api.diagnose(tmp_path / "results.csv"), "non_finite")
    assert d.start_step == 0
    assert d.evidence["last_non_finite_step"] == 1
    assert "test loss was NaN/Inf at steps 0 to 1 (2 test values) and is finite again" \
        in str(d.message)
    assert not str(d.actions[0]).startswith("stop the run")
    assert "check that no NaN reached the weights" in str(d.actions[0])
    # a NaN that ends the run is still one to stop it for
    kept = get(api.diagnose(non_finite()), "non_finite")
    assert "last_non_finite_step" not in kept.evidence
    assert str(kept.actions[0]).startswith("stop the run")


def test_non_finite_lone_inf_mid_run_is_one_value():
    d = get(api.diagnose(single_inf()), "non_finite")
    assert "train loss was NaN/Inf at step 70 (1 train value;" in str(d.message)


# ---------------------------------------------------------------- evidence and actions

EVIDENCE = {
    "learning": (learning, {"train_slope", "test_slope", "train_direction"}),
    "overfitting": (overfitting, {"test_best_step", "test_best_value", "gap_now"}),
    "plateau": (plateau, {"flat_since_step", "train_direction", "test_direction"}),
    "data_problem": (data_problem, {"train_rate", "test_rate"}),
    "divergence": (divergence_to_nan, {"train_best_step", "train_last"}),
    "non_finite": (non_finite, {"first_non_finite_step", "train_non_finite"}),
}


@pytest.mark.parametrize("rule", list(EVIDENCE))
def test_evidence_keys(rule):
    build, keys = EVIDENCE[rule]
    d = get(api.diagnose(build()), rule)
    assert keys <= set(d.evidence), sorted(d.evidence)
    assert d.message and d.actions


def test_lr_too_high_says_why():
    for build in (lr_spikes, lr_rising_end):
        d = get(api.diagnose(build()), "lr_too_high")
        assert {"spike_steps", "train_rise", "relative_scatter"} & set(d.evidence)


def numbers(text: str) -> list[float]:
    return [float(m) for m in re.findall(r"(?<![\w.])\d+(?:\.\d+)?(?:e[+-]?\d+)?", text)]


LR_RULES = [("divergence", divergence_to_nan, 3e-3), ("lr_too_high", lr_spikes, 0.3),
            ("plateau", plateau, 3e-4), ("non_finite", non_finite, 2e-3)]


@pytest.mark.parametrize("rule,build,lr", LR_RULES, ids=[r[0] for r in LR_RULES])
def test_actions_name_the_recorded_learning_rate_ten_times_lower(rule, build, lr):
    d = get(api.diagnose(build()), rule)
    said = [n for a in d.actions for n in numbers(a)]
    assert any(n == pytest.approx(lr, rel=0.01) for n in said), d.actions
    assert any(n == pytest.approx(lr / 10, rel=0.01) for n in said), d.actions


def test_without_lr_column_actions_still_give_a_number():
    d = get(api.diagnose(divergence_finite()), "divergence")
    assert any(numbers(a) for a in d.actions), d.actions


# data_problem's remedies are checks, not numbers (reported to the lead)
NUMBERED = [("overfitting", overfitting), ("plateau", plateau),
            ("divergence", divergence_to_nan), ("lr_too_high", lr_spikes),
            ("non_finite", non_finite)]


@pytest.mark.parametrize("rule,build", NUMBERED, ids=[r[0] for r in NUMBERED])
def test_warning_and_error_actions_mention_a_number(rule, build):
    d = get(api.diagnose(build()), rule)
    assert d.severity >= Severity.WARNING
    assert any(numbers(a) for a in d.actions), d.actions


XGBOOST = {"loss": "validation_0-logloss", "val_loss": "validation_1-logloss"}
BOOSTED = [("overfitting", overfitting, ("round", "max_depth"), ("dropout", "checkpoint")),
           ("learning", learning, ("add rounds",), ("keep training",)),
           ("divergence", divergence_to_nan, ("objective",), ("batch normalization", "clip")),
           ("plateau", plateau, ("stop here",), ("batch size", "schedule"))]


@pytest.mark.parametrize("rule,build,said,unsaid", BOOSTED, ids=[r[0] for r in BOOSTED])
def test_a_boosted_ensembles_actions_are_the_trees(rule, build, said, unsaid):
    # XGBoost's eval-set names say the model is a gradient-boosted ensemble: rounds, depth
    # and early stopping, not checkpoints, dropout, batches or clipped gradients
    trees = " ".join(get(api.diagnose(build().rename(columns=XGBOOST)), rule).actions)
    assert all(w in trees for w in said) and not any(w in trees for w in unsaid), trees
    network = " ".join(get(api.diagnose(build()), rule).actions)
    assert any(w in network for w in unsaid), network


def test_overfitting_action_names_the_best_logged_step_and_value():
    data = overfitting()
    d = get(api.diagnose(data), "overfitting")
    best = d.evidence["test_best_logged_step"]       # the checkpoint that exists
    assert any(best in numbers(a) for a in d.actions), d.actions
    i = int(data["val_loss"].idxmin())
    assert (best, d.evidence["test_best_logged_value"]) == (data["step"][i], data["val_loss"][i])


def test_severities_match_the_registry():
    for build, _ in VERDICTS:
        for d in api.diagnose(build()).diagnoses:
            assert d.severity == next(r for r in RULES.values() if r.name == d.name).severity
            assert d.code in RULES


def test_select_and_ignore_limit_the_rules():
    df = divergence_to_nan()
    assert names(api.diagnose(df, select=["non_finite"])) == ["non_finite"]
    assert "divergence" not in names(api.diagnose(df, ignore=["LD301"]))


def test_a_knock_says_where_the_biggest_climb_was():
    d = get(api.diagnose(lr_bumps()), "lr_too_high")
    low, high = d.evidence["knock_steps"]
    # one of the two bumps (x4 at step 50, x3.5 at 90: alike on the log scale)
    assert high - low >= 5 and min(abs(high - 50), abs(high - 90)) <= 8
    assert "knocked up" in d.message and "recovered" in d.message


def test_climbing_back_adds_up_the_climbs():
    # the loss decays but every 20 steps climbs 60% over 8 steps and falls back
    bump = np.zeros(N)
    for k in range(10, N, 20):
        bump[k:k + 8] += 0.6 * np.linspace(0, 1, 8)
        bump[k + 8:k + 20] += 0.6 * np.linspace(1, 0, 12)[:len(bump[k + 8:k + 20])]
    saw = decay(0.3, 1.0, 30) * (1 + bump)
    d = get(api.diagnose(frame(noisy(saw, 0.002, 43), noisy(saw * 1.1, 0.002, 44))),
            "lr_too_high")
    assert d.evidence["train_climbs"] >= 0.4 * d.evidence["train_falls"]
    low, high = d.evidence["biggest_climb_steps"]
    assert high - low >= 3 and (low - 10) % 20 < 10


def cyclic_rate() -> pd.DataFrame:
    # a cyclic schedule whose peaks are too high: the loss climbs back every 30 steps, and
    # the log ends during a climb
    cyc = 1 + 2.5 * np.clip(np.sin(2 * np.pi * (T - 30) / 30), 0, None) * (T >= 30)
    cut = 97
    return frame(noisy(decay(0.2, 1.0, 8) * cyc, 0.01, 40)[:cut],
                 noisy(decay(0.3, 1.0, 8) * cyc, 0.01, 41)[:cut], 0.1, steps=T[:cut])


def test_a_loss_that_rose_several_times_is_unstable_from_its_first_rise():
    d = get(api.diagnose(cyclic_rate()), "lr_too_high")
    assert abs(d.start_step - 30) <= 0.05 * N


def test_a_loss_that_rose_once_is_unstable_from_the_knee_of_that_rise():
    d = get(api.diagnose(lr_rising_end()), "lr_too_high")
    assert abs(d.start_step - 80) <= 0.1 * N
    assert d.evidence["train_best_step"] <= d.start_step


def test_a_schedule_that_raised_the_rate_before_a_blow_up_is_named():
    lr = 1e-3 * np.where(T < 20, 1, np.exp((T - 20) / 17))
    up = np.r_[2 * np.exp(-T[:50] / 10) + 0.3,
               (2 * np.exp(-4.9) + 0.3) * np.exp((T[50:] - 49) / 5)]
    d = get(api.diagnose(frame(up, up * 1.1, lr)), "divergence")
    assert d.actions[0].startswith("the learning rate rose from 0.001 to ")
    assert f"began at step {int(d.start_step)}" in d.actions[0]


def test_a_rate_already_decayed_far_is_not_told_to_go_lower_still():
    lr = 1e-2 * np.exp(-T / 10)
    creep = 2 * np.exp(-T / 10) + 0.3 + 0.01 * np.clip(T - 70, 0, None)
    d = get(api.diagnose(frame(creep, creep * 1.1, lr)), "lr_too_high")
    assert "already decayed" in d.actions[0] and "starting rate 10x" in d.actions[0]


def test_non_finite_counts_each_curve():
    train, val = decay(0.3), decay(0.4)
    train[90:], val[100:] = np.nan, np.nan
    d = get(api.diagnose(frame(train, val)), "non_finite")
    assert "30 train, 20 test values" in d.message


@pytest.mark.parametrize("points", [1, 2, 3, 4])
def test_too_few_points_is_not_enough_evidence_not_a_guess(points):
    train = decay(0.3)[:points]
    if points == 4:
        train[2] = train[1] * 1.01          # four points say learning only if each one falls
    report = api.diagnose(frame(train, decay(0.4)[:points], steps=T[:points]))
    assert report.verdict == "not_enough_evidence" and report.exit_code() == 0
    assert [d.name for d in report.diagnoses] == ["not_enough_evidence"]
    assert f"train loss {points} finite point" in report.diagnoses[0].message


@pytest.mark.parametrize("scale", [1.0, 1e-3])
def test_four_points_that_each_fall_are_learning_with_the_odds_said(scale):
    """A run stopped after 4 epochs whose losses fell at every one: with no trend, that
    order has a chance of 1 in 24 (Mann-Kendall at its extreme). Three such points (1 in
    6) say nothing; nor do four of a loss that fell under 1% in all."""
    report = api.diagnose(frame(decay(0.3)[:4] * scale, decay(0.4)[:4] * scale, steps=T[:4]))
    assert report.verdict == "learning", report.main.diagnoses
    d = get(report, "learning")
    assert "1 in 24" in d.message and d.evidence["monotone_p"] == pytest.approx(1 / 24)
    assert "train loss fell at each of its 4 points" in d.message
    three = frame(decay(0.3)[:3], decay(0.4)[:3], steps=T[:3])
    assert api.diagnose(three).verdict == "not_enough_evidence"
    creeping = 2.3026 - 1e-4 * T[:4]
    assert api.diagnose(frame(creeping, None, steps=T[:4])).verdict == "not_enough_evidence"


def test_a_test_curve_of_two_points_is_ignored_and_the_train_loss_judged(tmp_path):
    rows = [f"{t:g},{v:.5f}," + ("0.9" if t in (0, 60) else "")
            for t, v in zip(T, decay(0.2, tau=60), strict=True)]
    (tmp_path / "log.csv").write_text("step,loss,val_loss\n" + "\n".join(rows) + "\n")
    report = api.diagnose(tmp_path / "log.csv")
    assert report.verdict == "learning"
    assert any("test loss has 2 finite points" in n for n in report.main.notes)


def test_a_loss_stuck_at_ln_10_is_a_plateau_at_chance_level():
    rng = np.random.default_rng(3)
    stuck = np.log(10) + 0.012 + 0.002 * rng.standard_normal(N)
    d = get(api.diagnose(frame(stuck, np.log(10) + 0.01 + 0.0005 * rng.standard_normal(N))),
            "plateau")
    assert d.evidence["chance_classes"] == 10
    assert "~ ln 10" in d.message and "uniformly over 10 classes" in d.message
    assert "learning rate is far too small" in d.actions[0]


def test_every_diagnosis_carries_a_confidence():
    for build in (learning, overfitting, plateau, data_problem, divergence_to_nan, lr_spikes):
        for d in api.diagnose(build()).diagnoses:
            assert 0 < d.confidence < 1, (build.__name__, d.name)


# ---------------------------------------------------------------- data problem from the whole run

def _stuck_train_test_easing(noise: float, seed: int) -> pd.DataFrame:
    """A train loss stuck at its level beside a test loss that fell 10% early and eases
    into a level: its last window barely moves, the run as a whole says data problem."""
    train = np.full(N, 2.3)
    test = 2.0 * (0.9 + 0.1 * np.exp(-T / 25))
    return frame(noisy(train, noise, seed), noisy(test, noise, seed + 1), 1e-3)


@pytest.mark.parametrize("seed", range(5))
def test_a_stuck_train_loss_beside_a_test_loss_that_fell_is_a_data_problem_under_noise(seed):
    for noise in (0.001, 0.02):                  # clean, and with 2% per-point jitter
        report = api.diagnose(_stuck_train_test_easing(noise, 20 + seed))
        assert report.verdict == "data_problem", (noise, report.main.diagnoses)
        said = get(report, "data_problem").message
        assert "test and train loss fell" in said


def test_a_sparse_test_loss_still_falling_in_every_window_has_not_risen_since_its_best():
    """A per-step train loss stuck at 0.92 (15% minibatch noise) beside 20 evaluations of a
    test loss easing from 0.91 to 0.72 in every window: the median of the test loss's last
    stretch stands above its last points only because the fall goes on, which is no rise
    since its best; over the whole run the test loss fell and the train loss did not: a
    data problem, on 10 of 12 noise draws (6 when the ongoing fall read as a rise)."""
    verdicts = []
    for seed in range(12):
        rng = np.random.default_rng(seed)
        steps = np.arange(0, 1000, 4.0)
        evals = np.arange(50, 1001, 50.0)
        test = (0.61 + 0.30 * np.exp(-(evals - 50) / 900)) * np.exp(rng.normal(0, 0.003, 20))
        log = pd.concat([pd.DataFrame({"step": steps, "loss": 0.92 * np.exp(
            rng.normal(0, 0.15, len(steps)))}), pd.DataFrame({"step": evals, "val_loss": test})])
        verdicts.append(api.diagnose(log.sort_values("step")).verdict)
    assert verdicts.count("data_problem") >= 10, verdicts


def test_a_noisy_train_loss_that_fell_about_as_far_as_the_test_loss_has_learned():
    # a per-step train loss falling 4x under heavy minibatch noise, flat in its last window
    # only because of the noise, beside a clean test loss that fell as far: not a data problem
    rng = np.random.default_rng(31)
    train = decay(0.25, 0.75, 40) * np.exp(rng.normal(0, 0.3, N))
    test = decay(0.27, 0.8, 40) * np.exp(rng.normal(0, 0.003, N))
    report = api.diagnose(frame(train, test, 1e-3))
    assert "data_problem" not in {d.name for d in report.diagnoses}


def test_a_test_fall_within_the_noisy_train_losss_own_uncertainty_is_no_data_problem():
    # a rate far too small: the per-step train loss scatters 20% around its level (read as
    # not moving), the clean test loss eases down 1% over the run. The train loss could have
    # fallen 1% unseen: no evidence that it learned less than the test loss (plateau)
    rng = np.random.default_rng(43)
    train = 0.087 * np.exp(rng.normal(0, 0.2, N))
    test = 0.0869 * (1 - 0.011 * T / T[-1])
    report = api.diagnose(frame(train, test, 1e-5))
    assert "data_problem" not in {d.name for d in report.diagnoses}, report.main.diagnoses


def test_a_test_loss_that_rose_as_a_trend_and_then_rests_higher_is_overfitting():
    # a validation-only log: the loss bottoms out early, climbs 15% over the middle of the
    # run (a rising window of its own, under 6% noise) and rests there. The rise is a trend,
    # not a noise dip, so it needs overfit_z standard errors, not twice as many (which
    # called every seed a plateau)
    rise = 0.15 * np.clip((T - 40) / 40, 0, 1)
    test = (0.5 + 0.5 * np.exp(-T / 6)) * np.exp(rise)
    said = [api.diagnose(frame(None, noisy(test, 0.06, 42 + seed))).verdict
            for seed in range(5)]
    assert said.count("overfitting") >= 4, said


def test_lr_too_high_rise_is_told_from_the_best():
    """A loss that climbed back early while still high, reached its best late and then
    rose again: the message names the rise from the best (up), never "from" an early
    level above where the loss ends."""
    swings = 0.35 * np.exp(-((T - 12) / 3) ** 2) + 0.4 * np.clip((T - 90) / 29, 0, None)
    d = get(api.diagnose(frame(noisy(decay(0.3, height=1.5, tau=8) + swings, 0.005, seed=9),
                               None)), "lr_too_high")
    now = numbers(d.message.split("rose to ")[1])[0]
    best = numbers(d.message.split("its best (")[1])[0]
    assert now > best and "rose from" not in d.message, d.message
    assert d.evidence["train_best_step"] > 70, d.evidence


@pytest.mark.parametrize("scale", [1.0, 10.0, 0.01])
def test_data_problem_when_train_ends_above_the_worst_test_loss(scale):
    """Corrupted train labels: the train loss levels off far above a clean test loss that
    fell and levelled off too (both flat at the end: not 'train flat, test falling'). The
    verdict is data_problem at any scale of the losses."""
    train = noisy(0.6 + 0.15 * np.exp(-T / 10), 0.01, seed=11) * scale
    test = noisy(0.29 + 0.09 * np.exp(-T / 12), 0.01, seed=12) * scale
    report = api.diagnose(frame(train, test))
    assert report.verdict == "data_problem", report.runs[0].diagnoses[0].message
    d = get(report, "data_problem")
    assert d.evidence["test_worst_step"] == 0 and d.evidence["train_above_test"] > 0.4
    assert "above the highest the test loss ever was" in d.message


@pytest.mark.parametrize("gap,problem", [(1.02, False), (1.2, True)])
def test_data_problem_needs_the_train_loss_well_above_the_test_losss_worst(gap, problem):
    """Both losses still falling, the train loss less than the test loss (noisy labels cap
    it): a train loss ending a few percent above the test loss's worst (dropout, a noisy
    epoch average) is learning; 20% above it, the train set is off. A test loss that never
    moved says nothing of any gap."""
    test = noisy(0.34 + 0.04 * np.exp(-T / 30), 0.005, seed=12)
    train = noisy(0.38 * gap + 0.02 * np.exp(-T / 30), 0.005, seed=11)
    assert (api.diagnose(frame(train, test)).verdict == "data_problem") is problem
    still_test = noisy(np.full(N, 0.3), 0.0005, seed=13)
    assert api.diagnose(frame(noisy(np.full(N, 0.6), 0.01, seed=14), still_test)).verdict \
        != "data_problem"


def test_a_train_loss_that_learned_but_carries_an_offset_is_no_data_problem():
    """Label smoothing, dropout or a penalty term in the logged train loss: it fell from 2.5
    to 0.5 (learned as the test loss did) and ends 10% above the test loss's worst (0.45).
    The gap is small next to its own fall: learning, not a data problem."""
    train = noisy(0.5 + 2.0 * np.exp(-T / 10), 0.005, seed=15)
    test = noisy(0.35 + 0.1 * np.exp(-T / 10), 0.005, seed=16)
    report = api.diagnose(frame(train, test))
    assert "data_problem" not in {d.name for d in report.diagnoses}, report.diagnoses


@pytest.mark.parametrize("scale", [1.0, 0.01])
def test_a_train_loss_that_learned_a_little_above_a_test_loss_that_never_moved(scale):
    """60% of the train labels shuffled: the train loss eases 1.6 -> 1.42 in the first
    fifth and scatters there, 15% above a test loss first evaluated after that (76 times)
    and flat at 1.23 all run: the model fits its train set worse than a test set it never saw. The
    train loss falling further than the (flat) test loss over the test's steps is no sign
    of a logging offset when the test loss never moved. A train loss that learned far more
    than the gap (1.0 -> 0.6 above a flat 0.55: dropout) is no data problem."""
    steps = np.arange(0, 400, 2.0)
    train = noisy(1.42 + 0.18 * np.exp(-steps / 25), 0.02, seed=24) * scale
    test_steps = np.arange(20, 400, 5.0)
    test = noisy(np.full(len(test_steps), 1.23), 0.01, seed=25) * scale
    log = pd.concat([frame(train, None, steps=steps),
                     frame(None, test, steps=test_steps)]).sort_values("step")
    report = api.diagnose(log)
    assert report.verdict == "data_problem", report.main.diagnoses
    assert "above the highest the test loss ever was" in get(report, "data_problem").message
    learned = noisy(0.6 + 0.4 * np.exp(-steps / 25), 0.02, seed=26) * scale
    flat = noisy(np.full(len(test_steps), 0.55), 0.01, seed=27) * scale
    log = pd.concat([frame(learned, None, steps=steps),
                     frame(None, flat, steps=test_steps)]).sort_values("step")
    assert "data_problem" not in names(api.diagnose(log))


@pytest.mark.parametrize("batch", [16, 64, 256])
def test_a_train_loss_logged_as_a_sum_over_the_batch_is_no_data_problem(batch):
    """``loss.item() * batch_size`` never divided: the train loss stands ``batch`` times
    the per-sample test loss all run long, and fell (relatively) as far as the test loss
    did: the gap is the logging's scale, not a train set the model cannot fit. Corrupted
    labels keep the train loss from falling as the test loss does."""
    per_sample = 0.2 + 0.5 * np.exp(-T / 15)
    train = noisy(per_sample * 1.05, 0.02, seed=17) * batch
    test = noisy(per_sample, 0.005, seed=18)
    report = api.diagnose(frame(train, test))
    assert "data_problem" not in {d.name for d in report.diagnoses}, report.diagnoses
    stuck = noisy(np.full(N, 0.66), 0.02, seed=19) * batch      # learned nothing of it
    assert api.diagnose(frame(stuck, test)).verdict == "data_problem"


@pytest.mark.parametrize("scale", [1.0, 0.01])
def test_a_train_loss_that_learns_slower_and_ends_above_the_test_loss_is_a_data_problem(scale):
    """Half the train labels shuffled: both losses start near 1.0 and still fall, but the
    train loss falls 0.95 -> 0.8 while the clean test loss falls 1.0 -> 0.55 and ends a
    third below it (not below the test's worst, where the test loss started). The model
    fits a test set it never trained on better than its own train set: a data problem.
    Dropout or augmentation puts the train loss above the test loss too, but it falls
    about as far (the second pair): no data problem."""
    train = noisy(0.78 + 0.17 * np.exp(-T / 40), 0.01, seed=21) * scale
    test = noisy(0.5 + 0.5 * np.exp(-T / 40), 0.005, seed=22) * scale
    report = api.diagnose(frame(train, test))
    assert report.verdict == "data_problem", report.main.diagnoses
    assert "over the whole run" in get(report, "data_problem").message
    regularised = noisy(0.78 * (0.5 + 0.5 * np.exp(-T / 40)) / 0.5, 0.01, seed=23) * scale
    assert "data_problem" not in {d.name for d in api.diagnose(frame(regularised, test)).diagnoses}


@pytest.mark.parametrize("scale", [1.0, 100.0])
def test_a_test_loss_that_rises_below_a_falling_train_loss_is_overfitting(scale):
    """Dropout (or noisy train labels) keeps the train loss above the test loss all run;
    the train loss keeps falling, the test loss bottoms out at step 48 and climbs 13% as a
    trend: overfitting, though the test loss never ends above the train loss. The same
    test loss still falling beside it is learning."""
    train = noisy(0.8 + 0.6 * np.exp(-T / 60), 0.005, seed=24) * scale
    val = (0.45 + 0.4 * np.exp(-T / 12) + 0.0018 * np.clip(T - VAL_BOTTOM, 0, None)) * scale
    report = api.diagnose(frame(train, noisy(val, 0.005, seed=25)))
    assert report.verdict == "overfitting", report.main.diagnoses
    assert abs(get(report, "overfitting").evidence["test_best_step"] - VAL_BOTTOM) <= 12
    falling = noisy(decay(0.45, 0.4, 40), 0.005, seed=25) * scale
    assert api.diagnose(frame(train, falling)).verdict == "learning"


def test_a_test_loss_swinging_at_its_level_after_a_steep_first_fall_is_lr_too_high():
    """Raw features and a rate far too high: both losses fall 30x in the first 5 epochs,
    then the (whole-set) test loss jumps between 0.6x and 3x its level every epoch for 55
    epochs. The swings dwarf what it gains in its last window, whatever it gained at
    first: the weights jump around, not a plateau. A test loss that scatters 5% is one."""
    rng = np.random.default_rng(26)
    t = T[:60]
    level = 100.0 + 3000.0 * np.exp(-t / 1.5)
    train = level * np.exp(rng.normal(0, 0.3, 60))
    test = 1.6 * level * np.exp(rng.normal(0, 0.6, 60))
    report = api.diagnose(frame(train, test, steps=t))
    assert report.verdict == "lr_too_high", report.main.diagnoses
    assert "swings" in get(report, "lr_too_high").message
    calm = 1.6 * level * np.exp(rng.normal(0, 0.05, 60))
    assert api.diagnose(frame(train, calm, steps=t)).verdict != "lr_too_high"


def test_a_swing_down_inside_the_last_window_is_no_progress():
    """A rate far too high: the train loss falls 100x under heavy noise, the test loss
    (evaluated every 60 steps) swings between 0.03 and 0.3 the whole run, and its last
    window happens to run from a peak down to a trough. That is the weights jumping
    around (lr_too_high), not a plateau nor a test loss still improving."""
    rng = np.random.default_rng(27)
    steps = np.arange(0, 961, 10.0)
    train = np.exp(-steps / 200 + rng.normal(0, 1.0, len(steps))) * 0.05 + 0.01
    ev = np.arange(60, 961, 60.0)
    test = 0.1 * np.exp(1.1 * np.sin(2 * np.pi * (ev - 60) / 240 + 0.4))
    df = pd.DataFrame({"step": steps, "loss": train}).merge(
        pd.DataFrame({"step": ev, "val_loss": test}), on="step", how="outer")
    report = api.diagnose(df)
    assert report.verdict == "lr_too_high", report.main.diagnoses
    assert "swings" in get(report, "lr_too_high").message


def test_both_losses_swinging_around_a_level_is_lr_too_high_not_a_plateau():
    """A rate far too high on a forecaster: the train loss falls 100x in its first steps,
    then swings between 0.3x and 3x its level for the rest of the run (slower than its
    logging), and the test loss, evaluated every 8th train point, lands at random on
    0.4x, 1x or 2.5x its level. Both curves swing around a level with no trend: the
    weights jump around, not a plateau. A running median of 3 follows such evaluations
    half the time (its residual scatter read 0.22 here), so beside a train loss that
    swings as hard the test loss's scatter is read on the scale of white noise. The same
    test loss calm beside the swinging train loss (a memorised train set) is no swing."""
    rng = np.random.default_rng(35)
    steps = np.arange(0, 500, 2.0)
    wave = np.sin(2 * np.pi * steps / 31 + rng.uniform(0, 6)) \
        + 0.6 * np.sin(2 * np.pi * steps / 53)
    train = np.exp(wave + rng.normal(0, 0.3, len(steps)))
    train[:3] = [100.0, 20.0, 4.0]
    ev = steps[4::8]
    test = 1.3 * np.exp(rng.choice([-0.9, 0.0, 0.0, 0.9], len(ev))
                        + rng.normal(0, 0.03, len(ev)))
    both = pd.DataFrame({"step": steps, "loss": train}).merge(
        pd.DataFrame({"step": ev, "val_loss": test}), on="step", how="outer")
    report = api.diagnose(both)
    assert report.verdict == "lr_too_high", report.main.diagnoses
    assert "test loss swings" in get(report, "lr_too_high").message
    calm = both.assign(val_loss=both.step.map(dict(zip(ev, 1.3 * np.exp(
        rng.normal(0, 0.02, len(ev))), strict=True))))
    said = " ".join(d.message for d in api.diagnose(calm).main.diagnoses)
    assert "test loss swings" not in said


def test_a_test_loss_swinging_around_its_level_beside_a_still_train_loss_is_lr_too_high():
    """Plain SGD at a rate far too high: the train loss sits at 1.15, above chance, with no
    trend, and the test loss (the whole test set) lands anywhere between 0.5x and 2x its
    level every epoch, in runs a running median of 3 follows (its residuals read 6%). A
    rate too small leaves the weights, and the test loss with them, where they are: swings
    around the level are steps that throw the weights around, not a plateau. The same
    train loss beside a calm test loss is one."""
    rng = np.random.default_rng(0)
    train = 1.15 * np.exp(rng.normal(0, 0.08, 15))
    test = 1.1 * np.exp(rng.uniform(-0.7, 0.7, 15))
    report = api.diagnose(frame(train, test, steps=np.arange(15.0)))
    assert report.verdict == "lr_too_high", report.main.diagnoses
    assert "around its level" in get(report, "lr_too_high").message
    calm = 1.1 * np.exp(rng.normal(0, 0.03, 15))
    assert api.diagnose(frame(train, calm, steps=np.arange(15.0))).verdict == "plateau"


def test_a_test_loss_swinging_around_its_level_above_its_lowest_is_lr_too_high():
    """Adam at a rate too high: the train loss falls 1.5 -> 0.2 in its first epochs and
    rests, and the test loss, after its first fall, lands anywhere between 0.55x and 1.8x
    its level every epoch with no trend, its latest evaluation 30% or more above its
    lowest. The swings dwarf anything it gains: the weights jump around. The same test
    loss whose latest evaluation is its lowest by a fifth still improves: no rate verdict."""
    rng = np.random.default_rng(2)
    t = np.arange(20.0)
    train = (0.2 + 1.3 * np.exp(-t / 1.5)) * np.exp(rng.normal(0, 0.05, 20))
    test = 0.5 * np.exp(rng.uniform(-0.6, 0.6, 20))
    test[0] = 1.6
    test[-1] = max(test[-1], 1.3 * test[1:-1].min())
    report = api.diagnose(frame(train, test, steps=t))
    assert report.verdict == "lr_too_high", report.main.diagnoses
    assert "around its level" in get(report, "lr_too_high").message
    low = test.copy()
    low[-1] = 0.8 * test[:-1].min()
    assert api.diagnose(frame(train, low, steps=t)).verdict != "lr_too_high"


def test_a_test_loss_falling_back_towards_an_earlier_lowest_is_not_still_learning():
    """A detection transformer whose validation loss reached its lowest (6.9) at epoch 19,
    was knocked up to 8.5 and is coming back down in its last window, still 10-20% above
    that lowest, while the train loss eases down. The last window falls, but the run makes
    no new low where it counts: not "learning, keep training". The same run whose test
    loss falls to new lows in its last window is."""
    t = np.arange(60.0)
    rng = np.random.default_rng(2)
    train = (6.7 + 2.1 * np.exp(-t / 6)) * np.exp(rng.normal(0, 0.03, 60))
    test = np.where(t < 20, 6.9 + 1.2 * np.exp(-t / 5), 7.6 + 0.4 * np.sin(t / 6)) \
        * np.exp(rng.normal(0, 0.02, 60))
    test[20:40] += np.linspace(0, 0.6, 20)
    test[40:] += np.linspace(0.6, 0.1, 20)
    assert api.diagnose(frame(train, test, steps=t)).verdict != "learning"
    lower = test.copy()
    lower[40:] = np.linspace(test[40], 0.9 * test[:40].min(), 20)
    assert api.diagnose(frame(train, lower, steps=t)).verdict == "learning"


def test_a_train_loss_swinging_at_its_untrained_level_made_no_headway():
    """SGD at rate 2: the train loss oscillates 1.1-1.6 around the level it started at for the
    whole run. No sign taken one at a time stands out (no
    climb above a best it never had, no spike out of scatter this wide), yet a run that
    scatters 25% and made no headway from its first stretch to its last is the steps
    overshooting: lr_too_high. A loss as noisy that falls 4x, or one memorised down to
    1e-4 that wanders over decades there, or one that fell 10x in its first steps, made
    headway."""
    rng = np.random.default_rng(29)
    steps = np.arange(0, 950, 5.0)
    bounce = 1.3 * np.exp(0.25 * np.sin(2 * np.pi * steps / 25) + rng.normal(0, 0.25, len(steps)))
    report = api.diagnose(frame(bounce, None, steps=steps))
    assert report.verdict == "lr_too_high", report.main.diagnoses
    assert "made no headway" in get(report, "lr_too_high").message
    fell = (0.3 + 1.0 * np.exp(-steps / 200)) * np.exp(rng.normal(0, 0.3, len(steps)))
    memorised = np.exp(np.log(1e-4) + 2.0 * np.sin(2 * np.pi * steps / 300)
                       + rng.normal(0, 0.3, len(steps)))
    memorised[:20] = np.geomspace(1.0, 1e-4, 20)
    for train in (fell, memorised):
        said = " ".join(d.message for d in api.diagnose(frame(train, None, steps=steps))
                        .main.diagnoses)
        assert "no headway" not in said, said
    # nor one that fell 10x within its first stretch (an easy task, a per-step loss that
    # reached its floor in 1% of the run) and then sat there under 40% noise
    rng = np.random.default_rng(9)
    t = np.arange(1016.0)
    quick = (0.2 + 2.0 * np.exp(-t / 10.9)) * np.exp(rng.normal(0, 0.4, len(t)))
    said = " ".join(d.message for d in api.diagnose(frame(quick, None, steps=t)).main.diagnoses)
    assert "no headway" not in said, said


def test_a_swinging_train_loss_beside_a_test_loss_still_learning_is_batch_noise():
    """The same bounce of the train loss, logged per step, beside a test loss evaluated five
    times that falls at every evaluation to its lowest at the last: the weights still
    improve, so the train loss's swings are its batches' noise, not a rate too high."""
    rng = np.random.default_rng(29)
    steps = np.arange(0, 950, 5.0)
    bounce = 1.3 * np.exp(0.25 * np.sin(2 * np.pi * steps / 25) + rng.normal(0, 0.25, len(steps)))
    test = np.full(len(steps), np.nan)
    evaluated = [37, 75, 113, 151, 189]           # every 38 steps, the last at the end
    test[evaluated] = [0.45, 0.40, 0.37, 0.33, 0.31]
    report = api.diagnose(frame(bounce, test, steps=steps))
    assert report.verdict != "lr_too_high", report.main.diagnoses
    said = " ".join(d.message for d in report.main.diagnoses)
    assert "no headway" not in said, said
    # a test loss that does not keep improving leaves the train loss's swings to judge
    test[evaluated] = [0.45, 0.41, 0.47, 0.44, 0.46]
    report = api.diagnose(frame(bounce, test, steps=steps))
    assert "made no headway" in " ".join(d.message for d in report.main.diagnoses)


@pytest.mark.parametrize("jump,spiked", [(0.12, False), (1.5, True)])
def test_a_negative_losss_spike_is_as_far_out_as_a_positive_losss(jump, spiked):
    """A log-likelihood near -1 (a mixture density network's NLL) whose evaluations jump
    0.12 nats now and then is noisy, not spiking: on its working scale (asinh, linear near
    its level) the jump is far under log(spike_ratio); one of 1.5 nats is a spike."""
    from lossdoctor.rules.measures import spikes
    from lossdoctor.thresholds import DEFAULT
    from lossdoctor.trends import analyze_curve

    test = -0.9 - 0.3 * np.exp(-T / 20) + np.random.default_rng(3).normal(0, 0.005, N)
    test[[50, 90]] += jump
    found = [i for i, _ in spikes(analyze_curve("test", T, test), DEFAULT)]
    assert found == ([50, 90] if spiked else [])


@pytest.mark.parametrize("after,named", [(1, False), (2, True)])
def test_overfitting_needs_the_test_loss_evaluated_twice_above_its_best(after, named):
    """A test loss evaluated every 10 steps that fell to its best and then stood well above
    it: one evaluation since the best can be noise; two in a row are overfitting (the train
    loss keeps falling throughout)."""
    steps = np.arange(0.0, 10.0 * (5 + after), 10.0)
    test = np.r_[1.0, 0.8, 0.62, 0.52, 0.45, np.full(after, 0.6)]
    train = 0.8 * np.exp(-np.arange(len(steps) * 10.0) / 30)
    log = pd.concat([pd.DataFrame({"split": "train", "step": np.arange(len(train), dtype=float),
                                   "value": train}),
                     pd.DataFrame({"split": "test", "step": steps, "value": test})])
    assert (api.diagnose(log).verdict == "overfitting") is named


@pytest.mark.parametrize("bump,verdict", [(1.75, "non_finite"), (3.5, "divergence")])
def test_a_tick_up_before_a_nan_is_no_divergence(bump, verdict):
    """Losses that fell from 0.5 to 0.2 and climb over their last four points to 1.75 times
    that, then break into NaN (a bad batch after a noisy uptick), are a non-finite run;
    ones that climbed to 3.5 times it first diverged."""
    train = noisy(decay(0.2, height=0.3, tau=25), 0.05, seed=17)
    test = noisy(decay(0.3, height=0.3, tau=25), 0.01, seed=18)
    for curve in (train, test):
        curve[99:106] *= np.r_[np.ones(3), np.linspace(1.25, bump, 4)]
        curve[106:] = np.nan
    report = api.diagnose(frame(train, test))
    assert report.verdict == verdict, report.runs[0].diagnoses[0].message


def test_losses_printed_down_to_zero_are_no_data_problem():
    """A console log with 4 decimals: both losses fall to ~1e-4 and then print 0.0000. Their
    falls cannot be compared as ratios (no relative rate reaches 0), so no data problem is
    read into them: both have stopped moving."""
    train = np.round(0.64 * np.exp(-T / 4), 4)          # 0.0000 from step 39 on
    test = np.round(0.70 * np.exp(-T / 12), 4)          # from step 107 on
    report = api.diagnose(frame(train, test))
    assert "data_problem" not in {d.name for d in report.diagnoses}, report.diagnoses
    assert report.verdict == "plateau"


def test_a_short_test_loss_that_rose_after_its_best_is_overfitting():
    """Five evaluations (one window holds them all, and falls): 1.99 at the first, lowest at
    the third, 10% and 13% above it at the last two, beside a train loss that keeps
    falling. The fall that counts against the rise is the one since the best, not the
    window's (the run's first fall)."""
    steps = np.arange(50, 1001, 50, dtype=float)
    train = 0.04 + 3.1 * np.exp(-steps / 120)
    test = np.full(len(steps), np.nan)
    test[steps % 200 == 0] = [1.99, 0.62, 0.2735, 0.30, 0.31]
    report = api.diagnose(frame(noisy(train, 0.03, 11), test, steps=steps))
    assert report.runs[0].context.test.windows[-1].direction.value == "falling"
    assert report.verdict == "overfitting"
    assert get(report, "overfitting").start_step == 600


def test_eight_epochs_whose_test_loss_rose_twice_after_its_best_are_overfitting():
    """A train loss falling at every epoch beside a test loss lowest at epoch 5 (1.17), then
    1.22 and 1.26: its running median of three smooths the one-evaluation best away, and no
    rule measures a rise from it; the curves still sit in the table's overfitting cell
    (train falling, test rising by a share of its progress that matters), not a plateau."""
    train = [2.1802, 1.5984, 1.5051, 1.4575, 1.3722, 1.3375, 1.2632, 1.244]
    test = [1.509, 1.322, 1.3134, 1.2229, 1.2262, 1.1703, 1.2198, 1.2597]
    steps = np.arange(8, dtype=float)
    report = api.diagnose(frame(np.array(train), np.array(test), steps=steps))
    assert report.verdict == "overfitting"
    assert report.diagnoses[0].message.startswith("Mixed trends:")


def test_test_loss_spikes_beside_a_steadily_learning_train_loss_are_no_lr_verdict():
    """A validation loss with a falling baseline that spikes 3-9x now and then (a small
    evaluation set), beside a train loss that falls in every window to its lowest at the
    end: the spikes are the evaluation's noise, not steps that overshoot (which would throw
    the train loss off too). The same spikes in the train loss still are (with one more
    late in the run: spikes the run has long been calm since are history)."""
    val = noisy(decay(0.014, 0.08, 20), 0.05, 61)
    for s, k in ((15, 3), (27, 9), (40, 6), (52, 5), (70, 4)):
        val[s] *= k
    train = noisy(decay(0.008, 0.17, 30), 0.01, 62)
    assert api.diagnose(frame(train, val)).verdict != "lr_too_high"
    spiky = train.copy()
    for s, k in ((15, 3), (27, 9), (40, 6), (52, 5), (70, 4), (100, 5)):
        spiky[s] *= k
    assert api.diagnose(frame(spiky, noisy(decay(0.014, 0.08, 20), 0.01, 63))).verdict \
        == "lr_too_high"


def test_a_train_loss_ticking_up_immaterially_beside_a_falling_test_loss_is_learning():
    """No rule decides: the train loss fell 10x and its last window climbs back 13% of its
    level (0.04, 1.5% of its progress on its own scale), while the test loss still falls
    significantly: nearest the learning cell (the run improves where it counts), not a
    plateau. Climbing back by a share that matters would be the rate's doing instead."""
    up = np.where(T < 80, decay(0.3, 2.7, 15), decay(0.3, 2.7, 15)[80] * (1 + 0.0035 * (T - 80)))
    test = noisy(decay(0.5, 1.0, 60), 0.003, 71)
    d = api.diagnose(frame(noisy(up, 0.003, 70), test)).diagnoses[0]
    assert d.message.startswith("Mixed trends:") and d.name == "learning"


def test_a_loss_summed_from_components_is_not_read_at_chance_level(tmp_path):
    # a GAN's 'D loss' + 'G loss' near 0.69 each sums to ~ln 4: no classifier guessing over
    # 4 classes; the same values logged as one loss are
    rng = np.random.default_rng(5)
    d = np.log(2) + 0.002 * rng.standard_normal(40)
    g = np.log(2) + 0.002 * rng.standard_normal(40)
    (tmp_path / "gan.log").write_text("".join(
        f"[Epoch {i}/40] [D loss: {a:.4f}] [G loss: {b:.4f}]\n" for i, (a, b) in
        enumerate(zip(d, g, strict=True))))
    (tmp_path / "one.log").write_text("".join(
        f"[Epoch {i}/40] [loss: {a + b:.4f}]\n" for i, (a, b) in enumerate(zip(d, g, strict=True))))
    summed = get(api.diagnose(tmp_path / "gan.log"), "plateau")
    assert "chance_classes" not in summed.evidence and "~ ln" not in summed.message
    assert get(api.diagnose(tmp_path / "one.log"), "plateau").evidence["chance_classes"] == 4


def test_a_test_loss_at_chance_beside_a_train_loss_on_another_scale_is_a_plateau():
    # a margin loss (ArcFace) fell 25 -> 9.8 and stays there; the validation cross-entropy
    # sat at ln 37 from its first epoch (0.3% above it at first): no train set the model
    # cannot fit (a data problem) but a model that learned nothing it could apply
    epochs = np.arange(1, 13, dtype=float)
    train = 9.79 + 15.3 * np.exp(-(epochs - 1) * 1.2)
    test = np.log(37) + 0.0114 * np.exp(-(epochs - 1) * 1.3)
    report = api.diagnose(frame(train, test, steps=epochs))
    assert report.verdict == "plateau"
    d = get(report, "plateau")
    assert d.evidence["chance_classes"] == 37 and "~ ln 37" in d.message


def test_one_evaluation_up_and_back_is_no_knock_of_the_learning_rate(tmp_path):
    # five evaluations of a VAE, the third 50% above its neighbours, beside a train loss that
    # fell and came to rest: one point up and back is a spike (as _spikes counts them), not
    # a knock; two evaluations up, and the rate is named
    steps = np.arange(49, 19600, 50)
    train = noisy(4.5 + 320 * np.exp(-steps / 400), 0.03, 7)

    def verdicts(test: list[float]) -> dict[str, dict]:
        every = len(steps) // len(test)
        at = range(every - 1, every * len(test), every)
        evals = {int(steps[i]): v for i, v in zip(at, test, strict=True)}
        (tmp_path / "log.csv").write_text("step,loss,val_loss\n" + "".join(
            f"{s},{t:.4f},{evals.get(int(s), '')}\n" for s, t in zip(steps, train, strict=True)))
        return {d.name: d.evidence for d in api.diagnose(tmp_path / "log.csv").diagnoses}

    assert "lr_too_high" not in verdicts([5.2, 4.59, 7.09, 4.6, 4.56])
    assert "test_knock" in verdicts([5.2, 4.59, 7.09, 7.2, 4.6, 4.56])["lr_too_high"]


@pytest.mark.parametrize("spikes_at,rate_named", [
    ((60, 140, 220, 300), False),        # calm for 299 steps after 240 of spiking: over
    ((60, 140, 220, 300, 480), True),    # one more at 480: still spiking
])
def test_spikes_the_run_has_been_calm_long_since_are_history(spikes_at, rate_named):
    # a train loss spiking x8 every 80 steps up to step 300 of 600, then calm at its floor
    # for longer than it spiked: the spikes are over even though the last lies past the
    # middle of the run; one more at 480 and they are not
    steps = np.arange(600, dtype=float)
    train = noisy(0.3 + 2 * np.exp(-steps / 40), 0.03, 11)
    for s in spikes_at:
        train[s] *= 8
    test = noisy(0.35 + 2 * np.exp(-steps / 40), 0.01, 12)[::20]
    report = api.diagnose(pd.DataFrame({"step": steps, "loss": train}).merge(
        pd.DataFrame({"step": steps[::20], "val_loss": test}), how="left"))
    assert ("lr_too_high" in {d.name for d in report.diagnoses}) is rate_named


def test_spikes_inside_a_last_window_that_still_falls_are_history():
    # a train loss falling steadily to 1e-3 with two x2.5 spikes at steps 224 and 280 of 400
    # (the last inside the last window), calm for twice as long since, beside a test loss
    # still falling: the window that holds the spike falls, so the run has settled: learning
    steps = np.arange(400, dtype=float)
    train = noisy(0.001 + 1.5 * np.exp(-steps / 40), 0.04, 21)
    train[[224, 280]] *= 2.5
    test = noisy(0.014 + 0.8 * np.exp(-steps / 50), 0.01, 22)
    report = api.diagnose(frame(train, test, steps=steps))
    assert report.verdict == "learning"
    assert "lr_too_high" not in {d.name for d in report.diagnoses}


def test_a_test_loss_written_as_0_until_its_first_evaluation_is_read_from_there():
    """YOLO runs validation only at the last epoch when told to, and writes 0 for it before:
    an untrained model's loss is not 0, so the leading zeros are no evaluations. Read as
    values, the test loss was flat at 0 and the run a plateau; left out, one evaluation is
    too few for a trend and the train loss decides. Zeros after the first evaluations (a
    loss memorised down to 0) are values."""
    train = noisy(decay(0.2, tau=60.0), 0.01, 71)
    val = np.zeros(N)
    val[-1] = 0.3
    report = api.diagnose(frame(train, val))
    assert report.verdict == "learning", report.main.diagnoses
    assert any("test loss is 0 at its first 119 points" in n for n in report.main.notes)
    assert report.runs[0].context.test is None
    val = decay(0.3, 1.0)
    val[:30] = 0.0                                # the evaluations start at step 30
    test = api.diagnose(frame(train, val)).runs[0].context.test
    assert test is not None and test.steps[0] == 30
    memorised = np.where(T > 80, 0.0, decay(0.0, 1.0, 8))
    test = api.diagnose(frame(train, memorised)).runs[0].context.test
    assert test is not None and len(test.steps) == N


@pytest.mark.parametrize("seed, levelling_verdict", [(1, "plateau"), (2, "plateau"),
                                                     (6, "learning")])
def test_a_test_loss_still_falling_carries_the_verdict_beside_a_resting_train_loss(
        seed, levelling_verdict):
    """The train loss fell and now rests, scattering 20% a point; its last window tilts up
    (seeds 1, 2) or down (seed 6) within that noise. Beside a test loss whose last window
    still falls a fifth of its progress the run improves where it counts: learning, whichever
    way the tilt goes (the tilt up read as mixed trends and a plateau). Beside a test loss
    that levels off, falling 7% of its progress in its last window, only the tilt down
    (a train loss still edging down) is learning; the tilt up is mixed trends."""
    train = noisy(decay(0.3, 2.0, 8), 0.2, 300 + seed)
    falling = noisy(0.2 + 0.4 * np.exp(-T / 60), 0.002, 400 + seed)
    report = api.diagnose(frame(train, falling))
    assert report.verdict == "learning", report.main.diagnoses
    levelling = noisy(0.2 + 0.4 * np.exp(-T / 28), 0.002, 400 + seed)
    assert api.diagnose(frame(train, levelling)).verdict == levelling_verdict


def test_zeros_a_logger_writes_for_the_loss_it_did_not_compute_are_left_out():
    """A script that logs both losses every epoch, 0 for the one it did not compute (the
    val loss at training epochs, the train loss at the evaluations' every 10th): those zeros
    are no values. Read as values, the test loss was flat at 0 and the run a plateau; left
    out, both losses still fall: learning. Zeros that do not take turns so (a memorised
    train loss printed down to 0 beside a val loss logged at every epoch) are values."""
    steps = np.arange(56.0)
    evals = steps % 10 == 9
    train = np.where(evals, 0.0, 600 * np.exp(-steps / 40) + 150)
    val = np.where(evals, 650 * np.exp(-steps / 40) + 200, 0.0)
    report = api.diagnose(frame(train, val, steps=steps))
    assert report.verdict == "learning"
    assert any("take turns at 0" in n for n in report.main.notes)
    memorised = np.where(steps > 40, 0.0, 0.5 * np.exp(-steps / 5))
    report = api.diagnose(frame(memorised, 0.3 + 0.2 * np.exp(-steps / 10), steps=steps))
    assert not any("take turns at 0" in n for n in report.main.notes)


def test_a_memorised_train_loss_ticking_up_beside_a_test_loss_climbing_away_is_overfitting():
    """The train loss memorised its set to 0.16 and then ticked up to 0.22, a late rise
    of a rate too high by itself, while the test loss climbed from its best at 0.64 to 1.96,
    far above it: the test loss rose more than twice as far (log scale) and now stands
    above the train loss by more than its rise, so the tick is the memorising run's, and the
    overfitting, also found, is the verdict (a set33 binary adder read lr_too_high). Both
    losses knocked up together and resting at one level (a bad batch that threw the weights
    off) stay a rate too high, though the test loss rose more than twice as far."""
    train = 0.16 + 0.55 * np.exp(-T / 10) + np.clip((T - 60) * 0.004, 0, 0.06)
    val = 0.6 + 0.3 * np.exp(-T / 5) + 1.5 * (1 - np.exp(-np.clip(T - 15, 0, None) / 40))
    report = api.diagnose(frame(noisy(train, 0.01, 81), noisy(val, 0.01, 82)))
    assert report.verdict == "overfitting", report.main.diagnoses
    assert "lr_too_high" in {d.name for d in report.diagnoses}
    after = np.clip(T - 45, 0, None)
    train = np.where(T < 45, 1.7 + 0.6 * np.exp(-T / 10), 2.3 + 2.5 * np.exp(-after / 12))
    val = np.where(T < 45, 0.95 + 1.35 * np.exp(-T / 10), 2.31 + 3.0 * np.exp(-after / 12))
    report = api.diagnose(frame(noisy(train, 0.01, 83), noisy(val, 0.01, 84)))
    assert report.verdict == "lr_too_high"
    assert "overfitting" in {d.name for d in report.diagnoses}


def test_a_train_loss_that_ends_above_its_untrained_value_ended_worse_than_it_started():
    """SGD at rate 10 on a 3-class problem: the train loss is 3.7 at its first log, jumps to
    5-9 within the first few evaluations and swings there for the rest of the run, the test
    loss with it. Its swings (about 20%) are under what reads as no headway, and the jump
    came before a running median settles, where a late rise is measured from; but the run
    ends worse than the untrained model was: lr_too_high. A loss thrown up 300x by one
    spike and back to within a few percent of where it started, or one that fell, has not."""
    rng = np.random.default_rng(4)
    steps = np.arange(8, 1288, 8.0)
    level = 3.7 + 3.0 * (1 - np.exp(-(steps - 8) / 40))
    train = level * np.exp(rng.normal(0, 0.2, len(steps)))
    train[0] = 3.7
    test = (level * np.exp(rng.normal(0, 0.2, len(steps))))[::4]
    sparse = pd.DataFrame({"step": steps, "loss": train,
                           "val_loss": np.where(np.arange(len(steps)) % 4 == 0,
                                                np.resize(np.repeat(test, 4), len(steps)),
                                                np.nan)})
    report = api.diagnose(sparse)
    assert report.verdict == "lr_too_high", report.main.diagnoses
    found = get(report, "lr_too_high")
    assert "ends worse than it started" in found.message
    assert found.evidence["train_above_start"] > 0.5           # log scale: 3.7 -> ~6.7
    assert found.evidence["train_above_start_z"] >= 2.5
    spiked = 1.65 * np.exp(rng.normal(0, 0.03, len(steps)))
    spiked[0], spiked[1] = 1.59, 470.0
    fell = (0.3 + 3.4 * np.exp(-steps / 200)) * np.exp(rng.normal(0, 0.2, len(steps)))
    for curve in (spiked, fell):
        said = " ".join(d.message for d in api.diagnose(frame(curve, None, steps=steps))
                        .main.diagnoses)
        assert "worse than it started" not in said, said


def test_a_loss_summed_over_each_epoch_as_it_grows_is_no_divergence(tmp_path):
    """A loop that logs its running total every 100 batches and starts it again each epoch
    ('Epoch,Batch,Loss': 0.24, 22.7, 43.3, 62.7, 80.8, then 0.15 at the next epoch) saws up
    and back ten times: at the end it climbs within its epoch far above its best, as a
    blow-up under way would, but it keeps coming back down from its peaks. Not a
    divergence, an error that fails a CI gate; a train loss that swings so and then breaks
    into NaN, or whose test loss blows up beside it, still is one."""
    rows, mean = ["Epoch,Batch,Loss"], 0.2
    for epoch in range(1, 11):
        for batch in (1, 101, 201, 301, 401):
            rows.append(f"{epoch},{batch},{mean * batch * (1 + 0.05 * np.sin(batch)):.6f}")
        mean *= 0.88
    log = tmp_path / "training_log.csv"
    log.write_text("\n".join(rows) + "\n")
    report = api.diagnose(log)
    assert "divergence" not in names(report), report.main.diagnoses
    # the same saw, whose last epoch's total runs into NaN: a blow-up that broke
    rows[-1] = rows[-1].rsplit(",", 1)[0] + ",nan"
    rows[-2] = rows[-2].rsplit(",", 1)[0] + ",1e6"
    log.write_text("\n".join(rows) + "\n")
    assert api.diagnose(log).verdict in ("divergence", "non_finite")


def test_a_loss_that_barely_moved_reads_the_same_with_and_without_jitter():
    # a rate far too small: both losses fall 2% in a straight line over 25 epochs, printed
    # to many digits. Read as moving, 2% of jitter per point (a standard error of 1.4% on
    # the whole-run change of 25 points) made it flat on most draws: the verdict turned on
    # the jitter. A curve that moved under 4% of its level in all has not measurably moved
    t = np.arange(25, dtype=float)
    train, test = 1.673 * np.exp(-0.00094 * t), 1.677 * np.exp(-0.00094 * t)
    plain = api.diagnose(frame(train, test, steps=t))
    assert plain.verdict == "plateau"
    d = get(plain, "plateau")
    assert d.evidence["never_moved"] and "Neither loss moved measurably" in d.message
    assert "raise it 10x" in d.actions[0] and "lower the learning rate" not in " ".join(d.actions)
    for seed in range(10):
        rng = np.random.default_rng(seed)
        jittered = frame(train * np.exp(rng.normal(0, 0.02, 25)),
                         test * np.exp(rng.normal(0, 0.02, 25)), steps=t)
        assert api.diagnose(jittered).verdict == "plateau", seed


def test_a_small_fall_that_speeds_up_is_learning_and_a_larger_steady_one_too():
    # a model at ln 10 whose fall is just beginning: 2% in all, but its last third falls
    # more than half of it; and the issue's high floor, 0.72 -> 0.68 over the run
    t = np.arange(60, dtype=float)
    start = 2.306 * (1 - 0.02 * (t / 59) ** 2.5)
    report = api.diagnose(frame(noisy(start, 0.0005, 3), noisy(start, 0.0002, 4), steps=t))
    assert report.verdict == "learning"
    assert not any("not moving" in note for note in report.runs[0].notes)
    floor = 0.68 + 0.04 * (1 - t / 59)
    assert api.diagnose(frame(noisy(floor, 0.001, 5), noisy(floor * 1.02, 0.001, 6),
                              steps=t)).verdict == "learning"


def test_a_train_loss_falling_tenfold_below_a_resting_test_loss_is_overfitting():
    # the test loss rests near 0.06, easing by 0.006 over its last half, while the train
    # loss falls 0.0056 -> 0.0016: on a log plot the gap widens 12x -> 38x, though the
    # difference of the two shrinks; that difference alone had read "not pulling apart"
    # (mixed trends, a plateau)
    t = np.arange(300, dtype=float)
    train = noisy(0.8 * np.exp(-t / 32) + 0.0015, 0.05, 11)
    test = noisy(0.055 + 0.7 * np.exp(-t / 25) + 0.03 * np.exp(-t / 150), 0.005, 12)
    report = api.diagnose(frame(train, test, steps=t))
    assert report.verdict == "overfitting"
    assert "test/train" in get(report, "overfitting").message


def test_test_evaluations_scattering_without_order_beside_a_resting_train_loss_are_no_trend():
    # a train loss that fell and rests (2% noise) beside 25 evaluations scattering 12%
    # around one level in no order: their down-swings and up-swings are the evaluation's
    # noise, not learning and not a rate too high (read so on 4 of 40 draws before: the
    # test curve's lack of order counted only beside a train loss at rest too)
    t = np.arange(200, dtype=float)
    verdicts = []
    for seed in range(40):
        rng = np.random.default_rng(seed)
        test = np.full(len(t), np.nan)
        test[7::8] = 1.3 * np.exp(rng.normal(0, 0.12, len(t[7::8])))
        verdicts.append(api.diagnose(frame(noisy(0.38 + 0.6 * np.exp(-t / 30), 0.02, seed),
                                           test, steps=t)).verdict)
    assert not {"learning", "lr_too_high"} & set(verdicts), verdicts


def test_a_flat_train_window_tilting_within_a_standard_error_does_not_decide_the_verdict():
    """A train loss resting after its fall beside a test loss still edging down (4.7% of its
    progress in the last window): the flat train window's tilt within one standard error is
    noise, and the verdict followed its sign (learning at z -0.4, a plateau at +0.1; r0029,
    plateau, read learning with every second point dropped). A tilt down of a standard error
    or more is the train loss edging down too."""
    test = noisy(0.5 + 1.5 * np.exp(-T / 10) + 0.3 * np.exp(-T / 150), 0.002, 41)
    seen = {}
    for tilt in np.linspace(0.0, 0.03, 13):
        train = noisy(0.4 + 1.2 * np.exp(-T / 12), 0.01, 40) * np.exp(
            tilt * np.clip(T - 80, 0, None) / 40)
        report = api.diagnose(frame(train, test))
        curves = report.to_dict()["curves"]
        z = curves["train"]["windows"][-1]["z"]
        assert curves["train"]["windows"][-1]["direction"] == "flat"
        assert curves["test"]["windows"][-1]["direction"] == "falling"
        seen[round(z, 2)] = report.verdict
    within = {v for z, v in seen.items() if abs(z) < 1}
    assert any(-1 < z < 0 for z in seen) and any(0 < z < 1 for z in seen)
    assert within == {"plateau"}
    assert {v for z, v in seen.items() if z <= -1} == {"learning"}


def test_a_burst_over_points_in_a_row_is_one_spike_however_densely_it_was_logged():
    """A memorised train loss wandering 30% around 3e-4 beside a flat test loss, thrown up
    60x once (s39_037: x45 and x33 at two epochs in a row): logged over one point, two or
    three, it is one excursion, and two were counted as 'spiked 2 times' (lr_too_high found
    from the second point on). Two bursts apart are two spikes."""
    rng = np.random.default_rng(7)
    t = np.arange(400, dtype=float)
    train = np.maximum(np.exp(-t / 20), 3e-4) * np.exp(0.3 * rng.standard_normal(len(t)))
    test = noisy(0.3 + 0.5 * np.exp(-t / 8), 0.01, 8)
    found = []
    for width in (1, 2, 3):
        burst = train.copy()
        burst[300:300 + width] *= 60
        found.append([d.name for d in api.diagnose(frame(burst, test, steps=t)).diagnoses])
    assert found[0] == found[1] == found[2] and "lr_too_high" not in found[0]
    twice = train.copy()
    twice[200:202] *= 60
    twice[300:302] *= 60
    spiked = get(api.diagnose(frame(twice, test, steps=t)), "lr_too_high")
    assert spiked.evidence["spike_count"] == 2


def test_a_data_problem_read_over_the_whole_run_names_the_logged_ends():
    """A test loss that fell 1.9 -> 0.6 in its first tenth and rests, beside a train loss
    scattering around 0.8: read over the whole run, whose Theil-Sen trend (the statistic)
    reads an early fall as small. The message had said 'the test and train loss fell 8.1%
    and 0.0%', a change of the log printed as a share, and nothing a user could set beside
    the curve's own 1.88 -> 0.58; it gives the share of the loss and the logged ends now."""
    train = noisy(np.full(len(T), 0.8), 0.15, 71)
    test = noisy(0.6 + 1.3 * np.exp(-T / 6), 0.01, 72)
    found = get(api.diagnose(frame(train, test)), "data_problem")
    fell = float(-np.expm1(found.evidence["test_rate"]))
    assert f"over the whole run the test and train loss fell {fell:.1%} and 0.0%" in \
        found.message
    assert f"logged, test {test[0]:.4g} -> {test[-1]:.4g}, train {train[0]:.4g} ->" \
        f" {train[-1]:.4g})" in found.message


def test_one_spike_seen_in_both_curves_is_one_event():
    """A train and a test loss both learning, thrown up together (a bad batch whose weights
    the next evaluation still carries): each time one event, seen twice. Counted per curve,
    two such events were 'spiked 4 times', and the count hung on whether the log held a
    test loss evaluated at those steps (real82's unet log: 4 spikes at 2 steps); once,
    beside a steadily learning run, it is no rate too high either way."""
    t = np.arange(120, dtype=float)
    train = noisy(0.2 + np.exp(-t / 25), 0.01, 11)
    test = noisy(0.25 + np.exp(-t / 25), 0.01, 12)
    once_train, once_test = train.copy(), test.copy()
    once_train[60] *= 4
    once_test[60] *= 4
    found = api.diagnose(frame(once_train, once_test, steps=t))
    alone = api.diagnose(frame(once_train, test, steps=t))
    assert "lr_too_high" not in [d.name for d in found.diagnoses]
    assert found.verdict == alone.verdict
    once_train[90] *= 4
    once_test[90] *= 4
    spiked = get(api.diagnose(frame(once_train, once_test, steps=t)), "lr_too_high")
    assert spiked.evidence["spike_count"] == 2
    assert "at steps 60 (train x" in spiked.message and ", test x" in spiked.message


def test_white_minibatch_noise_at_a_floor_is_no_rate_too_high():
    """One late epoch of per-step losses of a converged fine-tune: white noise +-40% around
    0.05, no trend (real82's distraction classifier, three times in the real-log sets). The
    'no headway' reading took the scatter for steps that overshoot; minibatch noise is
    white however wide (Ljung-Box over lags 1-10 at 5%, no Mann-Kendall trend), where the
    weights swinging with a period (a zigzag every third point) are not."""
    steps = np.arange(10, 1510, 10.0)
    white, zigzag = [], []
    for seed in range(20):
        rng = np.random.default_rng(seed)
        noise = rng.standard_normal(len(steps))
        white.append(api.diagnose(frame(0.05 * np.exp(0.35 * noise), None, steps=steps)))
        swing = 0.35 * np.sin(2 * np.pi * np.arange(len(steps)) / 3) + 0.1 * noise
        zigzag.append(api.diagnose(frame(0.05 * np.exp(swing), None, steps=steps)))
    assert sum(r.verdict == "lr_too_high" for r in white) <= 2        # 18 of 20 before
    assert sum(r.verdict == "plateau" for r in white) >= 17
    assert all(r.verdict == "lr_too_high" for r in zigzag)
    assert all("train_swing" in r.diagnoses[0].evidence for r in zigzag)


def test_a_test_loss_at_a_new_low_beside_a_falling_train_loss_is_still_learning():
    """Fifteen epochs: the train loss still falls 9% in its last window, the test loss's
    last window falls 4% of its progress (under ``flat_share``: flat) but its last
    evaluation is its lowest yet: the run still improves where it counts (learning, not a
    plateau). The same curves with the last evaluation back above the low read plateau."""
    steps = np.arange(15.0)
    train = np.array([0.996, 0.908, 0.698, 0.508, 0.460, 0.421, 0.413, 0.384, 0.363, 0.338,
                      0.340, 0.328, 0.327, 0.311, 0.305])
    test = np.array([1.005, 0.844, 0.526, 0.403, 0.384, 0.351, 0.338, 0.325, 0.328, 0.293,
                     0.286, 0.2775, 0.2868, 0.2737, 0.2706])
    assert api.diagnose(frame(train, test, steps=steps)).verdict == "learning"
    for scale in (0.01, 100.0):
        assert api.diagnose(frame(train * scale, test * scale, steps=steps)).verdict == "learning"
    back = test.copy()
    back[-1] = 0.2790
    assert api.diagnose(frame(train, back, steps=steps)).verdict == "plateau"


def test_a_test_loss_at_its_lowest_beside_a_ticking_train_snapshot_is_learning():
    """An LM's console every 5,000 steps: the train loss printed is one batch's (it ticks
    up 3% in its last prints), the validation loss falls at every evaluation to its lowest
    at the last: the trends are mixed, and the run improves where it counts (learning, not
    the mixed trends' plateau). The same with the last evaluation back above its low stays
    a plateau."""
    steps = np.arange(5000.0, 60001.0, 5000.0)
    train = np.array([3.910, 3.702, 3.562, 3.399, 3.501, 3.451, 3.432, 3.370, 3.198, 3.221,
                      3.412, 3.302])
    test = np.array([3.909, 3.707, 3.608, 3.541, 3.487, 3.441, 3.399, 3.363, 3.331, 3.306,
                     3.290, 3.282])
    assert api.diagnose(frame(train, test, steps=steps)).verdict == "learning"
    back = test.copy()
    back[-1] = 3.300
    assert api.diagnose(frame(train, back, steps=steps)).verdict == "plateau"


def test_a_train_loss_thrown_up_from_its_start_to_a_level_it_keeps_has_moved():
    """A fine-tune at learning rate 5: 1.64 at its first step, 11.8 at the second, then
    frozen at 10.37: the points after the first are a level (no trend, no order), but the
    loss left its untrained value 6x upward and stayed. That is a rate too high, not a
    loss that "never moved" told to raise its rate 10x. A level whose first point is no
    lower than the rest is still read as never moved."""
    train = np.array([1.637, 11.8069, 11.6046, 10.3829] + [10.3735] * 6)
    steps = np.arange(1.0, 11.0)
    for scale in (1.0, 0.01, 100.0):
        r = api.diagnose(frame(train * scale, None, steps=steps))
        assert r.verdict == "lr_too_high", r.diagnoses[0].message
        assert r.diagnoses[0].start_step == 1
    level = train.copy()
    level[0] = 10.40
    r = api.diagnose(frame(level, None, steps=steps))
    assert r.verdict == "plateau" and r.diagnoses[0].evidence.get("never_moved")


def test_spikes_of_a_train_loss_logged_alone_that_falls_throughout_are_its_noise():
    """A train loss logged alone, per epoch, falls from 37,000 to 2 on a log scale in
    every window to its lowest in the last; two bursts throw it up x2-x3 for a few epochs,
    out of its scatter but nothing beside the four decades it learned: learning, as when a
    steadily falling test loss stands beside it (not a rate too high). Before, the verdict
    hung on where the long curve's thinning put the bursts (seed 3: lr_too_high)."""
    steps = np.arange(1.0, 1001.0)
    for seed in (3, 4, 5):
        rng = np.random.default_rng(seed)
        train = 37000.0 * steps ** -1.4 * np.exp(rng.normal(0, 0.1, len(steps)))
        train[502:505] *= [2.7, 2.0, 1.35]
        train[804:808] *= [1.7, 2.4, 3.1, 3.0]
        r = api.diagnose(frame(train, None, steps=steps))
        assert r.verdict == "learning", r.diagnoses[0].message


def test_a_running_mean_drifting_up_a_percent_at_chance_is_no_blow_up():
    """DINO's warm-up at a rate near 1e-10: 18 prints of a running mean of the loss, 11.06
    -> 11.22 (ln 65536 = 11.09, chance), then level. So smooth a curve stands "over 100
    noise sigmas" above its first point after a 1.4% drift, which read as a blow-up under
    way (divergence, an error that fails a CI gate). It never moved measurably from its
    start: a plateau. The same drift scaled to a 3x climb still reads as a blow-up."""
    k = np.arange(18.0)
    steps = 4.0 + 5.0 * k
    rng = np.random.default_rng(0)
    drift = 11.06 + 0.16 * (1 - np.exp(-k / 3)) + rng.normal(0, 2e-4, len(k))
    r = api.diagnose(frame(drift, None, steps=steps))
    assert r.verdict == "plateau" and "divergence" not in [d.name for d in r.diagnoses]
    climb = 1.0 * np.exp(1.1 * k / 17) + rng.normal(0, 2e-4, len(k))
    assert api.diagnose(frame(climb, None, steps=steps)).verdict == "divergence"


def test_a_train_loss_blowing_up_past_the_test_losss_worst_is_no_data_problem():
    """A growing rate throws the train loss up 1e6x and the test loss 1e3x: the train loss
    ends above all the test loss ever was, but it is still climbing, a blow-up (set52's
    s52_046 was told, beside its divergence, that its train labels may be corrupted)."""
    growth = np.exp(np.clip(T - RISE_FROM, 0, None) / 12)
    train = noisy(decay(0.3, tau=10) * growth ** 2, 0.02, 3)
    val = noisy(decay(0.4, tau=10) * growth, 0.02, 4)
    report = api.diagnose(frame(train, val))
    assert report.verdict == "divergence"
    assert "data_problem" not in names(report)


@pytest.mark.parametrize("seed", range(12))
def test_minibatch_noise_around_a_slow_fall_is_no_rate_too_high(seed):
    """A per-step train loss scattering +-70% around a fall of a third over the run (real116's
    crypto-mlops, a Lightning regression at 0.006): its last stretch's median stands barely
    out of that scatter, but its points fall in order (Mann-Kendall), which is headway; the
    swings are the batches', not steps that overshoot (10 of 31 such curves read "no
    headway")."""
    rng = np.random.default_rng(seed)
    n = 150
    train = np.exp(np.log(0.006) - 0.45 * np.arange(n) / n + 0.55 * rng.standard_normal(n))
    report = api.diagnose(pd.DataFrame({"step": np.arange(n) * 50.0, "loss": train}))
    assert "lr_too_high" not in names(report), get(report, "lr_too_high").message
