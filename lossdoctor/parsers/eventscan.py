"""Scalars of all the records of an event file, read in bulk by shape.

Scalar events of one tag are byte-for-byte alike except for the wall time, the step and
the value. Records of equal length are gathered into a numpy matrix; one record is decoded
by hand, its fixed bytes become a template, and every row that matches it is read with a
few array operations. Odd records (images, graphs, first values carrying metadata) take
the record-by-record path.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field

import numpy as np

from .eventproto import WIDTH, EventLayout, ProtoError, parse_event
from .tfrecord import length_groups

MIN_GROUP = 8              # fewer same-length records than this: decode one by one
MAX_ROW = 4096             # longer records (images, graphs) are never scalar batches
MAX_PASSES = 32            # templates tried per group before the rest goes one by one
CHUNK_BYTES = 1 << 25      # rows gathered at once
_ALL = np.uint64(0xFFFFFFFFFFFFFFFF)


@dataclass
class Scanned:
    """Every scalar value of one file in record order; tag ids index ``tags``."""

    tags: list[str]
    plugins: dict[str, str]
    wall: np.ndarray
    step: np.ndarray
    tag: np.ndarray
    value: np.ndarray
    bad: int = 0


@dataclass
class _Sink:
    """Collects (record, tag, value) columns from both paths, plus per-record wall/step."""

    wall: np.ndarray
    step: np.ndarray
    tag_ids: dict[bytes, int] = field(default_factory=dict)
    plugins: dict[bytes, bytes] = field(default_factory=dict)
    recs: list[np.ndarray] = field(default_factory=list)
    tags: list[np.ndarray] = field(default_factory=list)
    values: list[np.ndarray] = field(default_factory=list)

    def tag_id(self, tag: bytes, plugin: bytes | None) -> int:
        if plugin:
            self.plugins.setdefault(tag, plugin)
        return self.tag_ids.setdefault(tag, len(self.tag_ids))

    def add(self, recs: np.ndarray, tag: int, values: np.ndarray) -> None:
        self.recs.append(recs)
        self.tags.append(np.full(len(recs), tag, dtype=np.int32))
        with np.errstate(invalid="ignore", over="ignore"):   # NaN payloads are values too
            self.values.append(values.astype(np.float64, copy=False))


def scan(buf: bytes, starts: np.ndarray, lengths: np.ndarray) -> Scanned:
    """Decode the scalars of the records at ``starts``/``lengths`` of ``buf``."""
    n = len(starts)
    sink = _Sink(np.zeros(n), np.zeros(n, dtype=np.int64))
    data = np.frombuffer(buf, dtype=np.uint8)
    slow: list[np.ndarray] = []
    for length, idx in length_groups(lengths):
        if len(idx) < MIN_GROUP or length > MAX_ROW:
            slow.append(idx)
            continue
        # rows are read in whole 8-byte words: the last records may end too near the end
        tail = starts[idx] + (length + 7) // 8 * 8 > len(data)
        if tail.any():
            slow.append(idx[tail])
            idx = idx[~tail]
        rows_per_chunk = max(MIN_GROUP, CHUNK_BYTES // max(length, 1))
        for a in range(0, len(idx), rows_per_chunk):
            slow.append(_bulk(buf, data, starts, idx[a:a + rows_per_chunk], length, sink))
    bad = _one_by_one(buf, starts, lengths, np.sort(np.concatenate(slow)) if slow else [], sink)
    return _finish(sink, bad)


def _bulk(buf: bytes, data: np.ndarray, starts: np.ndarray, idx: np.ndarray, length: int,
          sink: _Sink) -> np.ndarray:
    """Read the rows of one length group by templates; return the indices left over."""
    width = (length + 7) // 8 * 8
    rows = np.lib.stride_tricks.sliding_window_view(data, width)[starts[idx]]
    remaining = np.arange(len(idx))
    leftover = []
    for _ in range(MAX_PASSES):
        if not len(remaining):
            break
        first = remaining[0]
        start = int(starts[idx[first]])
        try:
            ev = parse_event(buf, start, start + length)
        except (ProtoError, IndexError, struct.error):
            ev = None
        if ev is None or not ev.fixed:
            leftover.append(idx[first])
            remaining = remaining[1:]
            continue
        sub = rows if len(remaining) == len(rows) else rows[remaining]
        hit = _matches(sub, rows[first], ev, start, length)
        _apply(sub, hit, ev, start, idx[remaining[hit]], sink)
        remaining = remaining[~hit]
    return np.concatenate([np.asarray(leftover, dtype=np.int64), idx[remaining]])


def _fixed_bytes(ev: EventLayout, start: int, length: int, width: int) -> np.ndarray:
    """0xFF where the template's bytes must match, 0 where they vary or lie past the end."""
    mask = np.zeros(width, dtype=np.uint8)
    mask[:length] = 0xFF
    if ev.wall_off >= 0:
        mask[ev.wall_off - start:ev.wall_off - start + 8] = 0
    if ev.step_off >= 0:
        mask[ev.step_off - start:ev.step_off - start + ev.step_len] = 0
    for s in ev.scalars:
        assert s.kind is not None
        mask[s.offset - start:s.offset - start + WIDTH[s.kind]] = 0
    return mask


