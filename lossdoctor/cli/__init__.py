"""The command line: a click group; each command lives in its own module of this package.

Commands parse options, call the API, print, and return the exit code; nothing imports
``cli``. Heavy imports (pandas, the parsers) happen inside the commands, so ``--version``
and ``--help`` start at the speed of click itself.
"""
from __future__ import annotations

import importlib
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from .. import __version__
from ..errors import EXIT_UNUSABLE, LossdoctorError, close_matches

T = TypeVar("T")


def split_list(values: tuple[str, ...] | list[str]) -> list[str]:
    """`--opt a,b --opt c` -> ['a', 'b', 'c']."""
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


def fail(message: str) -> None:
    """One line on stderr and exit 2: the input or the usage, not the training, is wrong."""
    click.echo(f"lossdoctor: {message}", err=True)
    sys.exit(EXIT_UNUSABLE)


#: the keyword arguments of the API, as the flags that set them on the command line
_KEYWORD = re.compile(r"(?<![\w.-])(train_col|test_col|input_format|fail_on|segments|select|"
                      r"ignore|train|test)(=|(?=:))")


def as_flags(text: str | None) -> str | None:
    """An API message names keyword arguments (``train_col=``); on the command line it
    names their flags (``--train-col``)."""
    if not text:
        return text
    return _KEYWORD.sub(lambda m: "--" + m.group(1).replace("_", "-"), text)


@contextmanager
def user_errors(where: str | None) -> Iterator[None]:
    """Turn any failure into one stderr line and exit 2; never a traceback for a user's log.

    ``LOSSDOCTOR_DEBUG=1`` re-raises unexpected errors for a developer.
    """
    try:
        yield
    except LossdoctorError as exc:
        exc.message = as_flags(exc.message) or ""
        exc.hint = as_flags(exc.hint)
        fail(exc.one_line())
    except Exception as exc:
        if os.environ.get("LOSSDOCTOR_DEBUG"):
            raise
        fail(f"{where or ''}: internal error ({type(exc).__name__}: {str(exc)[:120]});"
             " set LOSSDOCTOR_DEBUG=1 for details")


def want_color(flag: bool | None, output: str | None) -> bool:
    """Colour only on a terminal, never into a file, and never when NO_COLOR is set."""
    if flag is not None:
        return flag
    if output or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def emit(text: str, output: str | None, color: bool, fmt: str = "text",
         log: str | None = None) -> None:
    """Print the report, or write it to ``-o FILE``.

    HTML is a page, not something to read in a terminal: without ``-o`` on a terminal it is
    written to ``<log name>.lossdoctor.html`` in the current folder, and the path is printed.
    """
    page = fmt == "html" and not output and sys.stdout.isatty()
    if page:
        stem = os.path.basename(os.path.normpath(log)).split(".")[0] if log else ""
        output = f"{stem or 'report'}.lossdoctor.html"
    if output:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
        if page:
            click.echo(f"wrote {output} (open it in a browser)")
    else:
        click.echo(text, color=color)   # click strips ANSI off a pipe unless told


#: each command and the module of this package that defines it (imported when it is run)
COMMANDS = {"check": "check", "compare": "compare", "explain": "rules", "formats": "formats",
            "plot": "plot", "rules": "rules", "watch": "watch"}


class LazyGroup(click.Group):
    """A group that imports a command's module only when that command is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in COMMANDS:
            importlib.import_module(f"{__name__}.{COMMANDS[name]}")
        return self.commands.get(name)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            close = close_matches(name, list(COMMANDS), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            ctx.fail(f"No such command {name!r}.{hint}")
        return super().resolve_command(ctx, args)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lossdoctor")
def main() -> None:
    """lossdoctor: reads a training log and says what the train and test loss are doing."""


def command(fn: Callable[..., T]) -> Callable[..., T]:
    """Register a module's click command on the group (the command modules use it)."""
    main.add_command(fn)  # type: ignore[arg-type]
    return fn

if __name__ == "__main__":  # pragma: no cover
    main()
