"""Output formats: each renders a Report to text and computes nothing itself."""
from __future__ import annotations

import difflib
from collections.abc import Callable

from ..errors import UsageError
from ..report import Report

Renderer = Callable[..., str]
FORMATTERS: dict[str, Renderer] = {}


def formatter(name: str) -> Callable[[Renderer], Renderer]:
    """Register ``render(report, color=False) -> str`` under a format name."""
    def wrap(render: Renderer) -> Renderer:
        if name in FORMATTERS:
            raise RuntimeError(f"formatter {name!r} registered twice")
        FORMATTERS[name] = render
        return render
    return wrap


def render(report: Report, fmt: str = "text", color: bool = False) -> str:
    if fmt not in FORMATTERS:
        close = difflib.get_close_matches(fmt, list(FORMATTERS), n=1)
        raise UsageError(f"unknown output format {fmt!r}", None,
                         f"did you mean {close[0]!r}?" if close else
                         f"known: {', '.join(sorted(FORMATTERS))}")
    return FORMATTERS[fmt](report, color=color)


from . import json_format, text  # noqa: E402,F401  (registration)
