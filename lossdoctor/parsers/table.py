"""Delimited text tables (CSV, TSV, padded columns) to numbers, keeping 'missing' apart from NaN.

An empty or ``NA`` cell means "not logged here"; a written ``nan``/``inf`` is a value and
evidence of a broken run. Plain UTF-8 files go straight to pandas' C parser (fast path).
pandas is imported when a table is read, not when a file is sniffed.
"""
from __future__ import annotations

import csv
import io
import re
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import LogReadError
from ..names import EPOCH_NAMES, STEP_NAMES
from .longtable import long_to_wide
from .source import Source

if TYPE_CHECKING:
    import pandas as pd

MISSING = ["", "NA", "N/A", "n/a", "null", "NULL", "None", "none", "-", "--", "?"]
_NUM = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf(?:inity)?)"
_NUMBER = re.compile(rf"^\s*(?:[\"']\s*)?(?:tensor\(\s*(?:\[\s*)?)?({_NUM})(?![\w.+-])",
                     re.IGNORECASE)
#: timm/DeiT MetricLogger's SmoothedValue, ``'median (global_avg)'``: the average is the loss
_PAIRED = re.compile(rf"^\s*(?:[\"']\s*)?(?:{_NUM})\s*\(\s*({_NUM})\s*\)\s*(?:[\"']\s*)?$",
                     re.IGNORECASE)
DELIMITERS = (",", "\t", ";", "|")
#: wider rows are not loss tables (pandas would take minutes over them): say so at once
MAX_COLUMNS = 50_000
#: ... nor a header line this wide with nothing after it, or whitespace-separated (text)
LONG_LINE_CELLS = 5000


@dataclass
class Table:
    """Numeric cells (NaN where missing or not a number) and which cells were missing.

    A column with no mask in ``missed`` (a number column as read_csv gives it) is missing
    exactly where its value is NaN: that mask is made when a reader asks for it, not for
    every column of millions of rows.
    """

    values: pd.DataFrame
    missed: dict[str, np.ndarray]   # column -> True where the cell was missing (see above)
    garbage: dict[str, int]      # column -> count of cells that were neither number nor missing
    paired: set[str] = field(default_factory=set)   # columns of 'a (b)' cells, b was kept
    flags: set[str] = field(default_factory=set)    # true/false columns: never a loss
    notes: list[str] = field(default_factory=list)

    def missing_of(self, name: str) -> np.ndarray:
        """Where column ``name`` was missing (made once for a number column, then kept)."""
        if name not in self.missed:
            v = self.values[name].to_numpy()
            self.missed[name] = np.isnan(v) if v.dtype.kind == "f" else \
                np.zeros(len(v), dtype=bool)
        return self.missed[name]

    def complete(self, name: str) -> bool:
        """No cell of column ``name`` is missing: for a number column a finite or infinite
        sum proves it without a mask (a NaN makes the sum NaN)."""
        if name not in self.missed:
            v = self.values[name].to_numpy()
            if v.dtype.kind != "f" or not np.isnan(np.add.reduce(v)):
                return True
        return not self.missing_of(name).any()

    def has_numbers(self, name: str) -> bool:
        """Some cell of column ``name`` is not missing (the first rows usually say so)."""
        if name not in self.missed:
            v = self.values[name].to_numpy()
            if v.dtype.kind != "f" or not np.isnan(v[:4096]).all():
                return len(v) > 0
        return not self.missing_of(name).all()

    @property
    def missing(self) -> pd.DataFrame:
        """Every column's mask as a frame (made on each use: readers of small tables)."""
        import pandas as pd

        return pd.DataFrame({n: self.missing_of(n) for n in self.values.columns},
                            index=self.values.index)


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


def _cells(line: str, delim: str | None) -> list[str]:
    cells = next(csv.reader([line], delimiter=delim)) if delim else line.split()
    return [c.strip() for c in cells]


