"""W&B offline runs made by the real wandb package (no network) and read back from disk."""
from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import ROOT

from lossdoctor import cli, diagnose, diagnose_many, read_log
from lossdoctor.errors import LogReadError
from lossdoctor.parsers.wandb_records import (
    _HEAD,
    BLOCK,
    HEADER,
    frame_records,
    history_row,
    records,
)

pytest.importorskip("wandb", reason="the W&B tests need wandb (pip install -e '.[test]')")

FIXTURES = ROOT / "fixtures"
#: run name -> the fixture whose curves it logs
RUNS = {"overfit": "overfitting", "explode": "divergence", "nan": "non_finite"}

WRITER = r"""
import csv, sys
import wandb
fixtures, runs = sys.argv[1], eval(sys.argv[2])
for name, kind in runs.items():
    run = wandb.init(project="lossdoctor-test", name=name, mode="offline")
    with open(f"{fixtures}/{kind}.csv") as fh:
        for row in csv.DictReader(fh):
            step = int(row["epoch"])
            run.log({"train/loss": float(row["loss"]), "val/loss": float(row["val_loss"]),
                     "lr": float(row["lr"])}, step=step)
    # the HF Trainer's W&B callback closes a run with the mean train loss, logged once
    run.log({"train/train_loss": 0.5}, step=step + 1)
    run.finish()
"""


