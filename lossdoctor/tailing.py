"""Reading a growing log: only the complete lines appended since the last look are parsed.

A table log (CSV, TSV, Keras CSVLogger) whose rows carry their own step is read whole once;
after that each look parses the header plus the new complete lines and appends their values
to the curves read so far (buffers that grow by doubling, so appending costs what is new).
A file that shrank, was replaced, or whose header, last read bytes or a sample of bytes
across what was read changed (rewritten, as Lightning does), or whose new rows do not fit
the curves read so far, is read whole again. Other formats
are read whole at every look.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .frame import CurveArrays, LossLog

if TYPE_CHECKING:
    from .config import Settings
    from .parsers import ReadOptions
    from .report import Report

#: formats whose rows stand alone: the header plus any rows is a log of those rows
APPENDABLE = ("generic-csv", "keras-csvlogger")
#: bytes at the end of what was read that must be unchanged for the file to have only grown
GUARD = 64
#: how binary logs start (gzip, a W&B run file, a SQLite database such as mlflow.db)
BINARY = (b"\x1f\x8b", b":W&B", b"SQLite format 3\x00")
#: places across what was read whose bytes are compared at every look (a rewrite changes them)
SAMPLES = 16


def complete_lines(data: bytes) -> bytes:
    """A text log up to its last complete line (a row still being written is left out);
    gzip data, a W&B run file and a SQLite database (binary: no 'last complete line') as
    they are."""
    if data.startswith(BINARY) or data.endswith(b"\n"):
        return data
    return data[: data.rfind(b"\n") + 1]


class _Growing:
    """A float array that grows by doubling; ``view()`` is its filled part (no copy)."""

    def __init__(self, values: np.ndarray) -> None:
        self.data = np.array(values, dtype=float)
        self.n = len(self.data)

    def extend(self, values: np.ndarray) -> None:
        need = self.n + len(values)
        if need > len(self.data):
            bigger = np.empty(max(need, 2 * len(self.data)))
            bigger[:self.n] = self.data[:self.n]
            self.data = bigger
        self.data[self.n:need] = values
        self.n = need

    def view(self) -> np.ndarray:
        return self.data[:self.n]


class Tail:
    """One log followed by ``watch``: diagnose it as it is now, parsing only what is new.

    ``options`` replace the reading options the settings give (one file of a train/test
    pair is read with its own, see :func:`lossdoctor.parsers.pair_options`).
    """

    def __init__(self, path: str | Path, settings: Settings,
                 options: ReadOptions | None = None) -> None:
        self.path = Path(path)
        self.settings = settings
        self.options = options
        self._scratch: Path | None = None
        self.full_reads = 0              # how many times the whole file was parsed
        self._reset()

    def _reset(self) -> None:
        self.offset = 0                  # bytes read so far (complete lines only)
        self.header = b""
        self.guard = b""
        self.samples: list[tuple[int, bytes]] = []
        self.inode = 0
        self.format: str | None = None
        self.notes: list[str] = []
        self.curves: dict[tuple[str, str, str], tuple[_Growing, _Growing, _Growing | None]] = {}

    def close(self) -> None:
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def __enter__(self) -> Tail:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def report(self) -> Report:
        """The diagnosis of the log's complete lines; raises LogReadError when not ready."""
        from .checking import diagnose_parsed

        report = diagnose_parsed(self.current(), self.settings)
        report.source = str(self.path)
        return report

    def current(self) -> LossLog:
        """The log's complete lines as :func:`lossdoctor.parsers.load` would read them now
        (steps resolved), parsing only what is new; raises LogReadError when not ready."""
        from .parsers import resolve_steps

        log = self.appended() if self.format else None
        if log is None:
            log = self._full()
        return resolve_steps(log, self._options().segments)

    def appended(self) -> LossLog | None:
        """The log with the new complete lines added; None when it must be read whole."""
        try:
            st = os.stat(self.path)
            if st.st_size < self.offset or st.st_ino != self.inode:
                return None                              # truncated, or another file
            with open(self.path, "rb") as fh:
                if fh.read(len(self.header)) != self.header:
                    return None                          # rewritten from the start
                for at, seen in self.samples:
                    fh.seek(at)
                    if fh.read(len(seen)) != seen:
                        return None                      # rewritten in place
                fh.seek(self.offset - len(self.guard))
                if fh.read(len(self.guard)) != self.guard:
                    return None
                new = fh.read(st.st_size - self.offset)
        except OSError:
            return None
        whole = new[: new.rfind(b"\n") + 1]
        if whole and not self._add(whole):
            return None
        self.offset += len(whole)
        if whole:
            self.guard = (self.guard + whole)[-GUARD:]
        return self._log()

    def _add(self, rows: bytes) -> bool:
        """Parse header + rows and append their curves; False when they do not fit."""
        from .errors import LossdoctorError
        from .parsers import read_raw

        chunk_path = self._write(self.header + rows)
        try:
            chunk = read_raw(chunk_path, self.format, self._options())
        except LossdoctorError:
            return False
        if chunk.curves is None or chunk.format != self.format:
            return False
        added = [(c, self.curves.get((c[0], c[1], c[2]))) for c in chunk.curves]
        if any(have is None or (c[5] is None) != (have[2] is None) for c, have in added):
            return False                                 # a curve the log did not have
        for c, have in added:
            assert have is not None
            have[0].extend(np.asarray(c[3], float))
            have[1].extend(np.asarray(c[4], float))
            if have[2] is not None and c[5] is not None:
                have[2].extend(np.asarray(c[5], float))
        return True

    def _full(self) -> LossLog:
        """Read the complete lines of the whole file; set up appending when the format
        allows it."""
        from .errors import LogReadError
        from .parsers import read_raw

        self._reset()
        from .parsers.source import open_regular

        try:
            with open_regular(self.path) as fh:     # a named pipe is refused, never waited on
                data = fh.read()
        except OSError as exc:
            raise LogReadError(f"cannot read: {exc.strerror or exc}", str(self.path)) from None
        gz = data[:2] == b"\x1f\x8b"
        whole = complete_lines(data)
        log = read_raw(self._write(whole), self.settings.input_format, self._options())
        self.full_reads += 1
        first = whole[: whole.find(b"\n") + 1]
        if (not gz and log.format in APPENDABLE and log.curves is not None
                and any(n.startswith("x axis:") for n in log.notes)
                and first and not first.lstrip().startswith(b"#")):
            self.format, self.header, self.offset = log.format, first, len(whole)
            self.guard = whole[-GUARD:]
            self.inode = os.stat(self.path).st_ino
            self.samples = [(at, whole[at:at + GUARD]) for at in
                            np.linspace(0, max(len(whole) - GUARD, 0), SAMPLES).astype(int)]
            self.notes = list(log.notes)
            for run, split, metric, steps, values, wall in log.curves:
                self.curves[(run, split, metric)] = (
                    _Growing(steps), _Growing(values), None if wall is None else _Growing(wall))
        log.source = str(self.path)
        return log

    def _log(self) -> LossLog:
        curves: list[CurveArrays] = [
            (run, split, metric, s.view(), v.view(), None if w is None else w.view())
            for (run, split, metric), (s, v, w) in self.curves.items()]
        return LossLog(None, str(self.path), self.format or "", list(self.notes), curves=curves)

    def _options(self) -> ReadOptions:
        from .parsers import ReadOptions

        if self.options is not None:
            return self.options
        s = self.settings
        return ReadOptions(train_col=s.train_col, test_col=s.test_col,
                           segments=s.segments or "last", experiment=s.experiment, run=s.run)

    def _write(self, data: bytes) -> Path:
        """``data`` in a scratch file of the log's own name (formats know names)."""
        if self._scratch is None:
            self._scratch = Path(tempfile.mkdtemp(prefix="lossdoctor-watch-"))
        out = self._scratch / self.path.name
        out.write_bytes(data)
        return out
