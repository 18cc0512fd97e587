"""Jupyter notebooks: the text their cells printed, read as console text.

A training run in a notebook leaves its log in the cells' outputs (Keras ``fit``'s epochs, a
loop's prints, tqdm bars on stderr), not in a file of its own; ``lossdoctor check
train.ipynb`` reads that text in cell order, as the console would have shown it.
"""
from __future__ import annotations

from typing import Any

from ..errors import LogReadError
from ..frame import LossLog
from .jsontable import json_head, load_json
from .plaintext import text_log
from .registry import ReadOptions, register
from .source import Source

FORMAT = "ipynb"


def sniff_notebook(source: Source) -> float:
    """A JSON object whose cells have a ``cell_type`` (nbformat 4, or 3's worksheets)."""
    if source.is_dir:
        return 0.0
    head = json_head(source)
    if not head.startswith("{"):
        return 0.0
    if '"cell_type"' in head and ('"cells"' in head or '"worksheets"' in head):
        return 0.95
    return 0.6 if source.name.endswith(".ipynb") else 0.0


@register(FORMAT, priority=96, sniff=sniff_notebook,
          description="Jupyter notebooks (.ipynb): what the cells printed (Keras fit, a "
                      "loop's prints, tqdm bars), read as console text in cell order")
def read_notebook(source: Source, options: ReadOptions) -> LossLog:
    data = load_json(source)
    if not isinstance(data, dict):
        raise LogReadError("not a Jupyter notebook (no cells)", source.name)
    text = "".join(_printed(cell) for cell in _cells(data))
    if not text.strip():
        raise LogReadError("the notebook's cells hold no printed output", source.name,
                           "run it and save it with its outputs, or log to a file")
    return text_log(text, source.name, options, FORMAT)


def _cells(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The cells of nbformat 4 (``cells``) or 3 (``worksheets[*].cells``)."""
    cells = data.get("cells")
    if cells is None:
        sheets = data.get("worksheets")
        cells = [c for w in sheets if isinstance(w, dict) for c in w.get("cells") or []] \
            if isinstance(sheets, list) else []
    return [c for c in cells if isinstance(c, dict)] if isinstance(cells, list) else []


def _printed(cell: dict[str, Any]) -> str:
    """The text a cell printed: its streams (stdout and stderr, where tqdm writes) and the
    plain text of its results; images and errors are no log."""
    out = []
    for output in cell.get("outputs") or []:
        if not isinstance(output, dict):
            continue
        kind = output.get("output_type")
        if kind == "stream":
            out.append(_joined(output.get("text")))
        elif kind in ("execute_result", "display_data", "pyout"):
            data = output.get("data")
            plain = data.get("text/plain") if isinstance(data, dict) else output.get("text")
            out.append(_joined(plain))
    text = "".join(out)
    return text if not text or text.endswith("\n") else text + "\n"


def _joined(text: Any) -> str:
    """A notebook's text field: a string, or a list of lines with their own newlines."""
    if isinstance(text, str):
        return text
    if isinstance(text, list):
        return "".join(t for t in text if isinstance(t, str))
    return ""
