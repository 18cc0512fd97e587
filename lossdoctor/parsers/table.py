"""Delimited text tables (CSV, TSV, padded columns) to numbers, keeping 'missing' apart from NaN.

An empty or ``NA`` cell means "not logged here"; a written ``nan``/``inf`` is a value and
evidence of a broken run. Plain UTF-8 files go straight to pandas' C parser (fast path).
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ColumnError, LogReadError
from ..frame import LossLog, concat_frames, make_frame, validate_frame
from .columns import TEST_TOKENS, choose_columns, split_of, step_axis, tokens
from .registry import ReadOptions
from .source import Source

MISSING = ["", "NA", "N/A", "n/a", "null", "NULL", "None", "none", "-", "--", "?"]
_NUMBER = re.compile(
    r"^\s*[\"']?\s*(?:tensor\(\s*\[?\s*)?"
    r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf(?:inity)?))",
    re.IGNORECASE)
DELIMITERS = (",", "\t", ";", "|")


@dataclass
class Table:
    """Numeric cells (NaN where missing or not a number) and which cells were missing."""

    values: pd.DataFrame
    missing: pd.DataFrame
    garbage: dict[str, int]      # column -> count of cells that were neither number nor missing


def sniff_delimiter(lines: list[str]) -> str | None:
    """The delimiter that splits the first lines into the same number of cells; None = spaces."""
    lines = [ln for ln in lines if ln.strip()][:20]
    if not lines:
        return ","
    best, best_cells = None, 1
    for delim in DELIMITERS:
        counts = [len(next(csv.reader([ln], delimiter=delim))) for ln in lines]
        body = counts[1:] or counts
        if min(body) > 1 and max(body) == min(body) and counts[0] >= body[0] - 1:
            if body[0] > best_cells:
                best, best_cells = delim, body[0]
    if best is None and len(lines[0].split()) > 1 and all(
            len(ln.split()) == len(lines[0].split()) for ln in lines):
        return None
    if best is None:
        # ragged rows (W&B exports with unequal runs): the most common delimiter
        best = max(DELIMITERS, key=lambda d: lines[0].count(d))
        if lines[0].count(best) == 0:
            best = ","
    return best


def has_header(first_line: str, delim: str | None) -> bool:
    cells = next(csv.reader([first_line], delimiter=delim)) if delim else first_line.split()
    cells = [c.strip() for c in cells]
    return any(c and c not in MISSING and not _NUMBER.match(c) for c in cells)


def read_table(source: Source) -> Table:
    """Parse a delimited file into a Table; raises LogReadError when it is not one."""
    head_lines = source.head_text.splitlines()[:50]
    if not any(ln.strip() for ln in head_lines):
        raise LogReadError("empty file" if not source.head.strip() else "no data", source.name)
    delim = sniff_delimiter(head_lines)
    first = next(ln for ln in head_lines if ln.strip())
    header = has_header(first, delim)
    kwargs = dict(sep=delim if delim else r"\s+", header=0 if header else None,
                  keep_default_na=False, na_values=MISSING, skipinitialspace=True,
                  skip_blank_lines=True, on_bad_lines="skip",
                  engine="c" if delim else "python")
    if delim is None:
        kwargs.pop("skipinitialspace")
    try:
        if source.plain_utf8 and not source.head.startswith(b"\xef\xbb\xbf"):
            df = pd.read_csv(source.path, **kwargs)
        else:
            df = pd.read_csv(io.StringIO(source.text), **kwargs)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError,
            ValueError, OverflowError) as exc:
        raise LogReadError(f"not a readable table ({str(exc).splitlines()[0][:80]})",
                           source.name) from None
    if not header:
        df.columns = [f"column {i + 1}" for i in range(df.shape[1])]
    df.columns = _unique([str(c).strip().strip('"') for c in df.columns], source.name)
    if len(df) == 1 and df.shape[1] > 2 and not header:
        df = pd.DataFrame({"column 1": df.iloc[0].to_numpy()})   # one long row of values
    return to_numbers(df)


def to_numbers(df: pd.DataFrame) -> Table:
    values, missing, garbage = {}, {}, {}
    for col in df.columns:
        s = df[col]
        if s.dtype.kind in "fiub":
            values[col] = np.array(s, dtype=float)
            missing[col] = s.isna().to_numpy()
            continue
        text = s.astype(object)
        miss = s.isna().to_numpy() | text.map(
            lambda v: isinstance(v, str) and v.strip().strip("\"'") in MISSING).to_numpy()
        nums = np.array(pd.to_numeric(s, errors="coerce"), dtype=float)
        need = np.isnan(nums) & ~miss
        if need.any():
            extracted = text[need].map(_extract)
            nums[need] = extracted.to_numpy(dtype=float)
            bad = int(extracted.isna().sum()) - int(
                text[need].map(lambda v: str(v).strip().lower().lstrip("+-\"' ")
                               .startswith("nan")).sum())
            if bad:
                garbage[col] = bad
        values[col] = nums
        missing[col] = miss | (np.isnan(nums) & ~_nan_written(text))
    return Table(pd.DataFrame(values), pd.DataFrame(missing), garbage)


def _extract(cell: object) -> float:
    m = _NUMBER.match(str(cell))
    return float(m.group(1)) if m else np.nan


def _nan_written(text: pd.Series) -> np.ndarray:
    return text.map(lambda v: isinstance(v, str) and bool(
        re.match(r"^\s*[\"']?\s*(tensor\()?[-+]?nan", v, re.IGNORECASE))).to_numpy()


def _unique(names: list[str], source: str) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        if n in seen:
            seen[n] += 1
            out.append(f"{n}.{seen[n]}")
        else:
            seen[n] = 0
            out.append(n)
    return out


def split_from_name(name: str) -> str:
    """A single-curve file's split comes from its name: ``val_loss.csv`` is a test curve."""
    stem = re.sub(r"\.(csv|tsv|txt|json|log|gz)$", "", name.rsplit("/", 1)[-1], flags=re.I)
    return "test" if TEST_TOKENS & set(tokens(stem)) else "train"


