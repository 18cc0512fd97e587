"""JSON-family parsers: HF trainer_state, JSON lines, Chainer LogReport, Keras history, records."""
from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np
import pytest
from helpers import CORPUS, FORMATS, REAL, SHARED, curves, same

from lossdoctor.errors import ColumnError, LogReadError
from lossdoctor.parsers import PARSERS, ReadOptions, load
from lossdoctor.parsers.registry import detect
from lossdoctor.parsers.source import Source

FIX = FORMATS
INF = math.inf




def assert_curves(got, want):
    assert set(got) == set(want)
    for split, (steps, values) in want.items():
        assert got[split][0] == steps, split
        assert same(got[split][1], values), (split, got[split][1])


# ---------------------------------------------------------------- golden frames

CATBOOST = {
    "train": (list(map(float, range(12))), [0.59, 0.51, 0.46, 0.42, 0.40, 0.38, 0.365, 0.353,
                                            0.344, 0.338, 0.332, 0.328]),
    "test": (list(map(float, range(12))), [0.59, 0.52, 0.47, 0.44, 0.425, 0.42, 0.418, 0.419,
                                           0.423, 0.428, 0.434, 0.441])}

GOLDEN = {
    "hf-trainer-state/trainer_state.json": ("hf-trainer-state", {
        "train": ([2.0, 4.0, 6.0], [2.0, 1.5, np.nan]),
        "test": ([2.0, 4.0, 6.0], [1.8, 1.6, INF]),
        "lr": ([2.0, 4.0, 6.0], [0.001, 0.0008, 0.0006])}),
    "hf-trainer-state/output": ("hf-trainer-state", {
        "train": ([2.0, 4.0, 6.0, 8.0, 10.0], [0.5, 0.25, 0.1667, 0.125, 0.1]),
        "test": ([2.0, 4.0, 6.0, 8.0, 10.0], [0.75, 0.375, 0.25, 0.1875, 0.15]),
        "lr": ([2.0, 4.0, 6.0, 8.0, 10.0], [0.01] * 5)}),
    "jsonl/log.txt": ("jsonl", {
        "train": ([0.0, 1.0, 2.0], [1.2, 0.9, np.nan]),
        "test": ([0.0, 1.0, 2.0], [1.3, 1.1, INF]),
        "lr": ([0.0, 1.0, 2.0], [0.001, 0.001, 0.0005])}),
    "jsonl/metrics.json": ("jsonl", {
        "train": ([19.0, 39.0, 59.0], [0.9, 0.7, 0.6]),
        "lr": ([19.0, 39.0, 59.0], [0.0002, 0.0004, 0.0006])}),
    "chainer-logreport/log": ("chainer-logreport", {
        "train": ([100.0, 200.0, 300.0], [2.5, 1.5, 1.0]),
        "test": ([100.0, 300.0], [2.4, 1.4])}),
    "keras-history-json/history.json": ("keras-history-json", {
        "train": ([0.0, 1.0, 2.0], [0.9, 0.6, 0.5]),
        "test": ([0.0, 1.0, 2.0], [0.8, 0.7, np.nan]),
        "lr": ([0.0, 1.0, 2.0], [0.001, 0.001, 0.0005])}),
    "json-records/log.json": ("json-records", {
        "train": ([1.0, 2.0, 3.0], [1.1, 0.9, 0.8]),
        "test": ([1.0, 2.0], [1.2, 1.0]),
        "lr": ([1.0, 2.0, 3.0], [0.001, 0.001, 0.0001])}),
    "json-records/val_loss.json": ("json-records", {
        "test": ([0.0, 10.0, 20.0, 30.0], [4.5, 3.25, np.nan, 2.0])}),
    # the eval set's first metric is AUC (maximised): the loss is the Logloss after it
    "catboost/catboost_info": ("catboost", CATBOOST),
    "catboost/catboost_info/catboost_training.json": ("catboost", CATBOOST),
}


@pytest.mark.parametrize("rel", list(GOLDEN), ids=list(GOLDEN))
def test_golden_frame(rel):
    fmt, want = GOLDEN[rel]
    got, log = curves(FIX / rel)
    assert log.format == fmt
    assert list(log.frame.columns) == ["run", "split", "step", "value", "wall_time", "metric"]
    assert_curves(got, want)


@pytest.mark.parametrize("rel", list(GOLDEN), ids=list(GOLDEN))
def test_detected_from_content(rel):
    assert detect(Source(FIX / rel)).name == GOLDEN[rel][0]


def test_golden_metrics_and_notes():
    _, log = curves(FIX / "jsonl/log.txt")
    assert set(log.frame["metric"]) == {"train_loss", "test_loss", "train_lr"}
    assert log.notes[0] == "last line (4) is truncated or not JSON; skipped"
    _, log = curves(FIX / "hf-trainer-state/output")
    assert log.notes[0] == "read checkpoint-10/trainer_state.json (latest of 2 checkpoint(s))"
    assert log.source.endswith("output")


