"""`lossdoctor compare RUN --baseline RUN` and lossdoctor.compare: curves against a good run."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from helpers import ROOT

import lossdoctor
from lossdoctor import cli
from lossdoctor.comparison import diverges_at
from lossdoctor.trends import analyze_curve

FIX = ROOT / "fixtures"


def fixture(name: str) -> str:
    return str(FIX / f"{name}.csv")


def curve(values) -> object:
    values = np.asarray(values, dtype=float)
    return analyze_curve("test", np.arange(len(values), dtype=float), values)


def test_overfitting_run_against_a_healthy_baseline():
    c = lossdoctor.compare(fixture("overfitting"), fixture("learning"))
    assert c.report.verdict == "overfitting" and c.baseline.verdict == "learning"
    test = next(s for s in c.splits if s.split == "test")
    raw = pd.read_csv(fixture("overfitting"))
    base = pd.read_csv(fixture("learning"))
    assert test.final == pytest.approx(raw["val_loss"].iloc[-1])
    assert test.baseline_best == pytest.approx(base["val_loss"].min())
    assert test.final_ratio == pytest.approx(raw["val_loss"].iloc[-1] / base["val_loss"].iloc[-1])
    assert c.curve == "test"
    # the overfitting run's test loss is worse than the healthy one's from some step on...
    assert c.diverges_at is not None and 40 <= c.diverges_at <= 90
    # ...and it first got as low as the baseline's best test loss where the values say
    first = raw.loc[raw["val_loss"] <= base["val_loss"].min(), "epoch"]
    assert c.reaches_baseline_best == pytest.approx(first.iloc[0], abs=1)


def test_a_run_against_itself_never_diverges():
    c = lossdoctor.compare(fixture("learning"), fixture("learning"))
    assert c.diverges_at is None
    assert all(s.final_ratio == pytest.approx(1.0) for s in c.splits)
    assert c.reaches_baseline_best == pytest.approx(98, abs=1)


@pytest.mark.parametrize("mine, theirs, expected", [
    pytest.param([2, 1.5, 1.2, 1.0, 0.9, 0.85, 0.8, 0.8, 0.8, 0.8],
                 [2, 1.5, 1.2, 1.0, 0.9, 0.85, 0.8, 0.8, 0.8, 0.8], None, id="same"),
    pytest.param([2, 1.5, 1.2, 1.0, 1.0, 1.2, 1.5, 1.8, 2.0, 2.2, 2.4, 2.6],
                 [2, 1.5, 1.2, 1.0, 0.9, 0.85, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8], 4.0,
                 id="rises-after-4"),
    pytest.param([3, 2.5, 2.2, 2.0, 1.9, 1.85, 1.8, 1.8, 1.8, 1.8],
                 [2, 1.5, 1.2, 1.0, 0.9, 0.85, 0.8, 0.8, 0.8, 0.8], 0.0, id="worse-throughout"),
    pytest.param([3, 2.5, 2.0, 1.5, 1.0, 0.8, 0.7, 0.6, 0.5, 0.5],
                 [2, 1.5, 1.2, 1.0, 0.9, 0.85, 0.8, 0.8, 0.8, 0.8], None, id="catches-up"),
])
def test_divergence_point(mine, theirs, expected):
    got = diverges_at(curve(mine), curve(theirs), 0.05)
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected, abs=1)


def test_compare_command_text_and_json():
    runner = CliRunner()
    text = runner.invoke(cli.main, ["compare", fixture("divergence"), "--baseline",
                                    fixture("learning"), "--no-color"])
    assert text.exit_code == 1                     # divergence is an error-level finding
    assert text.stdout.startswith(f"{fixture('divergence')}: DIVERGENCE (error, confidence ")
    assert f"against baseline {fixture('learning')} (learning):" in text.stdout
    assert "diverges from the baseline at step " in text.stdout
    data = json.loads(runner.invoke(cli.main, ["compare", fixture("divergence"), "--baseline",
                                               fixture("learning"), "--format", "json"]).stdout)
    assert data["run"]["verdict"] == "divergence"
    assert data["baseline_verdict"] == "learning"
    assert data["splits"]["train"]["final_ratio"] > 10
    assert data["diverges_at"] is not None


def test_compare_with_an_unreadable_baseline_is_one_line():
    result = CliRunner().invoke(cli.main, ["compare", fixture("learning"), "--baseline",
                                           "missing.csv"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "missing.csv" in result.stderr
