"""Diagnosis while training runs: log losses step by step, re-diagnose now and then.

``Monitor`` is framework-free; the callbacks in ``lossdoctor.integrations`` feed one. A log
call stores the point in constant amortised time. While a curve holds at most ``keep``
points it is kept exactly, so ``report()`` is what ``check`` says of the same numbers;
beyond that it is kept as medians of equal-count bins of 3, 9, 27, ... points (the
streaming form of the bin medians that ``smoothing.reduce_points`` takes of a long curve), so
memory stays bounded and a diagnosis costs the same at step 1,000 and at step 1,000,000.
"""
from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import LogReadError, UsageError

if TYPE_CHECKING:
    from .records import Diagnosis, Severity
    from .report import Report
    from .thresholds import Thresholds

DEFAULT_STOP_ON = ("divergence", "non_finite")


class Curve:
    """One split's points, exact up to ``keep`` points, then medians of bins of 3**level.

    Pending points of each level (fewer than 3) wait until their bin is full; NaN/Inf
    points are kept apart (the first ``keep`` of them), as ``analyze_curve`` sets them apart.
    """

    def __init__(self, split: str, keep: int) -> None:
        self.split = split
        self.keep = keep
        self.steps = np.empty(keep)
        self.values = np.empty(keep)
        self.n = 0                  # stored points
        self.level = 0              # each stored point is the median of 3**level points
        self.pending: list[list[tuple[float, float]]] = []
        self.bad: list[tuple[float, float]] = []
        self.dropped_bad = 0
        self.total = 0              # points logged
        self.last_step = -math.inf

    def add(self, step: float, value: float) -> None:
        self.total += 1
        self.last_step = step
        if not math.isfinite(value):
            if len(self.bad) < self.keep:
                self.bad.append((step, value))
            else:
                self.dropped_bad += 1
            return
        for buf in self.pending:            # carry a full bin up one level at a time
            buf.append((step, value))
            if len(buf) < 3:
                return
            (s0, v0), (s1, v1), (s2, v2) = buf
            buf.clear()
            step = s1                       # steps only grow: the middle one is the median
            if v0 > v1:
                v0, v1 = v1, v0
            value = v1 if v2 >= v1 else max(v0, v2)
        self.steps[self.n] = step
        self.values[self.n] = value
        self.n += 1
        if self.n == self.keep:
            self._compact()

    def _compact(self) -> None:
        """Three stored points become their median: the bins grow from 3**k to 3**(k+1)."""
        from .smoothing import reduce_points

        full = self.n - self.n % 3
        s, v = reduce_points(self.steps[:full], self.values[:full], full // 3)
        rest = list(zip(self.steps[full:self.n], self.values[full:self.n], strict=True))
        self.steps[:len(s)] = s
        self.values[:len(v)] = v
        self.n = len(s)
        self.level += 1
        self.pending.append([(float(a), float(b)) for a, b in rest])

    def arrays(self, since: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The kept points in step order (copies), from step ``since`` on when given."""
        steps, values = self.steps[:self.n].copy(), self.values[:self.n].copy()
        if self.bad:
            bad = np.array(self.bad, dtype=float)
            steps, values = np.concatenate([steps, bad[:, 0]]), np.concatenate([values, bad[:, 1]])
            order = np.argsort(steps, kind="stable")
            steps, values = steps[order], values[order]
        if since is not None:
            first = int(np.searchsorted(steps, since, side="left"))
            steps, values = steps[first:], values[first:]
        return steps, values

    def note(self) -> str | None:
        """What a reduced curve's report should say about it; None while it is exact."""
        if not self.level and not self.dropped_bad:
            return None
        label = "learning rate" if self.split == "lr" else f"{self.split} loss"
        parts = []
        if self.level:
            parts.append(f"kept as medians of bins of {3 ** self.level} points "
                         f"({self.n} of {self.total})")
        if self.dropped_bad:
            parts.append(f"{self.dropped_bad} later NaN/Inf values not kept")
        return f"monitor: {label} {', '.join(parts)}"


@dataclass(frozen=True)
class VerdictChange:
    """A new verdict and the step at which the Monitor first saw it."""

    step: float
    verdict: str
    previous: str | None
    severity: Severity
    start_step: float | None
    message: str

    def __str__(self) -> str:
        since = f" from step {self.start_step:g}" if self.start_step is not None else ""
        return (f"step {self.step:g}: {self.verdict.upper()} ({self.severity.label}){since}: "
                f"{self.message}")


class Monitor:
    """Diagnose a run while it trains, from the losses a training loop logs.

    Parameters
    ----------
    every : re-diagnose after this many new points (log calls) ...
    growth : ... or this fraction of the points logged so far, whichever is more, so a run
        of millions of steps is diagnosed a few hundred times, not tens of thousands
    seconds : also re-diagnose when this many seconds passed since the last diagnosis
        (and a point arrived); None: never by time, so runs are repeatable. A curve's first
        NaN/Inf is diagnosed at once, whatever the cadence.
    keep : points of a curve kept exactly; longer curves are kept as bin medians
    stop_on : diagnosis names, codes or severities that make ``should_stop`` true
    thresholds, select, ignore, severities, config : as for ``lossdoctor.diagnose`` (a
        configuration file found from the current folder applies, as it does to ``check``;
        ``config=False`` reads none)

    Example
    -------
    >>> monitor = Monitor()
    >>> for step in range(1000):                                # doctest: +SKIP
    ...     loss = train_step()
    ...     monitor.log(step, train_loss=loss)
    ...     if monitor.should_stop:
    ...         break
    >>> monitor.report().verdict                                # doctest: +SKIP
    """

    def __init__(self, *, every: int = 50, growth: float = 0.02, seconds: float | None = None,
                 keep: int = 9000, stop_on: Iterable[str] = DEFAULT_STOP_ON,
                 thresholds: Thresholds | None = None, select: Iterable[str] | None = None,
                 ignore: Iterable[str] | None = None,
                 severities: Mapping[str, str | Severity] | None = None,
                 config: str | bool | None = None, name: str = "<monitor>") -> None:
        if every < 1 or keep < 30 or growth < 0 or (seconds is not None and seconds <= 0):
            raise UsageError("Monitor needs every >= 1, keep >= 30, growth >= 0, seconds > 0")
        self.every, self.growth, self.seconds = int(every), float(growth), seconds
        self.stop_on = tuple(stop_on)
        self.name = name
        self._options: dict[str, Any] = {"thresholds": thresholds, "select": select,
                                         "ignore": ignore, "severities": severities,
                                         "config": config}
        keep -= keep % 3
        self.curves = {s: Curve(s, keep) for s in ("train", "test", "lr")}
        self.points = 0                  # log calls that carried a value
        self.step: float | None = None   # the last step logged
        self.changes: list[VerdictChange] = []
        self.diagnoses = 0               # how many times the rules ran
        self._report: Report | None = None
        self._report_points = -1         # self.points when _report was made
        self._next = self.every
        self._last_time = time.monotonic()

    # -- logging -----------------------------------------------------------------------
    def log(self, step: float, train_loss: Any = None, test_loss: Any = None,
            lr: Any = None) -> None:
        """Record the values of one step (any of them may be left out); may re-diagnose."""
        step = float(step)
        given = [(self.curves[split], float(value)) for split, value in
                 (("train", train_loss), ("test", test_loss), ("lr", lr)) if value is not None]
        if not given:
            return
        for curve, _ in given:           # checked before any is stored: all or nothing
            if step < curve.last_step:
                raise UsageError(f"step {step:g} comes before the last {curve.split} step "
                                 f"{curve.last_step:g}", self.name,
                                 "a Monitor follows one run: start a new one for a new run")
        urgent = False                   # a curve's first NaN/Inf is diagnosed at once
        for curve, value in given:
            curve.add(step, value)
            urgent = urgent or (not math.isfinite(value) and len(curve.bad) == 1)
        self.step = step
        self.points += 1
        if urgent or self.points >= self._next or (
                self.seconds is not None and time.monotonic() - self._last_time >= self.seconds):
            self.diagnose()

    # -- diagnosis ---------------------------------------------------------------------
    def diagnose(self) -> Report | None:
        """Run the rules on what was logged now; None while there is too little to judge."""
        self._next = self.points + max(self.every, int(self.growth * self.points))
        self._last_time = time.monotonic()
        if self._report_points == self.points:
            return self._report
        try:
            report = self._run()
        except LogReadError:
            return None
        self._report, self._report_points = report, self.points
        self._record(report)
        return report

    def report(self, since: float | None = None) -> Report:
        """The Report of everything logged so far (from step ``since`` on when given).

        Raises LogReadError when no loss was logged yet (or too little for the rules).
        """
        if since is not None:
            return self._run(since)
        if self._report_points != self.points:
            self._report, self._report_points = self._run(), self.points
            self._record(self._report)
        assert self._report is not None
        return self._report

    def _run(self, since: float | None = None) -> Report:
        from .api import diagnose
        from .frame import CurveArrays, frame_from_curves

        parts: list[CurveArrays] = []
        for split, curve in self.curves.items():
            steps, values = curve.arrays(since)
            parts.append(("", split, f"{split}_loss" if split != "lr" else "lr", steps,
                          values, None))
        if not any(len(p[4]) for p in parts[:2]):
            raise LogReadError("no loss values logged yet", self.name)
        self.diagnoses += 1
        report = diagnose(frame_from_curves(parts), **self._options)
        report.source, report.format = self.name, "monitor"
        report.notes.extend(n for c in self.curves.values() if (n := c.note()) is not None)
        return report

    def _record(self, report: Report) -> None:
        previous = self.changes[-1].verdict if self.changes else None
        if report.verdict == previous:
            return
        d = report.main.primary
        step = self.step if self.step is not None else math.nan
        self.changes.append(VerdictChange(
            step, report.verdict, previous, _severity(d), d.start_step if d else None,
            d.message if d else "; ".join(report.main.notes)))

    # -- what the loop reads -----------------------------------------------------------
    @property
    def last_report(self) -> Report | None:
        """The report of the latest diagnosis (no new diagnosis is run)."""
        return self._report

    @property
    def verdict(self) -> str | None:
        """The verdict of the latest diagnosis; None before there was enough to judge."""
        return self._report.verdict if self._report is not None else None

    @property
    def stopping(self) -> list[Diagnosis]:
        """Diagnoses of the latest report that ``stop_on`` names (empty: keep going)."""
        if self._report is None or not self.stop_on:
            return []
        return self._report.failing(self.stop_on)

    @property
    def should_stop(self) -> bool:
        """True once the latest diagnosis holds one that ``stop_on`` names."""
        return bool(self.stopping)


def _severity(d: Diagnosis | None) -> Severity:
    from .records import Severity

    return d.severity if d is not None else Severity.INFO
