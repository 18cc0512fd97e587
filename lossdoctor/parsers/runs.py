"""Folders and stores that hold several runs: read each, and skip (with a note) runs with no
loss; how an address names one run of a store."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from ..errors import ColumnError, LogReadError

Part = TypeVar("Part")      # a tidy frame, or a curve's arrays
RUN_MARK = "#run="          # store#run=ID: one run of a store (a sweep's unit)


def frames_per_run(runs: Sequence[str], build: Callable[[str], list[Part]],
                   notes: list[str], source: str) -> list[Part]:
    """``build(run)`` for every run; a run without loss columns is skipped unless it is the
    only one, and when every run is skipped the first run's error is raised."""
    frames: list[Part] = []
    errors: list[ColumnError] = []
    for run in runs:
        try:
            frames += build(run)
        except ColumnError as exc:
            if len(runs) == 1:
                raise
            errors.append(exc)
            notes.append(f"run {run or '(unnamed)'}: skipped ({exc.message})")
    if not frames:
        raise errors[0] if errors else LogReadError("no scalar values", source)
    return frames
