"""A console capture's lines as a terminal showed them, and the progress bars in them.

Colour codes and cursor moves are a terminal's, not the log's. A progress bar
(``45%|####5     | 45/100 [00:01<00:02, loss=0.81]``, or Rich's ``━━━╸━━ 7/32``) is cut out
of its line, so that a per-epoch summary printed beside it is read alone; its position
places per-batch prints on the axis.
"""
from __future__ import annotations

import re

#: tqdm's bar: its percentage, the bar between pipes, its counts and the bracket after them
#: (times, speed and the postfix of metrics)
_BAR = re.compile(r"\d{1,3}%\|[^|\n]*\|[^\[\n]*(?:\[[^\]\n]*\]?)?")
#: a terminal's control sequence (ESC [ parameters, a letter): ``m`` sets a colour, the others
#: move the cursor or erase (a live display, Rich's progress bars, redrawing its lines)
_CSI = re.compile(r"\x1b\[[0-9;?]*([A-Za-z])")


def terminal_lines(text: str) -> list[str]:
    """The lines of a console capture as they were printed: colour codes dropped (``\x1b[3m``
    before ``val_loss`` would make a name of ``3mval_loss``), and a cursor move or an erase
    ending a line as a newline does (a live display draws its next frame after it, so its
    lines would run together)."""
    if "\x1b" not in text:
        return text.splitlines()
    return _CSI.sub(lambda m: "" if m.group(1) == "m" else "\n", text).splitlines()


#: a bar's position: ``20/63`` right after the bar itself
_BAR_AT = re.compile(r"\d{1,3}%\|[^|\n]*\|\s*(\d+)/(\d+)")
#: Rich's bar (Lightning's RichProgressBar): ``Epoch 1/14 ━━━━━━╸━━━━ 7/32 0:00:00 • 0:00:01
#: 264.69it/s v_num: 1.000 train_loss: 1.022``: its position, then its times, speed and
#: metrics to the end of the line (the postfix, as tqdm's bracket holds it)
_RICH_BAR = re.compile(r"[━╸╺]+\s+(\d+)/(\d+).*")


def _bar_in(line: str) -> re.Pattern[str] | None:
    """The pattern of the progress bar the line may hold, by its marks."""
    return _BAR if "%|" in line else _RICH_BAR if "━" in line else None


def has_bars(lines: list[str]) -> bool:
    return any((bar := _bar_in(ln)) and bar.search(ln) for ln in lines[:2000])


def bar_position(line: str) -> tuple[int, int] | None:
    """(n, total) of a progress bar in the line (``Epoch 1:  32%|###  | 20/63 [...]``, or
    Rich's ``Epoch 1/14 ━━━━╸━━━ 20/63 ...``)."""
    bar = _bar_in(line)
    m = (_BAR_AT if bar is _BAR else bar).search(line) if bar else None
    return (int(m.group(1)), int(m.group(2))) if m else None


def strip_bars(lines: list[str]) -> list[str]:
    """Every line without its progress bar (what is printed before and after it stays)."""
    return [bar.sub(" ", ln) if (bar := _bar_in(ln)) else ln for ln in lines]
