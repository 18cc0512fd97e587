"""How early lossdoctor names a bad run, next to the patience callbacks (issue 15).

    python benchmarks/early.py [CORPUS] [--jobs 2] [--show-late] [--json OUT]

For every case of a labelled corpus (``*/labels.json``, see ../shared/benchmark/LABELS.md)
the log is read once (``lossdoctor.read_log``, or ``lossdoctor.api.load`` for a
``--train/--test`` pair) and cut at 25 evenly spaced moments of its step range
(first + k/25 of the range, k = 1..25; the last cut is the whole log). Each prefix -- every
row with ``step <= cut``, the learning-rate rows included -- is diagnosed with
``lossdoctor.diagnose(DataFrame)``: the public API on the tidy frame, the same engine a
watched log or a callback gets. A prefix too short to diagnose (an error, or whatever
"not enough evidence" verdict the engine gives) catches nothing. As a
check that nothing is lost on the way, the last prefix's verdict is compared with
``lossdoctor.diagnose(path)`` of the whole log and any disagreement is printed.

The callbacks are simulated on the same prefixes, with their documented rules:

- **Keras EarlyStopping** (monitor ``val_loss``, ``min_delta`` 0, patience 0 and 3): at each
  epoch end ``wait += 1``; a value below the best so far (minus ``min_delta``) becomes the best
  and sets ``wait = 0``; otherwise training stops when ``wait >= patience`` and ``epoch > 0``.
  Patience 0 stops at the first evaluation (not the very first) that does not beat the best,
  patience 3 at the third such evaluation in a row. NaN never beats the best (``nan < best``
  is false): it counts as no improvement.
- **Lightning EarlyStopping** (monitor ``val_loss``, patience 3, ``check_finite=True``): at each
  check, in this order: a non-finite value stops (``check_finite``: "stops training when the
  monitor becomes NaN or infinite"); ``stopping_threshold`` ("stop training immediately once
  the monitored quantity reaches this threshold") is not set, as no target loss is known in
  advance; ``divergence_threshold`` is not set on this row; an improvement
  (``current - min_delta < best``) resets ``wait``; otherwise ``wait += 1`` and training stops
  when ``wait >= patience``.
- **TerminateOnNaN** (Keras): checks ``logs["loss"]`` at every batch end and stops on NaN or
  Inf: here, at the first logged train value that is not finite.
- **divergence_threshold = 10x best** (Lightning: "stop training as soon as the monitored
  quantity becomes worse than this threshold"; an absolute number with no default, tested as
  ``current > threshold`` before the improvement check). Our reading: the threshold a user who
  knew the loss's scale would set, ten times the best monitored value seen so far, so the
  check stops at the first evaluation whose ``val_loss`` exceeds 10x the lowest one before it.
  Simulated alone (no patience, no ``check_finite``): a NaN does not exceed it (``nan > x`` is
  false, as in torch).

Mapping a log onto the checks: EarlyStopping and the divergence threshold run once per
evaluation, and each logged test value is one evaluation, seen with the value logged at its
step; train points logged between evaluations never reach them (they monitor ``val_loss``).
TerminateOnNaN runs per batch, so it sees every logged train value (batch-level or
epoch-level, whatever the log holds). A log without a test curve has its monitor fall back to
the train loss, one check per logged train value. A callback "has stopped" at a moment when
it stops on that prefix, which (the rules being causal) is when its stop on the whole log
is at or before the cut: each callback runs once per log and catches the run at the first
of the 25 moments at or after its stop.

What is counted, per method:

- **bad runs caught** (labels ``divergence``, ``non_finite``, ``overfitting``): a callback
  catches a bad run when it stops it on any prefix. lossdoctor catches it when a prefix's
  verdict is the label, or, for ``divergence`` and ``non_finite``, either stop verdict
  (``divergence``, ``non_finite``).
- **delay**: (first caught moment - ``onset_step``) / (last - first step of ``steps``), over the
  caught runs that have an onset; the median overall and per label (negative: before onset).
- **healthy runs stopped** (label ``learning``): a callback stopping on any prefix; for
  lossdoctor a stop verdict (``divergence``/``non_finite``) on any prefix, and separately an
  ``overfitting`` verdict on any prefix.
- a second lossdoctor row reads every diagnosis of a prefix's report instead of its verdict
  only: what ``lossdoctor watch --fail-on NAMES`` stops on.
- a last row is a bound, not a method: each bad run named at the first of the 25 moments at
  or after its labelled onset, no healthy run stopped. No detector that waits for the fault
  to begin is earlier; a delay goal below it is met only by stopping before the onset (as a
  patience rule does when the test loss stalls before a blow-up or a NaN).

Under the table, issue 15's goals for lossdoctor's verdict row, each met or not: >= 97% of
bad runs caught, a median delay no later than the best EarlyStopping row that stops <= 10%
of healthy runs, a stop verdict on <= 1% and overfitting on <= 5% of healthy runs.

``--show-late`` lists the bad runs lossdoctor misses or names later than Lightning's patience
3 (or more than ``--late`` of the run after the onset), with what the curves do at the moment
it should have spoken, and every healthy run it stops or calls overfitting.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

CUTS = 25
BAD = ("divergence", "non_finite", "overfitting")
HEALTHY = ("learning",)
STOP = frozenset({"divergence", "non_finite"})
LOSSDOCTOR = "lossdoctor (prefix replay)"
LOSSDOCTOR_ANY = "lossdoctor, any diagnosis (as watch --fail-on sees it)"
LOSSDOCTORS = (LOSSDOCTOR, LOSSDOCTOR_ANY)
REFERENCE = "Lightning EarlyStopping, patience 3 (check_finite)"
#: the earliest any detector can be that waits for the fault to begin: it names each bad run
#: at the first moment at or after its labelled onset, and stops no healthy run
AT_ONSET = "bound: named at the first moment at or after the onset"


@dataclass
class Curves:
    """One run's train and test curves, steps increasing."""

    train_steps: np.ndarray
    train: np.ndarray
    test_steps: np.ndarray
    test: np.ndarray

    def upto(self, cut: float) -> Curves:
        n_train = int(np.searchsorted(self.train_steps, cut, side="right"))
        n_test = int(np.searchsorted(self.test_steps, cut, side="right"))
        return Curves(self.train_steps[:n_train], self.train[:n_train],
                      self.test_steps[:n_test], self.test[:n_test])

    def monitor(self) -> tuple[np.ndarray, np.ndarray]:
        """What ``val_loss`` callbacks see: the test curve, or the train loss without one."""
        if len(self.test) or not len(self.train):
            return self.test_steps, self.test
        return self.train_steps, self.train


