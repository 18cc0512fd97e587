"""MLflow's file store: a run folder's metrics/<name> files of 'timestamp value step' lines."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..columns import CountedWhenAsked, choose_columns, one_series_split
from ..errors import LogReadError
from ..frame import LossLog, concat_frames, make_frame, validate_frame
from ..names import split_of
from .jsontable import head_is_whole, head_json_text
from .registry import ReadOptions, register
from .source import Source, open_regular
from .tablecurves import split_from_name

if TYPE_CHECKING:     # pandas is imported when metrics are read, not to sniff a folder
    import pandas as pd

_LINE = re.compile(r"^\s*\d{9,}\s+\S+(\s+-?\d+)?\s*$")
MAX_LISTED = 200        # folder entries looked at while sniffing


@dataclass
class Metric:
    """One metric file: steps, values and wall times (seconds), plus what was skipped."""

    steps: np.ndarray
    values: np.ndarray
    wall: np.ndarray
    skipped: int
    truncated_last: bool
    duplicates: int = 0


# ---------------------------------------------------------------- sniffing

def _is_run(path: Path) -> bool:
    return (path / "metrics").is_dir()


def _subdirs(path: Path) -> list[Path]:
    out = []
    for i, child in enumerate(path.iterdir()):
        if i >= MAX_LISTED:
            break
        if child.is_dir() and not child.name.startswith("."):
            out.append(child)
    return sorted(out)


def sniff_metric_file(source: Source) -> float:
    """Lines of ``timestamp value step``, best inside a ``metrics/`` folder."""
    text = head_json_text(source)
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if len(lines) > 1 and not (head_is_whole(source) and text.endswith("\n")):
        lines = lines[:-1]          # the head, or a crashed writer, may stop inside a line
    lines = lines[:20]
    good = sum(1 for ln in lines if _LINE.match(ln) and _value(ln.split()[1]) is not None)
    if not good or good < len(lines) - max(1, len(lines) // 5):
        return 0.0      # one malformed line in twenty (at least one) does not hide the format
    return 0.95 if "metrics" in source.path.parent.parts else 0.85


def sniff_mlflow(source: Source) -> float:
    """A run folder with ``metrics/`` (and meta.yaml), an experiment of runs, or a metric file."""
    if not source.is_dir:
        return sniff_metric_file(source)
    path = source.path
    try:
        if _is_run(path):
            marks = (path / "meta.yaml").is_file() or (path / "tags").is_dir()
            return 0.95 if marks else 0.7
        if path.name == "metrics":
            return 0.7
        subs = _subdirs(path)
        if any(_is_run(s) for s in subs):
            return 0.9
        if any(_is_run(r) for s in subs for r in _subdirs(s)[:20]):
            return 0.85
    except OSError:
        return 0.0
    return 0.0


# ---------------------------------------------------------------- reading one metric file

def _value(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def read_metric(source: Source) -> Metric:
    """Parse 'timestamp value step' lines (old stores: 'timestamp value'); bad lines skipped.
    DVCLive's ``plots/metrics/<name>.tsv`` is read by its header (``step  loss``, or
    ``timestamp  step  loss``)."""
    lines = [ln.split() for ln in source.text.splitlines() if ln.strip()]
    if lines and "step" in lines[0] and len(lines[0]) in (2, 3):
        return _dvclive_metric(lines, source.name)
    widths = [len(p) for p in lines if len(p) in (2, 3)]
    width = max(set(widths), key=widths.count) if widths else 0   # one odd line: not the rule
    rows, bad = _rows(lines, width, 0, 1, 2 if width == 3 else None)
    if not rows:
        raise LogReadError("no 'timestamp value step' lines in this metric file", source.name,
                           "expected MLflow's metrics/<name> file")
    import pandas as pd

    arr = np.array(rows, dtype=float)
    # the same (time, value, step) written twice is one measurement: Keras autolog re-logs
    # its first epoch at the end, and some scripts log a whole history twice
    dup = pd.DataFrame(arr).duplicated().to_numpy()
    arr = arr[~dup]
    last = bool(bad) and bad[-1] == len(lines) - 1
    return Metric(arr[:, 2], arr[:, 1], arr[:, 0] / 1000.0, len(bad) - last, last,
                  int(dup.sum()))


def _dvclive_metric(lines: list[list[str]], name: str) -> Metric:
    """DVCLive's columns by its header: the step, the value, a timestamp when written."""
    header = lines[0]
    at_step, at_time = header.index("step"), header.index("timestamp") if "timestamp" in \
        header else None
    at_value = next(i for i in range(len(header)) if i not in (at_step, at_time))
    rows, bad = _rows(lines[1:], len(header), at_time, at_value, at_step)
    if not rows:
        raise LogReadError("no values under this DVCLive metric's header", name)
    arr = np.array(rows, dtype=float)
    return Metric(arr[:, 2], arr[:, 1], arr[:, 0] / 1000.0, len(bad), False, 0)


