"""TensorBoard event files (``events.out.tfevents.*``): one file, a run folder, or runs below.

Read without TensorFlow: ``tfrecord`` frames and checks the records, ``eventscan`` decodes
the scalars. A folder's event files are found up to two levels down. Files of one folder
are one run (restarts are merged in wall-time order); Keras' ``train/`` and ``validation/``
subfolders (also ``eval/``, ``test/``) give the split of the tags inside them.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..columns import choose_columns
from ..errors import ColumnError, LogReadError
from ..frame import CurveArrays, LossLog
from ..names import split_of
from .registry import ReadOptions, register
from .runs import frames_per_run
from .source import Source
from .tfrecord import header_ok, masked_crc

if TYPE_CHECKING:     # the decoders are imported when an event file is read, not to sniff
    from .eventscan import Scanned

NAME_MARK = "tfevents"
MAX_DEPTH = 2                     # subfolder levels searched below the given folder
SCALAR_PLUGINS = {"", "scalars"}
SPLIT_FOLDERS = {"train": "train", "training": "train", "validation": "test", "valid": "test",
                 "val": "test", "eval": "test", "evaluation": "test", "test": "test"}


@dataclass
class Curve:
    """One tag's points in file order."""

    step: np.ndarray
    value: np.ndarray
    wall: np.ndarray


@dataclass
class Group:
    """The event files of one folder: a run, or one split of a run (``train/``, ...)."""

    run: str
    folder: str                   # '' for the run folder itself, else the split subfolder
    files: list[Path]
    curves: dict[str, Curve] = field(default_factory=dict)


def sniff(source: Source) -> float:
    """A TFRecord frame with valid CRCs, or a folder of ``events.out.tfevents.*`` files."""
    if source.is_dir:
        return 0.95 if _find_groups(source.path) else 0.0
    head = source.head
    if source.is_gzip or not header_ok(head, 0):
        return 0.0
    length = int.from_bytes(head[:8], "little")
    if 12 + length + 4 <= len(head):
        stored = int.from_bytes(head[12 + length:16 + length], "little")
        if masked_crc(head[12:12 + length]) != stored:
            return 0.0
    return 0.95


def is_run_folder(folder: Path) -> bool:
    """Event files in the folder, or in its train/ and validation/ subfolders: one run."""
    try:
        names = os.listdir(folder)
        if any(NAME_MARK in n and (folder / n).is_file() for n in names):
            return True
        return any(n.lower() in SPLIT_FOLDERS and (folder / n).is_dir() and
                   any(NAME_MARK in m for m in os.listdir(folder / n)) for n in names)
    except OSError:
        return False


@register("tfevents", priority=100, sniff=sniff, folder=is_run_folder,
          description="TensorBoard event files (events.out.tfevents.*), a run folder or its"
                      " train/ and validation/ subfolders")
def read_tfevents(source: Source, options: ReadOptions) -> LossLog:
    notes: list[str] = []
    if source.is_dir:
        groups = _find_groups(source.path)
        if not groups:
            raise LogReadError("no event files (events.out.tfevents.*) in this folder",
                               source.name, f"searched {MAX_DEPTH} levels of subfolders")
    else:
        parent = source.path.resolve().parent.name     # Keras' validation/: the split
        groups = [Group("", parent if _folder_split(parent) else "", [source.path])]
    for group in groups:
        _load_group(group, source, notes)
    runs = list(dict.fromkeys(g.run for g in groups))
    if len(runs) == 1:
        for group in groups:
            group.run = ""
        runs = [""]
    curves = frames_per_run(runs, lambda run: _run_curves(
        run, [g for g in groups if g.run == run], options, source.name, notes),
        notes, source.name)
    # the curves' own arrays: the tidy frame is built only if someone asks for it
    return LossLog(None, source.name, "tfevents", notes, curves=curves)


def _find_groups(root: Path) -> list[Group]:
    """Folders up to MAX_DEPTH below ``root`` holding event files, as runs and splits."""
    groups = []
    for folder in _walk(root, MAX_DEPTH):
        files = sorted(p for p in folder.iterdir() if NAME_MARK in p.name and p.is_file())
        if not files or not _frames(files):
            continue
        parts = folder.relative_to(root).parts
        if parts and _folder_split(parts[-1]):
            groups.append(Group("/".join(parts[:-1]), parts[-1], files))
        else:
            groups.append(Group("/".join(parts), "", files))
    return groups


