"""`lossdoctor plot`: draw a log's diagnosis (curves, trends, onsets) to a PNG, SVG or PDF."""
from __future__ import annotations

from typing import Any

import click

from ..errors import printable
from .console import fail, user_errors
from .options import input_options, pair_options, selection_options, settings
from .registry import command


@command
@click.command()
@click.argument("log", required=False, type=click.Path())
@pair_options
@input_options
@selection_options
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Image to write: .png, .svg or .pdf.")
@click.option("--run", help="Which run of a multi-run log (default: the most urgent).")
@click.option("--smoothing", type=click.FloatRange(0, 1, max_open=True), default=0.6,
              show_default=True, help="TensorBoard-style smoothing of the curves, 0 = none.")
@click.option("--log-y/--linear-y", "logy", default=None,
              help="Loss axis scale (default: log when the loss spans > 1.5 decades).")
def plot(log: str | None, train: str | None, test: str | None, output: str, run: str | None,
         smoothing: float, logy: bool | None, **options: Any) -> None:
    """Plot a training log with its diagnosis: raw and smoothed train/test loss, trend
    windows coloured by direction, onset markers, the verdict in the title. The diagnosis
    uses the same settings as `check` (options, then the config file).

    Needs matplotlib: pip install "lossdoctor[plot]". Exit codes: 0 written, 2 unusable input.
    """
    from ..api import diagnose_with
    from ..plot import image_format, matplotlib_module, pick_run, save

    s = settings(options)
    with user_errors(log or train or test):
        image_format(output)     # a wrong extension or no matplotlib: say so before reading
        matplotlib_module()
        report = diagnose_with(log, s, train=train, test=test)
        chosen = pick_run(report, run)
    try:
        path = save(report, output, run=run, smoothing=smoothing, logy=logy)
    except OSError as exc:      # a missing folder, a full disk
        fail(f"{printable(output)}: cannot write the plot ({exc.strerror or exc})")
    click.echo(f"wrote {path} ({chosen.verdict})")