def describe(prefix: Curves, window: int = 5) -> str:
    """The curves of a prefix: each one's last value against its best so far (both running
    medians of ``window`` points, so one noisy point does not set the ratio), and how many
    points ago its lowest raw value was."""
    parts = []
    for name, steps, values in (("train", prefix.train_steps, prefix.train),
                                ("test", prefix.test_steps, prefix.test)):
        if not len(values):
            continue
        ok = np.isfinite(values)
        bad = len(values) - int(ok.sum())
        if not ok.any():
            parts.append(f"{name} all {len(values)} non-finite")
            continue
        finite = values[ok]
        smooth = pd.Series(finite).rolling(window, min_periods=1).median().to_numpy()
        best, last = float(smooth.min()), float(smooth[-1])
        ratio = f" = {last / best:.2f}x best" if best > 0 else f" (best {best:.4g})"
        at = int(np.argmin(finite))
        parts.append(f"{name} {last:.4g}{ratio}, lowest at step {steps[ok][at]:g} "
                     f"({len(finite) - 1 - at} points ago)" +
                     (f", {bad} non-finite" if bad else ""))
    return "; ".join(parts)


# --- the callbacks: each takes a prefix's curves and returns the step it stops at, or None


def keras_early_stopping(curves: Curves, patience: int, min_delta: float = 0.0) -> float | None:
    steps, values = curves.monitor()
    best, wait = np.inf, 0
    for epoch, (step, current) in enumerate(zip(steps, values, strict=True)):
        wait += 1
        if current - min_delta < best:         # False for NaN: no improvement
            best, wait = current, 0
            continue
        if wait >= patience and epoch > 0:
            return float(step)
    return None


