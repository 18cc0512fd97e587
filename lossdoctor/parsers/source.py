"""A log file or run folder as parsers see it: bytes, decoded text, and a cheap peek."""
from __future__ import annotations

import gzip
import io
import zlib
from functools import cached_property
from pathlib import Path

from ..errors import LogReadError

HEAD_BYTES = 64 * 1024
GZIP_MAGIC = b"\x1f\x8b"


def _drop_nul_tail(data: bytes) -> bytes:
    """A machine that crashed while a text log was written leaves NUL bytes at its end: the
    log is what comes before them. (Text only: an event file may end in a 0 byte.)"""
    return data.rstrip(b"\x00") if data.endswith(b"\x00") else data


class Source:
    """Lazy access to one path; every read error becomes a one-line LogReadError."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.name = str(path)
        if not self.path.exists():
            raise LogReadError("no such file or folder", self.name)

    @property
    def is_dir(self) -> bool:
        return self.path.is_dir()

    @cached_property
    def is_gzip(self) -> bool:
        return not self.is_dir and self._peek(2) == GZIP_MAGIC

    def _peek(self, n: int) -> bytes:
        try:
            with open(self.path, "rb") as fh:
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
        try:
            with gzip.open(self.path, "rb") as fh:
                return fh.read(HEAD_BYTES)
        except EOFError:    # truncated gzip: sniff what does decompress, as raw() reads it
            try:
                return _gunzip(self._peek(-1), self.name)[:HEAD_BYTES]
            except LogReadError:
                return b""
        except (OSError, zlib.error):
            return b""

    @cached_property
    def head_text(self) -> str:
        return decode(self.head, self.name, partial=True)

    def raw(self) -> bytes:
        """The whole file, decompressed; a truncated gzip keeps what could be read."""
        if self.is_dir:
            raise LogReadError("is a folder, not a file", self.name)
        data = self._peek(-1)
        if data[:2] == GZIP_MAGIC:
            return _gunzip(data, self.name)
        return data

    @cached_property
    def text(self) -> str:
        return decode(self.raw(), self.name)

    def text_stream(self) -> io.StringIO:
        return io.StringIO(self.text)

    @property
    def plain_utf8(self) -> bool:
        """True when pandas may read the path directly (fast path for big files)."""
        head = self.head
        if self.is_gzip or head.startswith((b"\xff\xfe", b"\xfe\xff")):
            return False
        try:
            head[:-4].decode("utf-8")
        except UnicodeDecodeError:
            return False
        return b"\x00" not in head


def decode(data: bytes, name: str, partial: bool = False) -> str:
    """Bytes to text: BOMs, UTF-16 and Latin-1 are honoured; binary data is refused."""
    data = _drop_nul_tail(data)
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace").lstrip("\ufeff")
    if len(data) >= 4 and data[1:4:2] == b"\x00\x00" and data[0:1] != b"\x00":
        return data.decode("utf-16-le", errors="replace")
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


def _gunzip(data: bytes, name: str) -> bytes:
    out = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        return out.decompress(data)
    except zlib.error:
        raise LogReadError("corrupt gzip data", name) from None