def _walk(root: Path, depth: int) -> list[Path]:
    out = [root]
    if depth > 0:
        try:
            subs = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
        except OSError:
            return out
        for sub in subs:
            out += _walk(sub, depth - 1)
    return out


def _frames(files: list[Path]) -> bool:
    """True when some file's first record header checks out (empty files are skipped)."""
    for path in files:
        try:
            with open(path, "rb") as fh:
                if header_ok(fh.read(12)):
                    return True
        except OSError:
            continue
    return False


def _folder_split(name: str) -> str | None:
    """``validation`` -> test: a subfolder named exactly like a split (Keras, Estimator)."""
    return SPLIT_FOLDERS.get(name.lower())


def read_file(path: Path, name: str, data: bytes | None = None) -> tuple[Scanned, list[str]]:
    """The scalars of one event file and what was odd about it."""
    from .eventscan import scan
    from .tfrecord import split_records

    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise LogReadError(f"cannot read: {exc.strerror or exc}", name) from None
    if not data:
        return scan(data, np.empty(0, np.int64), np.empty(0, np.int64)), ["empty event file"]
    if not header_ok(data, 0):
        raise LogReadError("not a TensorBoard event file (its first record does not frame:"
                           " bad length checksum)", name)
    records = split_records(data, lambda starts, lengths: scan(data, starts, lengths))
    scanned = records.early
    if records.dropped:          # records with a bad checksum: decode only the good ones
        scanned = scan(data, records.starts, records.lengths)
    notes = list(records.notes)
    if scanned.bad:
        if scanned.bad == len(records.starts):
            raise LogReadError("not a TensorBoard event file (its records are not Event"
                               " protos)", name)
        notes.append(f"skipped {scanned.bad} records that are not Event protos")
    return scanned, notes


def _load_group(group: Group, source: Source, notes: list[str]) -> None:
    """Read and merge the event files of one folder into per-tag curves."""
    parts = []
    for path in group.files:
        if not source.is_dir:
            data = source.raw()
            if not data:
                raise LogReadError("empty file (an event file without records)", source.name)
            scanned, said = read_file(path, source.name, data)
            notes += said
            parts.append(scanned)
            continue
        label = str(path.relative_to(source.path))
        try:
            scanned, said = read_file(path, label)
        except LogReadError as exc:     # one broken file does not spoil its run
            notes.append(f"{label}: skipped ({exc.message})")
            continue
        notes += [f"{label}: {s}" for s in said]
        parts.append(scanned)
    if len(parts) > 1:
        where = f"{group.run}/{group.folder}".strip("/") or "the run folder"
        notes.append(f"{where}: merged {len(parts)} event files in wall-time order")
    group.curves = _curves(parts, notes)


def _curves(parts: list[Scanned], notes: list[str]) -> dict[str, Curve]:
    """Per-tag curves of several files: files by first wall time, then points by wall time."""
    ids: dict[str, int] = {}
    cols: list[tuple[np.ndarray, ...]] = [(np.empty(0), np.empty(0, np.int64),
                                           np.empty(0, np.int32), np.empty(0))]
    parts = sorted(parts, key=lambda s: float(s.wall[0]) if len(s.wall) else np.inf)
    skipped = set()
    for s in parts:
        remap = np.array([ids.setdefault(t, len(ids)) for t in s.tags] or [0], dtype=np.int32)
        cols.append((s.wall, s.step, remap[s.tag], s.value))
        skipped |= {t for t, p in s.plugins.items() if p not in SCALAR_PLUGINS}
    if skipped:
        notes.append(f"skipped non-scalar tag(s): {', '.join(sorted(skipped))}")
    wall, step, tag, value = (np.concatenate(c) for c in zip(*cols, strict=True))
    if len(parts) > 1 and len(wall) and np.all(wall > 0):
        order = np.argsort(wall, kind="stable")
        wall, step, tag, value = wall[order], step[order], tag[order], value[order]
    out = {}
    for name, tid in ids.items():
        if name in skipped:
            continue
        sel = np.flatnonzero(tag == tid)
        if len(sel):
            out[name] = Curve(step[sel].astype(float), value[sel], wall[sel])
    return out


