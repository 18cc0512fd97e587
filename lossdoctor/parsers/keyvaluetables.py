"""Console tables printed one key a row, as Stable-Baselines3's logger prints each update::

    -----------------------------------------
    | time/                   |             |
    |    total_timesteps      | 4096        |
    | train/                  |             |
    |    loss                 | -0.016      |
    |    value_loss           | 0.0048      |
    -----------------------------------------

Each table becomes one line, ``step 4096 train/loss=-0.016 train/value_loss=0.0048 ...``: a key
is named under its section (``train/``), and the step is the table's count of timesteps (or
of iterations, or of updates), so the console reader reads it as any other line of pairs.
"""
from __future__ import annotations

import re

from .numbertext import NUMBER

#: a table's row: ``| key | value |``; a section's row leaves the value empty
_ROW = re.compile(r"^\s*\|\s*([A-Za-z_][\w./ -]*?)\s*\|\s*(\S*)\s*\|\s*$")
#: the keys that count the table's place on the run's axis, the first one found wins
STEP_KEYS = ("total_timesteps", "iterations", "n_updates")


def gather_key_value_tables(lines: list[str]) -> list[str]:
    """The lines with each key-value table (two rows of numbers or more) written as one line
    of ``name=value`` pairs after its step; other lines as they were."""
    out: list[str] = []
    table: list[tuple[str, str]] = []
    rows: list[str] = []
    section = ""
    for line in lines:
        row = _ROW.match(line) if "|" in line else None
        if row:
            key, value = row.group(1), row.group(2)
            if not value:
                section = key if key.endswith("/") else f"{key}/"
            elif NUMBER.match(value):
                table.append((section + key, value))
            rows.append(line)
            continue
        if table or rows:
            out.extend(_as_line(table, rows))
            table, rows, section = [], [], ""
        out.append(line)
    if table or rows:
        out.extend(_as_line(table, rows))
    return out


def _as_line(table: list[tuple[str, str]], rows: list[str]) -> list[str]:
    """One line of pairs for a table of two numbers or more, else its rows as printed."""
    if len(table) < 2:
        return rows
    values = dict(table)
    step = next((v for k in STEP_KEYS for name, v in table if name.rsplit("/", 1)[-1] == k),
                None)
    pairs = " ".join(f"{name}={value}" for name, value in values.items())
    return [f"step {step} {pairs}" if step is not None else pairs]