# ---------------------------------------------------------------- Hugging Face

def write_state(path: Path, history: list[dict], **top) -> Path:
    path.write_text(json.dumps({"global_step": 1, **top, "log_history": history}, indent=2))
    return path


def eval_sets_history(names):
    hist = []
    for step in (10, 20):
        hist.append({"epoch": step / 10, "loss": 1.0 / step, "learning_rate": 0.1, "step": step})
        for i, name in enumerate(names):
            hist.append({"epoch": step / 10, f"eval_{name}_loss": step + i,
                         f"eval_{name}_runtime": 1.0, "step": step})
    hist.append({"step": 20, "train_loss": 0.5, "train_runtime": 9.0, "total_flos": 1.0})
    return hist


def test_hf_several_eval_sets_are_averaged(tmp_path):
    path = write_state(tmp_path / "trainer_state.json", eval_sets_history(["g0", "g1", "g2"]))
    got, log = curves(path)
    assert got["test"] == ([10.0, 20.0], [11.0, 21.0])
    assert got["train"] == ([10.0, 20.0], [0.1, 0.05])
    assert any("mean of 3 eval sets (g0, g1, g2)" in n for n in log.notes)


def test_hf_one_eval_set_chosen_by_option(tmp_path):
    path = write_state(tmp_path / "trainer_state.json", eval_sets_history(["g0", "g1"]))
    got, _ = curves(path, test_col="eval_g1_loss")
    assert got["test"] == ([10.0, 20.0], [11.0, 21.0])


def test_hf_eval_on_train_and_test_prefers_test(tmp_path):
    path = write_state(tmp_path / "trainer_state.json", eval_sets_history(["train", "test"]))
    got, log = curves(path)
    assert got["test"] == ([10.0, 20.0], [11.0, 21.0])
    assert any("eval set 'test'" in n for n in log.notes)


def test_hf_summary_row_is_not_a_point(tmp_path):
    path = write_state(tmp_path / "s.json", [
        {"loss": 2.0, "step": 5}, {"loss": 1.0, "step": 10},
        {"step": 10, "train_loss": 1.5, "train_runtime": 3.0, "total_flos": 9.0}])
    got, _ = curves(path)
    assert got == {"train": ([5.0, 10.0], [2.0, 1.0])}


def test_hf_epoch_going_back_while_the_step_moves_on_starts_another_run(tmp_path):
    """Three records of an earlier run (epoch 0.21-0.63), then the epoch back at 0.04 as the
    step moves on: another run was logged into the same state; the last is diagnosed, all of
    them with segments='all'."""
    old = [{"epoch": 0.21 * i, "loss": 2.12, "step": 500 * i} for i in (1, 2, 3)]
    new = [{"epoch": 0.02 * i, "loss": 2.5 - i / 100, "step": 1000 * i} for i in range(2, 12)]
    path = write_state(tmp_path / "trainer_state.json", old + new)
    got, log = curves(path)
    assert got["train"][0] == [1000.0 * i for i in range(2, 12)]
    assert any("the epoch went back at step 2000" in n for n in log.notes)
    got, _ = curves(path, segments="all")
    assert len(got["train"][0]) == 13


def test_hf_folder_prefers_its_own_state_file(tmp_path):
    write_state(tmp_path / "trainer_state.json", [{"loss": 3.0, "step": 1}])
    (tmp_path / "checkpoint-9").mkdir()
    write_state(tmp_path / "checkpoint-9" / "trainer_state.json", [{"loss": 9.0, "step": 9}])
    got, log = curves(tmp_path)
    assert got == {"train": ([1.0], [3.0])} and log.format == "hf-trainer-state"


def test_hf_empty_history_is_a_clear_error(tmp_path):
    path = write_state(tmp_path / "trainer_state.json", [], global_step=0)
    with pytest.raises(LogReadError, match="log_history has no logged losses"):
        load(path)


def test_hf_folder_without_state(tmp_path):
    (tmp_path / "checkpoint-1").mkdir()
    with pytest.raises(LogReadError, match="no trainer_state.json"):
        load(tmp_path, "hf-trainer-state")


# ---------------------------------------------------------------- broken JSON

def test_truncated_json_array_is_one_line_error(tmp_path):
    text = (FIX / "chainer-logreport/log").read_text()
    path = tmp_path / "log"
    path.write_text(text[:150])
    with pytest.raises(LogReadError, match=r"truncated JSON at line \d+") as err:
        load(path)
    assert "\n" not in str(err.value)


def test_truncated_inside_a_string(tmp_path):
    path = tmp_path / "trainer_state.json"
    path.write_text('{"log_history": [{"loss": 1.0, "st')
    with pytest.raises(LogReadError, match="truncated JSON at line 1"):
        load(path)


def test_invalid_json_says_where(tmp_path):
    path = tmp_path / "history.json"
    path.write_text('{"loss": [1, 2],, "val_loss": [3]}')
    with pytest.raises(LogReadError, match="invalid JSON at line 1, column 17"):
        load(path, "keras-history-json")


