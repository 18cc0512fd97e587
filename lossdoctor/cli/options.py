"""The options every command shares, declared once, and the settings they settle into.

Each decorator adds a group of click options; :func:`settings` hands their values, with the
config file, to :func:`lossdoctor.config.settle`, so ``check``, ``compare``, ``watch`` and
``plot`` read, validate and merge them the same way (and the same way as the API).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from .console import user_errors

if TYPE_CHECKING:
    from ..config import Settings

F = TypeVar("F", bound=Callable[..., Any])

#: the parameters these decorators add; :func:`settings` takes them out of a command's kwargs
SHARED = ("train_col", "test_col", "input_format", "segments", "select", "ignore", "fail_on",
          "config", "isolated", "experiment", "run")


def split_list(values: tuple[str, ...] | list[str]) -> list[str]:
    """`--opt a,b --opt c` -> ['a', 'b', 'c']."""
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


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

#: which runs of a store of many (an MLflow database or server, a wandb/ folder) to read
source_options = _stack(
    click.option("--experiment", help="MLflow: only the runs of this experiment (name or id)."),
    click.option("--run", "run", help="MLflow or W&B: only this run (name or id)."),
)

#: ``--tracking-uri``: what to read when no LOGS are given (check only)
tracking_option = click.option(
    "--tracking-uri", envvar="MLFLOW_TRACKING_URI", show_envvar=True,
    help="An MLflow tracking server (http://host:5000) or database to read, when no LOGS"
         " are given.")

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
