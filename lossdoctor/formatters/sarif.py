"""SARIF 2.1.0 for code-scanning tools: the rules as the tool's rules, diagnoses as results.

A diagnosis is about a whole log, so its location is the log file (``region.startLine`` 1,
which GitHub code scanning needs to show it); the steps and evidence go in ``properties``.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..records import Diagnosis, Severity
from ..report import Report
from ..rules import RULES, Rule
from ..version import __version__
from .registry import formatter

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


@formatter("sarif", many=True)
def render(reports: list[Report], color: bool = False) -> str:
    rules = sorted(RULES.values(), key=lambda r: r.code)
    index = {r.code: i for i, r in enumerate(rules)}
    results = [_result(report, run, d, index) for report in reports
               for run, d in report.all_diagnoses()]
    log = {"$schema": SCHEMA, "version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "lossdoctor", "version": __version__,
                            "rules": [_rule(r) for r in rules]}},
        "results": results,
    }]}
    return json.dumps(log, indent=2, allow_nan=False)


def _rule(r: Rule) -> dict[str, Any]:
    return {"id": r.code, "name": r.name,
            "shortDescription": {"text": r.summary},
            "fullDescription": {"text": _unwrap(r.doc)},
            "help": {"text": f"{_unwrap(r.doc)}\n\nTrend condition: {r.condition}."},
            "defaultConfiguration": {"level": LEVELS[r.severity]},
            "properties": {"condition": r.condition}}


def _result(report: Report, run: str, d: Diagnosis, index: dict[str, int]) -> dict[str, Any]:
    where = f"[run {run}] " if len(report.runs) > 1 and run else ""
    out: dict[str, Any] = {
        "ruleId": d.code, "level": LEVELS[d.severity],
        "message": {"text": where + d.message},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": artifact_uri(
            report.source)}, "region": {"startLine": 1}}}],
        "properties": {"run": run, "verdict": d.name == _verdict(report, run),
                       "start_step": _clean(d.start_step), "end_step": _clean(d.end_step),
                       "evidence": _clean(d.evidence), "actions": list(d.actions)},
    }
    if d.code in index:
        out["ruleIndex"] = index[d.code]
    return out


def _unwrap(doc: str) -> str:
    """Docstring paragraphs without their source line breaks (viewers wrap text)."""
    return "\n\n".join(" ".join(p.split()) for p in doc.split("\n\n"))


def _verdict(report: Report, run: str) -> str:
    return next(r.verdict for r in report.runs if r.run == run)


def artifact_uri(source: str) -> str:
    """A relative path stays relative (code scanning resolves it against the checkout)."""
    path = Path(source)
    if path.is_absolute():
        return path.as_uri()
    return quote(path.as_posix(), safe="/._-~")


def _clean(value: Any) -> Any:
    """JSON-safe evidence: numpy scalars to numbers, NaN/Inf to None, tuples to lists."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    return value