def lightning_early_stopping(curves: Curves, patience: int = 3, check_finite: bool = True,
                             divergence_factor: float | None = None,
                             min_delta: float = 0.0) -> float | None:
    """Lightning's check order; ``divergence_factor`` x the best so far as the threshold."""
    steps, values = curves.monitor()
    best, wait = np.inf, 0
    for step, current in zip(steps, values, strict=True):
        if check_finite and not np.isfinite(current):
            return float(step)
        if divergence_factor is not None and np.isfinite(best) and \
                current > divergence_factor * best:
            return float(step)
        if current - min_delta < best:
            best, wait = current, 0
        else:
            wait += 1
            if wait >= patience:
                return float(step)
    return None


def terminate_on_nan(curves: Curves) -> float | None:
    bad = np.flatnonzero(~np.isfinite(curves.train))
    return float(curves.train_steps[bad[0]]) if len(bad) else None


CALLBACKS: dict[str, Callable[[Curves], float | None]] = {
    REFERENCE: lambda c: lightning_early_stopping(c, patience=3),
    "Keras EarlyStopping, patience 0": lambda c: keras_early_stopping(c, patience=0),
    "Keras EarlyStopping, patience 3": lambda c: keras_early_stopping(c, patience=3),
    "TerminateOnNaN (train loss)": terminate_on_nan,
    "divergence_threshold = 10x best": lambda c: lightning_early_stopping(
        c, patience=10**9, check_finite=False, divergence_factor=10.0),
}
SHORT = dict(zip(CALLBACKS, ("L3", "K0", "K3", "NaN", "10x"), strict=True))  # for --trace
PATIENCE_RULES = tuple(name for name in CALLBACKS if "EarlyStopping" in name)


# --- one case: read once, cut, diagnose and simulate every prefix


@dataclass
class Moment:
    """What one prefix gives: lossdoctor's verdict and which callbacks have stopped."""

    cut: float
    verdict: str | None                    # None: too short to diagnose
    names: list[str] = field(default_factory=list)
    message: str = ""
    stopped: list[str] = field(default_factory=list)
    curves: str = ""                       # each curve's last value against its best
    non_finite: bool = False               # a NaN/Inf is in the prefix


@dataclass
class CaseResult:
    case: str
    label: str
    onset: float | None
    steps: tuple[float, float]
    moments: list[Moment] = field(default_factory=list)
    full_verdict: str | None = None
    error: str | None = None


def load_options(case: Path, args: list[str]) -> dict[str, Any]:
    """labels.json ``args`` (what follows ``lossdoctor check``) -> ``api.load`` keywords."""
    ap = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    ap.add_argument("log", nargs="?")
    for opt in ("--train", "--test", "--train-col", "--test-col", "--input-format",
                "--segments"):
        ap.add_argument(opt)
    ns = ap.parse_args(args)
    out = {k: v for k, v in vars(ns).items() if v is not None}
    for key in ("log", "train", "test"):
        if key in out:
            out[key] = case / out[key]
    return out


def read_case(case: Path, args: list[str]) -> pd.DataFrame:
    """The case's tidy frame, read once."""
    import lossdoctor
    from lossdoctor.api import load

    options = load_options(case, args)
    if set(options) <= {"log"}:
        return lossdoctor.read_log(options["log"])
    return load(**{k: v for k, v in options.items() if k != "segments"},
                segments=options.get("segments", "last")).to_frame()


def run_curves(frame: pd.DataFrame) -> Curves:
    """The callbacks watch one run: the first one of the log."""
    runs = pd.unique(frame["run"])
    part = frame[frame["run"] == runs[0]] if len(runs) > 1 else frame
    arrays = []
    for split in ("train", "test"):
        rows = part[part["split"] == split].sort_values("step", kind="stable")
        arrays += [rows["step"].to_numpy(float), rows["value"].to_numpy(float)]
    return Curves(*arrays)


def cut_points(frame: pd.DataFrame, count: int = CUTS) -> list[float]:
    steps = frame.loc[frame["split"] != "lr", "step"].to_numpy(float)
    first, last = float(np.nanmin(steps)), float(np.nanmax(steps))
    return [first + (last - first) * k / count for k in range(1, count)] + [last]


def diagnose_prefix(frame: pd.DataFrame, cut: float) -> tuple[str | None, list[str], str]:
    import lossdoctor
    from lossdoctor.errors import LossdoctorError

    part = frame[frame["step"].to_numpy() <= cut].reset_index(drop=True)
    part.attrs = {}
    try:
        report = lossdoctor.diagnose(part)
    except LossdoctorError:
        return None, [], ""
    names = [d.name for r in report.runs for d in r.diagnoses]
    first = next((d for r in report.runs for d in r.diagnoses if d.name == report.verdict),
                 None)
    return report.verdict, names, first.message if first is not None else ""


