"""Paths and small helpers the parser tests share (imported as `helpers`)."""
from __future__ import annotations

import math
from pathlib import Path

import pytest

from lossdoctor.parsers import ReadOptions, load

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ROOT / "fixtures" / "formats"
SHARED = ROOT.parent / "shared"          # beside the checkout in CI; tests skip without it
REAL = SHARED / "real-logs"
CORPUS = SHARED / "corpus"


def curves(path, fmt=None, **opts):
    """{split: (steps, values)} of a loaded log, plus the log."""
    log = load(path, fmt, ReadOptions(**opts))
    out = {}
    for split in ("train", "test", "lr"):
        g = log.frame[log.frame["split"] == split]
        if len(g):
            out[split] = (g["step"].tolist(), g["value"].tolist())
    return out, log


def same(a, b):
    """Lists equal, NaN equal to NaN."""
    return len(a) == len(b) and all(
        (isinstance(x, float) and math.isnan(x) and math.isnan(y)) or x == pytest.approx(y)
        for x, y in zip(a, b, strict=True))
