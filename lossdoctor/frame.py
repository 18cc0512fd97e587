"""The tidy loss frame, the contract between parsers and everything after them.

One row per logged value: ``run, split, step, value, wall_time, metric``. ``split`` is
``train`` or ``test`` for losses and ``lr`` for a recorded learning rate. NaN and Inf
values are kept: they are evidence. A wide DataFrame is accepted and melted.

pandas is imported by the functions that build frames, not with the module: a log read
as curves is diagnosed without loading it.
"""
from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, TypeGuard

import numpy as np

from .columns import choose_columns, step_axis
from .errors import ColumnError, LogReadError

if TYPE_CHECKING:
    import pandas as pd

FRAME_COLUMNS = ("run", "split", "step", "value", "wall_time", "metric")
SPLITS = ("train", "test", "lr")
LOSS_SPLITS = ("train", "test")
LABEL_COLUMNS = ("run", "split", "metric")   # categorical: one byte a row


CurveArrays = tuple[str, str, str, np.ndarray, np.ndarray, "np.ndarray | None"]


class LossLog:
    """A parsed log: its curves, where it came from and what the parser noticed.

    A reader gives either the tidy ``frame`` or its ``curves`` as arrays (``(run, split,
    metric, steps, values, wall)``, see :func:`frame_from_curves`). The frame of a log read
    as curves is built only when asked for: the diagnosis reads the curves' own arrays, so
    a 5,000,000-row log is not copied into a frame on the way.
    """

    def __init__(self, frame: pd.DataFrame | None = None, source: str = "", format: str = "",
                 notes: list[str] | None = None, *,
                 curves: list[CurveArrays] | None = None) -> None:
        if frame is None and curves is None:
            raise ValueError("a LossLog needs a frame or curves")
        self._frame = frame
        self.curves = None if curves is None else [c for c in curves if len(c[4])]
        self.source = source
        self.format = format
        self.notes = list(notes or [])

    def __repr__(self) -> str:
        return (f"LossLog(source={self.source!r}, format={self.format!r}, runs={self.runs()!r},"
                f" notes={len(self.notes)})")

    @property
    def frame(self) -> pd.DataFrame:
        """The tidy frame (built from the curves on first use)."""
        if self._frame is None:
            self._frame = frame_from_curves(self.curves or [])
        return self._frame

    def runs(self) -> list[str]:
        if self._frame is None:
            return list(dict.fromkeys(str(c[0]) for c in self.curves or []))
        import pandas as pd

        runs = self._frame["run"]
        if isinstance(runs.dtype, pd.CategoricalDtype) and len(runs.cat.categories) == 1:
            return [str(runs.cat.categories[0])] if len(runs) else []
        return [str(r) for r in pd.unique(runs)]

    def splits(self, run: str | None = None) -> list[str]:
        if self._frame is None:
            have = {c[1] for c in self.curves or [] if run is None or c[0] == run}
            return [s for s in LOSS_SPLITS if s in have]
        frame = self.frame if run is None else self.frame[self.frame["run"] == run]
        return [s for s in LOSS_SPLITS if (frame["split"] == s).any()]

    def curve(self, run: str, split: str) -> tuple[np.ndarray, np.ndarray]:
        """One run's steps and values of a split, in the order they were read (float arrays;
        views, not copies, where the reader's arrays allow)."""
        if self._frame is None:
            parts = [c for c in self.curves or [] if c[0] == run and c[1] == split]
            if not parts:
                return np.empty(0), np.empty(0)
            if len(parts) == 1:
                return (np.asarray(parts[0][3], dtype=float),
                        np.asarray(parts[0][4], dtype=float))
            return (np.concatenate([np.asarray(c[3], dtype=float) for c in parts]),
                    np.concatenate([np.asarray(c[4], dtype=float) for c in parts]))
        return curve_arrays(self.run_frame(run), split)

    def summed_splits(self, run: str) -> frozenset[str]:
        """The splits of a run whose loss the reader summed from logged components."""
        if self._frame is None:
            return frozenset(c[1] for c in self.curves or [] if c[0] == run and "+" in c[2])
        return summed_splits(self.run_frame(run))

    def metrics(self, run: str) -> frozenset[str]:
        """The names the reader gave a run's curves (the columns or tags they came from)."""
        if self._frame is None:
            return frozenset(str(c[2]) for c in self.curves or [] if c[0] == run)
        return metric_names(self.run_frame(run))

    def run_frame(self, run: str) -> pd.DataFrame:
        """The rows of one run (the frame itself when the log has one run)."""
        frame = self.frame
        if self.runs() == [run]:
            return frame
        return frame[frame["run"] == run]

    def to_frame(self) -> pd.DataFrame:
        out = self.frame.copy()
        out.attrs = {"source": self.source, "format": self.format, "notes": list(self.notes)}
        return out


def is_dataframe(obj: object) -> TypeGuard[pd.DataFrame]:
    """True for a pandas DataFrame; asking does not import pandas (no frame without it)."""
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(obj, pd.DataFrame)


