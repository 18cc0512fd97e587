"""JSON documents and JSON lines to a numeric Table: 'key absent' is kept apart from NaN."""
from __future__ import annotations

import json
import math
import re
from typing import Any

import numpy as np

from ..errors import LogReadError
from .longtable import VALUE_NAMES, long_to_wide
from .source import HEAD_BYTES, Source
from .table import Table

_ABSENT = object()


def load_json(source: Source) -> Any:
    """The whole file as one JSON document; a broken one gives a one-line LogReadError."""
    text = source.text
    if not text.strip():
        raise LogReadError("empty file", source.name)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise json_error(exc, text, source.name) from None
    except RecursionError:
        raise LogReadError("JSON nested too deeply", source.name) from None


def json_error(exc: json.JSONDecodeError, text: str, name: str) -> LogReadError:
    """'truncated JSON at line N' when the text stops early, else where it is invalid."""
    if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
        return LogReadError(f"truncated JSON at line {exc.lineno}", name,
                           "the file ends in the middle of the document; was it still being"
                           " written?")
    return LogReadError(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
                        name)


def head_json_text(source: Source) -> str:
    """The start of a file's text, stripped; '' for folders and undecodable data."""
    if source.is_dir:
        return ""
    try:
        return source.head_text.lstrip()
    except LogReadError:    # binary data: not ours, and a sniffer must not raise
        return ""


_JSON_START = re.compile(
    r'^(?:\{\s*(?:"|\}|$)|\[\s*(?:$|\{\s*(?:"|\}|$)|[\["\]]'
    r'|(?:-?(?:\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|Infinity)|NaN|true|false|null)\s*(?:[,\]]|$)))')


#: ``[12]\tvalid_0's l2: 0.5``: a boosting round's counter in brackets, then words (XGBoost,
#: LightGBM), or the PyTorch tutorial's ``[1,  2000] loss: 2.173`` (epoch and batch):
#: console text, though ``[12]`` and ``[1,  2000]`` alone are JSON arrays
_ROUND = re.compile(r"^\[\s*\d+(?:\s*,\s*\d+)*\s*\][ \t]+[A-Za-z]")


def looks_like_json(text: str) -> bool:
    """Text that starts as a JSON document does: ``{"`` or ``[1,`` -- not ``[12/21 21:00:41]``
    (a timestamp), ``[INFO]``, ``[{train.py:45} INFO -`` (Airflow's logging format),
    ``[12]\tvalid-logloss:0.5`` (a boosting round), ``[1,  2000] loss: 2.173`` (the PyTorch
    tutorial's epoch and batch) or ``{'loss': 0.5}`` (a printed Python dict)."""
    head = text.lstrip()[:200]
    return bool(_JSON_START.match(head)) and not _ROUND.match(head)


def json_head(source: Source) -> str:
    """head_json_text when the file starts like a JSON document, else ''."""
    text = head_json_text(source)
    return text if looks_like_json(text) else ""


def head_is_whole(source: Source) -> bool:
    return len(source.head) < HEAD_BYTES


def flatten(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"train": {"loss": 1}}`` -> ``{"train/loss": 1}``; other values are kept as they are."""
    if not any(isinstance(v, dict) for v in record.values()) and not prefix:
        return record
    out: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, f"{name}/"))
        else:
            out[name] = value
    return out


def records_to_table(records: list[dict[str, Any]]) -> Table:
    """One row per record, one column per key that holds numbers somewhere; records of one
    value each, named by their labels (``{"step": 1, "tag": "train/loss", "value": 0.5}``),
    one column per series."""
    flat = [flatten(r) for r in records]
    keys = list(dict.fromkeys(k for r in flat for k in r))
    if any(str(k).lower() in VALUE_NAMES for k in keys):
        import pandas as pd

        long = long_to_wide(pd.DataFrame(flat, columns=keys), absent=_ABSENT)
        if long is not None:
            wide, note = long
            table = columns_to_table({c: wide[c].tolist() for c in wide.columns})
            table.notes.append(note)
            return table
    return columns_to_table({str(k): [r.get(k, _ABSENT) for r in flat] for k in keys})


def columns_to_table(columns: dict[str, list[Any]]) -> Table:
    """Lists of cells per name (may differ in length) to a Table; non-numeric keys drop out."""
    import pandas as pd

    n = max((len(c) for c in columns.values()), default=0)
    values, missing, garbage = {}, {}, {}
    for name, cells in columns.items():
        vals, miss, bad = _column(cells, n)
        if miss.all():
            continue        # lists, strings or nothing: not a curve
        values[name], missing[name] = vals, miss
        if bad:
            garbage[name] = bad
    return Table(pd.DataFrame(values, index=range(n)), missing, garbage)


def _column(cells: list[Any], n: int) -> tuple[np.ndarray, np.ndarray, int]:
    vals = np.full(n, np.nan)
    miss = np.ones(n, dtype=bool)
    bad = 0
    for i, cell in enumerate(cells):
        num = to_number(cell)
        if num is None:
            bad += cell is not None and cell is not _ABSENT
            continue
        vals[i] = num
        miss[i] = False
    return vals, miss, bad


def to_number(cell: Any) -> float | None:
    """A JSON cell as a float (NaN/Inf included); None when absent, null or not a number."""
    if isinstance(cell, bool) or cell is None or cell is _ABSENT:
        return None
    if isinstance(cell, (int, float)):
        try:
            return float(cell)
        except OverflowError:   # a huge int: still evidence of an exploding value
            return math.inf if cell > 0 else -math.inf
    if isinstance(cell, str):
        try:
            return float(cell.strip())
        except ValueError:
            return None
    return None
