"""The parser registry: one entry per log format, chosen by sniffing content."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..errors import LogReadError, UsageError, close_matches
from ..frame import LossLog
from .source import Source


@dataclass(frozen=True)
class ReadOptions:
    """What the user told us about the log; None means 'detect it'."""

    train_col: str | None = None
    test_col: str | None = None
    segments: str = "last"       # "last" or "all" when steps restart from the beginning


Reader = Callable[[Source, ReadOptions], LossLog]
Sniffer = Callable[[Source], float]


@dataclass(frozen=True)
class Parser:
    name: str
    read: Reader
    sniff: Sniffer               # 0 = not mine, 1 = certainly mine
    description: str


PARSERS: dict[str, Parser] = {}


def register(name: str, *, sniff: Sniffer, description: str) -> Callable[[Reader], Reader]:
    """Add a reader under a stable format name; a duplicate name fails at import."""
    def wrap(read: Reader) -> Reader:
        if name in PARSERS:
            raise RuntimeError(f"parser {name!r} registered twice")
        PARSERS[name] = Parser(name, read, sniff, description)
        return read
    return wrap


def get_parser(name: str) -> Parser:
    if name not in PARSERS:
        close = close_matches(name, list(PARSERS), n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(sorted(PARSERS))}"
        raise UsageError(f"unknown input format {name!r}", None, hint)
    return PARSERS[name]


def ranked(source: Source) -> list[tuple[float, str]]:
    """(score, format) of every parser that claims this file or folder, most confident first."""
    scored = []
    for parser in PARSERS.values():
        try:
            score = parser.sniff(source)
        except LogReadError:
            raise
        except Exception:  # a sniffer must never turn odd bytes into a traceback
            score = 0.0
        if score > 0:
            scored.append((score, parser.name))
    return sorted(scored, reverse=True)


def detect(source: Source) -> Parser:
    """The parser most confident about this file or folder."""
    if not source.is_dir and not source.head.strip():
        raise LogReadError("empty file" if not source.head else "empty file (only blank lines)",
                           source.name)
    scored = ranked(source)
    if not scored:
        packed = packed_as(source.head)
        if packed:
            raise LogReadError(f"{packed}-compressed, which lossdoctor does not unpack",
                               source.name, "decompress it first; gzip (.gz) is read directly")
        what = "folder" if source.is_dir else "file"
        raise LogReadError("not a training log lossdoctor can read"
                           f" (no known format in this {what})",
                           source.name, "pass --input-format to choose one; "
                           f"known: {', '.join(sorted(PARSERS))}")
    return PARSERS[scored[0][1]]


#: leading bytes of archive and compression formats lossdoctor does not read
PACKED = ((b"BZh", "bzip2"), (b"\xfd7zXZ\x00", "xz"), (b"PK\x03\x04", "zip"),
          (b"\x28\xb5\x2f\xfd", "zstd"), (b"7z\xbc\xaf\x27\x1c", "7z"))


def packed_as(head: bytes) -> str:
    """'bzip2', 'xz', ... when the bytes start like that archive or compression format."""
    return next((name for magic, name in PACKED if head.startswith(magic)), "")
