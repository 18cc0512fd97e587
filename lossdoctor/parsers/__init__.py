"""Log readers: one module per format, all registered in ``registry.PARSERS``."""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import ColumnError, LogReadError, NoLossError, NotNumericError
from ..frame import LossLog

# importing a format module registers its parser(s)
from . import (  # noqa: F401
    catboost,
    delimited,
    hftrainer,
    jsonlogs,
    lightning,
    mlflow,
    mlflow_db,
    notebook,
    plaintext,
    tensorboard_export,
    tfevents,
    wandb,
    wandb_offline,
)
from .registry import PARSERS, ReadOptions, detect, get_parser
from .source import Source
from .steps import resolve_steps

__all__ = ["PARSERS", "ReadOptions", "join_pair", "load", "load_pair", "pair_options",
           "read_raw"]


def load(path: str | Path, input_format: str | None = None,
         options: ReadOptions | None = None) -> LossLog:
    """Read one log file or run folder into a LossLog (steps resolved, notes attached)."""
    options = options or ReadOptions()
    return resolve_steps(read_raw(path, input_format, options), options.segments)


def read_raw(path: str | Path, input_format: str | None = None,
             options: ReadOptions | None = None) -> LossLog:
    """What the format's reader gives, steps as written (``load`` then resolves them)."""
    options = options or ReadOptions()
    source = Source(path)
    if source.is_gzip:
        _ = source.head     # a corrupt gzip says so here, not "no known format" later
    parser = get_parser(input_format) if input_format else detect(source)
    try:
        log = parser.read(source, options)
    except LogReadError as exc:
        if input_format and exc.path is None:
            exc.path = source.name
        console = exc if input_format else _read_otherwise(parser.name, source, options, exc)
        if isinstance(console, LogReadError):
            raise console from None
        log = console
    except (UnicodeError, ValueError, KeyError, IndexError, TypeError, OverflowError) as exc:
        raise LogReadError(f"could not be read as {parser.name} ({type(exc).__name__}: "
                           f"{str(exc)[:100]})", source.name) from None
    log.notes += [n for n in source.notes if n not in log.notes]
    return log


def _read_otherwise(chosen: str, source: Source, options: ReadOptions,
                    failed: LogReadError) -> LossLog | LogReadError:
    """The log as the other of the two text readers reads it, when the one that claimed it
    failed: console text for a table that holds no losses, a table for console text with
    no named values."""
    if chosen == "plain-text" and not isinstance(failed, ColumnError):
        return _as_table(source, options, failed)
    return _as_console_text(chosen, source, options, failed)


def _as_console_text(chosen: str, source: Source, options: ReadOptions,
                     failed: LogReadError) -> LossLog | LogReadError:
    """A file only the generic table reader claimed (a console log whose first lines hold
    commas: a config dump, a warning) that holds no table of losses (or not the column the
    user named), read as console text when that finds them (its loss lines may start far
    below its head). Else the error to
    say: the console reader's when it found named numbers but no loss among them (the
    table's columns were no columns), else the table's."""
    if chosen != "generic-csv" or not (isinstance(failed, NotNumericError) or isinstance(
            failed, ColumnError) and _prose(source.head_text)):
        return failed       # (a big table of other numbers is not read a second time)
    try:
        log = PARSERS["plain-text"].read(source, options)
    except NoLossError as exc:
        return exc        # the names it found say more than a sentence read as a header
    except (LogReadError, UnicodeError, ValueError, KeyError, IndexError, TypeError):
        return failed
    log.notes.insert(0, "read as console text: its lines are no table of losses")
    return log


def _as_table(source: Source, options: ReadOptions, failed: LogReadError
              ) -> LossLog | LogReadError:
    """A file the console reader claimed (a header of loss names read as 'name value'
    pairs: ``2d_loss \t3d_loss``) in which it found no named values, read as the table the
    generic reader also saw in it."""
    table = PARSERS["generic-csv"]
    try:
        if table.sniff(source) <= 0:
            return failed
        return table.read(source, options)
    except (LogReadError, UnicodeError, ValueError, KeyError, IndexError, TypeError):
        return failed


def _prose(head: str) -> bool:
    """Whether a file's first line reads as a sentence (a warning, a logger's line) rather
    than a table's header: words, a colon or a bar between them, or a logging level
    (``2025-10-24 12:03:06,410 - INFO - ``: the comma of the milliseconds is no delimiter);
    a rule of '#' or '=' above it is no line of words; nor is a line without the delimiter
    the lines below it share (``Training log created at 2025-10-28T14:33:14``) a header."""
    lines = [ln for ln in head.splitlines() if any(c.isalnum() for c in ln)]
    first = lines[0] if lines else ""
    below = [d for d in (",", "\t", ";") if lines[1:] and all(d in ln for ln in lines[1:21])]
    return (": " in first or " | " in first or len(first.split()) >= 6
            or _LEVEL.search(first) is not None or any(d not in first for d in below))


#: a logging module's level, as its default formats print it
_LEVEL = re.compile(r"\b(?:DEBUG|INFO|WARNING|ERROR|CRITICAL)\b")


def load_pair(train: str | Path, test: str | Path, input_format: str | None = None,
              options: ReadOptions | None = None) -> LossLog:
    """Two files, one per split (TensorBoard's per-tag exports): each gives its one curve."""
    train_options, test_options = pair_options(options or ReadOptions())
    return join_pair(load(train, input_format, train_options),
                     load(test, input_format, test_options), train, test)


def pair_options(options: ReadOptions) -> tuple[ReadOptions, ReadOptions]:
    """What each file of a pair is read with: the train file looks for ``train_col``, the
    test file for ``test_col`` (``watch`` reads a growing pair's files with these too)."""
    return (ReadOptions(train_col=options.train_col, segments=options.segments),
            ReadOptions(test_col=options.test_col, segments=options.segments))


def join_pair(train_log: LossLog, test_log: LossLog, train: str | Path,
              test: str | Path) -> LossLog:
    """The pair's log from its two files, each read already (steps resolved): the train
    file's loss is the train curve, the test file's the test curve, whatever their columns
    were called; kept apart from the reading so that ``watch`` joins what it tailed."""
    import pandas as pd

    from ..frame import validate_frame

    parts, notes = [], []
    lr_found = False
    for split, log in (("train", train_log), ("test", test_log)):
        frame = log.frame
        losses = frame[frame["split"] != "lr"]
        if split in set(losses["split"]):
            losses = losses[losses["split"] == split]
        else:
            losses = losses[losses["split"] == losses["split"].iloc[0]]
        parts.append(losses.assign(split=split))
        lr = frame[frame["split"] == "lr"]
        if not lr_found:        # both files may log the rate: the train file's is the one
            parts.append(lr)
            lr_found = bool(len(lr))
        notes += [f"{split} ({log.format}): {n}" for n in log.notes]
    frame = validate_frame(pd.concat(parts, ignore_index=True), str(train))
    return LossLog(frame, f"{train} + {test}", "pair", notes)
