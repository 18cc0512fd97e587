"""`lossdoctor compare RUN --baseline RUN`: the diagnosis plus the curves against a good run."""
from __future__ import annotations

import sys
from typing import Any

import click

from ..formatters.comparison import FORMATS
from .console import emit, user_errors, want_color
from .options import fail_on_option, input_options, selection_options, settings
from .registry import command


@command
@click.command()
@click.argument("run", type=click.Path())
@click.option("--baseline", required=True, type=click.Path(),
              help="A known-good run of the same task to compare with.")
@click.option("--tolerance", type=click.FloatRange(min=0), default=0.05, show_default=True,
              help="How much worse (relative) the smoothed loss may be before it counts.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text",
              show_default=True, help="Output format.")
@fail_on_option("Severities or diagnosis names of RUN that make exit 1.  [default: error]")
@input_options
@selection_options
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the output here.")
@click.option("--color/--no-color", default=None, help="Colour (default: on a terminal).")
def compare(run: str, baseline: str, tolerance: float, fmt: str, output: str | None,
            color: bool | None, **options: Any) -> None:
    """Diagnose RUN and show how its loss curves differ from a known-good baseline.

    Final and best losses of both with their ratio, the step RUN reaches the baseline's best
    test loss (or never), and where RUN's smoothed test loss starts to stay worse. Both are
    read with the same settings (options, then the config file, as for `check`).
    Exit codes as for `check`: 0, 1 for RUN's findings at or above --fail-on, 2 unusable input.
    """
    from ..api import compare_settled
    from ..formatters.comparison import render_comparison

    s = settings(options)
    use_color = want_color(color, output)
    with user_errors(run):
        result = compare_settled(run, baseline, s, tolerance)
        text = render_comparison(result, fmt, color=use_color)
    emit(text, output, use_color)
    sys.exit(result.report.exit_code(list(s.fail_on or ["error"])))
