"""Configuration files: find ``lossdoctor.toml`` or ``[tool.lossdoctor]``, validate, settle.

Like ruff: the first folder, from the current one upwards, that holds lossdoctor
configuration wins (``lossdoctor.toml`` before ``pyproject.toml`` in the same folder); the
command line beats the file. Keys are spelled with dashes or underscores. A wrong key or
value is a UsageError naming the file and the key, with "did you mean".
"""
from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .errors import ConfigError, LossdoctorError, UsageError, close_matches
from .records import Severity
from .thresholds import DEFAULT, Thresholds, out_of_range

CONFIG_FILES = ("lossdoctor.toml", "pyproject.toml")
SEVERITIES = ("info", "warning", "error")


@dataclass(frozen=True)
class Settings:
    """What a config file says; ``None`` / empty means "not set here: use the default"."""

    path: str | None = None
    fail_on: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severities: dict[str, Severity] = field(default_factory=dict)   # by rule code
    format: str | None = None
    thresholds: Thresholds = DEFAULT
    train_col: str | None = None
    test_col: str | None = None
    input_format: str | None = None
    segments: str | None = None
    experiment: str | None = None    # a store of many runs (MLflow): only this experiment
    run: str | None = None           # a store or a wandb/ folder: only this run


#: the settings a call may give, each validated as the config file's key of the same name
OPTIONS = ("fail_on", "select", "ignore", "severities", "format", "thresholds", "train_col",
           "test_col", "input_format", "segments", "experiment", "run")
#: settings of one call only, never of a config file (a file's run would narrow every log)
CALL_ONLY = ("experiment", "run")
#: the value a setting takes when neither the call nor a config file gives one
DEFAULTS = {"segments": "last", "format": "text"}

def settle(config: str | Path | bool | None = None, **given: Any) -> Settings:
    """The settings of one call, merged once: given options beat the config file, which
    beats the defaults. Every command and the API go through here.

    ``config`` is a file to read, ``None`` (or ``True``) to search from the current folder
    upwards, or ``False`` for no file at all. ``given`` holds the options of :data:`OPTIONS`;
    ``None`` or empty means "not given". Each given value is checked as the config file's key
    of the same name is, so a wrong value fails the same way from every command.
    """
    unknown = sorted(set(given) - set(OPTIONS))
    if unknown:
        raise UsageError(f"unknown setting(s) {', '.join(unknown)}", None,
                         f"known: {', '.join(OPTIONS)}")
    base = load_settings(None if config is True else config or None, isolated=config is False)
    values = {}
    for name in OPTIONS:
        value = given.get(name)
        if value is None or (not isinstance(value, Thresholds) and not value and
                             not isinstance(value, (int, float))):
            continue
        values[name] = _given(name, value)
    merged = replace(base, **values)
    fill: dict[str, Any] = {k: v for k, v in DEFAULTS.items() if getattr(merged, k) is None}
    return replace(merged, **fill) if fill else merged


def _given(name: str, value: Any) -> Any:
    """One option given by a call, checked by its config key's validator; an error names
    the keyword (the command line shows it as its flag)."""
    try:
        if name == "thresholds":
            if not isinstance(value, Thresholds):
                raise UsageError(f"expected a lossdoctor.Thresholds, got {type(value).__name__}")
            return value
        if name == "severities":
            if not isinstance(value, Mapping):
                raise UsageError(f"expected a mapping of name to severity, got {value!r}")
            return resolve_severities(value)
        if name in CALL_ONLY:
            return _string(value)
        if isinstance(value, (list, tuple, set, frozenset)):
            value = list(value)
        return _KEYS[name.replace("_", "-")](value, "", name)
    except UsageError as exc:
        raise UsageError(f"{name}: {exc.message}", exc.path, exc.hint) from None


def resolve_severities(severities: Mapping[str, str | Severity]) -> dict[str, Severity]:
    """``{name or code: level}`` -> ``{code: Severity}``; unknown names say "did you mean"."""
    from .rules import find_rule

    out = {}
    for key, level in severities.items():
        code = find_rule(key).code
        try:
            out[code] = level if isinstance(level, Severity) else Severity.parse(level)
        except ValueError:
            raise UsageError(f"unknown severity {level!r} for {key}", None,
                             "use info, warning or error") from None
    return out


def find_config(start: Path | str | None = None) -> Path | None:
    """The nearest file with lossdoctor configuration, from ``start`` (cwd) upwards."""
    folder = Path(start or Path.cwd()).resolve()
    for d in (folder, *folder.parents):
        own = d / "lossdoctor.toml"
        if own.is_file():
            return own
        pyproject = d / "pyproject.toml"
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
    return None


def load_settings(config: str | Path | None = None, isolated: bool = False,
                  start: Path | str | None = None) -> Settings:
    """Settings from ``config`` (an explicit file), or the nearest file, or none at all."""
    if isolated:
        return Settings()
    path = Path(config) if config else find_config(start)
    return read_config(path) if path else Settings()


def read_config(path: Path | str) -> Settings:
    """Read and validate one file: ``[tool.lossdoctor]`` of a pyproject, else the top level."""
    path = Path(path)
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("lossdoctor")
        if table is None:
            raise UsageError("no [tool.lossdoctor] table", str(path))
        return parse_table(table, str(path), "tool.lossdoctor.")
    return parse_table(data, str(path))


