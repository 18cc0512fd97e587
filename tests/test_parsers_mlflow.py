"""MLflow file store: run folders, experiment folders, single metric files."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from helpers import CORPUS, REAL, ROOT, curves

from lossdoctor.errors import ColumnError, LogReadError
from lossdoctor.parsers import PARSERS, ReadOptions, load
from lossdoctor.parsers.mlflow import metric_name
from lossdoctor.parsers.registry import detect
from lossdoctor.parsers.source import Source

MLRUNS = ROOT / "fixtures" / "formats" / "mlflow" / "mlruns"
RUN = MLRUNS / "1" / "0a1b2c3d"


def write_metric(run: Path, name: str, lines: list[str]) -> Path:
    path = run / "metrics" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for line in lines))
    return path


def nan_equal(a, b):
    return np.array_equal(np.array(a, dtype=float), np.array(b, dtype=float), equal_nan=True)


# ---------------------------------------------------------------- golden frame

def test_run_folder_golden_frame():
    log = load(RUN)
    assert log.format == "mlflow"
    frame = log.frame
    assert frame["split"].tolist() == ["train"] * 4 + ["test"] * 4 + ["lr"] * 4
    assert frame["step"].tolist() == [0.0, 1.0, 2.0, 3.0] * 3
    assert nan_equal(frame["value"], [1.5, 1.0, np.nan, 0.5, 1.6, 1.2, math.inf, 1.1,
                                      0.01, 0.01, 0.005, 0.005])
    assert frame["wall_time"].tolist()[:2] == [1700000000.0, 1700000001.0]
    assert frame["metric"].unique().tolist() == ["train/loss", "val/loss", "learning rate"]
    assert frame["run"].unique().tolist() == [""]


@pytest.mark.parametrize("path,note", [
    (MLRUNS, "run 1/0a1b2c3d (demo-run)"),
    (MLRUNS / "1", "run 0a1b2c3d (demo-run)"),
    (RUN / "metrics", None),
], ids=["mlruns-root", "experiment", "metrics-folder"])
def test_folders_around_the_run(path, note):
    log = load(path)
    assert log.format == "mlflow"
    assert log.frame.equals(load(RUN).frame)
    assert (log.notes[:1] == [note]) if note else not log.notes


def test_folders_are_detected():
    for path in (RUN, MLRUNS / "1", MLRUNS):
        assert detect(Source(path)).name == "mlflow"


def test_single_nested_metric_file_is_named_from_its_folders():
    got, log = curves(RUN / "metrics" / "val" / "loss")
    assert got == {"test": ([0.0, 1.0, 2.0, 3.0], [1.6, 1.2, math.inf, 1.1])}
    assert log.notes == ["one metric file: 'val/loss' read as the test loss"]
    assert metric_name(RUN / "metrics" / "train" / "loss") == "train/loss"


def test_explicit_columns():
    got, _ = curves(RUN, train_col="val/loss", test_col="train/loss")
    assert got["train"][1][0] == 1.6 and got["test"][1][0] == 1.5
    with pytest.raises(ColumnError, match="did you mean 'val/loss'"):
        load(RUN, options=ReadOptions(train_col="val/los"))


# ---------------------------------------------------------------- odd runs

def test_spaces_in_metric_names(tmp_path):
    write_metric(tmp_path, "train loss", ["1643816703036 2.8 0", "1643816704118 1.1 1"])
    write_metric(tmp_path, "valid loss", ["1643816703644 2.3 0", "1643816704641 1.9 1"])
    got, _ = curves(tmp_path)
    assert got == {"train": ([0.0, 1.0], [2.8, 1.1]), "test": ([0.0, 1.0], [2.3, 1.9])}


def test_components_are_summed_where_steps_meet(tmp_path):
    write_metric(tmp_path, "train_loss_box", ["1700000000000 1.0 0", "1700000001000 0.5 1",
                                              "1700000002000 0.25 2"])
    write_metric(tmp_path, "train_loss_cls", ["1700000001000 2.0 1", "1700000002000 1.0 2"])
    got, log = curves(tmp_path)
    assert got == {"train": ([1.0, 2.0], [2.5, 1.25])}
    assert any("sum of 2 components" in n for n in log.notes)


def test_truncated_last_line_and_repeats(tmp_path):
    path = write_metric(tmp_path, "loss", ["1700000000000 1.0 0", "1700000001000 0.5 1",
                                           "1700000000000 1.0 0"])
    with open(path, "a") as fh:
        fh.write("17000000020")     # the writer died here: no value, no newline
    got, log = curves(path)
    assert got == {"train": ([0.0, 1.0], [1.0, 0.5])}
    assert "loss: last line is truncated; skipped" in log.notes
    assert "loss: 1 repeated line(s) (same time, value and step) dropped" in log.notes


def test_all_steps_zero_keeps_row_order(tmp_path):
    path = write_metric(tmp_path, "val_loss", [f"17000000{i}0000 {v} 0"
                                               for i, v in enumerate([0.5, 0.4, 0.45, 0.6])])
    got, log = curves(path)
    assert got == {"test": ([0.0, 1.0, 2.0, 3.0], [0.5, 0.4, 0.45, 0.6])}
    assert any("every step is 0" in n for n in log.notes)


def test_old_store_without_steps(tmp_path):
    path = write_metric(tmp_path, "loss", ["1500000000000 2.0", "1500000001000 1.0"])
    got, _ = curves(path, "mlflow")
    assert got == {"train": ([0.0, 1.0], [2.0, 1.0])}


def test_nan_and_inf_are_values(tmp_path):
    path = write_metric(tmp_path, "loss", ["1700000000000 1.0 0", "1700000001000 nan 1",
                                           "1700000002000 -inf 2", "1700000003000 Infinity 3"])
    got, _ = curves(path)
    assert nan_equal(got["train"][1], [1.0, np.nan, -math.inf, math.inf])


# ---------------------------------------------------------------- errors

def test_several_runs_are_listed(tmp_path):
    for run in ("aaa", "bbb"):
        write_metric(tmp_path / run, "loss", ["1700000000000 1.0 0"])
    (tmp_path / "bbb" / "tags").mkdir()
    (tmp_path / "bbb" / "tags" / "mlflow.runName").write_text("second")
    with pytest.raises(LogReadError, match=r"2 MLflow runs here: aaa, bbb \(second\) "
                                           r"\(pass one run folder\)"):
        load(tmp_path)


def test_run_without_metrics(tmp_path):
    (tmp_path / "metrics").mkdir()
    with pytest.raises(LogReadError, match="the MLflow run has no metrics"):
        load(tmp_path)


def test_folder_that_is_not_a_run(tmp_path):
    (tmp_path / "x").mkdir()
    with pytest.raises(LogReadError, match="no MLflow run here"):
        load(tmp_path, "mlflow")


def test_run_without_loss_metrics(tmp_path):
    write_metric(tmp_path, "val_accuracy", ["1700000000000 0.5 0"])
    with pytest.raises(ColumnError, match="no loss column found"):
        load(tmp_path)


def test_text_forced_as_mlflow(tmp_path):
    path = tmp_path / "log.txt"
    path.write_text("epoch 1 loss 0.5\n")
    with pytest.raises(LogReadError, match="no 'timestamp value step' lines"):
        load(path, "mlflow")


def test_learning_rate_file_alone_is_refused(tmp_path):
    path = write_metric(tmp_path, "lr", ["1700000000000 0.1 0"])
    with pytest.raises(LogReadError, match="is a learning rate, not a loss"):
        load(path)


def test_sniff_metric_file_versus_csv(tmp_path):
    csv = tmp_path / "a.csv"
    csv.write_text("epoch,loss\n0,1.0\n")
    plain = tmp_path / "loss"
    plain.write_text("1700000000000 1.0 0\n1700000001000 0.9 1\n")
    sniff = PARSERS["mlflow"].sniff
    assert sniff(Source(csv)) == 0.0
    assert sniff(Source(plain)) == 0.85
    assert sniff(Source(RUN / "metrics" / "val" / "loss")) == 0.95
    assert detect(Source(plain)).name == "mlflow"


# ---------------------------------------------------------------- real logs and corpus

def need(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"{path} is not here")


REAL_MLFLOW = sorted(p.name for p in (REAL / "mlflow").iterdir()) \
    if (REAL / "mlflow").is_dir() else ["none"]


@pytest.mark.parametrize("name", REAL_MLFLOW)
def test_real_metric_files(name):
    need(REAL / "mlflow" / name)
    log = load(REAL / "mlflow" / name)
    assert log.format == "mlflow"
    want = "test" if any(t in name for t in ("val", "valid")) else "train"
    assert log.splits() == [want]
    steps = log.frame["step"].to_numpy()
    assert len(steps) >= 2 and np.all(np.diff(steps) > 0)


def test_real_duplicate_rows_are_dropped():
    path = REAL / "mlflow" / "tf-mlflow-proto__metrics_loss"
    need(path)
    got, _ = curves(path)
    assert got["train"][0] == [0.0, 1.0, 2.0, 3.0, 4.0]


CASES = "r0007 r0023 r0035 r0052 r0054 r0057 r0062 r0070".split()


@pytest.mark.parametrize("case", CASES)
def test_corpus_cases(case):
    need(CORPUS / case)
    labels = json.loads((CORPUS / case / "labels.json").read_text())
    log = load(CORPUS / case / labels["args"][0])
    assert log.format == "mlflow"
    assert log.splits() == ["train", "test"]
    losses = log.frame[log.frame["split"] != "lr"]
    assert [losses["step"].min(), losses["step"].max()] == labels["steps"]


def test_a_dvclive_folder_is_read_by_its_headers(tmp_path):
    # DVCLive's plots/metrics/<name>.tsv: 'step<TAB>loss' (or 'timestamp step loss'); a test
    # loss written once at the end (test_1_loss) is no curve beside the eval loss
    metrics = tmp_path / "dvclive" / "plots" / "metrics"
    (metrics / "train").mkdir(parents=True)
    (metrics / "eval").mkdir()
    (metrics / "train" / "loss.tsv").write_text(
        "step\tloss\n" + "".join(f"{s}\t{1 / (1 + s)}\n" for s in range(2, 32)))
    (metrics / "eval" / "loss.tsv").write_text("timestamp\tstep\tloss\n" + "".join(
        f"{1700000000000 + s}\t{s}\t{1.1 / (1 + s)}\n" for s in range(2, 32)))
    (metrics / "test_1_loss.tsv").write_text("step\ttest_1_loss\n32\t1.04\n")
    log = load(tmp_path / "dvclive" / "plots")
    train, test = log.curve("", "train"), log.curve("", "test")
    assert list(train[0]) == list(range(2, 32)) and train[1][0] == pytest.approx(1 / 3)
    assert list(test[0]) == list(range(2, 32)) and test[1][-1] == pytest.approx(1.1 / 32)
    assert not any("unreadable" in n for n in log.notes)


def test_loss_abbreviated_ls_after_a_split_word(tmp_path):
    """``tr_ls`` / ``val_ls`` with their components (``tr_ls_box_reg``) beside score metrics:
    'ls' after a split's word is the loss; a bare ``ls`` beside them names nothing."""
    run = tmp_path / "run"
    for name, values in (("tr_ls", [0.71, 0.59, 0.55, 0.40, 0.30]),
                         ("tr_ls_box_reg", [0.24, 0.21, 0.19, 0.15, 0.11]),
                         ("val_ls", [0.69, 0.70, 0.85, 1.1, 1.4]),
                         ("val_ls_box_reg", [0.2, 0.2, 0.3, 0.4, 0.5]),
                         ("score_avg", [0.1, 0.2, 0.3, 0.3, 0.3]), ("ls", [1, 2, 3, 4, 5])):
        write_metric(run, name, [f"{1700000000 + i} {v} {i}" for i, v in enumerate(values)])
    log = load(run)
    metrics = log.frame.groupby("split", observed=True)["metric"].first().to_dict()
    assert metrics == {"train": "tr_ls", "test": "val_ls"}


