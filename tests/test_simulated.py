"""Property tests over simulated curves with a known truth (lossdoctor.simulate), many seeds."""
from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np
import pandas as pd
import pytest

import lossdoctor
from lossdoctor.api import load
from lossdoctor.report import Report
from lossdoctor.rules import RULES
from lossdoctor.simulate import FAMILIES, family, simulate

UNSTABLE = {"lr_too_high", "divergence"}
HEALTHY = ("exp_decay", "power_decay", "per_step_per_epoch")


@cache
def _report(name: str, seed: int, **params) -> Report:
    frame, _ = simulate(name, seed, **params)
    return lossdoctor.diagnose(frame)


def _said(name: str, seeds, **params) -> dict[int, str]:
    return {s: _report(name, s, **params).verdict for s in seeds}


# ---------------------------------------------------------------- the simulator itself

@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_family_is_seeded_and_well_formed(name):
    build, accepts = FAMILIES[name]
    a, b, other = build(1), build(1), build(2)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(other)
    assert list(a.columns[:3]) == ["step", "loss", "val_loss"]
    assert set(a.columns) <= {"step", "loss", "val_loss", "lr"}
    assert a["step"].is_monotonic_increasing and a["step"].is_unique
    assert accepts and accepts <= {r.name for r in RULES.values()}
    assert (a["loss"].dropna() > 0).all() and len(a) >= 10


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_family_frame_reads_as_train_test_and_lr(name):
    frame, _ = simulate(name, 5)
    log = load(frame)
    got = log.frame.groupby("split", observed=True).size().to_dict()
    assert got["train"] == len(frame)
    assert got["test"] == frame["val_loss"].notna().sum() + (
        frame["val_loss"].isna() & frame["loss"].isna()).sum()
    assert got.get("lr", 0) == (len(frame) if "lr" in frame else 0)


def test_per_epoch_test_is_logged_once_an_epoch():
    frame, _ = simulate("per_step_per_epoch", 0)
    test_steps = frame["step"][frame["val_loss"].notna()].to_numpy()
    every = np.diff(test_steps)
    assert len(test_steps) >= 15 and (every == every[0]).all() and every[0] >= 20
    assert test_steps[-1] == frame["step"].iloc[-1]


def test_registering_a_family_twice_fails_loudly():
    with pytest.raises(RuntimeError, match="twice"):
        family("exp_decay", "learning")(lambda seed: pd.DataFrame())


def test_an_unknown_family_names_the_known_ones():
    with pytest.raises(KeyError, match="exp_decay"):
        simulate("exp_decy", 0)


def test_chance_family_sits_at_ln_10():
    for seed in range(10):
        frame, _ = simulate("chance_stuck", seed)
        assert abs(frame["loss"].median() - np.log(10)) < 0.02


def test_blowup_family_ends_in_nan():
    for seed in range(10):
        frame, _ = simulate("blowup_nan", seed)
        assert frame["loss"].isna().iloc[-1] and frame["loss"].notna().iloc[0]


# ---------------------------------------------------------------- properties of the engine

@pytest.mark.parametrize("name", HEALTHY)
def test_noisy_decay_never_reads_as_instability(name):
    """Up to 50% multiplicative noise (log-space sigma 0.5) around a falling trend is noise."""
    extra = {"spikes": 0.0} if name != "per_step_per_epoch" else {}
    said = {**_said(name, range(25), **extra),
            **{-s - 1: v for s, v in _said(name, range(10), sigma=0.5, **extra).items()}}
    wrong = {s: v for s, v in said.items() if v in UNSTABLE}
    assert not wrong, f"{name}: seed -> verdict (negative: sigma=0.5) {wrong}"


def _share(said: dict, bad: Callable[[object], bool]) -> tuple[float, dict]:
    wrong = {s: v for s, v in said.items() if bad(v)}
    return len(wrong) / len(said), wrong


# A property the engine does not meet on every seed yet is a strict xfail that names the
# failing seeds (measured on main b6db850), beside a guard that fails when more seeds fail
# than were measured: a regression shows before the property holds, and a fix turns the
# xfail red (then drop the mark and the guard).

SPIKE_SEEDS = {"exp_decay": range(100), "power_decay": range(60)}


@pytest.mark.parametrize("name", list(SPIKE_SEEDS))
def test_decay_with_a_lone_spike_never_reads_as_instability(name):
    share, wrong = _share(_said(name, SPIKE_SEEDS[name], most_spikes=1),
                          lambda v: v in UNSTABLE)
    assert not wrong, f"{name}: seed -> verdict {wrong}"


TWO_SPIKES = pytest.mark.xfail(strict=True, reason=(
    "engine: two rare 2-4x spikes in a low-noise healthy decay reach spike_count=2 and give"
    " lr_too_high (exp_decay seed 79, power_decay 57; of seeds 0-299: exp_decay 79 121,"
    " power_decay 57 120 121; none when there is one spike at most)"))


