"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` per diagnosis.

Escaping follows the Actions toolkit: ``%``, CR and LF in the message; the same plus ``:``
and ``,`` in properties (file, title).
"""
from __future__ import annotations

from ..records import Diagnosis, Severity
from ..report import Report
from .registry import combined, formatter

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


@formatter("github")
def render(report: Report, color: bool = False) -> str:
    multi = len(report.runs) > 1
    lines = []
    for run, d in report.all_diagnoses():
        where = f"[run {run}] " if multi and run else ""
        props = f"file={escape_property(report.source)},title={escape_property(_title(d))}"
        lines.append(f"::{COMMANDS[d.severity]} {props}::{escape_data(where + _body(d))}")
    return "\n".join(lines)


@combined("github")
def render_list(reports: list[Report], color: bool = False) -> str:
    """Several logs: their commands one after another (no blank lines)."""
    return "\n".join(text for text in (render(r) for r in reports) if text)


def _title(d: Diagnosis) -> str:
    return f"{d.code} {d.name}"


def _body(d: Diagnosis) -> str:
    """The message, then the actions one per line (annotations show line breaks)."""
    return "\n".join([d.message] + [f"- {a}" for a in d.actions])


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
