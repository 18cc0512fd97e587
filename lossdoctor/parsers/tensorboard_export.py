"""TensorBoard's scalar downloads: ``Wall time,Step,Value`` CSV and ``[[wall, step, value]]`` JSON.

One file holds one tag; its split comes from its name (``run-.-tag-val_loss.csv`` is a test
curve). A folder of such files is one or more runs whose train and test curves are paired
by their tag names; ``load_pair`` pairs two files given by the user.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..columns import choose_columns, one_series_split
from ..errors import LogReadError
from ..frame import LossLog, concat_frames, make_frame, validate_frame
from .jsontable import head_json_text, json_head, load_json, to_number
from .registry import ReadOptions, register
from .runs import frames_per_run
from .source import Source
from .table import read_table
from .tablecurves import split_from_name
from .tfevents import SPLIT_FOLDERS, Curve, combine

CSV_HEADER = ["wall time", "step", "value"]
_JSON_ROW = re.compile(r"^\[\s*\[\s*[-+0-9.eE]+\s*,\s*-?\d+(?:\.0*)?\s*,\s*"
                       r"(?:[-+0-9.eE]+|\"[-+A-Za-z]+\"|NaN|-?Infinity|null)\s*\]")
_EXPORT_NAME = re.compile(r"(?:^|_)run[-_](?P<run>.*?)-tag-(?P<tag>.+)$")
_SPLIT_SUFFIX = re.compile(r"^(?P<run>.*?)[-_/.]?(?P<split>[A-Za-z]+)$")


@dataclass
class Export:
    """One exported tag: where it came from and its points."""

    path: Path
    run: str                      # the run it belongs to ('' for the folder's only run)
    label: str                    # the name given to choose_columns (split folder + tag)
    step: np.ndarray
    value: np.ndarray
    wall: np.ndarray


def _is_csv_export(source: Source) -> bool:
    if source.is_dir or source.is_gzip:
        return False
    text = head_json_text(source)
    first = text.splitlines()[0] if text else ""
    return [c.strip().strip('"').lower() for c in first.split(",")] == CSV_HEADER


def _is_json_export(source: Source) -> bool:
    return not source.is_dir and bool(_JSON_ROW.match(json_head(source)))


def sniff_csv(source: Source) -> float:
    """A ``Wall time,Step,Value`` header, or a folder of such files."""
    if source.is_dir:
        csv, js = _count_exports(source.path)
        return 0.9 if csv and csv >= js else 0.0
    return 0.95 if _is_csv_export(source) else 0.0


def sniff_json(source: Source) -> float:
    """A JSON array of ``[wall_time, step, value]`` triples, or a folder of them."""
    if source.is_dir:
        csv, js = _count_exports(source.path)
        return 0.9 if js > csv else 0.0
    return 0.95 if _is_json_export(source) else 0.0


@register("tensorboard-csv", priority=80, sniff=sniff_csv,
          description="TensorBoard scalar download as CSV (Wall time,Step,Value), one tag per"
                      " file, or a folder of them")
def read_csv_export(source: Source, options: ReadOptions) -> LossLog:
    if source.is_dir:
        return _read_folder(source, options, "tensorboard-csv")
    return _single(source, _csv_points(source), "tensorboard-csv", options)


@register("tensorboard-json", priority=79, sniff=sniff_json,
          description="TensorBoard scalar download as JSON ([[wall_time, step, value], ...]),"
                      " one tag per file, or a folder of them")
def read_json_export(source: Source, options: ReadOptions) -> LossLog:
    if source.is_dir:
        return _read_folder(source, options, "tensorboard-json")
    return _single(source, _json_points(source), "tensorboard-json", options)


def _single(source: Source, points: tuple[np.ndarray, ...], fmt: str,
            options: ReadOptions) -> LossLog:
    step, value, wall = points
    tag = export_tag(source.path)
    split = one_series_split(source.path, tag, options.train_col, options.test_col,
                             split_from_name(source.path.name))
    frame = make_frame("", split, step, value, wall, metric=tag)
    note = f"one curve: {split} loss ({tag}), split from the file name"
    return LossLog(validate_frame(frame, source.name), source.name, fmt, [note])


def export_tag(path: Path) -> str:
    """The tag of an exported file: ``run-.-tag-val_loss.csv`` -> ``val_loss``."""
    stem = re.sub(r"\.(csv|json)$", "", path.name, flags=re.I)
    m = _EXPORT_NAME.search(stem)
    return m.group("tag") if m else stem


def _csv_points(source: Source) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    table = read_table(source)
    cols = {c.strip().lower(): c for c in table.values.columns}
    if [c for c in CSV_HEADER if c not in cols]:
        raise LogReadError("not a TensorBoard CSV export", source.name,
                           "expected the header Wall time,Step,Value")
    value_col = cols["value"]
    bad = table.garbage.get(value_col, 0)
    if bad:
        raise LogReadError(f"{bad} Value cell(s) are not numbers", source.name)
    step = table.values[cols["step"]].to_numpy(float)
    keep = ~table.missing_of(value_col) & ~np.isnan(step)
    if not keep.any():
        raise LogReadError("no values (the export has a header and no rows)", source.name)
    return (step[keep], table.values[value_col].to_numpy(float)[keep],
            table.values[cols["wall time"]].to_numpy(float)[keep])


def _json_points(source: Source) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    data = load_json(source)
    if not isinstance(data, list) or not data:
        raise LogReadError("not a TensorBoard JSON export", source.name,
                           "expected [[wall_time, step, value], ...]")
    rows = np.full((len(data), 3), np.nan)
    for i, row in enumerate(data):
        if not isinstance(row, list) or len(row) != 3:
            raise LogReadError(f"row {i + 1} is not [wall_time, step, value]", source.name)
        rows[i] = [_cell(row[0]), _cell(row[1]), _value(row[2], i, source)]
    keep = ~np.isnan(rows[:, 1])
    if not keep.any():
        raise LogReadError("no rows with a step", source.name)
    return rows[keep, 1], rows[keep, 2], rows[keep, 0]


def _cell(cell: Any) -> float:
    number = to_number(cell)
    return np.nan if number is None else number


def _value(cell: Any, i: int, source: Source) -> float:
    """A value cell: a number, or "NaN"/"Infinity"; null is a value that was not finite."""
    number = to_number(cell)
    if number is None and cell is not None:
        raise LogReadError(f"row {i + 1}: value {str(cell)[:20]!r} is not a number",
                           source.name)
    return np.nan if number is None else number


# ---------------------------------------------------------------- folders

def _export_files(folder: Path) -> list[tuple[Path, str]]:
    """(path, 'csv' or 'json') of the export files directly in ``folder``."""
    out: list[tuple[Path, str]] = []
    try:
        paths = sorted(p for p in folder.iterdir() if p.is_file())
    except OSError:
        return out
    for path in paths:
        if path.suffix.lower() not in (".csv", ".json"):
            continue
        try:
            src = Source(path)
            if _is_csv_export(src):
                out.append((path, "csv"))
            elif _is_json_export(src):
                out.append((path, "json"))
        except LogReadError:
            continue
    return out


def _count_exports(folder: Path) -> tuple[int, int]:
    kinds = [k for _, k in _export_files(folder)]
    return kinds.count("csv"), kinds.count("json")


def _read_folder(source: Source, options: ReadOptions, fmt: str) -> LossLog:
    files = _export_files(source.path)
    if not files:
        raise LogReadError("no TensorBoard exports (Wall time,Step,Value CSV or"
                           " [[wall_time, step, value]] JSON) in this folder", source.name)
    exports, notes = [], []
    for path, kind in files:
        try:
            exports.append(_export(path, kind))
        except LogReadError as exc:    # one broken download does not spoil the others
            if len(files) == 1:
                raise
            notes.append(f"{path.name}: skipped ({exc.message})")
    if not exports:
        raise LogReadError("no readable TensorBoard export in this folder", source.name)
    runs = list(dict.fromkeys(e.run for e in exports))
    frames = frames_per_run(runs, lambda run: _run_frames(
        run if len(runs) > 1 else "", _unique_labels([e for e in exports if e.run == run]),
        options, source, notes), notes, source.name)
    return LossLog(validate_frame(concat_frames(frames), source.name), source.name, fmt, notes)


def _export(path: Path, kind: str) -> Export:
    src = Source(path)
    step, value, wall = _csv_points(src) if kind == "csv" else _json_points(src)
    stem = re.sub(r"\.(csv|json)$", "", path.name, flags=re.I)
    m = _EXPORT_NAME.search(stem)
    if not m:
        return Export(path, "", stem, step, value, wall)
    run, tag = m.group("run"), m.group("tag")
    split_run = _SPLIT_SUFFIX.match(run)
    if split_run and _split_word(split_run.group("split")):
        # Keras' train/ and validation/ folders: the run's last word is the split
        return Export(path, split_run.group("run"), f"{split_run.group('split')}/{tag}",
                      step, value, wall)
    return Export(path, run, tag, step, value, wall)


def _split_word(word: str) -> bool:
    return word.lower() in SPLIT_FOLDERS


def _unique_labels(exports: list[Export]) -> list[Export]:
    """Two files with the same label in one run: name both by their file stem instead."""
    labels = [e.label for e in exports]
    for e in exports:
        if labels.count(e.label) > 1:
            e.label = re.sub(r"\.(csv|json)$", "", e.path.name, flags=re.I)
    return exports


def _run_frames(run: str, exports: list[Export], options: ReadOptions, source: Source,
                notes: list[str]) -> list:
    by_label = {e.label: e for e in exports}
    names = list(by_label)
    choice = choose_columns(names, _option(options.train_col, names),
                            _option(options.test_col, names), source.name)
    prefix = f"run {run}: " if run else ""
    notes += [prefix + n for n in choice.notes]
    frames = []
    for split, labels in (("train", choice.train), ("test", choice.test), ("lr", choice.lr)):
        if not labels:
            continue
        mine = [by_label[label] for label in labels]
        curve = combine([Curve(e.step, e.value, e.wall) for e in mine], labels, prefix, notes,
                        source.name)
        frames.append(make_frame(run, split, curve.step, curve.value, curve.wall,
                                 metric="+".join(labels)))
        notes.append(f"{prefix}{split}: {', '.join(e.path.name for e in mine)}")
    return frames


def _option(wanted: str | None, names: list[str]) -> str | None:
    """A user's tag or file name matched to a label."""
    if wanted is None or wanted in names:
        return wanted
    inside = [n for n in names if n.endswith("/" + wanted) or n == export_tag(Path(wanted))]
    return inside[0] if len(inside) == 1 else wanted
