"""HTML output: one self-contained page (inline CSS and SVG, no scripts, no network access).

The same markup, without the page around it, is what a Report shows in Jupyter. Plots are
drawn by lossdoctor.plot when matplotlib is installed; without it the page says how to get it.
"""
from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

from ..errors import MissingDependencyError
from ..numbers import fmt, fmt_confidence, fmt_step
from ..palette import DIRECTION_COLORS, SEVERITY_COLORS
from ..records import Diagnosis, Severity
from ..report import Report, RunReport
from .registry import formatter

#: a sweep of many runs gets this many small plots (most urgent first); the table has all
MAX_PLOTS = 40
BIG, SMALL = (8.0, 4.5), (6.4, 3.6)

CSS = """
.ld-report{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
 color:#1f2328;background:#fff;max-width:60rem;margin:0 auto;padding:1rem;line-height:1.45;
 font-size:16px;overflow-wrap:break-word}
.ld-report *{box-sizing:border-box}
.ld-report h1{font-size:1.45rem;margin:.2rem 0 .4rem}
.ld-report h2{font-size:1.15rem;margin:1.4rem 0 .5rem;border-bottom:1px solid #d0d7de}
.ld-report h3{font-size:1rem;margin:1rem 0 .3rem}
.ld-badge{display:inline-block;padding:.1rem .55rem;border-radius:.4rem;color:#fff;
 font-weight:700;letter-spacing:.03em}
.ld-small{font-size:.8rem;padding:0 .4rem}
.ld-meta{color:#57606a;font-size:.9rem;margin:.1rem 0}
.ld-lead{font-size:1.02rem;margin:.6rem 0}
.ld-plot{margin:.6rem 0}
.ld-plot svg{display:block;width:100%;height:auto;max-width:100%}
.ld-plot-small{max-width:42rem}
.ld-noplot{color:#57606a;font-style:italic;border:1px dashed #d0d7de;padding:.5rem}
.ld-wrap{overflow-x:auto}
.ld-report table{border-collapse:collapse;width:100%;font-size:.92rem}
.ld-report th,.ld-report td{border-bottom:1px solid #d0d7de;padding:.35rem .5rem;
 text-align:left;vertical-align:top}
.ld-report th{background:#f6f8fa;white-space:nowrap}
.ld-diag td:first-child,.ld-diag td:nth-child(2){white-space:nowrap}
.ld-report ul{margin:.3rem 0;padding-left:1.3rem}
.ld-report details{margin-top:.3rem;font-size:.88rem}
.ld-report dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .8rem;margin:.3rem 0}
.ld-report dt{color:#57606a}.ld-report dd{margin:0}
.ld-dir{display:inline-block;padding:0 .35rem;border-radius:.3rem;font-size:.78rem;
 color:#fff;margin:.05rem}
.ld-run{border-top:1px solid #d0d7de;margin-top:1.2rem}
@media (max-width:640px){
 .ld-report{padding:.6rem;font-size:15px}
 .ld-diag thead{display:none}
 .ld-diag tr{display:block;border-bottom:1px solid #d0d7de;padding:.3rem 0}
 .ld-diag td{display:block;border:0;padding:.15rem .2rem;white-space:normal}
}
"""

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{css}</style>
</head>
<body style="margin:0;background:#fff">
{body}
</body>
</html>
"""


@formatter("html", many=True)
def render(reports: Sequence[Report], color: bool = False) -> str:
    """A whole page: one section per report (one per log given)."""
    first = reports[0] if reports else None
    title = ("lossdoctor: " + (f"{first.verdict} — {Path(first.source).name}"
                               if first is not None and first.runs else "report"))
    body = "\n".join(render_fragment(r, style=False) for r in reports)
    return PAGE.format(title=escape(title), css=CSS, body=body)


def render_fragment(report: Report, style: bool = True) -> str:
    """The report as an HTML fragment, with its scoped <style> for a notebook cell."""
    parts = [f"<style>{CSS}</style>"] if style else []
    parts.append('<div class="ld-report">')
    multi = len(report.runs) > 1 or report.sweep
    if multi:
        parts += _multi(report)
    elif report.runs:
        parts += _run(report, report.runs[0], BIG, heading=True)
    notes = list(report.notes)
    if notes:
        parts += ["<h2>Notes</h2>", _list(notes)]
    parts.append('<p class="ld-meta">made by lossdoctor</p></div>')
    return "\n".join(parts)


def _badge(d_or_verdict: str, sev: Severity, small: bool = False) -> str:
    cls = "ld-badge ld-small" if small else "ld-badge"
    return (f'<span class="{cls}" style="background:{SEVERITY_COLORS[sev]}">'
            f"{escape(d_or_verdict)}</span>")


def _severity(run: RunReport) -> Severity:
    return run.primary.severity if run.primary else Severity.INFO


def _run(report: Report, run: RunReport, size: tuple[float, float], heading: bool) -> list[str]:
    """One run: verdict, its message, the plot, what to do, all diagnoses, the curves."""
    sev = _severity(run)
    tag = "h1" if heading else "h3"
    name = "" if heading else f"{escape(run.run or Path(report.source).name)} "
    conf = fmt_confidence(run.primary.confidence if run.primary else None)
    out = [f'<{tag} class="ld-verdict">{name}{_badge(run.verdict.upper(), sev)} '
           f'<span class="ld-meta">{sev.label}{conf}</span></{tag}>']
    if heading:
        out.append(f'<p class="ld-meta">{escape(report.source)} · format '
                   f"{escape(report.format)}</p>")
    if run.primary:
        out.append(f'<p class="ld-lead">{escape(run.primary.message)}</p>')
    out.append(_plot(report, run, size))
    if run.primary and run.primary.actions:
        out += ["<h3>What to do</h3>", _list(run.primary.actions)]
    if run.diagnoses:
        out += ["<h3>Diagnoses</h3>", _diagnoses(run.diagnoses)]
    out += ["<h3>Curves</h3>", _curves(run)]
    if run.notes:
        out.append(_list(run.notes))
    return out


def _plot(report: Report, run: RunReport, size: tuple[float, float]) -> str:
    """The run's annotated plot as inline SVG; a line saying how to get it without matplotlib."""
    from ..plot import svg

    try:
        cls = "ld-plot" if size == BIG else "ld-plot ld-plot-small"
        return f'<div class="{cls}">{svg(report, run.run, size)}</div>'
    except MissingDependencyError as exc:
        return (f'<p class="ld-noplot">No plot: matplotlib is not installed '
                f"({escape(exc.hint or '')}).</p>")