def test_jsonl_bad_middle_line_is_skipped_with_note(tmp_path):
    path = tmp_path / "log.txt"
    path.write_text('{"epoch": 0, "train_loss": 1.0}\nnot json\n{"epoch": 1, "train_loss": 0.5}\n'
                    '{"epoch": 2, "train_loss": 0.4}\n')
    got, log = curves(path)
    assert got == {"train": ([0.0, 1.0, 2.0], [1.0, 0.5, 0.4])}
    assert "1 line(s) are not JSON objects and were skipped (first: line 2)" in log.notes


def test_jsonl_of_mostly_text_is_refused(tmp_path):
    path = tmp_path / "log.txt"
    path.write_text('{"loss": 1}\nepoch 1 loss 2\nepoch 2 loss 1\n')
    with pytest.raises(LogReadError, match="not JSON lines"):
        load(path, "jsonl")


def test_jsonl_restart_keeps_row_order_for_steps(tmp_path):
    rows = [{"epoch": e, "train_loss": 1.0 - e / 10} for e in range(4)]
    rows += [{"epoch": e, "train_loss": 0.5 - e / 100} for e in range(5)]
    path = tmp_path / "log.txt"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    got, log = curves(path)
    assert got["train"][0] == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert got["train"][1][0] == 0.5
    assert any("2 segments" in n for n in log.notes)


def test_jsonl_without_step_key_uses_line_index(tmp_path):
    path = tmp_path / "log.txt"
    path.write_text('{"train_loss": 3, "test_loss": 4}\n{"train_loss": 2, "test_loss": 3}\n')
    got, _ = curves(path)
    assert got == {"train": ([0.0, 1.0], [3.0, 2.0]), "test": ([0.0, 1.0], [4.0, 3.0])}


def test_jsonl_step_column_that_no_loss_row_has_is_not_the_axis(tmp_path):
    # an RL log: game records count their own ``steps``, network records hold the loss; the
    # steps column covered half the rows and was taken as the axis, leaving every loss row
    # without a step ("no loss values in the loss column")
    rows = []
    for episode in range(6):
        rows.append({"type": "gameplay", "episode": episode, "reward": 5.0, "steps": 17 + episode})
        rows.append({"type": "network", "episode": episode, "critic_loss": 8.0 / (episode + 1)})
    path = tmp_path / "metrics.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    got, log = curves(path)
    assert got["train"][1] == [8.0 / (e + 1) for e in range(6)]
    assert any("steps is not the x axis: no row with a loss has it" in n for n in log.notes)


def test_nested_records_are_flattened(tmp_path):
    path = tmp_path / "log.json"
    path.write_text(json.dumps([{"epoch": 1, "train": {"loss": 2.0}, "val": {"loss": 3.0}},
                                {"epoch": 2, "train": {"loss": 1.0}, "val": {"loss": 2.5}}]))
    got, log = curves(path)
    assert log.format == "json-records"
    assert got == {"train": ([1.0, 2.0], [2.0, 1.0]), "test": ([1.0, 2.0], [3.0, 2.5])}


def test_keras_history_of_unequal_lists(tmp_path):
    path = tmp_path / "history.json"
    path.write_text('{"loss": [3, 2, 1, 0.5], "val_loss": [4, 3]}')
    got, log = curves(path)
    assert got == {"train": ([0.0, 1.0, 2.0, 3.0], [3.0, 2.0, 1.0, 0.5]),
                   "test": ([0.0, 1.0], [4.0, 3.0])}
    assert any("unequal length" in n for n in log.notes)


def test_components_logged_at_different_rows_say_what_the_sum_leaves_out(tmp_path):
    # two heads trained one after the other, saved in one history (real81's hdfc-lstm:
    # reg_* 30 epochs, cls_* 19): prefixed losses are summed as parts of one loss, which
    # are logged together; unequal parts are summed where both were, and the note says so
    path = tmp_path / "training_history.json"
    path.write_text(json.dumps({"reg_loss": [1.2 - e / 100 for e in range(30)],
                                "cls_loss": [0.73 - e / 1000 for e in range(19)]}))
    got, log = curves(path)
    assert len(got["train"][0]) == 19
    assert ("train loss components logged at different rows (reg_loss 30, cls_loss 19 values):"
            " summed over the 19 rows that hold them all") in log.notes


def test_keras_history_without_numbers(tmp_path):
    path = tmp_path / "history.json"
    path.write_text('{"loss": ["a", "b"]}')
    with pytest.raises(LogReadError, match="hold no numbers"):
        load(path)


def test_records_without_loss_is_a_column_error(tmp_path):
    path = tmp_path / "log.json"
    path.write_text('[{"epoch": 1, "acc": 0.5, "f1": 0.2}, {"epoch": 2, "acc": 0.6, "f1": 0.3}]')
    with pytest.raises(ColumnError, match="no loss column"):
        load(path)


