"""Hand decoding of TensorBoard ``Event`` protos: wall time, step and the scalar values.

Only what a loss curve needs is decoded; images, histograms, graphs and strings are skipped
by their length. :func:`parse_event` also says where each varying field lies in the record,
so that ``eventscan`` can read thousands of same-shaped records at once with numpy.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field

# TensorProto dtype -> numpy type of its raw little-endian ``tensor_content``
DTYPES = {1: "<f4", 2: "<f8", 3: "<i4", 4: "u1", 5: "<i2", 6: "i1", 9: "<i8", 10: "u1",
          14: "bf16", 17: "<u2", 19: "<f2", 22: "<u4", 23: "<u8"}
WIDTH = {"<f4": 4, "<f8": 8, "<i4": 4, "u1": 1, "<i2": 2, "i1": 1, "<i8": 8, "bf16": 2,
         "<u2": 2, "<f2": 2, "<u4": 4, "<u8": 8}
_F4 = struct.Struct("<f")
_F8 = struct.Struct("<d")


class ProtoError(ValueError):
    """The bytes are not the protobuf message they should be."""


@dataclass
class Scalar:
    """One scalar summary value: its tag, value, and where its bytes lie (kind None: varint)."""

    tag: bytes
    value: float
    kind: str | None
    offset: int
    plugin: bytes | None = None


@dataclass
class EventLayout:
    """A decoded event; offsets are absolute positions in the buffer (-1: field absent)."""

    wall: float = 0.0
    step: int = 0
    wall_off: int = -1
    step_off: int = -1
    step_len: int = 0
    scalars: list[Scalar] = field(default_factory=list)

    @property
    def fixed(self) -> bool:
        """True when every varying field has a fixed width (a template for same-shaped rows)."""
        return all(s.kind is not None for s in self.scalars)


def varint(buf: bytes, p: int) -> tuple[int, int]:
    """The varint at ``p`` and the position after it."""
    b = buf[p]
    if b < 0x80:
        return b, p + 1
    result, shift = b & 0x7F, 7
    while True:
        p += 1
        b = buf[p]
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, p + 1
        shift += 7
        if shift > 70:
            raise ProtoError("varint too long")


def skip(buf: bytes, p: int, wire: int) -> int:
    """The position after a field of wire type ``wire`` whose payload starts at ``p``."""
    if wire == 0:
        return varint(buf, p)[1]
    if wire == 1:
        return p + 8
    if wire == 2:
        n, p = varint(buf, p)
        return p + n
    if wire == 5:
        return p + 4
    raise ProtoError(f"unsupported wire type {wire}")


def parse_event(buf: bytes, start: int, end: int) -> EventLayout:
    """Decode one Event record ``buf[start:end]``; raises ProtoError when it is not one."""
    ev = EventLayout()
    p = start
    while p < end:
        key, p = varint(buf, p)
        num, wire = key >> 3, key & 7
        if num == 1 and wire == 1:
            ev.wall, ev.wall_off = _F8.unpack_from(buf, p)[0], p
            p += 8
        elif num == 2 and wire == 0:
            ev.step_off = p
            step, p = varint(buf, p)
            ev.step, ev.step_len = (step - (1 << 64) if step >= 1 << 63 else step), p - ev.step_off
        elif num == 5 and wire == 2:
            n, p = varint(buf, p)
            _summary(buf, p, p + n, ev.scalars)
            p += n
        elif num == 0:
            raise ProtoError("field number 0")
        else:
            p = skip(buf, p, wire)
    _at_end(p, end)
    return ev


def _summary(buf: bytes, p: int, end: int, out: list[Scalar]) -> None:
    while p < end:
        key, p = varint(buf, p)
        if key == 0x0A:               # repeated Value value = 1
            n, p = varint(buf, p)
            scalar = _value(buf, p, p + n)
            if scalar is not None:
                out.append(scalar)
            p += n
        else:
            p = skip(buf, p, key & 7)
    _at_end(p, end)


def _value(buf: bytes, p: int, end: int) -> Scalar | None:
    """A Summary.Value: its scalar, or None for images, histograms, audio, text, ..."""
    tag, node, plugin, found = b"", b"", None, None
    while p < end:
        key, p = varint(buf, p)
        num, wire = key >> 3, key & 7
        if wire == 2:
            n, p = varint(buf, p)
            if num == 1:
                tag = buf[p:p + n]
            elif num == 7:
                node = buf[p:p + n]
            elif num == 9:
                plugin = _plugin_name(buf, p, p + n)
            elif num == 8:
                found = _tensor(buf, p, p + n)
            elif num in (3, 4, 5, 6):     # histogram, image, histo, audio
                return None
            p += n
        elif num == 2 and wire == 5:
            found = (_F4.unpack_from(buf, p)[0], "<f4", p)
            p += 4
        else:
            p = skip(buf, p, wire)
    _at_end(p, end)
    if found is None:
        return None
    return Scalar(tag or node, found[0], found[1], found[2], plugin)


def _plugin_name(buf: bytes, p: int, end: int) -> bytes:
    """SummaryMetadata.plugin_data.plugin_name, b'' when absent."""
    name = b""
    while p < end:
        key, p = varint(buf, p)
        if key == 0x0A:
            n, p = varint(buf, p)
            q, stop = p, p + n
            while q < stop:
                k, q = varint(buf, q)
                if k == 0x0A:
                    m, q = varint(buf, q)
                    name = bytes(buf[q:q + m])
                    q += m
                else:
                    q = skip(buf, q, k & 7)
            _at_end(q, stop)
            p += n
        else:
            p = skip(buf, p, key & 7)
    _at_end(p, end)
    return name


def _tensor(buf: bytes, p: int, end: int) -> tuple[float, str | None, int] | None:
    """A one-element numeric TensorProto as (value, kind, offset); None otherwise."""
    dtype, elements, found = 0, 1, None
    while p < end:
        key, p = varint(buf, p)
        num, wire = key >> 3, key & 7
        if num == 1 and wire == 0:
            dtype, p = varint(buf, p)
            if dtype not in DTYPES:
                return None                 # strings, complex, resources: not a scalar
        elif num == 2 and wire == 2:
            n, p = varint(buf, p)
            elements = _elements(buf, p, p + n)
            p += n
        elif num in (4, 5, 6) and wire in (1, 2, 5):
            found, p = _fixed_value(buf, p, num, wire, dtype)
        elif num in (7, 10, 11, 13) and wire in (0, 2):
            found, p = _varint_value(buf, p, wire)
        else:
            p = skip(buf, p, wire)
    _at_end(p, end)
    if found is None or elements != 1 or dtype == 0:
        return None
    if found[1] is None and dtype in (14, 19):
        return None                         # half stored as int bits: rare, not decoded
    return found


def _fixed_value(buf: bytes, p: int, num: int, wire: int,
                 dtype: int) -> tuple[tuple[float, str | None, int] | None, int]:
    """tensor_content (4), float_val (5) or double_val (6): the first element's bytes."""
    if wire == 2:
        n, p = varint(buf, p)
        after = p + n
    else:
        n, after = (8 if wire == 1 else 4), p + (8 if wire == 1 else 4)
    kind = DTYPES.get(dtype) if num == 4 else ("<f4" if num == 5 else "<f8")
    if kind is None or n < WIDTH[kind]:
        return None, after
    return (_decode_one(buf, p, kind), kind, p), after


