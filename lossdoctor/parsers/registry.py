"""The parser registry: one entry per log format, chosen by sniffing content."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

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


FolderProbe = Callable[[Path], bool]


@dataclass(frozen=True)
class Parser:
    name: str
    read: Reader
    sniff: Sniffer               # 0 = not mine, 1 = certainly mine
    description: str
    #: which format wins when two are equally sure of a file (higher first); unique
    priority: int | None = None
    #: True for a folder that is one run of this format (a sweep reads it as one unit)
    folder: FolderProbe | None = None


PARSERS: dict[str, Parser] = {}


def register(name: str, *, sniff: Sniffer, description: str, priority: int | None = None,
             folder: FolderProbe | None = None) -> Callable[[Reader], Reader]:
    """Add a reader under a stable format name; a duplicate name or priority fails at import.

    ``priority`` settles equal sniff scores (the more specific format gets the higher one);
    ``folder`` recognises a folder that is one run of this format, for sweeps.
    """
    def wrap(read: Reader) -> Reader:
        if name in PARSERS:
            raise RuntimeError(f"parser {name!r} registered twice")
        taken = {p.priority: p.name for p in PARSERS.values() if p.priority is not None}
        if priority is not None and priority in taken:
            raise RuntimeError(f"parser {name!r}: priority {priority} is {taken[priority]!r}'s")
        PARSERS[name] = Parser(name, read, sniff, description, priority, folder)
        return read
    return wrap


def by_priority() -> list[Parser]:
    """Every parser, the highest priority first (unranked ones last, in registration order)."""
    order = list(PARSERS.values())
    return sorted(order, key=lambda p: (p.priority is None, -(p.priority or 0)))


def get_parser(name: str) -> Parser:
    if name not in PARSERS:
        close = close_matches(name, list(PARSERS), n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(sorted(PARSERS))}"
        raise UsageError(f"unknown input format {name!r}", None, hint)
    return PARSERS[name]


def ranked(source: Source) -> list[tuple[float, str]]:
    """(score, format) of every parser that claims this file or folder, most confident first."""
    scored = []
    for rank, parser in enumerate(by_priority()):
        try:
            score = parser.sniff(source)
        except LogReadError:
            raise
        except Exception:  # a sniffer must never turn odd bytes into a traceback
            score = 0.0
        if score > 0:
            scored.append((score, -rank, parser.name))
    # the surest first; an equal score goes to the higher priority, never to a name's order
    return [(score, name) for score, _, name in sorted(scored, reverse=True)]


def detect(source: Source) -> Parser:
    """The parser most confident about this file or folder."""
    scored = ranked(source)
    if not scored:
        what = "folder" if source.is_dir else "file"
        raise LogReadError("not a training log lossdoctor can read"
                           f" (no known format in this {what})",
                           source.name, "pass input_format= to choose one; "
                           f"known: {', '.join(sorted(PARSERS))}")
    return PARSERS[scored[0][1]]
