"""The Python API: read a log or a DataFrame, diagnose it, get a Report."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import Executor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .errors import UsageError
from .frame import LossLog, from_dataframe
from .records import Severity
from .report import Report, with_severities
from .thresholds import DEFAULT, Thresholds

if TYPE_CHECKING:
    from .config import Settings

PathLike = str | Path


def load(log: PathLike | pd.DataFrame | None = None, *, train: PathLike | None = None,
         test: PathLike | None = None, input_format: str | None = None,
         train_col: str | None = None, test_col: str | None = None,
         segments: str = "last") -> LossLog:
    """Parse whatever the user gave: a path, a DataFrame, or a train/test pair of files."""
    from .parsers import ReadOptions, load_pair, resolve_steps
    from .parsers import load as load_path

    options = ReadOptions(train_col=train_col, test_col=test_col, segments=segments)
    if isinstance(log, pd.DataFrame):
        return resolve_steps(from_dataframe(log, train_col, test_col), segments)
    if log is not None and (train is not None or test is not None):
        raise UsageError("give either a log or train=/test= files, not both")
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
        raise UsageError("no log given", None, "pass a file or folder, or train=/test=")
    return load_path(log, input_format, options)


def read_log(path: PathLike, input_format: str | None = None, **options: Any) -> pd.DataFrame:
    """The tidy loss frame of a log: ``run, split, step, value, wall_time, metric``.

    ``frame.attrs`` holds the detected format and the parser's notes.

    >>> frame = read_log("fixtures/overfitting.csv")          # doctest: +SKIP
    >>> frame.groupby("split").size()                          # doctest: +SKIP
    """
    return load(path, input_format=input_format, **options).to_frame()


def diagnose(log: PathLike | pd.DataFrame | None = None, *, train: PathLike | None = None,
             test: PathLike | None = None, config: PathLike | bool | None = None,
             input_format: str | None = None, train_col: str | None = None,
             test_col: str | None = None, segments: str | None = None,
             thresholds: Thresholds | None = None, select: Iterable[str] | None = None,
             ignore: Iterable[str] | None = None,
             severities: Mapping[str, str | Severity] | None = None,
             executor: Executor | None = None) -> Report:
    """Diagnose a training log and return its Report.

    Settings are merged as every command merges them: the keyword arguments given here beat
    the configuration file (``lossdoctor.toml`` or ``[tool.lossdoctor]``, found from the
    current folder upwards; ``config=PATH`` names one, ``config=False`` reads none), which
    beats the defaults. ``severities`` re-grades diagnoses (``{"overfitting": "error"}``,
    names or codes); it changes exit codes, not verdicts.

    A folder holding several runs is a sweep: the report has one RunReport per run
    (``report.sweep`` is true, ``report.failures`` lists the runs that could not be read);
    pass an ``executor`` to diagnose them in parallel (see :func:`diagnose_many`).

    >>> report = diagnose("fixtures/overfitting.csv")          # doctest: +SKIP
    >>> report.verdict                                         # doctest: +SKIP
    'overfitting'
    """
    from .config import settle

    s = settle(config, input_format=input_format, train_col=train_col, test_col=test_col,
               segments=segments, thresholds=thresholds, select=select, ignore=ignore,
               severities=severities)
    if isinstance(log, (str, Path)) and train is None and test is None and Path(log).is_dir():
        from .sweep import diagnose_folder

        return diagnose_folder(log, s, executor)
    return diagnose_settled(log, s, train=train, test=test)


def diagnose_settled(log: PathLike | pd.DataFrame | None, s: Settings, *,
                     train: PathLike | None = None, test: PathLike | None = None) -> Report:
    """Diagnose one log (a file, a run folder, a DataFrame or a train/test pair) with
    settings already merged by :func:`lossdoctor.config.settle`."""
    parsed = load(log, train=train, test=test, input_format=s.input_format,
                  train_col=s.train_col, test_col=s.test_col, segments=s.segments or "last")
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
    return with_severities(report, s.severities)


def resolve_severities(severities: Mapping[str, str | Severity]) -> dict[str, Severity]:
    """``{name or code: level}`` -> ``{code: Severity}`` (kept here for callers of the API)."""
    from .config import resolve_severities as resolve

    return resolve(severities)
