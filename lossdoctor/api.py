"""The Python API: read a log or a DataFrame, diagnose it, get a Report."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import UsageError
from .frame import LossLog, from_dataframe
from .records import Severity
from .report import Report, with_severities
from .thresholds import DEFAULT, Thresholds

PathLike = str | Path


def load(log: PathLike | pd.DataFrame | None = None, *, train: PathLike | None = None,
         test: PathLike | None = None, input_format: str | None = None,
         train_col: str | None = None, test_col: str | None = None,
         segments: str = "last", experiment: str | None = None,
         run: str | None = None) -> LossLog:
    """Parse whatever the user gave: a path, an address (``sqlite:///mlflow.db``,
    ``s3://...``), a DataFrame, or a train/test pair of files."""
    from .parsers import ReadOptions, load_pair, resolve_steps
    from .parsers import load as load_path

    options = ReadOptions(train_col=train_col, test_col=test_col, segments=segments,
                          experiment=experiment, run=run)
    if isinstance(log, pd.DataFrame):
        return resolve_steps(from_dataframe(log, train_col, test_col), segments)
    if log is not None and (train is not None or test is not None):
        raise UsageError("give either a log or --train/--test files, not both")
    if train is not None and test is not None:
        return load_pair(train, test, input_format, options)
    if train is not None or test is not None:
        one = train if train is not None else test
        split = "train" if train is not None else "test"
        parsed = load_path(one, input_format, options)  # type: ignore[arg-type]
        frame = parsed.frame
        losses = frame[frame["split"] != "lr"]
        if split not in set(losses["split"]) and len(losses):
            frame = frame.assign(split=frame["split"].where(frame["split"] == "lr", split))
        return LossLog(frame[frame["split"].isin((split, "lr"))], parsed.source,
                       parsed.format, parsed.notes)
    if log is None:
        raise UsageError("no log given", None, "pass a file or folder, or --train/--test")
    from . import sources

    if sources.handles(log):
        return resolve_steps(sources.load(str(log), input_format, options), segments)
    if (experiment is not None or run is not None) and not sources.is_wandb(log):
        raise UsageError("--experiment/--run select runs of an MLflow store or a wandb/ "
                         "folder", str(log))
    return load_path(log, input_format, options)


def read_log(path: PathLike, input_format: str | None = None, **options: Any) -> pd.DataFrame:
    """The tidy loss frame of a log: ``run, split, step, value, wall_time, metric``.

    ``frame.attrs`` holds the detected format and the parser's notes.

    >>> frame = read_log("fixtures/overfitting.csv")          # doctest: +SKIP
    >>> frame.groupby("split").size()                          # doctest: +SKIP
    """
    return load(path, input_format=input_format, **options).to_frame()


def diagnose(log: PathLike | pd.DataFrame | None = None, *, train: PathLike | None = None,
             test: PathLike | None = None, input_format: str | None = None,
             train_col: str | None = None, test_col: str | None = None,
             segments: str = "last", thresholds: Thresholds | None = None,
             select: Iterable[str] | None = None, ignore: Iterable[str] | None = None,
             severities: Mapping[str, str | Severity] | None = None,
             experiment: str | None = None, run: str | None = None) -> Report:
    """Diagnose a training log and return its Report.

    ``log`` is a file, a run folder, a DataFrame, an MLflow database (``mlflow.db``,
    ``sqlite:///mlflow.db``) or server (``mlflow+http://host:5000``), a W&B run (``wandb/``,
    a run folder or its ``.wandb`` file) or a remote address (``s3://``, ``gs://``, ``hf://``,
    ``https://``); ``experiment``/``run`` narrow a store of many runs (several runs give
    one RunReport each).

    ``severities`` re-grades diagnoses in the report (``{"overfitting": "error"}``, names or
    codes), as a config file's ``severities`` table does; it changes exit codes, not verdicts.

    >>> report = diagnose("fixtures/overfitting.csv")          # doctest: +SKIP
    >>> report.verdict                                         # doctest: +SKIP
    'overfitting'
    """
    from .engine import diagnose_log
    from .rules import select_rules

    rules = select_rules(select, ignore)
    grades = resolve_severities(severities or {})
    parsed = load(log, train=train, test=test, input_format=input_format,
                  train_col=train_col, test_col=test_col, segments=segments,
                  experiment=experiment, run=run)
    report = diagnose_log(parsed, thresholds or DEFAULT, rules)
    report.checked = [r.code for r in rules]
    frame = parsed.frame
    for one in report.runs:     # the raw points, for plots: trends keep only reduced curves
        # one run: the parsed frame itself (no copy of a 5M-row log); several: its own rows
        one.points = frame if len(report.runs) == 1 else frame[frame["run"] == one.run]
    return with_severities(report, grades)


def resolve_severities(severities: Mapping[str, str | Severity]) -> dict[str, Severity]:
    """``{name or code: level}`` -> ``{code: Severity}``; unknown names say "did you mean"."""
    from .rules import find_rule

    out = {}
    for key, level in severities.items():
        code = find_rule(key).code
        try:
            out[code] = level if isinstance(level, Severity) else Severity.parse(level)
        except ValueError:
            raise UsageError(f"unknown severity {level!r} for {key}", None,
                             "use info, warning or error") from None
    return out
