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
import pandas as pd
from crc32c import crc32c

HEADER = 12
FOOTER = 4
RESYNC_LIMIT = 1 << 20          # bytes scanned for the next good header after a bad one
MASK_DELTA = 0xA282EAD8
_HEADER = struct.Struct("<QI")
_LENGTH = struct.Struct("<Q")


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
    data = np.frombuffer(buf, dtype=np.uint8)
    heads, lengths, crcs, notes, truncated = _walk_checked(buf, data)
    starts = heads + HEADER
    if len(starts):
        good = _data_crc_ok(data, starts, lengths, crcs)
        bad = int((~good).sum())
        if bad:
            first = int(heads[~good][0])
            notes.append(f"skipped {bad} record{'s' * (bad > 1)} with a bad checksum"
                         f" (first at byte {first})")
            starts, lengths = starts[good], lengths[good]
    if truncated:
        notes.append(f"the last record is incomplete (a run still writing?); read the "
                     f"{len(starts)} complete records before it")
    return Records(starts, lengths, notes, truncated)


def _walk_checked(buf: bytes, data: np.ndarray):
    """Header offsets, lengths and data CRCs; a bad header makes the walk look for the next."""
    parts: list[tuple[np.ndarray, ...]] = []
    notes: list[str] = []
    pos = 0
    while True:
        heads, crcs, stop = _walk(buf, pos)
        ok, lengths = _header_crc_ok(data, heads)
        cut = int(np.argmin(ok)) if not ok.all() else len(heads)
        parts.append((heads[:cut], lengths[:cut], crcs[:cut]))
        bad_at = int(heads[cut]) if cut < len(heads) else stop
        if cut == len(heads) and (len(buf) - stop < HEADER or header_ok(buf, stop)):
            break
        pos = _resync(buf, bad_at + 1)
        if pos < 0:
            notes.append(f"bad record header at byte {bad_at}; read the records before it")
            stop = len(buf)
            break
        notes.append(f"bad record header at byte {bad_at}; skipped {pos - bad_at} bytes")
    heads, lengths, crcs = (np.concatenate(c) for c in zip(*parts, strict=True))
    return heads, lengths, crcs, notes, stop != len(buf)


def _walk(buf: bytes, pos: int) -> tuple[np.ndarray, np.ndarray, int]:
    """The framing loop, trusting lengths: header offsets, data CRCs, where it stopped."""
    view = memoryview(buf)
    unpack = _LENGTH.unpack_from
    heads, crcs = array("q"), array("I")
    add_head, add_crc = heads.append, crcs.append
    size = len(buf)
    limit = size - HEADER - FOOTER
    while pos <= limit:
        end = pos + HEADER + unpack(buf, pos)[0]
        add_head(pos)
        add_crc(crc32c(view[pos + HEADER:end]))     # a slice past the end is cut short
        pos = end + FOOTER
    if pos > size:                                  # the last record did not fit
        pos = heads.pop()
        crcs.pop()
    return (np.frombuffer(heads, dtype=np.int64) if heads else np.empty(0, np.int64),
            np.frombuffer(crcs, dtype=np.uint32) if crcs else np.empty(0, np.uint32), pos)


def _u32(data: np.ndarray, at: np.ndarray) -> np.ndarray:
    return _bytes_at(data, at, 4).view("<u4").ravel()


def _bytes_at(data: np.ndarray, at: np.ndarray, width: int) -> np.ndarray:
    """An (n, width) array of the bytes starting at each offset ``at``."""
    if not len(at):
        return np.empty((0, width), dtype=np.uint8)
    return np.ascontiguousarray(np.lib.stride_tricks.sliding_window_view(data, width)[at])


def _mask(crc: np.ndarray) -> np.ndarray:
    crc = crc.astype(np.uint32)
    return ((crc >> np.uint32(15)) | (crc << np.uint32(17))) + np.uint32(MASK_DELTA)


def _header_crc_ok(data: np.ndarray, heads: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Check every header's length checksum (computed once per distinct length)."""
    if not len(heads):
        return np.ones(0, dtype=bool), np.empty(0, np.int64)
    raw = _bytes_at(data, heads, HEADER)
    lengths = np.ascontiguousarray(raw[:, :8]).view("<u8").ravel()
    codes, uniq = pd.factorize(lengths)
    expected = np.array([masked_crc(struct.pack("<Q", int(n))) for n in uniq], dtype=np.uint32)
    ok = expected[codes] == np.ascontiguousarray(raw[:, 8:]).view("<u4").ravel()
    return np.asarray(ok), lengths.astype(np.int64)


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


def _data_crc_ok(data: np.ndarray, starts: np.ndarray, lengths: np.ndarray,
                 crcs: np.ndarray) -> np.ndarray:
    """Compare every computed data CRC, masked, with the one stored after the record."""
    return np.asarray(_mask(crcs) == _u32(data, starts + lengths))