def has_header(first_line: str, delim: str | None, next_line: str | None = None) -> bool:
    """A first row with a word in it is a header; so is pandas' ``,0`` (empty index name).
    A row of words and bare numbers is a record (``Epoch: 0``, a logger's line of a printed
    tuple): a header names every column."""
    cells = _cells(first_line, delim)
    filled = [c for c in cells if c and c not in MISSING]
    if any(not _NUMBER.match(c) for c in filled):
        return not any(_NUMBER.match(c) for c in filled)
    if next_line is not None and len(cells) > 1 and cells[0] == "":
        below = _cells(next_line, delim)
        return bool(below and below[0] != "")
    return False


def read_table(source: Source) -> Table:
    """Parse a delimited file into a Table; raises LogReadError when it is not one."""
    import pandas as pd

    head_lines = source.head_text.splitlines()
    skip = _leading_comments(head_lines)          # '# run 3, lr 1e-3' above the header
    title = _title(head_lines[skip:])
    said = f"its line {head_lines[skip + title - 1].strip()[:40]!r} is a title, not the" \
        " header" if title else ""
    skip += title
    head_lines = head_lines[skip:skip + 50]
    lines = [ln for ln in head_lines if ln.strip()]
    if not lines:
        raise LogReadError("empty file" if not source.head.strip() else "no data", source.name)
    delim = sniff_delimiter(head_lines)
    header = has_header(lines[0], delim, lines[1] if len(lines) > 1 else None)
    if len(lines) == 1 and not header:
        row = _one_long_row(source, delim)     # pandas is slow at 180000 columns
        if row is not None:
            return to_numbers(row)
    _check_width(source, lines, delim, header)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", pd.errors.ParserWarning)
        df = _read_frame(source, delim, header, skip, _step_columns(lines[0], delim, header))
    skipped = _skipped_lines(caught)
    width = len(_cells(lines[0], delim))
    realigned = _realigned(df) if header and any(
        len(_cells(ln, delim)) == width + 1 for ln in lines[1:6]) else None
    if realigned is not None:
        df = realigned
    if not header:
        named = _commented_header(source.head_text.splitlines()[:skip], delim, df.shape[1])
        df.columns = named or [f"column {i + 1}" for i in range(df.shape[1])]
    df.columns = _unique([str(c).strip().strip('"') for c in df.columns], source.name)
    if len(df) == 1 and df.shape[1] > 2 and not header:
        df = pd.DataFrame({"column 1": df.iloc[0].to_numpy()})   # one long row of values
        return to_numbers(df)
    if len(df) == 2 and df.shape[1] >= TWO_ROWS_LEAST and not header:
        # two long rows: np.savetxt(path, [train_losses, val_losses])
        rows = to_numbers(pd.DataFrame({"train": df.iloc[0].to_numpy(),
                                        "val": df.iloc[1].to_numpy()}))
        rows.notes.append("its two rows of values read as train (row 1) and val (row 2), the"
                          " order np.savetxt([train, val]) writes; --train-col val --test-col"
                          " train reads them the other way round")
        return rows
    long = long_to_wide(df) if header else None
    if long is not None:
        df = long[0]
    table = to_numbers(df)
    if long is not None:
        table.notes.append(long[1])
    if said:
        table.notes.append(said)
    if _cut_off(source, delim, df.shape[1]):
        table.notes.append("the last line is incomplete (file cut off?); its empty cells are"
                           " read as not logged")
    if skipped:
        table.notes.append(skipped)
    if realigned is not None:
        table.notes.append("its rows hold one field more than its header, empty in every row"
                           " (a doubled delimiter) or a mark after the row: left out, each"
                           " name over its own values")
    return table


_SKIPPED = re.compile(r"Skipping line (\d+): [Ee]xpected (\d+) fields?(?: in line \d+)?, saw (\d+)")


def _skipped_lines(caught: list[warnings.WarningMessage]) -> str:
    """A note naming the lines pandas left out for holding more cells than the header (an
    epoch's summary row under per-batch rows): a user must know a row was not read."""
    found = {int(m[1]): (m[2], m[3]) for w in caught for m in _SKIPPED.finditer(str(w.message))}
    if not found:
        return ""       # (a first read retried as text warns twice: the lines are counted once)
    first = min(found)
    expected, saw = found[first]
    lines = f"line {first}" if len(found) == 1 else f"{len(found)} lines (the first, line {first})"
    return f"{lines} not read: {saw} cells under a header of {expected} columns"


