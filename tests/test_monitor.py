"""Monitor: diagnosis while training, the same as `check` on the same numbers, bounded."""
from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import lossdoctor
from lossdoctor import cli
from lossdoctor.errors import UsageError
from lossdoctor.monitor import Monitor


def curves(kind, n, seed=0):
    """Train loss every step, test loss every 10th: clear-cut shapes with minibatch noise."""
    rng = np.random.default_rng(seed)
    x = np.arange(n) / n
    train = 2 * np.exp(-5 * x) + 0.05 + 0.03 * rng.random(n)
    test = 2 * np.exp(-5 * x) + 0.15 + 0.01 * rng.random(n)
    if kind == "divergence":
        blow = np.exp(np.clip(25 * (x - 0.6), 0, None))
        train, test = train * blow, test * blow
    elif kind == "overfitting":
        test = test + 3 * np.clip(x - 0.4, 0, None) ** 1.5
    return np.arange(n, dtype=float), train, test


def feed(monitor, steps, train, test, every_test=10):
    for i, step in enumerate(steps):
        if i % every_test == 0:
            monitor.log(step, train_loss=train[i], test_loss=test[i], lr=0.01)
        else:
            monitor.log(step, train_loss=train[i], lr=0.01)


def full_frame(steps, train, test, every_test=10):
    n, k = len(steps), len(steps[::every_test])
    return pd.DataFrame({"split": ["train"] * n + ["test"] * k + ["lr"] * n,
                         "step": np.r_[steps, steps[::every_test], steps],
                         "value": np.r_[train, test[::every_test], np.full(n, 0.01)]})


@pytest.mark.parametrize("kind", ["learning", "divergence", "overfitting"])
def test_report_is_what_check_says_of_the_same_numbers(kind, tmp_path):
    steps, train, test = curves(kind, 300)
    monitor = Monitor()
    feed(monitor, steps, train, test)
    path = tmp_path / "log.csv"
    table = pd.DataFrame({"step": steps, "train_loss": train, "test_loss": np.nan, "lr": 0.01})
    table.loc[::10, "test_loss"] = test[::10]
    table.to_csv(path, index=False)
    result = CliRunner().invoke(cli.main, ["check", str(path), "--format", "json"])
    checked = json.loads(result.output)
    ours = monitor.report().to_dict()
    assert ours["verdict"] == checked["verdict"] == ("learning" if kind == "learning" else kind)
    assert ours["diagnoses"] == checked["diagnoses"]
    assert ours["curves"] == checked["curves"]


@pytest.mark.parametrize("kind", ["learning", "divergence", "overfitting"])
def test_long_curves_are_kept_reduced_and_keep_their_verdict(kind):
    steps, train, test = curves(kind, 60_000, seed=1)
    monitor = Monitor(keep=600, every=5000)
    feed(monitor, steps, train, test)
    full = lossdoctor.diagnose(full_frame(steps, train, test))
    kept = monitor.curves["train"]
    assert kept.level >= 3 and kept.n <= 600 and kept.total == 60_000
    assert monitor.curves["test"].n <= 600 and monitor.curves["lr"].n <= 600
    report = monitor.report()
    assert report.verdict == full.verdict
    assert any("medians of bins of" in note for note in report.notes)


def test_compaction_is_the_bin_median_of_reduce_points():
    monitor = Monitor(keep=30, every=10**6)
    values = np.random.default_rng(3).random(261)    # 29 bins of 9: one short of keep
    for i, v in enumerate(values):
        monitor.log(i, train_loss=v)
    kept = monitor.curves["train"]
    assert kept.level == 2 and kept.n == 29
    # bins of 3 of bins of 3: medians of medians, at the middle step of each bin of 9
    medians = np.median(np.median(values.reshape(-1, 3), axis=1).reshape(-1, 3), axis=1)
    assert np.array_equal(kept.values[:kept.n], medians)
    assert np.array_equal(kept.steps[:kept.n], np.arange(4, 261, 9, dtype=float))


def test_diagnoses_come_every_n_points_then_grow_with_the_run():
    monitor = Monitor(every=20, growth=0.0)
    steps, train, test = curves("learning", 200)
    feed(monitor, steps, train, test)
    assert monitor.diagnoses == 10
    grown = Monitor(every=20, growth=0.5)
    feed(grown, steps, train, test)
    assert grown.diagnoses < 6                          # 20, 40, 60, 90, 135: sparser


def test_first_non_finite_value_is_diagnosed_at_once_and_stops():
    monitor = Monitor(every=1000)
    for step in range(40):
        monitor.log(step, train_loss=1.0 / (step + 1))
    assert monitor.verdict is None and not monitor.should_stop
    monitor.log(40, train_loss=math.nan)
    assert monitor.should_stop and monitor.verdict == "non_finite"
    assert monitor.stopping[0].start_step == 40
    assert monitor.changes[-1].step == 40 and monitor.changes[-1].verdict == "non_finite"


def test_verdict_changes_are_recorded_once_with_their_steps():
    steps, train, test = curves("divergence", 600)
    monitor = Monitor(every=25)
    feed(monitor, steps, train, test)
    verdicts = [c.verdict for c in monitor.changes]
    assert verdicts[-1] in ("divergence", "non_finite") and monitor.should_stop
    assert all(a != b for a, b in zip(verdicts, verdicts[1:], strict=False))
    assert [c.step for c in monitor.changes] == sorted(c.step for c in monitor.changes)
    assert monitor.changes[-1].step >= 360                # the blow-up starts at step 360
    # no NaN here: the regular cadence finds it, a few diagnoses (of 25 points) after onset
    seen = next(c.step for c in monitor.changes if c.verdict == "divergence")
    assert seen - 360 <= 4 * 25
    assert "DIVERGENCE" in str(monitor.changes[-1]) or "NON_FINITE" in str(monitor.changes[-1])


def test_report_since_a_step_reads_only_the_points_after_it():
    monitor = Monitor()
    for step in range(100):
        monitor.log(step, train_loss=1.0 + step / 10)      # rising ...
    for step in range(100, 200):
        monitor.log(step, train_loss=10.0 * 0.98 ** (step - 100))   # ... then falling
    since = monitor.report(since=100)
    assert since.main.context.train.summary.first_step == 100
    assert since.verdict == "learning"


def test_too_early_to_judge_and_bad_calls():
    monitor = Monitor()
    monitor.log(0, train_loss=1.0)
    report = monitor.diagnose()             # too little to judge: no report, or one that says so
    assert report is None or report.verdict == "not_enough_evidence"
    assert not monitor.should_stop
    with pytest.raises(UsageError, match="comes before"):
        monitor.log(-1, train_loss=1.0)
    with pytest.raises(UsageError):
        Monitor(every=0)
    monitor.log(5)                                        # nothing logged: not a point
    assert monitor.points == 1
    monitor.log(12, train_loss=0.9)
    with pytest.raises(UsageError, match="before the last train step 12"):
        monitor.log(11, train_loss=0.8, test_loss=1.0)    # all or nothing: no test point
    assert monitor.curves["test"].total == 0 and monitor.points == 2


def test_monitor_is_exported_lazily():
    assert lossdoctor.Monitor is Monitor
