"""TFRecord framing and CRCs in bulk (runs of same-length records) agree with one by one."""
from __future__ import annotations

import numpy as np
import pytest
import tfevents_writer as tw
from crc32c import crc32c

from lossdoctor.parsers import crc
from lossdoctor.parsers.crc import SHORT
from lossdoctor.parsers.tfrecord import HEADER, _data_crcs, _linear_crcs, split_records


def scalar_records(n: int, tags: tuple[str, ...]) -> bytes:
    """A file-version record, then ``n`` one-scalar events cycling through ``tags``."""
    events = [tw.file_version()] + [
        tw.event(s, 1.6e9 + s * 0.01, [tw.simple_value(tags[s % len(tags)], 1 / (1 + s))])
        for s in range(n)]
    return b"".join(tw.record(e) for e in events)


def walk_one_by_one(buf: bytes) -> list[int]:
    """Data offsets of the records, the plain way: follow each length."""
    out, pos = [], 0
    while pos + HEADER <= len(buf):
        length = int.from_bytes(buf[pos:pos + 8], "little")
        out.append(pos + HEADER)
        pos += HEADER + length + 4
    return out


@pytest.mark.parametrize("tags", [("train/loss",), ("loss", "val/accuracy")],
                         ids=["same-length-runs", "alternating-lengths"])
def test_bulk_framing_and_crcs_match_one_by_one(tags: tuple[str, ...]) -> None:
    buf = scalar_records(3000, tags)      # steps pass 127: the record length changes once
    records = split_records(buf)
    assert records.starts.tolist() == walk_one_by_one(buf) and not records.notes
    data = np.frombuffer(buf, dtype=np.uint8)
    crcs = _data_crcs(buf, data, records.starts - HEADER, records.lengths)
    assert crcs.tolist() == [crc32c(buf[a:a + n]) for a, n in
                             zip(records.starts.tolist(), records.lengths.tolist(), strict=True)]


def test_a_flipped_bit_inside_a_run_is_a_bad_checksum() -> None:
    buf = bytearray(scalar_records(3000, ("train/loss",)))
    starts = walk_one_by_one(bytes(buf))
    buf[starts[2000] + 5] ^= 0x10                     # inside record 2000's data
    records = split_records(bytes(buf))
    assert records.notes == [f"skipped 1 record with a bad checksum (first at byte"
                             f" {starts[2000] - HEADER})"]
    assert records.starts.tolist() == starts[:2000] + starts[2001:]


@pytest.mark.parametrize("length", [1, 2, 7, 33, 34, 40])
def test_linear_crcs_of_rows_that_vary_in_a_few_bytes(length: int) -> None:
    # odd and even columns, the last byte, and padding bytes past the record that vary too
    rng = np.random.default_rng(length)
    n, width = 3000, (length + 7) // 8 * 8
    rows = rng.integers(0, 256, (n, width), dtype=np.uint8)
    same = rng.integers(0, 256, length, dtype=np.uint8)
    fixed = np.setdiff1d(np.arange(length), rng.choice(length, min(length, 5), replace=False))
    rows[:, fixed] = same[fixed]
    crcs = _linear_crcs(rows, length)
    assert crcs is not None
    assert crcs.tolist() == [crc32c(r[:length].tobytes()) for r in rows]


@pytest.mark.parametrize("size", [0, 1, 8, 33, SHORT, SHORT + 1, 5000])
def test_crc32c_without_the_package_matches_it(size: int) -> None:
    data = np.random.default_rng(size).integers(0, 256, size, dtype=np.uint8).tobytes()
    assert crc.crc32c(data) == crc32c(data)
    assert crc.checksummer(size)(data) == crc32c(data)


def test_byte_tables_are_the_crc_of_one_byte_in_zeros() -> None:
    zeros = bytes(40)
    tables = crc.byte_tables(40, [0, 1, 17, 39, 40])    # 40 is past the end: no table
    assert sorted(tables) == [0, 1, 17, 39]
    for j, table in tables.items():
        assert table.tolist() == [crc32c(zeros[:j] + bytes((b,)) + zeros[j + 1:]) ^
                                  crc32c(zeros) for b in range(256)]