@pytest.mark.parametrize("layout", ["dvclive", "mlflow"])
def test_a_summary_logged_once_beside_the_loss_curve_is_left_out(tmp_path, layout):
    # the HF Trainer's MLflow and DVCLive callbacks close a run with train_loss, the run's
    # mean, once, beside loss every few steps: the two had been refused as ambiguous
    if layout == "dvclive":
        root = tmp_path / "live" / "plots"
        metrics = root / "metrics"
        metrics.mkdir(parents=True)
        (metrics / "loss.tsv").write_text(
            "step\tloss\n" + "".join(f"{s}\t{2 / (1 + s)}\n" for s in range(40)))
        (metrics / "eval_loss.tsv").write_text(
            "step\teval_loss\n" + "".join(f"{s}\t{2.2 / (1 + s)}\n" for s in range(3, 40, 4)))
        (metrics / "train_loss.tsv").write_text("step\ttrain_loss\n41\t0.31")   # no newline
    else:
        root = tmp_path / "run"
        metrics = root / "metrics"
        metrics.mkdir(parents=True)
        (metrics / "loss").write_text(
            "".join(f"1700000000{s:03d} {2 / (1 + s)} {s}\n" for s in range(40)))
        (metrics / "eval_loss").write_text(
            "".join(f"1700000000{s:03d} {2.2 / (1 + s)} {s}\n" for s in range(3, 40, 4)))
        (metrics / "train_loss").write_text("1700000000041 0.31 41\n")
    log = load(root)
    train = log.curve("", "train")
    assert len(train[0]) == 40 and train[1][0] == pytest.approx(2.0)
    assert len(log.curve("", "test")[0]) == 10
    assert "train_loss left out: 1 value(s) at most, a summary beside the curve loss" \
        in log.notes
