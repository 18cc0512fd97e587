"""The Report: verdict, diagnoses and curve summaries, as data; formatters render it.

It imports none of its views: ``Report.plot`` and the notebook display call the views the
package registers (see lossdoctor.views), so the report and what draws it make no cycle.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from .errors import EXIT_FINDINGS, EXIT_OK, EXIT_UNUSABLE
from .records import Diagnosis, Severity, _num
from .rules import find_rule
from .rules.context import RunContext
from .views import view

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from .frame import LossLog


#: the verdict of a run where none of the selected rules found anything
NO_FINDING = "no_finding"


def _urgency(verdict: str) -> int:
    """Priority of a verdict's rule; a run where no selected rule found anything comes last."""
    return 1000 if verdict == NO_FINDING else find_rule(verdict).priority


@dataclass
class RunReport:
    """The findings for one run of a log."""

    run: str
    verdict: str
    diagnoses: list[Diagnosis]
    context: RunContext
    notes: list[str] = field(default_factory=list)
    #: the parsed log the run came from, for its raw points; None when not kept (sweeps)
    log: LossLog | None = field(default=None, repr=False, compare=False)

    @property
    def points(self) -> pd.DataFrame | None:
        """The run's raw points (split, step, value), for plots; None when not kept."""
        return None if self.log is None else self.log.run_frame(self.run)

    @property
    def primary(self) -> Diagnosis | None:
        return next((d for d in self.diagnoses if d.name == self.verdict), None)

    def curves(self) -> dict[str, Any]:
        return {c.split: c.summary.to_dict() for c in self.context.curves()}

    def best_test(self) -> dict[str, float | None] | None:
        """The lowest test loss and its step (a sweep's winner has the lowest); None when
        the run logged no test loss."""
        test = self.context.test
        if test is None:
            return None
        return {"value": _num(test.summary.min_value), "step": _num(test.summary.min_step)}

    def __repr__(self) -> str:
        found = ", ".join(f"{d.code} {d.name}" for d in self.diagnoses) or "no finding"
        points = {c.split: c.summary.points for c in self.context.curves()}
        return (f"RunReport(run={self.run!r}, verdict={self.verdict!r}, diagnoses=[{found}], "
                f"points={points})")

    def to_dict(self) -> dict[str, Any]:
        return {"run": self.run, "verdict": self.verdict,
                "diagnoses": [d.to_dict() for d in self.diagnoses],
                "curves": self.curves(), "notes": list(self.notes)}


