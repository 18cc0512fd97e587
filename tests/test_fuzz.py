"""Fuzzing the readers and the whole pipeline: odd bytes raise LossdoctorError, nothing else."""
from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest
import tfevents_writer as tw
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lossdoctor.api as api
from lossdoctor.errors import LossdoctorError
from lossdoctor.parsers import load

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "fixtures"
FIXTURES = sorted(FIX.glob("*.csv"))
WORK = Path(tempfile.mkdtemp(prefix="lossdoctor-fuzz-"))
atexit.register(shutil.rmtree, WORK, ignore_errors=True)

#: raise for a longer hunt: LOSSDOCTOR_FUZZ_EXAMPLES=3000 pytest tests/test_fuzz.py
EXAMPLES = int(os.environ.get("LOSSDOCTOR_FUZZ_EXAMPLES", "100"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# ---------------------------------------------------------------- seed files in other formats


def _curves(n: int = 12) -> tuple[list[float], list[float]]:
    t = np.arange(n)
    return (list(np.round(2 * np.exp(-t / 4) + 0.1, 4)),
            list(np.round(2 * np.exp(-t / 5) + 0.3, 4)))


def _jsonl() -> bytes:
    train, val = _curves()
    rows = [json.dumps({"epoch": i, "train_loss": a, "test_loss": b, "train_lr": 1e-3})
            for i, (a, b) in enumerate(zip(train, val, strict=True))]
    return ("\n".join(rows) + "\n").encode()


def _trainer_state() -> bytes:
    train, val = _curves()
    history: list[dict] = []
    for i, (a, b) in enumerate(zip(train, val, strict=True)):
        step = 10 * (i + 1)
        history.append({"epoch": i + 0.5, "learning_rate": 1e-4, "loss": a, "step": step})
        history.append({"epoch": i + 1.0, "eval_loss": b, "step": step})
    state = {"best_metric": None, "epoch": 12.0, "global_step": 120, "log_history": history}
    return json.dumps(state, indent=2).encode()


def _tb_csv() -> bytes:
    train, _ = _curves()
    rows = [f"{1.6e9 + i:.1f},{i * 100},{v}" for i, v in enumerate(train)]
    return ("Wall time,Step,Value\n" + "\n".join(rows) + "\n").encode()


def _tb_json() -> bytes:
    _, val = _curves()
    return json.dumps([[1.6e9 + i, i * 100, v] for i, v in enumerate(val)]).encode()


def _tfevents() -> bytes:
    train, val = _curves()
    path = WORK / "seed" / "events.out.tfevents.1600000000.host.1.0"
    tw.scalar_run(path, {"train/loss": list(enumerate(train)),
                         "val/loss": list(enumerate(val))})
    return path.read_bytes()


# (file name the reader sees, its bytes): the name carries the hints a real file would have
SEEDS: dict[str, tuple[str, bytes]] = {
    **{p.stem: (p.name, p.read_bytes()) for p in FIXTURES},
    "jsonl": ("log.txt", _jsonl()),
    "hf-trainer-state": ("trainer_state.json", _trainer_state()),
    "catboost": ("catboost_training.json", (FIX / "formats" / "catboost" / "catboost_info"
                                            / "catboost_training.json").read_bytes()),
    "tensorboard-csv": ("run-.-tag-train_loss.csv", _tb_csv()),
    "tensorboard-json": ("run-.-tag-val_loss.json", _tb_json()),
    "tfevents": ("events.out.tfevents.1600000000.host.1.0", _tfevents()),
}


def feed(name: str, data: bytes) -> None:
    """Write the bytes under ``name`` and read and diagnose them; only our errors may escape."""
    folder = Path(tempfile.mkdtemp(dir=WORK))
    path = folder / name
    path.write_bytes(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            load(path)
        except LossdoctorError:
            return
        try:
            api.diagnose(path)
        except LossdoctorError:
            pass
    path.unlink()
    folder.rmdir()


def test_seeds_are_readable():
    for key, (name, data) in SEEDS.items():
        folder = WORK / "ok" / key
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
        assert api.diagnose(folder / name).verdict, key


# ---------------------------------------------------------------- mutations


@st.composite
def mutated(draw, data: bytes) -> bytes:
    """1-4 edits of a file: truncate, flip bytes, insert a garbage line, delete a line."""
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["truncate", "flip", "insert", "delete", "duplicate"]))
        if not data:
            break
        if op == "truncate":
            data = data[: draw(st.integers(0, len(data) - 1))]
        elif op == "flip":
            buf = bytearray(data)
            for _ in range(draw(st.integers(1, 8))):
                i = draw(st.integers(0, len(buf) - 1))
                buf[i] ^= draw(st.integers(1, 255))
            data = bytes(buf)
        else:
            lines = data.split(b"\n")
            i = draw(st.integers(0, len(lines) - 1))
            if op == "insert":
                junk = draw(st.one_of(st.binary(max_size=60),
                                      st.sampled_from([b"nan", b",,,,", b"{", b"]", b"-inf",
                                                       b"1e999,1e999", b"\"", b"\x00\x00",
                                                       b"epoch,loss,val_loss"])))
                lines.insert(i, junk)
            elif op == "delete":
                del lines[i]
            else:
                lines.insert(i, lines[i])
            data = b"\n".join(lines)
    return data


@pytest.mark.parametrize("key", list(SEEDS))
def test_mutated_files(key):
    name, original = SEEDS[key]

    @FUZZ
    @given(data=mutated(original))
    def check(data: bytes) -> None:
        feed(name, data)

    check()


# ---------------------------------------------------------------- random bytes

NAMES = ["log.csv", "trainer_state.json", "metrics.jsonl", "events.out.tfevents.1.host",
         "training.log"]


@FUZZ
@given(name=st.sampled_from(NAMES), data=st.binary(max_size=3000))
def test_random_bytes(name, data):
    feed(name, data)


@FUZZ
@given(name=st.sampled_from(NAMES),
       data=st.text(alphabet=st.sampled_from(list("0123456789.,;-+eEnaNIf \t\n\"{}[]:")),
                    max_size=800).map(str.encode))
def test_random_text_of_log_characters(name, data):
    feed(name, data)


@FUZZ
@given(header=st.sampled_from(["epoch,loss,val_loss", "step,train_loss,val_loss,lr",
                               "Wall time,Step,Value", "loss"]),
       rows=st.lists(st.lists(st.one_of(
           st.floats(allow_nan=True, allow_infinity=True).map(repr),
           st.integers(-10**20, 10**20).map(str), st.sampled_from(["", "nan", "NA", "x"])),
           min_size=1, max_size=5), max_size=40))
def test_random_tables(header, rows):
    text = header + "\n" + "\n".join(",".join(r) for r in rows) + "\n"
    feed("log.csv", text.encode())
