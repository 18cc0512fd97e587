"""A log file or run folder as parsers see it: bytes, decoded text, and a cheap peek."""
from __future__ import annotations

import io
import os
import re
import stat
from functools import cached_property
from pathlib import Path
from typing import BinaryIO

from ..errors import LogReadError
from .gunzip import GZIP_MAGIC, Gunzipped, gunzip

HEAD_BYTES = 64 * 1024
SQLITE_MAGIC = b"SQLite format 3\x00"

__all__ = ["GZIP_MAGIC", "HEAD_BYTES", "Source", "decode", "open_regular", "special_kind"]


def _drop_nul_tail(data: bytes) -> bytes:
    """A machine that crashed while a text log was written leaves NUL bytes at its end: the
    log is what comes before them. (Text only: an event file may end in a 0 byte.)"""
    return data.rstrip(b"\x00") if data.endswith(b"\x00") else data


def is_sqlite(path: str | Path) -> bool:
    """A local SQLite database file (by its first bytes), such as MLflow's mlflow.db."""
    if not Path(path).is_file():    # a folder, a missing file, a named pipe (never opened)
        return False
    try:
        with open(path, "rb") as fh:
            return fh.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:         # a folder, a missing file: not a database
        return False


def special_kind(mode: int) -> str:
    """'a named pipe', 'a socket', ... for a file that is neither a regular file nor a folder."""
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    return "not a regular file"


def _refuse_special(mode: int, name: str) -> None:
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise LogReadError(f"{special_kind(mode)}, not a log file", name,
                           "lossdoctor reads regular files and folders only")


def open_regular(path: str | Path, name: str | None = None) -> BinaryIO:
    """Open a file for reading, never blocking: a FIFO or device is refused, not waited on."""
    name = name if name is not None else str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise LogReadError(f"cannot read: {exc.strerror or exc}", name) from None
    try:
        _refuse_special(os.fstat(fd).st_mode, name)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


