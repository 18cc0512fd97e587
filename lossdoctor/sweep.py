"""Diagnosing many runs: every run under a folder, in parallel, as one Report or one table.

Work is sent to an executor in chunks (a few dozen runs per task), and each task returns
small RunReports (no raw points), so a thousand small runs cost little more than their
own diagnosis. Any ``concurrent.futures.Executor`` works: only ``map`` is used.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from .config import Settings
from .errors import LogReadError, LossdoctorError, NoLossError, UsageError
from .parsers.discover import Unit, natural_key
from .report import Report, RunReport

PathLike = str | Path
#: most runs per task: big enough to hide task overhead, small enough to balance the load
MAX_CHUNK = 32
#: an unreadable run's row keeps its error's hint only when it is this short
HINT_CHARS = 80
#: how many skipped (not a loss log) files a sweep's note names
SKIPPED_SHOWN = 5


@dataclass
class Outcome:
    """What became of one unit: its runs' reports, an error, or nothing (not a log)."""

    run: str
    path: str
    format: str = ""
    runs: list[RunReport] = field(default_factory=list)
    error: str | None = None
    skipped: bool = False           # a table with no loss column: some other file, not a log
    special: str = ""               # not a regular file (a named pipe, ...): never opened


def diagnose_unit(unit: Unit, settings: Settings) -> Outcome:
    """Read and diagnose one unit; a bad log is an Outcome with an error, never a raise."""
    from .checking import diagnose_settled

    out = Outcome(unit.run, unit.path, special=unit.skip)
    if unit.skip:
        return out
    try:
        fmt = unit.choose_format()
        if fmt == "":
            return out
        report = diagnose_settled(unit.path, _with_format(settings, fmt))
    except NoLossError:
        out.skipped = True
        return out
    except LossdoctorError as exc:
        short = exc.hint and len(exc.hint) <= HINT_CHARS    # a row, not a help page
        out.error = exc.message + (f" ({exc.hint})" if short else "")
        return out
    except Exception as exc:  # one odd log must not stop a sweep of a thousand
        out.error = f"internal error ({type(exc).__name__}: {str(exc)[:120]})"
        return out
    out.format = report.format
    out.runs = [replace(r, run=_join(unit.run, r.run), notes=report.notes + r.notes,
                        log=None) for r in report.runs]
    return out


def _with_format(settings: Settings, fmt: str | None) -> Settings:
    """The settings with the format discovery chose, unless the user chose one."""
    return replace(settings, input_format=settings.input_format or fmt)


def _diagnose_chunk(units: Sequence[Unit], settings: Settings) -> list[Outcome]:
    return [diagnose_unit(u, settings) for u in units]


def _join(unit_run: str, run: str) -> str:
    if not run:
        return unit_run
    return f"{unit_run}/{run}" if unit_run else run


