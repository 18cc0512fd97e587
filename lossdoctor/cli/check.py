"""`lossdoctor check`: diagnose logs and exit 0 / 1 / 2 for CI."""
from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from ..errors import EXIT_UNUSABLE, LossdoctorError, UsageError
from .console import emit, user_errors, want_color
from .options import (
    fail_on_option,
    input_options,
    pair_options,
    selection_options,
    settings,
    source_options,
    tracking_option,
)
from .registry import command

if TYPE_CHECKING:
    from ..config import Settings
    from ..report import Report


@command
@click.command()
@click.argument("logs", nargs=-1, type=click.Path())
@pair_options
@input_options
@click.option("--format", "fmt", default=None,
              help="Output format (list: `lossdoctor formats`).  [default: text]")
@fail_on_option("Severities (info, warning, error) or diagnosis names that make exit 1."
                "  [default: error]")
@selection_options
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings reach --fail-on.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report here.")
@click.option("--color/--no-color", default=None, help="Colour (default: on a terminal).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes for a folder of many runs.")
@tracking_option
@source_options
def check(logs: tuple[str, ...], train: str | None, test: str | None, fmt: str | None,
          exit_zero: bool, output: str | None, color: bool | None, jobs: int,
          tracking_uri: str | None, **options: Any) -> None:
    """Diagnose training logs (files or run folders); several LOGS are diagnosed one by one.

    A folder holding several runs is a sweep: every run under it is diagnosed (--jobs N in
    parallel) and listed one per row with the count of each verdict. So is an MLflow store
    (mlflow.db, sqlite:///path, --tracking-uri), a wandb/ folder and a remote folder
    (s3://, gs://, hf://, https://); --experiment and --run narrow a store.

    Settings come from `lossdoctor.toml` or `[tool.lossdoctor]` in `pyproject.toml`, found
    from the current folder upwards; options on the command line win.

    Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 unusable input
    (in a sweep: any run whose log could not be read, after reporting all the others).
    """
    from ..formatters import render_many

    s = settings(options, format=fmt)
    fails = list(s.fail_on or ["error"])
    use_color = want_color(color, output)
    with user_errors(tracking_uri):
        logs = _with_tracking(logs, tracking_uri, train or test)
    reports, unusable = _diagnose_all(list(logs), s, jobs, train, test)
    with user_errors(logs[0] if len(logs) == 1 else None):
        text = render_many(reports, s.format or "text", color=use_color, fail_on=fails) \
            if reports else ""
    if reports:
        emit(text, output, use_color, s.format or "text", logs[0] if len(logs) == 1 else None)
    if unusable or any(r.failures for r in reports):    # a sweep run could not be read
        sys.exit(EXIT_UNUSABLE)
    sys.exit(0 if exit_zero else max(r.exit_code(fails) for r in reports))


def _with_tracking(logs: tuple[str, ...], uri: str | None, pair: str | None
                   ) -> tuple[str, ...]:
    """No LOGS: the MLflow tracking URI (``--tracking-uri`` or ``MLFLOW_TRACKING_URI``)."""
    if logs or pair or not uri:
        return logs
    from ..sources import tracking_target

    return (tracking_target(uri),)


def _diagnose_all(logs: list[str], s: Settings, jobs: int = 1, train: str | None = None,
                  test: str | None = None) -> tuple[list[Report], int]:
    """One log (or a --train/--test pair): any problem exits 2 at once, as always; a folder
    of many runs is a sweep. Several logs: each unusable one is reported on stderr and the
    others still diagnosed."""
    from ..checking import diagnose_settled
    from ..sources import is_many
    from .sweep import check_folder

    if len(logs) <= 1:
        with user_errors(logs[0] if logs else train or test):
            if logs and is_many(logs[0]) and not (train or test):
                return [check_folder(logs[0], jobs, s)], 0
            return [diagnose_settled(logs[0] if logs else None, s, train=train, test=test)], 0
    with user_errors(None):
        if train or test:
            raise UsageError("give either logs or --train/--test files, not both")
    reports, unusable = [], 0
    for log in logs:
        with user_errors(log):
            try:
                reports.append(check_folder(log, jobs, s) if is_many(log)
                               else diagnose_settled(log, s))
            except LossdoctorError as exc:
                click.echo(f"lossdoctor: {exc.one_line()}", err=True)
                unusable += 1
    return reports, unusable
