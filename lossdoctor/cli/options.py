"""The options every command shares, declared once, and the settings they settle into.

Each decorator adds a group of click options; :func:`settings` hands their values, with the
config file, to :func:`lossdoctor.config.settle`, so ``check``, ``compare``, ``watch`` and
``plot`` read, validate and merge them the same way (and the same way as the API).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from . import split_list, user_errors

if TYPE_CHECKING:
    from ..config import Settings

F = TypeVar("F", bound=Callable[..., Any])

#: the parameters these decorators add; :func:`settings` takes them out of a command's kwargs
SHARED = ("train_col", "test_col", "input_format", "segments", "select", "ignore", "fail_on",
          "config", "isolated")


def _stack(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    def wrap(fn: F) -> F:
        for d in reversed(decorators):
            fn = d(fn)
        return fn
    return wrap


pair_options = _stack(
    click.option("--train", "train", type=click.Path(), help="File with the train loss curve."),
    click.option("--test", "test", type=click.Path(),
                 help="File with the test/validation curve."),
)

input_options = _stack(
    click.option("--train-col", help="Column or tag holding the train loss."),
    click.option("--test-col", help="Column or tag holding the test loss."),
    click.option("--input-format",
                 help="Log format, instead of detecting it (list: `lossdoctor formats`)."),
    click.option("--segments", type=click.Choice(["last", "all"]), default=None,
                 help="When steps restart: diagnose the last segment or all.  [default: last]"),
)

selection_options = _stack(
    click.option("--select", multiple=True,
                 help="Only these diagnoses (codes, prefixes, names)."),
    click.option("--ignore", multiple=True, help="Skip these diagnoses (codes, prefixes, names)."),
    click.option("--config", "config", type=click.Path(dir_okay=False),
                 help="Read settings from this TOML file instead of searching for one."),
    click.option("--isolated", "--no-config", "isolated", is_flag=True,
                 help="Ignore all configuration files."),
)


def fail_on_option(help: str) -> Callable[[F], F]:
    """``--fail-on``: severities or diagnosis names/codes, checked as the config key is."""
    return click.option("--fail-on", multiple=True, help=help)


def settings(options: dict[str, Any], **extra: Any) -> Settings:
    """Take the shared options out of ``options`` and settle them with the config file.

    Exits 2 with one line (naming the flag) on a wrong value, as every command does.
    """
    from ..config import settle

    values = {name: options.pop(name, None) for name in SHARED}
    isolated, config = values.pop("isolated"), values.pop("config")
    if isolated:
        config = False
    for name in ("select", "ignore", "fail_on"):
        values[name] = split_list(values[name] or ())
    with user_errors(config if isinstance(config, str) else None):
        return settle(config, **values, **extra)
