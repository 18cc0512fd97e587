"""Following a log that a training run is still writing: re-diagnose it when it changes.

A file is re-read only when its size or modification time changed (a folder: any file in
it, so new event files count), and only up to its last complete line, so a row the trainer
is half-way through writing is never read as a broken one. A log that does not exist yet,
is too short to diagnose, or is a JSON document caught mid-rewrite is waited for;
one that shrank, was replaced or deleted is said so and followed again.

A train/test pair of files is looked at as one log: a change of either re-diagnoses the
pair as ``check --train --test`` would, each file read as a single file is.

A remote log (``s3://``, ``https://``, ...) is looked at where it lives: when the size, time
or ETag its storage tells change, a fresh copy is read whole, up to its last complete line.
"""
from __future__ import annotations

import os
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import EXIT_FINDINGS, EXIT_OK, LogReadError, UsageError
from .parsers.source import open_regular, special_kind
from .records import Diagnosis
from .report import Report

if TYPE_CHECKING:
    from .config import Settings
    from .pairtail import PairTail
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
    """What changes when the log grows or is rewritten; None while it does not exist.

    A file's is ``(size, mtime, inode)``; a folder's lists its files.
    """
    try:
        if not path.is_dir():
            st = path.stat()
            return (st.st_size, st.st_mtime_ns, st.st_ino)
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

    with open_regular(path) as fh:      # a named pipe is refused, never waited on
        data = fh.read()
    copy = into / path.name
    copy.write_bytes(complete_lines(data))
    return copy


def read_once(path: Path, settings: Settings | Mapping[str, Any] | None = None) -> Report:
    """Diagnose the log as it is now (its complete lines); raises LogReadError when not ready.

    ``settings`` are merged settings, or keyword arguments of :func:`lossdoctor.diagnose`.
    """
    from .api import diagnose_with
    from .config import Settings, settle

    s = settings if isinstance(settings, Settings) else settle(**(settings or {}))
    if not path.is_dir():
        from .tailing import Tail

        with Tail(path, s) as tail:
            return tail.report()
    report = diagnose_with(path, s)
    report.source = str(path)
    return report


def check_watchable(path: Path) -> None:
    """A named pipe or device can never be followed: refuse it at once (exit 2)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return          # not there yet: waited for
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise LogReadError(f"{special_kind(mode)}, not a log file", str(path),
                           "lossdoctor watches regular files and folders only")


def last_step(report: Report) -> float | None:
    """The last step the report's main run has a loss at."""
    try:
        steps = [c.summary.last_step for c in report.main.context.curves()]
    except (AttributeError, IndexError, ValueError):
        return None
    steps = [s for s in steps if s is not None]
    return max(steps) if steps else None


def _moved(old: tuple[Any, ...] | None, new: tuple[Any, ...] | None, is_dir: bool) -> str:
    """'truncated' / 'replaced' when a file shrank or is another file now, else ''."""
    if is_dir or old is None or new is None or len(old) != 3 or len(new) != 3:
        return ""
    if new[2] != old[2]:
        return "replaced"
    return "truncated" if new[0] < old[0] else ""


def read_remote(url: str, settings: Settings | Mapping[str, Any] | None = None) -> Report:
    """Diagnose a remote log as it is now: a fresh copy, read up to its last complete line."""
    from .sources.remote import fetch

    scratch = Path(tempfile.mkdtemp(prefix="lossdoctor-watch-"))
    try:
        report = read_once(fetch(url, scratch), settings)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    report.source = url
    return report


def remote_signature(url: str) -> tuple[Any, ...] | None:
    """Size, time and ETag of a remote log, as its storage tells them; None while missing."""
    from .sources.remote import info

    try:
        return info(url)
    except LogReadError:
        return None


class _Local:
    """A local file or folder: looked at by its signature, a file read through Tail."""

    def __init__(self, path: Path, tail: Tail) -> None:
        self.path, self.tail = path, tail

    def look(self) -> tuple[Any, ...] | None:
        return signature(self.path)

    def check(self) -> None:
        check_watchable(self.path)

    def moved(self, old: tuple[Any, ...] | None, new: tuple[Any, ...] | None) -> str:
        return _moved(old, new, self.path.is_dir())

    def read(self) -> Report:
        # a file: only what was appended is parsed; a folder: read whole
        if self.path.is_dir():
            return read_once(self.path, self.tail.settings)
        return self.tail.report()


class _Remote:
    """A remote log: looked at by what its storage tells, read whole from a fresh copy."""

    def __init__(self, url: str, settings: Settings) -> None:
        self.url, self.settings = url, settings

    def look(self) -> tuple[Any, ...] | None:
        return remote_signature(self.url)

    def check(self) -> None:
        return None

    def moved(self, old: tuple[Any, ...] | None, new: tuple[Any, ...] | None) -> str:
        return ""           # an ETag changes at every write: not a sign of a replaced log

    def read(self) -> Report:
        return read_remote(self.url, self.settings)


class _Pair:
    """A train/test pair of local files: looked at together (missing while either is), each
    file read through its own Tail."""

    def __init__(self, pair: PairTail) -> None:
        self.pair = pair
        self.paths = (pair.train.path, pair.test.path)

    def look(self) -> tuple[Any, ...] | None:
        both = tuple(signature(p) for p in self.paths)
        return None if None in both else both

    def check(self) -> None:
        for path in self.paths:
            check_watchable(path)

    def moved(self, old: tuple[Any, ...] | None, new: tuple[Any, ...] | None) -> str:
        if old is None or new is None:
            return ""
        said = [(path.name, _moved(was, now, False))
                for path, was, now in zip(self.paths, old, new, strict=True)]
        return ", ".join(f"{what} ({name})" for name, what in said if what)

    def read(self) -> Report:
        return self.pair.report()