@pytest.fixture(scope="module")
def wandb_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("wb")
    env = {k: v for k, v in os.environ.items() if not k.startswith("WANDB_")}
    env.update(WANDB_MODE="offline", WANDB_DIR=str(root), WANDB_SILENT="true",
               WANDB_CONFIG_DIR=str(root / ".config"), WANDB_CACHE_DIR=str(root / ".cache"),
               WANDB_DISABLE_GIT="true", WANDB_DISABLE_CODE="true")
    done = subprocess.run([sys.executable, "-c", WRITER, str(FIXTURES), repr(RUNS)], cwd=root,
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return root / "wandb"


def check(*args):
    return CliRunner().invoke(cli.main, ["check", *map(str, args)])


def _run_folder(wandb_dir: Path, name: str) -> Path:
    from lossdoctor.parsers.wandb_offline import wandb_runs

    return next(r.file.parent for r in wandb_runs(wandb_dir) if r.name == name)


@pytest.mark.slow
def test_sweep_over_wandb_lists_every_run_once(wandb_dir):
    assert (wandb_dir / "latest-run").is_symlink()     # a link to one run: not a second row
    result = check(wandb_dir)
    rows = [r for r in result.output.splitlines() if r.strip() and " runs under " not in r]
    assert result.exit_code == 1, result.output
    verdicts = {r.split()[0]: r.split()[2] for r in rows}
    assert {k: v for k, v in verdicts.items()} == {
        "overfit": "OVERFITTING", "explode": "DIVERGENCE", "nan": "NON_FINITE"}
    assert "3 runs under" in result.output


@pytest.mark.slow
@pytest.mark.parametrize("name", list(RUNS))
def test_run_file_folder_and_csv_agree(wandb_dir, name):
    folder = _run_folder(wandb_dir, name)
    file = next(folder.glob("run-*.wandb"))
    from_file, from_folder = diagnose(file), diagnose(folder)
    from_csv = diagnose(FIXTURES / f"{RUNS[name]}.csv")
    assert from_file.verdict == from_folder.verdict == from_csv.verdict == RUNS[name]
    assert [(d.name, d.start_step, d.message) for d in from_file.diagnoses] == \
        [(d.name, d.start_step, d.message) for d in from_csv.diagnoses]
    assert from_file.format == "wandb-offline"


@pytest.mark.slow
def test_values_read_back_exactly_as_logged(wandb_dir):
    import pandas as pd

    frame = read_log(_run_folder(wandb_dir, "nan"))
    csv = pd.read_csv(FIXTURES / "non_finite.csv")
    test = frame[frame["split"] == "test"].sort_values("step")
    assert test["step"].tolist() == csv["epoch"].astype(float).tolist()
    assert all((math.isnan(a) and math.isnan(b)) or a == b
               for a, b in zip(test["value"], csv["val_loss"], strict=True))
    assert set(frame["split"]) == {"train", "test", "lr"}
    assert frame["wall_time"].notna().all()              # W&B's _timestamp


@pytest.mark.slow
def test_decoder_agrees_with_wandbs_own_protobuf_schema(wandb_dir):
    from wandb.proto import wandb_internal_pb2

    data = next(_run_folder(wandb_dir, "overfit").glob("run-*.wandb")).read_bytes()
    ours, theirs = [], []
    for payload in frame_records(data).records:
        rec = wandb_internal_pb2.Record()
        rec.ParseFromString(payload)
        if rec.WhichOneof("record_type") == "history":
            theirs.append({(i.key or ".".join(i.nested_key)): float(i.value_json)
                           for i in rec.history.item})
    found, lost = records(data)
    ours = [history_row(p).values for num, p in found if num == 2]
    assert lost == [] and ours == theirs and len(ours) == 101    # 100 epochs, the summary


@pytest.mark.slow
def test_run_selection_and_diagnose_many(wandb_dir):
    result = check(wandb_dir, "--run", "explode")
    assert "DIVERGENCE (error, confidence " in result.output.splitlines()[0]
    assert check(wandb_dir, "--run", "nope").exit_code == 2
    table = diagnose_many(wandb_dir)
    assert sorted(table["verdict"]) == ["divergence", "non_finite", "overfitting"]
    report = diagnose(wandb_dir)                         # one report, a run per W&B run
    assert sorted(r.verdict for r in report.runs) == ["divergence", "non_finite", "overfitting"]


@pytest.mark.slow
def _inside_a_record(data: bytes, after: int) -> int:
    """A byte offset in the middle of the payload of the first record past ``after``: a cut
    there is torn, wherever this run's records happen to end (a cut at a fixed share of
    the file can fall on a record's end)."""
    pos = HEADER
    while pos + _HEAD.size <= len(data):
        left = BLOCK - pos % BLOCK
        if left < _HEAD.size:
            pos += left
            continue
        _, length, kind = _HEAD.unpack_from(data, pos)
        if kind == 0 and length == 0:
            pos += left
            continue
        if pos > after and length >= 4:
            return pos + _HEAD.size + length // 2
        pos += _HEAD.size + length
    raise AssertionError("no record past the offset")


def test_a_file_cut_while_writing_keeps_what_was_written(wandb_dir, tmp_path):
    file = next(_run_folder(wandb_dir, "overfit").glob("run-*.wandb"))
    data = file.read_bytes()
    cut = tmp_path / "run-cut.wandb"
    cut.write_bytes(data[: _inside_a_record(data, len(data) * 2 // 3)])
    log = read_log(cut)
    assert 20 < (log["split"] == "train").sum() < 100
    assert any("stopped at a record cut short" in n for n in log.attrs["notes"])


def test_not_a_wandb_file_is_one_line_exit_2(tmp_path):
    bad = tmp_path / "run-x.wandb"
    bad.write_bytes(b":W&B\xe1\xbe\x00" + b"\x00" * 5)
    with pytest.raises(LogReadError, match="no numeric history"):
        diagnose(bad)
    folder = tmp_path / "wandb" / "offline-run-1-x"
    folder.mkdir(parents=True)
    shutil.copy(bad, folder / "run-x.wandb")
    result = check(tmp_path / "wandb")
    assert result.exit_code == 2 and "no numeric history" in result.output


@pytest.mark.slow
def test_a_project_folder_sweep_lists_wandb_runs_not_its_debug_logs(wandb_dir, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(wandb_dir, project / "wandb", symlinks=True)
    shutil.copy(FIXTURES / "plateau.csv", project / "metrics.csv")
    result = check(project)
    rows = [r.split()[0] for r in result.output.splitlines() if r.startswith(("wandb", "met"))]
    assert sorted(rows) == ["metrics.csv", "wandb/explode", "wandb/nan", "wandb/overfit"]
    assert "debug" not in result.output and "4 runs under" in result.output


@pytest.mark.slow
def test_a_damaged_block_costs_that_block_only(wandb_dir, tmp_path):
    from lossdoctor.parsers.wandb_records import BLOCK

    file = next(_run_folder(wandb_dir, "overfit").glob("run-*.wandb"))
    data = bytearray(file.read_bytes())
    assert len(data) > BLOCK + 1000, len(data)      # a second block to read after the damage
    data[BLOCK // 2] ^= 0xFF                         # one flipped byte in the first block
    bad = tmp_path / "run-bad.wandb"
    bad.write_bytes(bytes(data))
    log = read_log(bad)
    whole = read_log(file)
    train, all_train = log[log["split"] == "train"], whole[whole["split"] == "train"]
    assert 0 < len(train) < len(all_train)
    assert train["step"].max() == all_train["step"].max()     # the rows after it are kept
    assert any("1 damaged block(s) of 32 KiB skipped (block 0)" in n
               for n in log.attrs["notes"])


@pytest.mark.slow
def test_watch_reads_a_run_file_whole(wandb_dir):
    from lossdoctor.watch import watch

    file = next(_run_folder(wandb_dir, "explode").glob("run-*.wandb"))
    seen = []
    code = watch(str(file), interval=0, idle=0, on_change=seen.append, sleep=lambda s: None)
    assert code == 0 and seen[0].verdict == "divergence"
    assert seen[0].report.source == str(file)
    whole = diagnose(file)
    assert [d.message for d in seen[0].report.diagnoses] == [d.message for d in whole.diagnoses]


@pytest.mark.slow
def test_a_summary_logged_once_beside_the_loss_curve_is_left_out(wandb_dir):
    # the HF Trainer's W&B callback logs train/train_loss once, at the end, beside
    # train/loss every few steps: the two had been refused as ambiguous train losses
    frame = read_log(_run_folder(wandb_dir, "overfit"))
    assert (frame["split"] == "train").sum() == 100
    result = check(_run_folder(wandb_dir, "overfit"))
    assert result.exit_code in (0, 1), result.output
    assert "train/train_loss left out: 1 value(s) at most" in result.output