def _list(items: Sequence[str]) -> str:
    return "<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>"


def _steps(d: Diagnosis) -> str:
    if d.start_step is None:
        return ""
    end = f"–{fmt_step(d.end_step)}" if d.end_step is not None else " on"
    return f"{fmt_step(d.start_step)}{end}"


def _diagnoses(found: Sequence[Diagnosis]) -> str:
    rows = []
    for d in found:
        rows.append(
            f"<tr><td>{_badge(d.name, d.severity, small=True)}<br>"
            f'<span class="ld-meta">{escape(d.code)} · {d.severity.label}</span></td>'
            f"<td>{escape(_steps(d))}</td>"
            f"<td>{escape(d.message)}{_evidence(d.evidence)}</td>"
            f"<td>{_list(d.actions) if d.actions else ''}</td></tr>")
    return ('<div class="ld-wrap"><table class="ld-diag"><thead><tr><th>diagnosis</th>'
            "<th>steps</th><th>finding</th><th>what to do</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table></div>")


def _value(v: Any) -> str:
    if isinstance(v, bool) or v is None:
        return str(v)
    if isinstance(v, int | float):
        return fmt(float(v))
    if isinstance(v, list | tuple):
        return ", ".join(_value(x) for x in v)
    return str(v)


def _evidence(evidence: dict[str, Any]) -> str:
    if not evidence:
        return ""
    items = "".join(f"<dt>{escape(k)}</dt><dd>{escape(_value(v))}</dd>"
                    for k, v in evidence.items())
    return f"<details><summary>evidence</summary><dl>{items}</dl></details>"


def _curves(run: RunReport) -> str:
    rows = []
    for c in run.context.curves():
        s = c.summary
        trend = "".join(f'<span class="ld-dir" style="background:{DIRECTION_COLORS[w.direction]}"'
                        f">{w.direction.value}</span>" for w in s.windows)
        rows.append(f"<tr><td>{escape(c.split)}</td><td>{s.points}</td>"
                    f"<td>{fmt_step(s.first_step)}–{fmt_step(s.last_step)}</td>"
                    f"<td>{fmt(s.first_value)} → {fmt(s.last_value)}</td>"
                    f"<td>{fmt(s.min_value)} @ {fmt_step(s.min_step)}</td><td>{trend}</td></tr>")
    return ('<div class="ld-wrap"><table><thead><tr><th>curve</th><th>points</th><th>steps</th>'
            "<th>first → last</th><th>best</th><th>trend</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table></div>")


def _multi(report: Report) -> list[str]:
    """A sweep or a multi-run log: the summary table, then one small plot per run."""
    out = [f"<h1>{escape(Path(report.source).name or report.source)}</h1>",
           f'<p class="ld-meta">{escape(report.source)} · {len(report.runs)} runs · '
           + escape(", ".join(f"{k}: {v}" for k, v in report.counts().items())) + "</p>"]
    if report.runs:
        main = report.main
        out.append(f'<p class="ld-lead">Most urgent: run <b>{escape(main.run)}</b> '
                   f"{_badge(main.verdict.upper(), _severity(main))}</p>")
    out += ["<h2>Runs</h2>", _summary(report)]
    if report.failures:
        out += ["<h2>Unreadable logs</h2>",
                _list([f"{run}: {msg}" for run, msg in report.failures])]
    ordered = sorted(report.runs, key=lambda r: r is not report.main) if report.runs else []
    for run in ordered[:MAX_PLOTS]:
        out += ['<section class="ld-run">'] + _run(report, run, SMALL, heading=False)
        out.append("</section>")
    if len(ordered) > MAX_PLOTS:
        out.append(f'<p class="ld-meta">Plots of the other {len(ordered) - MAX_PLOTS} runs are'
                   " left out to keep this page small; the table above lists every run.</p>")
    return out


def _summary(report: Report) -> str:
    rows = []
    for run in report.runs:
        p = run.primary
        rows.append(f"<tr><td>{escape(run.run)}</td><td>{_badge(run.verdict, _severity(run), True)}"
                    f"</td><td>{escape(_steps(p)) if p else ''}</td>"
                    f"<td>{escape(', '.join(d.name for d in run.diagnoses if d is not p))}"
                    "</td></tr>")
    return ('<div class="ld-wrap"><table class="ld-diag"><thead><tr><th>run</th><th>verdict</th>'
            "<th>steps</th><th>also</th></tr></thead><tbody>" + "".join(rows)
            + "</tbody></table></div>")
