"""Runs the selected rules over each run's trends and picks the verdict."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import numpy as np
import pandas as pd

from .errors import LogReadError
from .frame import LossLog, curve_arrays
from .records import Diagnosis
from .report import Report, RunReport
from .rules import RULES, Rule, RunContext
from .thresholds import DEFAULT, Thresholds
from .trends import CurveTrend, analyze_curve


def diagnose_log(log: LossLog, thresholds: Thresholds = DEFAULT,
                 rules: Iterable[Rule] | None = None) -> Report:
    """Diagnose every run of a parsed log; the report's verdict is the most urgent run's."""
    selected = sorted(rules if rules is not None else RULES.values(), key=lambda r: r.priority)
    runs = [diagnose_run(run, log, thresholds, selected, log.source) for run in log.runs()]
    if not runs:
        raise LogReadError("no loss values", log.source)
    return Report(log.source, log.format, list(log.notes), runs)


def diagnose_run(run: str, log: LossLog | pd.DataFrame, th: Thresholds, rules: list[Rule],
                 source: str) -> RunReport:
    ctx, notes = build_context(log, th, source, run)
    found: list[Diagnosis] = []
    for r in rules:
        d = r.check(ctx, th)
        if d is not None:
            found.append(replace(d, code=r.code))
    verdict = _verdict(found) if found else _fallback(ctx)
    if not found:
        notes.append("no rule matched the trends clearly; the verdict follows the train loss")
    return RunReport(run, verdict, found, ctx, notes)


def _verdict(found: list[Diagnosis]) -> str:
    """The most urgent finding, unless it defers to another finding that is also there."""
    names = {d.name for d in found}
    return next((d.name for d in found if not names.intersection(d.yields_to)), found[0].name)


def _fallback(ctx: RunContext) -> str:
    from .records import Direction

    ends = [c.direction_at_end() for c in ctx.curves()]
    return "learning" if Direction.FALLING in ends else "plateau"


def build_context(log: LossLog | pd.DataFrame, th: Thresholds, source: str, run: str = ""
                  ) -> tuple[RunContext, list[str]]:
    """Trends of the train and test curves of one run on a shared step span.

    ``log`` is a parsed log (its arrays are read, no frame is built) or one run's frame.
    """
    notes: list[str] = []
    if isinstance(log, pd.DataFrame):
        frame = log
        arrays = {split: curve_arrays(frame, split) for split in ("train", "test", "lr")}
    else:
        arrays = {split: log.curve(run, split) for split in ("train", "test", "lr")}
    losses = [arrays[s][0] for s in ("train", "test") if len(arrays[s][0])]
    if not losses:
        raise LogReadError(f"no loss values{f' for run {run}' if run else ''}", source)
    with np.errstate(invalid="ignore"):
        span = (float(min(np.nanmin(s) for s in losses)),
                float(max(np.nanmax(s) for s in losses)))
    curves: dict[str, CurveTrend | None] = {"train": None, "test": None}
    for split in ("train", "test"):
        part_steps, part_values = arrays[split]     # views: no copy of 1e7 rows
        if len(part_steps):
            curves[split] = analyze_curve(split, part_steps, part_values, span, th)
    usable = [c for c in curves.values() if c is not None and (c.windows or c.non_finite_count)]
    if not usable:
        raise LogReadError("too few loss values to find a trend (need at least 2 points)",
                           source)
    broken = []
    for split, c in curves.items():
        if c is not None and not c.windows and c.non_finite_count:
            broken.append(c)
            notes.append(f"{split} loss has too few finite points for a trend")
            curves[split] = None
        elif c is None:
            notes.append(f"no {split} loss in this log: diagnosing the {_other(split)} loss alone")
        elif not c.windows and not c.non_finite_count:
            notes.append(f"{split} loss has fewer than 2 finite points at distinct steps; ignored")
            curves[split] = None
    lr_steps, lr_values = arrays["lr"]
    order = np.argsort(lr_steps, kind="stable")
    ctx = RunContext(curves["train"], curves["test"], np.asarray(lr_steps[order], float),
                     np.asarray(lr_values[order], float), tuple(broken))
    return ctx, notes


def _other(split: str) -> str:
    return "test" if split == "train" else "train"
