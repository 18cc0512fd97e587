"""The tidy loss frame, the contract between parsers and everything after them.

One row per logged value: ``run, split, step, value, wall_time, metric``. ``split`` is
``train`` or ``test`` for losses and ``lr`` for a recorded learning rate. NaN and Inf
values are kept: they are evidence. A wide DataFrame is accepted and melted.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import ColumnError, LogReadError

FRAME_COLUMNS = ("run", "split", "step", "value", "wall_time", "metric")
SPLITS = ("train", "test", "lr")
LOSS_SPLITS = ("train", "test")


@dataclass
class LossLog:
    """A parsed log: the tidy frame plus where it came from and what the parser noticed."""

    frame: pd.DataFrame
    source: str
    format: str
    notes: list[str] = field(default_factory=list)

    def runs(self) -> list[str]:
        return list(dict.fromkeys(self.frame["run"].tolist()))

    def splits(self, run: str | None = None) -> list[str]:
        frame = self.frame if run is None else self.frame[self.frame["run"] == run]
        return [s for s in LOSS_SPLITS if (frame["split"] == s).any()]

    def to_frame(self) -> pd.DataFrame:
        out = self.frame.copy()
        out.attrs = {"source": self.source, "format": self.format, "notes": list(self.notes)}
        return out


def empty_frame() -> pd.DataFrame:
    return make_frame("", "train", np.empty(0), np.empty(0))


def make_frame(run: str, split: str, steps, values, wall_time=None,
               metric: str = "") -> pd.DataFrame:
    """Build a tidy frame for one curve; steps and values are array-likes of equal length."""
    steps = np.asarray(steps, dtype=float)
    values = np.asarray(values, dtype=float)
    n = len(values)
    wall = np.full(n, np.nan) if wall_time is None else np.asarray(wall_time, dtype=float)
    return pd.DataFrame({
        "run": pd.Series([run] * n, dtype=object),
        "split": pd.Series([split] * n, dtype=object),
        "step": steps,
        "value": values,
        "wall_time": wall,
        "metric": pd.Series([metric] * n, dtype=object),
    })


def concat_frames(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return empty_frame()
    return pd.concat(frames, ignore_index=True)


def validate_frame(frame: pd.DataFrame, source: str | None = None) -> pd.DataFrame:
    """Check the contract and return the frame with exact dtypes; raise a one-line error."""
    missing = [c for c in ("split", "step", "value") if c not in frame.columns]
    if missing:
        raise LogReadError(f"loss frame lacks column(s) {', '.join(missing)}", source,
                           "expected run, split, step, value[, wall_time, metric]")
    out = frame.copy()
    if "run" not in out:
        out["run"] = ""
    if "wall_time" not in out:
        out["wall_time"] = np.nan
    if "metric" not in out:
        out["metric"] = ""
    bad = sorted(set(map(str, pd.unique(out["split"]))) - set(SPLITS))   # unique: 1M rows
    if bad:
        raise LogReadError(f"unknown split(s) {bad}", source, "splits are train, test or lr")
    for col in ("step", "value", "wall_time"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
    out["run"] = out["run"].astype(str).astype(object)
    out["split"] = out["split"].astype(str).astype(object)
    out["metric"] = out["metric"].astype(str).astype(object)
    return out[list(FRAME_COLUMNS)].reset_index(drop=True)


def from_dataframe(df: pd.DataFrame, train_col: str | None = None,
                   test_col: str | None = None, source: str = "<DataFrame>") -> LossLog:
    """Accept a user's DataFrame, long (has split/value) or wide (one column per curve)."""
    if {"split", "value"} <= set(df.columns):
        frame = df if "step" in df.columns else df.assign(step=np.arange(len(df), dtype=float))
        return LossLog(validate_frame(frame, source), source, "dataframe")
    from .parsers.columns import choose_columns, step_axis  # parsers sit beside, not above

    if df.empty:
        raise LogReadError("DataFrame is empty", source)
    choice = choose_columns([str(c) for c in df.columns], train_col, test_col, source)
    steps, step_name = step_axis(df)
    frames = []
    for split, names in (("train", choice.train), ("test", choice.test), ("lr", choice.lr)):
        if not names:
            continue
        cols = [pd.to_numeric(df[n], errors="coerce").to_numpy(float) for n in names]
        values = np.sum(cols, axis=0) if len(cols) > 1 else cols[0]
        keep = ~np.isnan(values) | _explicit_nan(df, names)
        frames.append(make_frame("", split, steps[keep], values[keep], metric="+".join(names)))
    if not frames:
        raise ColumnError("no loss column", source)
    notes = [f"x axis: {step_name}"] if step_name else []
    return LossLog(validate_frame(concat_frames(frames), source), source, "dataframe", notes)


def _explicit_nan(df: pd.DataFrame, names: list[str]) -> np.ndarray:
    """Which NaN cells are values, not gaps.

    In a user's DataFrame NaN means both "not logged" (sparse Lightning-style rows) and "the
    loss was NaN". A column that is dense and then NaN to the end is read as a run that
    produced NaN; NaN between finite values is read as a gap.
    """
    mask = np.zeros(len(df), dtype=bool)
    for n in names:
        isnan = pd.to_numeric(df[n], errors="coerce").isna().to_numpy()
        if not isnan.any() or isnan.all():
            continue
        first = int(np.argmax(isnan))
        if isnan[first:].all() and first > 0:
            mask[first:] = True
    return mask
