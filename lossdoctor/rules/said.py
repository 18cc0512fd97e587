"""How the rules put a curve's last window: its evidence entries and its sentence."""
from __future__ import annotations

from typing import Any

from ..records import Direction
from ..trends import CurveTrend
from ..wording import Text, text

_VERBS = {Direction.FALLING: "still falling", Direction.FLAT: "flat",
          Direction.RISING: "rising"}


def tail(c: CurveTrend) -> dict[str, Any]:
    """Evidence of a curve's last window: where, slope, change, and its last value."""
    w = c.windows[-1]
    p = c.split
    return {f"{p}_window": [w.start_step, w.end_step], f"{p}_slope": w.slope,
            f"{p}_change": w.change, f"{p}_direction": w.direction.value,
            f"{p}_z": w.z, f"{p}_last": float(c.values[-1])}


def describe(c: CurveTrend) -> Text:
    """'train loss is flat over steps 40-59 (now 0.75, change -0.03, 1.1 standard errors)'."""
    w = c.windows[-1]
    return text("{split} loss is {verb} over steps {start:step}-{end:step} (now {now:num},"
                " change {change:num}, {z:se})", split=c.split, verb=_VERBS[w.direction],
                start=w.start_step, end=w.end_step, now=float(c.smooth[-1]), change=w.change,
                z=w.z)
