"""lossdoctor: reads training logs and says what the train and test loss are doing."""
from __future__ import annotations

from . import views as _views
from .version import __version__

# not typing.TYPE_CHECKING: the console script imports this package before watch's Ctrl-C
# handler is set (lossdoctor.launch), so it imports nothing it does not need at run time
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from matplotlib.axes import Axes

    from .report import Report

__all__ = ["Monitor", "Report", "Thresholds", "compare", "diagnose", "diagnose_many", "read_log",
           "__version__"]

_LAZY = {"diagnose": "api", "read_log": "api", "Report": "report", "Thresholds": "thresholds",
         "diagnose_many": "sweep", "compare": "api", "Monitor": "monitor"}


def __getattr__(name: str) -> Any:
    """Import the API on first use, so `lossdoctor --version` starts instantly."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'lossdoctor' has no attribute {name!r}")


def _plot(report: Report, **options: Any) -> Axes:
    """``Report.plot``: lossdoctor.plot draws it (matplotlib is imported only now)."""
    from .plot import plot_report

    return plot_report(report, **options)


def _html(report: Report) -> str:
    """``Report._repr_html_``: what Jupyter shows, the HTML formatter's fragment."""
    from .formatters.html import render_fragment

    return render_fragment(report)


# the report is data and imports no view; the package, above every module, registers them
_views.register("plot", _plot)
_views.register("html", _html)
