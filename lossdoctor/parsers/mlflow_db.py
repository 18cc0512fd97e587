"""MLflow's SQLite store (``mlflow.db``) as a log format: its runs, each a run of the frame."""
from __future__ import annotations

from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING

from .registry import ReadOptions, register
from .source import SQLITE_MAGIC, Source

if TYPE_CHECKING:
    from ..frame import LossLog

FORMAT = "mlflow-db"


def sniff_mlflow_db(source: Source) -> float:
    """Sure of a SQLite file with MLflow's tables; any other database is not a log."""
    if source.is_dir or not source.head.startswith(SQLITE_MAGIC):
        return 0.0
    import sqlite3  # only for a database: sniffing a text log does not load the store

    from .mlflow_sqlite import TABLES

    uri = f"{Path(source.path).resolve().as_uri()}?mode=ro"
    try:
        with closing(sqlite3.connect(uri, uri=True)) as db:
            tables = {r[0] for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.Error:
        return 0.0
    return 1.0 if TABLES <= tables else 0.0


@register(FORMAT, priority=97, sniff=sniff_mlflow_db,
          description="MLflow SQLite store (mlflow.db): every run, or those --experiment and "
                      "--run name")
def read_mlflow_db(source: Source, options: ReadOptions) -> LossLog:
    from .mlflow_runs import store_log
    from .mlflow_sqlite import SqliteStore

    return store_log(SqliteStore(source.path, source.name), options)