class Source:
    """Lazy access to one path; every read error becomes a one-line LogReadError."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.name = str(path)
        #: things noticed while reading the bytes (a cut gzip stream): the parser's log gets them
        self.notes: list[str] = []
        try:
            mode = os.stat(self.path).st_mode
        except FileNotFoundError:
            raise LogReadError("no such file or folder", self.name) from None
        except OSError as exc:
            raise LogReadError(f"cannot read: {exc.strerror or exc}", self.name) from None
        _refuse_special(mode, self.name)
        self._is_dir = stat.S_ISDIR(mode)

    @property
    def is_dir(self) -> bool:
        return self._is_dir

    @cached_property
    def is_gzip(self) -> bool:
        return not self.is_dir and self._peek(2) == GZIP_MAGIC

    def _peek(self, n: int, from_end: bool = False) -> bytes:
        """The first ``n`` bytes (all: -1), or the last ``n`` when ``from_end``."""
        with open_regular(self.path, self.name) as fh:
            try:
                if from_end:
                    fh.seek(max(os.fstat(fh.fileno()).st_size - n, 0))
                return fh.read(n)
            except OSError as exc:
                raise LogReadError(f"cannot read: {exc.strerror or exc}", self.name) from None

    @cached_property
    def head(self) -> bytes:
        """The first bytes (decompressed when gzip): enough to sniff the format."""
        if self.is_dir:
            return b""
        if not self.is_gzip:
            return self._peek(HEAD_BYTES)
        if "_unzipped" in self.__dict__:
            return self._unzipped.data[:HEAD_BYTES]
        with open_regular(self.path, self.name) as fh:
            return gunzip(fh, self.name, stop_after=HEAD_BYTES).data[:HEAD_BYTES]

    @cached_property
    def head_text(self) -> str:
        return decode(self.head, self.name, partial=True)

    @cached_property
    def tail_text(self) -> str:
        """The whole lines of the last bytes of a plain file longer than its head: where a
        console log whose head is all preamble (a banner, samples, a model summary, one
        progress bar's updates) prints its losses. Empty for folders and gzip files."""
        if self.is_dir or self.is_gzip or len(self.head) < HEAD_BYTES:
            return ""      # a file no longer than its head has no more to show
        text = self._peek(HEAD_BYTES, from_end=True).decode("utf-8", errors="replace")
        return text.split("\n", 1)[1] if "\n" in text else ""

    @cached_property
    def _unzipped(self) -> Gunzipped:
        with open_regular(self.path, self.name) as fh:
            out = gunzip(fh, self.name)
        if out.problem:
            self.notes.append(out.problem)
        return out

    @property
    def gzip_cut(self) -> bool:
        """A gzip file whose stream stops early (still being written, or damaged)."""
        return self.is_gzip and bool(self._unzipped.problem)

    def raw(self) -> bytes:
        """The whole file, decompressed; a truncated gzip keeps what could be read."""
        if self.is_dir:
            raise LogReadError("is a folder, not a file", self.name)
        if self.is_gzip:
            return self._unzipped.data
        return self._peek(-1)

    @cached_property
    def text(self) -> str:
        return decode(self.raw(), self.name)

    def text_stream(self) -> io.StringIO:
        return io.StringIO(self.text)

    @property
    def plain_utf8(self) -> bool:
        """True when pandas may read the path directly (fast path for big files)."""
        return not self.is_gzip and self._utf8_head

    @property
    def _utf8_head(self) -> bool:
        head = self.head
        if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf", b"\x1b")):
            return False      # a BOM or a terminal's control sequence: decode first
        try:
            head[:-4].decode("utf-8")
        except UnicodeDecodeError:
            return False
        return b"\x00" not in head

    def utf8_input(self) -> Path | io.BytesIO | None:
        """What pandas may read as UTF-8 bytes without a decoded copy: the path of a plain
        file, or the decompressed bytes of a gzip one (a str in a StringIO holds up to 4
        bytes a character: a 1 GB gzip bomb of one line had taken 7 GB); None when the
        text must be decoded first (a BOM, UTF-16, NUL bytes)."""
        if not self._utf8_head:
            return None
        return io.BytesIO(self.raw()) if self.is_gzip else self.path


#: terminal control sequences opening a file: bash prints ``ESC[?1034h`` (meta key mode) as
#: a batch job's shell starts with TERM=xterm, glued to the job's first line of output
_LEADING_CSI = re.compile(r"^(?:\x1b\[[0-9;?]*[A-Za-z])+")


def decode(data: bytes, name: str, partial: bool = False) -> str:
    """Bytes to text: BOMs, UTF-32, UTF-16 and Latin-1 are honoured; binary data is refused;
    a terminal's control sequences before the first line are not the log's."""
    text = _decoded(data, name, partial)
    return _LEADING_CSI.sub("", text) if text.startswith("\x1b") else text


def _decoded(data: bytes, name: str, partial: bool) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return _drop_nul_tail(data[3:]).decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return _utf32(data, partial).lstrip("\ufeff")
    if len(data) >= 8 and data[1:4] == b"\x00\x00\x00" and data[0:1] != b"\x00" and \
            data[5:8] == b"\x00\x00\x00":
        return _utf32(data, partial, "utf-32-le")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace").lstrip("\ufeff")
    if len(data) >= 4 and data[1:4:2] == b"\x00\x00" and data[0:1] != b"\x00":
        return data.decode("utf-16-le", errors="replace")
    data = _drop_nul_tail(data)     # wide encodings end in NUL bytes by nature: not them
    if b"\x00" in data[:HEAD_BYTES] and _text_around_nuls(data[:HEAD_BYTES]):
        data = data.replace(b"\x00", b"")     # a crash left a run of NULs inside a text log
    if b"\x00" in data[:HEAD_BYTES]:
        raise LogReadError("binary data, not a text log", name,
                           "expected CSV, JSON or text; event files are read from their folder"
                           " or by name events.out.tfevents.*")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if partial and exc.start >= len(data) - 4:
            return data[: exc.start].decode("utf-8")
        return data.decode("latin-1")


def _text_around_nuls(head: bytes) -> bool:
    """The NUL bytes sit in text: once they are gone, nearly every byte is printable ASCII."""
    rest = head.replace(b"\x00", b"")
    if len(rest) < 16:
        return False
    printable = sum(1 for b in rest if 32 <= b < 127 or b in (9, 10, 13))
    return printable >= 0.98 * len(rest)


def _utf32(data: bytes, partial: bool, codec: str = "utf-32") -> str:
    if partial:         # the head may stop inside a character
        data = data[: len(data) - len(data) % 4]
    return data.decode(codec, errors="replace")
