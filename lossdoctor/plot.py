"""Plots of a Report: raw and smoothed curves, trend windows by direction, onsets, the verdict.

matplotlib is an optional extra (``pip install "lossdoctor[plot]"``) and is imported only
when a plot is drawn, so reading and diagnosing logs never pays for it.
"""
from __future__ import annotations

import io
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import MissingDependencyError, UsageError, close_matches
from .evidence_keys import SPIKE_STEPS, TEST_BEST_STEP, TEST_BEST_VALUE
from .numbers import fmt, fmt_step
from .palette import DIRECTION_COLORS, SEVERITY_COLORS, SPLIT_COLORS
from .records import Diagnosis, Severity
from .report import Report, RunReport

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

INSTALL = 'pip install "lossdoctor[plot]"'
#: what an onset marker says, by diagnosis; {step} is its start_step
ONSET_LABELS = {"overfitting": "test stops improving @ {step}",
                "divergence": "diverging from {step}", "lr_too_high": "unstable from {step}",
                "non_finite": "first NaN/Inf @ {step}", "plateau": "flat since {step}",
                "data_problem": "data problem from {step}"}
TB_POINTS = 1000        # points TensorBoard keeps of a scalar curve, and smooths
LOG_DECADES = 1.5       # a loss spanning more decades than this is drawn on a log axis
RIBBON = 0.045          # height of one trend ribbon, as a fraction of the axes
SIZE = (8.0, 4.5)       # inches: readable in a notebook, a PNG and a phone-wide HTML page
FORMATS = ("png", "svg", "pdf")


def ema(values: np.ndarray, weight: float) -> np.ndarray:
    """TensorBoard's smoothing: a debiased exponential moving average of the finite values.

    ``last = last * w + (1 - w) * y`` started at 0 and divided by ``1 - w**n`` (n = finite
    points so far), so the start is not pulled towards zero; NaN/Inf pass through, and a
    constant curve is returned as it is (as TensorBoard's scalar dashboard does). The plot
    picks ``w`` per curve: see smoothing_weights.
    """
    values = np.asarray(values, dtype=float)
    out = values.copy()
    if not len(values) or np.all(values == values[0]) or not 0 <= weight < 1:
        return out
    import pandas as pd

    # pandas' adjusted EWM is exactly this debiased average (sum of w**i * y over sum of
    # w**i), computed in C: a million points take milliseconds, not a Python loop's seconds
    finite = np.isfinite(values)
    series = pd.Series(np.where(finite, values, np.nan))
    smooth = series.ewm(alpha=1.0 - weight, adjust=True, ignore_na=True).mean().to_numpy()
    out[finite] = smooth[finite]
    return out


def matplotlib_module() -> Any:
    """matplotlib, or a MissingDependencyError saying exactly what to install."""
    try:
        import matplotlib
    except ImportError:
        raise MissingDependencyError("plotting needs matplotlib, which is not installed",
                                     None, INSTALL) from None
    return matplotlib


def pyplot() -> Any:
    """pyplot on the Agg backend when there is no display (servers, CI), else the user's."""
    mpl = matplotlib_module()
    headless = sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if (headless and "matplotlib.pyplot" not in sys.modules and "ipykernel" not in sys.modules
            and not os.environ.get("MPLBACKEND")):
        mpl.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def pick_run(report: Report, run: str | None = None) -> RunReport:
    """The run to draw: the report's main one, or the one named."""
    if run is None:
        return report.main
    for r in report.runs:
        if r.run == run:
            return r
    names = [r.run for r in report.runs]
    close = close_matches(run, names, n=1)
    raise UsageError(f"no run {run!r} in this report", report.source,
                     f"did you mean {close[0]!r}?" if close else f"runs: {', '.join(names)}")


def curve_points(run: RunReport) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """{split: (steps, values)} in step order: the raw points, else the trends' reduced ones."""
    out = {}
    for c in (*run.context.curves(), *run.context.broken):    # broken: too short, with NaN
        if run.points is not None:
            part = run.points[run.points["split"] == c.split].sort_values("step", kind="stable")
            out[c.split] = (part["step"].to_numpy(float), part["value"].to_numpy(float))
        else:
            out[c.split] = (np.asarray(c.steps, float), np.asarray(c.values, float))
    return out


