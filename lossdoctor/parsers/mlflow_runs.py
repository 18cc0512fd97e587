"""MLflow runs kept in a database or behind a tracking server: picking runs, reading one.

A store (``parsers.mlflow_sqlite.SqliteStore``, ``sources.mlflow_rest.RestStore``) lists
runs and gives a metric's history; everything else -- which runs ``--experiment``/``--run``
mean, which metrics are the train and test loss, how one run becomes a LossLog -- is here,
shared. It sits with the parsers because the ``mlflow-db`` format reads through it; the
sources package (tracking servers) builds on it.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np
from numpy.typing import ArrayLike

from ..columns import choose_columns
from ..errors import LogReadError, UsageError, close_matches
from ..frame import LossLog, concat_frames, make_frame, validate_frame
from .mlflow import Metric, combine_metrics
from .registry import ReadOptions
from .runs import RUN_MARK, frames_per_run

if TYPE_CHECKING:
    import pandas as pd


#: MLflow keeps +-Inf as the largest double (a SQL column cannot hold Inf): read it back as Inf
MLFLOW_INF = sys.float_info.max
#: an id prefix this long or longer may name a run
MIN_ID_PREFIX = 6


@dataclass(frozen=True)
class RunInfo:
    """One run of a store: its id, name and experiment."""

    run_id: str
    name: str
    experiment: str
    experiment_id: str

    @property
    def label(self) -> str:
        """``experiment/run name (id prefix)``: a sweep's row."""
        return f"{self.experiment}/{self.name or '(unnamed)'} ({self.run_id[:8]})"


class RunStore(Protocol):
    """What a database or a tracking server gives: runs, metric names, metric histories."""

    uri: str        # the store's address (``sqlite:///mlflow.db``, ``mlflow+http://host``)
    where: str      # how messages name it

    def runs(self) -> list[RunInfo]: ...

    def run(self, run_id: str) -> RunInfo: ...

    def metric_keys(self, run_id: str) -> list[str]: ...

    def history(self, run_id: str, key: str) -> Metric: ...


def metric(steps: ArrayLike, values: ArrayLike, times: ArrayLike,
           nans: ArrayLike | None = None) -> Metric:
    """A Metric from one history, in the order it was written (by time, stable)."""
    value = np.array(values, dtype=float)     # a copy: Inf and NaN are written into it
    value[value >= MLFLOW_INF] = np.inf
    value[value <= -MLFLOW_INF] = -np.inf
    if nans is not None:
        value[np.asarray(nans, dtype=bool)] = np.nan
    time = np.asarray(times, dtype=float)
    order = np.argsort(time, kind="stable")
    return Metric(np.asarray(steps, dtype=float)[order], value[order], time[order] / 1000.0,
                  0, False)


def address(store: RunStore, run_id: str) -> str:
    """A string that names one run of a store (a sweep's unit; ``diagnose`` accepts it)."""
    return f"{store.uri}{RUN_MARK}{run_id}"


def split_address(target: str) -> tuple[str, str | None]:
    """``store#run=ID`` -> (store, ID); a store alone -> (store, None)."""
    if RUN_MARK in target:
        store, _, run_id = target.rpartition(RUN_MARK)
        return store, run_id
    return target, None


def select_runs(runs: list[RunInfo], experiment: str | None, run: str | None,
                where: str) -> list[RunInfo]:
    """The runs ``--experiment`` (name or id) and ``--run`` (name, id or id prefix) name."""
    if experiment is not None:
        names = sorted({r.experiment for r in runs})
        runs = [r for r in runs if experiment in (r.experiment, r.experiment_id)]
        if not runs:
            raise UsageError(f"no experiment {experiment!r} with runs here", where,
                             _hint(experiment, names, "experiments"))
    if run is not None:
        exact = [r for r in runs if run in (r.name, r.run_id)]
        prefix = [r for r in runs if len(run) >= MIN_ID_PREFIX and r.run_id.startswith(run)]
        picked = exact or prefix
        if not picked:
            raise UsageError(f"no run {run!r} here", where,
                             _hint(run, sorted({r.name for r in runs if r.name}), "runs"))
        runs = picked
    return runs


def _hint(word: str, names: list[str], what: str) -> str:
    close = close_matches(word, names, n=1)
    if close:
        return f"did you mean {close[0]!r}?"
    shown = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
    return f"{what}: {shown}" if names else f"no {what} in this store"


def run_frames(store: RunStore, info: RunInfo, options: ReadOptions,
               notes: list[str]) -> list[pd.DataFrame]:
    """The tidy frames of one run: its loss metrics (and learning rate), read one by one."""
    keys = store.metric_keys(info.run_id)
    if not keys:
        from ..errors import NoLossError

        raise NoLossError("the run has no metrics", f"{store.where} {info.label}")
    choice = choose_columns(keys, options.train_col, options.test_col,
                            f"{store.where} {info.label}")
    notes += choice.notes
    frames = []
    for split, names in (("train", choice.train), ("test", choice.test), ("lr", choice.lr)):
        if names:
            part = combine_metrics([store.history(info.run_id, n) for n in names])
            frames.append(make_frame("", split, part["step"], part["value"],
                                     part["wall_time"], metric="+".join(names)))
    return frames


def store_log(store: RunStore, options: ReadOptions, run_id: str | None = None) -> LossLog:
    """One run (named by ``run_id`` or by the options) as it is, or every selected run as a
    run of the frame."""
    infos = [store.run(run_id)] if run_id else \
        select_runs(store.runs(), options.experiment, options.run, store.where)
    if not infos:
        raise LogReadError("no runs in this MLflow store", store.where)
    notes: list[str] = []
    if len(infos) == 1:
        info = infos[0]
        frame = concat_frames(run_frames(store, info, options, notes))
        source = f"{store.where} {info.label}"
        if not (frame["split"] != "lr").any():
            raise LogReadError("no loss values in the loss metric(s)", source)
        return LossLog(validate_frame(frame, source), source, "mlflow", notes)
    by_label = {i.label: i for i in infos}

    def build(label: str) -> list[pd.DataFrame]:
        said: list[str] = []
        frames = [f.assign(run=label) for f in run_frames(store, by_label[label], options, said)]
        notes.extend(f"{label}: {n}" for n in said)
        return frames
    frames = frames_per_run(list(by_label), build, notes, store.where)
    return LossLog(validate_frame(concat_frames(frames), store.where), store.where, "mlflow",
                   notes)
