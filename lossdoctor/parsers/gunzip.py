"""Streamed, bounded gzip decompression: every member, blank lines dropped, a size limit.

A small file may expand a thousandfold (a "gzip bomb", or just a log of empty lines), so the
data is decompressed a chunk at a time: runs of blank lines are kept as one newline (a log
of newlines is a log of nothing and takes no memory), and when the decompressed size passes
the limit (``LOSSDOCTOR_MAX_DECOMPRESSED``, default 1G) the file is refused. Concatenated
members (``gzip >>``, log rotation) are all read.
"""
from __future__ import annotations

import os
import re
import zlib
from dataclasses import dataclass
from typing import BinaryIO

from ..errors import LogReadError

GZIP_MAGIC = b"\x1f\x8b"
LIMIT_VARIABLE = "LOSSDOCTOR_MAX_DECOMPRESSED"
DEFAULT_LIMIT = 1 << 30
_CHUNK = 1 << 20
#: a peek at the head decompresses at most this many times the bytes it wants
PEEK_DEPTH = 1024
_BLANK_LINES = re.compile(rb"\n[ \t\r\n]*\n")   # one class: no backtracking stack
_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}


@dataclass
class Gunzipped:
    """The decompressed bytes (blank lines squeezed) and what went wrong, if anything."""

    data: bytes
    expanded: int            # bytes the stream expanded to, blank lines included
    problem: str = ""        # a cut or damaged stream: read up to there


def expansion_limit() -> int:
    """Most bytes a gzip file may expand to; 0 means no limit."""
    text = os.environ.get(LIMIT_VARIABLE, "").strip().lower()
    if not text:
        return DEFAULT_LIMIT
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?", text)
    if not m:
        raise LogReadError(f"{LIMIT_VARIABLE}={text!r} is not a size", None,
                           "write bytes or a size like 500M, 4G; 0 for no limit")
    return int(float(m.group(1)) * _UNITS[m.group(2)])


def _size(n: int) -> str:
    for unit, scale in (("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.3g}{unit}"
    return f"{n} bytes"


def _squeeze(chunk: bytes, last: bytes) -> bytes:
    """Drop blank lines; ``last`` is the byte before this chunk (a newline joins across)."""
    if not chunk.strip():
        return b"" if last in (b"\n", b"") and b"\n" in chunk else \
            (b"\n" if b"\n" in chunk else chunk[:1])
    out = _BLANK_LINES.sub(b"\n", chunk)
    if last == b"\n":
        out = out.lstrip(b"\r\n") if out[:1] in (b"\r", b"\n") else out
    return out


def gunzip(fh: BinaryIO, name: str, stop_after: int | None = None) -> Gunzipped:
    """Decompress every gzip member of ``fh``; ``stop_after`` bytes of output are enough for
    a peek. A corrupt start raises; a stream cut or damaged later keeps what came before."""
    limit = expansion_limit()
    parts: list[bytes] = []
    kept = expanded = 0
    last = b""
    stream = zlib.decompressobj(16 + zlib.MAX_WBITS)
    pending = b""
    compressed = 0
    problem = ""
    while True:
        if not pending:
            pending = fh.read(_CHUNK)
            compressed += len(pending)
            if not pending:
                if not stream.eof and expanded:
                    problem = "the gzip stream is cut off (file still being written?): the" \
                              " last line may be incomplete; read up to there"
                elif not stream.eof:
                    raise LogReadError("corrupt gzip data (the stream ends before any data)",
                                       name)
                break
        try:
            out = stream.decompress(pending, _CHUNK)
        except zlib.error as exc:
            if not expanded:
                raise LogReadError(f"corrupt gzip data ({exc})", name) from None
            problem = f"corrupt gzip data after {_size(expanded)}; read up to there"
            break
        pending = stream.unconsumed_tail
        expanded += len(out)
        if limit and expanded > limit:
            raise LogReadError(f"gzip data expands to more than {_size(limit)} (from "
                               f"{_size(max(compressed, 1))} read so far): refused", name,
                               f"set {LIMIT_VARIABLE} to a larger size (or 0) to read it")
        if out:
            out = _squeeze(out, last)
            if out:
                parts.append(out)
                kept += len(out)
                last = out[-1:]
        if stop_after is not None and (kept >= stop_after or expanded >= PEEK_DEPTH * stop_after):
            break           # a peek need not wade through a gigabyte of blank lines
        if stream.eof:
            rest = _next_member(fh, stream.unused_data + pending)
            if not rest:
                break
            stream, pending = zlib.decompressobj(16 + zlib.MAX_WBITS), rest
    return Gunzipped(b"".join(parts), expanded, problem)


def _next_member(fh: BinaryIO, rest: bytes) -> bytes:
    """The bytes that start the next gzip member after one ended, or b'' when none follows
    (the end of the file, NUL padding, or trailing garbage, which gzip ignores too)."""
    while True:
        rest = rest.lstrip(b"\x00")
        if len(rest) < 2:
            more = fh.read(_CHUNK)
            if not more:
                return b""
            rest += more
            continue
        return rest if rest[:2] == GZIP_MAGIC else b""