def wants_log(points: dict[str, tuple[np.ndarray, np.ndarray]]) -> bool:
    """Log scale when the finite losses are all positive and span more than ~1.5 decades."""
    values = np.concatenate([v for _, v in points.values()] or [np.empty(0)])
    values = values[np.isfinite(values)]
    if not len(values) or values.min() <= 0:
        return False
    return bool(np.log10(values.max() / values.min()) > LOG_DECADES)


def plot_report(report: Report, ax: Axes | None = None, smoothing: float = 0.6,
                logy: bool | None = None, run: str | None = None) -> Axes:
    """Draw a report's run on ``ax`` (a new pyplot figure when None) and return the Axes.

    >>> ax = lossdoctor.diagnose("fixtures/overfitting.csv").plot()     # doctest: +SKIP
    """
    if not 0 <= smoothing < 1:
        raise UsageError(f"smoothing must be in [0, 1), got {smoothing}")
    chosen = pick_run(report, run)
    if ax is None:
        _, ax = pyplot().subplots(figsize=SIZE, layout="constrained")
    else:
        matplotlib_module()
    draw_run(ax, report, chosen, smoothing, logy)
    return ax


def draw_run(ax: Axes, report: Report, run: RunReport, smoothing: float,
             logy: bool | None) -> None:
    """Curves first, then the axis scale and room for the ribbons, then annotations."""
    points = curve_points(run)
    log = wants_log(points) if logy is None else logy
    for split, (steps, values) in points.items():
        _draw_curve(ax, split, steps, values, smoothing_weights(points, smoothing)[split], log)
    if log:
        ax.set_yscale("log")
    _make_room(ax, log)
    for i, c in enumerate(run.context.curves()):
        _draw_ribbon(ax, c.split, c.windows, i)
    onsets: dict[float, list[Diagnosis]] = {}
    for d in run.diagnoses:
        if d.start_step is not None and np.isfinite(d.start_step):
            onsets.setdefault(float(d.start_step), []).append(d)
        if d.name == "overfitting":
            _draw_best(ax, d)
        if d.evidence.get(SPIKE_STEPS):
            _draw_spikes(ax, d)
    for step, found in onsets.items():
        _draw_onset(ax, step, found, run.primary)
    _draw_non_finite(ax, points)
    _draw_title(ax, report, run)
    _draw_legend(ax, sorted(points, key=lambda split: split != "train"))
    ax.set_xlabel("step")
    ax.set_ylabel("loss" + (" (log scale)" if log else ""))
    ax.grid(True, which="major", alpha=0.25)


def smoothing_weights(points: dict[str, tuple[np.ndarray, np.ndarray]], smoothing: float
                      ) -> dict[str, float]:
    """The EMA weight of each curve, so every curve is smoothed over the same stretch of steps.

    TensorBoard keeps ~1000 points of a curve and smooths those; a curve logged every k of
    those spacings (a sparse eval curve, or a dense one kept whole) gets ``smoothing**k``.
    Curves of up to 1000 points logged at one rate get exactly TensorBoard's weight.
    """
    gaps = {split: _step_gap(steps) for split, (steps, _) in points.items()}
    spans = [float(s.max() - s.min()) for s, _ in points.values() if len(s)]
    ref = max(min(gaps.values(), default=1.0), max(spans, default=0.0) / TB_POINTS)
    return {split: smoothing ** (gap / ref) if ref > 0 else smoothing
            for split, gap in gaps.items()}


def _step_gap(steps: np.ndarray) -> float:
    """The usual distance between logged steps: how often a curve was recorded."""
    gaps = np.diff(steps)
    gaps = gaps[gaps > 0]
    return float(np.median(gaps)) if len(gaps) else 1.0


def smoothed(values: np.ndarray, weight: float, log: bool) -> np.ndarray:
    """The line drawn through a curve's points: ``ema`` on the axis's own scale. On a log
    axis the average is of log values (a geometric mean): a loss that falls from 1e5 to
    0.03 in a few points is not drawn decaying for dozens more, held up by its first."""
    if not log or not len(values) or np.nanmin(values) <= 0:
        return ema(values, weight)
    return np.exp(ema(np.log(values), weight))


