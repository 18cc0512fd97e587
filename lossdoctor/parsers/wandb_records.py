"""The records of a W&B run file (``run-<id>.wandb``): LevelDB-style log framing of protobufs.

The file starts with a 7-byte header (``:W&B``, 0xBEE1, version 0), then 32 KiB blocks of
records, each ``crc32 (4) | length (2) | type (1) | data``, the CRC being zlib's CRC-32 of
the type byte and the data; a record longer than a block is cut into FIRST/MIDDLE/LAST
pieces. Each record is a ``wandb.internal.Record`` protobuf; only the run (id, name) and
history rows (step, key, value) are decoded here, the rest is skipped by its length.
"""
from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from .eventproto import varint

MAGIC = b":W&B\xe1\xbe"
HEADER = 7
BLOCK = 32768
FULL, FIRST, MIDDLE, LAST = 1, 2, 3, 4
_HEAD = struct.Struct("<IHB")
_F8 = struct.Struct("<d")
# Record fields, HistoryRecord/HistoryItem/RunRecord fields (wandb_internal.proto)
R_HISTORY, R_RUN = 2, 17
H_ITEM, H_STEP = 1, 2
I_KEY, I_NESTED, I_INTEGER, I_NUMBER, I_VALUE_JSON = 1, 2, 5, 6, 16
RUN_ID, RUN_PROJECT, RUN_NAME = 1, 3, 8


@dataclass
class Framing:
    """The record payloads of a file, what was skipped, and why reading stopped (if early)."""

    records: list[bytes] = field(default_factory=list)
    stopped: str = ""
    damaged: list[int] = field(default_factory=list)    # blocks skipped for a bad record


