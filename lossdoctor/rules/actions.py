"""Concrete remedies with numbers, from the source notes (SEED_NOTES): shared by the rules."""
from __future__ import annotations

from .context import RunContext
from .measures import fmt


def lower_lr(ctx: RunContext, step: float | None = None, factor: float = 10.0) -> str:
    """'lower the learning rate 10x: 3e-3 -> 3e-4' when the log records it."""
    lr = ctx.lr_at(step)
    if lr is None:
        return (f"lower the learning rate {factor:g}x (e.g. 1e-3 -> 1e-4; 1e-3 is a usual start"
                " for SGD and Adam)")
    return f"lower the learning rate {factor:g}x: {fmt(lr)} -> {fmt(lr / factor)}"


SCHEDULE = ("use a schedule: decay the rate 10x every few epochs (step decay), or reduce it"
            " when the test loss stops improving (reduce-on-plateau, factor 0.1)")
REGULARIZE = "regularize: weight decay 5e-4, dropout 0.5, data augmentation or more data"
CLIP = "clip gradients (e.g. max norm 1.0) and check the loss and data pipeline for a bug"
BATCHNORM = "add batch normalization before activations for better gradient flow"
DATA_CHECKS = ("check the data: labels, the train/test split, leakage between them, and that"
               " train and test get the same preprocessing and the same loss")
STUCK_AT_CHANCE = (
    "the loss has not moved from chance level: the learning rate is far too small (try 1e-3),"
    " or the weights are frozen (check requires_grad and what the optimizer was given)",
    "check the loss and the labels: a wrong target encoding or a detached loss keeps a model"
    " at chance")
