"""`lossdoctor watch LOG`: follow a live training log and say when its verdict changes."""
from __future__ import annotations

import sys

import click

from . import command, split_list, user_errors


@command
@click.command()
@click.argument("log", type=click.Path())
@click.option("--interval", type=click.FloatRange(min=0.01), default=2.0, show_default=True,
              help="Seconds between looks at the log.")
@click.option("--idle", type=click.FloatRange(min=0), default=None,
              help="Stop (exit 0) once the log has not changed for this many seconds.")
@click.option("--fail-on", multiple=True,
              help="Diagnoses (names, codes) or severities that stop the watch with exit 1,"
                   " e.g. divergence,non_finite.")
@click.option("--input-format", help="Log format, instead of detecting it (see `formats`).")
@click.option("--train-col", help="Column or tag holding the train loss.")
@click.option("--test-col", help="Column or tag holding the test loss.")
def watch(log: str, interval: float, idle: float | None, fail_on: tuple[str, ...],
          input_format: str | None, train_col: str | None, test_col: str | None) -> None:
    """Re-diagnose LOG while a training run writes it; print each change of verdict.

    Exit codes: 0 when the log stops changing for --idle seconds or on Ctrl-C, 1 as soon as
    a diagnosis named by --fail-on appears, 2 for unusable options.
    """
    from ..records import Diagnosis
    from ..report import Report
    from ..rules import find_rule
    from ..watch import Change
    from ..watch import watch as follow

    with user_errors(log):
        fails = [f.lower() if f.lower() in ("info", "warning", "error") else find_rule(f).name
                 for f in split_list(fail_on)]

    def changed(change: Change) -> None:
        run = change.report.main
        d = run.primary
        steps = [c.summary.last_step for c in run.context.curves()]
        at = f"step {max(steps):g}: " if steps else ""
        sev = d.severity.label if d else "info"
        said = d.message if d else (run.notes[-1] if run.notes else "")
        click.echo(f"[{change.time:%H:%M:%S}] {at}{run.verdict.upper()} ({sev}) {said}".rstrip())

    def failed(report: Report, found: list[Diagnosis]) -> None:
        names = ", ".join(dict.fromkeys(f"{d.name} from step {d.start_step:g}"
                                        if d.start_step is not None else d.name for d in found))
        click.echo(f"[watch] {log}: stopping: {names}", err=True)

    def waiting(message: str) -> None:
        click.echo(f"[watch] {log}: {message}", err=True)

    _exit_cleanly_on_signals()
    try:
        with user_errors(log):
            code = follow(log, interval=interval, idle=idle, fail_on=fails, on_change=changed,
                          on_wait=waiting, on_fail=failed, input_format=input_format,
                          train_col=train_col, test_col=test_col)
    except KeyboardInterrupt:
        click.echo("[watch] stopped", err=True)
        code = 0
    sys.exit(code)


def _exit_cleanly_on_signals() -> None:
    """SIGTERM/SIGHUP end the watch like Ctrl-C's exit does: its temporary folder is removed."""
    import signal

    def stop(signum: int, frame: object) -> None:
        sys.exit(128 + signum)

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), stop)
