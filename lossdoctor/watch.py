"""Following a log that a training run is still writing: re-diagnose it when it changes.

A file is re-read only when its size or modification time changed (a folder: any file in
it, so new event files count), and only up to its last complete line, so a row the trainer
is half-way through writing is never read as a broken one. A log that does not exist yet,
is too short to diagnose, or is a JSON document caught mid-rewrite is waited for.
"""
from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import EXIT_FINDINGS, EXIT_OK, LogReadError
from .records import Diagnosis
from .report import Report

if TYPE_CHECKING:
    from .config import Settings
    from .tailing import Tail

DEFAULT_INTERVAL = 2.0
_MAX_FILES = 2000            # files of a folder looked at for changes


@dataclass(frozen=True)
class Change:
    """A new verdict: when it was seen and the report that gave it."""

    time: datetime
    report: Report

    @property
    def verdict(self) -> str:
        return self.report.verdict


def signature(path: Path) -> tuple[Any, ...] | None:
    """What changes when the log grows or is rewritten; None while it does not exist."""
    try:
        if not path.is_dir():
            st = path.stat()
            return (st.st_size, st.st_mtime_ns)
        out = []
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                st = os.stat(os.path.join(root, name))
                out.append((root, name, st.st_size, st.st_mtime_ns))
                if len(out) >= _MAX_FILES:
                    return tuple(out)
        return tuple(out)
    except OSError:
        return None


def complete_part(path: Path, into: Path) -> Path:
    """A copy of a text log up to its last complete line (the same file name, in ``into``)."""
    from .tailing import complete_lines

    copy = into / path.name
    copy.write_bytes(complete_lines(path.read_bytes()))
    return copy


def read_once(path: Path, settings: Settings | Mapping[str, Any] | None = None) -> Report:
    """Diagnose the log as it is now (its complete lines); raises LogReadError when not ready.

    ``settings`` are merged settings, or keyword arguments of :func:`lossdoctor.diagnose`.
    """
    from .checking import diagnose_settled
    from .config import Settings, settle

    s = settings if isinstance(settings, Settings) else settle(**(settings or {}))
    if not path.is_dir():
        from .tailing import Tail

        with Tail(path, s) as tail:
            return tail.report()
    report = diagnose_settled(path, s)
    report.source = str(path)
    return report


def watch(log: str | Path, *, interval: float = DEFAULT_INTERVAL, idle: float | None = None,
          fail_on: Iterable[str] = (), on_change: Callable[[Change], None] | None = None,
          on_wait: Callable[[str], None] | None = None,
          on_fail: Callable[[Report, list[Diagnosis]], None] | None = None,
          sleep: Callable[[float], None] = time.sleep,
          clock: Callable[[], float] = time.monotonic, settings: Settings | None = None,
          **diagnose_options: Any) -> int:
    """Follow ``log`` until it stops changing for ``idle`` seconds (exit code 0) or a
    diagnosis named by ``fail_on`` (names, codes or severities) appears (exit code 1).

    ``on_change`` is called with every change of verdict, ``on_wait`` once per reason the
    log cannot be diagnosed yet, ``on_fail`` with the diagnoses that stop the watch.
    ``settings`` (or the keyword arguments of :func:`lossdoctor.diagnose`, config included)
    are merged once, at the start. ``sleep`` and ``clock`` can be replaced (tests drive a
    watch with a fake clock). Stop it from outside with KeyboardInterrupt.
    """
    from .config import settle
    from .tailing import Tail

    s = settings if settings is not None else settle(**diagnose_options)
    path = Path(log)
    with Tail(path, s) as tail:
        return _follow(path, tail, interval, idle, list(fail_on), on_change, on_wait, on_fail,
                       sleep, clock)


def _follow(path: Path, tail: Tail, interval: float, idle: float | None, fails: list[str],
            on_change: Callable[[Change], None] | None, on_wait: Callable[[str], None] | None,
            on_fail: Callable[[Report, list[Diagnosis]], None] | None,
            sleep: Callable[[float], None], clock: Callable[[], float]) -> int:
    """The watch loop: a look at the log every ``interval`` seconds (see :func:`watch`)."""
    seen: tuple[Any, ...] | None = None
    last_change = clock()
    verdict: str | None = None
    waited: set[str] = set()
    while True:
        sig = signature(path)
        if sig is not None and sig != seen:
            seen, last_change = sig, clock()
            try:
                # a file: only what was appended is parsed; a folder: read whole
                report = read_once(path, tail.settings) if path.is_dir() else tail.report()
            except LogReadError as exc:
                _tell_once(on_wait, waited, f"waiting: {exc.message}")
            else:
                if report.verdict != verdict:
                    verdict = report.verdict
                    if on_change is not None:
                        on_change(Change(datetime.now(), report))
                failing = report.failing(fails) if fails else []
                if failing:
                    if on_fail is not None:
                        on_fail(report, failing)
                    return EXIT_FINDINGS
        elif sig is None:
            _tell_once(on_wait, waited, "waiting: the log does not exist yet")
        if idle is not None and clock() - last_change >= idle:
            return EXIT_OK
        sleep(interval)


def _tell_once(on_wait: Callable[[str], None] | None, said: set[str], message: str) -> None:
    if on_wait is not None and message not in said:
        said.add(message)
        on_wait(message)