@TWO_SPIKES
@pytest.mark.parametrize("name", list(SPIKE_SEEDS))
def test_decay_with_two_rare_spikes_never_reads_as_instability(name):
    share, wrong = _share(_said(name, SPIKE_SEEDS[name]), lambda v: v in UNSTABLE)
    assert not wrong, f"{name}: seed -> verdict {wrong}"


@pytest.mark.parametrize("name", list(SPIKE_SEEDS))
def test_decay_with_two_rare_spikes_guard(name):
    share, wrong = _share(_said(name, SPIKE_SEEDS[name]), lambda v: v in UNSTABLE)
    assert share <= 0.02, f"{name}: {share:.1%} unstable, measured 1% / 1.7%: {wrong}"


def test_constant_gap_flat_pair_is_never_overfitting():
    said = {f"{s}": v for s, v in _said("constant_gap_plateau", range(120)).items()}
    said.update({f"{s}@sigma=0.3": v for s, v in
                 _said("constant_gap_plateau", range(60), sigma=0.3).items()})
    share, wrong = _share(said, lambda v: v == "overfitting")
    assert not wrong, f"seed -> verdict {wrong}"


SHORT_SEEDS = range(100)
SHORT_FLAT_ALARMS = pytest.mark.xfail(strict=True, reason=(
    "engine: on 10-40 evaluations the running median spans 3 points and the standard errors"
    " read from its residuals are small, so a noise dip of a short flat test loss reads as a"
    " best it rose from (short_plateau seeds 41 and 47: overfitting) and noise climbs of the"
    " smoothed train loss as climbing back (seed 29: lr_too_high); of seeds 0-99"))


def _alarm(verdict: object) -> bool:
    return verdict in UNSTABLE or verdict == "overfitting"


@SHORT_FLAT_ALARMS
def test_a_short_flat_pair_raises_no_alarm():
    """A short per-epoch log of two losses that fell at once and then stay flat with a
    constant gap is a plateau (learning when noise reads as a fall is wrong but harmless);
    never a rate too high, a divergence or overfitting."""
    share, wrong = _share(_said("short_plateau", SHORT_SEEDS), _alarm)
    assert not wrong, f"seed -> verdict {wrong}"


def test_a_short_flat_pair_guard():
    """Measured 3% alarms on seeds 0-99 (6% before a rise in the last few
    points had to matter on the loss's own scale for the nearest cell of mixed trends)."""
    share, wrong = _share(_said("short_plateau", SHORT_SEEDS), _alarm)
    assert share <= 0.03, f"{share:.0%} alarms, measured 3%: {wrong}"


def test_blowup_to_nan_is_always_non_finite_or_divergence():
    said = _said("blowup_nan", range(40))
    wrong = {s: v for s, v in said.items() if v not in ("non_finite", "divergence")}
    assert not wrong, f"seed -> verdict {wrong}"


LEVELLED_SEEDS = {"oscillation": range(60), "early_step_up": range(100)}
STEP_UP_DIVERGES = pytest.mark.xfail(strict=True, reason=(
    "engine: a loss that steps up early and then stays level is called divergence (an error"
    " that fails a CI gate) on early_step_up seed 99: the level after the step, 3.7x the best"
    " before it, reads as a climb"))


@pytest.mark.parametrize("name", ["oscillation",
                                  pytest.param("early_step_up", marks=STEP_UP_DIVERGES)])
def test_a_levelled_loss_is_never_divergence(name):
    share, wrong = _share(_said(name, LEVELLED_SEEDS[name]), lambda v: v == "divergence")
    assert not wrong, f"{name}: seed -> verdict {wrong}"


def test_a_stepped_up_loss_guard():
    share, wrong = _share(_said("early_step_up", LEVELLED_SEEDS["early_step_up"]),
                          lambda v: v == "divergence")
    assert share <= 0.01, f"{share:.1%} divergence, measured 1%: {wrong}"


CHANCE_SEEDS = range(80)


def _chance(seed: int) -> tuple[str, object]:
    report = _report("chance_stuck", seed)
    primary = report.main.primary
    return report.verdict, (primary.evidence.get("chance_classes") if primary else None)


def test_chance_level_stuck_loss_is_a_plateau_at_ln_10():
    # a curve that stays within the spread of its white noise has not moved: no instability
    # is read into a loss stuck at chance, whatever its noise
    said = {s: _chance(s) for s in CHANCE_SEEDS}
    share, wrong = _share(said, lambda v: v != ("plateau", 10))
    assert not wrong, f"seed -> (verdict, chance_classes) {wrong}"


def test_chance_level_when_named_is_ten_classes():
    named = {s: k for s in CHANCE_SEEDS if (k := _chance(s)[1]) is not None}
    assert len(named) >= 0.9 * len(CHANCE_SEEDS)
    assert set(named.values()) == {10}
