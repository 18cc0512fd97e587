"""Verdicts that do not depend on units, step axis, cadence or 2% jitter (issue 10, point 6).

Each transform rewrites the tidy loss frame of a parsed log and the verdict is compared with
the untransformed one, over the simulator's curves (always) and over ../shared/corpus (when
present). The issue's target is at most 1% changed under each transform; the bounds below
are what the engine measures today (rounded up), so that a regression fails and a fix can
tighten them.
"""
from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lossdoctor.api import load
from lossdoctor.engine import diagnose_log
from lossdoctor.frame import LOSS_SPLITS, LossLog, concat_frames, validate_frame
from lossdoctor.simulate import FAMILIES, simulate

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SIM_SEEDS = range(10)
#: a curve this long is a per-step curve whose every second point may be dropped
LONG = 200

Transform = Callable[[pd.DataFrame, np.random.Generator], pd.DataFrame]


def _values(scale: float) -> Transform:
    def apply(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
        losses = frame["split"].isin(LOSS_SPLITS).to_numpy()
        return frame.assign(value=np.where(losses, frame["value"] * scale, frame["value"]))
    return apply


def _steps(scale: float, shift: float) -> Transform:
    def apply(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
        return frame.assign(step=frame["step"] * scale + shift)
    return apply


def _per_curve(change: Callable[[pd.DataFrame], pd.DataFrame]) -> Transform:
    """Apply ``change`` to each (run, split) loss curve, in step order; lr rows are kept."""
    def apply(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
        parts = []
        for _, curve in frame.groupby(["run", "split"], observed=True, sort=False):
            curve = curve.sort_values("step", kind="stable")
            parts.append(change(curve) if curve["split"].iloc[0] in LOSS_SPLITS else curve)
        return concat_frames(parts)
    return apply


def _halve(curve: pd.DataFrame) -> pd.DataFrame:
    return curve.iloc[::2] if len(curve) >= LONG else curve


def _midpoints(curve: pd.DataFrame) -> pd.DataFrame:
    """One linearly interpolated point between each pair of finite neighbours."""
    steps, values = curve["step"].to_numpy(float), curve["value"].to_numpy(float)
    ok = np.isfinite(values[:-1]) & np.isfinite(values[1:]) & (np.diff(steps) > 0)
    mids = curve.iloc[:-1][ok].assign(step=(steps[:-1] + steps[1:])[ok] / 2,
                                      value=(values[:-1] + values[1:])[ok] / 2)
    return pd.concat([curve, mids]).sort_values("step", kind="stable")


def _jitter(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    losses = frame["split"].isin(LOSS_SPLITS).to_numpy()
    noise = np.exp(rng.normal(0.0, 0.02, len(frame)))
    return frame.assign(value=np.where(losses, frame["value"] * noise, frame["value"]))


TRANSFORMS: dict[str, Transform] = {
    "values x10": _values(10.0),
    "values x0.01": _values(0.01),
    "steps x100": _steps(100.0, 0.0),
    "steps +1000": _steps(1.0, 1000.0),
    "every second point dropped": _per_curve(_halve),
    "interpolated midpoints": _per_curve(_midpoints),
    "jitter exp(N(0, 0.02))": _jitter,
}

#: the share of verdicts allowed to change (simulator, corpus): the issue's target is at most
#: 0.01 under each transform; these are the shares measured on 2026-12-01 (engine of main c2b4ff6),
#: rounded up to a whole percent: 120 simulated logs; 166 corpus cases (49 with a curve of
#: >= 200 points for the dropping transform). Lower a bound when the engine gets better.
BOUNDS = {
    "values x10": (0.0, 0.0),
    "values x0.01": (0.0, 0.0),
    "steps x100": (0.0, 0.0),
    "steps +1000": (0.0, 0.0),
    "every second point dropped": (0.05, 0.03),    # measured 4.3% (5/117), 2.0% (1/49)
    "interpolated midpoints": (0.05, 0.03),        # measured 4.2% (5/120), 2.4% (4/166)
    "jitter exp(N(0, 0.02))": (0.03, 0.11),        # measured 2.5% (3/120), 10.8% (18/166)
}


def applies(name: str, log: LossLog) -> bool:
    """Dropping every second point is only asked of logs with a long curve."""
    if name != "every second point dropped":
        return True
    sizes = log.frame[log.frame["split"].isin(LOSS_SPLITS)].groupby(
        ["run", "split"], observed=True).size()
    return bool((sizes >= LONG).any())


def verdicts(log: LossLog, seed: int) -> dict[str, str]:
    """The verdict of ``log`` as parsed ("") and under each transform that applies to it."""
    out = {"": diagnose_log(log).verdict}
    for name, transform in TRANSFORMS.items():
        if applies(name, log):
            frame = validate_frame(transform(log.frame, np.random.default_rng(seed)))
            out[name] = diagnose_log(LossLog(frame, log.source, log.format)).verdict
    return out


def changed(table: dict[str, dict[str, str]], name: str) -> tuple[float, list[str]]:
    """The share of logs whose verdict ``name`` changed, and which (``case: a -> b``)."""
    rows = [(case, v[""], v[name]) for case, v in table.items() if name in v]
    moved = [f"{case}: {a} -> {b}" for case, a, b in rows if a != b]
    return (len(moved) / len(rows) if rows else 0.0), moved


@cache
def simulated_table() -> dict[str, dict[str, str]]:
    return {f"{name}/{seed}": verdicts(load(simulate(name, seed)[0]), seed)
            for name in sorted(FAMILIES) for seed in SIM_SEEDS}


def _corpus_log(case: Path) -> LossLog:
    args = json.loads((case / "labels.json").read_text())["args"]
    if args[0] == "--train":
        return load(train=case / args[1], test=case / args[3])
    return load(case / args[0])


@cache
def corpus_table() -> dict[str, dict[str, str]]:
    cases = sorted(p.parent for p in CORPUS.glob("*/labels.json"))
    return {c.name: verdicts(_corpus_log(c), zlib.crc32(c.name.encode())) for c in cases}


# ---------------------------------------------------------------- the transforms themselves

def _log() -> LossLog:
    return load(simulate("per_step_per_epoch", 0)[0])


def test_transforms_do_what_they_say():
    log = _log()
    frame, rng = log.frame, np.random.default_rng(0)
    train = frame["split"] == "train"
    lr_free = frame[frame["split"] != "lr"]
    assert np.allclose(TRANSFORMS["values x10"](frame, rng)["value"], frame["value"] * 10)
    assert np.allclose(TRANSFORMS["steps +1000"](frame, rng)["step"], frame["step"] + 1000)
    halved = TRANSFORMS["every second point dropped"](frame, rng)
    assert (halved["split"] == "train").sum() == (train.sum() + 1) // 2
    assert (halved["split"] == "test").sum() == (frame["split"] == "test").sum()  # short
    dense = TRANSFORMS["interpolated midpoints"](frame, rng)
    assert len(dense) == 2 * len(lr_free) - 2
    jittered = TRANSFORMS["jitter exp(N(0, 0.02))"](frame, rng)
    ratio = np.log(jittered["value"].to_numpy() / frame["value"].to_numpy())
    assert 0.015 < ratio.std() < 0.025


def test_midpoints_sit_between_finite_neighbours_only():
    curve = pd.DataFrame({"run": "", "split": "train", "step": [0.0, 1, 2, 3],
                          "value": [4.0, 2, np.nan, 1], "wall_time": np.nan, "metric": ""})
    out = _midpoints(curve)
    assert out["step"].tolist() == [0.0, 0.5, 1, 2, 3]
    assert out["value"].tolist()[:2] == [4.0, 3.0]


# ---------------------------------------------------------------- invariance

@pytest.mark.parametrize("name", list(TRANSFORMS))
def test_simulated_verdicts_hold_under(name):
    share, moved = changed(simulated_table(), name)
    assert share <= BOUNDS[name][0], f"{share:.1%} changed: {moved}"


@pytest.mark.slow
@pytest.mark.shared
@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")
@pytest.mark.parametrize("name", list(TRANSFORMS))
def test_corpus_verdicts_hold_under(name):
    share, moved = changed(corpus_table(), name)
    assert share <= BOUNDS[name][1], f"{share:.1%} changed: {moved}"
