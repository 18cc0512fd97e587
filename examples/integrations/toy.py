"""Toy data and settings the integration examples share: four runs with obvious outcomes.

healthy      two classes, SGD at 0.1 in batches of 256: still learning when it ends
lr_too_high  the same task with Adam at 0.12 in batches of 32: the loss swings at first
diverging    a regression with SGD at 1.0: blows up within a few steps
overfitting  128 samples, 20% of labels flipped, full batch: the validation loss turns up
"""
import sys

import numpy as np

#          task   optimizer  lr   samples batch epochs flip hidden
RUNS = {"healthy": ("cls", "sgd", 0.1, 1024, 256, 15, 0.0, 64),
        "lr_too_high": ("cls", "adam", 0.12, 512, 32, 8, 0.0, 64),
        "diverging": ("reg", "sgd", 1.0, 512, 32, 3, 0.0, 64),
        "overfitting": ("cls", "adam", 0.003, 128, 128, 60, 0.2, 256)}


def chosen():
    """The run named on the command line (default: diverging)."""
    name = sys.argv[1] if len(sys.argv) > 1 else "diverging"
    if name not in RUNS:
        sys.exit(f"usage: {sys.argv[0]} [{'|'.join(RUNS)}]")
    return dict(zip(("task", "optimizer", "lr", "samples", "batch", "epochs", "flip",
                     "hidden"), RUNS[name], strict=True))


def data(run, seed):
    """Seed 0: the training set; seed 1: the validation set (256 rows)."""
    rng = np.random.default_rng(seed)
    n = run["samples"] if seed == 0 else 256
    x = rng.standard_normal((n, 20)).astype("float32")
    if run["task"] == "reg":
        return x, (x[:, :3].sum(1, keepdims=True) + 0.1 * rng.standard_normal((n, 1))
                   ).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("int64")
    flip = rng.random(n) < run["flip"]
    y[flip] = 1 - y[flip]
    return x, y