def _run_curves(run: str, groups: list[Group], options: ReadOptions, source: str,
                notes: list[str]) -> list[CurveArrays]:
    """Choose the loss tags of one run: its train, test and learning-rate curves."""
    curves: dict[str, Curve] = {}
    for g in groups:
        for tag, curve in g.curves.items():
            curves[f"{g.folder}/{tag}" if g.folder else tag] = curve
    prefix = f"run {run}: " if run else ""
    if not curves:
        raise ColumnError("no scalar values in the event file(s)", source)
    names = _drop_summaries(curves, prefix, notes)
    train_col = _option(options.train_col, names, "train")
    test_col = _option(options.test_col, names, "test")
    choice = choose_columns(names, train_col, test_col, source)
    notes += [prefix + n for n in choice.notes]
    if train_col is None:
        choice.train = _same_tag(choice.train, choice.test, names, prefix, notes)
    out: list[CurveArrays] = []
    for split, tags in (("train", choice.train), ("test", choice.test), ("lr", choice.lr)):
        if tags:
            curve = combine([curves[t] for t in tags], tags, prefix, notes, source)
            out.append((run, split, "+".join(tags), curve.step, curve.value, curve.wall))
    return out


def _drop_summaries(curves: dict[str, Curve], prefix: str, notes: list[str]) -> list[str]:
    """Drop one-point loss tags (end-of-run summaries such as HF's train/train_loss)."""
    names = list(curves)
    longest: dict[str, int] = {}
    for n in names:
        split = split_of(n)
        if split:
            longest[split] = max(longest.get(split, 0), len(curves[n].step))
    drop = [n for n in names if split_of(n) in ("train", "test")
            and len(curves[n].step) == 1 and longest[str(split_of(n))] > 1]
    if drop:
        notes.append(f"{prefix}ignored one-point summary tag(s): {', '.join(drop)}")
    return [n for n in names if n not in drop]


def _option(wanted: str | None, names: list[str], split: str) -> str | None:
    """A user's tag, also found inside a split subfolder (``epoch_loss`` -> ``train/...``)."""
    if wanted is None or wanted in names:
        return wanted
    inside = [n for n in names if n.endswith("/" + wanted) and
              _folder_split(n[: -len(wanted) - 1]) == split]
    return inside[0] if len(inside) == 1 else wanted


def _same_tag(train: list[str], test: list[str], names: list[str], prefix: str,
              notes: list[str]) -> list[str]:
    """With train/ and validation/ folders, use the train tag named like the test tag."""
    if len(test) != 1 or "/" not in test[0]:
        return train
    tag = test[0].split("/", 1)[1]
    twins = [n for n in names if n.split("/", 1)[-1] == tag and split_of(n) == "train"
             and "/" in n]
    if len(twins) == 1 and train != twins:
        notes.append(f"{prefix}train loss: {twins[0]}, the tag logged for the test split too")
        return twins
    return train


def combine(curves: list[Curve], tags: list[str], prefix: str, notes: list[str],
            source: str | None = None) -> Curve:
    """One curve, or the sum of loss components aligned on their steps."""
    said: dict[str, list[str]] = {}
    curves = [_last_per_step(c, t, said) for c, t in zip(curves, tags, strict=True)]
    notes += [f"{prefix}{', '.join(names)}: {what}" for what, names in said.items()]
    if len(curves) == 1:
        return curves[0]
    first = curves[0]
    if all(np.array_equal(c.step, first.step) for c in curves):
        return Curve(first.step, np.sum([c.value for c in curves], axis=0), first.wall)
    common = first.step
    for c in curves[1:]:
        common = np.intersect1d(common, c.step)
    if len(common) < max(len(c.step) for c in curves) // 2:
        raise ColumnError(f"{', '.join(tags)} share {len(common)} of their steps: not parts"
                          " of one loss", source, "choose one with train_col=/test_col=")
    notes.append(f"{prefix}components logged at different steps; summed at the"
                 f" {len(common)} steps they share")
    total = np.zeros(len(common))
    for c in curves:
        last = _last_index(c.step, common)
        total += c.value[last]
    return Curve(common.astype(float), total, first.wall[_last_index(first.step, common)])


def _last_index(steps: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Index of the last point at each wanted step."""
    rev = len(steps) - 1 - np.arange(len(steps))
    uniq, first_rev = np.unique(steps[::-1], return_index=True)
    return np.asarray(rev[first_rev][np.searchsorted(uniq, wanted)])


def _last_per_step(c: Curve, tag: str, said: dict[str, list[str]]) -> Curve:
    """Several values in a row at one step (YOLOv8 logs every batch at the epoch): the last."""
    if len(c.step) < 2:
        return c
    keep = np.append(c.step[1:] != c.step[:-1], True)
    if keep.all():
        return c
    what = f"{len(c.step)} values at {int(keep.sum())} steps; kept the last of each step"
    said.setdefault(what, []).append(tag)
    return Curve(c.step[keep], c.value[keep], c.wall[keep])
