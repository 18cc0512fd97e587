"""Markdown for pull-request comments and $GITHUB_STEP_SUMMARY: verdict, table, actions, curves."""
from __future__ import annotations

from ..numbers import fmt, fmt_step
from ..records import Diagnosis
from ..report import Report, RunReport
from .registry import formatter


@formatter("markdown")
def render(report: Report, color: bool = False) -> str:
    if not report.runs:      # a sweep where no run could be read
        return "\n".join([f"### lossdoctor: `{_code(report.source)}` — no readable log", ""]
                         + _unreadable(report))
    multi = len(report.runs) > 1
    main = report.main
    sev = main.primary.severity.label if main.primary else "info"
    lines = [f"### lossdoctor: `{_code(report.source)}` — **{report.verdict}** ({sev})", ""]
    if multi:
        lines += [f"{len(report.runs)} runs; the verdict is run `{_code(main.run)}`'s.", ""]
    lines += _diagnosis_table(report.runs, multi)
    if report.failures:
        lines += [""] + _unreadable(report)
    for run in sorted(report.runs, key=lambda r: r is not main):
        if run.primary and run.primary.actions:
            whose = f" for run `{_code(run.run)}`" if multi else ""
            lines += ["", f"**What to do about {run.verdict}**{whose}:", ""]
            lines += [f"- {_cell(a)}" for a in run.primary.actions]
    lines += ["", "<details><summary>Curves</summary>", ""]
    lines += _curve_table(report.runs, multi)
    lines += ["", "</details>"]
    notes = report.notes + [f"{_run_label(r, multi)}{n}" for r in report.runs for n in r.notes]
    if notes:
        lines += ["", "Notes:", ""] + [f"- {_cell(n)}" for n in notes]
    return "\n".join(lines)


def _diagnosis_table(runs: list[RunReport], multi: bool) -> list[str]:
    head = ["run"] if multi else []
    head += ["code", "diagnosis", "severity", "steps", "message"]
    rows = [_row(head), _row(["---"] * len(head))]
    for run in runs:
        found: list[Diagnosis | None] = list(run.diagnoses) or [None]
        for d in found:
            cells = [f"`{_code(run.run)}`"] if multi else []
            if d is None:
                cells += ["", run.verdict, "", "", "no rule matched clearly"]
            else:
                cells += [d.code, d.name, d.severity.label, _steps(d), _cell(d.message)]
            rows.append(_row(cells))
    return rows


def _unreadable(report: Report) -> list[str]:
    return ["**Could not be read:**", ""] + [f"- `{_code(run)}`: {_cell(message)}"
                                            for run, message in report.failures]


def _curve_table(runs: list[RunReport], multi: bool) -> list[str]:
    head = (["run"] if multi else []) + ["curve", "points", "steps", "first", "last", "best",
                                         "trend"]
    rows = [_row(head), _row(["---"] * len(head))]
    for run in runs:
        for c in run.context.curves():
            s = c.summary
            cells = [f"`{_code(run.run)}`"] if multi else []
            cells += [c.split, str(s.points), f"{fmt_step(s.first_step)}–{fmt_step(s.last_step)}",
                      fmt(s.first_value), fmt(s.last_value),
                      f"{fmt(s.min_value)} at step {fmt_step(s.min_step)}",
                      " ".join(w.direction.value for w in s.windows)]
            rows.append(_row(cells))
    return rows


def _steps(d: Diagnosis) -> str:
    if d.start_step is None and d.end_step is None:
        return ""
    end = "" if d.end_step is None else fmt_step(d.end_step)
    return f"{fmt_step(d.start_step)}–{end}"


def _run_label(run: RunReport, multi: bool) -> str:
    return f"`{_code(run.run)}`: " if multi and run.run else ""


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _cell(text: str) -> str:
    """One table cell or list item: no line breaks, pipes and HTML tags defused."""
    return (" ".join(text.split()).replace("\\", "\\\\").replace("|", "\\|")
            .replace("<", "&lt;").replace(">", "&gt;"))


def _code(text: str) -> str:
    return " ".join(text.split()).replace("`", "'")
