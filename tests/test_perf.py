"""benchmarks/perf.py works: its inputs are what it says, --quick measures (no timing asserts)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from lossdoctor.api import read_log

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import perf  # noqa: E402

pytestmark = pytest.mark.slow


def test_perf_inputs_and_quick_run(tmp_path: Path) -> None:
    frame = read_log(perf.write_big_csv(tmp_path / "big.csv", 3000))
    test = frame[frame["split"] == "test"]
    assert (frame["split"] == "train").sum() == 3000
    assert test["step"].tolist() == [999.0, 1999.0, 2999.0]

    folder = tmp_path / "events"
    folder.mkdir()
    events = read_log(perf.write_events(folder / "events.out.tfevents.1.t", 2503))
    assert (events["split"] == "train").sum() == 2501     # steps 0..2500
    assert events.loc[events["split"] == "test", "step"].tolist() == [999.0, 1999.0]

    slope, top = perf.exponents((10, 100, 1000), [0.1, 1.0, 10.0])
    assert abs(slope - 1.0) < 1e-9 and abs(top - 1.0) < 1e-9

    out = tmp_path / "figures.json"
    assert perf.main(["--quick", "--repeat", "1", "--only", "csv", "--json", str(out)]) == 0
    figures = json.loads(out.read_text())
    assert [f["what"] for f in figures] == ["wall time", "peak RSS"]
    assert all(np.isfinite(f["ratio"]) and f["ratio"] > 0 and f["ok"] is None for f in figures)


def test_monitor_loop_measures_a_logging_loop() -> None:
    import subprocess

    script = Path(perf.ROOT) / "benchmarks" / "monitor_loop.py"
    runs = {mode: subprocess.run([sys.executable, str(script), "3000", mode, "100"],
                                 capture_output=True, text=True, check=True)
            for mode in ("monitor", "bare")}
    logged = json.loads(runs["monitor"].stdout)
    assert logged["verdict"] == "learning" and logged["diagnoses"] > 10
    assert logged["kept"] == 3000 + 30                   # short curves are kept whole
    assert 0 < logged["diagnosis_1k"] < 5 and 0 < logged["diagnosis_end"] < 5
    assert set(json.loads(runs["bare"].stdout)) == {"loop"}
