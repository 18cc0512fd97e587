"""A run against a known-good baseline: its diagnosis plus how its loss curves differ.

Curves are compared on their smoothed trends (the same ones the rules read), so minibatch
noise does not move the divergence point or the step where the baseline's best is reached.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import LogReadError
from .records import _num
from .report import Report
from .trends import CurveTrend

#: the run is "worse" where its smoothed loss is above the baseline's by this fraction
TOLERANCE = 0.05


@dataclass(frozen=True)
class SplitComparison:
    """One split's numbers for both runs; ratios are run / baseline."""

    split: str
    final: float
    best: float
    best_step: float
    baseline_final: float
    baseline_best: float
    baseline_best_step: float

    @property
    def final_ratio(self) -> float:
        return _ratio(self.final, self.baseline_final)

    @property
    def best_ratio(self) -> float:
        return _ratio(self.best, self.baseline_best)

    def to_dict(self) -> dict[str, Any]:
        return {"final": _num(self.final), "best": _num(self.best),
                "best_step": _num(self.best_step), "baseline_final": _num(self.baseline_final),
                "baseline_best": _num(self.baseline_best),
                "baseline_best_step": _num(self.baseline_best_step),
                "final_ratio": _num(self.final_ratio), "best_ratio": _num(self.best_ratio)}


@dataclass(frozen=True)
class Comparison:
    """What ``lossdoctor compare`` says: the run's report and its curves against the baseline."""

    report: Report
    baseline: Report
    splits: tuple[SplitComparison, ...]
    curve: str                       # the split the steps below are about (test if both have it)
    reaches_baseline_best: float | None  # first step the run is at the baseline's best; None never
    diverges_at: float | None        # from here on the run stays worse than the baseline
    tolerance: float

    def to_dict(self) -> dict[str, Any]:
        return {"run": self.report.to_dict(), "baseline": self.baseline.source,
                "baseline_verdict": self.baseline.verdict,
                "splits": {s.split: s.to_dict() for s in self.splits},
                "curve": self.curve,
                "reaches_baseline_best_at": _num(self.reaches_baseline_best),
                "diverges_at": _num(self.diverges_at), "tolerance": self.tolerance}


def compare_reports(report: Report, baseline: Report, tolerance: float = TOLERANCE
                    ) -> Comparison:
    """The comparison of two diagnosed logs (the most urgent run of each)."""
    mine, theirs = report.main.context, baseline.main.context
    splits = []
    for split in ("train", "test"):
        a, b = getattr(mine, split), getattr(theirs, split)
        if a is not None and b is not None:
            splits.append(_split(split, a, b))
    if not splits:
        raise LogReadError("the run and the baseline share no loss curve (train or test)",
                           report.source)
    curve = "test" if any(s.split == "test" for s in splits) else "train"
    a, b = getattr(mine, curve), getattr(theirs, curve)
    return Comparison(report, baseline, tuple(splits), curve,
                      _reaches(a, b.summary.min_value), diverges_at(a, b, tolerance),
                      tolerance)


def _split(split: str, a: CurveTrend, b: CurveTrend) -> SplitComparison:
    sa, sb = a.summary, b.summary
    return SplitComparison(split, sa.last_value, sa.min_value, sa.min_step, sb.last_value,
                           sb.min_value, sb.min_step)


def _reaches(c: CurveTrend, level: float) -> float | None:
    """First step the curve's (binned, unsmoothed) values get down to ``level``."""
    hit = np.flatnonzero(c.values <= level)
    return float(c.steps[hit[0]]) if len(hit) else None


def diverges_at(a: CurveTrend, b: CurveTrend, tolerance: float = TOLERANCE) -> float | None:
    """First step after which ``a``'s smoothed loss stays above ``b``'s by ``tolerance``
    (relative), on the steps both curves cover; None when ``a`` ends no worse."""
    lo, hi = max(a.steps[0], b.steps[0]), min(a.steps[-1], b.steps[-1])
    inside = (a.steps >= lo) & (a.steps <= hi)
    if not inside.any():
        return None
    steps, mine = a.steps[inside], a.smooth[inside]
    theirs = np.interp(steps, b.steps, b.smooth)
    worse = mine > theirs + tolerance * np.abs(theirs)
    if not worse[-1]:
        return None
    ok = np.flatnonzero(~worse)
    return float(steps[ok[-1] + 1] if len(ok) else steps[0])


def _ratio(a: float, b: float) -> float:
    return a / b if b and np.isfinite(a) and np.isfinite(b) else float("nan")
