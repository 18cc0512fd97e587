"""Hugging Face ``transformers`` callback: diagnose a ``Trainer`` run from its log history.

>>> trainer = Trainer(model, args, train_dataset=train, eval_dataset=valid,  # doctest: +SKIP
...                   callbacks=[LossDoctorCallback(on_overfitting="stop")])
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from ..monitor import DEFAULT_STOP_ON
from .policy import Action, Doctor, missing
from .torch_state import restore, scale_lr, snapshot

try:
    from transformers import TrainerCallback
except ImportError as exc:                       # pragma: no cover - depends on the install
    raise missing("Hugging Face", "transformers") from exc


class LossDoctorCallback(TrainerCallback):  # type: ignore[misc]
    """Reads each new entry of ``state.log_history`` (``loss``, ``eval_loss`` and
    ``learning_rate`` at its ``step``) when the Trainer logs, and acts on the verdict.

    ``stop_on`` stops through ``control.should_training_stop``; reductions scale the
    optimizer's learning rate and the schedule's ``base_lrs`` (so the Trainer's schedule
    keeps the cut); ``on_overfitting="stop"`` with ``restore_best``: with
    ``load_best_model_at_end=True`` the Trainer loads its best checkpoint itself, else the
    weights of the best ``eval_loss`` kept in memory are put back when training ends.
    The Trainer logs the train loss every ``logging_steps`` steps: that is the resolution
    lossdoctor sees. Its ``logging_nan_inf_filter`` (on by default) logs a NaN loss as the
    mean of the earlier ones; an entry whose ``grad_norm`` is NaN/Inf is read as a NaN loss.
    """

    def __init__(self, *, train_key: str = "loss", test_key: str = "eval_loss",
                 stop_on: tuple[str, ...] = DEFAULT_STOP_ON, on_lr_too_high: str = "warn",
                 on_overfitting: str = "warn", on_plateau: str = "warn",
                 restore_best: bool = True, report_path: str | Path | None = None,
                 verbose: bool = True, **options: Any) -> None:
        self.doctor = Doctor(stop_on=stop_on, on_lr_too_high=on_lr_too_high,
                             on_overfitting=on_overfitting, on_plateau=on_plateau,
                             restore_best=restore_best, report_path=report_path,
                             verbose=verbose, **{"name": "transformers", **options})
        self.train_key, self.test_key = train_key, test_key
        self.best_state: dict[str, Any] | None = None
        self.best_step: float | None = None
        self._read = 0                    # entries of state.log_history already read

    @property
    def monitor(self):  # noqa: ANN201 - a Monitor
        return self.doctor.monitor

    def on_log(self, args: Any, state: Any, control: Any, logs: Any = None,
               **kwargs: Any) -> None:
        history = state.log_history
        new, self._read = history[self._read:], len(history)
        for entry in new:
            train, test = entry.get(self.train_key), entry.get(self.test_key)
            if train is None and test is None:
                continue
            if train is not None and not _finite(entry.get("grad_norm", 0.0)):
                train = math.nan      # logging_nan_inf_filter logs a NaN loss as a number
            actions = self.doctor.update(entry.get("step", state.global_step), train_loss=train,
                                         test_loss=test, lr=entry.get("learning_rate"),
                                         force=test is not None)
            self._apply(actions, args, control, kwargs)

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        stop = self.doctor.stopped
        if stop is not None and stop.restore:
            if args.load_best_model_at_end and state.best_model_checkpoint:
                self.doctor.say(f"the Trainer loaded its best checkpoint "
                                f"{state.best_model_checkpoint}")
            elif self.best_state is not None and kwargs.get("model") is not None:
                restore(kwargs["model"], self.best_state)
                self.doctor.say(f"restored the weights of step {self.best_step:g} (best "
                                f"{self.test_key} {self.doctor.best_test:.4g})")
        self.doctor.finish()

    def _apply(self, actions: list[Action], args: Any, control: Any,
               kwargs: dict[str, Any]) -> None:
        for a in actions:
            if a.kind == "keep_best" and not args.load_best_model_at_end \
                    and kwargs.get("model") is not None:
                self.best_state, self.best_step = snapshot(kwargs["model"]), a.step
            elif a.kind == "stop":
                control.should_training_stop = True
            elif a.kind == "reduce_lr" and kwargs.get("optimizer") is not None:
                scheduler = kwargs.get("lr_scheduler")
                changed = scale_lr([kwargs["optimizer"]], [scheduler] if scheduler else [],
                                   a.factor, self.doctor.min_lr)
                if changed is not None:
                    self.doctor.lr_reduced(a.step, *changed, a.reason)


def _finite(value: Any) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return True

