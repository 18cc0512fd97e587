"""The command line: a click group; each command lives in its own module of this package.

Commands parse options, call the API, print, and return the exit code; nothing imports
``cli``. A command module registers its commands with ``registry.command``; nothing else
lists them. The module named like a command is imported when that command is run (else all
of them), and heavy imports (pandas, the parsers) happen inside the commands, so
``--version`` and ``--help`` start at the speed of click itself.
"""
from __future__ import annotations

import importlib
import pkgutil
import warnings
from typing import Any

import click

from ..errors import close_matches
from ..version import __version__
from .registry import COMMANDS


def _load(name: str) -> None:
    """Import the module that defines command ``name``; every command module when no module
    is named like it (``explain`` lives with ``rules``), or when ``name`` is empty."""
    modules = sorted(m.name for m in pkgutil.iter_modules(__path__))
    if name in modules:
        importlib.import_module(f".{name}", __name__)
    if name not in COMMANDS:
        for module in modules:
            importlib.import_module(f".{module}", __name__)


class LazyGroup(click.Group):
    """A group that imports a command's module only when that command is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        _load("")
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            _load(name)
        return COMMANDS.get(name)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            close = close_matches(name, self.list_commands(ctx), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            ctx.fail(f"No such command {name!r}.{hint}")
        return super().resolve_command(ctx, args)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lossdoctor")
def main() -> None:
    """lossdoctor: reads a training log and says what the train and test loss are doing."""
    # numpy's overflow/invalid-value warnings (a loss of 1e308) and pandas' dtype warnings are
    # about our arithmetic, not the user's log: stderr is for one-line errors only
    warnings.simplefilter("ignore")


if __name__ == "__main__":  # pragma: no cover
    main()
