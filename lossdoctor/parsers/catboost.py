"""CatBoost's training log: catboost_info/catboost_training.json (the file or its folder).

CatBoost writes it for every fit, so it is the log a gradient-boosting run leaves behind.
Its ``meta`` names each metric with the way it improves (``best_value``: Min or Max): the
first learn metric that is minimised is the objective, the loss; a maximised one (AUC,
Accuracy) is a score, never read as a loss. The test curve is the same metric on the first
eval set (``test_sets``), one value per logged iteration.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from ..columns import CATBOOST_FORMAT
from ..errors import LogReadError
from ..frame import CurveArrays, LossLog
from .jsontable import json_head, load_json, to_number
from .registry import ReadOptions, register
from .source import Source

FORMAT = CATBOOST_FORMAT
TRAINING_FILE = "catboost_training.json"
_MINIMISED = "min"


def sniff_catboost(source: Source) -> float:
    """A folder holding catboost_training.json, or a JSON object whose meta lists metrics."""
    if source.is_dir:
        return 0.95 if (source.path / TRAINING_FILE).is_file() else 0.0
    text = json_head(source)
    return 0.95 if text.startswith("{") and '"learn_metrics"' in text \
        and '"iterations"' in text else 0.0


def is_run_folder(folder: Path) -> bool:
    """A catboost_info folder: one fit, read from its catboost_training.json."""
    try:
        return TRAINING_FILE in os.listdir(folder)
    except OSError:
        return False


@register(FORMAT, priority=94, sniff=sniff_catboost, folder=is_run_folder,
          description="CatBoost catboost_info/catboost_training.json (the file or the folder)")
def read_catboost(source: Source, options: ReadOptions) -> LossLog:
    file = Source(source.path / TRAINING_FILE) if source.is_dir else source
    data = load_json(file)
    meta = data.get("meta") if isinstance(data, dict) else None
    iterations = data.get("iterations") if isinstance(data, dict) else None
    if not isinstance(meta, dict) or not isinstance(iterations, list):
        raise LogReadError("no meta and iterations: not a CatBoost catboost_training.json",
                           file.name)
    learn = _names(meta.get("learn_metrics"))
    loss = _loss(learn, options.train_col, file.name)
    test_names = _names(meta.get("test_metrics"))
    test_metric = options.test_col or loss
    test_sets = [s for s in meta.get("test_sets") or [] if isinstance(s, str)]
    notes = [f"train loss: CatBoost's learn {loss} (minimised)"]
    learned = _series(iterations, _set(meta, "learn_sets", "learn"),
                      [n for n, _ in learn].index(loss))
    curves: list[CurveArrays] = [("", "train", loss, *learned, None)]
    names = [n for n, _ in test_names]
    if test_sets and test_metric in names:
        curves.append(("", "test", test_metric,
                       *_series(iterations, test_sets[0], names.index(test_metric)), None))
        notes.append(f"test loss: {test_metric} on eval set {test_sets[0]!r}"
                     + (f" (of {', '.join(test_sets)})" if len(test_sets) > 1 else ""))
    elif test_sets:
        notes.append(f"eval set {test_sets[0]!r} has no {test_metric} (its metrics:"
                     f" {', '.join(names) or 'none'}): diagnosing the train loss alone")
    if not any(len(c[4]) for c in curves):
        raise LogReadError("catboost_training.json has no logged iterations", file.name)
    return LossLog(source=source.name, format=FORMAT, notes=notes, curves=curves)


def _names(metrics: Any) -> list[tuple[str, str]]:
    """(name, how it improves) of each metric in a meta list, in CatBoost's order."""
    if not isinstance(metrics, list):
        return []
    return [(str(m.get("name")), str(m.get("best_value", "")).lower())
            for m in metrics if isinstance(m, dict) and m.get("name")]


def _loss(learn: list[tuple[str, str]], chosen: str | None, name: str) -> str:
    """The learn metric to diagnose: the one asked for, else the first minimised one."""
    names = [n for n, _ in learn]
    if chosen is not None:
        if chosen not in names:
            raise LogReadError(f"no learn metric {chosen!r} (its metrics: {', '.join(names)})",
                               name)
        return chosen
    loss = next((n for n, best in learn if best == _MINIMISED), None)
    if loss is None:
        raise LogReadError("no learn metric is minimised, so none is a loss (its metrics:"
                           f" {', '.join(names) or 'none'})", name,
                           "name one with --train-col")
    return loss


def _set(meta: dict[str, Any], key: str, default: str) -> str:
    sets = meta.get(key)
    return str(sets[0]) if isinstance(sets, list) and sets else default


def _series(iterations: list[Any], key: str, index: int) -> tuple[np.ndarray, np.ndarray]:
    """Steps and values of metric ``index`` of set ``key`` over the logged iterations."""
    steps, values = [], []
    for pos, record in enumerate(iterations):
        if not isinstance(record, dict):
            continue
        row = record.get(key)
        value = to_number(row[index]) if isinstance(row, list) and index < len(row) else None
        if value is None:
            continue
        step = to_number(record.get("iteration"))
        steps.append(pos if step is None else step)
        values.append(value)
    return np.asarray(steps, dtype=float), np.asarray(values, dtype=float)
