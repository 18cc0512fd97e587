"""`lossdoctor watch LOG` (or `--train A --test B`): follow a live training log and say when
its verdict changes."""
from __future__ import annotations

import sys
from typing import Any

import click

from .console import user_errors
from .options import (
    fail_on_option,
    input_options,
    pair_options,
    selection_options,
    settings,
    source_options,
)
from .registry import command


@command
@click.command()
@click.argument("log", required=False, type=click.Path())
@pair_options
@click.option("--interval", type=click.FloatRange(min=0.01), default=2.0, show_default=True,
              help="Seconds between looks at the log.")
@click.option("--idle", type=click.FloatRange(min=0), default=None,
              help="Stop (exit 0) once the log has not changed for this many seconds.")
@fail_on_option("Diagnoses (names, codes) or severities that stop the watch with exit 1,"
                " e.g. divergence,non_finite.  [default: the config's fail-on, else none]")
@input_options
@source_options
@selection_options
def watch(log: str | None, train: str | None, test: str | None, interval: float,
          idle: float | None, **options: Any) -> None:
    """Re-diagnose LOG, or a --train/--test pair of files, while a training run writes it;
    print each change of verdict.

    The diagnosis uses the same settings as `check` (options, then the config file); a pair
    is diagnosed as `check --train A --test B` diagnoses it, re-read when either file grows.
    Exit codes: 0 when the log stops changing for --idle seconds or on Ctrl-C (at any
    moment), 1 as soon as a diagnosis named by --fail-on appears, 2 for unusable options.
    """
    _exit_cleanly_on_signals()
    try:
        code = _follow(log, train, test, interval, idle, options)
    except KeyboardInterrupt:
        click.echo("[watch] stopped", err=True)
        code = 0
    sys.exit(code)


def _follow(log: str | None, train: str | None, test: str | None, interval: float,
            idle: float | None, options: dict[str, Any]) -> int:
    from ..records import Diagnosis
    from ..report import Report
    from ..watch import Change
    from ..watch import watch as follow

    s = settings(options)
    where = log if log is not None else " + ".join(p for p in (train, test) if p)
    with user_errors(where or None):
        fails = list(s.fail_on)

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
        click.echo(f"[watch] {where}: stopping: {names}", err=True)

    def waiting(message: str) -> None:
        click.echo(f"[watch] {where}: {message}", err=True)

    with user_errors(where or None):
        return follow(log, train=train, test=test, interval=interval, idle=idle,
                      fail_on=fails, on_change=changed, on_wait=waiting, on_fail=failed,
                      settings=s)


def _exit_cleanly_on_signals() -> None:
    """SIGTERM/SIGHUP end the watch like Ctrl-C's exit does: its temporary folder is removed."""
    import signal

    def stop(signum: int, frame: object) -> None:
        sys.exit(128 + signum)

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), stop)
