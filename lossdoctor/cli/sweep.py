"""`lossdoctor check DIR`: every run under a folder, with --jobs workers and a progress bar."""
from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from ..config import Settings
    from ..report import Report

#: fewer runs than this finish before a progress bar would be worth drawing
PROGRESS_MIN = 50


def check_folder(folder: str, jobs: int, settings: Settings) -> Report:
    """The report of a folder (a run folder, or a sweep of its runs) with --jobs workers and
    a progress bar; unreadable runs are told on stderr (one line each) and kept in
    ``report.failures``."""
    from ..parsers.discover import discover
    from ..sweep import diagnose_folder, process_pool

    units = discover(folder)
    with _progress(len(units)) as tick:
        if jobs > 1 and len(units) > 1:
            with process_pool(jobs) as pool:
                report = diagnose_folder(folder, settings, pool, tick, units)
        else:
            report = diagnose_folder(folder, settings, None, tick, units)
    for run, message in report.failures:
        click.echo(f"lossdoctor: {run}: {message}", err=True)
    return report


@contextmanager
def _progress(total: int) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr for long sweeps on a terminal; nothing otherwise."""
    if total < PROGRESS_MIN or not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=total, label="diagnosing", file=sys.stderr) as bar:
        yield bar.update
