"""CRC32C (Castagnoli), the checksum of TFRecord frames, computed here for short inputs.

A scalar event file needs it for a few short inputs (a record's 8-byte length, an odd short
record) and for the look-up tables of the bulk check (see ``tfrecord``). Long inputs go to
the ``crc32c`` package (C): importing it costs as much as checking a million scalar records
does, so it is imported only when a file has long records to check one by one.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

POLY = 0x82F63B78               # Castagnoli's polynomial, bit-reflected
SHORT = 512                     # longer inputs go to the crc32c package
SHORT_TOTAL = 1 << 16           # ... and so do many short ones adding up to more than this


def _table() -> list[int]:
    out = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ (POLY if crc & 1 else 0)
        out.append(crc)
    return out


TABLE = _table()
_TABLE = np.array(TABLE, dtype=np.uint32)


def crc32c(data: bytes | memoryview) -> int:
    """CRC32C of ``data`` (the same number as ``crc32c.crc32c``)."""
    if len(data) > SHORT:
        return _package()(data)
    crc = 0xFFFFFFFF
    for byte in bytes(data):
        crc = TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def checksummer(total: int) -> Callable[[bytes | memoryview], int]:
    """The CRC32C function for inputs of ``total`` bytes in all: here, or the C package."""
    return crc32c if total <= SHORT_TOTAL else _package()


def _package() -> Callable[[bytes | memoryview], int]:
    from crc32c import crc32c as in_c

    return in_c


def byte_tables(length: int, columns: list[int]) -> dict[int, np.ndarray]:
    """For each column ``j``: ``T[b]`` = CRC32C of ``length`` zero bytes with byte ``b`` at
    ``j``, xor CRC32C of the zeros (the part of a CRC that byte ``b`` at ``j`` contributes).

    That is the CRC register after byte ``b`` from a zero start, then ``length - 1 - j``
    zero bytes: all 256 registers advance together, one step per byte.
    """
    wanted = {length - 1 - j: j for j in columns if 0 <= j < length}
    out = {}
    register = _TABLE.copy()
    for k in range(max(wanted, default=-1) + 1):
        if k in wanted:
            out[wanted[k]] = register.copy()
        register = _TABLE[register & 0xFF] ^ (register >> np.uint32(8))
    return out
