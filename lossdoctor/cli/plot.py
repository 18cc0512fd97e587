"""`lossdoctor plot`: draw a log's diagnosis (curves, trends, onsets) to a PNG, SVG or PDF."""
from __future__ import annotations

import click

from ..errors import printable
from . import command, fail, user_errors


@command
@click.command()
@click.argument("log", required=False, type=click.Path())
@click.option("--train", "train", type=click.Path(), help="File with the train loss curve.")
@click.option("--test", "test", type=click.Path(), help="File with the test/validation curve.")
@click.option("--train-col", help="Column or tag holding the train loss.")
@click.option("--test-col", help="Column or tag holding the test loss.")
@click.option("--input-format", help="Log format, instead of detecting it (see `formats`).")
@click.option("--segments", type=click.Choice(["last", "all"]), default="last",
              show_default=True, help="When steps restart: plot the last segment or all.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Image to write: .png, .svg or .pdf.")
@click.option("--run", help="Which run of a multi-run log (default: the most urgent).")
@click.option("--smoothing", type=click.FloatRange(0, 1, max_open=True), default=0.6,
              show_default=True, help="TensorBoard-style smoothing of the curves, 0 = none.")
@click.option("--log-y/--linear-y", "logy", default=None,
              help="Loss axis scale (default: log when the loss spans > 1.5 decades).")
def plot(log: str | None, train: str | None, test: str | None, train_col: str | None,
         test_col: str | None, input_format: str | None, segments: str, output: str,
         run: str | None, smoothing: float, logy: bool | None) -> None:
    """Plot a training log with its diagnosis: raw and smoothed train/test loss, trend
    windows coloured by direction, onset markers, the verdict in the title.

    Needs matplotlib: pip install "lossdoctor[plot]". Exit codes: 0 written, 2 unusable input.
    """
    from ..api import diagnose
    from ..plot import image_format, matplotlib_module, pick_run, save

    with user_errors(log or train or test):
        image_format(output)     # a wrong extension or no matplotlib: say so before reading
        matplotlib_module()
        report = diagnose(log, train=train, test=test, input_format=input_format,
                          train_col=train_col, test_col=test_col, segments=segments)
        chosen = pick_run(report, run)
    try:
        path = save(report, output, run=run, smoothing=smoothing, logy=logy)
    except OSError as exc:      # a missing folder, a full disk
        fail(f"{printable(output)}: cannot write the plot ({exc.strerror or exc})")
    click.echo(f"wrote {path} ({chosen.verdict})")
