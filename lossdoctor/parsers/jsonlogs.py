"""JSON logs: JSON lines (DETR/DeiT/MAE, detectron2), Chainer LogReport, Keras history, records."""
from __future__ import annotations

import json
import re
from typing import Any

import numpy as np

from ..columns import one_series_split
from ..errors import LogReadError
from ..frame import LossLog, concat_frames, make_frame, validate_frame
from ..names import TEST_TOKENS, says_loss, split_of, tokens
from .hftrainer import read_hf
from .jsontable import (
    columns_to_table,
    head_is_whole,
    head_json_text,
    json_head,
    load_json,
    records_to_table,
    to_number,
)
from .registry import ReadOptions, register
from .source import Source
from .tablecurves import split_from_name, table_to_log

_LOSS_KEY = re.compile(r'"[^"]*loss[^"]*"\s*:', re.IGNORECASE)
_CHAINER_KEY = re.compile(r'"(main|validation|val|validation/main)/[^"]*"\s*:')
_DICT_OF_LISTS = re.compile(r'^\{\s*"(?:[^"\\]|\\.)*"\s*:\s*(?:\{\s*"(?:[^"\\]|\\.)*"\s*:\s*)?\[')
_FIRST_ROW = re.compile(r"^\[\s*\[([^\[\]]*)\]")
#: ``print(history.history)`` or ``str(history.history)`` saved: a Python dict of lists
_PRINTED_DICT_OF_LISTS = re.compile(r"^\{\s*'[^'\n]{1,200}'\s*:\s*\[")
#: a history printed a key a line (``for k, v in history.history.items(): print(f"{k}:
#: {v}")``): ``loss: [1.015, 0.633, ...]``
_KEY_LIST_LINE = re.compile(r"^\s*([A-Za-z_][\w./-]{0,100})\s*:\s*\[([^\[\]'\"]*)\]\s*$")
#: what a printed dict holds that JSON spells otherwise (numpy 2 prints its scalars wrapped)
_PYTHON_WORDS = {"nan": "NaN", "inf": "Infinity", "None": "null", "True": "true",
                 "False": "false"}
_PYTHON_TOKEN = re.compile(r"'|\b(?:nan|inf|None|True|False)\b|\bnp\.float(?:16|32|64)\("
                           r"([^()]*)\)")


# ---------------------------------------------------------------- JSON lines

def _head_objects(source: Source) -> list[Any]:
    """The complete lines at the start of the file, parsed (None where a line is not JSON)."""
    lines = [ln for ln in head_json_text(source).splitlines() if ln.strip()]
    if not head_is_whole(source):
        lines = lines[:-1]          # the head may end inside a line
    out: list[Any] = []
    for line in lines[:5]:
        try:
            out.append(json.loads(line))
        except (ValueError, RecursionError):     # a corrupt or absurdly deep line
            out.append(None)
    return out


def sniff_jsonl(source: Source) -> float:
    """Several lines that are each one JSON object with loss-like keys."""
    objs = _head_objects(source)
    if not json_head(source).startswith("{"):
        # a first line that is broken (cut, or nested too deep) before lines of objects
        if len(objs) >= 3 and objs[0] is None and all(isinstance(o, dict) for o in objs[1:]):
            return 0.6
        return 0.0
    if not objs or not isinstance(objs[0], dict):
        return 0.0                  # a pretty-printed document starts with a lone '{'
    dicts = [o for o in objs if isinstance(o, dict)]
    if len(objs) == 1 and _holds_lists(objs[0]):
        return 0.0                  # one JSON object holding lists: Keras history or similar
    keys = {k for d in dicts for k in d}
    if "_step" in keys and ({"_runtime", "_timestamp"} & keys):
        return 0.5                  # W&B's history file: its own parser knows it better
    if len(dicts) < 2:
        return 0.5
    lossy = any(split_of(str(k)) in ("train", "test") for k in keys)
    return 0.9 if lossy else 0.6


def _holds_lists(obj: dict[str, Any], depth: int = 4) -> bool:
    """Whether an object holds lists of values, ``depth`` levels down at most (Keras's
    history, Ludwig's ``training_statistics.json``: split, feature, metric): a document of
    series, not one record of JSON lines."""
    return depth > 0 and any(
        (isinstance(v, list) and len(v) > 1) or (isinstance(v, dict) and _holds_lists(v, depth - 1))
        for v in obj.values())


