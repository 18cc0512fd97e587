"""`lossdoctor check DIR`: every run under a folder, with --jobs workers and a progress bar."""
from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from ..errors import printable
from ..report import Report

#: fewer runs than this finish before a progress bar would be worth drawing
PROGRESS_MIN = 50


def check_folder(folder: str, jobs: int, options: dict[str, Any]) -> Report:
    """The report of a folder: as today when it is one run folder, else a sweep of its runs.

    Unreadable runs are told on stderr (one line each) and kept in ``report.failures``.
    """
    from ..api import diagnose
    from ..parsers.discover import discover
    from ..sweep import process_pool, run_units, sweep_report

    units = discover(folder)
    if len(units) == 1 and units[0].run == "":
        unit = units[0]
        fmt = options.get("input_format") or unit.input_format
        return diagnose(unit.path, **{**options, "input_format": fmt})
    with _progress(len(units)) as tick:
        if jobs > 1 and len(units) > 1:
            with process_pool(jobs) as pool:
                outcomes = run_units(units, options, pool, jobs, tick)
        else:
            outcomes = run_units(units, options, None, 1, tick)
    report = sweep_report(folder, outcomes)
    if len(report.runs) == 1 and not report.failures:
        # one run beside files that are not logs: its whole report, as for a run folder (read
        # again: sweep workers send back no raw points, and plots and HTML want them)
        path = next(o.path for o in outcomes if o.runs)
        unit = next(u for u in units if u.path == path)
        single = diagnose(unit.path, **{**options, "input_format": options.get("input_format")
                                        or unit.input_format})
        single.notes += report.notes
        return single
    for run, message in report.failures:
        click.echo(f"lossdoctor: {printable(run)}: {printable(message)}", err=True)
    if not report.runs and not report.failures:
        from ..errors import LogReadError

        raise LogReadError("no training logs found in this folder", folder,
                           "; ".join(report.notes) or
                           "lossdoctor looks for log files and run folders at any depth")
    return report


@contextmanager
def _progress(total: int) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr for long sweeps on a terminal; nothing otherwise."""
    if total < PROGRESS_MIN or not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=total, label="diagnosing", file=sys.stderr) as bar:
        yield bar.update
