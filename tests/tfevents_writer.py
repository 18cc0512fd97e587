"""Writes TensorBoard event files by hand for tests: TF1 ``simple_value`` and TF2 tensors.

Independent of lossdoctor's reader (its own protobuf encoding and CRC masking), so tests
check the reader against a second implementation. Run as a script to time the reader on a
1,000,000-event file: ``python tests/tfevents_writer.py [N] [--tensorboard VENV_PYTHON]``.
"""
from __future__ import annotations

import struct
import sys
import time
from collections.abc import Iterable
from pathlib import Path

import crc32c

TENSOR_FORMS = ("content", "float_val", "float_val_unpacked", "double_val", "double_content")


def masked_crc(data: bytes) -> int:
    crc = crc32c.crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def varint(n: int) -> bytes:
    if n < 0:
        n += 1 << 64
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def key(num: int, wire: int) -> bytes:
    return varint(num << 3 | wire)


def f_varint(num: int, value: int) -> bytes:
    return key(num, 0) + varint(value)


def f_bytes(num: int, payload: bytes) -> bytes:
    return key(num, 2) + varint(len(payload)) + payload


def f_double(num: int, value: float) -> bytes:
    return key(num, 1) + struct.pack("<d", value)


def f_float(num: int, value: float) -> bytes:
    return key(num, 5) + struct.pack("<f", value)


def record(data: bytes) -> bytes:
    """One TFRecord: length, masked CRC of the length, data, masked CRC of the data."""
    length = struct.pack("<Q", len(data))
    return (length + struct.pack("<I", masked_crc(length)) + data
            + struct.pack("<I", masked_crc(data)))


def metadata(plugin: str = "scalars") -> bytes:
    return f_bytes(1, f_bytes(1, plugin.encode()))


def tensor(value: float, form: str = "content", shape: tuple[int, ...] = ()) -> bytes:
    """A TensorProto holding ``value`` in one of TensorFlow's encodings."""
    dims = b"".join(f_bytes(2, f_varint(1, d)) for d in shape)
    if form == "content":
        return f_varint(1, 1) + f_bytes(2, dims) + f_bytes(4, struct.pack("<f", value))
    if form == "float_val":
        return f_varint(1, 1) + f_bytes(2, dims) + f_bytes(5, struct.pack("<f", value))
    if form == "float_val_unpacked":
        return f_varint(1, 1) + f_bytes(2, dims) + f_float(5, value)
    if form == "double_val":
        return f_varint(1, 2) + f_bytes(2, dims) + f_bytes(6, struct.pack("<d", value))
    if form == "double_content":
        return f_varint(1, 2) + f_bytes(2, dims) + f_bytes(4, struct.pack("<d", value))
    if form == "int_val":
        return f_varint(1, 3) + f_bytes(2, dims) + f_bytes(7, varint(int(value)))
    raise ValueError(form)


def simple_value(tag: str, value: float) -> bytes:
    """A TF1 / PyTorch SummaryWriter scalar: Summary.Value{tag, simple_value}."""
    return f_bytes(1, tag.encode()) + f_float(2, value)


def tensor_value(tag: str, value: float, form: str = "content", first: bool = False) -> bytes:
    """A TF2 scalar: Summary.Value{tag, tensor, metadata (on the tag's first value only)}."""
    meta = f_bytes(9, metadata()) if first else b""
    return f_bytes(1, tag.encode()) + f_bytes(8, tensor(value, form)) + meta


def image_value(tag: str, size: int = 300) -> bytes:
    image = f_varint(1, 8) + f_varint(2, 8) + f_varint(3, 3) + f_bytes(4, b"\x89PNG" * size)
    return f_bytes(1, tag.encode()) + f_bytes(4, image)


def histogram_value(tag: str) -> bytes:
    histo = f_double(1, 0.0) + f_double(2, 1.0) + f_double(3, 10.0)
    return f_bytes(1, tag.encode()) + f_bytes(5, histo)


def event(step: int | None, wall: float | None, values: Iterable[bytes] = (), *,
          extra: bytes = b"") -> bytes:
    """An Event{wall_time, step, summary{value...}}; None leaves a field out (proto3 zero)."""
    out = b""
    if wall is not None:
        out += f_double(1, wall)
    if step is not None:
        out += f_varint(2, step)
    out += extra
    vals = b"".join(f_bytes(1, v) for v in values)
    if vals:
        out += f_bytes(5, vals)
    return out


def file_version(wall: float = 1.0e9) -> bytes:
    return f_double(1, wall) + f_bytes(3, b"brain.Event:2")


def write(path: Path, events: Iterable[bytes]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        for data in events:
            fh.write(record(data))
    return path


def scalar_run(path: Path, curves: dict[str, list[tuple[int, float]]], *, tf2: bool = False,
               form: str = "content", wall0: float = 1.6e9) -> Path:
    """An event file with one event per (tag, step, value), steps interleaved like a run."""
    points = sorted((step, i, tag, value) for i, (tag, pts) in enumerate(curves.items())
                    for step, value in pts)
    events = [file_version(wall0)]
    seen: set[str] = set()
    for n, (step, _, tag, value) in enumerate(points):
        if tf2:
            val = tensor_value(tag, value, form, first=tag not in seen)
        else:
            val = simple_value(tag, value)
        seen.add(tag)
        events.append(event(step, wall0 + n, [val]))
    return write(path, events)


def big_file(path: Path, n: int) -> Path:
    """``n`` scalar events, PyTorch-style: train/loss every step, val/loss every 100."""
    with open(path, "wb") as fh:
        fh.write(record(file_version()))
        for step in range(n):
            tag = "val/loss" if step % 100 == 99 else "train/loss"
            value = simple_value(tag, 1.0 / (1 + step))
            fh.write(record(event(step, 1.6e9 + step * 0.01, [value])))
    return path


def _time_reader(path: Path) -> None:
    from lossdoctor.parsers import load
    t = time.perf_counter()
    log = load(path.parent)
    took = time.perf_counter() - t
    print(f"lossdoctor tfevents reader: {took:.2f} s for {path.stat().st_size / 1e6:.0f} MB,"
          f" {len(log.frame)} points")


if __name__ == "__main__":
    import subprocess
    import tempfile

    count = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        target = big_file(Path(tmp) / "events.out.tfevents.1600000000.bench", count)
        _time_reader(target)
        if "--tensorboard" in sys.argv:
            python = sys.argv[sys.argv.index("--tensorboard") + 1]
            code = ("import time,sys;from tensorboard.backend.event_processing.event_accumulator"
                    " import EventAccumulator as E;t=time.perf_counter();"
                    "a=E(sys.argv[1],size_guidance={'scalars':0});a.Reload();"
                    "n=sum(len(a.Scalars(k)) for k in a.Tags()['scalars']);"
                    "print(f'EventAccumulator: {time.perf_counter()-t:.2f} s, {n} points')")
            subprocess.run([python, "-c", code, str(target)], check=True)
