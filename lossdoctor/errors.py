"""The project's own exceptions and warnings: 'I can't read your log' is not a finding."""
from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_UNUSABLE = 2


class LossdoctorError(ValueError):
    """Base of every error lossdoctor raises on purpose; the CLI turns it into one line."""

    exit_code = EXIT_UNUSABLE

    def __init__(self, message: str, path: str | None = None, hint: str | None = None) -> None:
        self.message = message
        self.path = path
        self.hint = hint
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """``path: message (hint)`` on one line of bounded length, whatever the log held:
        control characters (a newline in a file name, NUL bytes) are written escaped."""
        where = f"{printable(self.path)}: " if self.path else ""
        tail = f" ({_clip(self.hint, HINT_CHARS)})" if self.hint else ""
        return f"{where}{_clip(self.message, MESSAGE_CHARS)}{tail}"


class LogReadError(LossdoctorError):
    """The file could not be read as a training log (missing, empty, garbage, wrong format)."""


class ColumnError(LogReadError):
    """No usable train/test loss column, or more than one candidate and no way to choose."""


class NoLossError(ColumnError):
    """The file has no loss column at all: it is some other table, not a loss log."""


class NotNumericError(ColumnError):
    """A column read as a loss holds words, not numbers: its cells were no such column
    (a console log's lines taken for a table)."""


class UsageError(LossdoctorError):
    """The call itself is wrong: an unknown option value, format, rule or severity."""


class ConfigError(UsageError):
    """A configuration file's key or value is wrong: the message names the file's keys
    (``select``, ``thresholds.max-points``), which the command line leaves as they are."""


class MissingDependencyError(LossdoctorError):
    """An optional extra is not installed (matplotlib for plots); the hint says what to install."""


class LossdoctorWarning(UserWarning):
    """Something in the log was odd but usable; the report carries the same text as a note."""


#: a message or hint longer than this is cut (a 3 MB column name must not fill a terminal)
MESSAGE_CHARS, HINT_CHARS = 300, 300


_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: object) -> str:
    """``text`` with control characters escaped (``\\n``, ``\\x00``): always one line."""
    out = str(text)
    if out.isprintable():
        return out
    return "".join(ch if ch.isprintable() or ch == " " else
                   _ESCAPES.get(ch, f"\\x{ord(ch):02x}" if ord(ch) < 256 else f"\\u{ord(ch):04x}")
                   for ch in out)


def _clip(text: str, limit: int) -> str:
    flat = printable(" ".join(str(text).split()))
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def close_matches(word: str, choices: list[str] | tuple[str, ...], n: int = 1) -> list[str]:
    """The choices that look like ``word``, for "did you mean"; difflib loads only on an error."""
    import difflib

    return difflib.get_close_matches(word, list(choices), n=n)
