"""Hugging Face Trainer's trainer_state.json (a file, a checkpoint or an output folder)."""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from ..errors import LogReadError
from ..frame import LossLog
from ..names import TEST_TOKENS, TRAIN_TOKENS, tokens
from .jsontable import json_head, load_json, records_to_table, to_number
from .registry import ReadOptions, register
from .source import Source
from .tablecurves import table_to_log

STATE_FILE = "trainer_state.json"
#: keys of the end-of-training summary row: its train_loss is a run average, not a point
SUMMARY_KEYS = frozenset({"train_runtime", "total_flos", "train_samples_per_second"})
_EVAL_SET = re.compile(r"^eval_(.+)_loss$")
_CHECKPOINT = re.compile(r"^checkpoint-(\d+)$")


def _checkpoints(folder: Path) -> list[tuple[int, Path]]:
    found = []
    for child in folder.iterdir():
        m = _CHECKPOINT.match(child.name)
        if m and (child / STATE_FILE).is_file():
            found.append((int(m.group(1)), child / STATE_FILE))
    return sorted(found)


def sniff_hf(source: Source) -> float:
    """A JSON object with ``log_history``, or a folder with trainer_state.json or checkpoint-*."""
    if source.is_dir:
        if (source.path / STATE_FILE).is_file():
            return 0.95
        try:
            return 0.9 if _checkpoints(source.path) else 0.0
        except OSError:
            return 0.0
    text = json_head(source)
    if not text.startswith("{"):
        return 0.0
    if '"log_history"' in text:
        return 0.95
    return 0.6 if source.path.name.startswith("trainer_state") else 0.0


def state_file(source: Source) -> tuple[Source, list[str]]:
    """The trainer_state.json to read: the folder's own, else the latest checkpoint's."""
    if not source.is_dir:
        return source, []
    if (source.path / STATE_FILE).is_file():
        return Source(source.path / STATE_FILE), [f"read {STATE_FILE}"]
    found = _checkpoints(source.path)
    if not found:
        raise LogReadError(f"no {STATE_FILE} in this folder or its checkpoint-* folders",
                           source.name, "pass the trainer_state.json file itself")
    path = found[-1][1]
    return Source(path), [f"read {path.parent.name}/{STATE_FILE} (latest of {len(found)}"
                          " checkpoint(s))"]


def is_run_folder(folder: Path) -> bool:
    """A Trainer output folder (trainer_state.json or checkpoint-*) the reader claims."""
    try:
        names = os.listdir(folder)
        if STATE_FILE not in names and not any(n.startswith("checkpoint-") for n in names):
            return False
        return sniff_hf(Source(folder)) > 0
    except (OSError, LogReadError):
        return False


@register("hf-trainer-state", priority=95, sniff=sniff_hf, folder=is_run_folder,
          description="Hugging Face Trainer trainer_state.json log_history (file, checkpoint-* "
                      "or output folder)")
def read_hf(source: Source, options: ReadOptions) -> LossLog:
    file, notes = state_file(source)
    data = load_json(file)
    history = data.get("log_history") if isinstance(data, dict) else None
    if not isinstance(history, list):
        raise LogReadError("no log_history list: not a Hugging Face trainer_state.json",
                           file.name)
    records = [r for r in history if isinstance(r, dict) and not SUMMARY_KEYS & r.keys()]
    if not records:
        raise LogReadError("log_history has no logged losses (nothing was logged before this"
                           f" save, global_step {data.get('global_step')})", file.name)
    if options.segments == "last":
        records = _last_run(records, notes)
    if options.test_col is None:
        records, eval_notes, test_col = eval_sets(records)
        notes += eval_notes
        options = ReadOptions(options.train_col, test_col, options.segments)
    log = table_to_log(records_to_table(records), file, options, "hf-trainer-state")
    return LossLog(log.frame, source.name, log.format, notes + log.notes)


def _last_run(records: list[dict[str, Any]], notes: list[str]) -> list[dict[str, Any]]:
    """The records from the last place where the epoch went back while the step moved on:
    within one run the Trainer's epoch is the step over the steps per epoch, so another run
    (another data set or batch size, resumed into the same output folder) began there; as
    with steps that restart, the last is diagnosed (``--segments all`` keeps them all)."""
    start, last = 0, None
    for i, r in enumerate(records):
        epoch, step = to_number(r.get("epoch")), to_number(r.get("step"))
        if epoch is None or step is None:
            continue
        if last is not None and epoch < last[0] and step > last[1]:
            start = i
        last = (epoch, step)
    if start:
        notes.append(f"the epoch went back at step {records[start].get('step')} while the step"
                     f" moved on: another run began there; diagnosing it ({start} earlier"
                     " records left out; --segments all keeps them)")
    return records[start:]


def eval_sets(records: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str],
                                                       str | None]:
    """Several eval data sets (eval_<name>_loss, no eval_loss): choose one or average them.

    A set named like a test set wins over the others; sets named like the training data
    (evaluated on train) are left out; the rest are averaged per step.
    """
    names = list(dict.fromkeys(m.group(1) for r in records for k in r
                               if (m := _EVAL_SET.match(k))))
    if len(names) < 2 or any("eval_loss" in r for r in records):
        return records, [], None
    test_like = [n for n in names if set(tokens(n)) & TEST_TOKENS]
    pool = test_like or [n for n in names if not set(tokens(n)) & TRAIN_TOKENS] or names
    if len(pool) == 1:
        return records, [f"test loss: eval set {pool[0]!r} (of {', '.join(names)})"], \
            f"eval_{pool[0]}_loss"
    merged = _mean_per_step(records, [f"eval_{n}_loss" for n in pool])
    note = (f"test loss: mean of {len(pool)} eval sets ({', '.join(pool)}); choose one with"
            f" --test-col eval_{pool[0]}_loss")
    return merged, [note], None


def _mean_per_step(records: list[dict[str, Any]], keys: list[str]) -> list[dict[str, Any]]:
    """Replace each run of eval-set rows (one step, each set once) by a row with their mean."""
    wanted = set(keys)
    out: list[dict[str, Any]] = []
    group: dict[str, Any] = {}
    seen: set[str] = set()
    for r in records:
        found = wanted & r.keys()
        if not found:
            out.append(r)
            continue
        if not group or r.get("step") != group["step"] or found & seen:
            group, seen = {"step": r.get("step"), "epoch": r.get("epoch"), "_vals": []}, set()
            out.append(group)
        seen |= found
        group["_vals"] += [v for k in found if (v := to_number(r[k])) is not None]
    for row in out:
        if "_vals" in row:
            vals = row.pop("_vals")
            row["eval_loss"] = sum(vals) / len(vals) if vals else None
    return [{k: v for k, v in r.items() if k not in wanted} for r in out]