# ---------------------------------------------------------------- sniffing

def sniff(path: Path, name: str) -> float:
    return PARSERS[name].sniff(Source(path))


def test_tensorboard_triples_score_low(tmp_path):
    path = tmp_path / "run.json"
    path.write_text("[[1600000000.5, 0, 0.9], [1600000001.5, 1, 0.8]]")
    assert sniff(path, "json-records") < 0.1
    pairs = tmp_path / "pairs.json"
    pairs.write_text("[[0, 0.9], [1, 0.8]]")
    assert sniff(pairs, "json-records") == 0.7


def test_wandb_history_lines_leave_room(tmp_path):
    path = tmp_path / "wandb-history.jsonl"
    path.write_text('{"_step": 0, "_runtime": 1.0, "loss": 1}\n'
                    '{"_step": 1, "_runtime": 2.0, "loss": 0.9}\n')
    assert sniff(path, "jsonl") <= 0.5


def test_sniffers_leave_csv_and_binary_alone(tmp_path):
    csv = tmp_path / "log.csv"
    csv.write_text("epoch,loss,val_loss\n0,1,2\n")
    binary = tmp_path / "events.bin"
    binary.write_bytes(b"\x00\x01\x02" * 50)
    for name in ("jsonl", "chainer-logreport", "keras-history-json", "json-records",
                 "hf-trainer-state"):
        assert sniff(csv, name) == 0.0
        assert sniff(binary, name) == 0.0


def test_single_line_keras_history_is_not_jsonl():
    assert sniff(FIX / "keras-history-json/history.json", "jsonl") == 0.0


# ---------------------------------------------------------------- real logs and corpus

def manifest() -> dict[str, dict[str, str]]:
    path = REAL / "MANIFEST.tsv"
    if not path.is_file():
        return {}
    lines = path.read_text().splitlines()
    head = lines[0].split("\t")
    return {row.split("\t")[0]: dict(zip(head, row.split("\t"), strict=False))
            for row in lines[1:] if row.strip()}


REAL_FORMATS = {"hf_trainer_state": {"hf-trainer-state"}, "jsonl": {"jsonl"},
                "chainer_logreport": {"chainer-logreport"},
                "generic_json": {"json-records", "keras-history-json"}}
REAL_FILES = [k for k in manifest() if k.split("/")[0] in REAL_FORMATS]


def need_shared():
    if not SHARED.is_dir():
        pytest.skip("../shared is not here")


@pytest.mark.parametrize("rel", REAL_FILES or ["none"])
def test_real_logs_read(rel):
    need_shared()
    if rel == "none":
        pytest.skip("no manifest")
    row = manifest()[rel]
    log = load(REAL / rel)
    assert log.format in REAL_FORMATS[rel.split("/")[0]]
    splits = log.splits()
    assert ("train" in splits) == (row["has_train_loss"] == "y")
    assert ("test" in splits) == (row["has_val_loss"] == "y")
    # steps never go back (steps.py resolves restarts; a repeated step may remain)
    assert np.all(np.diff(log.frame[log.frame["split"] == "train"]["step"]) >= 0)


def test_big_detr_log_is_fast():
    need_shared()
    path = REAL / "jsonl" / "detr-custom-dcmha__detr-r50_log.txt"
    if not path.is_file():
        pytest.skip("log missing")
    start = time.perf_counter()
    got, _ = curves(path)
    assert time.perf_counter() - start < 2.0
    assert len(got["train"][0]) == 500 and len(got["test"][0]) == 500


def test_real_trainer_state_with_six_eval_sets():
    need_shared()
    path = REAL / "hf_trainer_state" / "trainer-state-viz__trainer_state.json"
    if not path.is_file():
        pytest.skip("log missing")
    got, log = curves(path)
    assert len(got["test"][0]) == 31 and got["test"][0][0] == 0.0
    assert any("mean of 6 eval sets" in n for n in log.notes)


CORPUS_CASES = {"hf-trainer-state": "r0009 r0013 r0026 r0031 r0044 r0046 r0053 r0061",
                "jsonl": "r0014 r0016 r0018 r0041 r0042 r0051 r0069 r0071"}


@pytest.mark.parametrize("case,fmt", [(c, f) for f, cs in CORPUS_CASES.items()
                                      for c in cs.split()])
def test_corpus_cases(case, fmt):
    need_shared()
    folder = CORPUS / case
    if not folder.is_dir():
        pytest.skip("case missing")
    labels = json.loads((folder / "labels.json").read_text())
    log = load(folder / labels["args"][0])
    assert log.format == fmt
    assert log.splits() == ["train", "test"]
    losses = log.frame[log.frame["split"] != "lr"]
    assert [losses["step"].min(), losses["step"].max()] == labels["steps"]