def curve_arrays(frame: pd.DataFrame, split: str) -> tuple[np.ndarray, np.ndarray]:
    """The steps and values of one split's rows: views, not copies, when they are one block."""
    mask = (frame["split"] == split).to_numpy()
    steps, values = frame["step"].to_numpy(), frame["value"].to_numpy()
    count = int(mask.sum())
    if not count:
        return steps[:0], values[:0]
    first, last = int(np.argmax(mask)), len(mask) - int(np.argmax(mask[::-1]))
    if last - first == count:
        return steps[first:last], values[first:last]
    return steps[mask], values[mask]


def metric_names(frame: pd.DataFrame) -> frozenset[str]:
    return frozenset(str(m) for m in frame["metric"].unique())


def summed_splits(frame: pd.DataFrame) -> frozenset[str]:
    """The splits whose loss is a sum of logged components (its metric reads ``a+b``, as
    the readers name a summed curve): a sum of parts has no chance level of its own."""
    summed = [m for m in frame["metric"].unique() if "+" in str(m)]
    if not summed:
        return frozenset()     # the usual case, without a string per row
    return frozenset(str(s) for s in frame.loc[frame["metric"].isin(summed), "split"].unique())


def empty_frame() -> pd.DataFrame:
    return make_frame("", "train", np.empty(0), np.empty(0))


def make_frame(run: str, split: str, steps, values, wall_time=None,
               metric: str = "") -> pd.DataFrame:
    """Build a tidy frame for one curve; steps and values are array-likes of equal length."""
    steps = np.asarray(steps, dtype=float)
    values = np.asarray(values, dtype=float)
    n = len(values)
    wall = _no_times(n) if wall_time is None else np.asarray(wall_time, dtype=float)
    return _assemble(run=_constant(run, n), split=_constant(split, n), step=steps,
                     value=values, wall_time=wall, metric=_constant(metric, n))


def _categorical(codes: np.ndarray, categories: list[Any]) -> pd.Categorical:
    import pandas as pd

    dtype: pd.CategoricalDtype = pd.CategoricalDtype(categories)
    return pd.Categorical.from_codes(codes, dtype=dtype)  # type: ignore[return-value]


def _no_times(n: int) -> np.ndarray:
    """A read-only all-NaN column that takes no memory (most logs have no wall times)."""
    return np.broadcast_to(np.float64(np.nan), (n,))


def _is_no_times(values: np.ndarray) -> bool:
    return values.strides == (0,) and bool(np.isnan(values[:1]).all())


def _constant(label: str, n: int) -> pd.Categorical:
    """A label repeated ``n`` times: one byte a row, not a pointer to a string."""
    return _categorical(np.zeros(n, dtype=np.int8), [label])


def _assemble(**columns) -> pd.DataFrame:
    """A frame over the given arrays without copying them into one block (millions of rows)."""
    import pandas as pd

    return pd.DataFrame(columns, copy=False)


def frame_from_curves(curves: list[CurveArrays]) -> pd.DataFrame:
    """The tidy frame of several curves given as ``(run, split, metric, steps, values, wall)``.

    Each column is written once (integer steps become floats on the way): for a log of
    millions of points this is the one copy of its numbers that the frame needs.
    """
    curves = [c for c in curves if len(c[4])]
    if not curves:
        return empty_frame()
    lengths = [len(c[4]) for c in curves]
    columns: dict[str, Any] = {}
    for pos, col in ((0, "run"), (1, "split"), (2, "metric")):
        cats = sorted({str(c[pos]) for c in curves})
        codes = np.repeat(np.array([cats.index(str(c[pos])) for c in curves], dtype=np.int8
                                   if len(cats) < 127 else np.int32), lengths)
        columns[col] = _categorical(codes, cats)
    for pos, col in ((3, "step"), (4, "value")):
        parts = [np.asarray(c[pos]) for c in curves]
        if len(parts) == 1 and parts[0].dtype == np.float64:
            columns[col] = parts[0]
        else:
            columns[col] = np.concatenate(parts, dtype=np.float64, casting="unsafe")
    walls = [c[5] for c in curves]
    if all(w is None for w in walls):
        columns["wall_time"] = _no_times(sum(lengths))
    else:
        columns["wall_time"] = np.concatenate(
            [_no_times(n) if w is None else np.asarray(w, dtype=float)
             for w, n in zip(walls, lengths, strict=True)])
    return _assemble(**{c: columns[c] for c in FRAME_COLUMNS})


