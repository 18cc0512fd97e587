"""The Python API: read a log or a DataFrame, diagnose it, get a Report."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import Executor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .checking import diagnose_parsed, diagnose_settled, load
from .comparison import TOLERANCE, Comparison, compare_reports
from .records import Severity
from .report import Report
from .thresholds import Thresholds

if TYPE_CHECKING:
    from .config import Settings
    from .frame import LossLog

__all__ = ["compare", "compare_settled", "diagnose", "diagnose_parsed", "diagnose_settled",
           "diagnose_with", "load", "read_log", "resolve_severities"]

PathLike = str | Path


def read_log(path: PathLike, input_format: str | None = None, *,
             config: PathLike | bool | None = None, train_col: str | None = None,
             test_col: str | None = None, segments: str | None = None,
             experiment: str | None = None, run: str | None = None) -> pd.DataFrame:
    """The tidy loss frame of a log: ``run, split, step, value, wall_time, metric``.

    ``frame.attrs`` holds the detected format and the parser's notes. The reading settings
    are merged with the config file as :func:`diagnose` merges them.

    >>> frame = read_log("fixtures/overfitting.csv")          # doctest: +SKIP
    >>> frame.groupby("split").size()                          # doctest: +SKIP
    """
    from .config import settle

    s = settle(config, input_format=input_format, train_col=train_col, test_col=test_col,
               segments=segments, experiment=experiment, run=run)
    return load(path, input_format=s.input_format, train_col=s.train_col,
                test_col=s.test_col, segments=s.segments or "last", experiment=s.experiment,
                run=s.run).to_frame()


def diagnose(log: PathLike | pd.DataFrame | LossLog | None = None, *,
             train: PathLike | None = None,
             test: PathLike | None = None, config: PathLike | bool | None = None,
             input_format: str | None = None, train_col: str | None = None,
             test_col: str | None = None, segments: str | None = None,
             thresholds: Thresholds | None = None, select: Iterable[str] | None = None,
             ignore: Iterable[str] | None = None,
             severities: Mapping[str, str | Severity] | None = None,
             executor: Executor | None = None, experiment: str | None = None,
             run: str | None = None) -> Report:
    """Diagnose a training log and return its Report.

    ``log`` is a file, a run folder, a DataFrame, a log :func:`load` parsed, an MLflow
    database (``mlflow.db``, ``sqlite:///mlflow.db``) or server
    (``mlflow+http://host:5000``), a W&B run (``wandb/``,
    a run folder or its ``.wandb`` file) or a remote address (``s3://``, ``gs://``, ``hf://``,
    ``https://``); ``experiment``/``run`` narrow a store of many runs (several runs give
    one RunReport each).

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
               severities=severities, experiment=experiment, run=run)
    return diagnose_with(log, s, train=train, test=test, executor=executor)


def diagnose_with(log: PathLike | pd.DataFrame | LossLog | None, s: Settings, *,
                  train: PathLike | None = None, test: PathLike | None = None,
                  executor: Executor | None = None) -> Report:
    """:func:`diagnose` with settings already merged; what every command reads a log with.

    A folder is looked into as ``check`` looks into it: a run folder, or a folder holding
    one log, is that run's report; a folder of several runs is the sweep.
    """
    if isinstance(log, (str, Path)) and train is None and test is None and Path(log).is_dir():
        from .sweep import diagnose_folder

        return diagnose_folder(log, s, executor)
    return diagnose_settled(log, s, train=train, test=test)


def compare(run: str | Path | pd.DataFrame, baseline: str | Path | pd.DataFrame, *,
            tolerance: float = TOLERANCE, **diagnose_options: Any) -> Comparison:
    """Diagnose ``run`` and compare its curves with ``baseline``'s.

    Both are diagnosed with the same settings, merged as :func:`lossdoctor.diagnose` merges
    them (``config=`` and its other keyword arguments).

    >>> c = compare("runs/lr_0.1.csv", "runs/lr_0.01.csv")        # doctest: +SKIP
    >>> c.diverges_at, c.reaches_baseline_best                      # doctest: +SKIP
    (42.0, None)
    """
    from .config import settle

    return compare_settled(run, baseline, settle(**diagnose_options), tolerance)


def compare_settled(run: str | Path | pd.DataFrame, baseline: str | Path | pd.DataFrame,
                    settings: Settings, tolerance: float = TOLERANCE) -> Comparison:
    """:func:`compare` with settings already merged (both logs are read with the same)."""
    return compare_reports(_one_run(run, settings), _one_run(baseline, settings), tolerance)


def _one_run(log: str | Path | pd.DataFrame, settings: Settings) -> Report:
    """The report of one run to compare: a folder of several runs is refused (its most
    urgent run is neither the run meant nor a known-good baseline)."""
    from .errors import UsageError

    report = diagnose_with(log, settings)
    if report.sweep:
        names = [r.run for r in report.runs] + [run for run, _ in report.failures]
        shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
        raise UsageError(f"a folder of {len(names)} runs; compare takes one run ({shown})",
                         report.source, "name one run's log or folder")
    return report


def resolve_severities(severities: Mapping[str, str | Severity]) -> dict[str, Severity]:
    """``{name or code: level}`` -> ``{code: Severity}`` (kept here for callers of the API)."""
    from .config import resolve_severities as resolve

    return resolve(severities)
