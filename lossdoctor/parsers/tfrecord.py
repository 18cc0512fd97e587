"""TFRecord framing: split an event file into records and check their masked CRC32C sums.

A record is ``uint64 length, uint32 masked_crc32c(length), data, uint32 masked_crc32c(data)``.
The walk is one tight loop over the buffer (one C CRC call per record); the data checksums
are compared all at once with numpy at the end.
"""
from __future__ import annotations

import struct
from array import array
from dataclasses import dataclass, field

import numpy as np
from crc32c import crc32c

HEADER = 12
FOOTER = 4
RESYNC_LIMIT = 1 << 20          # bytes scanned for the next good header after a bad one
MASK_DELTA = 0xA282EAD8
_HEADER = struct.Struct("<QI")


def masked_crc(data: bytes | memoryview) -> int:
    """TFRecord's masked CRC32C of ``data``."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + MASK_DELTA) & 0xFFFFFFFF


@dataclass
class Records:
    """Where each good record's data lies in the buffer, and what was wrong with the rest."""

    starts: np.ndarray                  # int64 offsets of record data
    lengths: np.ndarray                 # int64 data lengths
    notes: list[str] = field(default_factory=list)
    truncated: bool = False


def header_ok(buf: bytes, pos: int = 0) -> bool:
    """True when a record header sits at ``pos`` and its length checksum is right."""
    if pos + HEADER > len(buf):
        return False
    length, lcrc = _HEADER.unpack_from(buf, pos)
    return masked_crc(buf[pos:pos + 8]) == lcrc and length < (1 << 40)


def split_records(buf: bytes) -> Records:
    """Walk the records of ``buf``; bad data checksums are dropped, a torn tail is cut off."""
    starts, lengths, crcs, notes, stop = _walk(buf)
    starts_a = np.frombuffer(starts, dtype=np.int64) if starts else np.empty(0, np.int64)
    lengths_a = np.frombuffer(lengths, dtype=np.int64) if lengths else np.empty(0, np.int64)
    truncated = stop == "truncated"
    if len(starts_a):
        good = _data_crc_ok(buf, starts_a, lengths_a, np.frombuffer(crcs, dtype=np.uint32))
        bad = int((~good).sum())
        if bad:
            first = int(starts_a[~good][0]) - HEADER
            notes.append(f"skipped {bad} record{'s' * (bad > 1)} with a bad checksum"
                         f" (first at byte {first})")
            starts_a, lengths_a = starts_a[good], lengths_a[good]
    if truncated:
        notes.append(f"the last record is incomplete (a run still writing?); read the "
                     f"{len(starts_a)} complete records before it")
    return Records(starts_a, lengths_a, notes, truncated)


def _walk(buf: bytes) -> tuple[array, array, array, list[str], str]:
    """The framing loop: offsets, lengths and the computed data CRC of every record."""
    view = memoryview(buf)
    unpack = _HEADER.unpack_from
    starts, lengths, crcs = array("q"), array("q"), array("I")
    add_start, add_length, add_crc = starts.append, lengths.append, crcs.append
    known: dict[int, int] = {}          # length -> its masked crc (a pure function of it)
    notes: list[str] = []
    pos, size = 0, len(buf)
    while pos + HEADER <= size:
        length, lcrc = unpack(buf, pos)
        if known.get(length) != lcrc:
            if masked_crc(view[pos:pos + 8]) != lcrc:
                nxt = _resync(buf, pos + 1)
                if nxt < 0:
                    notes.append(f"bad record header at byte {pos}; read the records before it")
                    return starts, lengths, crcs, notes, "corrupt"
                notes.append(f"bad record header at byte {pos}; skipped {nxt - pos} bytes")
                pos = nxt
                continue
            known[length] = lcrc
        end = pos + HEADER + length
        if end + FOOTER > size:
            return starts, lengths, crcs, notes, "truncated"
        add_start(pos + HEADER)
        add_length(length)
        add_crc(crc32c(view[pos + HEADER:end]))
        pos = end + FOOTER
    return starts, lengths, crcs, notes, "truncated" if pos != size else "end"


def _resync(buf: bytes, pos: int) -> int:
    """The next offset (within RESYNC_LIMIT) where a whole, checksummed record starts."""
    size = len(buf)
    for p in range(pos, min(size - HEADER, pos + RESYNC_LIMIT) + 1):
        if header_ok(buf, p):
            length = _HEADER.unpack_from(buf, p)[0]
            end = p + HEADER + length
            if end + FOOTER <= size and masked_crc(buf[p + HEADER:end]) == \
                    struct.unpack_from("<I", buf, end)[0]:
                return p
    return -1


def _data_crc_ok(buf: bytes, starts: np.ndarray, lengths: np.ndarray,
                 crcs: np.ndarray) -> np.ndarray:
    """Compare every computed data CRC, masked, with the one stored after the record."""
    data = np.frombuffer(buf, dtype=np.uint8)
    at = (starts + lengths)[:, None] + np.arange(4)
    stored = np.ascontiguousarray(data[at]).view("<u4").ravel()
    crc = crcs.astype(np.uint32)
    masked = ((crc >> np.uint32(15)) | (crc << np.uint32(17))) + np.uint32(MASK_DELTA)
    return np.asarray(masked == stored)
