"""Concrete remedies with numbers, from the source notes (SEED_NOTES): shared by the rules."""
from __future__ import annotations

import numpy as np

from ..wording import Text, text
from .context import RunContext

#: a recorded rate this many times its first value at the onset was raised by a schedule
RAISED = 3.0
#: ... and one this many times below it was already decayed far
DECAYED = 100.0


def lower_lr(ctx: RunContext, step: float | None = None, factor: float = 10.0) -> Text:
    """Learning-rate advice read from the recorded schedule: the rate at the onset, 10x
    lower; a rate that a scheduler raised before the onset is named as the likely cause; a
    rate already decayed far is not told to go down further."""
    lr = ctx.lr_at(step)
    if lr is None and ctx.boosted:
        return text("lower the learning rate (eta) {factor:g}x and give it {factor:g}x the"
                    " rounds (e.g. 0.3 -> 0.03)", factor=factor)
    if lr is None:
        return text("lower the learning rate {factor:g}x (e.g. 1e-3 -> 1e-4; 1e-3 is a usual"
                    " start for SGD and Adam)", factor=factor)
    first = ctx.lr_at(float(ctx.lr_steps[0])) if len(ctx.lr_steps) else lr
    if first and lr >= RAISED * first:
        rose_at = ctx.lr_rise_step(first * np.sqrt(RAISED))
        return text("the learning rate rose from {first:num} to {lr:num}{rose}{began}: cap the"
                    " schedule near {first:num}, or warm up to at most {warm:num}",
                    first=first, lr=lr, warm=lr / factor,
                    rose="" if rose_at is None else text(" from step {step:step}", step=rose_at),
                    began="" if step is None else text("; the trouble began at step {step:step}",
                                                       step=step))
    if first and lr <= first / DECAYED:
        return text("the learning rate was already decayed {decay:.3g}x ({first:num} -> {lr:num}):"
                    " lower the starting rate {factor:g}x instead ({first:num} -> {lower:num})",
                    decay=first / lr, first=first, lr=lr, factor=factor, lower=first / factor)
    return text("lower the learning rate {factor:g}x: {lr:num} -> {lower:num}",
                factor=factor, lr=lr, lower=lr / factor)


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

NEVER_MOVED = (
    "the loss has barely moved over the whole run: if the model was trained already (a resumed"
    " run, a fine-tune at its floor), stop here; else the learning rate is far too small (raise"
    " it 10x) or the weights are frozen (check requires_grad and what the optimizer was given)",
    "check that the loss reaches the weights: a detached loss or a wrong target encoding keeps"
    " a model where it started")

# ---------------------------------------------------------------- by kind of model
# a gradient-boosted ensemble (CatBoost, XGBoost, LightGBM) has rounds, not steps of a network:
# no checkpoints, batches, schedules, dropout or gradients to clip

TREES_REGULARIZE = ("regularize the trees: lower max_depth (or num_leaves), raise"
                    " min_child_weight (min_data_in_leaf) and the L2 penalty (reg_lambda,"
                    " l2_leaf_reg), sample rows and columns (subsample, colsample_bytree)")
TREES_CHECKS = ("check the objective and the labels: a custom objective's gradient and hessian,"
                " the label encoding, infinite or huge targets")


def keep_best(ctx: RunContext, step: float, value: float) -> Text:
    """Where to stop: the lowest logged test loss, as a checkpoint or a round."""
    if ctx.boosted:
        return text("keep the model at round {step:step}, the lowest logged test loss"
                    " ({value:num}): stop early on the eval set (early_stopping_rounds;"
                    " CatBoost's use_best_model)", step=step, value=value)
    return text("keep the checkpoint of step {step:step}, the lowest logged test loss"
                " ({value:num}), or use early stopping on the test loss", step=step, value=value)


def regularize(ctx: RunContext) -> str:
    return TREES_REGULARIZE if ctx.boosted else REGULARIZE


def steady(ctx: RunContext) -> tuple[str, ...]:
    """What keeps an unstable run on course besides a lower rate: for a network, clipped
    gradients and normalized activations; for trees, a sound objective."""
    return (TREES_CHECKS,) if ctx.boosted else (CLIP, BATCHNORM)


def schedule(ctx: RunContext) -> tuple[str, ...]:
    return () if ctx.boosted else (SCHEDULE,)


def keep_going(ctx: RunContext) -> str:
    return ("add rounds: the loss is still falling (raise n_estimators, num_boost_round or"
            " iterations)") if ctx.boosted else "keep training: the loss is still falling"
