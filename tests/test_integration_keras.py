"""Keras 3 (torch backend) callback on tiny real training runs."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
pytest.importorskip("torch", reason="the Keras tests run on the torch backend: "
                    "pip install torch==2.13.0")
keras = pytest.importorskip("keras", reason="Keras not installed: "
                            'pip install "lossdoctor[integrations]"')

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # Keras internals

from training import (  # noqa: E402
    SCENARIOS,
    check_diverging_stop,
    check_lr_cut,
    data,
    losses_after_cut,
    one_thread,  # noqa: F401  (fixture)
)

from lossdoctor.integrations.keras import LossDoctorCallback  # noqa: E402


def fit(name, callback=None):
    s = SCENARIOS[name]
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(s.hidden, activation="relu"),
                              keras.layers.Dense(s.outputs)])
    opt = keras.optimizers.Adam(s.lr) if s.optimizer == "adam" else keras.optimizers.SGD(s.lr)
    loss = "mse" if s.task == "reg" else keras.losses.SparseCategoricalCrossentropy(
        from_logits=True)
    model.compile(opt, loss)
    history = model.fit(*data(s, 0), batch_size=s.batch, epochs=s.epochs, verbose=0,
                        validation_data=data(s, 1), callbacks=[callback] if callback else [])
    return model, history


def lr_of(model):
    return float(keras.ops.convert_to_numpy(model.optimizer.learning_rate))


def test_healthy_run_is_not_stopped_and_ends_bit_identical(capsys):
    plain, _ = fit("healthy")
    callback = LossDoctorCallback(on_lr_too_high="reduce", on_overfitting="stop")
    watched, history = fit("healthy", callback)
    assert callback.doctor.stopped is None and not callback.doctor.lr_changes
    assert len(history.history["loss"]) == SCENARIOS["healthy"].epochs
    for a, b in zip(plain.get_weights(), watched.get_weights(), strict=True):
        assert np.array_equal(a, b)
    assert callback.monitor.verdict is not None
    assert "[lossdoctor] step" in capsys.readouterr().out      # verdict changes are said


def test_diverging_run_is_stopped_within_a_few_diagnoses_of_the_onset(capsys):
    callback = LossDoctorCallback()
    _, history = fit("diverging", callback)
    check_diverging_stop(callback.doctor, callback.step)
    assert len(history.history["loss"]) < SCENARIOS["diverging"].epochs
    assert "stopping at step" in capsys.readouterr().out


def test_too_high_learning_rate_is_cut_on_the_optimizer_and_then_it_learns():
    callback = LossDoctorCallback(on_lr_too_high="reduce", verbose=False)
    model, _ = fit("lr_too_high", callback)
    check_lr_cut(callback.doctor, lr_of(model), SCENARIOS["lr_too_high"].lr)
    at_cut, last = losses_after_cut(callback.doctor)
    assert last < at_cut


def test_overfitting_run_stops_and_gets_its_best_weights_back():
    s = SCENARIOS["overfitting"]
    callback = LossDoctorCallback(on_overfitting="stop", verbose=False)
    model, history = fit("overfitting", callback)
    stop = callback.doctor.stopped
    assert stop is not None and stop.reason.startswith("overfitting") and stop.restore
    assert len(history.history["loss"]) < s.epochs
    best = min(history.history["val_loss"])
    assert callback.doctor.best_test == pytest.approx(best)
    assert model.evaluate(*data(s, 1), verbose=0) == pytest.approx(best, rel=1e-5)
    assert history.history["val_loss"][-1] > best              # they were not the last ones


def test_report_is_written_where_asked(tmp_path):
    path = tmp_path / "out" / "report.json"
    callback = LossDoctorCallback(report_path=path, verbose=False)
    fit("diverging", callback)
    written = json.loads(path.read_text())
    assert written["verdict"] == callback.monitor.report().verdict
    assert written["verdict"] in ("divergence", "non_finite")


def test_epoch_logs_only_with_per_batch_off():
    callback = LossDoctorCallback(per_batch=False, verbose=False)
    _, history = fit("healthy", callback)
    epochs = SCENARIOS["healthy"].epochs
    train = callback.monitor.curves["train"]
    assert train.total == epochs and callback.monitor.curves["lr"].total == epochs
    steps, values = train.arrays()
    assert np.allclose(values, history.history["loss"])
    assert steps[-1] == callback.step                     # steps are still batches
