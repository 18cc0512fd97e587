"""Weights & Biases CSV exports: run history (``_step`` + metrics) and chart-panel downloads.

A panel export has an x column (``Step``, ``epoch/epoch``) and ``<run> - <metric>`` columns,
often with ``__MIN``/``__MAX`` companions; each run becomes a ``run`` of the frame.
"""
from __future__ import annotations

import csv
import re

from ..columns import choose_columns
from ..errors import ColumnError, LogReadError
from ..frame import LossLog, concat_frames, validate_frame
from ..names import TRAIN_TOKENS, says_loss, tokens
from .registry import ReadOptions, register
from .source import Source
from .table import Table, read_table, sniff_delimiter
from .tablecurves import curve_frame, split_from_name, table_to_log

FORMAT = "wandb-csv"
SEP = " - "
STAT_SUFFIXES = ("__MIN", "__MAX", "__STD", "__STDERR")
HISTORY_MARKS = ("_runtime", "_timestamp")
_X_NAME = re.compile(r"^[A-Za-z_][\w/.]*$")


def _header(source: Source) -> list[str]:
    lines = [ln for ln in source.head_text.splitlines()[:20] if ln.strip()]
    if len(lines) < 2 or lines[0].lstrip().startswith(("{", "[")):
        return []
    delim = sniff_delimiter(lines)
    if delim is None:
        return []
    return [c.strip() for c in next(csv.reader([lines[0]], delimiter=delim))]


def sniff_wandb(source: Source) -> float:
    """Panel exports by their ``run - metric`` columns; run history by ``_step``/``_runtime``."""
    try:
        if source.is_dir or not source.head.strip():
            return 0.0
        header = _header(source)
    except LogReadError:
        return 0.0
    if len(header) < 2:
        return 0.0
    rest = header[1:]
    if all(SEP in c for c in rest) and SEP not in header[0]:
        if any(c.endswith(STAT_SUFFIXES) for c in rest):
            return 0.97
        if header[0] in ("Step", "step", "epoch/epoch", "_step"):
            return 0.8
        return 0.6 if _X_NAME.match(header[0]) else 0.0
    if "_step" in header and any(m in header for m in HISTORY_MARKS):
        return 0.9
    return 0.0


@register(FORMAT, priority=75, sniff=sniff_wandb,
          description="Weights & Biases CSV: run history (_step, metrics) or a chart panel "
                      "export ('<run> - <metric>' columns)")
def read_wandb(source: Source, options: ReadOptions) -> LossLog:
    table = read_table(source)
    names = list(table.values.columns)
    if len(names) > 1 and all(SEP in c for c in names[1:]) and SEP not in names[0]:
        return _panel_log(table, source, options)
    return table_to_log(table, source, options, FORMAT)


def _panel_runs(names: list[str]) -> dict[str, dict[str, str]]:
    """run -> {metric: column}, without the stat companions and W&B's own _step/_runtime."""
    runs: dict[str, dict[str, str]] = {}
    for col in names:
        run, _, metric = col.rpartition(SEP)
        if not run or col.endswith(STAT_SUFFIXES) or metric.startswith("_"):
            continue
        runs.setdefault(run, {})[metric] = col
    return runs


def _panel_log(table: Table, source: Source, options: ReadOptions) -> LossLog:
    x_name = list(table.values.columns)[0]
    steps = table.values[x_name].to_numpy(dtype=float)
    runs = _panel_runs(list(table.values.columns)[1:])
    if not runs:
        raise ColumnError("no metric columns in this W&B export", source.name,
                          "expected '<run> - <metric>' columns")
    notes = [f"x axis: {x_name}", f"{len(runs)} run{'s' * (len(runs) > 1)}: "
             + ", ".join(list(runs)[:8]) + (" ..." if len(runs) > 8 else "")] + table.notes
    frames = []
    for run, metrics in runs.items():
        for split, cols, said in _run_curves(metrics, source, options):
            frames.append(curve_frame(table, cols, steps, split, run))
            notes += [n for n in said if n not in notes]
    frame = concat_frames(frames)
    if not (frame["split"] != "lr").any():
        raise LogReadError("no loss values in this W&B export", source.name)
    return LossLog(validate_frame(frame, source.name), source.name, FORMAT, notes)


def _run_curves(metrics: dict[str, str], source: Source,
                options: ReadOptions) -> list[tuple[str, list[str], list[str]]]:
    """(split, columns, notes) for one run's metrics; a lone non-loss metric is the curve."""
    train_col = _metric_name(options.train_col)
    test_col = _metric_name(options.test_col)
    try:
        choice = choose_columns(list(metrics), train_col, test_col, source.name)
    except ColumnError:
        if len(metrics) != 1 or not says_loss(source.path.name):
            raise       # a lone metric is the curve only when the file's name says loss
        metric = next(iter(metrics))
        split = split_from_name(source.name)
        return [(split, [metrics[metric]], [f"no metric is named loss; reading {metric!r} as "
                                            f"the {split} curve (the file name says loss)"])]
    train, test, notes = choice.train, choice.test, list(choice.notes)
    if not test and train_col is None and test_col is None and \
            split_from_name(source.name) == "test" and \
            not any(TRAIN_TOKENS & set(tokens(m)) for m in train):
        notes.append(f"{', '.join(train)} read as the test loss (the file name says so)")
        train, test = [], train
    out = []
    for split, picked in (("train", train), ("test", test), ("lr", choice.lr)):
        if picked:
            out.append((split, [metrics[m] for m in picked], notes))
    return out


def _metric_name(col: str | None) -> str | None:
    """``--train-col`` may name the full column (``run - metric``) or just the metric."""
    if col is None:
        return None
    return col.rpartition(SEP)[2]

