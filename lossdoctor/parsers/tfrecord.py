"""TFRecord framing: split an event file into records and check their masked CRC32C sums.

A record is ``uint64 length, uint32 masked_crc32c(length), data, uint32 masked_crc32c(data)``.
The walk frames runs of same-length records many at a time; the data CRCs of such records
come from a few table look-ups each (CRC linearity), and all checksums are compared at once.
"""
from __future__ import annotations

import struct
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .crc import byte_tables, checksummer, crc32c

HEADER = 12
FOOTER = 4
RESYNC_LIMIT = 1 << 20          # bytes scanned for the next good header after a bad one
MASK_DELTA = 0xA282EAD8
_HEADER = struct.Struct("<QI")
_LENGTH = struct.Struct("<Q")
MIN_BATCH = 8                   # records framed at once when their lengths repeat ...
MAX_BATCH = 1 << 16             # ... doubling up to this many
MAX_WAIT = 256                  # records walked one by one before trying a batch again
LINEAR_MIN = 1024               # same-length records whose CRCs are computed as a block
LINEAR_MAX_ROW = 1024           # ... when no longer than this (scalars, not images)
LINEAR_BYTES = 1 << 25          # ... gathered this many bytes at a time
OVERLAP_MIN = 1 << 16           # records from which decoding and checksums share two threads
LENGTH_SPAN = 1 << 16           # header checksums looked up in a table over lengths this close
FEW_LENGTHS = 16                # distinct record lengths picked out one pass each (else a sort)


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
    early: Any = None                   # what ``meanwhile`` made of every framed record
    dropped: bool = False               # some framed records had a bad data checksum


def header_ok(buf: bytes, pos: int = 0) -> bool:
    """True when a record header sits at ``pos`` and its length checksum is right."""
    if pos + HEADER > len(buf):
        return False
    length, lcrc = _HEADER.unpack_from(buf, pos)
    return length < (1 << 40) and masked_crc(buf[pos:pos + 8]) == lcrc


def split_records(buf: bytes, meanwhile: Callable[[np.ndarray, np.ndarray], Any] | None = None
                  ) -> Records:
    """Walk the records of ``buf``; bad data checksums are dropped, a torn tail is cut off.

    ``meanwhile(starts, lengths)`` (decoding the records) runs in a second thread while the
    data checksums are computed; its result is ``Records.early``, made from every framed
    record (``Records.dropped`` says whether a bad checksum then dropped some).
    """
    data = np.frombuffer(buf, dtype=np.uint8)
    heads, lengths, notes, truncated = _walk_checked(buf, data)
    starts = heads + HEADER
    early = None
    if meanwhile is not None and len(heads) >= OVERLAP_MIN:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(1) as pool:     # numpy lets go of the GIL: two cores work
            checking = pool.submit(_data_crcs, buf, data, heads, lengths)
            early = meanwhile(starts, lengths)
            crcs = checking.result()
    else:
        crcs = _data_crcs(buf, data, heads, lengths)
        if meanwhile is not None:
            early = meanwhile(starts, lengths)
    dropped = False
    if len(starts):
        good = _data_crc_ok(data, starts, lengths, crcs)
        bad = int((~good).sum())
        if bad:
            first = int(heads[~good][0])
            notes.append(f"skipped {bad} record{'s' * (bad > 1)} with a bad checksum"
                         f" (first at byte {first})")
            starts, lengths = starts[good], lengths[good]
            dropped = True
    if truncated:
        notes.append(f"the last record is incomplete (a run still writing?); read the "
                     f"{len(starts)} complete records before it")
    return Records(starts, lengths, notes, truncated, early, dropped)


