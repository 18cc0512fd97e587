"""When a log is too short to judge: a finding about the evidence, not about training."""
from __future__ import annotations

from ..records import Finding, Severity
from ..thresholds import Thresholds
from .context import RunContext
from .registry import rule


@rule("LD000", "not_enough_evidence", Severity.INFO, 100,
      "fewer than min_points finite values on every loss curve")
def not_enough_evidence(ctx: RunContext, th: Thresholds) -> Finding | None:
    """Not enough evidence: every loss curve is too short for a trend.

    No verdict is guessed from two or three points. Let the run go on, or log more often
    (every epoch, or every few steps), and check again.
    """
    if ctx.curves() or ctx.broken:
        return None
    counts = {f"{split}_points": n for split, n in ctx.points.items()}
    said = ", ".join(f"{split} loss {n} finite point{'s' if n != 1 else ''}"
                     for split, n in ctx.points.items()) or "no finite loss values"
    return Finding(f"Not enough evidence for a verdict: {said}; a trend needs at least"
                   f" {th.min_points} on one curve.", None, None,
                   {**counts, "points_needed": th.min_points},
                   (f"let the run go on, or log more often: at least {th.min_points} points"
                    " on the train or test loss",))
