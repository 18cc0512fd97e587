"""When a log is too short to judge: a finding about the evidence, not about training."""
from __future__ import annotations

from ..records import Finding, Severity
from ..thresholds import Thresholds
from ..wording import join, text
from .context import RunContext
from .measures import falls_throughout
from .registry import rule


@rule("LD000", "not_enough_evidence", Severity.INFO, 100,
      "fewer than min_points finite values on every loss curve")
def not_enough_evidence(ctx: RunContext, th: Thresholds) -> Finding | None:
    """Not enough evidence: every loss curve is too short for a trend.

    No verdict is guessed from two or three points. Let the run go on, or log more often
    (every epoch, or every few steps), and check again. (Curves that fell at every one of
    four points or more are learning: with no trend, that order has a chance of 1 in 24.)
    """
    if ctx.curves() or ctx.broken or falls_throughout(ctx.short, th):
        return None
    counts = {f"{split}_points": n for split, n in ctx.points.items()}
    said = join(", ", (text("{split} loss {n} finite point{s}", split=split, n=n,
                            s="s" if n != 1 else "") for split, n in ctx.points.items())
                ) if ctx.points else "no finite loss values"
    return Finding(text("Not enough evidence for a verdict: {said}; a trend needs at least"
                        " {needed} on one curve.", said=said, needed=th.min_points), None, None,
                   {**counts, "points_needed": th.min_points},
                   (text("let the run go on, or log more often: at least {needed} points"
                         " on the train or test loss", needed=th.min_points),))
