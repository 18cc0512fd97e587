"""Diagnosing one log (a file, a run folder, a DataFrame or a train/test pair) with settings
that are already merged; the API and the sweep both build on it."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

from .errors import UsageError
from .frame import LossLog, from_dataframe, is_dataframe
from .report import Report, with_severities
from .thresholds import DEFAULT

if TYPE_CHECKING:
    import pandas as pd

    from .config import Settings

PathLike = str | Path


def load(log: PathLike | pd.DataFrame | LossLog | None = None, *,
         train: PathLike | None = None,
         test: PathLike | None = None, input_format: str | None = None,
         train_col: str | None = None, test_col: str | None = None,
         segments: str = "last", experiment: str | None = None,
         run: str | None = None) -> LossLog:
    """Parse whatever the user gave: a path, an address (``sqlite:///mlflow.db``,
    ``s3://...``), a DataFrame, a train/test pair of files, or a log parsed already."""
    from .parsers import ReadOptions, load_pair, resolve_steps
    from .parsers import load as load_path

    options = ReadOptions(train_col=train_col, test_col=test_col, segments=segments,
                          experiment=experiment, run=run)
    if isinstance(log, LossLog):        # what ``lossdoctor.load`` returned: read already
        if train is not None or test is not None:
            raise UsageError("give a parsed log or train=/test= files, not both")
        return log
    if is_dataframe(log):
        return resolve_steps(from_dataframe(log, train_col, test_col), segments)
    log = cast("PathLike | None", log)     # not a DataFrame: a path, an address or nothing
    check_given(log, train, test)
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
    assert log is not None
    from . import sources

    if sources.handles(log):
        return resolve_steps(sources.load(str(log), input_format, options), segments)
    sources.check_selection(log, experiment, run)
    return load_path(log, input_format, options)


def check_given(log: object, train: PathLike | None, test: PathLike | None) -> None:
    """A log or train=/test= files, never both and never neither: what ``check`` and
    ``watch`` (API and command line alike) accept, refused in the same words."""
    if log is not None and (train is not None or test is not None):
        raise UsageError("give either a log or train=/test= files, not both")
    if log is None and train is None and test is None:
        raise UsageError("no log given", None, "pass a file or folder, or train=/test=")


def diagnose_settled(log: PathLike | pd.DataFrame | LossLog | None, s: Settings, *,
                     train: PathLike | None = None, test: PathLike | None = None) -> Report:
    """Diagnose one log (a file, a run folder, a DataFrame or a train/test pair) with
    settings already merged by :func:`lossdoctor.config.settle`."""
    parsed = load(log, train=train, test=test, input_format=s.input_format,
                  train_col=s.train_col, test_col=s.test_col, segments=s.segments or "last",
                  experiment=s.experiment, run=s.run)
    return diagnose_parsed(parsed, s)


def diagnose_parsed(parsed: LossLog, s: Settings) -> Report:
    """Diagnose a log that is read already (steps resolved) with merged settings."""
    from .engine import diagnose_log
    from .rules import select_rules

    rules = select_rules(s.select or None, s.ignore or None)
    report = diagnose_log(parsed, s.thresholds or DEFAULT, rules)
    report.checked = [r.code for r in rules]
    for run in report.runs:     # the raw points, for plots: trends keep only reduced curves
        run.log = parsed        # (the tidy frame is built only when a plot asks for them)
    report = with_severities(report, s.severities)
    report.fail_on = tuple(s.fail_on) or report.fail_on
    return report
