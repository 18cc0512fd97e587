"""The console script: for `watch`, Ctrl-C is made a clean exit 0 before anything loads."""
from __future__ import annotations

import signal
import sys
from typing import Any


def main() -> Any:
    """Run the command line; ``lossdoctor watch`` ends on Ctrl-C from its first instant."""
    if sys.argv[1:2] == ["watch"]:
        signal.signal(signal.SIGINT, stop_watch)
    from .cli import main as cli

    return cli()


def stop_watch(signum: int, frame: Any) -> None:
    """Ctrl-C is how a watch ends: one line on stderr and exit 0, at any moment."""
    sys.stderr.write("[watch] stopped\n")
    raise SystemExit(0)