def parse_lines(source: Source) -> tuple[list[dict[str, Any]], list[str]]:
    """Every line that is a JSON object; a truncated last line or bad lines become notes."""
    lines = [(i, ln) for i, ln in enumerate(source.text.splitlines(), 1) if ln.strip()]
    if not lines:
        raise LogReadError("empty file", source.name)
    records: list[dict[str, Any]] = []
    bad: list[int] = []
    for i, line in lines:
        try:
            obj = json.loads(line)
        except (ValueError, RecursionError):     # a corrupt or absurdly deep line: skipped
            obj = None
        if isinstance(obj, dict):
            records.append(obj)
        else:
            bad.append(i)
    if not records or len(bad) > len(records):
        raise LogReadError("not JSON lines (most lines are not JSON objects)", source.name,
                           "expected one JSON object per line")
    notes = []
    if bad and bad[-1] == lines[-1][0]:
        notes.append(f"last line ({bad.pop()}) is truncated or not JSON; skipped")
    if bad:
        notes.append(f"{len(bad)} line(s) are not JSON objects and were skipped"
                     f" (first: line {bad[0]})")
    return records, notes


@register("jsonl", priority=50, sniff=sniff_jsonl,
          description="JSON lines, one object per line: DETR/DeiT/MAE log.txt, detectron2 "
                      "metrics.json, one value a line named by its labels ('step', 'tag',"
                      " 'value')")
def read_jsonl(source: Source, options: ReadOptions) -> LossLog:
    records, notes = parse_lines(source)
    log = table_to_log(records_to_table(records), source, options, "jsonl")
    log.notes[:0] = notes
    return log


# ---------------------------------------------------------------- Chainer LogReport

#: an Evaluator extension's keys: ``<its name>/main/<metric>`` (``validation`` by default)
_EVALUATOR = re.compile(r"^([^/]+)/main/(.+)$")

def sniff_chainer(source: Source) -> float:
    """A JSON array of objects with Chainer's ``main/loss`` keys."""
    text = json_head(source)
    if not re.match(r"^\[\s*(\{|\]|$)", text):
        return 0.0
    return 0.95 if _CHAINER_KEY.search(text[:8192]) else 0.0


@register("chainer-logreport", priority=70, sniff=sniff_chainer,
          description="Chainer LogReport 'log': JSON array of dicts with main/loss, "
                      "validation/main/loss")
def read_chainer(source: Source, options: ReadOptions) -> LossLog:
    data = load_json(source)
    records = _as_records(data, source)
    named = sorted({m.group(1) for r in records for k in r if (m := _EVALUATOR.match(k))
                    and not (TEST_TOKENS | {"main"}) & set(tokens(m.group(1)))})
    if named:      # Evaluator(name='TaskA') reports TaskA/main/loss: a test loss
        records = [{_EVALUATOR.sub(r"validation/\1/main/\2", k)
                    if k.split("/", 1)[0] in named else k: v for k, v in r.items()}
                   for r in records]
    log = _records_log(records, source, options, "chainer-logreport")
    if named:
        log.notes.insert(0, f"evaluator{'s' * (len(named) > 1)} {', '.join(named)}: read as"
                            " the test set (Chainer's <evaluator>/main/loss)")
    return log


def _as_records(data: Any, source: Source) -> list[dict[str, Any]]:
    if not isinstance(data, list):
        raise LogReadError(f"expected a JSON array of per-epoch objects, found a JSON "
                           f"{_kind(data)}", source.name)
    records = [r for r in data if isinstance(r, dict)]
    if not records:
        raise LogReadError("the JSON array holds no objects" if data else "empty JSON array",
                           source.name)
    return records


def _records_log(records: list[dict[str, Any]], source: Source, options: ReadOptions,
                 fmt: str) -> LossLog:
    return table_to_log(records_to_table(records), source, options, fmt)


def _kind(data: Any) -> str:
    if isinstance(data, dict):
        return "object"
    if isinstance(data, list):
        return "array"
    return "string" if isinstance(data, str) else "value"


# ---------------------------------------------------------------- Keras history

def sniff_keras_history(source: Source) -> float:
    """A JSON object of lists, best with ``loss``/``val_loss`` keys; or of objects of lists
    (XGBoost's and LightGBM's ``evals_result``); or such lists printed a key a line."""
    text = json_head(source)
    if not _DICT_OF_LISTS.match(text):
        text = head_json_text(source)
        lines = text.splitlines()[: None if head_is_whole(source) else -1]
        if (keys := _key_lists(lines)) is not None:
            return 0.85 if any(says_loss(k) for k in keys) else 0.0
        if not _PRINTED_DICT_OF_LISTS.match(text) or '"' in text:
            return 0.0
        return 0.85 if re.search(r"'(val_)?loss'\s*:\s*\[", text) else 0.5
    return 0.85 if re.search(r'"(val_)?loss"\s*:\s*\[', text) else 0.5


