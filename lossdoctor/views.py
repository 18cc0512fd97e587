"""How a Report shows itself (a matplotlib plot, its notebook HTML): views registered from above.

The report is data; what draws it (``lossdoctor.plot``) and renders it
(``lossdoctor.formatters.html``) read the report, so the report cannot import them without a
cycle. ``Report.plot`` and ``Report._repr_html_`` call the view registered here instead, as
pandas' ``DataFrame.plot`` calls a plotting backend; the package's ``__init__`` registers
them (Python runs it before any module of the package), and imports matplotlib and the HTML
formatter only when a report is first shown. This module imports nothing of ours.
"""
from __future__ import annotations

# imported by the package's __init__, before watch's Ctrl-C handler is set: no typing at
# run time (see lossdoctor.launch)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    #: a view takes the report (and keyword options) and returns what it shows
    View = Callable[..., Any]

_VIEWS: dict[str, View] = {}


def register(name: str, view: View) -> None:
    """Make ``view`` the way reports show themselves as ``name`` ("plot", "html")."""
    _VIEWS[name] = view


def view(name: str) -> View:
    """The view registered as ``name``."""
    try:
        return _VIEWS[name]
    except KeyError:
        raise LookupError(f"no {name!r} view is registered for reports (import lossdoctor"
                          f" registers them; registered: {sorted(_VIEWS) or 'none'})"
                          ) from None
