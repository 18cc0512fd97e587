"""Plain CSV/TSV logs and Keras' CSVLogger files."""
from __future__ import annotations

import csv
import re

from ..errors import LogReadError
from ..frame import LossLog, from_dataframe
from ..names import tokens
from .registry import ReadOptions, register
from .source import Source
from .table import has_header, read_table, sniff_delimiter
from .tablecurves import table_to_log

_KERAS_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
#: words Keras never puts in a metric name (it writes 'val_' and nothing else)
_FOREIGN = frozenset({"train", "training", "test", "valid", "validation", "eval", "step",
                      "steps", "iter", "iteration"})


def _first_row(source: Source) -> list[str]:
    lines = [ln for ln in source.head_text.splitlines()[:20] if ln.strip()]
    if not lines:
        return []
    delim = sniff_delimiter(lines)
    row = next(csv.reader([lines[0]], delimiter=delim)) if delim else lines[0].split()
    return [c.strip().strip('"') for c in row]


def _looks_tabular(source: Source) -> bool:
    if source.is_dir or not source.head.strip():
        return False
    try:
        text = source.head_text
    except Exception:
        return False
    stripped = text.lstrip()
    return not stripped.startswith(("{", "["))


def sniff_keras(source: Source) -> float:
    """``epoch`` then Keras' metric names (``X`` and ``val_X``, sorted), epochs from 0."""
    if not _looks_tabular(source):
        return 0.0
    row = _first_row(source)
    rest = row[1:]
    if len(row) < 2 or row[0] != "epoch" or not ({"loss", "val_loss"} & set(rest)):
        return 0.0
    if not all(_KERAS_NAME.match(c) and not _FOREIGN & set(tokens(c[4:] if
               c.startswith("val_") else c)) for c in rest):
        return 0.0      # 'test_loss', 'step', 'train/loss': some other logger
    if _first_epoch(source) not in (None, 0.0):
        return 0.2      # Keras counts epochs from 0
    return 0.9 if rest == sorted(rest) else 0.7


def _first_epoch(source: Source) -> float | None:
    lines = [ln for ln in source.head_text.splitlines()[:3] if ln.strip()]
    if len(lines) < 2:
        return None
    delim = sniff_delimiter(lines)
    cells = next(csv.reader([lines[1]], delimiter=delim)) if delim else lines[1].split()
    try:
        return float(cells[0])
    except (ValueError, IndexError):
        return None


def sniff_generic(source: Source) -> float:
    """A delimited or space-padded table of numbers, with or without a header (the fallback)."""
    if not _looks_tabular(source):
        return 0.0
    lines = [ln for ln in source.head_text.splitlines()[:5] if ln.strip()]
    if not lines:
        return 0.0
    delim = sniff_delimiter(lines)
    if has_header(lines[0], delim) and len(_first_row(source)) == 1 and len(lines) > 1:
        return 0.3   # one named column
    return 0.3 if delim or len(lines[0].split()) >= 1 else 0.0


@register("keras-csvlogger", priority=60, sniff=sniff_keras,
          description="Keras CSVLogger: epoch,<sorted metrics>, NA for missing values")
def read_keras(source: Source, options: ReadOptions) -> LossLog:
    return table_to_log(read_table(source), source, options, "keras-csvlogger")


@register("generic-csv", priority=10, sniff=sniff_generic,
          description="any delimited table: CSV, TSV, padded columns, no header, one long row,"
                      " names in a '#' comment line (np.savetxt, DeePMD's lcurve.out, "
                      "DeepXDE's loss.dat), a long table of one value a row named by its"
                      " labels (TensorBoard's get_scalars() 'run,tag,step,value', pandas"
                      " melt's 'epoch,split,metric,value')")
def read_generic(source: Source, options: ReadOptions) -> LossLog:
    return table_to_log(read_table(source), source, options, "generic-csv")


#: YOLOv5's and YOLOv7's ``results.txt`` (before ``results.csv``): no header, one row an
#: epoch, ``epoch/last`` first; the columns as train.py wrote them (train losses, targets,
#: image size, P, R, mAP@.5, mAP@.5:.95, val losses), named as results.csv names them
YOLO_TXT = ("epoch", "gpu_mem", "train/box_loss", "train/obj_loss", "train/cls_loss",
            "total", "labels", "img_size", "metrics/precision", "metrics/recall",
            "metrics/mAP_0.5", "metrics/mAP_0.5:0.95", "val/box_loss", "val/obj_loss",
            "val/cls_loss")
_YOLO_ROW = re.compile(r"^\s*\d+/\d+\s+\S+(?:\s+[-+0-9.eE]+|\s+nan){13}\s*$", re.IGNORECASE)


def sniff_yolo_txt(source: Source) -> float:
    """Rows of 15 cells opening with ``epoch/last`` (``0/299  11.8G  0.0698 ...``)."""
    if not _looks_tabular(source):
        return 0.0
    lines = [ln for ln in source.head_text.splitlines()[:20] if ln.strip()]
    rows = lines[:-1] if len(lines) > 1 else lines      # the head may cut the last row
    return 0.8 if rows and all(_YOLO_ROW.match(ln) for ln in rows) else 0.0


@register("yolo-results-txt", priority=55, sniff=sniff_yolo_txt,
          description="YOLOv5/YOLOv7 results.txt: no header, 'epoch/last' then losses and"
                      " metrics per row")
def read_yolo_txt(source: Source, options: ReadOptions) -> LossLog:
    import pandas as pd

    rows = [ln.split() for ln in source.text.splitlines() if _YOLO_ROW.match(ln)]
    if not rows:
        raise LogReadError("no 'epoch/last' rows of 15 cells", source.name,
                           "expected YOLOv5/v7 results.txt rows like '0/299 11.8G 0.0698 ...'")
    df = pd.DataFrame([r[2:] for r in rows], columns=list(YOLO_TXT[2:])).apply(
        pd.to_numeric, errors="coerce").drop(columns=["total", "labels", "img_size"])
    df.insert(0, "epoch", [float(r[0].split("/")[0]) for r in rows])
    log = from_dataframe(df, options.train_col, options.test_col, source.name)
    return LossLog(log.frame, source.name, "yolo-results-txt",
                   [*log.notes, "columns as YOLOv5/v7's train.py writes results.txt"])
