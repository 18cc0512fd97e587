"""`lossdoctor watch LOG`: follow a live training log and say when its verdict changes."""
from __future__ import annotations

import sys
from typing import Any

import click

from .console import user_errors
from .options import fail_on_option, input_options, selection_options, settings, source_options
from .registry import command


@command
@click.command()
@click.argument("log", type=click.Path())
@click.option("--interval", type=click.FloatRange(min=0.01), default=2.0, show_default=True,
              help="Seconds between looks at the log.")
@click.option("--idle", type=click.FloatRange(min=0), default=None,
              help="Stop (exit 0) once the log has not changed for this many seconds.")
@fail_on_option("Diagnoses (names, codes) or severities that stop the watch with exit 1,"
                " e.g. divergence,non_finite.  [default: the config's fail-on, else none]")
@input_options
@source_options
@selection_options
def watch(log: str, interval: float, idle: float | None, **options: Any) -> None:
    """Re-diagnose LOG while a training run writes it; print each change of verdict.

    The diagnosis uses the same settings as `check` (options, then the config file).
    Exit codes: 0 when the log stops changing for --idle seconds or on Ctrl-C (at any
    moment), 1 as soon as a diagnosis named by --fail-on appears, 2 for unusable options.
    """
    _exit_cleanly_on_signals()
    try:
        code = _follow(log, interval, idle, options)
    except KeyboardInterrupt:
        click.echo("[watch] stopped", err=True)
        code = 0
    sys.exit(code)


def _follow(log: str, interval: float, idle: float | None, options: dict[str, Any]) -> int:
    from ..records import Diagnosis
    from ..report import Report
    from ..watch import Change
    from ..watch import watch as follow

    s = settings(options)
    with user_errors(log):
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
        click.echo(f"[watch] {log}: stopping: {names}", err=True)

    def waiting(message: str) -> None:
        click.echo(f"[watch] {log}: {message}", err=True)

    with user_errors(log):
        return follow(log, interval=interval, idle=idle, fail_on=fails, on_change=changed,
                      on_wait=waiting, on_fail=failed, settings=s)


def _exit_cleanly_on_signals() -> None:
    """SIGTERM/SIGHUP end the watch like Ctrl-C's exit does: its temporary folder is removed."""
    import signal

    def stop(signum: int, frame: object) -> None:
        sys.exit(128 + signum)

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), stop)
