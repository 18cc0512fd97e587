"""Score lossdoctor and the patience rules practitioners use today on a labelled corpus.

    python benchmarks/accuracy.py [CORPUS] [--seeds N]   (default: ../shared/corpus)

Three tables: lossdoctor beside the patience baselines; accuracy per task family of the
corpus (the ``task`` column of its INDEX.tsv); the simulator's confusion matrix (each family
of ``lossdoctor.simulate`` -> the verdicts said over ``--seeds`` seeds, and the share that
is one its truth accepts).

The baselines read the same parsed logs with their documented defaults:
ReduceLROnPlateau (factor 0.1, patience 10, threshold 1e-4 rel) fires -> "plateau";
EarlyStopping on the test loss (patience 0, and Lightning's 3) fires -> "overfitting";
TerminateOnNaN / check_finite -> "non_finite"; Lightning's divergence_threshold (no default:
10x the lowest loss seen) -> "divergence"; nothing fires -> "learning".
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np

import lossdoctor
from lossdoctor.api import load
from lossdoctor.errors import LossdoctorError
from lossdoctor.simulate import FAMILIES, simulate

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


Scored = list[tuple[str, str, str]]     # (case, truth, what the method said; truth if accepted)

METHODS: dict[str, Callable[[dict], str]] = {
    "lossdoctor": lambda kw: lossdoctor.diagnose(**kw).verdict,
    "patience 0 (Keras EarlyStopping)": lambda kw: baseline(load(**kw), 0),
    "patience 3 (Lightning EarlyStopping)": lambda kw: baseline(load(**kw), 3),
}


def score_corpus(cases: list[Path]) -> dict[str, Scored]:
    """Each method's verdict on each case; a verdict the labels accept counts as the primary."""
    out: dict[str, Scored] = {name: [] for name in METHODS}
    for case in cases:
        labels = json.loads((case / "labels.json").read_text())
        ok = {labels["primary"], *labels.get("accept", [])}
        for name, method in METHODS.items():
            try:
                got = method(kwargs_for(case, labels["args"]))
            except LossdoctorError:
                got = "(error)"
            out[name].append((case.name, labels["primary"],
                              labels["primary"] if got in ok else got))
    return out


def print_methods(scored: dict[str, Scored], corpus: Path) -> None:
    count = len(next(iter(scored.values())))
    print(f"{'method':<38}{'accuracy':>9}{'macro-F1':>10}   ({count} cases in {corpus})")
    for name, rows in scored.items():
        pairs = [(t, p) for _, t, p in rows]
        acc = sum(t == p for t, p in pairs) / len(pairs)
        print(f"{name:<38}{acc:>9.3f}{macro_f1(pairs):>10.3f}")


def read_tasks(corpus: Path) -> dict[str, str]:
    """case -> task family, from the corpus's INDEX.tsv ({} when it has none)."""
    index = corpus / "INDEX.tsv"
    if not index.is_file():
        return {}
    with open(index, encoding="utf-8", newline="") as fh:
        return {row["case"]: row["task"] for row in csv.DictReader(fh, delimiter="\t")}


def print_tasks(scored: dict[str, Scored], tasks: dict[str, str]) -> None:
    """Accuracy of each method per task family, the weakest family for lossdoctor first."""
    short = {"lossdoctor": "lossdoctor", "patience 0 (Keras EarlyStopping)": "patience 0",
             "patience 3 (Lightning EarlyStopping)": "patience 3"}
    by_task: dict[str, dict[str, list[bool]]] = {}
    for name, rows in scored.items():
        for case, truth, said in rows:
            task = tasks.get(case, "(not in INDEX.tsv)")
            by_task.setdefault(task, {}).setdefault(name, []).append(truth == said)
    print(f"{'task family':<22}{'cases':>6}" + "".join(f"{short[m]:>12}" for m in scored))
    order = sorted(by_task, key=lambda t: (np.mean(by_task[t]["lossdoctor"]), t))
    for task in order:
        hits = by_task[task]
        print(f"{task:<22}{len(hits['lossdoctor']):>6}"
              + "".join(f"{np.mean(hits[m]):>12.3f}" for m in scored))


SHORT = {"learning": "learning", "overfitting": "overfit", "plateau": "plateau",
         "data_problem": "data", "divergence": "diverge", "lr_too_high": "lr_high",
         "non_finite": "nonfinite", "not_enough_evidence": "too_few"}


def confusion(seeds: int) -> dict[str, Counter[str]]:
    """Simulated family -> how often each verdict was said over ``seeds`` seeds."""
    return {name: Counter(lossdoctor.diagnose(simulate(name, seed)[0]).verdict
                          for seed in range(seeds)) for name in FAMILIES}


def print_confusion(table: dict[str, Counter[str]], seeds: int) -> None:
    said = [n for n in NAMES if any(c[n] for c in table.values())]
    said += sorted({v for c in table.values() for v in c} - set(NAMES))
    short = {n: SHORT.get(n, n[:9]) for n in said}
    print(f"{'simulated family':<24}{'accepts':<22}"
          + "".join(f"{short[n]:>10}" for n in said) + f"{'right':>7}")
    right_all = 0
    for name, counts in table.items():
        accepts = FAMILIES[name][1]
        right = sum(counts[v] for v in accepts)
        right_all += right
        cells = "".join(f"{counts[n] if counts[n] else '.':>10}" for n in said)
        print(f"{name:<24}{'/'.join(sorted(accepts)):<22}{cells}{right / seeds:>7.2f}")
    total = seeds * len(table)
    print(f"{'all':<46}{'':>{10 * len(said)}}{right_all / total:>7.2f}"
          f"   ({len(table)} families x {seeds} seeds)")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    default = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
    parser = argparse.ArgumentParser(
        prog="benchmarks/accuracy.py",
        description="Score lossdoctor's verdicts on a labelled corpus beside the patience"
                    " rules practitioners use, per task family, and on simulated curves.")
    parser.add_argument("corpus", nargs="?", type=Path, default=None,
                        help=f"folder of labelled cases (*/labels.json); default {default}")
    parser.add_argument("--seeds", type=int, default=20, metavar="N",
                        help="seeds per simulated family for the confusion matrix (default 20;"
                             " 0 skips it)")
    args = parser.parse_args(argv)
    args.explicit = args.corpus is not None
    args.corpus = args.corpus or default
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cases = sorted(p.parent for p in args.corpus.glob("*/labels.json"))
    if not cases and args.explicit:
        print(f"{args.corpus}: no labelled cases (*/labels.json)", file=sys.stderr)
        return 2
    if cases:
        scored = score_corpus(cases)
        print_methods(scored, args.corpus)
        print()
        print_tasks(scored, read_tasks(args.corpus))
    else:
        print(f"(no corpus at {args.corpus}: corpus tables skipped)", file=sys.stderr)
    if args.seeds > 0:
        if cases:
            print()
        print_confusion(confusion(args.seeds), args.seeds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
