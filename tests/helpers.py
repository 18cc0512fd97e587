"""Paths and small helpers the tests share (imported as `helpers`)."""
from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from lossdoctor import cli
from lossdoctor.parsers import ReadOptions, load

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ROOT / "fixtures" / "formats"
FRESH = ROOT / "benchmarks" / "fresh-runs"    # labelled runs of families the corpus lacks
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


def python_prints(code: str, cwd: Path | None = None) -> str:
    """What a fresh interpreter prints running ``code``: imports a test must see from the
    start, not after this process has loaded everything."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=cwd).stdout.strip()


def labelled_misses(cases: list[Path], monkeypatch) -> list[str]:
    """Runs every labelled case (a folder with ``labels.json``, ../shared/benchmark/LABELS.md)
    through ``check`` as a user would, asserting each gets a report and no internal error;
    returns the cases whose verdict is neither the primary label nor an accepted one."""
    misses = []
    for case in cases:
        labels = json.loads((case / "labels.json").read_text())
        monkeypatch.chdir(case)
        result = CliRunner().invoke(cli.main, ["check", *labels["args"], "--format", "json"])
        assert result.exit_code in (0, 1), (case.name, result.stderr)
        assert "internal error" not in result.stderr
        data = json.loads(result.stdout)
        assert isinstance(data["diagnoses"], list)
        if data["verdict"] not in {labels["primary"], *labels.get("accept", [])}:
            misses.append(f"{case.name}: {data['verdict']} (label {labels['primary']})")
    return misses
