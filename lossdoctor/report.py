"""The Report: verdict, diagnoses and curve summaries, as data; formatters render it."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .errors import EXIT_FINDINGS, EXIT_OK
from .records import Diagnosis, Severity
from .rules.context import RunContext


@dataclass
class RunReport:
    """The findings for one run of a log."""

    run: str
    verdict: str
    diagnoses: list[Diagnosis]
    context: RunContext
    notes: list[str] = field(default_factory=list)

    @property
    def primary(self) -> Diagnosis | None:
        return next((d for d in self.diagnoses if d.name == self.verdict), None)

    def curves(self) -> dict[str, Any]:
        return {c.split: c.summary.to_dict() for c in self.context.curves()}

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

    @property
    def main(self) -> RunReport:
        """The run a user should look at first: the one whose verdict is most urgent."""
        from .rules import find_rule

        return min(self.runs, key=lambda r: find_rule(r.verdict).priority)

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

    def to_dict(self) -> dict[str, Any]:
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

    def failing(self, fail_on: Iterable[str] = ("error",)) -> list[Diagnosis]:
        """Diagnoses at or above the threshold: severities (lowest wins) and/or names."""
        names, floor = set(), None
        for item in fail_on:
            try:
                sev = Severity.parse(item)
                floor = sev if floor is None else min(floor, sev)
            except ValueError:
                names.add(item)
        return [d for _, d in self.all_diagnoses()
                if d.name in names or d.code in names
                or (floor is not None and d.severity >= floor)]

    def exit_code(self, fail_on: Iterable[str] = ("error",)) -> int:
        return EXIT_FINDINGS if self.failing(fail_on) else EXIT_OK
