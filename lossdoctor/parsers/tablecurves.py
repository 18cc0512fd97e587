"""Which columns of a table are a log's curves: the train and test loss named by their
splits, or the unnamed columns of a table that names none, beside its step, epoch or
counting columns, and the learning rate."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np

from ..columns import CountedWhenAsked, choose_columns, step_axis
from ..errors import ColumnError, LogReadError, NotNumericError
from ..frame import CurveArrays, LossLog, make_frame
from ..names import (
    LOSS_LIKE,
    TEST_TOKENS,
    TRAIN_TOKENS,
    bookkeeping,
    measured,
    names_test,
    says_loss,
    split_of,
    tokens,
)
from .registry import ReadOptions
from .source import Source
from .table import Table

if TYPE_CHECKING:
    import pandas as pd

WALL_NAMES = ("_timestamp", "wall_time", "walltime", "timestamp", "wall")


def split_from_name(name: str) -> str:
    """A single-curve file's split comes from its name: ``val_loss.csv`` is a test curve."""
    stem = re.sub(r"\.(csv|tsv|txt|json|log|gz)$", "", name.rsplit("/", 1)[-1], flags=re.I)
    stem = re.sub(r"\.(csv|tsv|txt|json|log)$", "", stem, flags=re.I)
    export = re.search(r"(?:^|_)run[-_](.*?)-tag-(.+)$", stem)   # TensorBoard: run-<run>-tag-<tag>
    if export:
        tag = set(tokens(export.group(2)))
        if tag & (TEST_TOKENS | TRAIN_TOKENS):      # the tag says it; else the run's name
            return "test" if tag & TEST_TOKENS else "train"
        stem = export.group(1)
    return "test" if names_test(tokens(stem)) else "train"


Curve = tuple[str, str, list[str]]      # (split, run, columns summed into the curve)


def table_to_log(table: Table, source: Source, options: ReadOptions, fmt: str,
                 axis: tuple[np.ndarray, str] | None = None) -> LossLog:
    """Choose the loss columns and the x axis of a table and build the tidy frame.

    ``axis`` overrides the detected x axis (values per row, name) for formats that know it.
    """
    names = list(table.values.columns)
    notes: list[str] = []
    duplicated = [n for n in names if re.search(r"\.\d+$", n) and n.rsplit(".", 1)[0] in names]
    if duplicated:
        notes.append(f"duplicate column names: {', '.join(duplicated)} (the first is used)")
    steps, step_name = axis if axis is not None else step_axis(table.values, notes)
    counters = _index_columns(table)
    if not step_name and (rising := [n for n in sorted(counters) if n.startswith("column")
                                     and np.all(np.diff(table.values[n].to_numpy()) > 0)]):
        step_name = rising[0]          # a headerless file's counter that never starts again
        steps = table.values[step_name].to_numpy(dtype=float)
    skip = ({step_name} if step_name else set()) | counters | set(duplicated)
    wall, wall_name = wall_clock(table)
    skip.add(wall_name)
    data_names = [n for n in names if n not in skip]
    notes += table.notes
    groups = pick_curves(table, data_names, source, options, notes)
    for split, _, cols in groups:
        if split != "lr":
            _check_numeric(table, cols, source)

    def on(axis_steps: np.ndarray) -> list[CurveArrays]:
        return [curve_arrays(table, cols, axis_steps, split, run, wall)
                for split, run, cols in groups if cols]

    curves = on(steps)
    if axis is None and step_name and not _loss_rows(curves):
        # the step column is empty wherever a loss is (an RL log's game records count their
        # ``steps``, its network records hold the losses): it is no axis, and the next
        # candidate column is
        empty = step_name
        steps, step_name = step_axis(table.values.drop(columns=[empty]), notes)
        notes.append(f"{empty} is not the x axis: no row with a loss has it")
        curves = on(steps)
    if not _loss_rows(curves):
        raise LogReadError("no loss values in the loss column(s)", source.name,
                           f"columns {', '.join(c for _, _, cols in groups for c in cols)}"
                           " have no numbers")
    if step_name:
        notes.insert(0, f"x axis: {step_name}")
    # the curves' own arrays: the tidy frame is built only if someone asks for it
    return LossLog(None, source.name, fmt, notes, curves=curves)