def test_a_closing_summary_beside_the_curve_is_no_second_train_loss(tmp_path):
    """An HF Trainer callback's JSON lines: ``loss`` every 10 steps, two evaluations, and at
    the end the run's mean as ``train_loss``: one value, a summary, not a second train loss
    to choose between (it was refused as 'several train loss columns'). Two spellings that
    both hold curves are still the user's to choose."""
    rows = [{"step": s, "epoch": s / 400, "loss": 2 / (1 + s / 100), "grad_norm": 0.5}
            for s in range(10, 790, 10)]
    rows.insert(39, {"step": 389, "epoch": 1.0, "eval_loss": 1.13})
    rows += [{"step": 778, "epoch": 2.0, "eval_loss": 1.11},
             {"step": 778, "epoch": 2.0, "train_runtime": 6406.1, "train_loss": 1.17}]
    path = tmp_path / "metrics.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    got, log = curves(path)
    assert len(got["train"][0]) == 78 and got["train"][1][0] == pytest.approx(2 / 1.1)
    assert got["test"][1] == [1.13, 1.11]
    assert any("train_loss left out: 1 value(s) at most, a summary beside the curve loss" in n
               for n in log.notes)
    both = [{"step": s, "loss": 1 / s, "train_loss": 1.1 / s} for s in range(1, 10)]
    path.write_text("".join(json.dumps(r) + "\n" for r in both))
    with pytest.raises(ColumnError, match="several train loss columns"):
        curves(path)


def test_sacred_metrics_are_read_at_their_own_steps(tmp_path):
    # Sacred's metrics.json: each metric's steps and timestamps are no values of it (they
    # were summed into the loss once, a false divergence of a loss at -0.68)
    loss = [0.37, -0.2, -0.5, -0.6, -0.65, -0.68]
    data = {"training.loss": {"steps": [1, 2, 3, 4, 5, 6], "values": loss,
                              "timestamps": [f"2023-01-01T00:00:0{i}" for i in range(6)]},
            "validation.loss": {"steps": [2, 4, 6], "values": [0.1, -0.3, -0.5],
                                "timestamps": ["t"] * 3}}
    path = tmp_path / "metrics.json"
    path.write_text(json.dumps(data, indent=2))
    got, _ = curves(path)
    assert got["train"] == ([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], pytest.approx(loss))
    assert got["test"] == ([2.0, 4.0, 6.0], pytest.approx([0.1, -0.3, -0.5]))


def test_ludwig_training_statistics_read_the_combined_loss(tmp_path):
    # Ludwig's training_statistics.json: split -> output feature -> metric -> per-epoch list;
    # the combined loss is the whole objective (not summed with the feature's own), and the
    # validation loss is the curve watched beside the held-out test set's
    def split(loss):
        return {"combined": {"loss": loss}, "label": {"loss": loss, "accuracy": [0.5] * 6}}
    data = {"training": split([2.0, 1.5, 1.1, 0.8, 0.6, 0.5]),
            "validation": split([2.1, 1.7, 1.4, 1.3, 1.3, 1.35]),
            "test": split([2.2, 1.8, 1.5, 1.4, 1.4, 1.45])}
    path = tmp_path / "training_statistics.json"
    path.write_text(json.dumps(data))
    got, log = curves(path)
    assert got["train"][1] == pytest.approx([2.0, 1.5, 1.1, 0.8, 0.6, 0.5])
    assert got["test"][1] == pytest.approx([2.1, 1.7, 1.4, 1.3, 1.3, 1.35])
    assert any("validation-combined-loss" in n for n in log.notes), log.notes


def _notebook(cells: list[dict], v3: bool = False) -> str:
    if v3:
        return json.dumps({"worksheets": [{"cells": cells}], "metadata": {}, "nbformat": 3},
                          indent=1)
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5},
                      indent=1)


def _fit_cell(epochs: int, text_key: str = "text") -> dict:
    """A Keras fit cell's stdout, as a notebook saves it (a list of lines)."""
    lines = []
    for e in range(1, epochs + 1):
        lines += [f"Epoch {e}/{epochs}\n",
                  f"32/32 [==============================] - 1s 10ms/step - loss: {1 / e:.4f}"
                  f" - val_loss: {1.2 / e + 0.05 * e:.4f}\n"]
    return {"cell_type": "code", "execution_count": 3, "metadata": {}, "source": ["fit()"],
            "outputs": [{"output_type": "stream", "name": "stdout", text_key: lines}]}