@dataclass
class Report:
    """What lossdoctor says about a log: one RunReport per run, the most urgent first-class."""

    source: str
    format: str
    notes: list[str]
    runs: list[RunReport]
    #: codes of the rules that were checked (JUnit lists passes too); empty: not recorded
    checked: list[str] = field(default_factory=list)
    #: a sweep: the runs found under a folder (``run`` is each one's path below it)
    sweep: bool = False
    #: (run, message) of sweep runs whose log could not be read
    failures: list[tuple[str, str]] = field(default_factory=list)
    #: what :meth:`exit_code` and :meth:`failing` fail on when not told: the settings'
    #: fail-on (option or config file), as for ``check``
    fail_on: tuple[str, ...] = ("error",)

    def __repr__(self) -> str:
        """One screen in a REPL: where, the verdict, the findings; not every array."""
        what = "sweep" if self.sweep else "log"
        head = (f"<Report {what} {self.source!r} ({self.format}): "
                f"verdict {self.verdict if self.runs else None!r}")
        if len(self.runs) > 1 or self.sweep:
            counts = ", ".join(f"{n} {name}" for name, n in self.counts().items())
            return f"{head}, {len(self.runs)} runs ({counts})>"
        found = ", ".join(f"{d.code} {d.name} ({d.severity.label})" for d in self.diagnoses)
        return f"{head}, {found or 'no finding'}>"

    @property
    def main(self) -> RunReport:
        """The run a user should look at first: the one whose verdict is most urgent."""
        return min(self.runs, key=lambda r: _urgency(r.verdict))

    @property
    def verdict(self) -> str:
        return self.main.verdict

    @property
    def diagnoses(self) -> list[Diagnosis]:
        return self.main.diagnoses

    def all_diagnoses(self) -> Iterable[tuple[str, Diagnosis]]:
        for r in self.runs:
            for d in r.diagnoses:
                yield r.run, d

    def counts(self) -> dict[str, int]:
        """How many runs got each verdict (and how many could not be read), most first."""
        out: dict[str, int] = {}
        for r in self.runs:
            out[r.verdict] = out.get(r.verdict, 0) + 1
        out = dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))
        if self.failures:
            out["unreadable"] = len(self.failures)
        return out

    def to_dict(self) -> dict[str, Any]:
        if self.sweep:
            return self._sweep_dict()
        main = self.main
        out: dict[str, Any] = {"source": self.source, "format": self.format,
                               "verdict": main.verdict,
                               "diagnoses": [d.to_dict() for d in main.diagnoses],
                               "curves": main.curves(),
                               "notes": self.notes + main.notes}
        if len(self.runs) > 1:
            out["run"] = main.run
            out["runs"] = [r.to_dict() for r in self.runs]
        return out

    def _sweep_dict(self) -> dict[str, Any]:
        main = self.main if self.runs else None
        return {"source": self.source, "format": self.format,
                "verdict": main.verdict if main else None,
                "run": main.run if main else None, "counts": self.counts(),
                "runs": [{**r.to_dict(), "best_test": r.best_test()} for r in self.runs],
                "failures": [{"run": run, "message": msg} for run, msg in self.failures],
                "notes": list(self.notes)}

    def failing(self, fail_on: Iterable[str] | None = None) -> list[Diagnosis]:
        """Diagnoses at or above the threshold: severities (lowest wins) and/or names;
        ``None``: the report's own ``fail_on`` (the settings it was made with)."""
        names, floor = set(), None
        for item in self.fail_on if fail_on is None else fail_on:
            try:
                sev = Severity.parse(item)
                floor = sev if floor is None else min(floor, sev)
            except ValueError:
                names.add(item)
        return [d for _, d in self.all_diagnoses()
                if d.name in names or d.code in names
                or (floor is not None and d.severity >= floor)]

    def exit_code(self, fail_on: Iterable[str] | None = None) -> int:
        """0, 1 for findings at/above ``fail_on`` (``None``: the report's own, from the
        settings); 2 when a sweep run could not be read."""
        if self.failures:
            return EXIT_UNUSABLE
        return EXIT_FINDINGS if self.failing(fail_on) else EXIT_OK

    def to_frame(self) -> pd.DataFrame:
        """One row per diagnosis of every run: the findings as a table for a notebook."""
        import pandas as pd

        cols = ["run", "code", "name", "severity", "start_step", "end_step", "message",
                "actions"]
        rows = [[run, d.code, d.name, d.severity.label, d.start_step, d.end_step, d.message,
                 list(d.actions)] for run, d in self.all_diagnoses()]
        return pd.DataFrame(rows, columns=cols)

    @property
    def trends(self) -> pd.DataFrame:
        """One row per trend window and split of every run: where each curve went which way."""
        import pandas as pd

        rows = [[r.run, c.split, w.start_step, w.end_step, w.slope, w.direction.value]
                for r in self.runs for c in r.context.curves() for w in c.windows]
        return pd.DataFrame(rows, columns=["run", "split", "start", "end", "slope",
                                           "direction"])

    def plot(self, ax: Axes | None = None, smoothing: float = 0.6, logy: bool | None = None,
             run: str | None = None) -> Axes:
        """Draw the curves, trend windows and onsets with matplotlib (see lossdoctor.plot)."""
        axes: Axes = view("plot")(self, ax=ax, smoothing=smoothing, logy=logy, run=run)
        return axes

    def _repr_html_(self) -> str:
        """Jupyter shows a Report as its HTML rendering: verdict, diagnoses and the plot."""
        html: str = view("html")(self)
        return html


def with_severities(report: Report, severities: Mapping[str, Severity]) -> Report:
    """The report with diagnoses re-graded by code (config ``severities``); verdicts unchanged.

    A post-processing step, so rules keep their own default severity.
    """
    if not severities:
        return report
    runs = [replace(r, diagnoses=[replace(d, severity=severities.get(d.code, d.severity))
                                  for d in r.diagnoses]) for r in report.runs]
    return replace(report, runs=runs)