def _key_lists(lines: list[str]) -> dict[str, str] | None:
    """``{name: the list's text}`` when every line that is not blank is ``name: [...]``."""
    found: dict[str, str] = {}
    for line in lines:
        if not line.strip():
            continue
        m = _KEY_LIST_LINE.match(line)
        if m is None:
            return None
        found[m.group(1)] = m.group(2)
    return found or None


def _printed_dict(source: Source) -> Any:
    """A printed Python dict of lists (no double quote in it) read as the JSON it spells:
    quotes, nan, inf, None and numpy 2's ``np.float64(0.5)`` written JSON's way."""
    text = source.text.lstrip()
    if (keys := _key_lists(text.splitlines())) is not None:
        text = "{" + ", ".join(f"'{k}': [{v}]" for k, v in keys.items()) + "}"
    if not _PRINTED_DICT_OF_LISTS.match(text) or '"' in text:
        return None
    spelled = _PYTHON_TOKEN.sub(lambda m: '"' if m.group(0) == "'" else m.group(1)
                                if m.group(1) is not None else _PYTHON_WORDS[m.group(0)], text)
    try:
        return json.loads(spelled)
    except (json.JSONDecodeError, RecursionError):
        return None


@register("keras-history-json", priority=65, sniff=sniff_keras_history,
          description='json.dump(history.history): {"loss": [...], "val_loss": [...]}, '
                      "one value per epoch; XGBoost's and LightGBM's evals_result: "
                      '{"validation_0": {"logloss": [...]}, ...}; Ludwig\'s '
                      "training_statistics.json; Sacred's metrics.json")
def read_keras_history(source: Source, options: ReadOptions) -> LossLog:
    data = _printed_dict(source)
    if data is None:
        data = load_json(source)
    if not isinstance(data, dict):
        raise LogReadError(f"expected a JSON object of lists, found a JSON {_kind(data)}",
                           source.name)
    return _history_log(data, source, options, "keras-history-json")


def _history_log(data: dict[str, Any], source: Source, options: ReadOptions,
                 fmt: str) -> LossLog:
    if (records := _sacred_records(data)) is not None:
        return _records_log(records, source, options, fmt)
    columns = {str(k): v for k, v in _set_metrics(data).items() if isinstance(v, list)}
    if not columns:
        raise LogReadError("the JSON object holds no lists of values", source.name,
                           'expected {"loss": [...], "val_loss": [...]}')
    table = columns_to_table(columns)
    if table.values.empty:
        raise LogReadError("the JSON object's lists hold no numbers", source.name,
                           'expected {"loss": [...], "val_loss": [...]}')
    log = table_to_log(table, source, options, fmt)
    lengths = sorted({len(v) for v in columns.values()})
    if len(lengths) > 1:
        log.notes.append(f"lists of unequal length ({lengths[0]}..{lengths[-1]}); row = "
                         "position in the list")
    return log


def _set_metrics(data: dict[str, Any], prefix: str = "", depth: int = 4) -> dict[str, Any]:
    """``{"validation_0": {"logloss": [...]}}`` (a boosting library's ``evals_result``) ->
    ``{"validation_0-logloss": [...]}``, the names its console prints, and so ``depth``
    levels down (Ludwig's ``training_statistics.json``: ``{"validation": {"combined":
    {"loss": [...]}}}`` -> ``validation-combined-loss``); other keys as they are."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and depth > 1:
            out.update(_set_metrics(value, f"{name}-", depth - 1))
        else:
            out[name] = value
    return out


def _sacred_records(data: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Sacred's ``metrics.json`` as records by step: ``{"training.loss": {"steps": [...],
    "values": [...], "timestamps": [...]}, ...}``, each metric at its own steps (its steps
    and timestamps are no values of it); None for any other object."""
    if not data or not all(isinstance(v, dict) and isinstance(v.get("values"), list)
                           and isinstance(v.get("steps"), list) for v in data.values()):
        return None
    rows: dict[float, dict[str, Any]] = {}
    for name, series in data.items():
        for step, value in zip(series["steps"], series["values"], strict=False):
            if (x := to_number(step)) is not None:
                rows.setdefault(x, {"step": x})[str(name)] = value
    return [rows[x] for x in sorted(rows)]


# ---------------------------------------------------------------- generic JSON

def sniff_records(source: Source) -> float:
    """Any JSON array of objects, pairs or numbers (a low score: others know better)."""
    text = json_head(source)
    if re.match(r"^\[\s*\{", text):
        return 0.7 if _LOSS_KEY.search(text) else 0.6
    row = _FIRST_ROW.match(text)
    if row:
        cells = [c for c in row.group(1).split(",") if c.strip()]
        if all(to_number(c) is not None for c in cells):
            # [[wall_time, step, value], ...] is TensorBoard's export: leave it to that parser
            return {1: 0.4, 2: 0.7}.get(len(cells), 0.05)
        return 0.0
    if re.match(r"^\[\s*[-+0-9.NI]", text):
        return 0.4
    if text.startswith("{"):
        return 0.2
    return 0.0