def frame_records(data: bytes) -> Framing:
    """Split a run file into record payloads. A damaged record costs the rest of its block
    (the next block starts afresh, as LevelDB's reader does); a torn tail ends the read."""
    out = Framing()
    pos, pieces = HEADER, list[bytes]()
    while pos + _HEAD.size <= len(data):
        left = BLOCK - pos % BLOCK
        if left < _HEAD.size:           # the writer pads a block's last few bytes
            pos += left
            continue
        crc, length, kind = _HEAD.unpack_from(data, pos)
        if kind == 0 and length == 0:   # zero padding (preallocated or a crash): next block
            pos += left
            continue
        start = pos + _HEAD.size
        payload = data[start:start + length]
        if len(payload) < length and kind in (FULL, FIRST, MIDDLE, LAST) and \
                length <= left - _HEAD.size:
            out.stopped = f"a record cut short at byte {pos} (the run was still writing)"
            break
        if kind not in (FULL, FIRST, MIDDLE, LAST) or length > left - _HEAD.size or \
                zlib.crc32(bytes([kind]) + payload) != crc:
            out.damaged.append(pos // BLOCK)
            pos += left
            pieces = []
            continue
        pos = start + length
        if kind == FULL:
            out.records.append(payload)
            pieces = []
        elif kind == FIRST:
            pieces = [payload]
        elif pieces:
            pieces.append(payload)
            if kind == LAST:
                out.records.append(b"".join(pieces))
                pieces = []
    return out


def fields(buf: bytes) -> Iterator[tuple[int, int, int | bytes]]:
    """(field number, wire type, value) of a protobuf message: ints, or bytes for lengths."""
    p, end = 0, len(buf)
    while p < end:
        key, p = varint(buf, p)
        num, wire = key >> 3, key & 7
        if wire == 0:
            value, p = varint(buf, p)
            yield num, wire, value
        elif wire == 1:
            yield num, wire, buf[p:p + 8]
            p += 8
        elif wire == 2:
            size, p = varint(buf, p)
            yield num, wire, buf[p:p + size]
            p += size
        elif wire == 5:
            yield num, wire, buf[p:p + 4]
            p += 4
        else:
            raise ValueError(f"protobuf wire type {wire} is not supported")
        if p > end:
            raise ValueError("a protobuf field runs past its message")


@dataclass
class HistoryRow:
    """One ``wandb.log`` row: its step and its numeric values by key."""

    step: int | None
    values: dict[str, float]


def history_row(buf: bytes) -> HistoryRow:
    """Decode a HistoryRecord; values that are not numbers (media, tables) are left out.

    Written out by hand rather than with :func:`fields`: a long run has millions of items.
    """
    step: int | None = None
    values: dict[str, float] = {}
    p, end = 0, len(buf)
    while p < end:
        key, p = varint(buf, p)
        num, wire = key >> 3, key & 7
        if wire != 2:
            p = _skip(buf, p, wire)
            continue
        size, p = varint(buf, p)
        if num == H_ITEM:
            name, number = _item(buf, p, p + size)
            if name and number is not None:
                values[name] = number
        elif num == H_STEP:
            step = next((int(v) for n, _, v in fields(buf[p:p + size]) if n == 1
                         and isinstance(v, int)), 0)
        p += size
    if p > end:
        raise ValueError("a protobuf field runs past its message")
    return HistoryRow(step, values)


_NAMES: dict[bytes, str] = {}       # key bytes -> str: the same few keys on every row


def _name(raw: bytes) -> str:
    name = _NAMES.get(raw)
    if name is None:
        name = _NAMES[raw] = raw.decode("utf-8", "replace")
    return name


def _item(buf: bytes, p: int, end: int) -> tuple[str, float | None]:
    key, nested, number = "", [], None
    names = _NAMES
    while p < end:
        tag = buf[p]            # one-byte tags and lengths inline: this is the hot loop
        p += 1
        if tag & 0x80:
            tag, p = varint(buf, p - 1)
        num, wire = tag >> 3, tag & 7
        if wire == 2:
            size = buf[p]
            p += 1
            if size & 0x80:
                size, p = varint(buf, p - 1)
            raw = buf[p:p + size]
            p += size
            if num == I_VALUE_JSON:
                try:
                    number = float(raw)     # the common case, without the JSON parser
                except ValueError:
                    number = _json_number(raw)
            elif num == I_NESTED or num == I_KEY:
                name = names.get(raw)
                if name is None:
                    name = _name(raw)
                if num == I_KEY:
                    key = name
                else:
                    nested.append(name)
        elif num == I_NUMBER and wire == 1:
            number = _F8.unpack_from(buf, p)[0]
            p += 8
        elif num == I_INTEGER and wire == 0:
            value, p = varint(buf, p)
            number = float((value >> 1) ^ -(value & 1))         # sint64: zig-zag
        else:
            p = _skip(buf, p, wire)
    return key or (nested[0] if len(nested) == 1 else ".".join(nested)), number


def _skip(buf: bytes, p: int, wire: int) -> int:
    if wire == 0:
        return varint(buf, p)[1]
    if wire == 1:
        return p + 8
    if wire == 5:
        return p + 4
    if wire == 2:
        size, p = varint(buf, p)
        return p + size
    raise ValueError(f"protobuf wire type {wire} is not supported")


def _json_number(text: bytes) -> float | None:
    """A JSON number (``NaN``/``Infinity`` too, as W&B writes them); None for anything else."""
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def run_info(buf: bytes) -> dict[str, str]:
    """The run record's id, project and display name."""
    names = {RUN_ID: "id", RUN_PROJECT: "project", RUN_NAME: "name"}
    return {names[n]: v.decode("utf-8", "replace") for n, _, v in fields(buf)
            if n in names and isinstance(v, bytes)}


def records(data: bytes) -> tuple[Iterator[tuple[int, bytes]], list[str]]:
    """(Record field, payload) for the run and history records, and what was lost."""
    framing = frame_records(data)
    lost = []
    if framing.damaged:
        blocks = ", ".join(str(b) for b in framing.damaged[:5])
        lost.append(f"{len(framing.damaged)} damaged block(s) of 32 KiB skipped (block "
                    f"{blocks}{', ...' if len(framing.damaged) > 5 else ''})")
    if framing.stopped:
        lost.append(f"stopped at {framing.stopped}")

    def wanted() -> Iterator[tuple[int, bytes]]:
        for rec in framing.records:
            try:
                found = [(n, v) for n, _, v in fields(rec)
                         if n in (R_HISTORY, R_RUN) and isinstance(v, bytes)]
            except (ValueError, IndexError):    # a record that is not a Record: skipped
                continue
            yield from found
    return wanted(), lost
