"""Where runs live besides local log files: MLflow databases and servers, remote storage.

``claims(target)`` says (without any I/O) whether a target is an address this package reads
(``sqlite:///mlflow.db``, ``mlflow+http://host:5000``, ``s3://...``); ``load`` reads it;
``find_units`` lists the runs of any target (a store, a W&B folder, a remote or local folder)
as the sweep's units; ``tracking_target`` turns ``--tracking-uri`` into such a target.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import UsageError
from ..parsers.runs import RUN_MARK
from ..parsers.source import is_sqlite

if TYPE_CHECKING:       # the readers of stores load when a target is one, not for a log file
    from ..frame import LossLog
    from ..parsers.discover import Unit
    from ..parsers.mlflow_runs import RunStore
    from ..parsers.registry import ReadOptions

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
MLFLOW_SCHEMES = ("sqlite", "mlflow+http", "mlflow+https")


def scheme(target: object) -> str | None:
    """The URL scheme of a string target, lower-case; None for a plain path."""
    if not isinstance(target, str):
        return None
    found = _SCHEME.match(target)
    return found.group(1).lower() if found else None


def claims(target: object) -> bool:
    """True when ``target`` is an address (not a local path): this package reads it."""
    return scheme(target) is not None


def display(target: str) -> str:
    """How messages name a target: a tracking server by its own URL."""
    from .mlflow_rest import PREFIX

    return target[len(PREFIX):] if target.startswith(PREFIX) else target


def handles(target: str | Path) -> bool:
    """An address, or a local MLflow database (an SQLite file): ``load`` reads it."""
    return claims(target) or is_sqlite(target)


def tracking_target(uri: str) -> str:
    """``--tracking-uri``/``MLFLOW_TRACKING_URI`` as a target: a server, a database or a
    file store folder."""
    kind = scheme(uri)
    if kind in ("http", "https"):
        return "mlflow+" + uri
    if uri.startswith("file:"):                 # file:///abs/mlruns, file:./mlruns
        rest = uri[len("file:"):]
        return rest[2:] if rest.startswith("//") else rest
    if kind is None or kind in MLFLOW_SCHEMES:
        return uri
    raise UsageError(f"tracking URI scheme {kind!r} is not supported", uri,
                     "use http(s)://host:port (a server), sqlite:///mlflow.db or a folder")


def open_store(target: str | Path) -> RunStore | None:
    """The MLflow store a target names (database file, ``sqlite://``, server), else None."""
    text = str(target).rpartition(RUN_MARK)[0] or str(target)
    kind = scheme(text)
    if kind == "sqlite":
        from ..parsers.mlflow_sqlite import SqliteStore, path_of

        return SqliteStore(path_of(text))
    if kind in ("mlflow+http", "mlflow+https"):
        from .mlflow_rest import RestStore

        return RestStore(text)
    if kind is None and is_sqlite(text):
        from ..parsers.mlflow_sqlite import SqliteStore

        return SqliteStore(text)
    return None


def is_wandb(target: str | Path) -> bool:
    """A W&B run file, run folder or ``wandb/`` folder."""
    from ..parsers.wandb_offline import MAGIC, run_file, wandb_runs

    path = Path(target)
    if path.is_dir():
        return run_file(path) is not None or bool(wandb_runs(path))
    if not path.is_file():          # a named pipe is never opened (it would block)
        return False
    try:
        with open(path, "rb") as fh:
            return fh.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def check_selection(target: str | Path, experiment: str | None, run: str | None) -> None:
    """``--experiment``/``--run`` name runs of a store of many (an MLflow store, a W&B run or
    ``wandb/`` folder); given for anything else they are a usage error."""
    if (experiment is not None or run is not None) and not handles(target) \
            and not is_wandb(target):
        raise UsageError("--experiment/--run select runs of an MLflow store or a wandb/ "
                         "folder", str(target))


def load(target: str, input_format: str | None, options: ReadOptions) -> LossLog:
    """Read an address: a run or runs of an MLflow store, or a remote log or run folder."""
    from ..parsers.mlflow_runs import split_address, store_log

    store = open_store(target)
    if store is not None:
        return store_log(store, options, split_address(target)[1])
    from .remote import load_remote

    return load_remote(target, input_format, options)


def find_units(target: str | Path, experiment: str | None = None,
               run: str | None = None) -> list[Unit]:
    """The runs of a target, one unit each: an MLflow store's runs (narrowed by
    ``experiment``/``run``), a ``wandb/`` folder's runs, a remote or local folder's logs."""
    from ..parsers.discover import Unit, discover

    store = open_store(target)
    if store is not None:
        from ..parsers.mlflow_runs import address, select_runs

        return [Unit(i.label, address(store, i.run_id))
                for i in select_runs(store.runs(), experiment, run, store.where)]
    if experiment is not None:
        raise UsageError("--experiment selects runs of an MLflow store", str(target),
                         "pass mlflow.db, sqlite:///... or --tracking-uri")
    if claims(target):
        from .remote import remote_units

        return remote_units(str(target))
    path = Path(target)
    if path.is_dir():
        from ..parsers.wandb_offline import select_runs as wandb_select
        from ..parsers.wandb_offline import wandb_runs

        runs = wandb_runs(path)
        if runs:
            return [Unit(r.label, str(r.file.parent)) for r in wandb_select(runs, run, str(path))]
    if run is not None:
        raise UsageError("--run selects runs of an MLflow store or a wandb/ folder",
                         str(target))
    return discover(target)


def is_many(target: str) -> bool:
    """Whether ``lossdoctor check TARGET`` is a sweep (a folder, a store, a remote folder)."""
    if Path(target).is_dir() and not claims(target):
        return True
    if RUN_MARK in target:
        return False
    if open_store(target) is not None:
        return True
    if claims(target):
        from .remote import remote_is_dir

        return remote_is_dir(target)
    return False