@register("json-records", priority=40, sniff=sniff_records,
          description="generic JSON: an array of per-epoch objects, of [step, loss] pairs, or "
                      "of numbers")
def read_records(source: Source, options: ReadOptions) -> LossLog:
    data = load_json(source)
    if isinstance(data, dict) and "log_history" in data:
        return read_hf(source, options)
    if isinstance(data, dict):
        inner = [v for v in data.values() if isinstance(v, list) and v
                 and all(isinstance(r, dict) for r in v)]
        losses = [k for k, v in data.items() if says_loss(str(k)) and isinstance(v, list)
                  and v and all(isinstance(x, (int, float)) for x in v[:100])]
        if len(inner) == 1 and not losses:
            data = inner[0]         # {"history": [{...}, ...]}
        elif any(isinstance(v, (list, dict)) for v in data.values()):
            return _history_log(data, source, options, "json-records")   # lists, nested
    if isinstance(data, list) and data and all(isinstance(r, dict) for r in data):
        return _records_log(data, source, options, "json-records")
    if isinstance(data, list) and data:
        return _rows_log(data, source, options)
    _as_records(data, source)       # raises the right one-line error
    raise LogReadError("no values", source.name)


def _rows_log(data: list[Any], source: Source, options: ReadOptions) -> LossLog:
    """A list of numbers, of [step, value] pairs or of [wall_time, step, value] rows."""
    width = max(len(r) if isinstance(r, list) else 1 for r in data)
    if width > 3:
        raise LogReadError(f"rows of {width} values: cannot tell which is the loss",
                           source.name, "expected [step, loss] pairs or a list of numbers")
    rows = [r if isinstance(r, list) else [r] for r in data]
    cells = np.array([[_num(r, i) for i in range(width)] for r in rows], dtype=float)
    if width == 3 and _step_and_two_losses(cells):
        return _step_pairs_log(cells, rows, source)
    if width == 1:
        steps, values, wall = np.arange(len(rows), dtype=float), cells[:, 0], None
    else:
        steps, values = cells[:, -2], cells[:, -1]
        wall = cells[:, 0] if width == 3 else None
    keep = ~np.isnan(steps) & _present(rows, width - 1)
    if not keep.any():
        raise LogReadError("no numeric values in the JSON array", source.name)
    split = one_series_split(source.path, "values", options.train_col, options.test_col,
                             split_from_name(source.name))
    wall_kept = wall[keep] if wall is not None else None
    frame = make_frame("", split, steps[keep], values[keep], wall_kept)
    notes = [f"one curve ({split} loss, from the file name); "
             f"{'[step, value] pairs' if width == 2 else 'x axis: position'}"]
    if width == 3:
        notes[0] = f"one curve ({split} loss, from the file name); rows [wall_time, step, value]"
    dropped = int((~keep).sum())
    if dropped:
        notes.append(f"{dropped} row(s) without a number skipped")
    return LossLog(validate_frame(concat_frames([frame]), source.name), source.name,
                   "json-records", notes)


def _step_and_two_losses(cells: np.ndarray) -> bool:
    """Whether [a, b, c] rows are [step, train, val] rather than TensorBoard's [wall_time,
    step, value]: the first column counts whole steps up, the second is not whole."""
    first, second = cells[:, 0], cells[:, 1]
    first, second = first[np.isfinite(first)], second[np.isfinite(second)]
    return len(first) >= 2 and bool(np.all(first == np.round(first))) and \
        bool(np.all(np.diff(first) >= 0)) and bool(np.any(second != np.round(second)))


def _step_pairs_log(cells: np.ndarray, rows: list[list[Any]], source: Source) -> LossLog:
    """[step, train, val] rows: a train and a test curve on the rows' steps."""
    frames = [make_frame("", split, cells[keep, 0], cells[keep, i])
              for i, split in ((1, "train"), (2, "test"))
              if (keep := ~np.isnan(cells[:, 0]) & _present(rows, i)).any()]
    notes = ["rows [step, a, b] read as [step, train loss, val loss], the order such rows"
             " are usually written in"]
    return LossLog(validate_frame(concat_frames(frames), source.name), source.name,
                   "json-records", notes)


def _num(row: list[Any], i: int) -> float:
    value = to_number(row[i]) if i < len(row) else None
    return np.nan if value is None else value


def _present(rows: list[list[Any]], i: int) -> np.ndarray:
    return np.array([i < len(r) and to_number(r[i]) is not None for r in rows], dtype=bool)
