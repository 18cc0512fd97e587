"""PyTorch helpers the Lightning and Hugging Face callbacks share: learning rates, weights."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def current_lr(optimizers: Iterable[Any]) -> float | None:
    """The learning rate of the first parameter group of the first optimizer."""
    for opt in optimizers:
        for group in opt.param_groups:
            return float(group["lr"])
    return None


def scale_lr(optimizers: Iterable[Any], schedulers: Iterable[Any], factor: float,
             min_lr: float) -> tuple[float, float] | None:
    """Multiply every parameter group's learning rate by ``factor`` (not below ``min_lr``).

    A scheduler that computes the rate from its ``base_lrs`` (LambdaLR, the Hugging Face
    schedules, StepLR, cosine, ...) gets them scaled too, so its next step keeps the cut.
    Returns (old, new) of the first group, or None without an optimizer.
    """
    first: tuple[float, float] | None = None
    for opt in optimizers:
        for group in opt.param_groups:
            old = float(group["lr"])
            group["lr"] = max(old * factor, min_lr)
            if first is None:
                first = (old, group["lr"])
    for sched in schedulers:
        base = getattr(sched, "base_lrs", None)
        if isinstance(base, list):
            sched.base_lrs = [max(b * factor, min_lr) for b in base]
    return first


def snapshot(module: Any) -> dict[str, Any]:
    """A copy of a module's weights on the CPU (training goes on with the originals)."""
    return {k: v.detach().to("cpu", copy=True) for k, v in module.state_dict().items()}


def restore(module: Any, state: dict[str, Any]) -> None:
    module.load_state_dict(state)