def replay_case(case: Path) -> CaseResult:
    """Read the case once; diagnose and simulate the callbacks at each of its moments."""
    import lossdoctor
    from lossdoctor.errors import LossdoctorError

    try:
        labels = json.loads((case / "labels.json").read_text())
        onset = labels.get("onset_step")
        first, last = (float(s) for s in labels["steps"])
        out = CaseResult(case.name, str(labels["primary"]),
                         None if onset is None else float(onset), (first, last))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return CaseResult(case.name, "?", None, (0.0, 0.0),
                          error=f"labels.json: {type(exc).__name__}: {exc}"[:160])
    try:
        frame = read_case(case, labels["args"])
        curves = run_curves(frame)
        stops = {name: rule(curves) for name, rule in CALLBACKS.items()}
        for cut in cut_points(frame):
            verdict, names, message = diagnose_prefix(frame, cut)
            prefix = curves.upto(cut)
            # the callbacks are causal: one stops on a prefix exactly when it stops on the
            # whole log at a step <= the cut, so each runs once (tests check the equivalence)
            stopped = [name for name, step in stops.items() if step is not None and step <= cut]
            out.moments.append(Moment(
                cut, verdict, names, message[:200], stopped, describe(prefix),
                not (np.isfinite(prefix.train).all() and np.isfinite(prefix.test).all())))
        options = load_options(case, labels["args"])
        out.full_verdict = lossdoctor.diagnose(**options).verdict
    except (LossdoctorError, OSError, argparse.ArgumentError) as exc:
        out.error = str(exc).splitlines()[0][:160]
    return out


def replay(cases: list[Path], jobs: int) -> list[CaseResult]:
    if jobs <= 1:
        return [replay_case(c) for c in cases]
    with ProcessPoolExecutor(jobs) as pool:
        return list(pool.map(replay_case, cases, chunksize=1))


# --- the table


def said(m: Moment, method: str) -> set[str]:
    """What a lossdoctor method reads off a prefix: its verdict, or every diagnosis."""
    if method == LOSSDOCTOR_ANY:
        return set(m.names)
    return {m.verdict} if m.verdict else set()


def caught_by_lossdoctor(label: str, names: set[str]) -> bool:
    return bool(names & STOP) if label in STOP else label in names


def first_caught(result: CaseResult, method: str) -> int | None:
    """Index of the first moment at which ``method`` has caught (or stopped) the run."""
    if method == AT_ONSET:
        return onset_index(result) if result.label in BAD else None
    for i, m in enumerate(result.moments):
        hit = caught_by_lossdoctor(result.label, said(m, method)) if method in LOSSDOCTORS \
            else method in m.stopped
        if hit:
            return i
    return None


def delay(result: CaseResult, index: int) -> float | None:
    if result.onset is None:
        return None
    first, last = result.steps
    return (result.moments[index].cut - result.onset) / max(last - first, 1e-12)


def healthy_flags(result: CaseResult, method: str) -> tuple[bool, bool]:
    """(stopped, called overfitting) on any prefix of a healthy run."""
    if method == AT_ONSET:
        return False, False
    if method not in LOSSDOCTORS:
        return any(method in m.stopped for m in result.moments), False
    return (any(said(m, method) & STOP for m in result.moments),
            any("overfitting" in said(m, method) for m in result.moments))


@dataclass
class Row:
    method: str
    caught: dict[str, tuple[int, int]]     # label -> (caught, runs); "all" too
    delays: dict[str, float | None]        # label -> median delay; "all" too
    healthy: tuple[int, int]               # (stopped, runs)
    healthy_overfitting: int | None        # lossdoctor only


