"""Machine-readable output: the report's dictionary as JSON."""
from __future__ import annotations

import json

from ..report import Report
from .registry import combined, formatter


@formatter("json")
def render(report: Report, color: bool = False) -> str:
    return json.dumps(report.to_dict(), indent=2, allow_nan=False, default=_default)


@combined("json")
def render_list(reports: list[Report], color: bool = False) -> str:
    """Several logs (``check A B``): a JSON list of their reports."""
    return json.dumps([r.to_dict() for r in reports], indent=2, allow_nan=False,
                      default=_default)


def _default(obj: object) -> object:
    import numpy as np

    if isinstance(obj, np.generic):
        value = obj.item()
        return None if isinstance(value, float) and value != value else value
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")
