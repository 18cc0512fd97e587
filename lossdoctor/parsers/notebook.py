"""Jupyter notebooks: the text their cells printed, read as console text.

A training run in a notebook leaves its log in the cells' outputs (Keras ``fit``'s epochs, a
loop's prints, tqdm bars on stderr), not in a file of its own; ``lossdoctor check
train.ipynb`` reads that text in cell order, as the console would have shown it.
"""
from __future__ import annotations

from html.parser import HTMLParser
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
                      "loop's prints, tqdm bars) and the progress tables they displayed "
                      "(fastai's, the HF Trainer's), read as console text in cell order")
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
    """The text a cell printed: its streams (stdout and stderr, where tqdm writes) and its
    results, as their plain text or, for the tables they display as HTML, as the tables'
    rows; images and errors are no log."""
    out = []
    for output in cell.get("outputs") or []:
        if not isinstance(output, dict):
            continue
        kind = output.get("output_type")
        if kind == "stream":
            out.append(_joined(output.get("text")))
        elif kind in ("execute_result", "display_data", "pyout"):
            data = output.get("data")
            if not isinstance(data, dict):
                out.append(_joined(output.get("text")))
                continue
            html = _joined(data.get("text/html"))
            shown = _tables(html) if "<table" in html else _joined(data.get("text/plain"))
            # a displayed result is a block of its own: on lines apart from a stream's
            # unfinished line before it (a download bar) and from what follows it
            if out and not out[-1].endswith("\n"):
                out.append("\n")
            out.append(shown if not shown or shown.endswith("\n") else shown + "\n")
    text = "".join(out)
    return text if not text or text.endswith("\n") else text + "\n"


def _joined(text: Any) -> str:
    """A notebook's text field: a string, or a list of lines with their own newlines."""
    if isinstance(text, str):
        return text
    if isinstance(text, list):
        return "".join(t for t in text if isinstance(t, str))
    return ""


def _tables(html: str) -> str:
    """The HTML tables a cell displayed (fastai's and the HF Trainer's progress tables, a
    DataFrame of the history) as console text: a header line of the column names (one word
    each: ``Training_Loss``), then a line of cells per row, as a console table prints them."""
    parser = _TableText()
    parser.feed(html)
    parser.close()
    return "".join(" ".join(row) + "\n" for row in parser.rows if row)


#: a table cell that says its value was not logged (the HF Trainer's ``No log``)
NOT_LOGGED = frozenset({"", "No_log", "N/A", "None", "-"})


class _TableText(HTMLParser):
    """The rows of every table in a page, each a list of its cells' text (spaces inside a
    cell become ``_``, so that a cell stays one word)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            if self.rows:
                text = "_".join("".join(self._cell).split())
                self.rows[-1].append("-" if text in NOT_LOGGED else text)
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