def summarize(results: Iterable[CaseResult], methods: Iterable[str]) -> list[Row]:
    ok = [r for r in results if r.error is None and r.moments]
    bad = [r for r in ok if r.label in BAD]
    healthy = [r for r in ok if r.label in HEALTHY]
    rows = []
    for method in methods:
        caught: dict[str, tuple[int, int]] = {}
        delays: dict[str, float | None] = {}
        for label in ("all", *BAD):
            runs = [r for r in bad if label in ("all", r.label)]
            hits = [(r, first_caught(r, method)) for r in runs]
            found = [(r, i) for r, i in hits if i is not None]
            caught[label] = (len(found), len(runs))
            ds = [d for d in (delay(r, i) for r, i in found) if d is not None]
            delays[label] = statistics.median(ds) if ds else None
        flags = [healthy_flags(r, method) for r in healthy]
        rows.append(Row(method, caught, delays, (sum(s for s, _ in flags), len(healthy)),
                        sum(o for _, o in flags) if method in LOSSDOCTORS else None))
    return rows


def _fraction(n: int, total: int) -> str:
    return f"{n}/{total}" + (f" ({100 * n / total:.1f}%)" if total and n else "")


def _median(value: float | None) -> str:
    return "-" if value is None else f"{value:+.3f}"


def render(rows: list[Row]) -> str:
    lines = ["| method | bad runs caught | median delay after onset (fraction of the run) "
             "| healthy runs stopped |", "| --- | --- | --- | --- |"]
    for row in rows:
        n, total = row.caught["all"]
        per_caught = ", ".join(f"{lab} {row.caught[lab][0]}/{row.caught[lab][1]}" for lab in BAD)
        per_delay = ", ".join(f"{lab} {_median(row.delays[lab])}" for lab in BAD)
        stopped = _fraction(*row.healthy)
        if row.healthy_overfitting is not None:
            stopped = f"stop verdict {stopped}; overfitting " \
                      f"{_fraction(row.healthy_overfitting, row.healthy[1])}"
        lines.append(f"| {row.method} | {n}/{total} ({per_caught}) | "
                     f"{_median(row.delays['all'])} ({per_delay}) | {stopped} |")
    return "\n".join(lines)


def goals(rows: list[Row]) -> list[str]:
    """Issue 15's targets for lossdoctor's verdict row: >= 97% of bad runs caught; a median
    delay no later than the best patience rule stopping <= 10% of healthy runs; a stop
    verdict on <= 1% of healthy runs and overfitting on <= 5%."""
    by = {r.method: r for r in rows}
    ld = by.get(LOSSDOCTOR)
    if ld is None or not ld.caught["all"][1]:
        return []
    fair = [r for r in rows if r.method in PATIENCE_RULES and r.healthy[1]
            and r.healthy[0] <= 0.10 * r.healthy[1] and r.delays["all"] is not None]
    best = min(fair, key=lambda r: r.delays["all"] or 0.0) if fair else None
    n, total = ld.caught["all"]
    out = [f"caught {n}/{total} = {n / total:.1%} (goal >= 97%): "
           f"{'met' if n >= 0.97 * total else 'NOT met'}"]
    if best is not None and ld.delays["all"] is not None:
        on_time = ld.delays["all"] <= (best.delays["all"] or 0.0) + 1e-9
        out.append(f"median delay {_median(ld.delays['all'])} (goal <= "
                   f"{_median(best.delays['all'])}, {best.method}): "
                   f"{'met' if on_time else 'NOT met'}")
        bound = by.get(AT_ONSET)
        if bound is not None and bound.delays["all"] is not None \
                and bound.delays["all"] > (best.delays["all"] or 0.0) + 1e-9:
            out.append(f"  (below the {_median(bound.delays['all'])} of naming every fault at the"
                       f" first moment at or after its onset: met only by stopping before the"
                       f" fault begins)")
    stopped, healthy = ld.healthy
    if healthy:
        over = ld.healthy_overfitting or 0
        out.append(f"healthy runs with a stop verdict {stopped}/{healthy} (goal <= 1%): "
                   f"{'met' if stopped <= 0.01 * healthy else 'NOT met'}; "
                   f"with overfitting {over}/{healthy} (goal <= 5%): "
                   f"{'met' if over <= 0.05 * healthy else 'NOT met'}")
    return ["issue 15 goals for lossdoctor (prefix replay):"] + [f"  {line}" for line in out]


# --- --show-late: where the engine is late, and what the curves do there


