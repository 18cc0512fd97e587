"""Property tests over simulated curves with a known truth (lossdoctor.simulate), many seeds."""
from __future__ import annotations

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
    assert (a["loss"].dropna() > 0).all() and len(a) >= 20


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
    said = {**_said(name, range(30), **extra),
            **{-s - 1: v for s, v in _said(name, range(15), sigma=0.5, **extra).items()}}
    wrong = {s: v for s, v in said.items() if v in UNSTABLE}
    assert not wrong, f"{name}: seed -> verdict (negative: sigma=0.5) {wrong}"


@pytest.mark.xfail(strict=True, reason=(
    "engine: one spike far beyond spike_z counts twice and so reaches spike_count=2 alone;"
    " a lone 2-4x spike in a low-noise healthy decay gives lr_too_high (measured on seeds"
    " 0-299: exp_decay 79 113 114 117 120 121 144 168 189 195; power_decay 43 57 79 83 92 106"
    " 114 120 121 127 136 142 144 215 235 276; none without the spikes)"))
@pytest.mark.parametrize("name", ("exp_decay", "power_decay"))
def test_decay_with_a_lone_spike_never_reads_as_instability(name):
    said = _said(name, range(100))
    wrong = {s: v for s, v in said.items() if v in UNSTABLE}
    assert not wrong, f"{name}: seed -> verdict {wrong}"


@pytest.mark.parametrize("sigma", [None, 0.3], ids=["sigma-0.005-0.1", "sigma-0.3"])
def test_constant_gap_flat_pair_is_never_overfitting(sigma):
    params = {} if sigma is None else {"sigma": sigma}
    said = _said("constant_gap_plateau", range(40 if sigma is None else 20), **params)
    wrong = {s: v for s, v in said.items() if v == "overfitting"}
    assert not wrong, f"seed -> verdict {wrong}"


def test_blowup_to_nan_is_always_non_finite_or_divergence():
    said = _said("blowup_nan", range(40))
    wrong = {s: v for s, v in said.items() if v not in ("non_finite", "divergence")}
    assert not wrong, f"seed -> verdict {wrong}"


def _chance(seed: int) -> tuple[str, object]:
    report = _report("chance_stuck", seed)
    primary = report.main.primary
    return report.verdict, (primary.evidence.get("chance_classes") if primary else None)


@pytest.mark.xfail(strict=True, reason=(
    "engine: about 1 in 5 loss curves stuck at ln 10 (noise 0.0005-0.01, a drift of at most"
    " 0.003) is not a plateau at chance: lr_too_high from a smoothed wander above a first-point"
    " noise dip (seeds 8 23 27 30 37 42 47 49 57), data_problem (4), learning (21 48),"
    " overfitting (34), or a plateau without chance_classes (17 25 28)"))
def test_chance_level_stuck_loss_is_a_plateau_at_ln_10():
    said = {s: _chance(s) for s in range(40)}
    wrong = {s: v for s, v in said.items() if v != ("plateau", 10)}
    assert not wrong, f"seed -> (verdict, chance_classes) {wrong}"


def test_chance_level_when_named_is_ten_classes():
    named = {s: k for s in range(40) if (k := _chance(s)[1]) is not None}
    assert len(named) >= 20
    assert set(named.values()) == {10}
