"""`lossdoctor check`: diagnose logs and exit 0 / 1 / 2 for CI."""
from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from ..errors import EXIT_UNUSABLE, LossdoctorError, UsageError
from . import command, emit, split_list, user_errors, want_color

if TYPE_CHECKING:
    from ..report import Report

SEVERITIES = ("info", "warning", "error")


@command
@click.command()
@click.argument("logs", nargs=-1, type=click.Path())
@click.option("--train", "train", type=click.Path(), help="File with the train loss curve.")
@click.option("--test", "test", type=click.Path(), help="File with the test/validation curve.")
@click.option("--train-col", help="Column or tag holding the train loss.")
@click.option("--test-col", help="Column or tag holding the test loss.")
@click.option("--input-format", help="Log format, instead of detecting it (see `formats`).")
@click.option("--segments", type=click.Choice(["last", "all"]), default=None,
              help="When steps restart: diagnose the last segment or all.  [default: last]")
@click.option("--format", "fmt", default=None,
              help="Output format: text, json, markdown, github, junit, sarif, html."
                   "  [default: text]")
@click.option("--fail-on", multiple=True,
              help="Severities (info, warning, error) or diagnosis names that make exit 1."
                   "  [default: error]")
@click.option("--select", multiple=True, help="Only these diagnoses (codes, prefixes, names).")
@click.option("--ignore", multiple=True, help="Skip these diagnoses (codes, prefixes, names).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings reach --fail-on.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report here.")
@click.option("--color/--no-color", default=None, help="Colour (default: on a terminal).")
@click.option("--config", "config", type=click.Path(dir_okay=False),
              help="Read settings from this TOML file instead of searching for one.")
@click.option("--isolated", "--no-config", "isolated", is_flag=True,
              help="Ignore all configuration files.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes for a folder of many runs.")
@click.option("--tracking-uri", envvar="MLFLOW_TRACKING_URI", show_envvar=True,
              help="An MLflow tracking server (http://host:5000) or database to read, when"
                   " no LOGS are given.")
@click.option("--experiment", help="MLflow: only the runs of this experiment (name or id).")
@click.option("--run", "run", help="MLflow or W&B: only this run (name or id).")
def check(logs: tuple[str, ...], train: str | None, test: str | None, train_col: str | None,
          test_col: str | None, input_format: str | None, segments: str | None,
          fmt: str | None, fail_on: tuple[str, ...], select: tuple[str, ...],
          ignore: tuple[str, ...], exit_zero: bool, output: str | None, color: bool | None,
          config: str | None, isolated: bool, jobs: int, tracking_uri: str | None,
          experiment: str | None, run: str | None) -> None:
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
    from ..config import check_fail_on, load_settings
    from ..formatters import check_format, render_many

    use_color = want_color(color, output)
    with user_errors(config):
        s = load_settings(config, isolated)
        fmt = fmt or s.format or "text"
        check_format(fmt)
        fails = list(check_fail_on(split_list(fail_on) or s.fail_on or ["error"]))
        options = dict(train=train, test=test, input_format=input_format or s.input_format,
                       train_col=train_col or s.train_col, test_col=test_col or s.test_col,
                       segments=segments or s.segments or "last", thresholds=s.thresholds,
                       select=split_list(select) or list(s.select) or None,
                       ignore=split_list(ignore) or list(s.ignore) or None,
                       severities=s.severities, experiment=experiment, run=run)
        logs = _with_tracking(logs, tracking_uri, train or test)
    reports, unusable = _diagnose_all(list(logs), options, jobs)
    with user_errors(logs[0] if len(logs) == 1 else None):
        text = render_many(reports, fmt, color=use_color, fail_on=fails) if reports else ""
    if reports:
        emit(text, output, use_color)
    if unusable or any(r.failures for r in reports):    # a sweep run could not be read
        sys.exit(EXIT_UNUSABLE)
    sys.exit(0 if exit_zero else max(r.exit_code(fails) for r in reports))


def _with_tracking(logs: tuple[str, ...], uri: str | None, pair: str | None
                   ) -> tuple[str, ...]:
    """No LOGS: the MLflow tracking URI (``--tracking-uri`` or ``MLFLOW_TRACKING_URI``)."""
    from ..sources import tracking_target

    if logs or pair or not uri:
        return logs
    return (tracking_target(uri),)


def _diagnose_all(logs: list[str], options: dict[str, Any], jobs: int = 1
                  ) -> tuple[list[Report], int]:
    """One log (or a --train/--test pair): any problem exits 2 at once, as always; a folder
    of many runs is a sweep. Several logs: each unusable one is reported on stderr and the
    others still diagnosed."""
    from ..api import diagnose
    from ..sources import is_many
    from .sweep import check_folder

    if len(logs) <= 1:
        with user_errors(logs[0] if logs else options["train"] or options["test"]):
            if logs and is_many(logs[0]):
                return [check_folder(logs[0], jobs, options)], 0
            return [diagnose(logs[0] if logs else None, **options)], 0
    with user_errors(None):
        if options["train"] or options["test"]:
            raise UsageError("give either logs or --train/--test files, not both")
    reports, unusable = [], 0
    for log in logs:
        with user_errors(log):
            try:
                reports.append(check_folder(log, jobs, options) if is_many(log)
                               else diagnose(log, **options))
            except LossdoctorError as exc:
                click.echo(f"lossdoctor: {exc.one_line()}", err=True)
                unusable += 1
    return reports, unusable