def _draw_curve(ax: Axes, split: str, steps: np.ndarray, values: np.ndarray,
                smoothing: float, log: bool) -> None:
    color = SPLIT_COLORS.get(split, "#555555")
    finite = np.isfinite(values)
    s, v = steps[finite], values[finite]
    raw = ax.plot(s, v, color=color, alpha=0.28, linewidth=0.9, zorder=2,
                  marker="o" if len(s) <= 60 else None, markersize=2.5)[0]
    raw.set_gid(f"raw:{split}")
    line = ax.plot(s, smoothed(v, smoothing, log), color=color, linewidth=2.2, zorder=3,
                   label=split)[0]
    line.set_gid(f"smooth:{split}")


def _make_room(ax: Axes, log: bool) -> None:
    """Lower the y axis so the two trend ribbons at the bottom do not cover the curves."""
    ax.relim()
    ax.autoscale_view()
    lo, hi = ax.get_ylim()
    share = 2.6 * RIBBON
    if log and lo > 0:
        a, b = np.log10(lo), np.log10(hi)
        ax.set_ylim(10 ** (a - share / (1 - share) * (b - a)), hi)
    else:
        ax.set_ylim(lo - share / (1 - share) * (hi - lo), hi)


def _draw_ribbon(ax: Axes, split: str, windows: Any, row: int) -> None:
    """One band per split along the bottom: each trend window coloured by its direction."""
    y0 = 0.006 + row * (RIBBON + 0.006)
    for w in windows:
        span = ax.axvspan(w.start_step, w.end_step, ymin=y0, ymax=y0 + RIBBON,
                          color=DIRECTION_COLORS[w.direction], alpha=0.55, linewidth=0,
                          zorder=1)
        span.set_gid(f"trend:{split}:{w.direction.value}")
    if windows:
        ax.text(windows[0].start_step, y0 + RIBBON / 2, f" {split} trend",
                transform=ax.get_xaxis_transform(), fontsize=7, va="center", ha="left",
                color="white", fontweight="bold", zorder=5)


def _onset_label(d: Diagnosis) -> str:
    return ONSET_LABELS.get(d.name, d.name + " @ {step}").format(step=fmt_step(d.start_step))


def _draw_onset(ax: Axes, step: float, found: list[Diagnosis], primary: Diagnosis | None
                ) -> None:
    """A dashed line where diagnoses start; those starting at one step share it and its label."""
    main = primary in found
    color = SEVERITY_COLORS[max(d.severity for d in found)]
    line = ax.axvline(step, color=color, linestyle="--", zorder=4,
                      linewidth=1.8 if main else 1.1, alpha=1.0 if main else 0.75)
    line.set_gid("onset:" + ",".join(d.name for d in found))
    ax.text(step, 0.97, " · ".join(_onset_label(d) for d in found) + " ",
            transform=ax.get_xaxis_transform(), rotation=90, va="top", ha="right",
            fontsize=7.5, color=color, zorder=6, fontweight="bold" if main else "normal",
            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.75,
                  "linewidth": 0})


def _draw_best(ax: Axes, d: Diagnosis) -> None:
    """Overfitting: a star on the best test point, where training should have stopped."""
    best_step, best = d.evidence.get(TEST_BEST_STEP), d.evidence.get(TEST_BEST_VALUE)
    if best_step is None or best is None:
        return
    color = SEVERITY_COLORS[d.severity]
    star = ax.plot([best_step], [best], marker="*", markersize=13, color=color,
                   markeredgecolor="white", zorder=7, linestyle="none")[0]
    star.set_gid("best:test")
    ax.annotate(f"best test {fmt(best)} @ {fmt_step(best_step)}", (best_step, best),
                xytext=(8, -12), textcoords="offset points", fontsize=8, color=color,
                zorder=7, bbox={"boxstyle": "round,pad=0.2", "facecolor": "white",
                                "alpha": 0.8, "linewidth": 0})


def _draw_spikes(ax: Axes, d: Diagnosis) -> None:
    """lr_too_high: a small triangle along the top edge at each spike the rule counted."""
    steps = [float(x) for x in d.evidence[SPIKE_STEPS]]
    marks = ax.plot(steps, np.full(len(steps), 0.985), transform=ax.get_xaxis_transform(),
                    marker="v", markersize=6, color=SEVERITY_COLORS[d.severity],
                    linestyle="none", zorder=6, clip_on=False, label="_spikes")[0]
    marks.set_gid("spikes")


