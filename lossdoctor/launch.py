"""The console script: for `watch`, Ctrl-C is made a clean exit 0 before anything loads;
once the command is done, the process exits without collecting its objects one by one.

The handler is set when this module is imported (the entry point imports it first), so not
even the import of click and pandas can turn a Ctrl-C into "Aborted!" and exit 1.
"""
from __future__ import annotations

import gc
import signal
import sys

TYPE_CHECKING = False       # not typing's: it would be imported before the handler is set
if TYPE_CHECKING:
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

    try:
        return cli()
    finally:
        # The process ends with the command. On the way out the interpreter's collector
        # walks every object pandas and we made (60 ms, a sixth of checking a 100-epoch
        # log) to free memory the OS takes back anyway; frozen, they are left alone.
        # atexit handlers, open files and output flushing run as before.
        gc.freeze()
