"""Sweeps: finding every run under a folder, `check DIR` (--jobs), and diagnose_many."""
from __future__ import annotations

import json
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import tfevents_writer as tw
from click.testing import CliRunner
from helpers import FORMATS, ROOT

from lossdoctor import cli, diagnose, diagnose_many
from lossdoctor.formatters import render
from lossdoctor.parsers.discover import discover

sys.path.insert(0, str(ROOT / "fixtures"))
import generate  # noqa: E402  (the fixtures' own curve generator)

KINDS = list(generate.CASES)          # learning, overfitting, ... non_finite
PER_KIND = 6                          # 7 kinds x 6 = 42 CSV runs, plus the folders below


def _tb_run(folder: Path, diverge: bool = False) -> None:
    """A Keras-style TensorBoard run: train/ and validation/ subfolders of event files."""
    loss = [(s, 2.0 / (1 + s) + (0.5 * 2 ** (s - 20) if diverge and s > 20 else 0.1))
            for s in range(40)]
    tw.scalar_run(folder / "train" / "events.out.tfevents.1.host", {"epoch_loss": loss})
    tw.scalar_run(folder / "validation" / "events.out.tfevents.2.host",
                  {"epoch_loss": [(s, v + 0.05) for s, v in loss]})


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("sweep")
    for i in range(PER_KIND * len(KINDS)):
        kind = KINDS[i % len(KINDS)]
        out = root / f"lr_{i % 3}"
        out.mkdir(exist_ok=True)
        generate.write(kind, out, seed=i).rename(out / f"run{i:02d}_{kind}.csv")
    _tb_run(root / "tb" / "good")
    _tb_run(root / "tb" / "bad", diverge=True)
    shutil.copytree(FORMATS / "mlflow" / "mlruns", root / "mlruns")
    shutil.copytree(FORMATS / "hf-trainer-state" / "output", root / "hf" / "output")
    shutil.copytree(FORMATS / "tensorboard" / "csv-pair", root / "exports")
    shutil.copytree(FORMATS / "lightning-csv" / "lightning_logs", root / "lightning_logs")
    # not logs: skipped without a word
    (root / "README.md").write_text("# my sweep\n")
    (root / "lr_0" / "config.json").write_text('{\n  "lr": 0.1\n}\n')
    (root / "lr_0" / "hparams.yaml").write_text("lr: 0.1\n")
    (root / "lr_1" / "curve.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    (root / "lr_1" / "model.pt").write_bytes(bytes(200))
    (root / "lr_2" / "notes.txt").write_text("tried a higher lr, see slack\n")
    return root


@pytest.fixture(scope="module")
def broken_dir(sweep_dir, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("broken")
    shutil.copytree(sweep_dir / "lr_0", root / "lr_0")
    (root / "empty.csv").write_text("")
    (root / "garbage.csv").write_bytes(b"\x00\x01\xfe" * 50)
    return root


def check(*args):
    return CliRunner().invoke(cli.main, ["check", *map(str, args)])


def test_discover_finds_each_run_once_and_skips_what_is_not_a_log(sweep_dir):
    runs = {u.run: u for u in discover(sweep_dir)}
    csvs = [r for r in runs if r.startswith("lr_") and r.endswith(".csv")]
    assert len(csvs) == PER_KIND * len(KINDS)
    assert runs["tb/good"].input_format == "tfevents"      # train/ + validation/: one run
    assert runs["mlruns/1/0a1b2c3d"].input_format == "mlflow"
    assert runs["hf/output"].input_format == "hf-trainer-state"
    assert runs["exports"].input_format == "tensorboard-csv"
    assert runs["lightning_logs/version_1"].path.endswith("metrics.csv")
    assert not [r for r in runs if r.endswith((".md", ".json", ".yaml", ".png", ".pt"))]
    assert "lr_2/notes.txt" in runs and runs["lr_2/notes.txt"].optional


def test_a_run_folder_given_alone_is_one_run_as_before(sweep_dir):
    for folder in (FORMATS / "mlflow" / "mlruns" / "1" / "0a1b2c3d",
                   FORMATS / "hf-trainer-state" / "output", FORMATS / "tensorboard" / "csv-pair",
                   sweep_dir / "tb" / "bad"):
        units = discover(folder)
        assert [u.run for u in units] == [""]
        report = diagnose(folder)
        result = check(folder)
        assert result.stdout == render(report, "text") + "\n"
        assert not report.sweep and result.exit_code == report.exit_code()


def test_check_dir_prints_a_row_per_run_and_counts(sweep_dir):
    result = check(sweep_dir, "--no-color")
    assert result.exit_code == 1, result.stderr      # findings; version_0 is only too short
    rows = {line.split()[0]: line.split()[1] for line in result.stdout.splitlines()
            if line and not line[0].isdigit()}
    for i in range(PER_KIND * len(KINDS)):
        kind = KINDS[i % len(KINDS)]
        assert rows[f"lr_{i % 3}/run{i:02d}_{kind}.csv"] == kind.upper()
    assert rows["tb/good"] == "LEARNING"
    assert rows["tb/bad"] == "DIVERGENCE"
    assert rows["mlruns/1/0a1b2c3d"] == "NON_FINITE"
    assert rows["lightning_logs/version_0"] == "NOT_ENOUGH_EVIDENCE"
    assert "lr_2/notes.txt" not in rows         # a text file no parser is sure of: skipped
    last = result.stdout.rstrip().splitlines()[-1]
    assert last.startswith(f"{len(rows)} runs under {sweep_dir}: ")
    assert f"{PER_KIND + 1} divergence" in last and "1 not_enough_evidence" in last
    assert "unreadable" not in last and "Traceback" not in result.stderr


def test_divergence_row_shows_onset_and_values(sweep_dir):
    line = next(ln for ln in check(sweep_dir).stdout.splitlines() if ln.startswith("tb/bad "))
    assert "DIVERGENCE" in line and "error" in line and "from step " in line


@pytest.mark.slow
def test_jobs_give_the_same_report_as_one_process(sweep_dir):
    one = check(sweep_dir, "--format", "json")
    two = check(sweep_dir, "--format", "json", "--jobs", "2")
    assert one.exit_code == two.exit_code == 1
    assert json.loads(one.stdout) == json.loads(two.stdout)


def test_json_of_a_sweep_has_every_run_counts_and_failures(sweep_dir):
    data = json.loads(check(sweep_dir, "--format", "json").stdout)
    runs = {r["run"]: r for r in data["runs"]}
    assert runs["tb/bad"]["verdict"] == "divergence"
    assert runs["tb/bad"]["diagnoses"][0]["start_step"] is not None
    assert data["failures"] == []
    assert runs["lightning_logs/version_0"]["verdict"] == "not_enough_evidence"
    assert sum(data["counts"].values()) == len(runs)
    assert data["verdict"] in ("divergence", "non_finite")


def test_exit_codes_of_a_sweep(sweep_dir, broken_dir):
    ok = sweep_dir / "lr_0"                 # warnings and errors, every log readable
    assert check(ok).exit_code == 1
    assert check(ok, "--fail-on", "overfitting").exit_code == 1
    assert check(ok, "--select", "learning").exit_code == 0
    assert check(ok, "--exit-zero").exit_code == 0
    broken = check(broken_dir)
    assert broken.exit_code == 2            # an unreadable log wins, even with --exit-zero
    assert check(broken_dir, "--exit-zero").exit_code == 2
    assert "empty.csv" in broken.stderr and "garbage.csv" in broken.stderr
    rows = [ln for ln in broken.stdout.splitlines() if ln.startswith("lr_0/")]
    assert len(rows) == len(list((broken_dir / "lr_0").glob("*.csv")))


def test_a_folder_of_broken_logs_lists_each_and_exits_2(tmp_path):
    (tmp_path / "a.csv").write_text("")
    (tmp_path / "b.csv").write_text("step,loss\n1,0.5\n2,oops\n3,")
    (tmp_path / "c.csv").write_text("step,accuracy\n1,0.5\n2,0.6\n")   # not a loss log
    result = check(tmp_path, "--no-color")
    assert result.exit_code == 2
    assert [ln.split()[:2] for ln in result.stdout.splitlines()[:2]] == [
        ["a.csv", "UNREADABLE"], ["b.csv", "UNREADABLE"]]
    assert result.stdout.splitlines()[-2] == f"2 runs under {tmp_path}: 2 unreadable"
    assert result.stdout.splitlines()[-1] == (
        "note: skipped 1 file(s) with no loss column: c.csv")
    assert "known: " not in result.stdout       # a row is not a help page
    data = json.loads(check(tmp_path, "--format", "json").stdout)
    assert data["verdict"] is None and data["runs"] == [] and len(data["failures"]) == 2


def test_tables_and_json_without_a_loss_are_skipped_not_failed(sweep_dir, tmp_path):
    # a sweep folder also holds metadata: labels.json, a results table; they are not logs
    shutil.copytree(sweep_dir / "lr_0", tmp_path / "lr_0")
    (tmp_path / "labels.json").write_text(json.dumps(
        {"args": ["log.csv"], "primary": "overfitting", "accept": [], "onset_step": 120,
         "steps": [0, 5000], "fault": "no regularization", "format": "generic-csv"}))
    (tmp_path / "INDEX.tsv").write_text("case\tformat\nr1\tcsv\n")
    result = check(tmp_path, "--no-color", "--exit-zero")
    assert result.exit_code == 0 and "UNREADABLE" not in result.stdout
    assert "with no loss column: INDEX.tsv" in result.stdout
    only_meta = tmp_path / "meta"
    only_meta.mkdir()
    (only_meta / "INDEX.tsv").write_text("case\tformat\nr1\tcsv\n")
    alone = check(only_meta)
    assert alone.exit_code == 2 and "no training logs found" in alone.stderr
    assert "INDEX.tsv" in alone.stderr


def test_a_folder_without_logs_is_unusable(tmp_path):
    (tmp_path / "README.md").write_text("nothing here\n")
    result = check(tmp_path)
    assert result.exit_code == 2
    assert "no training logs found" in result.stderr


def test_diagnose_many_table(sweep_dir, broken_dir):
    table = diagnose_many(sweep_dir / "lr_1")
    assert list(table.columns) == ["run", "path", "format", "verdict", "severity",
                                   "start_step", "message", "best_test_loss",
                                   "best_test_step", "error"]
    assert table["error"].isna().all()
    for row in table.itertuples():
        assert row.run.split("_", 1)[1] == f"{row.verdict}.csv"
    listed = diagnose_many([broken_dir / "empty.csv", FORMATS / "keras-csvlogger",
                            "no/such/log.csv"])
    assert listed["error"].notna().tolist() == [True, False, True]
    assert listed["verdict"].tolist()[1] == "learning"   # 4 points, each lower: 1 in 24
    assert "no such file" in listed["error"].tolist()[2]


def test_diagnose_many_with_an_executor_matches_serial(sweep_dir):
    serial = diagnose_many(sweep_dir / "lr_2")
    with ThreadPoolExecutor(2) as pool:
        threaded = diagnose_many(sweep_dir / "lr_2", executor=pool)
    assert threaded.equals(serial)


@pytest.mark.slow
def test_diagnose_many_on_a_dask_cluster(sweep_dir):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        table = diagnose_many([sweep_dir / "tb", sweep_dir / "lr_0" / "nope.csv"],
                              executor=client.get_executor())
    verdicts = dict(zip(table["run"], table["verdict"], strict=True))
    assert verdicts[f"{sweep_dir / 'tb'}/bad"] == "divergence"
    assert verdicts[f"{sweep_dir / 'tb'}/good"] == "learning"
    assert table["error"].notna().sum() == 1