@pytest.mark.parametrize("v3", [False, True])
def test_a_notebook_is_read_from_what_its_cells_printed(tmp_path, v3):
    plot = {"cell_type": "code", "execution_count": 4, "metadata": {}, "source": ["plot()"],
            "outputs": [{"output_type": "display_data", "metadata": {},
                         "data": {"image/png": "iVBORw0KGgo=",
                                  "text/plain": ["<Figure size 640x480 with 1 Axes>"]}}]}
    markdown = {"cell_type": "markdown", "metadata": {}, "source": ["# loss: 0.1"]}
    path = tmp_path / "train.ipynb"
    path.write_text(_notebook([markdown, _fit_cell(8), plot], v3))
    got, log = curves(path)
    assert log.format == "ipynb"
    assert got["train"] == ([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
                            pytest.approx([1 / e for e in range(1, 9)], abs=1e-4))
    assert got["test"][1] == pytest.approx([1.2 / e + 0.05 * e for e in range(1, 9)],
                                           abs=1e-4)


def test_a_notebook_without_printed_output_is_a_clear_error(tmp_path):
    cell = {"cell_type": "code", "execution_count": None, "metadata": {}, "source": ["fit()"],
            "outputs": []}
    path = tmp_path / "unrun.ipynb"
    path.write_text(_notebook([cell]))
    with pytest.raises(LogReadError, match="no printed output"):
        load(path)


def _html_cell(rows: list[list[str]], head: list[str]) -> dict:
    """A cell that displayed a progress table as fastai and the HF Trainer do (HTML)."""
    html = ('<table border="1" class="dataframe">\n  <thead>\n    <tr>'
            + "".join(f"<th>{h}</th>" for h in head) + "</tr>\n  </thead>\n  <tbody>\n"
            + "".join("    <tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>\n"
                      for r in rows) + "  </tbody>\n</table>")
    return {"cell_type": "code", "execution_count": 5, "metadata": {}, "source": ["fit()"],
            "outputs": [{"output_type": "display_data", "metadata": {},
                         "data": {"text/html": [html],
                                  "text/plain": ["<IPython.core.display.HTML object>"]}}]}


def test_a_notebooks_progress_tables_are_read_the_last_fit_diagnosed(tmp_path):
    # fastai's fit tables (a time column of clocks), two fits: the last is the run; and the
    # HF Trainer's table, whose validation loss is 'No log' at steps it was not evaluated
    head = ["epoch", "train_loss", "valid_loss", "accuracy", "time"]
    first = [[str(e), f"{2.0 - e / 10:.4f}", f"{2.1 - e / 10:.4f}", "0.5", "00:12"]
             for e in range(6)]
    last = [[str(e), f"{1.0 - e / 10:.4f}", f"{1.1 - e / 20:.4f}", "0.7", "00:12"]
            for e in range(6)]
    path = tmp_path / "fastai.ipynb"
    path.write_text(_notebook([_html_cell(first, head), _html_cell(last, head)]))
    got, _ = curves(path)
    assert got["train"] == ([0.0, 1.0, 2.0, 3.0, 4.0, 5.0],
                            pytest.approx([1.0, 0.9, 0.8, 0.7, 0.6, 0.5]))
    assert got["test"][1] == pytest.approx([1.1, 1.05, 1.0, 0.95, 0.9, 0.85])
    rows = [[str(s), f"{3.0 - s / 100:.4f}", "No log" if s % 20 else f"{3.1 - s / 100:.4f}"]
            for s in range(10, 130, 10)]
    path = tmp_path / "trainer.ipynb"
    path.write_text(_notebook([_html_cell(rows, ["Step", "Training Loss",
                                                 "Validation Loss"])]))
    got, _ = curves(path)
    assert got["train"][0] == [float(s) for s in range(10, 130, 10)]
    assert got["test"] == ([20.0, 40.0, 60.0, 80.0, 100.0, 120.0],
                           pytest.approx([2.9, 2.7, 2.5, 2.3, 2.1, 1.9]))


def test_a_table_displayed_after_an_unfinished_line_is_read_on_lines_of_its_own(tmp_path):
    """fastai's fine_tune: a download bar left without a newline on stderr, then each fit's
    table displayed in the same cell, each result's plain text without a newline of its own
    (a progress bar's '<IPython.core.display.HTML object>'): every displayed result starts
    and ends a line, so the tables' headers are not glued to the text before them."""
    head = ["epoch", "train_loss", "valid_loss", "error_rate", "time"]
    rows = [[str(e), f"{1.0 - e / 10:.4f}", f"{1.1 - e / 20:.4f}", "0.1", "01:14"]
            for e in range(6)]
    table = _html_cell(rows, head)["outputs"][0]
    bar = {"output_type": "display_data", "metadata": {},
           "data": {"text/html": ["<progress value='1' max='6'></progress>"],
                    "text/plain": "<IPython.core.display.HTML object>"}}
    download = {"output_type": "stream", "name": "stderr",
                "text": "  0%|          | 0.00/83.3M [00:00<?, ?B/s]"}
    cell = {"cell_type": "code", "execution_count": 5, "metadata": {}, "source": ["fit()"],
            "outputs": [download, bar, table, bar]}
    path = tmp_path / "fastai.ipynb"
    path.write_text(_notebook([cell]))
    got, _ = curves(path)
    assert got["train"] == ([0.0, 1.0, 2.0, 3.0, 4.0, 5.0],
                            pytest.approx([1.0, 0.9, 0.8, 0.7, 0.6, 0.5]))
    assert got["test"][1] == pytest.approx([1.1, 1.05, 1.0, 0.95, 0.9, 0.85])


# ---------------------------------------------------------------- CatBoost

def catboost_training(path: Path, learn_metrics, test_metrics, rows) -> Path:
    """A catboost_training.json as CatBoost writes it: metrics named in meta, values by set."""
    meta = {"test_sets": ["test"] if test_metrics else [], "test_metrics": test_metrics,
            "learn_metrics": learn_metrics, "launch_mode": "Train", "parameters": "",
            "iteration_count": len(rows), "learn_sets": ["learn"], "name": "experiment"}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"meta": meta, "iterations": [
        {"learn": learn, "iteration": i, "passed_time": 0.1 * i, "test": test}
        for i, (learn, test) in enumerate(rows)]}))
    return path