def _walk_checked(buf: bytes, data: np.ndarray):
    """Header offsets and lengths; a bad header makes the walk look for the next."""
    parts: list[tuple[np.ndarray, ...]] = []
    notes: list[str] = []
    pos = 0
    while True:
        heads, stop = _walk(buf, data, pos)
        ok, lengths = _header_crc_ok(data, heads)
        cut = int(np.argmin(ok)) if not ok.all() else len(heads)
        parts.append((heads[:cut], lengths[:cut]))
        bad_at = int(heads[cut]) if cut < len(heads) else stop
        if cut == len(heads) and (len(buf) - stop < HEADER or header_ok(buf, stop)):
            break
        pos = _resync(buf, bad_at + 1)
        if pos < 0:
            notes.append(f"bad record header at byte {bad_at}; read the records before it")
            stop = len(buf)
            break
        notes.append(f"bad record header at byte {bad_at}; skipped {pos - bad_at} bytes")
    heads, lengths = (np.concatenate(c) for c in zip(*parts, strict=True))
    return heads, lengths, notes, stop != len(buf)


def _walk(buf: bytes, data: np.ndarray, pos: int) -> tuple[np.ndarray, int]:
    """The framing loop, trusting lengths: header offsets and where it stopped.

    Runs of records of one length (a scalar logged every step) are framed many at a time:
    the lengths found at the offsets such a run predicts are checked all at once. A run is
    tried where the next record has this one's length.
    """
    unpack = _LENGTH.unpack_from
    heads: list[np.ndarray] = []
    single = array("q")
    size = len(buf)
    limit = size - HEADER - FOOTER
    batch, wait, backoff = MIN_BATCH, 0, 1
    while pos <= limit:
        length = unpack(buf, pos)[0]
        stride = length + HEADER + FOOTER
        fit = (size - pos) // stride if length < size else 0
        if wait <= 0 and fit >= MIN_BATCH and unpack(buf, pos + stride)[0] == length:
            n = min(batch, fit)
            block = data[pos:pos + n * stride].reshape(n, stride)
            same = np.ascontiguousarray(block[:, :8]).view("<u8").ravel() == length
            run = n if same.all() else int(np.argmin(same))
            if run >= MIN_BATCH:
                heads.append(np.frombuffer(single, dtype=np.int64).copy())
                single = array("q")
                heads.append(pos + stride * np.arange(run, dtype=np.int64))
                pos += run * stride
                # the next run is likely as long as this one (a tag logged every N steps
                # cuts in): a block of about its length, not of the largest batch
                batch = min(batch * 2, MAX_BATCH) if run == n else max(MIN_BATCH, 2 * run)
                backoff = 1
                continue
            # lengths change record by record here: walk one by one for a while
            wait, backoff = backoff, min(backoff * 2, MAX_WAIT)
        wait -= 1
        single.append(pos)
        pos += stride
    if pos > size:                                  # the last record did not fit
        pos = single.pop()
    heads.append(np.frombuffer(single, dtype=np.int64) if single else np.empty(0, np.int64))
    return np.concatenate(heads), pos


