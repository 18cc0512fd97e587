"""The output-format registry: each format module registers its renderer here with
:func:`formatter`; the package's ``__init__`` finds and loads those modules by name."""
from __future__ import annotations

from collections.abc import Callable

Renderer = Callable[..., str]
FORMATTERS: dict[str, Renderer] = {}
#: formats that render several logs as one document (a SARIF log, a JUnit file, a JSON list)
COMBINED: dict[str, Renderer] = {}
#: whose parameters say which options a format takes
SIGNATURES: dict[str, Renderer] = {}
#: the module that registered each format (its docstring describes the format)
MODULES: dict[str, str] = {}


def formatter(name: str, *, many: bool = False) -> Callable[[Renderer], Renderer]:
    """Register ``render(report, color=False, **options) -> str`` under a format name.

    With ``many=True`` the function takes a list of reports and returns one document; the
    single-report renderer is derived from it.
    """
    def wrap(fn: Renderer) -> Renderer:
        if name in FORMATTERS:
            raise RuntimeError(f"formatter {name!r} registered twice")
        MODULES[name] = fn.__module__
        if many:
            COMBINED[name] = fn
            FORMATTERS[name] = lambda report, **kw: fn([report], **kw)
            SIGNATURES[name] = fn
        else:
            FORMATTERS[name] = fn
        return fn
    return wrap


def combined(name: str) -> Callable[[Renderer], Renderer]:
    """Register how an existing single-report format writes several logs as one document."""
    def wrap(fn: Renderer) -> Renderer:
        if name in COMBINED:
            raise RuntimeError(f"combined formatter {name!r} registered twice")
        COMBINED[name] = fn
        return fn
    return wrap