def _loss_rows(curves: list[CurveArrays]) -> bool:
    """Whether some loss curve (not the learning rate) has a row."""
    return any(len(c[4]) and c[1] != "lr" for c in curves)


def pick_curves(table: Table, names: list[str], source: Source, options: ReadOptions,
                notes: list[str]) -> list[Curve]:
    """The curves of a table: named loss columns, else unnamed value columns; notes added."""
    chosen = (options.train_col, options.test_col)
    names = [n for n in names if n not in table.flags or n in chosen]   # true/false: no loss
    numeric = [n for n in names if table.has_numbers(n)]      # some cell is a number
    counts = CountedWhenAsked(table.values.columns,
                              lambda name: int((~table.missing_of(name)).sum()))
    try:
        choice = choose_columns(names, options.train_col, options.test_col, source.name,
                                numeric=numeric, counts=counts)
    except ColumnError:
        groups = _unnamed_curves(table, names, source, notes)
        if not groups:
            raise
        return groups
    notes += choice.notes
    explicit = options.train_col is not None or options.test_col is not None
    train, test = list(choice.train), list(choice.test)
    if not test and not explicit:
        if split_from_name(source.name) == "test" and not any(
                TRAIN_TOKENS & set(tokens(c)) for c in train):
            notes.append(f"{', '.join(train)} read as the test loss (the file name says so)")
            train, test = [], train
        else:
            test = _loss_like_test(names, notes)
    if train and test and len(train) == len(test) == 1 and \
            measured(train[0]) != measured(test[0]):
        notes.append(f"train and test curves measure different things: {train[0]} vs {test[0]}")
    for split, cols in (("train", train), ("test", test)):
        held = [counts[c] for c in cols]
        if len(set(held)) > 1:      # parts of one loss are logged together: say what is lost
            both = int((~np.any([table.missing_of(c) for c in cols], axis=0)).sum())
            notes.append(f"{split} loss components logged at different rows ("
                         + ", ".join(f"{c} {n}" for c, n in zip(cols, held, strict=True))
                         + f" values): summed over the {both} rows that hold them all")
    return [("train", "", train), ("test", "", test), ("lr", "", choice.lr)]


def curve_frame(table: Table, cols: list[str], steps: np.ndarray, split: str, run: str = "",
                wall: np.ndarray | None = None) -> pd.DataFrame:
    """One curve from summed columns; rows where a column or the step is missing are gaps."""
    if not cols:
        return make_frame(run, split, np.empty(0), np.empty(0))
    run, split, metric, s, v, w = curve_arrays(table, cols, steps, split, run, wall)
    return make_frame(run, split, s, v, w, metric=metric)


def curve_arrays(table: Table, cols: list[str], steps: np.ndarray, split: str, run: str = "",
                 wall: np.ndarray | None = None) -> CurveArrays:
    """A curve's rows as arrays (not copied when every row has a value): see curve_frame."""
    if len(cols) == 1:
        vals = table.values[cols[0]].to_numpy()
        gaps = None if table.complete(cols[0]) else table.missing_of(cols[0])
    else:
        vals = np.sum([table.values[c].to_numpy(dtype=float) for c in cols], axis=0)
        gaps = np.any([table.missing_of(c) for c in cols], axis=0)
    if steps.dtype.kind == "f" and np.isnan(np.add.reduce(steps)):   # int steps: no NaN
        gaps = np.isnan(steps) if gaps is None else gaps | np.isnan(steps)
    if gaps is None or not gaps.any():  # a curve on every row: no copy of millions of values
        return run, split, "+".join(cols), steps, vals, wall
    keep = np.flatnonzero(~gaps)
    return (run, split, "+".join(cols), steps[keep], vals[keep],
            None if wall is None else wall[keep])


def wall_clock(table: Table) -> tuple[np.ndarray | None, str]:
    """A Unix-time column (W&B's ``_timestamp``, ``wall_time``), or (None, '')."""
    lower = {str(c).lower(): c for c in table.values.columns}
    for n in WALL_NAMES:
        if n in lower:
            col = table.values[lower[n]].to_numpy()
            finite = col[np.isfinite(col)]
            if len(finite) and np.median(finite) > 1e8:
                return col, str(lower[n])
    return None, ""