def _varint_value(buf: bytes, p: int,
                  wire: int) -> tuple[tuple[float, str | None, int] | None, int]:
    """int_val, int64_val, bool_val or half_val: the first element (not vectorizable)."""
    after = skip(buf, p, wire)
    if wire == 2:
        n, p = varint(buf, p)
        if n == 0:
            return None, after
    raw = varint(buf, p)[0]
    return (float(raw - (1 << 64) if raw >= 1 << 63 else raw), None, p), after


def _decode_one(buf: bytes, p: int, kind: str) -> float:
    if kind == "bf16":
        return float(struct.unpack_from("<f", b"\x00\x00" + bytes(buf[p:p + 2]))[0])
    fmt = {"<f4": "<f", "<f8": "<d", "<i4": "<i", "u1": "<B", "<i2": "<h", "i1": "<b",
           "<i8": "<q", "<u2": "<H", "<f2": "<e", "<u4": "<I", "<u8": "<Q"}[kind]
    return float(struct.unpack_from(fmt, buf, p)[0])


def _elements(buf: bytes, p: int, end: int) -> int:
    """The number of elements of a TensorShapeProto (1 for a scalar shape)."""
    count = 1
    while p < end:
        key, p = varint(buf, p)
        if key == 0x12:                     # repeated Dim dim = 2
            n, p = varint(buf, p)
            q, stop, size = p, p + n, 0
            while q < stop:
                k, q = varint(buf, q)
                if k == 0x08:
                    size, q = varint(buf, q)
                else:
                    q = skip(buf, q, k & 7)
            _at_end(q, stop)
            count *= size
            p += n
        elif key == 0x18:                   # unknown_rank
            return -1
        else:
            p = skip(buf, p, key & 7)
    _at_end(p, end)
    return count


def _at_end(p: int, end: int) -> None:
    if p != end:
        raise ProtoError("a field overruns its message")
