"""`lossdoctor check`: diagnose a log and exit 0 / 1 / 2 for CI."""
from __future__ import annotations

import sys

import click

from . import command, emit, split_list, user_errors, want_color

SEVERITIES = ("info", "warning", "error")


@command
@click.command()
@click.argument("log", required=False, type=click.Path())
@click.option("--train", "train", type=click.Path(), help="File with the train loss curve.")
@click.option("--test", "test", type=click.Path(), help="File with the test/validation curve.")
@click.option("--train-col", help="Column or tag holding the train loss.")
@click.option("--test-col", help="Column or tag holding the test loss.")
@click.option("--input-format", help="Log format, instead of detecting it (see `formats`).")
@click.option("--segments", type=click.Choice(["last", "all"]), default="last",
              show_default=True, help="When steps restart: diagnose the last segment or all.")
@click.option("--format", "fmt", default="text", show_default=True,
              help="Output format: text or json.")
@click.option("--fail-on", multiple=True, default=("error",), show_default=True,
              help="Severities (info, warning, error) or diagnosis names that make exit 1.")
@click.option("--select", multiple=True, help="Only these diagnoses (codes, prefixes, names).")
@click.option("--ignore", multiple=True, help="Skip these diagnoses (codes, prefixes, names).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings reach --fail-on.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report here.")
@click.option("--color/--no-color", default=None, help="Colour (default: on a terminal).")
def check(log: str | None, train: str | None, test: str | None, train_col: str | None,
          test_col: str | None, input_format: str | None, segments: str, fmt: str,
          fail_on: tuple[str, ...], select: tuple[str, ...], ignore: tuple[str, ...],
          exit_zero: bool, output: str | None, color: bool | None) -> None:
    """Diagnose a training log (a file or a run folder).

    Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 unusable input.
    """
    from ..api import diagnose
    from ..formatters import render
    from ..rules import find_rule

    use_color = want_color(color, output)
    with user_errors(log or train or test):
        fails = split_list(fail_on)
        for f in fails:
            if f.lower() not in SEVERITIES:
                find_rule(f)
        report = diagnose(log, train=train, test=test, input_format=input_format,
                          train_col=train_col, test_col=test_col, segments=segments,
                          select=split_list(select) or None,
                          ignore=split_list(ignore) or None)
        text = render(report, fmt, color=use_color)
    emit(text, output, use_color)
    sys.exit(0 if exit_zero else report.exit_code([f.lower() if f.lower() in SEVERITIES
                                                   else f for f in fails]))