#: a headerless file of two rows is two series when each row holds at least this many values
TWO_ROWS_LEAST = 10


def _cut_off(source: Source, delim: str | None, ncols: int) -> bool:
    """The file ends inside a row (fewer cells than the header) or its gzip stream is cut."""
    try:
        if source.is_gzip:
            return False        # the source's own note says the stream is cut off
        if source.plain_utf8:
            with open(source.path, "rb") as fh:
                fh.seek(0, 2)
                fh.seek(max(0, fh.tell() - 4096))
                tail = fh.read().decode("utf-8", errors="replace")
        else:
            tail = source.text[-4096:]
        if not tail.strip() or tail.endswith(("\n", "\r")):
            return False
        return len(_cells(tail.splitlines()[-1], delim)) < ncols
    except (OSError, csv.Error):
        return False


def _one_long_row(source: Source, delim: str | None) -> pd.DataFrame | None:
    """A file that is one row of values (``np.savetxt`` of a list, a saved history)."""
    import pandas as pd

    try:
        if delim:
            rows = [r for r in csv.reader(source.text_stream(), delimiter=delim) if any(r)]
        else:
            rows = [ln.split() for ln in source.text.splitlines() if ln.strip()]
    except csv.Error:
        return None
    if len(rows) != 1 or len(rows[0]) < 3:
        return None
    return pd.DataFrame({"column 1": [c.strip() for c in rows[0]]})


def _check_width(source: Source, lines: list[str], delim: str | None, header: bool) -> None:
    """Refuse at once the shapes pandas would spend minutes on: no loss table is like them."""
    widths = [len(_cells(ln, delim)) for ln in lines[:5]]    # a long row is cut: at least
    limit = MAX_COLUMNS if delim else LONG_LINE_CELLS     # whitespace: pandas' slow engine
    if max(widths) > limit or (header and widths[0] > LONG_LINE_CELLS
                               and not _has_second_line(source)):
        raise LogReadError(f"a row of {max(widths):,}+ cells: not a table of losses",
                           source.name, f"lossdoctor reads tables of up to {limit:,}"
                           " columns, or a single row of values")
    if header and any(w > max(2 * widths[0], widths[0] + 10) for w in widths[1:]):
        raise LogReadError(f"the header names {widths[0]} columns but a row has "
                           f"{max(widths[1:]):,}", source.name)


def _has_second_line(source: Source) -> bool:
    stream = source.text_stream()
    stream.readline()
    return any(line.strip() for line in stream)


def _leading_comments(lines: list[str]) -> int:
    """How many lines at the top are ``#`` comments (or blank between them)."""
    n = 0
    for ln in lines:
        if ln.lstrip().startswith("#"):
            n += 1
        elif ln.strip() or not n:
            break
        else:
            n += 1
    while n and not lines[n - 1].lstrip().startswith("#"):
        n -= 1
    return n


#: DeepXDE's loss.dat header: its loss groups hold one column per loss term each
_DEEPXDE = ["step", "loss_train", "loss_test", "metrics_test"]


def _commented_header(comments: list[str], delim: str | None, width: int) -> list[str]:
    """Column names a ``#`` comment line above a headerless table gives (np.savetxt's
    ``header=``, DeePMD's ``#  step  rmse_val  rmse_trn ...``): the last comment line of
    ``width`` names, none of them a number; DeepXDE's ``# step, loss_train, loss_test,
    metrics_test``, whose groups span several columns, with its train and test terms
    numbered (as many of each, the metrics the rest); else []."""
    for line in reversed(comments):
        text = line.strip().lstrip("#").strip()
        names = [n.strip() for n in (text.split(delim) if delim and delim.strip() and delim in text
                                     else text.replace(",", " ").split()) if n.strip()]
        if names == _DEEPXDE and width >= 3:
            metrics = (width - 1) % 2
            terms = (width - 1 - metrics) // 2
            return (["step"] + [f"loss_train_term{i + 1}" for i in range(terms)]
                    + [f"loss_test_term{i + 1}" for i in range(terms)]
                    + [f"metrics_test_{i + 1}" for i in range(metrics)])
        if len(names) == width and all(_NAME.match(n) for n in names):
            return names
    return []


