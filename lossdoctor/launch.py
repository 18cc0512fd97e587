"""The console script: for `watch`, Ctrl-C is made a clean exit 0 before anything loads.

The handler is set when this module is imported (the entry point imports it first), so not
even the import of click and pandas can turn a Ctrl-C into "Aborted!" and exit 1.
"""
from __future__ import annotations

import signal
import sys
from typing import Any


def stop_watch(signum: int, frame: Any) -> None:
    """Ctrl-C is how a watch ends: one line on stderr and exit 0, at any moment."""
    sys.stderr.write("[watch] stopped\n")
    raise SystemExit(0)


def _watching() -> bool:
    return sys.argv[1:2] == ["watch"]


if _watching():
    signal.signal(signal.SIGINT, stop_watch)


def main() -> Any:
    """Run the command line."""
    if _watching():
        signal.signal(signal.SIGINT, stop_watch)
    from .cli import main as cli

    return cli()