def _rows(lines: list[list[str]], width: int, at_time: int | None, at_value: int,
          at_step: int | None) -> tuple[list[tuple[float, float, float]], list[int]]:
    """(time, value, step) of each line of ``width`` cells, the cells at those places (no
    time: NaN; no step: the line's place among the good ones), and the bad lines' indices."""
    rows: list[tuple[float, float, float]] = []
    bad: list[int] = []
    for i, parts in enumerate(lines):
        value = _value(parts[at_value]) if len(parts) == width else None
        try:
            ts = float(parts[at_time]) if at_time is not None else np.nan
            step = float(parts[at_step]) if at_step is not None else float(len(rows))
        except (ValueError, IndexError):
            value = None
        if value is None:
            bad.append(i)
            continue
        rows.append((ts, value, step))
    return rows, bad


def _metric_notes(name: str, metric: Metric) -> list[str]:
    notes = []
    if metric.truncated_last:
        notes.append(f"{name}: last line is truncated; skipped")
    if metric.skipped:
        notes.append(f"{name}: {metric.skipped} unreadable line(s) skipped")
    if metric.duplicates:
        notes.append(f"{name}: {metric.duplicates} repeated line(s) (same time, value and"
                     " step) dropped")
    return notes


def metric_name(path: Path) -> str:
    """The metric's name: its path below ``metrics/`` (slashes in names are folders)."""
    parts = path.parts
    if "metrics" in parts[:-1]:
        cut = len(parts) - 1 - parts[::-1].index("metrics")
        return "/".join(parts[cut + 1:])
    return path.name


def _single_file(source: Source, options: ReadOptions) -> LossLog:
    name = metric_name(source.path)
    split = split_of(name)
    if split == "lr" and options.train_col is None and options.test_col is None:
        raise LogReadError(f"metric {name!r} is a learning rate, not a loss", source.name,
                           "pass the run folder to read it with its losses")
    metric = read_metric(source)
    split = one_series_split(source.path, name, options.train_col, options.test_col,
                             split or split_from_name(name))
    frame = make_frame("", split, metric.steps, metric.values, metric.wall, metric=name)
    notes = [f"one metric file: {name!r} read as the {split} loss"]
    return LossLog(validate_frame(frame, source.name), source.name, "mlflow",
                   notes + _metric_notes(name, metric))


# ---------------------------------------------------------------- run folders

def find_run(source: Source) -> tuple[Path, list[str]]:
    """The run folder to read: the folder itself, or the only run in an experiment/mlruns."""
    path = source.path
    if _is_run(path):
        return path, []
    if path.name == "metrics":
        return path.parent, []
    runs = [s for s in _subdirs(path) if _is_run(s)]
    if not runs:
        runs = [r for s in _subdirs(path) for r in _subdirs(s) if _is_run(r)]
    if len(runs) == 1:
        return runs[0], [f"run {runs[0].relative_to(path).as_posix()}{_run_name(runs[0])}"]
    if not runs:
        raise LogReadError("no MLflow run here (no metrics/ folder)", source.name,
                           "pass an mlruns/<experiment>/<run> folder")
    listed = ", ".join(r.relative_to(path).as_posix() + _run_name(r) for r in runs[:8])
    more = f", ... ({len(runs)} in all)" if len(runs) > 8 else ""
    raise LogReadError(f"{len(runs)} MLflow runs here: {listed}{more}", source.name,
                       "pass one run folder")