_NAME = re.compile(r"^[A-Za-z_][\w./()\[\]-]*$")


def _title(lines: list[str]) -> int:
    """How many lines to skip for a title above the table (one word, no delimiter: a
    CSVLogger file's name written above 'epoch;accuracy;loss;...', blank lines before it;
    or the run's settings as 'name: value' cells, ``Trial Details: Batch Size: 50, Epochs:
    15,,,`` over 'Epoch#,Accuracy,Loss') when the lines below split into two cells or more;
    else 0."""
    at = next((i for i, ln in enumerate(lines[:20]) if ln.strip()), None)
    rest = [ln for ln in lines[at + 1:at + 21] if ln.strip()] if at is not None else []
    if at is None or len(rest) < 2:
        return 0
    if _settings(lines[at]) and not _settings(rest[0]):
        return at + 1
    if len(lines[at].split()) != 1 or any(d in lines[at] for d in DELIMITERS):
        return 0
    delim = sniff_delimiter(rest)
    return at + 1 if len(_cells(rest[0], delim)) > 1 and len(_cells(rest[1], delim)) > 1 else 0


#: a setting written as a cell: 'Batch Size: 50', 'Learning Rate: 0.01'
_SETTING = re.compile(r"^[^:]*[A-Za-z][^:]*:\s*\S")


def _settings(line: str) -> bool:
    """A line whose filled cells (at commas) are all 'name: value' settings, two or more."""
    cells = [c.strip() for c in line.split(",") if c.strip()]
    return len(cells) >= 2 and all(_SETTING.match(c) for c in cells)


def _step_columns(first: str, delim: str | None, header: bool) -> list[str]:
    """Header cells that name a step or epoch axis (read as floats: the x axis is float)."""
    if not header or not delim:
        return []
    try:
        cells = next(csv.reader([first], delimiter=delim))
    except (csv.Error, StopIteration):
        return []
    axis = set(STEP_NAMES) | set(EPOCH_NAMES)
    names = [c for c in cells if c.strip().strip('"').lower() in axis]
    return names if len(set(names)) == len(names) else []


def _read_frame(source: Source, delim: str | None, header: bool, skip: int = 0,
                float_columns: list[str] | None = None) -> pd.DataFrame:
    import pandas as pd

    kwargs: dict[str, Any] = dict(sep=delim if delim else r"\s+", header=0 if header else None,
                  skiprows=skip,
                  keep_default_na=False, na_values=MISSING, skipinitialspace=True,
                  skip_blank_lines=True, on_bad_lines="warn",
                  compression=None,     # the bytes decide (Source), not a '.gz' in the name
                  engine="c" if delim else "python")
    if delim is None or not _padded(source, delim):
        kwargs.pop("skipinitialspace")      # costs a fifth of the parse; nothing to skip
    if float_columns and (utf8 := source.utf8_input()) is not None:
        # the step column parsed straight to floats: no second copy of millions of steps
        try:
            return pd.read_csv(utf8, dtype=dict.fromkeys(float_columns, "float64"), **kwargs)
        except (ValueError, TypeError, pd.errors.ParserError, UnicodeDecodeError):
            pass                # a step cell that is not a number: read it as text below
    try:
        if (utf8 := source.utf8_input()) is not None:
            try:
                return pd.read_csv(utf8, **kwargs)
            except UnicodeDecodeError:    # UTF-8 at the top, Latin-1 further down
                if isinstance(utf8, io.BytesIO):
                    utf8.seek(0)
                return pd.read_csv(utf8, encoding="latin-1", **kwargs)
        return pd.read_csv(io.StringIO(source.text), **kwargs)
    except LogReadError:        # the bytes themselves (a gzip past its size limit)
        raise
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError,
            ValueError, OverflowError, MemoryError) as exc:
        text = str(exc).splitlines()[0][:80] if str(exc) else type(exc).__name__
        raise LogReadError(f"not a readable table ({text})", source.name) from None


