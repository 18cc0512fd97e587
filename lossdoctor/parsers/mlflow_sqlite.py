"""MLflow's SQLite store (``mlflow.db``, MLflow 3's default), read with Python's own sqlite3.

The database is opened read-only, so a training run that is writing to it is not disturbed.
Deleted runs and experiments are left out, as MLflow's UI leaves them out.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

from ..errors import LogReadError
from .mlflow import Metric
from .mlflow_runs import RunInfo, metric
from .source import is_sqlite

SCHEME = "sqlite://"
#: the tables that make a SQLite database an MLflow store
TABLES = frozenset({"runs", "metrics", "experiments"})


def path_of(uri: str) -> str:
    """``sqlite:///rel.db`` -> ``rel.db``, ``sqlite:////abs.db`` -> ``/abs.db`` (SQLAlchemy's
    convention, which MLflow uses)."""
    rest = uri[len(SCHEME):]
    if not rest.startswith("/") or rest == "/":
        raise LogReadError("not a SQLite file URI", uri, "expected sqlite:///path/to/mlflow.db")
    return rest[1:].split("?", 1)[0]


class SqliteStore:
    """The runs and metrics of one MLflow SQLite database."""

    def __init__(self, path: str | Path, where: str | None = None) -> None:
        self.path = str(path)
        self.uri = f"{SCHEME}/{self.path}"
        self.where = where or self.path
        if not Path(self.path).is_file():
            raise LogReadError("no such file", self.where)
        if not is_sqlite(self.path):
            raise LogReadError("not a SQLite database", self.where,
                               "expected MLflow's mlflow.db")
        try:
            self.db = sqlite3.connect(f"{Path(self.path).resolve().as_uri()}?mode=ro",
                                      uri=True, check_same_thread=False)
            tables = {r[0] for r in self._query(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.Error as exc:
            raise LogReadError(f"cannot open the database ({exc})", self.where) from None
        if not TABLES <= tables:
            raise LogReadError("a SQLite database, but not an MLflow store (no runs/metrics "
                               "tables)", self.where)

    def _query(self, sql: str, args: tuple[str, ...] = ()) -> list[tuple]:
        try:
            return self.db.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise LogReadError(f"cannot read the database ({exc})", self.where) from None

    _RUNS = ("SELECT r.run_uuid, COALESCE(r.name, ''), e.name, e.experiment_id FROM runs r "
             "JOIN experiments e ON e.experiment_id = r.experiment_id "
             "WHERE r.lifecycle_stage = 'active' AND e.lifecycle_stage = 'active'")

    def runs(self) -> list[RunInfo]:
        rows = self._query(self._RUNS + " ORDER BY e.experiment_id, r.start_time, r.run_uuid")
        return [RunInfo(r[0], r[1], r[2], str(r[3])) for r in rows]

    def run(self, run_id: str) -> RunInfo:
        rows = self._query(self._RUNS.replace("WHERE r.lifecycle_stage = 'active' AND",
                                              "WHERE r.run_uuid = ? AND") , (run_id,))
        if not rows:
            raise LogReadError(f"no run {run_id!r} in this MLflow store", self.where)
        r = rows[0]
        return RunInfo(r[0], r[1], r[2], str(r[3]))

    def metric_keys(self, run_id: str) -> list[str]:
        rows = self._query("SELECT DISTINCT key FROM metrics WHERE run_uuid = ? ORDER BY key",
                           (run_id,))
        return [r[0] for r in rows]

    def history(self, run_id: str, key: str) -> Metric:
        rows = self._query("SELECT step, value, timestamp, is_nan FROM metrics "
                           "WHERE run_uuid = ? AND key = ? ORDER BY rowid", (run_id, key))
        if not rows:
            return metric(np.empty(0), np.empty(0), np.empty(0))
        table = np.array(rows, dtype=float)         # one pass over the rows, in C
        return metric(table[:, 0], table[:, 1], table[:, 2], table[:, 3] != 0)
