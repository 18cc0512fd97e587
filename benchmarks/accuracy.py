"""Score lossdoctor and the patience rules practitioners use today on a labelled corpus.

    python benchmarks/accuracy.py [CORPUS]   (default: ../shared/corpus)

The baselines read the same parsed logs with their documented defaults:
ReduceLROnPlateau (factor 0.1, patience 10, threshold 1e-4 rel) fires -> "plateau";
EarlyStopping on the test loss (patience 0, and Lightning's 3) fires -> "overfitting";
TerminateOnNaN / check_finite -> "non_finite"; Lightning's divergence_threshold (no default:
10x the lowest loss seen) -> "divergence"; nothing fires -> "learning".
"""
from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

import lossdoctor
from lossdoctor.api import load
from lossdoctor.errors import LossdoctorError

NAMES = ["learning", "overfitting", "plateau", "data_problem", "divergence", "lr_too_high",
         "non_finite"]


def _curve(log, split: str) -> np.ndarray:
    f = log.frame
    part = f[(f["split"] == split) & (f["run"] == log.runs()[0])].sort_values("step")
    return part["value"].to_numpy(float)


def patience_runs_out(values: np.ndarray, patience: int, threshold: float = 0.0) -> bool:
    """True once the loss has not improved (by a relative ``threshold``) for more than
    ``patience`` evaluations: when ReduceLROnPlateau or EarlyStopping would fire."""
    best, wait = np.inf, 0
    for v in values:
        if v < best * (1 - threshold):
            best, wait = v, 0
        else:
            wait += 1
            if wait > patience:
                return True
    return False


def baseline(log, patience: int) -> str:
    """What the patience callbacks would have said, in lossdoctor's vocabulary."""
    train, test = _curve(log, "train"), _curve(log, "test")
    if not np.isfinite(np.concatenate([train, test])).all():
        return "non_finite"
    monitor = test if len(test) else train
    if len(train) and train.min() > 0 and train[-1] > 10 * train.min():
        return "divergence"
    if len(test) and patience_runs_out(test, patience):
        return "overfitting"
    if patience_runs_out(monitor, patience=10, threshold=1e-4):
        return "plateau"
    return "learning"


def macro_f1(pairs: list[tuple[str, str]]) -> float:
    scores = []
    for name in NAMES:
        tp = sum(t == name and p == name for t, p in pairs)
        fp = sum(t != name and p == name for t, p in pairs)
        fn = sum(t == name and p != name for t, p in pairs)
        if tp + fn == 0:
            continue
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn)
        scores.append(2 * prec * rec / (prec + rec) if prec + rec else 0.0)
    return sum(scores) / len(scores) if scores else 0.0


def kwargs_for(case: Path, args: list[str]) -> dict:
    if args[0] == "--train":
        return {"train": case / args[1], "test": case / args[3]}
    return {"log": case / args[0]}


def main(corpus: Path) -> int:
    cases = sorted(p.parent for p in corpus.glob("*/labels.json"))
    if not cases:
        print(f"no labelled cases under {corpus}", file=sys.stderr)
        return 2
    methods: dict[str, Callable] = {
        "lossdoctor": lambda kw: lossdoctor.diagnose(**kw).verdict,
        "patience 0 (Keras EarlyStopping)": lambda kw: baseline(load(**kw), 0),
        "patience 3 (Lightning EarlyStopping)": lambda kw: baseline(load(**kw), 3),
    }
    print(f"{'method':<38}{'accuracy':>9}{'macro-F1':>10}   ({len(cases)} cases in {corpus})")
    for name, method in methods.items():
        pairs = []
        for case in cases:
            labels = json.loads((case / "labels.json").read_text())
            ok = {labels["primary"], *labels.get("accept", [])}
            try:
                got = method(kwargs_for(case, labels["args"]))
            except LossdoctorError:
                got = "(error)"
            pairs.append((labels["primary"], labels["primary"] if got in ok else got))
        acc = sum(t == p for t, p in pairs) / len(pairs)
        print(f"{name:<38}{acc:>9.3f}{macro_f1(pairs):>10.3f}")
    return 0


if __name__ == "__main__":
    default = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else default))