def _loss_like_test(names: list[str], notes: list[str]) -> list[str]:
    """No test column says 'loss': a validation MSE/NLL column is the test loss."""
    for word in LOSS_LIKE:
        for n in names:
            toks = set(tokens(n))
            if word in toks and names_test(toks) and split_of(n) is None:
                notes.append(f"test loss: {n} (no test column is named loss)")
                return [n]
    return []


def _index_columns(table: Table) -> set[str]:
    """A pandas index column (empty or 'Unnamed: 0' header, values 0..n-1) is not a curve,
    nor, in a file without a header, a column of whole numbers that counts up by one stride
    (an epoch or step counter, which a resumed run may start again: 'epoch,loss' rows)."""
    out = set()
    for n in table.values.columns:
        if n == "" or n.startswith("Unnamed") or n.lower() in ("index", "#"):
            v = table.values[n].to_numpy()
            if len(v) and np.all(np.diff(v) > 0):
                out.add(n)
        elif re.fullmatch(r"column \d+", n) and _counts_up(table.values[n].to_numpy()):
            out.add(n)
    return out


#: a counter steps up by its one stride at this share of its rows (the rest: restarts)
COUNTING_SHARE = 0.9


def _counts_up(v: np.ndarray) -> bool:
    """Whole numbers, at least three, stepping up by one stride (1, or 100 for a step
    logged every 100) at ``COUNTING_SHARE`` of the rows."""
    v = v[np.isfinite(v)]
    if len(v) < 3 or not np.all(v == np.round(v)):
        return False
    d = np.diff(v)
    stride = float(np.median(d))
    return stride > 0 and float(np.mean(d == stride)) >= COUNTING_SHARE


def _unnamed_curves(table: Table, names: list[str], source: Source,
                    notes: list[str]) -> list[Curve]:
    """No column is named like a loss: when the file's name says it holds a loss
    (``val_loss.txt``, a TensorBoard download of tag ``loss``), its one value column is the
    curve and several are runs of it. Bookkeeping (clocks, counters, rates, metrics, ids,
    true/false flags) never is, nor a column of whole numbers counting up by one stride
    (Julia's ``x1,x2`` header over an epoch and a loss); nothing else is guessed."""
    if not says_loss(source.path.name):
        return []
    split = split_from_name(source.name)
    numeric = [n for n in names if table.has_numbers(n) and n not in table.garbage
               and n not in table.flags and split_of(n) is None and not bookkeeping(n)
               and not _counts_up(table.values[n].to_numpy())]     # a counter, however named
    by_split = _named_by_split(numeric)
    if by_split:
        notes.append(f"columns {', '.join(by_split.values())} read as the"
                     f" {' and '.join(by_split)} loss (the file name says loss)")
        return [(sp, "", [n]) for sp, n in by_split.items()]
    paired = [n for n in numeric if n in table.paired]
    if len(paired) == 1:
        notes.append(f"{paired[0]} holds 'median (average)' cells: the averages are read as"
                     f" the {split} loss (the file name says loss)")
        return [(split, "", paired)]
    if len(numeric) == 1:
        if numeric[0] != "column 1" or len(names) > 1:
            notes.append(f"no column is named loss; reading {numeric[0]!r} as the {split} loss"
                         " (the file name says loss)")
        return [(split, "", numeric)]
    if len(numeric) > 1:
        notes.append(f"{len(numeric)} columns read as runs of the {split} loss"
                     " (the file name says loss)")
        return [(split, n, [n]) for n in numeric]
    return []


def _named_by_split(names: list[str]) -> dict[str, str]:
    """{split: column} when every column is named by a split's word alone ('train',
    'valid') and no split has two; else {}."""
    out: dict[str, str] = {}
    for n in names:
        toks = set(tokens(n))
        split = "train" if toks and toks <= TRAIN_TOKENS else \
            "test" if toks and toks <= TEST_TOKENS else None
        if split is None or split in out:
            return {}
        out[split] = n
    return out


def _check_numeric(table: Table, cols: list[str], source: Source) -> None:
    for c in cols:
        bad = table.garbage.get(c, 0)
        if not bad:
            continue
        good = int((~table.missing_of(c)).sum())    # garbage cells are counted as missing
        if bad >= good:
            raise NotNumericError(f"column {c!r} is not numeric ({bad} of {bad + good} cells are"
                               " not numbers)", source.name)