def run_units(units: Sequence[Unit], settings: Settings | None = None,
              executor: Executor | None = None, workers: int = 1,
              progress: Callable[[int], None] | None = None) -> list[Outcome]:
    """Diagnose every unit, in order; ``progress(n)`` is told as each chunk of n finishes."""
    from .config import settle

    s = settings if settings is not None else settle(False)
    if executor is None:
        chunks = [[u] for u in units]
        results: Iterable[list[Outcome]] = (_diagnose_chunk(c, s) for c in chunks)
    else:
        size = max(1, min(MAX_CHUNK, len(units) // (max(workers, 1) * 8) or 1))
        chunks = [list(units[i:i + size]) for i in range(0, len(units), size)]
        results = executor.map(partial(_diagnose_chunk, settings=s), chunks)
    out: list[Outcome] = []
    for chunk in results:
        out += chunk
        if progress is not None:
            progress(len(chunk))
    return out


def diagnose_folder(folder: PathLike, settings: Settings, executor: Executor | None = None,
                    progress: Callable[[int], None] | None = None,
                    units: list[Unit] | None = None) -> Report:
    """The report of a folder: a run folder's own report, else a sweep of the runs under it.

    A sweep that finds exactly one run (beside files that are not logs) is that run's whole
    report. Raises LogReadError when the folder holds no training log at all. ``units`` are
    the folder's runs when the caller has discovered them already.
    """
    from .checking import diagnose_settled
    from .sources import display, find_units

    units = find_units(folder, settings.experiment, settings.run) if units is None else units
    if len(units) == 1 and units[0].run == "":
        return diagnose_settled(units[0].path, _with_format(settings, units[0].input_format))
    workers = _workers(executor)
    outcomes = run_units(units, settings, executor if len(units) > 1 else None, workers,
                         progress)
    report = sweep_report(display(str(folder)), outcomes)
    report.fail_on = tuple(settings.fail_on) or report.fail_on
    if len(report.runs) == 1 and not report.failures:
        # its whole report, as for a run folder (read again: sweep workers send back no raw
        # points, and plots and HTML want them)
        path = next(o.path for o in outcomes if o.runs)
        unit = next(u for u in units if u.path == path)
        single = diagnose_settled(unit.path, _with_format(settings, unit.input_format))
        single.notes += report.notes
        return single
    if not report.runs and not report.failures:
        raise LogReadError("no training logs found in this folder", str(folder),
                           "; ".join(report.notes) or
                           "lossdoctor looks for log files and run folders at any depth")
    return report


def _workers(executor: Executor | None) -> int:
    return getattr(executor, "_max_workers", None) or os.cpu_count() or 1


def sweep_report(source: str, outcomes: Iterable[Outcome]) -> Report:
    """One Report for a sweep: a RunReport per run (in natural order of their names), a
    failure per unreadable log."""
    runs: list[RunReport] = []
    failures: list[tuple[str, str]] = []
    skipped: list[str] = []
    special: list[str] = []
    for o in outcomes:
        runs += o.runs
        if o.error is not None:
            failures.append((o.run or o.path, o.error))
        if o.skipped:
            skipped.append(o.run or o.path)
        if o.special:
            special.append(f"{o.run or o.path} ({o.special})")
    notes = []
    if skipped:
        notes.append(f"skipped {len(skipped)} file(s) with no loss column: {_shown(skipped)}")
    if special:
        notes.append(f"skipped {len(special)} file(s) that are not regular files:"
                     f" {_shown(special)}")
    runs.sort(key=lambda r: natural_key(r.run))
    failures.sort(key=lambda f: natural_key(f[0]))
    return Report(source, "sweep", notes, runs, sweep=True, failures=failures)


def _shown(names: list[str]) -> str:
    return ", ".join(names[:SKIPPED_SHOWN]) + (", ..." if len(names) > SKIPPED_SHOWN else "")


def process_pool(jobs: int) -> Executor:
    """Worker processes that start with lossdoctor already imported (fork where possible)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from . import engine, parsers, rules  # noqa: F401  (imported once, before forking)

    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
    return ProcessPoolExecutor(max_workers=jobs, mp_context=ctx)


def diagnose_many(paths: PathLike | Iterable[PathLike], executor: Executor | None = None,
                  config: PathLike | bool | None = None, **diagnose_options: Any
                  ) -> pd.DataFrame:
    """Diagnose many logs; one row per run: ``run, path, format, verdict, severity,
    start_step, message, best_test_loss, best_test_step, error``.

    Settings are merged once, as :func:`lossdoctor.diagnose` merges them (``config`` and
    the same keyword arguments), and every run is diagnosed with them.

    ``paths`` is a folder (every run under it), an MLflow store or a ``wandb/`` folder (every
    run in it; ``experiment=``/``run=`` narrow it), a remote folder, or a list of these. Pass any
    ``concurrent.futures.Executor`` to spread the work (a process pool, Dask's
    ``client.get_executor()``, ...). A log that cannot be read is a row with ``error``
    set and no verdict; it does not stop the others.

    >>> table = diagnose_many("sweeps/lr_search", ProcessPoolExecutor(4))   # doctest: +SKIP
    >>> table.groupby("verdict").size()                                     # doctest: +SKIP
    """
    from .config import settle
    from .sources import find_units

    settings = settle(config, **diagnose_options)
    one = isinstance(paths, (str, Path))
    roots: list[PathLike] = [paths] if isinstance(paths, (str, Path)) else list(paths)
    units: list[Unit] = []
    for root in roots:
        try:
            found = find_units(root, settings.experiment, settings.run)
        except UsageError:
            raise
        except LossdoctorError:
            found = [Unit("", str(root))]      # becomes its error row below
        # one folder: runs named below it; a list: every run named by its whole path
        units += [replace(u, run=(u.run or str(root)) if one else _join(str(root), u.run))
                  for u in found]
    outcomes = run_units(units, settings, executor, _workers(executor))
    return outcome_frame(outcomes)


def outcome_frame(outcomes: Iterable[Outcome]) -> pd.DataFrame:
    """The table of diagnose_many: one row per run, one per unreadable log."""
    rows = []
    for o in outcomes:
        for r in o.runs:
            d = r.primary
            best, at = best_test(r)
            rows.append([r.run, o.path, o.format, r.verdict,
                         d.severity.label if d else "info", d.start_step if d else None,
                         d.message if d else "; ".join(r.notes), best, at, None])
        if o.error is not None:
            rows.append([o.run or o.path, o.path, o.format, None, None, None, None, None, None,
                         o.error])
    return pd.DataFrame(rows, columns=["run", "path", "format", "verdict", "severity",
                                       "start_step", "message", "best_test_loss",
                                       "best_test_step", "error"])


def best_test(run: RunReport) -> tuple[float | None, float | None]:
    """A run's best (lowest) test loss and its step, to pick a sweep's winner; (None, None)
    when the run logged no test loss."""
    curve = run.context.test
    if curve is None:
        return None, None
    return float(curve.summary.min_value), float(curve.summary.min_step)