def table_to_log(table: Table, source: Source, options: ReadOptions, fmt: str) -> LossLog:
    """Choose the loss columns and the x axis of a table and build the tidy frame."""
    names = list(table.values.columns)
    notes: list[str] = []
    duplicated = [n for n in names if re.search(r"\.\d+$", n) and n.rsplit(".", 1)[0] in names]
    if duplicated:
        notes.append(f"duplicate column names: {', '.join(duplicated)} (the first is used)")
    steps, step_name = step_axis(table.values)
    axis = {step_name} if step_name else set()
    axis |= _index_columns(table)
    data_names = [n for n in names if n not in axis and not n.endswith(tuple(
        f".{i}" for i in range(1, 10)))]
    try:
        choice = choose_columns(data_names, options.train_col, options.test_col, source.name)
        groups = [(split, "", choice.train if split == "train" else choice.test)
                  for split in ("train", "test")] + [("lr", "", choice.lr)]
        notes += choice.notes
    except ColumnError:
        groups = _unnamed_curves(table, data_names, source)
        if not groups:
            raise
    frames = []
    for split, run, cols in groups:
        if not cols:
            continue
        _check_numeric(table, cols, source)
        vals = np.sum([table.values[c].to_numpy() for c in cols], axis=0)
        miss = np.any([table.missing[c].to_numpy() for c in cols], axis=0)
        keep = ~miss & ~np.isnan(steps)
        frames.append(make_frame(run, split, steps[keep], vals[keep], metric="+".join(cols)))
    frame = concat_frames(frames)
    if not (frame["split"] != "lr").any():
        raise LogReadError("no loss values in the loss column(s)", source.name)
    if step_name:
        notes.insert(0, f"x axis: {step_name}")
    return LossLog(validate_frame(frame, source.name), source.name, fmt, notes)


def _index_columns(table: Table) -> set[str]:
    """A pandas index column (empty or 'Unnamed: 0' header, values 0..n-1) is not a curve."""
    out = set()
    for n in table.values.columns:
        if n == "" or n.startswith("Unnamed") or n.lower() in ("index", "#"):
            v = table.values[n].to_numpy()
            if len(v) and np.all(np.diff(v) > 0):
                out.add(n)
    return out


def _unnamed_curves(table: Table, names: list[str], source: Source):
    """No loss-named column: one value column is the curve; several are runs of one curve."""
    numeric = [n for n in names if (~table.missing[n]).any() and n not in table.garbage
               and split_of(n) is None and not _is_metric_name(n)]
    split = split_from_name(source.name)
    if len(numeric) == 1:
        return [(split, "", numeric)]
    if len(numeric) > 1 and "loss" in tokens(source.path.name):
        return [(split, n, [n]) for n in numeric]
    return []


def _is_metric_name(name: str) -> bool:
    toks = set(tokens(name))
    return bool(toks & {"acc", "accuracy", "time", "elapsed", "precision", "recall", "f1",
                        "auc", "map", "iou", "dice", "wall", "timestamp", "epoch", "step"})


def _check_numeric(table: Table, cols: list[str], source: Source) -> None:
    for c in cols:
        bad = table.garbage.get(c, 0)
        good = int((~table.missing[c]).sum()) - bad
        if bad and bad >= good:
            raise LogReadError(f"column {c!r} is not numeric ({bad} of {bad + good} cells are"
                               " not numbers)", source.name)