def said_after_onset(result: CaseResult, until: int | None) -> str:
    """lossdoctor's verdicts from the onset up to (not including) ``until``, run-length coded."""
    out: list[list[Any]] = []
    for i, m in enumerate(result.moments):
        if until is not None and i >= until:
            break
        if result.onset is not None and m.cut < result.onset:
            continue
        v = m.verdict or "(too short)"
        if out and out[-1][0] == v:
            out[-1][1] += 1
        else:
            out.append([v, 1])
    return ", ".join(f"{v} x{n}" for v, n in out) or "-"


def onset_index(result: CaseResult) -> int | None:
    """The first moment at or after the labelled onset."""
    if result.onset is None:
        return None
    return next((i for i, m in enumerate(result.moments) if m.cut >= result.onset),
                len(result.moments) - 1)


def due_moment(result: CaseResult) -> int | None:
    """When lossdoctor should have spoken: as soon as Lightning's patience 3 stops the run,
    but not before the fault's onset (a stop on noise before it is no standard to meet),
    nor, for non_finite, before the log shows a NaN/Inf (an epoch-level log shows a bad
    batch only at the epoch's end)."""
    ref, start = first_caught(result, REFERENCE), onset_index(result)
    shown = next((i for i, m in enumerate(result.moments) if m.non_finite), None) \
        if result.label == "non_finite" else None
    known = [i for i in (ref, start, shown) if i is not None]
    return max(known) if known else None


def late_lines(results: list[CaseResult], late: float) -> list[str]:
    """One pair of lines per late or missed bad run, then a tally of what lossdoctor said
    instead at the moment it was due, per label."""
    lines: list[str] = []
    instead: dict[str, Counter[str]] = {label: Counter() for label in BAD}
    for r in results:
        if r.error or r.label not in BAD or not r.moments:
            continue
        ld, due = first_caught(r, LOSSDOCTOR), due_moment(r)
        d_ld = None if ld is None else delay(r, ld)
        if ld is not None and (due is None or ld <= due) and (d_ld is None or d_ld <= late):
            continue
        span = max(r.steps[1] - r.steps[0], 1e-12)
        onset = "-" if r.onset is None else f"{r.onset:g} ({(r.onset - r.steps[0]) / span:.2f})"
        got = "missed" if ld is None else f"step {r.moments[ld].cut:g} (delay {_median(d_ld)})"
        ref = first_caught(r, REFERENCE)
        reference = "-" if ref is None else \
            f"step {r.moments[ref].cut:g} (delay {_median(delay(r, ref))})"
        lines.append(f"  late {r.case} {r.label}: onset {onset}; lossdoctor {got}; "
                     f"Lightning p3 {reference}; from onset it said: {said_after_onset(r, ld)}")
        if due is not None:
            m = r.moments[due]
            lines.append(f"      due at step {m.cut:g}: {m.curves}; lossdoctor: {m.verdict}")
            if not caught_by_lossdoctor(r.label, said(m, LOSSDOCTOR)):
                instead[r.label][m.verdict or "(none)"] += 1
    for label, counts in instead.items():
        if counts:
            lines.append(f"  when due, {label} was called: " + ", ".join(
                f"{name} {n}" for name, n in counts.most_common()))
    return lines


def false_stop_lines(results: list[CaseResult]) -> list[str]:
    """Each healthy run's first stop or overfitting verdict, or else stop diagnosis."""
    lines = []
    for r in results:
        if r.error or r.label not in HEALTHY:
            continue
        bad_verdict = next((m for m in r.moments
                            if m.verdict in STOP or m.verdict == "overfitting"), None)
        bad_name = next((m for m in r.moments if set(m.names) & STOP), None)
        m = bad_verdict or bad_name
        if m is None:
            continue
        what = f"verdict {m.verdict}" if m is bad_verdict else \
            f"diagnosis {', '.join(sorted(set(m.names) & STOP))} (verdict {m.verdict})"
        frac = (m.cut - r.steps[0]) / max(r.steps[1] - r.steps[0], 1e-12)
        lines.append(f"  false {what}: {r.case} at step {m.cut:g} ({frac:.2f} of the run); "
                     f"{m.curves}; {m.message[:150]}")
    return lines


