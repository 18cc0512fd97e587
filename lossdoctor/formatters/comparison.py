"""Output of ``lossdoctor compare``: the run's report, then its curves against the baseline."""
from __future__ import annotations

import json

from ..comparison import Comparison
from ..errors import UsageError
from ..numbers import fmt, fmt_step
from .json_format import _default
from .text import render as render_text

FORMATS = ("text", "json")


def render_comparison(c: Comparison, fmt_name: str = "text", color: bool = False) -> str:
    if fmt_name == "json":
        return json.dumps(c.to_dict(), indent=2, allow_nan=False, default=_default)
    if fmt_name != "text":
        raise UsageError(f"unknown output format {fmt_name!r} for compare", None,
                         f"known: {', '.join(FORMATS)}")
    return render_text(c.report, color=color) + "\n\n" + "\n".join(_lines(c))


def _lines(c: Comparison) -> list[str]:
    lines = [f"against baseline {c.baseline.source} ({c.baseline.verdict}):",
             f"  {'':<5} {'final':>10} {'baseline':>10} {'ratio':>7}   {'best':>10} "
             f"{'baseline':>10} {'ratio':>7}"]
    for s in c.splits:
        lines.append(f"  {s.split:<5} {fmt(s.final):>10} {fmt(s.baseline_final):>10} "
                     f"{_x(s.final_ratio):>7}   {fmt(s.best):>10} {fmt(s.baseline_best):>10} "
                     f"{_x(s.best_ratio):>7}")
    best = next(s for s in c.splits if s.split == c.curve)
    reach = ("never" if c.reaches_baseline_best is None
             else f"at step {fmt_step(c.reaches_baseline_best)}")
    lines.append(f"  reaches the baseline's best {c.curve} loss ({fmt(best.baseline_best)},"
                 f" baseline step {fmt_step(best.baseline_best_step)}): {reach}")
    if c.diverges_at is None:
        lines.append(f"  diverges from the baseline: no (its smoothed {c.curve} loss does not"
                     f" end more than {c.tolerance:.0%} above the baseline's)")
    else:
        lines.append(f"  diverges from the baseline at step {fmt_step(c.diverges_at)}: its"
                     f" smoothed {c.curve} loss stays more than {c.tolerance:.0%} above the"
                     " baseline's from there on")
    return lines


def _x(ratio: float) -> str:
    return "-" if ratio != ratio else f"x{ratio:.2f}"