def test_catboost_reads_the_minimised_metric_never_a_score(tmp_path):
    rows = [([2.0 - 0.1 * i], [0.9 + 0.001 * i, 3.0 - 0.1 * i]) for i in range(8)]
    path = catboost_training(tmp_path / "catboost_info" / "catboost_training.json",
                             [{"best_value": "Min", "name": "RMSE"}],
                             [{"best_value": "Max", "name": "R2"},
                              {"best_value": "Min", "name": "RMSE"}], rows)
    got, log = curves(path)
    assert got["train"][1] == pytest.approx([2.0 - 0.1 * i for i in range(8)])
    assert got["test"][1] == pytest.approx([3.0 - 0.1 * i for i in range(8)])
    assert log.notes[:2] == ["train loss: CatBoost's learn RMSE (minimised)",
                             "test loss: RMSE on eval set 'test'"]
    with pytest.raises(LogReadError, match="no learn metric 'MAE'"):
        load(path, options=ReadOptions(train_col="MAE"))


def test_catboost_without_a_minimised_metric_is_refused(tmp_path):
    path = catboost_training(tmp_path / "catboost_training.json",
                             [{"best_value": "Max", "name": "Accuracy"}], [],
                             [([0.5 + 0.01 * i], []) for i in range(8)])
    with pytest.raises(LogReadError, match="no learn metric is minimised") as err:
        load(path)
    assert err.value.path.endswith("catboost_training.json")


def test_catboost_eval_set_without_the_loss_leaves_the_train_loss(tmp_path):
    rows = [([1.0 / (i + 1)], [0.7]) for i in range(8)]
    path = catboost_training(tmp_path / "catboost_training.json",
                             [{"best_value": "Min", "name": "Logloss"}],
                             [{"best_value": "Max", "name": "AUC"}], rows)
    got, log = curves(path)
    assert set(got) == {"train"}
    assert "eval set 'test' has no Logloss (its metrics: AUC)" in log.notes[1]


def test_a_catboost_info_folder_is_one_run(tmp_path):
    from lossdoctor.parsers.discover import discover
    units = discover(FIX / "catboost")
    assert [(u.run, u.input_format) for u in units] == [("catboost_info", "catboost")]


@pytest.mark.parametrize("printed", [
    "{'loss': [2.0, 1.5, 1.2, 1.0, 0.9], 'acc': [0.5, 0.6, 0.7, 0.8, 0.85],"
    " 'val_loss': [2.1, 1.7, 1.5, nan, 1.4]}",
    "{'loss': [np.float64(2.0), np.float64(1.5), np.float64(1.2), np.float64(1.0),"
    " np.float64(0.9)], 'val_loss': [2.1, 1.7, 1.5, nan, 1.4]}",
], ids=["print", "numpy2"])
def test_a_printed_keras_history_is_read_as_its_json(tmp_path, printed):
    # print(history.history) saved to a text file: a Python dict, single quotes and nan
    path = tmp_path / "训练记录.txt"
    path.write_text(printed + "\n", encoding="utf-8")
    got, log = curves(path)
    assert log.format == "keras-history-json"
    assert got["train"] == ([0.0, 1.0, 2.0, 3.0, 4.0], [2.0, 1.5, 1.2, 1.0, 0.9])
    assert same(got["test"][1], [2.1, 1.7, 1.5, math.nan, 1.4])


def test_a_printed_dict_of_scalars_stays_console_text(tmp_path):
    # the HF Trainer's console prints one dict of scalars a line: not a history
    lines = "".join(f"{{'loss': {1 / (i + 1):.3f}, 'learning_rate': 5e-05, 'epoch': {i}.0}}\n"
                    for i in range(6))
    path = tmp_path / "stdout.txt"
    path.write_text(lines)
    got, log = curves(path)
    assert log.format == "plain-text"
    assert got["train"][1] == pytest.approx([1 / (i + 1) for i in range(6)], rel=1e-2)