def _data_crcs(buf: bytes, data: np.ndarray, heads: np.ndarray,
               lengths: np.ndarray) -> np.ndarray:
    """CRC32C of every record's data: many same-length records at once, the rest one by one."""
    out = np.empty(len(heads), dtype=np.uint32)
    single = np.ones(len(heads), dtype=bool)
    if len(heads) >= LINEAR_MIN:
        for length, group in length_groups(lengths):
            if len(group) < LINEAR_MIN or not 0 < length <= LINEAR_MAX_ROW:
                continue
            width = (length + 7) // 8 * 8           # rows are read in whole 8-byte words:
            group = group[heads[group] + HEADER + width <= len(data)]   # not past the end
            rows = max(LINEAR_MIN, LINEAR_BYTES // width)       # bounded memory per block
            for idx in (group[a:a + rows] for a in range(0, len(group), rows)):
                crcs = _linear_crcs(_bytes_at(data, heads[idx] + HEADER, width), length)
                if crcs is not None:
                    out[idx] = crcs
                    single[idx] = False
    rest = np.flatnonzero(single)
    crc = checksummer(int(lengths[rest].sum()))
    for i in rest.tolist():
        start = int(heads[i]) + HEADER
        out[i] = crc(buf[start:start + int(lengths[i])])
    return out


def length_groups(lengths: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """(length, indices in file order) for each distinct length, shortest first.

    An event file has a few record lengths (one per scalar tag and step-varint width): each
    is picked out in one pass; many lengths (images, text) take one stable sort.
    """
    if not len(lengths):
        return []
    lo, hi = int(lengths.min()), int(lengths.max())
    if hi - lo < LENGTH_SPAN:
        distinct = np.flatnonzero(np.bincount((lengths - lo).astype(np.intp))) + lo
        if len(distinct) <= FEW_LENGTHS:
            return [(int(n), np.flatnonzero(lengths == n)) for n in distinct]
    order = np.argsort(lengths, kind="stable")
    cuts = np.flatnonzero(np.diff(lengths[order])) + 1
    return [(int(lengths[part[0]]), part) for part in np.split(order, cuts)]


def _linear_crcs(rows: np.ndarray, length: int) -> np.ndarray | None:
    """CRC32C of records of ``length`` bytes that differ in a few byte columns (scalar events).

    ``rows`` holds one record a row, padded to whole 8-byte words. A CRC is affine in its
    input: ``crc(r) = crc(r0) ^ XOR_j T_j[r[j] ^ r0[j]]``, where ``T_j[b]`` is ``crc`` of
    byte ``b`` at column ``j`` in zeros, xor ``crc`` of the zeros. Byte columns are taken
    in pairs (one look-up in a table of 65536), so each row costs a look-up per pair that
    varies, not a pass over its bytes. None when too many columns vary for tables to pay.
    """
    count = len(rows)
    words = rows.view("<u8")
    # bytes that differ from the first row's anywhere: column by column (a short axis of
    # many rows reduces slowly); xor and or work byte by byte, so byte j stays byte j
    changed = np.array([np.bitwise_or.reduce(words[:, k] ^ words[0, k])
                        for k in range(words.shape[1])], dtype=np.uint64).view(np.uint8)
    varying = np.flatnonzero(changed[:length])
    if len(varying) * 256 > count:
        return None
    crc = np.full(count, crc32c(rows[0, :length].tobytes()), dtype=np.uint32)
    pairs = rows.view("<u2")                    # bytes 2p and 2p + 1, little-endian
    used = sorted({j // 2 for j in varying.tolist()})
    tables = byte_tables(length, [j for p in used for j in (2 * p, 2 * p + 1)])
    none = np.zeros(256, dtype=np.uint32)       # a byte past the end (padding) adds nothing
    for p in used:
        low, high = tables.get(2 * p, none), tables.get(2 * p + 1, none)
        table = (high[:, None] ^ low[None, :]).ravel()       # index: high << 8 | low
        first = np.uint16(pairs[0, p])
        crc ^= table[np.arange(1 << 16, dtype=np.uint16) ^ first][pairs[:, p]]
    return crc


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
    stored = np.ascontiguousarray(raw[:, 8:]).view("<u4").ravel()
    lo, hi = int(lengths.min()), int(lengths.max())
    if hi - lo < LENGTH_SPAN:     # lengths close together (always, but for garbage): a table
        present = np.flatnonzero(np.bincount((lengths - lo).astype(np.intp)))
        expected = np.zeros(hi - lo + 1, dtype=np.uint32)
        expected[present] = [_length_crc(lo + int(d)) for d in present]
        ok = expected[(lengths - lo).astype(np.intp)] == stored
    else:
        uniq, codes = np.unique(lengths, return_inverse=True)
        ok = np.array([_length_crc(int(n)) for n in uniq], dtype=np.uint32)[codes] == stored
    return np.asarray(ok), lengths.astype(np.int64)


def _length_crc(length: int) -> int:
    return masked_crc(_LENGTH.pack(length))


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
