"""Human-readable output: the verdict first, then its evidence, actions, other findings."""
from __future__ import annotations

import click

from ..errors import printable
from ..numbers import fmt, fmt_confidence, fmt_step
from ..records import Diagnosis, Severity
from ..report import Report, RunReport
from .registry import formatter

COLORS = {Severity.INFO: "green", Severity.WARNING: "yellow", Severity.ERROR: "red"}


@formatter("text")
def render(report: Report, color: bool = False) -> str:
    if report.sweep:
        return "\n".join(_sweep_lines(report, color))
    lines: list[str] = []
    runs = report.runs
    multi = len(runs) > 1
    if multi:
        counts = ", ".join(f"{n} {name}" for name, n in report.counts().items())
        lines += [f"{report.source}: {len(runs)} runs: {counts}; the most urgent is run "
                  f"{report.main.run} ({report.verdict})", ""]
    said: set[str] = set()          # each action once, under the first run that needs it
    for i, run in enumerate(sorted(runs, key=lambda r: r is not report.main)):
        if i:
            lines.append("")
        lines += _run_lines(report, run, color, multi, said)
    if report.notes:
        lines.append("notes:")
        lines += [f"  - {n}" for n in report.notes]
    return "\n".join(lines)


def _style(text: str, color: bool, **kw: object) -> str:
    return click.style(text, **kw) if color else text  # type: ignore[arg-type]


def _run_lines(report: Report, run: RunReport, color: bool, multi: bool, said: set[str]
               ) -> list[str]:
    primary = run.primary
    sev = primary.severity if primary else Severity.INFO
    where = printable(report.source + (f" [run {run.run}]" if multi and run.run else ""))
    head = _style(run.verdict.upper(), color, fg=COLORS[sev], bold=True)
    conf = fmt_confidence(primary.confidence if primary else None)
    lines = [f"{where}: {head} ({sev.label}{conf})"]
    if primary:
        lines += _diagnosis_body(primary, said)
    others = [d for d in run.diagnoses if d is not primary]
    if others:
        lines.append("also:")
        for d in others:
            tag = _style(f"{d.code} {d.name}", color, fg=COLORS[d.severity])
            lines.append(f"  {tag} ({d.severity.label}{fmt_confidence(d.confidence)}):"
                         f" {d.message}")
    lines.append("curves:")
    for c in run.context.curves():
        s = c.summary
        lines.append(f"  {c.split:<5} {s.points} points, steps {fmt_step(s.first_step)}-"
                     f"{fmt_step(s.last_step)}: {fmt(s.first_value)} -> {fmt(s.last_value)}"
                     f" (best {fmt(s.min_value)} at step {fmt_step(s.min_step)})"
                     f"; trend {' '.join(w.direction.value for w in s.windows)}")
    lines += [f"  note: {n}" for n in run.notes]
    return lines


def _diagnosis_body(d: Diagnosis, said: set[str]) -> list[str]:
    lines = [f"  {d.message}"]
    new = [a for a in d.actions if a not in said]
    if new:
        lines.append("  what to do:")
        lines += [f"    - {a}" for a in new]
    elif d.actions:
        lines.append("  what to do: as above")
    said.update(d.actions)
    return lines


#: widest evidence shown in a sweep's table row; the JSON output has the whole message
SWEEP_MESSAGE = 100
#: width of a sweep row's best-test-loss cell
BEST = 18


def _sweep_lines(report: Report, color: bool) -> list[str]:
    """One row per run (path, verdict, severity, onset and evidence), then the counts."""
    width = max([len(printable(r.run)) for r in report.runs]
                + [len(printable(r)) for r, _ in report.failures] + [3])
    lines = []
    for run in report.runs:
        d = run.primary
        sev = d.severity if d else Severity.INFO
        head = _style(f"{run.verdict.upper():<13}", color, fg=COLORS[sev], bold=True)
        lines.append(f"{printable(run.run):<{width}}  {head} {sev.label:<7}  {_best(run):<{BEST}}  "
                     f"{_evidence(d)}".rstrip())
    for where, message in report.failures:
        head = _style(f"{'UNREADABLE':<13}", color, fg="red", bold=True)
        lines.append(f"{printable(where):<{width}}  {head} {'-':<7}  {'-':<{BEST}}  "
                     f"{printable(message)}")
    total = len(report.runs) + len(report.failures)
    counts = ", ".join(f"{n} {name}" for name, n in report.counts().items())
    lines += ["", f"{total} run{'s' if total != 1 else ''} under {printable(report.source)}:"
                  f" {counts}"]
    lines += [f"note: {n}" for n in report.notes]
    return lines


def _best(run: RunReport) -> str:
    """The run's best test loss and its step (``best 0.31@120``), to pick a sweep's winner."""
    test = run.context.test
    if test is None:
        return "best -"
    return f"best {fmt(test.summary.min_value)}@{fmt_step(test.summary.min_step)}"


def _evidence(d: Diagnosis | None) -> str:
    if d is None:
        return ""
    _, colon, rest = d.message.partition(": ")
    text = rest if colon and len(_) < 40 else d.message
    if len(text) > SWEEP_MESSAGE:
        text = text[:SWEEP_MESSAGE - 3].rstrip() + "..."
    onset = f"from step {fmt_step(d.start_step)}: " if d.start_step is not None else ""
    return onset + text
