"""What a command writes and how it fails: the report to stdout or ``-o FILE`` (colour only on
a terminal), any failure as one stderr line and exit 2, API keyword names said as flags."""
from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from ..errors import EXIT_UNUSABLE, ConfigError, LossdoctorError, printable


def fail(message: str) -> None:
    """One line on stderr and exit 2: the input or the usage, not the training, is wrong."""
    click.echo(f"lossdoctor: {printable(message)}", err=True)
    sys.exit(EXIT_UNUSABLE)


#: the keyword arguments of the API, as the flags that set them on the command line
_KEYWORD = re.compile(r"(?<![\w.-])(train_col|test_col|input_format|fail_on|segments|select|"
                      r"ignore|train|test|format)(=|(?=:))")


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
        if not isinstance(exc, ConfigError):     # a config file's keys stay its keys
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
    A report that cannot be written (a missing folder, a full disk) is one line, exit 2.
    """
    page = fmt == "html" and not output and sys.stdout.isatty()
    if page:
        stem = os.path.basename(os.path.normpath(log)).split(".")[0] if log else ""
        output = f"{stem or 'report'}.lossdoctor.html"
    try:
        if output:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
            if page:
                click.echo(f"wrote {output} (open it in a browser)")
        else:
            click.echo(text, color=color)   # click strips ANSI off a pipe unless told
            sys.stdout.flush()
    except OSError as exc:
        if not output:
            _drop_stdout()
        where = printable(output) if output else "standard output"
        fail(f"{where}: cannot write the report ({exc.strerror or exc})")


def _drop_stdout() -> None:
    """Point stdout at /dev/null, so that what is left in its buffer does not fail again."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