def concat_frames(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Stack tidy frames: labels stay categorical, numbers are copied once."""
    import pandas as pd

    frames = [f for f in frames if len(f)]
    if not frames:
        return empty_frame()
    if len(frames) == 1:
        return frames[0].reset_index(drop=True)
    if not all(list(f.columns) == list(FRAME_COLUMNS) for f in frames):
        return pd.concat(frames, ignore_index=True)
    columns: dict[str, Any] = {}
    for col in FRAME_COLUMNS:
        parts = [f[col] for f in frames]
        if col in LABEL_COLUMNS:
            columns[col] = _union([_as_labels(p) for p in parts])
            continue
        arrays = [p.to_numpy(dtype=float) for p in parts]
        if all(_is_no_times(a) for a in arrays):
            columns[col] = _no_times(sum(len(a) for a in arrays))
        else:
            columns[col] = np.concatenate(arrays)
    return _assemble(**columns)


def _all_used(codes: np.ndarray, count: int) -> bool:
    if count <= 8:      # a few byte-wide comparisons beat counting millions of codes
        seen = {int(codes[0]), int(codes[-1])} if len(codes) else set()
        return all(i in seen or bool((codes == i).any()) for i in range(count))
    return bool(np.bincount(codes.astype(np.intp), minlength=count).all())


def _union(parts: list[pd.Categorical]) -> pd.Categorical:
    """Categoricals end to end, over the sorted union of their categories."""
    cats = sorted(set().union(*(p.categories for p in parts)))
    where = {c: i for i, c in enumerate(cats)}
    small = np.int8 if len(cats) < 127 else np.int32
    codes = []
    for p in parts:
        lookup = np.array([where[c] for c in p.categories], dtype=small)
        if len(lookup) == 1:
            codes.append(np.full(len(p), lookup[0], dtype=small))
        elif np.array_equal(lookup, np.arange(len(lookup))):
            codes.append(p.codes.astype(small, copy=False))
        else:
            codes.append(lookup[p.codes])
    return _categorical(np.concatenate(codes), cats)


def validate_frame(frame: pd.DataFrame, source: str | None = None) -> pd.DataFrame:
    """Check the contract and return the frame with exact dtypes; raise a one-line error.

    Columns that already have their dtype are kept, not copied: frames hold millions of rows.
    """
    import pandas as pd

    missing = [c for c in ("split", "step", "value") if c not in frame.columns]
    if missing:
        raise LogReadError(f"loss frame lacks column(s) {', '.join(missing)}", source,
                           "expected run, split, step, value[, wall_time, metric]")
    n = len(frame)
    columns: dict[str, Any] = {}
    for col in FRAME_COLUMNS:
        if col not in frame.columns:
            columns[col] = _no_times(n) if col == "wall_time" else _constant("", n)
        elif col in LABEL_COLUMNS:
            columns[col] = _as_labels(frame[col])
        elif frame[col].dtype == np.float64:
            columns[col] = frame[col].to_numpy()
        else:
            columns[col] = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)
    bad = sorted(set(map(str, columns["split"].categories)) - set(SPLITS))
    if bad:
        raise LogReadError(f"unknown split(s) {bad}", source, "splits are train, test or lr")
    return _assemble(**columns)


def _as_labels(column: pd.Series) -> pd.Categorical:
    """A label column as a categorical of strings (``str()`` of each value, as before).

    Categories are the labels that occur, sorted, so that sorting and grouping order rows
    as they would plain strings.
    """
    import pandas as pd

    values = column.array
    if isinstance(values, pd.Categorical) and not (values.codes < 0).any():
        cats = list(values.categories)
        if all(isinstance(c, str) for c in cats) and cats == sorted(cats):
            if len(cats) == 1 or _all_used(values.codes, len(cats)):
                return values
            return values.remove_unused_categories()
    codes, uniq = pd.factorize(np.asarray(column, dtype=object), use_na_sentinel=False)
    names = [str(v) for v in uniq]
    cats = sorted(set(names))
    where = {name: i for i, name in enumerate(cats)}
    remap = np.array([where[name] for name in names], dtype=np.int32)
    return _categorical(remap[codes] if len(codes) else codes, cats)


def from_dataframe(df: pd.DataFrame, train_col: str | None = None,
                   test_col: str | None = None, source: str = "<DataFrame>") -> LossLog:
    """Accept a user's DataFrame, long (has split/value) or wide (one column per curve)."""
    import pandas as pd

    if {"split", "value"} <= set(df.columns):
        frame = df if "step" in df.columns else df.assign(step=np.arange(len(df), dtype=float))
        return LossLog(validate_frame(frame, source), source, "dataframe")
    if df.empty:
        raise LogReadError("DataFrame is empty", source)
    choice = choose_columns([str(c) for c in df.columns], train_col, test_col, source)
    axis_notes: list[str] = []
    steps, step_name = step_axis(df, axis_notes)
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
    notes = ([f"x axis: {step_name}"] if step_name else []) + axis_notes + choice.notes
    return LossLog(validate_frame(concat_frames(frames), source), source, "dataframe", notes)


def _explicit_nan(df: pd.DataFrame, names: list[str]) -> np.ndarray:
    """Which NaN cells are values, not gaps.

    In a user's DataFrame NaN means both "not logged" (sparse Lightning-style rows) and "the
    loss was NaN". A column that is dense and then NaN to the end is read as a run that
    produced NaN; NaN between finite values is read as a gap.
    """
    import pandas as pd

    mask = np.zeros(len(df), dtype=bool)
    for n in names:
        isnan = pd.to_numeric(df[n], errors="coerce").isna().to_numpy()
        if not isnan.any() or isnan.all():
            continue
        first = int(np.argmax(isnan))
        if isnan[first:].all() and first > 0:
            mask[first:] = True
    return mask
