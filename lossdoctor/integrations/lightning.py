"""PyTorch Lightning callback (``lightning.pytorch`` and ``pytorch_lightning``).

>>> trainer = Trainer(max_epochs=20,                                 # doctest: +SKIP
...                   callbacks=[LossDoctorCallback(on_overfitting="stop")])
"""
from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..monitor import DEFAULT_STOP_ON
from .policy import Action, Doctor, missing
from .torch_state import current_lr, restore, scale_lr, snapshot

TRAIN_METRICS = ("train_loss", "train/loss", "loss")
TEST_METRICS = ("val_loss", "val/loss", "valid_loss", "validation_loss", "val_loss_epoch")


def _bases() -> tuple[type, ...]:
    """The Callback class of each Lightning package installed: one class works with both."""
    found = []
    for package in ("lightning.pytorch", "pytorch_lightning"):
        try:
            found.append(importlib.import_module(package).Callback)
        except ImportError:
            pass
    if not found:
        raise missing("Lightning", "lightning (or pytorch_lightning)")
    return tuple(found)


def _say() -> Any:
    """Lightning's ``rank_zero_info``: shown by default, once in a multi-process run."""
    for package in ("lightning.pytorch", "pytorch_lightning"):
        try:
            return importlib.import_module(f"{package}.utilities").rank_zero_info
        except (ImportError, AttributeError):
            pass
    return print


class _Hooks:
    """Reads the logged losses each training batch and after each validation run."""

    def __init__(self, *, train_metric: str | Sequence[str] = TRAIN_METRICS,
                 test_metric: str | Sequence[str] = TEST_METRICS,
                 stop_on: tuple[str, ...] = DEFAULT_STOP_ON, on_lr_too_high: str = "warn",
                 on_overfitting: str = "warn", on_plateau: str = "warn",
                 restore_best: bool = True, report_path: str | Path | None = None,
                 verbose: bool = True, **options: Any) -> None:
        super().__init__()
        self.doctor = Doctor(stop_on=stop_on, on_lr_too_high=on_lr_too_high,
                             on_overfitting=on_overfitting, on_plateau=on_plateau,
                             restore_best=restore_best, report_path=report_path,
                             verbose=verbose, **{"say": _say(), "name": "lightning", **options})
        self.train_metrics = (train_metric,) if isinstance(train_metric, str) else tuple(
            train_metric)
        self.test_metrics = (test_metric,) if isinstance(test_metric, str) else tuple(
            test_metric)
        self.best_state: dict[str, Any] | None = None
        self.best_step: float | None = None
        self.test_name: str | None = None

    @property
    def monitor(self):  # noqa: ANN201 - a Monitor
        return self.doctor.monitor

    def on_train_batch_end(self, trainer: Any, pl_module: Any, outputs: Any, batch: Any,
                           batch_idx: int) -> None:
        metrics = trainer.callback_metrics
        loss = next((metrics[f"{n}_step"] for n in self.train_metrics if f"{n}_step" in metrics),
                    None)
        if loss is None:
            loss = next((metrics[n] for n in self.train_metrics if n in metrics), None)
        if loss is None:             # nothing logged: the loss training_step returned
            loss = outputs.get("loss") if isinstance(outputs, dict) else outputs
        if loss is None:
            return
        actions = self.doctor.update(trainer.global_step, train_loss=float(loss),
                                     lr=current_lr(trainer.optimizers))
        self._apply(actions, trainer, pl_module)

    def on_validation_end(self, trainer: Any, pl_module: Any) -> None:
        if trainer.sanity_checking:
            return
        metrics = trainer.callback_metrics
        name = next((n for n in self.test_metrics if n in metrics), None)
        if name is None:
            return
        self.test_name = name
        actions = self.doctor.update(trainer.global_step, test_loss=float(metrics[name]),
                                     force=True)
        self._apply(actions, trainer, pl_module)

    def on_train_end(self, trainer: Any, pl_module: Any) -> None:
        stop = self.doctor.stopped
        if stop is not None and stop.restore:
            self._restore_best(trainer, pl_module)
        self.doctor.finish()

    def _apply(self, actions: list[Action], trainer: Any, pl_module: Any) -> None:
        for a in actions:
            if a.kind == "keep_best" and self._checkpoint(trainer) is None:
                self.best_state, self.best_step = snapshot(pl_module), a.step
            elif a.kind == "stop":
                trainer.should_stop = True
            elif a.kind == "reduce_lr":
                schedulers = [c.scheduler for c in trainer.lr_scheduler_configs]
                changed = scale_lr(trainer.optimizers, schedulers, a.factor,
                                   self.doctor.min_lr)
                if changed is not None:
                    self.doctor.lr_reduced(a.step, *changed, a.reason)

    def _checkpoint(self, trainer: Any) -> Any:
        """A ModelCheckpoint that keeps the best of the same validation loss, if any."""
        for cb in getattr(trainer, "checkpoint_callbacks", []):
            if self.test_name is not None and getattr(cb, "monitor", None) == self.test_name \
                    and getattr(cb, "mode", "min") == "min":
                return cb
        return None

    def _restore_best(self, trainer: Any, pl_module: Any) -> None:
        checkpoint = self._checkpoint(trainer)
        if checkpoint is not None and checkpoint.best_model_path:
            import torch

            saved = torch.load(checkpoint.best_model_path, map_location="cpu",
                               weights_only=False)
            pl_module.load_state_dict(saved["state_dict"])
            self.doctor.say(f"restored the best checkpoint {checkpoint.best_model_path}")
        elif self.best_state is not None:
            restore(pl_module, self.best_state)
            self.doctor.say(f"restored the weights of step {self.best_step:g} (best "
                            f"{self.test_name} {self.doctor.best_test:.4g})")


LossDoctorCallback = type("LossDoctorCallback", (_Hooks, *_bases()), {
    "__doc__": """Diagnoses a Lightning run as it trains and acts on the verdict.

    Reads the train loss logged in ``training_step`` (the first of ``train_metric`` found in
    ``trainer.callback_metrics``, its ``_step`` value when logged per step too, else the loss
    ``training_step`` returned) and the validation loss after each validation run (the first
    of ``test_metric``). ``stop_on`` stops through ``trainer.should_stop``; reductions scale
    every optimizer's learning rate (and the ``base_lrs`` of its schedulers);
    ``on_overfitting="stop"`` with ``restore_best`` loads the best checkpoint of a
    ``ModelCheckpoint`` that monitors the same validation loss, else weights kept in memory.
    Messages go through Lightning's ``rank_zero_info``.
    """,
    "__module__": __name__})