def _draw_non_finite(ax: Axes, points: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:
    """Red crosses along the top edge at the steps whose loss was NaN or Inf."""
    bad = np.concatenate([s[~np.isfinite(v)] for s, v in points.values()] or [np.empty(0)])
    if len(bad):
        marks = ax.plot(bad, np.full(len(bad), 0.99), transform=ax.get_xaxis_transform(),
                        marker="x", markersize=5, color=SEVERITY_COLORS[Severity.ERROR],
                        linestyle="none", zorder=6, clip_on=False)[0]
        marks.set_gid("non_finite")


def _draw_title(ax: Axes, report: Report, run: RunReport) -> None:
    primary = run.primary
    sev = primary.severity if primary else Severity.INFO
    ax.set_title(f"{run.verdict.upper()} ({sev.label})", fontsize=13, fontweight="bold",
                 color=SEVERITY_COLORS[sev])
    where = Path(report.source).name + (f" [{run.run}]" if len(report.runs) > 1 else "")
    ax.set_title(where if len(where) <= 28 else "…" + where[-27:], loc="right", fontsize=8,
                 color="#666666")


#: legend entries for the marks a plot may hold, by the gid prefix of the drawn artist
MARKS: dict[str, tuple[Any, str | None, str]] = {
    "onset:": ("--", None, "diagnosis starts"), "best:": ("none", "*", "best test"),
    "spikes": ("none", "v", "spike"), "non_finite": ("none", "x", "NaN/Inf")}


def _draw_legend(ax: Axes, splits: list[str]) -> None:
    """Below the axes: the curves, the three trend colours, then the marks this plot has."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = [Line2D([], [], color=SPLIT_COLORS.get(s, "#555555"), linewidth=2.2,
                                 label=f"{s} (smoothed)") for s in splits]
    handles += [Patch(color=c, alpha=0.55, label=d.value) for d, c in DIRECTION_COLORS.items()]
    gids = [ln.get_gid() or "" for ln in ax.get_lines()]
    for prefix, (style, marker, label) in MARKS.items():
        if any(g.startswith(prefix) for g in gids):
            handles.append(Line2D([], [], color="#444444", linestyle=style, marker=marker,
                                  markersize=7, label=label))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.13),
              ncol=min(len(handles), 5), frameon=False, fontsize=8, handlelength=1.6,
              columnspacing=1.2)


def figure(report: Report, run: str | None = None, smoothing: float = 0.6,
           logy: bool | None = None, size: tuple[float, float] = SIZE) -> Figure:
    """A stand-alone Figure (no pyplot, no global state): for files and HTML."""
    matplotlib_module()
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained")
    plot_report(report, fig.add_subplot(), smoothing, logy, run)
    return fig


def save(report: Report, path: str | Path, run: str | None = None, smoothing: float = 0.6,
         logy: bool | None = None) -> Path:
    """Write the plot to a .png, .svg or .pdf file, the format taken from the extension."""
    path = Path(path)
    ext = image_format(path)
    fig = figure(report, run, smoothing, logy)
    fig.savefig(path, format=ext, dpi=150)
    return path


def image_format(path: str | Path) -> str:
    """png, svg or pdf, from a file name's extension; a UsageError for anything else."""
    suffix = Path(path).suffix
    if suffix.lower().lstrip(".") not in FORMATS:
        raise UsageError(f"cannot write a plot as {suffix or 'a file without extension'}",
                         str(path), "use .png, .svg or .pdf")
    return suffix.lower().lstrip(".")


def svg(report: Report, run: str | None = None, size: tuple[float, float] = SIZE) -> str:
    """The plot as an ``<svg>`` element that scales to its container, for inline HTML."""
    mpl = matplotlib_module()
    with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": f"lossdoctor-{run}"}):
        fig = figure(report, run, size=size)
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})   # same report, same page
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    head, rest = text.split(">", 1)
    head = _drop_attrs(head, ("width", "height"))
    return (head + ' width="100%" preserveAspectRatio="xMidYMid meet" role="img"'
            f' aria-label="loss curves: {pick_run(report, run).verdict}">' + rest)


def _drop_attrs(tag: str, names: tuple[str, ...]) -> str:
    import re

    for name in names:
        tag = re.sub(rf'\s{name}="[^"]*"', "", tag)
    return tag
