"""The command registry: each command module registers its click commands here with
:func:`command`; the package's ``__init__`` finds and loads those modules by name."""
from __future__ import annotations

from typing import TypeVar

import click

C = TypeVar("C", bound=click.Command)

COMMANDS: dict[str, click.Command] = {}


def command(cmd: C) -> C:
    """Register a click command under its name; a duplicate name fails loudly at import."""
    name = cmd.name or ""
    if name in COMMANDS:
        raise RuntimeError(f"command {name!r} registered twice")
    COMMANDS[name] = cmd
    return cmd