def pair_files(train: str | Path | None, test: str | Path | None
               ) -> tuple[str | Path, str | Path]:
    """The two local files of a watched pair; both are needed (each file alone is
    ``watch FILE``), and a folder or an address is refused: only a file can be tailed."""
    from .sources import claims

    if train is None or test is None:
        raise UsageError("train= and test= are watched together: give both",
                         str(train or test), "watch a single file as the log")
    for given in (train, test):
        if claims(given) or Path(given).is_dir():
            raise UsageError("a train/test pair is watched as two local files", str(given),
                             "watch a folder or an address as the log")
        check_watchable(Path(given))
    return train, test


def watch(log: str | Path | None = None, *, train: str | Path | None = None,
          test: str | Path | None = None, interval: float = DEFAULT_INTERVAL,
          idle: float | None = None, fail_on: Iterable[str] = (),
          on_change: Callable[[Change], None] | None = None,
          on_wait: Callable[[str], None] | None = None,
          on_fail: Callable[[Report, list[Diagnosis]], None] | None = None,
          sleep: Callable[[float], None] = time.sleep,
          clock: Callable[[], float] = time.monotonic, settings: Settings | None = None,
          **diagnose_options: Any) -> int:
    """Follow ``log`` until it stops changing for ``idle`` seconds (exit code 0) or a
    diagnosis named by ``fail_on`` (names, codes or severities) appears (exit code 1).

    Instead of ``log``, ``train`` and ``test`` files are followed as the pair ``diagnose``
    reads: a change of either re-diagnoses both (what neither file appended is not parsed).

    ``on_change`` is called with every change of verdict, ``on_wait`` once per reason the
    log cannot be diagnosed yet and whenever the log shrank, was replaced or deleted,
    ``on_fail`` with the diagnoses that stop the watch.
    ``settings`` (or the keyword arguments of :func:`lossdoctor.diagnose`, config included)
    are merged once, at the start. ``sleep`` and ``clock`` can be replaced (tests drive a
    watch with a fake clock). Stop it from outside with KeyboardInterrupt. A named pipe or
    device raises LogReadError at once; a log with a pair, or neither, raises UsageError.
    """
    from .checking import check_given
    from .config import settle
    from .pairtail import PairTail
    from .sources import check_selection, claims, scheme
    from .tailing import Tail

    check_given(log, train, test)
    s = settings if settings is not None else settle(**diagnose_options)
    args = (interval, idle, list(fail_on), on_change, on_wait, on_fail, sleep, clock)
    if log is None:
        with PairTail(*pair_files(train, test), s) as pair:
            return _follow(_Pair(pair), *args)
    if scheme(log) == "sqlite":                 # sqlite:///mlflow.db: the file itself
        from .parsers.mlflow_sqlite import path_of

        log = path_of(str(log))
    elif scheme(log) in ("mlflow+http", "mlflow+https"):
        raise UsageError("watch follows files, folders and remote storage, not a tracking "
                         "server", str(log), "lossdoctor check --tracking-uri reads a server")
    elif isinstance(log, str) and claims(log):     # s3://, https://, ...: polled where it is
        return _follow(_Remote(log, s), *args)
    path = Path(log)
    check_watchable(path)
    if path.exists():               # a log yet to be written is waited for
        check_selection(path, s.experiment, s.run)
    with Tail(path, s) as tail:
        return _follow(_Local(path, tail), *args)


def _follow(target: _Local | _Remote | _Pair, interval: float, idle: float | None,
            fails: list[str], on_change: Callable[[Change], None] | None,
            on_wait: Callable[[str], None] | None,
            on_fail: Callable[[Report, list[Diagnosis]], None] | None,
            sleep: Callable[[float], None], clock: Callable[[], float]) -> int:
    """The watch loop: a look at the log every ``interval`` seconds, a read when it changed
    (see :func:`watch`)."""
    seen: tuple[Any, ...] | None = None
    last_change = clock()
    verdict: str | None = None
    waited: set[str] = set()
    step: float | None = None
    existed = False
    while True:
        sig = target.look()
        if sig is not None and sig != seen:
            target.check()
            moved = target.moved(seen, sig)
            if moved or (existed and seen is None):
                at = f" at step {step:g}" if step is not None else ""
                what = "replaced" if not moved else moved
                _tell(on_wait, f"the log was {what}{at}: following the new content")
                waited.clear()
            seen, last_change, existed = sig, clock(), True
            try:
                report = target.read()
            except LogReadError as exc:
                _tell_once(on_wait, waited, f"waiting: {exc.message}")
            else:
                step = last_step(report)
                if report.verdict != verdict:
                    verdict = report.verdict
                    if on_change is not None:
                        on_change(Change(datetime.now(), report))
                failing = report.failing(fails) if fails else []
                if failing:
                    if on_fail is not None:
                        on_fail(report, failing)
                    return EXIT_FINDINGS
        elif sig is None and existed and seen is not None:
            at = f" (last seen at step {step:g})" if step is not None else ""
            _tell(on_wait, f"the log was deleted{at}: waiting for it to come back")
            seen = None
        elif sig is None and not existed:
            _tell_once(on_wait, waited, "waiting: the log does not exist yet")
        if idle is not None and clock() - last_change >= idle:
            return EXIT_OK
        sleep(interval)


def _tell(on_wait: Callable[[str], None] | None, message: str) -> None:
    if on_wait is not None:
        on_wait(message)


def _tell_once(on_wait: Callable[[str], None] | None, said: set[str], message: str) -> None:
    if on_wait is not None and message not in said:
        said.add(message)
        on_wait(message)
