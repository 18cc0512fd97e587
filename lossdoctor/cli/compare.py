"""`lossdoctor compare RUN --baseline RUN`: the diagnosis plus the curves against a good run."""
from __future__ import annotations

import sys

import click

from . import command, emit, split_list, user_errors, want_color


@command
@click.command()
@click.argument("run", type=click.Path())
@click.option("--baseline", required=True, type=click.Path(),
              help="A known-good run of the same task to compare with.")
@click.option("--tolerance", type=click.FloatRange(min=0), default=0.05, show_default=True,
              help="How much worse (relative) the smoothed loss may be before it counts.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@click.option("--fail-on", multiple=True, default=("error",), show_default=True,
              help="Severities or diagnosis names of RUN that make exit 1.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the output here.")
@click.option("--color/--no-color", default=None, help="Colour (default: on a terminal).")
def compare(run: str, baseline: str, tolerance: float, fmt: str, fail_on: tuple[str, ...],
            output: str | None, color: bool | None) -> None:
    """Diagnose RUN and show how its loss curves differ from a known-good baseline.

    Final and best losses of both with their ratio, the step RUN reaches the baseline's best
    test loss (or never), and where RUN's smoothed test loss starts to stay worse.
    Exit codes as for `check`: 0, 1 for RUN's findings at or above --fail-on, 2 unusable input.
    """
    from ..comparison import compare as compare_runs
    from ..formatters.comparison import render_comparison

    use_color = want_color(color, output)
    with user_errors(run):
        fails = [f.lower() if f.lower() in ("info", "warning", "error") else f
                 for f in split_list(fail_on)]
        result = compare_runs(run, baseline, tolerance=tolerance)
        text = render_comparison(result, fmt, color=use_color)
    emit(text, output, use_color)
    sys.exit(result.report.exit_code(fails))
