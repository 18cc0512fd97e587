"""W&B offline and unsynced runs: the history in ``run-<id>.wandb``, read without W&B or a network.

Accepts the ``.wandb`` file, its run folder (``offline-run-*``, ``run-*``) or a ``wandb/``
folder of runs (each a run of the frame; ``lossdoctor check wandb/`` lists them one per row).
"""
from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..columns import choose_columns
from ..errors import ColumnError, LogReadError, UsageError
from ..frame import LossLog, concat_frames, make_frame, validate_frame
from .mlflow import Metric, combine_metrics
from .registry import ReadOptions, register
from .runs import frames_per_run
from .source import Source, open_regular
from .wandb_records import MAGIC, R_HISTORY, history_row, records, run_info

if TYPE_CHECKING:
    import pandas as pd

FORMAT = "wandb-offline"
SUFFIX = ".wandb"
WANDB_FOLDER = "wandb"
#: W&B's own columns: the step counter, seconds since start, the wall clock
OWN_KEYS = ("_step", "_runtime", "_timestamp")
INFO_BYTES = 256 * 1024     # the run record sits near the start of the file


@dataclass(frozen=True)
class WandbRun:
    """One run of a ``wandb/`` folder: its file, id and display name."""

    file: Path
    id: str
    name: str

    @property
    def label(self) -> str:
        return f"{self.name} ({self.id})" if self.name and self.name != self.id else self.id


def run_file(folder: Path) -> Path | None:
    """The ``run-<id>.wandb`` file of a run folder (the newest when a run was resumed)."""
    try:
        found = [folder / n for n in os.listdir(folder) if n.endswith(SUFFIX)
                 and (folder / n).is_file()]
    except OSError:
        return None
    return max(found, key=lambda p: p.stat().st_mtime) if found else None


def wandb_runs(folder: Path) -> list[WandbRun]:
    """The runs of a ``wandb/`` folder, each once (``latest-run`` is a link to one of them)."""
    out, seen = [], set()
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    for name in names:
        sub = folder / name
        if name.startswith(".") or not sub.is_dir():
            continue
        file = run_file(sub)
        real = os.path.realpath(sub)
        if file is None or real in seen or (sub.is_symlink() and name == "latest-run"
                                            and any(os.path.realpath(folder / n) == real
                                                    for n in names if n != name)):
            continue
        seen.add(real)
        info = _info(file)
        out.append(WandbRun(file, info.get("id") or file.stem.removeprefix("run-"),
                            info.get("name", "")))
    return out


def _info(file: Path) -> dict[str, str]:
    try:
        with open_regular(file) as fh:
            head = fh.read(INFO_BYTES)
        found, _ = records(head)
        return next((run_info(v) for num, v in found if num != R_HISTORY), {})
    except (OSError, ValueError, IndexError, LogReadError):
        return {}


def select_runs(runs: list[WandbRun], wanted: str | None, where: str) -> list[WandbRun]:
    """The runs named by ``--run`` (an id, a display name or a folder name), or all."""
    if wanted is None:
        return runs
    picked = [r for r in runs if wanted in (r.id, r.name, r.file.parent.name)]
    if not picked:
        shown = ", ".join(r.label for r in runs[:8]) or "none"
        raise UsageError(f"no W&B run {wanted!r} here", where, f"runs: {shown}")
    return picked


def sniff_wandb_offline(source: Source) -> float:
    """The ``:W&B`` header of a run file; a folder holding such a file, or folders of runs
    (``wandb/``)."""
    if not source.is_dir:
        return 1.0 if source.head.startswith(MAGIC) else 0.0
    if run_file(source.path) is not None:
        return 0.95
    return 0.9 if wandb_runs(source.path) else 0.0


def is_run_folder(folder: Path) -> bool:
    """A run folder (``run-<id>.wandb`` in it) or a ``wandb/`` folder of runs: one unit of a
    sweep (W&B's debug logs and its latest-run link are not runs)."""
    if run_file(folder) is not None:
        return True
    return folder.name == WANDB_FOLDER and bool(wandb_runs(folder))


@register(FORMAT, priority=98, sniff=sniff_wandb_offline, folder=is_run_folder,
          description="W&B offline/local run: run-<id>.wandb, its run folder, or a wandb/ "
                      "folder of runs")
def read_wandb_offline(source: Source, options: ReadOptions) -> LossLog:
    if not source.is_dir:
        return _one_run(source.path, source.name, options)
    file = run_file(source.path)
    if file is not None:
        return _one_run(file, source.name, options)
    runs = select_runs(wandb_runs(source.path), options.run, source.name)
    if not runs:
        raise LogReadError("no W&B run here (no run-*.wandb file)", source.name)
    if len(runs) == 1:
        log = _one_run(runs[0].file, source.name, options)
        log.notes.insert(0, f"run {runs[0].label}")
        return log
    notes: list[str] = []
    by_label = {r.label: r for r in runs}

    def build(label: str) -> list[pd.DataFrame]:
        log = _one_run(by_label[label].file, source.name, options)
        return [log.frame.assign(run=label)]
    frames = frames_per_run(list(by_label), build, notes, source.name)
    return LossLog(validate_frame(concat_frames(frames), source.name), source.name, FORMAT,
                   notes)


def _one_run(file: Path, name: str, options: ReadOptions) -> LossLog:
    try:
        with open_regular(file) as fh:      # a named pipe is refused, never waited on
            data = fh.read()
    except OSError as exc:
        raise LogReadError(f"cannot read: {exc.strerror or exc}", str(file)) from None
    if not data.startswith(MAGIC):
        raise LogReadError("not a W&B run file (no :W&B header)", str(file))
    metrics, notes = _history(data, name)
    if not metrics:
        raise ColumnError("the W&B run has no numeric history", name,
                          "was anything logged with wandb.log?")
    choice = choose_columns(list(metrics), options.train_col, options.test_col, name,
                            counts={k: len(m.values) for k, m in metrics.items()})
    notes += choice.notes
    frames = []
    for split, keys in (("train", choice.train), ("test", choice.test), ("lr", choice.lr)):
        if keys:
            part = combine_metrics([metrics[k] for k in keys])
            frames.append(make_frame("", split, part["step"], part["value"],
                                     part["wall_time"], metric="+".join(keys)))
    frame = concat_frames(frames)
    return LossLog(validate_frame(frame, name), name, FORMAT, notes)


def _history(data: bytes, name: str) -> tuple[dict[str, Metric], list[str]]:
    """key -> Metric from the history rows; steps from the row, else ``_step``, else order."""
    cols: dict[str, tuple[list[float], list[float], list[float]]] = {}
    found, lost = records(data)
    count = bad = 0
    for num, payload in found:
        if num != R_HISTORY:
            continue
        try:
            row = history_row(payload)
        except (ValueError, IndexError, struct.error):
            bad += 1
            continue
        step = row.step if row.step is not None else row.values.get("_step", float(count))
        wall = row.values.get("_timestamp", np.nan)
        count += 1
        for key, value in row.values.items():
            if key in OWN_KEYS:
                continue
            steps, values, walls = cols.setdefault(key, ([], [], []))
            steps.append(float(step))
            values.append(value)
            walls.append(wall)
    notes = [f"{count} history rows read; {'; '.join(lost)}"] if lost else []
    if bad:
        notes.append(f"{bad} history row(s) that could not be decoded skipped")
    metrics = {k: Metric(np.array(s), np.array(v), np.array(w), 0, False)
               for k, (s, v, w) in cols.items()}
    return metrics, notes