def trace_lines(results: list[CaseResult]) -> list[str]:
    """Every moment of every case, for studying a few with ``--cases``."""
    lines = ["moment (* from the onset on) | verdict | every diagnosis | callbacks stopped ("
             + ", ".join(f"{v} {k}" for k, v in SHORT.items()) + ") | the curves"]
    for r in results:
        lines.append(f"{r.case} {r.label}: onset {r.onset}, steps {r.steps[0]:g}-{r.steps[1]:g}"
                     + (f", error {r.error}" if r.error else ""))
        for m in r.moments:
            flag = "*" if r.onset is not None and m.cut >= r.onset else " "
            stopped = ",".join(SHORT[s] for s in m.stopped) or "-"
            lines.append(f" {flag}{m.cut:>10g} {m.verdict or '-':<20} "
                         f"{','.join(m.names) or '-':<28} {stopped:<14} {m.curves}")
    return lines


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    default = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("corpus", type=Path, nargs="?", default=default,
                    help="folder of cases (*/labels.json); default: %(default)s")
    ap.add_argument("--jobs", type=int, default=2, help="cases replayed in parallel (%(default)s)")
    ap.add_argument("--show-late", action="store_true",
                    help="list the bad runs lossdoctor misses or names late, and its false stops")
    ap.add_argument("--late", type=float, default=0.10,
                    help="with --show-late: also list catches later than this fraction of the "
                         "run after onset (%(default)s)")
    ap.add_argument("--json", type=Path, help="write every case's moments here")
    ap.add_argument("--cases", help="only these case folders (comma-separated names)")
    ap.add_argument("--trace", action="store_true",
                    help="print every moment of every case: verdict, diagnoses, callbacks "
                         "stopped, the curves (with --cases, to study a few)")
    return ap.parse_args(argv)


class CorpusError(Exception):
    """A corpus (or a case named in --cases) that is not there: one line, exit 2."""


def find_cases(corpus: Path, only: str | None) -> list[Path]:
    """The case folders to replay; an unknown name in ``only`` is a usage error."""
    cases = sorted(p.parent for p in corpus.glob("*/labels.json"))
    if only:
        wanted = set(only.split(","))
        unknown = wanted - {c.name for c in cases}
        if unknown:
            raise CorpusError(f"{corpus}: no case {', '.join(sorted(unknown))}")
        cases = [c for c in cases if c.name in wanted]
    if not cases:
        raise CorpusError(f"{corpus}: no cases (*/labels.json)")
    return cases


def summary_lines(results: list[CaseResult], corpus: Path) -> list[str]:
    """The header, the table, the goals and the whole-log check."""
    import lossdoctor

    rows = summarize(results, [*LOSSDOCTORS, *CALLBACKS, AT_ONSET])
    bad = sum(r.label in BAD for r in results if not r.error)
    healthy = sum(r.label in HEALTHY for r in results if not r.error)
    lines = [f"lossdoctor {lossdoctor.__version__} from {Path(lossdoctor.__file__).parent}",
             f"{len(results)} cases in {corpus}: {bad} bad ({', '.join(BAD)}), "
             f"{healthy} healthy (learning); {CUTS} moments each",
             render(rows), *goals(rows)]
    same = 0
    for r in results:
        if r.error:
            lines.append(f"  error {r.case}: {r.error}")
        elif r.moments and r.moments[-1].verdict != r.full_verdict:
            lines.append(f"  differs {r.case}: the last prefix says {r.moments[-1].verdict}, "
                         f"diagnose(path) of the whole log {r.full_verdict}")
        else:
            same += 1
    lines.append(f"last prefix = whole log (diagnose(path)) on {same}/{len(results)} cases")
    return lines


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        cases = find_cases(args.corpus, args.cases)
    except CorpusError as exc:
        print(exc, file=sys.stderr)
        return 2
    results = replay(cases, args.jobs)
    print("\n".join(summary_lines(results, args.corpus)))
    if args.show_late:
        print(f"lossdoctor late (missed, after Lightning p3's stop or the onset if later, "
              f"or > {args.late:g} of the run after onset):")
        print("\n".join(late_lines(results, args.late)) or "  none")
        print("lossdoctor on healthy runs (first stop or overfitting verdict, else stop "
              "diagnosis):")
        print("\n".join(false_stop_lines(results)) or "  none")
    if args.trace:
        print("\n".join(trace_lines(results)))
    if args.json:
        try:
            args.json.write_text(json.dumps([asdict(r) for r in results], indent=1))
        except OSError as exc:
            print(f"{args.json}: cannot write ({exc.strerror})", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
