"""Keras 3 callback: diagnose ``fit`` as it runs and act on the verdict.

>>> model.fit(x, y, validation_data=(xv, yv), epochs=20,            # doctest: +SKIP
...           callbacks=[LossDoctorCallback(on_lr_too_high="reduce")])
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..monitor import DEFAULT_STOP_ON
from .policy import Action, Doctor, missing

try:
    import keras
except ImportError as exc:                       # pragma: no cover - depends on the install
    raise missing("Keras", "keras") from exc


class LossDoctorCallback(keras.callbacks.Callback):
    """Feeds ``logs[train_key]`` per batch (Keras reports the epoch's running mean) and
    ``logs[test_key]`` per epoch, with the optimizer's learning rate, to a ``Monitor``.

    Policies (see ``lossdoctor.integrations.policy.Doctor``): ``stop_on`` diagnoses stop
    ``fit`` at once (``model.stop_training``); ``on_lr_too_high`` / ``on_plateau="reduce"``
    set ``optimizer.learning_rate`` to ``factor`` times itself; ``on_overfitting="stop"``
    stops and, with ``restore_best``, puts back the weights of the best ``test_key`` epoch
    at the end (as ``EarlyStopping(restore_best_weights=True)`` does). ``per_batch=False``
    reads the epoch logs only. ``callback.monitor.report()`` is the report at any time;
    ``report_path`` writes it when training ends.
    """

    def __init__(self, *, train_key: str = "loss", test_key: str = "val_loss",
                 per_batch: bool = True, stop_on: tuple[str, ...] = DEFAULT_STOP_ON,
                 on_lr_too_high: str = "warn", on_overfitting: str = "warn",
                 on_plateau: str = "warn", restore_best: bool = True,
                 report_path: str | Path | None = None, verbose: bool = True,
                 **options: Any) -> None:
        super().__init__()
        self.doctor = Doctor(stop_on=stop_on, on_lr_too_high=on_lr_too_high,
                             on_overfitting=on_overfitting, on_plateau=on_plateau,
                             restore_best=restore_best, report_path=report_path,
                             verbose=verbose, **{"name": "keras", **options})
        self.train_key, self.test_key, self.per_batch = train_key, test_key, per_batch
        self.step = 0                     # batches trained, over every call of fit
        self.best_weights: list[Any] | None = None
        self.best_step: float | None = None

    @property
    def monitor(self):  # noqa: ANN201 - a Monitor
        return self.doctor.monitor

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self.step += 1
        if self.per_batch and logs and self.train_key in logs:
            self._apply(self.doctor.update(self.step, train_loss=logs[self.train_key],
                                           lr=self._lr()))

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs = logs or {}
        train = None if self.per_batch else logs.get(self.train_key)
        self._apply(self.doctor.update(self.step, train_loss=train,
                                       test_loss=logs.get(self.test_key),
                                       lr=None if self.per_batch else self._lr(), force=True))

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        stop = self.doctor.stopped
        if stop is not None and stop.restore and self.best_weights is not None:
            self.model.set_weights(self.best_weights)
            self.doctor.say(f"restored the weights of step {self.best_step:g} (best "
                            f"{self.test_key} {self.doctor.best_test:.4g})")
        self.doctor.finish()

    def _lr(self) -> float | None:
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is None:
            return None
        lr = optimizer.learning_rate        # a Variable, or a tensor from a schedule
        return float(getattr(lr, "value", lr))

    def _apply(self, actions: list[Action]) -> None:
        for a in actions:
            if a.kind == "keep_best":
                self.best_weights, self.best_step = self.model.get_weights(), a.step
            elif a.kind == "stop":
                self.model.stop_training = True
            elif a.kind == "reduce_lr":
                self._reduce(a)

    def _reduce(self, action: Action) -> None:
        optimizer = self.model.optimizer
        schedule = keras.optimizers.schedules.LearningRateSchedule
        if isinstance(optimizer._learning_rate, schedule) or callable(optimizer._learning_rate):
            self.doctor.say(f"step {action.step:g}: {action.reason}: the learning rate is a "
                            "schedule, which this callback does not change")
            return
        old = self._lr()
        assert old is not None
        new = self.doctor.new_lr(old)
        optimizer.learning_rate = new
        self.doctor.lr_reduced(action.step, old, new, action.reason)
