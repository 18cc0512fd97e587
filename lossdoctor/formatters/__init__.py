"""Output formats: each renders a Report to text and computes nothing itself.

Each module of this package registers its format(s) with ``registry.formatter``; nothing
else lists them. A format's module is imported the first time it is asked for (the module
named like the format, or ``<name>_format``; else all of them), so ``check`` in text does
not pay for XML, HTML or matplotlib.
"""
from __future__ import annotations

import importlib
import inspect
from collections.abc import Sequence
from typing import Any

from ..errors import UsageError, close_matches
from ..report import Report
from .registry import COMBINED, FORMATTERS, MODULES, SIGNATURES, Renderer

__all__ = ["COMBINED", "FORMATTERS", "Renderer", "check_format", "describe_formats", "names",
           "render", "render_many"]


def _modules() -> list[str]:
    import pkgutil

    return sorted(m.name for m in pkgutil.iter_modules(__path__))


def _load(name: str) -> None:
    """Import the module that registers format ``name``; all of them when it is not found."""
    mods = _modules()
    for mod in (name, f"{name}_format"):
        if name not in FORMATTERS and mod in mods:
            importlib.import_module(f".{mod}", __name__)
    if name not in FORMATTERS:
        for mod in mods:
            importlib.import_module(f".{mod}", __name__)


def names() -> list[str]:
    """Every output format's name (imports every format module)."""
    _load("")
    return sorted(FORMATTERS)


def describe_formats() -> dict[str, str]:
    """Each output format and what it writes: the first line of its module's docstring."""
    import sys

    out = {}
    for name in names():
        doc = (sys.modules[MODULES[name]].__doc__ or "").strip().replace("``", "")
        out[name] = doc.splitlines()[0] if doc else ""
    return out


def check_format(fmt: str) -> Renderer:
    """The renderer of a format name, or a UsageError with "did you mean"."""
    if fmt not in FORMATTERS:
        _load(fmt)
    if fmt not in FORMATTERS:
        known = sorted(FORMATTERS)
        close = close_matches(fmt, known, n=1)
        raise UsageError(f"unknown output format {fmt!r}", None,
                         f"did you mean {close[0]!r}?" if close else f"known: {', '.join(known)}")
    return FORMATTERS[fmt]


def _accepted(fmt: str, options: dict[str, Any]) -> dict[str, Any]:
    """Only the options a formatter declares: `render(report, color)` keeps working."""
    params = inspect.signature(SIGNATURES.get(fmt, FORMATTERS[fmt])).parameters.values()
    if any(p.kind is p.VAR_KEYWORD for p in params):
        return options
    names = {p.name for p in params}
    return {k: v for k, v in options.items() if k in names}


def render(report: Report, fmt: str = "text", color: bool = False, **options: Any) -> str:
    """Render one report; options (e.g. ``fail_on``) reach only formatters that take them."""
    return check_format(fmt)(report, color=color, **_accepted(fmt, options))


def render_many(reports: Sequence[Report], fmt: str = "text", color: bool = False,
                **options: Any) -> str:
    """Several logs' reports as one output: one document where the format needs it."""
    check_format(fmt)
    kw = _accepted(fmt, options)
    if len(reports) != 1 and fmt in COMBINED:
        return COMBINED[fmt](list(reports), color=color, **kw)
    return "\n\n".join(FORMATTERS[fmt](r, color=color, **kw) for r in reports)

