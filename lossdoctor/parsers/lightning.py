"""PyTorch Lightning's CSVLogger: a sparse ``metrics.csv`` in ``lightning_logs/version_N/``."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from ..errors import LogReadError
from ..frame import LossLog
from ..names import split_of
from .registry import ReadOptions, register
from .source import Source
from .table import Table, has_header, read_table, sniff_delimiter
from .tablecurves import table_to_log

FORMAT = "lightning-csv"
METRICS = "metrics.csv"
_VERSION = re.compile(r"^version_(\d+)$")
_MAX_DEPTH = 3      # lightning_logs/version_N/metrics.csv below the folder given


def sniff_lightning(source: Source) -> float:
    """A folder holding version_N/metrics.csv, or a CSV with step and epoch (or lr-*) columns."""
    try:
        if source.is_dir:
            return 0.95 if _versions(source.path) else 0.0
        return _sniff_file(source)
    except LogReadError:
        return 0.0


def _sniff_file(source: Source) -> float:
    lines = [ln for ln in source.head_text.splitlines()[:50] if ln.strip()]
    if len(lines) < 2 or lines[0].lstrip().startswith(("{", "[")):
        return 0.0
    delim = sniff_delimiter(lines)
    if delim != "," or not has_header(lines[0], delim):
        return 0.0
    header = [c.strip().strip('"') for c in lines[0].split(",")]
    if "step" not in header:
        return 0.0
    has_lr_monitor = any(c.startswith("lr-") for c in header)
    if "epoch" not in header and not has_lr_monitor:
        return 0.0
    sparse = any(",," in ln or ln.rstrip().endswith(",") for ln in lines[1:])
    named = source.path.name == METRICS
    return 0.95 if sparse or has_lr_monitor or named else 0.92


@register(FORMAT, priority=85, sniff=sniff_lightning,
          description="PyTorch Lightning CSVLogger metrics.csv (file, version_N or "
                      "lightning_logs folder)")
def read_lightning(source: Source, options: ReadOptions) -> LossLog:
    if not source.is_dir:
        return _read_metrics(source, options)
    found = _versions(source.path)
    if not found:
        raise LogReadError(f"no {METRICS} in this folder", source.name,
                           "expected a CSVLogger folder: lightning_logs/version_N/metrics.csv")
    notes: list[str] = []
    if len(found) > 1:
        notes.append(f"{len(found)} versions; reading {_label(found[0], source.path)} "
                     "(the latest)")
    errors = []
    for path in found:
        try:
            log = _read_metrics(Source(path), options)
        except LogReadError as exc:
            errors.append(f"{_label(path, source.path)}: {exc.message}")
            continue
        if errors:
            notes.append(f"skipped {'; '.join(errors)}")
        log.notes[:0] = notes
        return log
    raise LogReadError(f"no readable {METRICS}: {'; '.join(errors)}", source.name)


def _read_metrics(source: Source, options: ReadOptions) -> LossLog:
    table = read_table(source)
    if "step" not in table.values.columns:
        raise LogReadError("no 'step' column", source.name,
                           "a Lightning metrics.csv has epoch and step columns")
    steps, note = global_steps(table)
    log = table_to_log(table, source, options, FORMAT, axis=(steps, "step"))
    if note:
        log.notes.insert(1, note)
    return log


def global_steps(table: Table) -> tuple[np.ndarray, str]:
    """The step column, with rows whose 'step' is a validation batch index put back in place.

    Lightning writes metrics logged with ``on_step=True`` inside the validation loop on rows
    with an empty epoch and the validation batch counter as step. Those rows are moved to
    where they sit in the file, between the global steps of the rows around them.
    """
    steps = table.values["step"].to_numpy(dtype=float).copy()
    if "epoch" not in table.values.columns:
        return steps, ""
    has_epoch = ~table.missing_of("epoch")
    lr_cols = [c for c in table.values.columns if split_of(c) == "lr"]
    data_cols = [c for c in table.values.columns if c not in lr_cols + ["epoch", "step"]]
    if not has_epoch.any() or not data_cols:
        return steps, ""
    has_data = (~table.missing[data_cols]).to_numpy().any(axis=1)
    odd = ~has_epoch & has_data
    if not odd.any():
        return steps, ""
    anchors = np.flatnonzero(has_epoch & ~np.isnan(steps))
    if _consistent(steps, odd, anchors):
        return steps, ""
    rows = np.arange(len(steps), dtype=float)
    xs = np.concatenate(([-1.0], anchors.astype(float)))
    ys = np.concatenate(([0.0], steps[anchors]))
    steps[odd] = np.interp(rows[odd], xs, ys)
    return steps, (f"{int(odd.sum())} rows without an epoch count validation batches, not"
                   " global steps; placed between the rows around them")


def _consistent(steps: np.ndarray, odd: np.ndarray, anchors: np.ndarray) -> bool:
    """True when the epoch-less rows' steps fit the global steps of the rows before them."""
    if not len(anchors):
        return True
    last = np.maximum.accumulate(np.where(np.isin(np.arange(len(steps)), anchors),
                                          np.nan_to_num(steps, nan=-np.inf), -np.inf))
    return bool(np.all(steps[odd] >= last[odd]))


def _versions(folder: Path) -> list[Path]:
    """metrics.csv files of the CSVLogger versions under ``folder``, the latest first."""
    direct = folder / METRICS
    if direct.is_file():
        return [direct]
    found: list[Path] = []
    level = [folder]
    for _ in range(_MAX_DEPTH):
        nxt = [d for parent in level for d in _subdirs(parent)]
        found += [d / METRICS for d in nxt if _VERSION.match(d.name) and (d / METRICS).is_file()]
        if found:
            break
        level = nxt
    return sorted(found, key=_version_key, reverse=True)


def _subdirs(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:
        return []


def _version_key(path: Path) -> tuple[int, float]:
    m = _VERSION.match(path.parent.name)
    try:
        mtime = path.stat().st_mtime
    except OSError:
        mtime = 0.0
    return (int(m.group(1)) if m else -1, mtime)


def _label(path: Path, root: Path) -> str:
    try:
        return str(path.parent.relative_to(root)) or path.parent.name
    except ValueError:
        return path.parent.name