def _run_name(run: Path) -> str:
    try:
        name = (run / "tags" / "mlflow.runName").read_text(errors="replace").strip()
    except OSError:
        return ""
    return f" ({name})" if name else ""


def metric_files(run: Path) -> dict[str, Path]:
    root = run / "metrics"
    files = sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))
    # DVCLive writes plots/metrics/<name>.tsv: the metric is named without its ending
    return {p.relative_to(root).as_posix().removesuffix(".tsv"): p for p in files}


def _line_count(path: Path) -> int:
    """How many values a metric file holds, by its lines (less DVCLive's header): enough to
    tell a curve from a summary logged once beside it (the HF Trainer's closing
    ``train_loss`` beside its ``loss``)."""
    lines, last = 0, b"\n"
    try:
        with open_regular(path) as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                lines, last = lines + chunk.count(b"\n"), chunk[-1:]
    except LogReadError:
        return 0
    return max(lines + (last != b"\n") - (path.suffix == ".tsv"), 0)


def _curve(paths: list[Path], names: list[str], notes: list[str]) -> pd.DataFrame:
    """One split's frame; several metrics (components) are summed where their steps meet."""
    metrics = [read_metric(Source(p)) for p in paths]
    for name, m in zip(names, metrics, strict=True):
        notes += _metric_notes(name, m)
    return combine_metrics(metrics)


def combine_metrics(metrics: list[Metric]) -> pd.DataFrame:
    """``step, value, wall_time`` of one split: one metric, or the sum of its components
    where their steps meet (MLflow databases and servers share this with the file store)."""
    import pandas as pd

    if len(metrics) == 1:
        m = metrics[0]
        return pd.DataFrame({"step": m.steps, "value": m.values, "wall_time": m.wall})
    if len({len(m.steps) for m in metrics}) == 1 and all(
            np.array_equal(m.steps, metrics[0].steps) for m in metrics):
        return pd.DataFrame({"step": metrics[0].steps,
                             "value": np.sum([m.values for m in metrics], axis=0),
                             "wall_time": metrics[0].wall})
    series = [pd.Series(m.values, index=m.steps).groupby(level=0).last() for m in metrics]
    joined = pd.concat(series, axis=1, join="inner")
    return pd.DataFrame({"step": joined.index.to_numpy(float),
                         "value": joined.sum(axis=1, skipna=False).to_numpy(float),
                         "wall_time": np.nan})


def is_run_folder(folder: Path) -> bool:
    """A folder with ``metrics/`` that the MLflow reader claims: one run."""
    try:
        return _is_run(folder) and sniff_mlflow(Source(folder)) > 0
    except LogReadError:
        return False


@register("mlflow", priority=90, sniff=sniff_mlflow, folder=is_run_folder,
          description="MLflow file store: a run folder (metrics/<name>), an experiment with one "
                      "run, or one metric file; DVCLive's plots/ folder (metrics/<name>.tsv)")
def read_mlflow(source: Source, options: ReadOptions) -> LossLog:
    if not source.is_dir:
        return _single_file(source, options)
    run, notes = find_run(source)
    files = metric_files(run)
    if not files:
        raise LogReadError("the MLflow run has no metrics", source.name)
    choice = choose_columns(list(files), options.train_col, options.test_col, source.name,
                            counts=CountedWhenAsked(files, lambda n: _line_count(files[n])))
    notes += choice.notes
    frames = []
    for split, names in (("train", choice.train), ("test", choice.test), ("lr", choice.lr)):
        if names:
            part = _curve([files[n] for n in names], names, notes)
            frames.append(make_frame("", split, part["step"], part["value"],
                                     part["wall_time"], metric="+".join(names)))
    frame = concat_frames(frames)
    if not (frame["split"] != "lr").any():
        raise LogReadError("no loss values in the loss metric(s)", source.name)
    return LossLog(validate_frame(frame, source.name), source.name, "mlflow", notes)