def _read_toml(path: Path) -> dict[str, Any]:
    # imported here: most runs find no config file, and should not pay for a TOML parser
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):     # a named pipe would block for ever
            raise UsageError("cannot read config file (not a regular file)", str(path))
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise UsageError(f"cannot read config file ({exc.strerror or exc})", str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"invalid TOML: {exc}", str(path)) from None
    except (UnicodeDecodeError, RecursionError):     # binary data, or nested past all sense
        raise UsageError("not a TOML file (binary data, or not UTF-8 text)", str(path)) \
            from None


def _has_tool_table(path: Path) -> bool:
    try:
        return "lossdoctor" in _read_toml(path).get("tool", {})
    except UsageError:
        return False   # somebody else's broken pyproject is not ours to report


def parse_table(table: dict[str, Any], path: str, prefix: str = "") -> Settings:
    """Validate a config table into Settings; every problem names the file and the key."""
    values: dict[str, Any] = {"path": path}
    for raw_key, value in table.items():
        key = raw_key.replace("_", "-")
        if key not in _KEYS:
            raise _unknown(path, prefix + raw_key, raw_key, _KEYS)
        try:
            values[key.replace("-", "_")] = _KEYS[key](value, path, prefix + raw_key)
        except LossdoctorError as exc:
            sub = f".{exc.sub}" if isinstance(exc, _SubKeyError) else ""
            raise ConfigError(f"{prefix}{raw_key}{sub}: {exc.message}", path, exc.hint) \
                from None
    return Settings(**values)


class _SubKeyError(UsageError):
    """A problem with one entry of a table key (``thresholds.windows``)."""

    def __init__(self, sub: str, message: str, hint: str | None = None) -> None:
        self.sub = sub
        super().__init__(message, None, hint)


def _unknown(path: str, shown: str, key: str, known: Any) -> ConfigError:
    spelled = sorted(known)
    close = close_matches(key.replace("_", "-"), spelled, n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(spelled)}"
    return ConfigError(f"unknown key {shown!r}", path, hint)


# ---------------------------------------------------------------- one validator per key


def _strings(value: Any) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        raise UsageError(f"expected a string or a list of strings, got {value!r}")
    return tuple(v.strip() for item in items for v in item.split(",") if v.strip())


def _fail_on(value: Any, path: str, key: str) -> tuple[str, ...]:
    return check_fail_on(_strings(value))


def check_fail_on(items: Iterable[str]) -> tuple[str, ...]:
    """Severities (lower-cased) or diagnosis names/codes; anything else says "did you mean"."""
    from .rules import RULES, find_rule

    out = []
    for item in items:
        if item.lower() in SEVERITIES:
            out.append(item.lower())
            continue
        try:
            find_rule(item)
        except UsageError:
            known = [*SEVERITIES, *(r.name for r in RULES.values()), *RULES]
            close = close_matches(item, known, n=1)
            raise UsageError(f"unknown value {item!r}", None,
                             f"did you mean {close[0]!r}?" if close else
                             "a severity (info, warning, error) or a diagnosis name or code"
                             ) from None
        out.append(item)
    return tuple(out)


def _rules(value: Any, path: str, key: str) -> tuple[str, ...]:
    from .rules import select_rules

    items = _strings(value)
    select_rules(items, None)          # unknown names raise with "did you mean"
    return items


def _severities(value: Any, path: str, key: str) -> dict[str, Severity]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise UsageError(f"expected a table of name = \"info|warning|error\", got {value!r}")
    return resolve_severities(value)


def _format(value: Any, path: str, key: str) -> str:
    from .formatters import check_format

    check_format(_string(value))
    return str(value)


def _input_format(value: Any, path: str, key: str) -> str:
    from .parsers.registry import get_parser

    return get_parser(_string(value)).name


def _segments(value: Any, path: str, key: str) -> str:
    if value not in ("last", "all"):
        raise UsageError(f"expected \"last\" or \"all\", got {value!r}")
    return str(value)


def _string(value: Any, path: str = "", key: str = "") -> str:
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"expected a non-empty string, got {value!r}")
    return value


def _thresholds(value: Any, path: str, key: str) -> Thresholds:
    if not isinstance(value, dict):
        raise UsageError(f"expected a table, got {value!r}")
    kinds = {f.name: f.type for f in fields(Thresholds)}
    changes = {}
    for raw, v in value.items():
        name = raw.replace("-", "_")
        if name not in kinds:
            close = close_matches(name, list(kinds), n=1)
            hint = (f"did you mean {close[0].replace('_', '-')!r}?" if close else
                    f"known: {', '.join(k.replace('_', '-') for k in kinds)}")
            raise _SubKeyError(raw, "unknown trend threshold", hint)
        integer = kinds[name] in ("int", int)
        problem = out_of_range(name, v, integer)
        if problem:
            raise _SubKeyError(raw, "expected" + problem.split(" must be", 1)[1])
        changes[name] = v if integer else float(v)
    return DEFAULT.with_values(**changes)


_KEYS: dict[str, Callable[[Any, str, str], Any]] = {
    "fail-on": _fail_on,
    "select": _rules,
    "ignore": _rules,
    "severities": _severities,
    "format": _format,
    "thresholds": _thresholds,
    "train-col": _string,
    "test-col": _string,
    "input-format": _input_format,
    "segments": _segments,
}