def test_a_catboost_run_is_told_the_trees_remedies():
    from lossdoctor import api
    report = api.diagnose(FIX / "catboost" / "catboost_info")
    assert report.verdict == "overfitting"
    said = " ".join(report.runs[0].diagnoses[0].actions)
    assert "keep the model at round 6" in said and "max_depth" in said
    assert "dropout" not in said


def test_step_train_val_triples_are_two_curves(tmp_path):
    """``[[15, 2.17, 2.16], [30, 2.04, 2.08], ...]`` (a loss_history.json of step, train and
    val): a train and a test curve on those steps, not TensorBoard's [wall_time, step,
    value] with the losses taken for steps (which read as a false divergence)."""
    rows = [[15 * (i + 1), 2.0 / (i + 1) + 0.1, 2.1 / (i + 1) + 0.12] for i in range(40)]
    path = tmp_path / "loss_history.json"
    path.write_text(json.dumps(rows))
    got, log = curves(path)
    assert set(got) == {"train", "test"}
    assert got["train"][0] == [float(r[0]) for r in rows]
    assert got["test"][1] == pytest.approx([r[2] for r in rows])
    assert "read as [step, train loss, val loss]" in log.notes[0]


def test_wall_time_step_value_rows_stay_one_curve(tmp_path):
    path = tmp_path / "loss.json"
    path.write_text(json.dumps([[1.6e9 + 7.5 * i, i, 1 / (i + 1)] for i in range(30)]))
    got, _ = curves(path)
    assert list(got) == ["train"] and got["train"][0] == [float(i) for i in range(30)]


def test_a_loss_list_beside_a_list_of_stats_records(tmp_path):
    """``{"config": {...}, "loss": [...], "stats": [{"time": .., "lr": .., "step": ..}, ...]}``:
    the loss list is the curve; the stats records alone hold no loss (it had been refused)."""
    n = 60
    doc = {"config": {"lr": 5e-4}, "loss": [2.8 / (1 + i / 10) + 0.5 for i in range(n)],
           "stats": [{"time": 0.8, "memory": 5000.0, "lr": 5e-4, "step": i} for i in range(n)],
           "eval_results": {}}
    path = tmp_path / "history_muon.json"
    path.write_text(json.dumps(doc))
    got, _ = curves(path)
    assert got["train"][1] == pytest.approx(doc["loss"])


def test_json_records_of_one_value_each_are_read_a_column_per_series(tmp_path):
    """A JSON-lines export of scalars, one record a value (``{"step": 1, "tag":
    "train/loss", "value": 0.5}``), and a JSON list of pandas-melted records: the series of
    a record is named by its labels (refused before: the one number key is ``value``)."""
    path = tmp_path / "scalars.jsonl"
    path.write_text("".join(
        json.dumps({"step": s, "tag": tag, "value": v, "wall_time": 1e9 + s}) + "\n"
        for s in range(1, 8) for tag, v in (("train/loss", 2.0 / s), ("val/loss", 2.2 / s))))
    got, log = curves(path)
    assert got["train"] == ([float(s) for s in range(1, 8)], [2.0 / s for s in range(1, 8)])
    assert same(got["test"][1], [2.2 / s for s in range(1, 8)])
    assert any("a long table" in n for n in log.notes)
    path = tmp_path / "history.json"
    path.write_text(json.dumps([{"epoch": e, "split": sp, "metric": "loss", "value": v}
                                for e in range(1, 8) for sp, v in (("train", 1 / e),
                                                                   ("val", 1.5 / e))]))
    got, _ = curves(path)
    assert same(got["test"][1], [1.5 / e for e in range(1, 8)])
    # Comet's metrics: names and values under their own keys, values as strings, an epoch
    # beside the step
    path = tmp_path / "metrics.json"
    path.write_text(json.dumps([{"metricName": name, "metricValue": str(v), "step": s,
                                 "epoch": s // 3, "timestamp": 1e9 + s}
                                for s in range(1, 8) for name, v in (("loss", 2.0 / s),
                                                                     ("val_loss", 2.2 / s))]))
    got, _ = curves(path)
    assert got["train"][0] == [float(s) for s in range(1, 8)]
    assert same(got["test"][1], [2.2 / s for s in range(1, 8)])
    # a test loss evaluated every 4th step: the steps it skipped are not logged, not NaN
    # (read as written NaNs, they made a false non_finite); a NaN the log wrote stays one
    path = tmp_path / "sparse.jsonl"
    path.write_text("".join(
        json.dumps({"step": s, "tag": tag, "value": v}) + "\n" for s in range(1, 21)
        for tag, v in (("train/loss", 2.0 / s if s < 15 else math.nan),
                       ("val/loss", 2.2 / s)) if tag == "train/loss" or s % 4 == 0))
    got, log = curves(path)
    assert got["test"][0] == [4.0, 8.0, 12.0, 16.0, 20.0]
    assert same(got["test"][1], [2.2 / s for s in (4, 8, 12, 16, 20)])
    assert [math.isnan(v) for v in got["train"][1]] == [s >= 15 for s in range(1, 21)]
