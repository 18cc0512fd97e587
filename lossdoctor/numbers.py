"""How numbers and steps are written for people: one leaf module that formatters, plots and
rules share (it imports nothing of ours)."""
from __future__ import annotations

import math


def fmt(value: float | None) -> str:
    """Numbers as a user would write them: 0.312, 3e-04, 1.2e+03."""
    if value is None or not math.isfinite(value):
        return str(value)
    a = abs(value)
    if a != 0 and (a < 1e-3 or a >= 1e5):
        return f"{value:.2g}"
    return f"{value:.4g}" if a < 10 else f"{value:.5g}"


def fmt_step(step: float | None) -> str:
    """A step as it was logged: 1200, or 0.5 for a fractional epoch; ``?`` when unknown."""
    if step is None or not math.isfinite(step):
        return "?"
    return f"{int(step)}" if float(step).is_integer() else f"{step:.3g}"


def fmt_z(z: float) -> str:
    """A statistic in standard errors: '3.4 standard errors', 'over 100 standard errors'
    (a noise-free curve makes any change enormous in noise units; the digits mean nothing)."""
    if not math.isfinite(z) or abs(z) >= 100:
        return "over 100 standard errors"
    return f"{abs(z):.1f} standard errors"


def fmt_confidence(confidence: float | None) -> str:
    """', confidence 0.83' for a headline; nothing when the finding has none."""
    return "" if confidence is None else f", confidence {confidence:.2f}"
