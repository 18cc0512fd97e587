"""Tiny training runs the framework tests share: data made here, clear-cut outcomes.

Each scenario is a (task, optimizer, learning rate, train samples, batch size, epochs,
label noise, hidden units) chosen so that its outcome is obvious, whatever the framework:

- healthy: a clean task at a modest rate in batches of 256, still learning when it ends;
- lr_too_high: Adam at 0.12 in batches of 32, whose loss swings and climbs back at first;
- diverging: plain SGD at 1.0 on a regression, which blows up within a few steps;
- overfitting: 128 samples with 20% flipped labels, full batch, a wide layer: the training
  loss goes to zero while the validation loss turns up after a few epochs.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

FEATURES = 20


@dataclass(frozen=True)
class Scenario:
    task: str             # "cls" (two classes, cross-entropy) or "reg" (MSE)
    optimizer: str        # "sgd" or "adam"
    lr: float
    samples: int
    batch: int
    epochs: int
    flip: float = 0.0
    hidden: int = 64

    @property
    def outputs(self) -> int:
        return 2 if self.task == "cls" else 1


SCENARIOS = {
    "healthy": Scenario("cls", "sgd", 0.1, 1024, 256, 15),
    "lr_too_high": Scenario("cls", "adam", 0.12, 512, 32, 8),
    "diverging": Scenario("reg", "sgd", 1.0, 512, 32, 3),
    "overfitting": Scenario("cls", "adam", 0.003, 128, 128, 60, flip=0.2, hidden=256),
}
VALID = 256


def data(s: Scenario, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Inputs and targets: seed 0 is the training set, seed 1 the validation set."""
    rng = np.random.default_rng(seed)
    n = s.samples if seed == 0 else VALID
    x = rng.standard_normal((n, FEATURES)).astype("float32")
    if s.task == "reg":
        noise = 0.1 * rng.standard_normal((n, 1))
        return x, (x[:, :3].sum(1, keepdims=True) + noise).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("int64")
    flip = rng.random(n) < s.flip
    y[flip] = 1 - y[flip]
    return x, y


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """One torch thread: the runs are repeatable and do not fight other jobs for cores."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def check_diverging_stop(doctor, steps_trained: float) -> None:
    """Stopped for divergence/non_finite within a few diagnosis intervals of its onset."""
    stop = doctor.stopped
    assert stop is not None and stop.kind == "stop"
    assert stop.reason.split(" ")[0] in ("divergence", "non_finite")
    report = doctor.monitor.report()
    onsets = [d.start_step for d in report.diagnoses
              if d.name in ("divergence", "non_finite") and d.start_step is not None]
    assert onsets, report.to_dict()
    assert stop.step - min(onsets) <= 3 * doctor.monitor.every
    assert steps_trained <= stop.step + 1          # the framework stopped at once


def check_lr_cut(doctor, lr_now: float, first_lr: float) -> None:
    """The learning rate was cut by the factor, and the optimizer holds the last cut."""
    assert doctor.lr_changes, [str(c) for c in doctor.monitor.changes]
    step, old, new = doctor.lr_changes[0]
    assert old == pytest.approx(first_lr) and new == pytest.approx(first_lr * 0.1)
    assert lr_now == pytest.approx(doctor.lr_changes[-1][2])
    assert doctor.stopped is None


def losses_after_cut(doctor) -> tuple[float, float]:
    """(validation loss at the first cut or just after it, last validation loss)."""
    steps, values = doctor.monitor.curves["test"].arrays()
    cut = doctor.lr_changes[0][0]
    after = values[steps >= cut]
    return float(after[0]), float(values[-1])