def _realigned(df: pd.DataFrame) -> pd.DataFrame | None:
    """A table whose rows hold one field more than its header, the extra one empty in every
    row (a doubled delimiter, as Flair's loss.tsv writes after its train loss) or, last,
    holding no number in any row (a mark such as '*' after the rows that set a new best):
    read_csv takes each row's first field as its label and every name lands one column to
    the left of its values. The rows with that field dropped, under the header's names;
    None when no single field is so."""
    import pandas as pd

    if isinstance(df.index, pd.MultiIndex):      # two fields more, or more
        return None
    fields = [pd.Series(df.index.to_numpy())] + [
        df.iloc[:, i].reset_index(drop=True) for i in range(df.shape[1])]
    empty = [i for i, f in enumerate(fields) if f.isna().all()]
    if not empty and pd.to_numeric(fields[-1], errors="coerce").isna().all():
        empty = [len(fields) - 1]        # a mark after the row's last value
    if len(empty) != 1:
        return None
    del fields[empty[0]]
    return pd.DataFrame(dict(zip(df.columns, fields, strict=True)))


def _padded(source: Source, delim: str) -> bool:
    """Cells start with spaces (``1, 0.5``), as far as the first 64 KiB show."""
    text = source.head_text
    return f"{delim} " in text or "\n " in text or text.startswith(" ")


def to_numbers(df: pd.DataFrame) -> Table:
    import pandas as pd

    values, missing, garbage, paired, flags = {}, {}, {}, set(), set()
    for col in df.columns:
        s = df[col]
        if s.dtype.kind in "fiu":
            values[col] = s.to_numpy()      # integers stay integers: the frame converts once
            if not isinstance(s.dtype, np.dtype):       # a nullable dtype: its own mask
                missing[col] = s.isna().to_numpy()
            continue
        if s.dtype.kind == "b" or _boolean(s):
            flags.add(col)
            values[col] = s.to_numpy(dtype=float) if s.dtype.kind == "b" else \
                s.map(lambda v: float(str(v).strip().lower() == "true")
                      if isinstance(v, str) else np.nan).to_numpy(dtype=float)
            missing[col] = s.isna().to_numpy()
            continue
        text = s.astype(object)
        miss = s.isna().to_numpy() | text.map(
            lambda v: isinstance(v, str) and v.strip().strip("\"'") in MISSING).to_numpy()
        nums = np.array(pd.to_numeric(s, errors="coerce"), dtype=float)
        need = np.isnan(nums) & ~miss
        if need.any() and text[need].map(lambda v: bool(_PAIRED.match(str(v)))).all():
            nums[need] = text[need].map(_average)
            paired.add(col)
        elif need.any():
            extracted = text[need].map(_extract)
            nums[need] = extracted.to_numpy(dtype=float)
            bad = int(extracted.isna().sum()) - int(
                text[need].map(lambda v: str(v).strip().lower().lstrip("+-\"' ")
                               .startswith("nan")).sum())
            if bad:
                garbage[col] = bad
        values[col] = nums
        missing[col] = miss | (np.isnan(nums) & ~_nan_written(text))
    # copy=False: no consolidation into one block, the columns stay where read_csv put them
    return Table(pd.DataFrame(values, copy=False), missing, garbage, paired, flags=flags)


def _boolean(s: pd.Series) -> bool:
    """A text column of True/False (with gaps): pandas leaves it as objects."""
    if s.dtype.kind != "O" or not len(s):
        return False
    head = s.dropna().head(50)
    return bool(len(head)) and bool(head.map(
        lambda v: isinstance(v, str) and v.strip().lower() in ("true", "false")).all())


def _average(cell: object) -> float:
    m = _PAIRED.match(str(cell))
    return float(m.group(1)) if m else np.nan


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
