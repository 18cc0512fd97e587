"""Long (tidy) tables, one value a row named by label columns, to one column per series.

TensorBoard's ``experiment.get_scalars()`` frame (``run,tag,step,value``), Comet's metrics
(``metricName``, ``metricValue``, ``step``), ClearML's scalars (``metric``, ``variant``) and
pandas ``melt`` output (``epoch,split,metric,value``) hold every curve in one value column;
the series a row belongs to is named by its labels (``train/loss``), which the column
detection then reads as it reads any header.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ..names import EPOCH_NAMES, STEP_NAMES

if TYPE_CHECKING:
    import pandas as pd

#: the column that holds the numbers
VALUE_NAMES = ("value", "values", "metric_value", "metricvalue", "scalar_value")
#: columns whose text names the series a row belongs to (``run`` names the run)
LABEL_NAMES = ("tag", "metric", "metric_name", "metricname", "name", "key", "variant",
               "split", "phase", "stage", "mode", "subset", "run")
#: more distinct labels than this: not names of curves
MAX_SERIES = 200


def long_to_wide(df: pd.DataFrame, absent: Any = float("nan")
                 ) -> tuple[pd.DataFrame, str] | None:
    """The wide frame of a long table and a note saying so; None when ``df`` is not one:
    a value column, label columns of text (a few distinct names) and a step or epoch
    column, and nothing else but other numbers (a wall time, dropped). A series not logged
    at a step holds ``absent`` there (the reader's own mark of a cell not written, which a
    written NaN must not be taken for)."""
    lower = {str(c).lower(): c for c in df.columns}
    values = [lower[n] for n in VALUE_NAMES if n in lower]
    labels = [c for c in df.columns if str(c).lower() in LABEL_NAMES
              and df[c].dtype.kind == "O"]
    axis = [lower[n] for n in (*STEP_NAMES, *EPOCH_NAMES) if n in lower]
    if len(values) != 1 or not labels or not axis:
        return None
    rest = set(df.columns) - {values[0], *labels, *axis}
    if any(df[c].dtype.kind not in "fiu" for c in rest):
        return None                  # other text columns: not one value a row
    names = df[labels].astype(str).agg("/".join, axis=1) if len(labels) > 1 \
        else df[labels[0]].astype(str)
    if names.nunique() > MAX_SERIES:
        return None
    key = axis[0]
    groups = df.assign(_series=names).groupby([key, "_series"], sort=False)
    wide = groups[values[0]].last().unstack("_series")
    if not (isinstance(absent, float) and math.isnan(absent)):
        # the cells no row wrote (a NaN there is pandas' filling, not the log's value)
        written = groups.size().unstack("_series", fill_value=0) > 0
        wide = wide.astype(object).where(written, absent)
    wide = wide.sort_index().reset_index()
    wide.columns = [str(c) for c in wide.columns]
    note = (f"a long table: one value a row, its series named by {', '.join(labels)};"
            f" read as {len(wide.columns) - 1} columns by {key}")
    return wide, note