def _matches(sub: np.ndarray, template: np.ndarray, ev: EventLayout, start: int,
             length: int) -> np.ndarray:
    """Rows whose fixed bytes equal the template's and whose step varint has its length."""
    masks = _fixed_bytes(ev, start, length, sub.shape[1]).view("<u8")
    words, fixed = sub.view("<u8"), template.view("<u8") & masks
    ok = np.ones(len(sub), dtype=bool)
    for j, mask in enumerate(masks):        # column by column: a short axis reduces slowly
        if mask == _ALL:
            ok &= words[:, j] == fixed[j]
        elif mask:
            ok &= (words[:, j] & mask) == fixed[j]
    if ev.step_off >= 0:
        so, k = ev.step_off - start, ev.step_len
        for i in range(k - 1):              # continuation bits: one byte column at a time
            ok &= sub[:, so + i] >= 0x80
        ok &= sub[:, so + k - 1] < 0x80
    return np.asarray(ok)


def _apply(sub: np.ndarray, hit: np.ndarray, ev: EventLayout, start: int, recs: np.ndarray,
           sink: _Sink) -> None:
    """Store the wall times, steps and values of the rows ``hit`` of ``sub``."""
    rows: np.ndarray | slice = slice(None) if hit.all() else hit   # all: no masked copies
    if ev.wall_off >= 0:
        sink.wall[recs] = _column(sub, rows, ev.wall_off - start, "<f8")
    if ev.step_off >= 0:
        so = ev.step_off - start
        step = np.zeros(len(recs), dtype=np.uint64)
        for i in range(ev.step_len):
            byte = sub[rows, so + i].astype(np.uint64)
            step |= (byte & np.uint64(0x7F)) << np.uint64(7 * i)
        sink.step[recs] = step.view(np.int64)
    for s in ev.scalars:
        assert s.kind is not None
        sink.add(recs, sink.tag_id(s.tag, s.plugin), _column(sub, rows, s.offset - start, s.kind))


def _column(sub: np.ndarray, hit: np.ndarray | slice, at: int, kind: str) -> np.ndarray:
    """The little-endian numbers stored at byte ``at`` of the rows ``hit``."""
    raw = np.ascontiguousarray(sub[hit, at:at + WIDTH[kind]])
    if kind == "bf16":
        return (raw.view("<u2").ravel().astype(np.uint32) << np.uint32(16)).view("<f4")
    return raw.view(kind).ravel()


def _one_by_one(buf: bytes, starts: np.ndarray, lengths: np.ndarray, which, sink: _Sink) -> int:
    """Decode records one at a time; return how many were not Event protos."""
    recs: list[int] = []
    tags: list[int] = []
    values: list[float] = []
    bad = 0
    for r in which:
        start = int(starts[r])
        try:
            ev = parse_event(buf, start, start + int(lengths[r]))
        except (ProtoError, IndexError, struct.error):
            bad += 1
            continue
        sink.wall[r], sink.step[r] = ev.wall, ev.step
        for s in ev.scalars:
            recs.append(int(r))
            tags.append(sink.tag_id(s.tag, s.plugin))
            values.append(s.value)
    if recs:
        sink.recs.append(np.asarray(recs, dtype=np.int64))
        sink.tags.append(np.asarray(tags, dtype=np.int32))
        sink.values.append(np.asarray(values, dtype=np.float64))
    return bad


def _finish(sink: _Sink, bad: int) -> Scanned:
    """Values in record order; tags numbered in the order they first appear in the file."""
    names = [t.decode("utf-8", "replace") for t in sink.tag_ids]
    plugins = {t.decode("utf-8", "replace"): p.decode("utf-8", "replace")
               for t, p in sink.plugins.items()}
    if not sink.recs:
        empty = np.empty(0)
        return Scanned([], plugins, empty, empty.astype(np.int64),
                       empty.astype(np.int32), empty, bad)
    recs = np.concatenate(sink.recs)
    order = np.argsort(recs, kind="stable")
    recs = recs[order]
    tags = np.concatenate(sink.tags)[order]
    first = np.full(len(names), len(tags), dtype=np.intp)     # where each tag first occurs
    np.minimum.at(first, tags, np.arange(len(tags)))
    ids = np.flatnonzero(first < len(tags))
    by_first = ids[np.argsort(first[ids])]
    renumber = np.empty(len(names), dtype=np.int32)
    renumber[by_first] = np.arange(len(by_first), dtype=np.int32)
    return Scanned([names[i] for i in by_first], plugins, sink.wall[recs], sink.step[recs],
                   renumber[tags], np.concatenate(sink.values)[order], bad)
