"""Tabular and text parsers: Lightning CSV, W&B exports, plain-text logs, generic CSV, Keras."""
from __future__ import annotations

import gzip
import json
import math

import numpy as np
import pandas as pd
import pytest
from helpers import CORPUS, FORMATS, REAL, curves, same

import lossdoctor.api as api
from lossdoctor.errors import ColumnError, LogReadError, NoLossError
from lossdoctor.parsers import PARSERS, ReadOptions, load, load_pair
from lossdoctor.parsers.consoletext import name_listed_values
from lossdoctor.parsers.registry import detect
from lossdoctor.parsers.source import Source
from lossdoctor.parsers.table import has_header, sniff_delimiter
from lossdoctor.parsers.tablecurves import split_from_name

FIX = FORMATS
NAN = math.nan




def golden(log, rows):
    """The frame's (run, split, step, value, metric) rows, exactly and in order."""
    got = list(log.frame[["run", "split", "step", "value", "metric"]].itertuples(index=False))
    assert len(got) == len(rows), got
    for g, want in zip(got, rows, strict=True):
        assert (g[0], g[1], g[4]) == (want[0], want[1], want[4]), g
        assert same([g[2], g[3]], [float(want[2]), float(want[3])]), g


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def one_line_error(excinfo):
    text = str(excinfo.value)
    assert "\n" not in text and "Traceback" not in text
    return text


# ---------------------------------------------------------------- golden frames, one per format

def test_golden_lightning_folder_reads_latest_version():
    log = load(FIX / "lightning-csv" / "lightning_logs")
    assert log.format == "lightning-csv"
    assert log.notes[0] == "2 versions; reading version_1 (the latest)"
    # three epochs (one NaN) are too few for a trend: the per-step train loss is the curve
    golden(log, [
        *(("", "train", s, v, "train_loss_step")
          for s, v in ((1, 1.0), (3, 0.9), (5, 0.8), (7, 0.7), (9, 0.6), (11, NAN))),
        ("", "test", 3, 0.95, "val_loss"), ("", "test", 7, 0.85, "val_loss"),
        ("", "test", 11, 0.80, "val_loss"),
        ("", "lr", 0, 0.001, "lr-Adam"), ("", "lr", 4, 0.0005, "lr-Adam"),
    ])


def test_golden_wandb_panel_export_runs():
    log = load(FIX / "wandb-csv" / "val_loss.csv")
    assert log.format == "wandb-csv"
    assert log.runs() == ["run-b", "run-a"]
    golden(log, [
        ("run-b", "test", 100, 0.9, "run-b - epoch/val_loss"),
        ("run-b", "test", 200, 0.7, "run-b - epoch/val_loss"),
        ("run-a", "test", 100, 1.2, "run-a - epoch/val_loss"),
        ("run-a", "test", 200, 1.0, "run-a - epoch/val_loss"),
        ("run-a", "test", 300, 0.8, "run-a - epoch/val_loss"),
    ])


def test_golden_plain_text_yolo_style():
    log = load(FIX / "plain-text" / "yolo_style.txt")
    assert log.format == "plain-text"
    golden(log, [
        ("", "train", 1, 4.834, "Train Loss"), ("", "train", 2, 2.821, "Train Loss"),
        ("", "train", 3, 2.371, "Train Loss"),
        ("", "test", 1, 3.255, "Val Loss"), ("", "test", 2, 2.431, "Val Loss"),
        ("", "test", 3, 2.194, "Val Loss"),
        ("", "lr", 1, 0.001, "Learning Rate"), ("", "lr", 2, 0.001, "Learning Rate"),
        ("", "lr", 3, 0.0005, "Learning Rate"),
    ])


def test_golden_generic_yolo_results_sums_components():
    log = load(FIX / "generic-csv" / "results.csv")
    assert log.format == "generic-csv"
    train = "train/box_loss+train/obj_loss+train/cls_loss"
    test = "val/box_loss+val/obj_loss+val/cls_loss"
    golden(log, [("", "train", 0, 0.17, train), ("", "train", 1, 0.13, train),
                 ("", "test", 0, 0.16, test), ("", "test", 1, 0.13, test),
                 ("", "lr", 0, 0.003, "x/lr0"), ("", "lr", 1, 0.006, "x/lr0")])
    assert any("sum of 3 components" in n for n in log.notes)


def test_golden_keras_appended_phases_keep_the_last():
    log = load(FIX / "keras-csvlogger" / "training_log.csv")
    assert log.format == "keras-csvlogger"
    golden(log, [
        ("", "train", 0, 0.8, "loss"), ("", "train", 1, 0.7, "loss"),
        ("", "train", 2, 0.6, "loss"), ("", "train", 3, 0.55, "loss"),
        ("", "test", 0, 0.7, "val_loss"), ("", "test", 1, 0.65, "val_loss"),
        ("", "test", 2, 0.6, "val_loss"),
        ("", "lr", 0, 1e-4, "learning_rate"), ("", "lr", 1, 1e-4, "learning_rate"),
        ("", "lr", 2, 1e-4, "learning_rate"), ("", "lr", 3, 1e-4, "learning_rate"),
    ])
    assert any("2 segments" in n for n in log.notes)
    chained, _ = curves(FIX / "keras-csvlogger" / "training_log.csv", segments="all")
    assert len(chained["train"][0]) == 7


# ---------------------------------------------------------------- Lightning

def test_lightning_sniff_beats_keras_even_when_dense(tmp_path):
    dense = write(tmp_path, "m.csv", "epoch,step,val_loss\n0,24,7.9\n1,49,6.3\n2,74,5.0\n")
    assert detect(Source(dense)).name == "lightning-csv"
    sparse = FIX / "lightning-csv" / "lightning_logs" / "version_1" / "metrics.csv"
    assert PARSERS["lightning-csv"].sniff(Source(sparse)) >= 0.95
    assert PARSERS["keras-csvlogger"].sniff(Source(sparse)) == 0.0


def test_lightning_validation_batch_rows_do_not_scramble_steps():
    path = FIX / "lightning-csv" / "val_batch_steps.csv"
    got, log = curves(path)
    assert got["test"] == ([9.0, 19.0], [1.45, 1.15])      # val_loss_epoch, global steps
    forced, log = curves(path, test_col="val_loss_step")
    steps = forced["test"][0]
    assert steps == sorted(steps) and len(set(steps)) == 4   # placed, not 0,1,2,3
    assert 9 < steps[2] < 19
    assert any("validation batches" in n for n in log.notes)


def test_lightning_validation_loss_is_the_test_curve_beside_trainer_test(tmp_path):
    # validation_step logs val_loss every epoch; trainer.test() logs test_loss once at the
    # end: the run is watched by the validation loss, and naming both is no ambiguity
    rows = "".join(f"{e},{e * 50 + 49},,{1 / (e + 1):.4f},\n"
                   f"{e},{e * 50 + 49},,,{1.2 / (e + 2):.4f}\n" for e in range(8))
    path = write(tmp_path, "metrics.csv", "epoch,step,test_loss,train_loss,val_loss\n" + rows
                 + "8,449,0.31,,\n")
    got, log = curves(path)
    assert got["test"][1] == [round(1.2 / (e + 2), 4) for e in range(8)]
    assert "test loss: val_loss (also found test_loss)" in log.notes
    # two validation spellings are still for the user to choose between
    both = write(tmp_path, "b.csv", "epoch,step,val_loss,valid_loss\n0,9,1.0,1.1\n1,19,0.9,1.0\n")
    with pytest.raises(ColumnError, match="several test loss columns: val_loss, valid_loss"):
        load(both)


def test_an_evaluation_of_the_train_set_and_a_per_batch_spelling_give_way(tmp_path):
    """'train_eval_loss' (the train set scored in eval mode) beside 'validation_loss' is no
    second test loss, and 'train_loss_batch' beside 'train_loss' is the same loss per batch
    (both had been refused as two of a kind)."""
    rows = "".join(f"{e},{1 / e:.3f},{1.1 / e:.3f},{1.3 / e:.3f},{0.9 / e:.3f}\n"
                   for e in range(1, 8))
    path = write(tmp_path, "full_history.csv", "epoch,train_loss,train_eval_loss,"
                 "validation_loss,train_loss_batch\n" + rows)
    got, log = curves(path)
    assert got["test"][1] == [round(1.3 / e, 3) for e in range(1, 8)]
    assert got["train"][1] == [round(1 / e, 3) for e in range(1, 8)]
    assert "test loss: validation_loss (also found train_eval_loss)" in log.notes


def test_lightning_version_folder_and_bad_latest(tmp_path):
    logs = tmp_path / "lightning_logs"
    for n, text in ((2, "epoch,step,train_loss\n0,1,0.5\n1,3,0.4\n"),
                    (10, "epoch,step,train_loss\n")):
        (logs / f"version_{n}").mkdir(parents=True)
        (logs / f"version_{n}" / "metrics.csv").write_text(text)
    log = load(tmp_path)
    assert log.format == "lightning-csv"
    assert len(log.frame) == 2 and "2 versions; reading lightning_logs/version_10" in log.notes[0]
    assert any("skipped lightning_logs/version_10" in n for n in log.notes)
    single = load(logs / "version_2")
    assert single.frame["value"].tolist() == [0.5, 0.4]


def test_lightning_folder_without_metrics_is_not_lightning(tmp_path):
    (tmp_path / "version_0").mkdir()
    assert PARSERS["lightning-csv"].sniff(Source(tmp_path)) == 0.0
    with pytest.raises(LogReadError) as exc:
        load(tmp_path, "lightning-csv")
    assert "no metrics.csv" in one_line_error(exc)


# ---------------------------------------------------------------- W&B

def test_wandb_objective_without_loss_word_is_refused_naming_the_choice():
    # 'Energy' may be an objective, or any other metric: the user says which
    with pytest.raises(NoLossError, match="numeric columns: Energy") as exc:
        load(FIX / "wandb-csv" / "lithium.csv")
    assert "train_col=" in str(exc.value)
    log = load(FIX / "wandb-csv" / "lithium.csv", options=ReadOptions(train_col="Energy"))
    got = {s: (g["step"].tolist(), g["value"].tolist()) for s, g in log.frame.groupby(
        "split", observed=True)}
    assert got["train"] == ([0.0, 1.0, 2.0], [-3.4, -5.5, -6.0])
    assert log.runs() == ["LITHIUM"]


def test_wandb_run_history_has_wall_time_and_sparse_val():
    got, log = curves(FIX / "wandb-csv" / "history.csv")
    assert log.format == "wandb-csv"
    assert got["test"] == ([1.0, 3.0], [1.6, 1.2])
    assert got["train"][1] == [2.0, 1.5, 1.0, 0.8]
    wall = log.frame.loc[log.frame["split"] == "train", "wall_time"].tolist()
    assert wall == [1700000000.5, 1700000002.0, 1700000003.5, 1700000005.0]


@pytest.mark.parametrize("step", ["train/global_step", "trainer/global_step"])
def test_wandb_history_steps_are_the_frameworks_not_log_calls(tmp_path, step):
    # the HF Trainer (and Lightning) log their own step beside W&B's _step, which counts
    # log calls: an eval call is one more _step at the same training step
    text = (f"_step,_runtime,train/loss,{step},eval/loss\n0,6.5,0.71,10,\n1,6.6,0.70,20,\n"
            "2,6.7,,20,0.68\n3,6.8,0.66,30,\n")
    got, log = curves(write(tmp_path, "history.csv", text))
    assert got["train"] == ([10.0, 20.0, 30.0], pytest.approx([0.71, 0.70, 0.66]))
    assert got["test"] == ([20.0], pytest.approx([0.68]))


def test_wandb_column_choice_by_metric_or_full_name(tmp_path):
    text = '"Step","r1 - loss","r1 - train/loss"\n"0","1","2"\n"1","3","4"\n'
    path = write(tmp_path, "x.csv", text)
    with pytest.raises(ColumnError):
        load(path)
    for col in ("train/loss", "r1 - train/loss"):
        got, _ = curves(path, train_col=col)
        assert got["train"][1] == [2.0, 4.0]


def test_wandb_split_from_file_name_when_metric_has_none(tmp_path):
    text = '"Step","r1 - loss","r1 - loss__MIN"\n"0","1.5","1.5"\n"1","1.2","1.2"\n'
    got, log = curves(write(tmp_path, "val_loss.csv", text))
    assert got == {"test": ([0.0, 1.0], [1.5, 1.2])}
    got, _ = curves(write(tmp_path, "loss.csv", text))
    assert got == {"train": ([0.0, 1.0], [1.5, 1.2])}


def test_wandb_sniff_ignores_logging_lines(tmp_path):
    text = "2025-06-04 17:36:55,374 - INFO - Using device: cpu\n" * 3
    assert PARSERS["wandb-csv"].sniff(Source(write(tmp_path, "a.log", text))) == 0.0


# ---------------------------------------------------------------- plain text

def test_plain_keras_console_epoch_line_then_progress_lines():
    got, log = curves(FIX / "plain-text" / "keras_console.txt")
    assert log.format == "plain-text"
    assert same(got["train"][1], [0.8, 0.6, NAN])      # the last progress value per epoch
    assert same(got["test"][1], [0.95, 0.7, NAN])       # written nan is kept as evidence
    assert got["train"][0] == [1.0, 2.0, 3.0]


def test_validation_components_beside_a_test_sets_are_the_test_loss(tmp_path):
    # each epoch prints its train, validation and held-out test components; the validation's
    # and the test set's had been summed into one "test loss" of 4 components
    lines = []
    for epoch in range(1, 7):
        lines += [f"=====Epoch {epoch}",
                  f"Train: loss_R={2.0 / epoch:.4f}, loss_S={1.0 / epoch:.4f}",
                  f"Validation: loss_R={1.5 / epoch:.4f}, loss_S={0.5 / epoch:.4f}",
                  f"Test: loss_R={9.0:.4f}, loss_S={9.0:.4f}"]
    path = tmp_path / "train.log"
    path.write_text("\n".join(lines) + "\n")
    got, log = curves(path)
    assert got["test"][1] == pytest.approx([2.0 / e for e in range(1, 7)], rel=1e-3)
    assert any("(a held-out test set's) left out" in n for n in log.notes)


def test_plain_logging_output_ignores_config_lines_and_reads_timestamps():
    got, log = curves(FIX / "plain-text" / "training.log")
    assert got == {"train": ([1.0, 2.0, 3.0], [1.6, 1.2, 1.1])}   # learning_rate: config only
    wall = log.frame["wall_time"].tolist()
    assert wall[1] - wall[0] == pytest.approx(60.0)


def test_plain_context_word_makes_a_bare_loss_a_test_loss():
    got, _ = curves(FIX / "plain-text" / "mnist_example.txt")
    assert got["train"] == ([1.0, 2.0], [2.1, 0.2])
    assert got["test"] == ([1.0, 2.0], [0.1, 0.05])


def test_plain_steps_within_epochs_become_global():
    """'Epoch [1/2], Step [100/600]': epochs counted from 1, the run's iteration is
    (epoch - 1) * 600 + step (epoch * 600 + step put the run one epoch ahead of itself)."""
    got, log = curves(FIX / "plain-text" / "step_in_epoch.txt")
    assert got["train"] == ([100.0, 200.0, 700.0, 800.0], [0.5, 0.4, 0.3, 0.25])
    assert "x axis: step" in log.notes


def test_rows_with_one_empty_field_more_than_the_header_are_put_back_under_it(tmp_path):
    """Flair's loss.tsv writes a doubled tab after TRAIN_LOSS: each row holds one field more
    than the header; read_csv took the epoch as the row's label and every name landed one
    column left of its values (the train loss under LEARNING_RATE, the time as EPOCH)."""
    head = "EPOCH\tTIMESTAMP\tLEARNING_RATE\tTRAIN_LOSS\tTRAIN_F1\tDEV_LOSS\tDEV_F1\n"
    rows = "".join(f"{e}\t17:{27 + e}:16\t0.1000\t{0.5 / (e + 1):.4f}\t\t_\t{0.6 / (e + 1):.4f}"
                   f"\t0.{70 + e}\n" for e in range(8))
    got, log = curves(write(tmp_path, "loss.tsv", head + rows))
    assert got["train"] == ([float(e) for e in range(8)],
                            [round(0.5 / (e + 1), 4) for e in range(8)])
    assert got["test"][1] == [round(0.6 / (e + 1), 4) for e in range(8)]
    assert any("one field more than its header" in n for n in log.notes)


def test_an_epoch_done_line_is_the_train_loss_not_an_evaluation(tmp_path):
    """Flair's training.log: per-batch 'epoch 1 - iter 14/149 - loss 0.49', then 'EPOCH 1
    done: loss 0.2911 - lr 0.1000', 'DEV : loss 0.23' and 'TEST : loss 0.22'. The line that
    closes its epoch prints the train loss again; read as an evaluation it made a third
    test loss beside DEV and TEST, and the log was refused."""
    text = ""
    for e in range(1, 5):
        text += "".join(f"2019-06-11 13:45:02,441 epoch {e} - iter {i}/60 - loss "
                        f"{1 / (e + i / 60):.6f}\n" for i in range(0, 60, 15))
        text += (f"2019-06-11 13:54:52,676 EPOCH {e} done: loss {1 / (e + 0.5):.4f} - lr 0.1000"
                 f" - bad epochs 0\n2019-06-11 13:55:49,388 DEV : loss {0.9 / e:.4f} - score"
                 f" 0.81\n2019-06-11 13:56:46,862 TEST : loss {0.95 / e:.4f} - score 0.82\n")
    got, log = curves(write(tmp_path, "training.log", text))
    assert got["test"][1] == [round(0.9 / e, 4) for e in range(1, 5)]
    assert len(got["train"][0]) == 16


def test_a_loss_printed_once_as_a_summary_gives_way_to_the_curve_beside_it(tmp_path):
    """A SLURM job's output: 'TRAIN CROSS ENTROPY: 0.47' and 'VALID CROSS ENTROPY: 0.53'
    each epoch, then 'Avg Train CE' and 'Avg Valid CE' once at the end. No name says loss,
    and two could be the train loss: the log was refused. The one printed once is the
    run's summary, not a second loss."""
    text = "".join(f"#### EPOCH {e} ####\nTRAIN CROSS ENTROPY: {0.5 / (e + 1):.6f}\n"
                   f"VALID CROSS ENTROPY: {0.4 + 0.3 / (e + 1):.6f}\n"
                   f"VALIDATION CLASSIFICATION RATE:0.875\n" for e in range(12))
    text += "Avg Valid CE: 0.42\nAvg Train CE: 0.05\n"
    got, log = curves(write(tmp_path, "job.out", text))
    assert got["train"][1] == [round(0.5 / (e + 1), 6) for e in range(12)]
    assert got["test"][1] == [round(0.4 + 0.3 / (e + 1), 6) for e in range(12)]
    assert any("Avg Train CE left out" in n for n in log.notes)


def test_the_current_cost_beside_the_average_is_one_loss_spelt_two_ways(tmp_path):
    """PaddlePaddle v1's glog lines: 'Batch=1000 ... AvgCost=11.56 CurrentCost=11.56' mid
    pass, 'Pass=0 Batch=1472 ... AvgCost=11.18' at its end, and 'Test samples=91292
    cost=10.81'. The current cost (of the last batches) and the pass's running average
    are one loss aggregated two ways: the log was refused for two train losses."""
    text = ""
    for p in range(6):
        cur = 11.5 - 0.3 * p
        text += (f"I0305 23:00:01.177073    35 TrainerInternal.cpp:165]  Batch=1000 samples="
                 f"128000 AvgCost={cur:.4f} CurrentCost={cur - 0.05:.4f} Eval: error=0.13\n"
                 f"I0305 23:00:29.745251    35 TrainerInternal.cpp:182]  Pass={p} Batch=1472"
                 f" samples=188399 AvgCost={cur - 0.1:.4f} Eval: error=0.12\n"
                 f"I0305 23:00:50.979264    35 Tester.cpp:127]  Test samples=91292 cost="
                 f"{cur - 0.4:.4f} Eval: error=0.12\n")
    got, log = curves(write(tmp_path, "train.log", text))
    assert got["test"][1] == [round(11.5 - 0.3 * p - 0.4, 4) for p in range(6)]
    assert len(got["train"][1]) == 12 and got["train"][1][:2] == [11.5, 11.4]
    assert any("AvgCost" in n and "CurrentCost" in n for n in log.notes)


def test_one_loss_spelt_two_ways_on_lines_apart_is_one_series(tmp_path):
    """Runs appended to one log by two versions of a script: 'Tr loss=0.20 | Va loss=0.10'
    then 'tr_loss=0.36  va_loss=0.37'. Never on one line together, each pair is one loss:
    the log was refused for two test losses. Two names on one line stay two."""
    old = "".join(f"Ep {e}/3 | Tr loss={0.3 / e:.4f} | Va loss={0.2 / e:.4f}\n"
                  for e in range(1, 4))
    new = "".join(f"Ep {e}/6  tr_loss={0.5 / e:.4f}  |  va_loss={0.45 + 0.01 * e:.4f}\n"
                  for e in range(1, 7))
    got, log = curves(write(tmp_path, "training.log", old + new))
    assert got["test"][1][-6:] == [round(0.45 + 0.01 * e, 4) for e in range(1, 7)]
    assert any("'Va loss' and 'va_loss' are never printed on one line" in n for n in log.notes)
    both = "".join(f"Ep {e}/6  val_loss={0.5 / e:.4f}  Val Loss={0.6 / e:.4f}\n"
                   for e in range(1, 7))
    with pytest.raises(ColumnError, match="several test loss"):
        curves(write(tmp_path, "both.log", both))


def test_a_last_run_without_a_test_loss_is_not_paired_with_an_earlier_runs(tmp_path):
    """Keras fits appended to one console: the first with validation, the last (a final fit
    on all the data) without. Each curve's last segment would pair the last run's train
    loss with the first run's val_loss; the last run is read alone, with a note. With
    --segments all, nothing is left out."""
    fit = "".join(f"Epoch {e}/6\n100/100 - 3s - loss: {0.5 / e:.4f} - val_loss:"
                  f" {0.3 + 0.02 * e:.4f}\n" for e in range(1, 7))
    last = "".join(f"Epoch {e}/6\n100/100 - 3s - loss: {0.4 / e:.4f}\n" for e in range(1, 7))
    path = write(tmp_path, "model_training_log.txt", fit + last)
    report = api.diagnose(path)
    assert report.verdict == "learning"
    assert any("logs no test loss: the earlier runs' test loss is left out" in n
               for n in report.notes)
    assert "test" in curves(path, segments="all")[0]


def test_a_last_run_without_a_train_loss_is_not_paired_with_an_earlier_runs(tmp_path):
    """The mirror: runs appended to one log, the last a rerun that prints only its dev
    loss (real91's NER log of 13 runs). The earlier run's train loss, overfitting, would
    stand beside the last run's dev loss; the last run is read alone, with a note. A last
    "run" that logs neither loss (a learning rate printed alone) is no rerun, and a listing
    of every epoch's validation after the training lines is none either (see the test of a
    console whose head holds commas)."""
    first = "".join(f"Iter: {i} | Train Loss: {0.5 / (i + 1):.4f} | Dev Loss:"
                    f" {0.3 + 0.02 * i:.4f}\n" for i in range(0, 800, 100))
    last = "".join(f"Iter: {i} | Dev Loss: {0.9 / (i / 100 + 1):.4f}\n" for i in range(0, 800, 100))
    path = write(tmp_path, "train.log", first + last)
    got, log = curves(path)
    assert "train" not in got and got["test"][1][0] == 0.9
    assert any("logs no train loss: the earlier runs' train loss is left out" in n
               for n in log.notes)
    assert "train" in curves(path, segments="all")[0]
    got, log = curves(write(tmp_path, "two.log", first + "Iter: 0 | lr: 0.001\n"))
    assert got["train"][1][0] == 0.5 and got["test"][1][0] == 0.3


def test_a_loop_counter_with_its_epochs_total_is_a_step(tmp_path):
    """A TTS trainer's 'epoch=0 i=3/530 total loss=0.23': the loop counter with the epoch's
    total is the step within the epoch (made global); read by epoch, the log was 2 points.
    A loose 'i = 3' is no step."""
    text = "".join(f"epoch={e} i={i}/4 total loss={1 / (1 + 4 * e + i):.5f}\n"
                   for e in range(3) for i in range(4))
    got, log = curves(write(tmp_path, "overnight.log", text))
    assert got["train"][0] == [float(x) for x in range(12)]
    assert "x axis: step" in log.notes
    loose = "".join(f"Epoch {e}: i = {e % 3}, loss = {1 / (1 + e):.4f}\n" for e in range(1, 7))
    assert curves(write(tmp_path, "loose.log", loose))[0]["train"][0] == [1.0, 2, 3, 4, 5, 6]


def test_plain_steps_within_epochs_without_a_total_read_by_epoch(tmp_path):
    """ERFNet's print: 'loss: X (epoch: e, step: s)' with s counting the epoch's batches
    (no total to make it global) and the validation batches counted again: each epoch's
    last line holds its loss (a running mean over the epoch), so the epoch is the axis."""
    text = "".join(
        f"----- TRAINING - EPOCH {e} -----\n"
        + "".join(f"loss: {1 / e + s / 1e4:.5f} (epoch: {e}, step: {s})\n" for s in (0, 50, 100))
        + f"----- VALIDATING - EPOCH {e} -----\n"
        + "".join(f"VAL loss: {2 / e + s / 1e4:.5f} (epoch: {e}, step: {s})\n" for s in (0, 50))
        for e in range(1, 7))
    got, log = curves(write(tmp_path, "log.txt", text))
    assert got["train"][0] == [1.0, 2, 3, 4, 5, 6]
    assert got["train"][1] == pytest.approx([1 / e + 0.01 for e in range(1, 7)], abs=1e-5)
    assert got["test"][1] == pytest.approx([2 / e + 0.005 for e in range(1, 7)], abs=1e-5)
    assert "x axis: epoch" in log.notes
    resumed = "loss: 0.5 (epoch: 1, step: 10)\nloss: 0.4 (epoch: 1, step: 20)\n" \
              "loss: 0.45 (epoch: 1, step: 10)\nloss: 0.3 (epoch: 2, step: 30)\n"
    _, log = curves(write(tmp_path, "resumed.txt", resumed))   # back inside an epoch
    assert "x axis: step" in log.notes


def test_a_table_iteration_counted_within_each_epoch_is_chained(tmp_path):
    """'epoch,iteration,loss' with the iteration starting again every epoch: one axis, each
    epoch laid one interval after the last; runs appended to one file (the epoch starts
    again too) are chained within each run and are still segments."""
    rows = "".join(f"{e},{i},{3.0 - e - i / 100}\n" for e in range(3) for i in (10, 20, 30))
    got, log = curves(write(tmp_path, "train.csv", "epoch,iteration,loss\n" + rows))
    assert got["train"][0] == [10.0, 20, 30, 40, 50, 60, 70, 80, 90]
    assert got["train"][1] == sorted(got["train"][1], reverse=True)
    assert any("counts the batches of each epoch; chained across 3 epochs" in n
               for n in log.notes), log.notes
    appended = "epoch,iteration,loss\n" + rows + rows
    got, log = curves(write(tmp_path, "twice.csv", appended))
    assert got["train"][0] == [10.0, 20, 30, 40, 50, 60, 70, 80, 90]    # the last run's
    assert any("2 segments" in n for n in log.notes), log.notes
    odd = "epoch,iteration,loss\n0,10,1\n0,20,.9\n1,10,.8\n1,20,.7\n0,30,.6\n0,40,.5\n1,10,.4\n"
    _, log = curves(write(tmp_path, "odd.csv", odd))   # the epoch went back, the steps did not
    assert not any("chained" in n for n in log.notes), log.notes


def test_a_meters_value_beside_its_average_is_the_train_loss(tmp_path):
    """AverageMeter's fields logged as columns, 'loss_val' (the batch's value) and
    'loss_avg' (the running mean), per part too: the value is the train loss, not a
    validation loss, and there is no test loss."""
    text = "iteration,loss_val,loss_avg,cls_loss_val,cls_loss_avg,lr\n" + "".join(
        f"{i},{2.0 / i},{2.5 / i},{1.0 / i},{1.2 / i},0.01\n" for i in range(1, 9))
    got, log = curves(write(tmp_path, "train_loss.csv", text))
    assert set(got) == {"train", "lr"}
    assert got["train"][1] == pytest.approx([2.0 / i for i in range(1, 9)])
    assert any("read as the train loss, not a validation loss" in n for n in log.notes)
    plain = "epoch,loss,loss_val\n" + "".join(f"{e},{1 / e},{1.2 / e}\n" for e in range(1, 6))
    got, _ = curves(write(tmp_path, "history.csv", plain))    # no _avg twin: validation
    assert got["test"][1] == pytest.approx([1.2 / e for e in range(1, 6)])
    before = "epoch,avg_loss,val_loss\n" + "".join(f"{e},{1 / e},{1.2 / e}\n" for e in range(1, 6))
    got, _ = curves(write(tmp_path, "avg.csv", before))   # 'val' before the name: validation
    assert got["test"][1] == pytest.approx([1.2 / e for e in range(1, 6)])


def test_a_console_log_whose_head_holds_commas_is_read_as_text(tmp_path):
    """A logger's lines with commas at the top (an args Namespace, a warning) made the
    file look like a CSV whose header is a sentence; its losses start far below (after a
    model print), some printed as 'avg loss so far is X' and 'val loss is X'."""
    head = ("2021-09-03 19:05:28.330 | INFO | trainer:before_train - args: Namespace("
            "batch_size=4, cache=False, devices=1, fp16=True)\n"
            + "".join(f"    ({i}): Conv2d(16, 16, kernel_size=(3, 3))\n" for i in range(500)))
    body = "".join(f"Epoch {e}, Step {s}, total used time 7.1 (s), avg loss so far is"
                   f" {s / 50 / (e + 1):.4f}\n" for e in range(8) for s in (25, 50))
    body += "".join(f"Epoch {e}, val loss is {1.2 / (e + 1):.4f}\n" for e in range(8))
    got, log = curves(write(tmp_path, "train.log", head + body))
    assert got["train"] == ([0.0, 1, 2, 3, 4, 5, 6, 7],
                            pytest.approx([1 / (e + 1) for e in range(8)], abs=1e-4))
    assert got["test"][1] == pytest.approx([1.2 / (e + 1) for e in range(8)], abs=1e-4)
    assert "read as console text: its lines are no table of losses" in log.notes
    # names that do not say loss, with no banner that says so (see the CycleGAN test)
    gan = "".join(f"(epoch: 1, iters: {i}, time: 2.4, data: 0.1) D_A: 0.5 G_A: 0.4\n"
                  for i in range(100, 1000, 100))
    with pytest.raises(NoLossError, match="numeric columns: iters, time, data, D_A, G_A"):
        load(write(tmp_path, "loss_log.txt", gan))      # the console reader's error says more
    log = load(tmp_path / "loss_log.txt", options=ReadOptions(train_col="G_A"))
    assert "read as console text: its lines are no table of losses" in log.notes
    table = "a,b,c\n" + "".join(f"{i},{i * 2},{i * 3}\n" for i in range(50))
    with pytest.raises(NoLossError, match="numeric columns: a, b, c"):
        load(write(tmp_path, "numbers.csv", table))


def test_names_and_values_printed_as_two_lists(tmp_path):
    """``[Avg. Loss, Loss]: [10.44, 7.17]`` (a logger printing its names and values as two
    lists), and Keras's ``model.metrics_names`` beside what ``evaluate`` returned: each
    value is the loss its name says, not a run of numbers with no name."""
    text = "".join(f"2021-08-08 15:24:33,421 - model.train - INFO - Epoch {e}    "
                   f"[Avg. Loss, Loss]: [{4 / e:.4f}, {4.2 / e:.4f}], 0\n" for e in range(1, 9))
    got, log = curves(write(tmp_path, "job.out", text))
    assert got["train"][0] == [float(e) for e in range(1, 9)]
    assert "train loss: train Loss (also found train Avg. Loss)" in log.notes
    text = "".join(f"epoch {e} ['loss', 'val_loss', 'accuracy'] [{1 / e:.5f}, "
                   f"{1.1 / e + e / 100:.5f}, 0.9]\n" for e in range(1, 11))
    got, _ = curves(write(tmp_path, "train.log", text))
    assert got["train"][1] == pytest.approx([1 / e for e in range(1, 11)], abs=1e-5)
    assert got["test"][1] == pytest.approx([1.1 / e + e / 100 for e in range(1, 11)], abs=1e-5)
    # two lists of different lengths, or no loss among the names: left as printed
    assert "[a, b]: [1, 2, 3]" in name_listed_values(["[a, b]: [1, 2, 3] loss 0.4"])[0]
    assert name_listed_values(["[acc, f1]: [0.9, 0.8]"]) == ["[acc, f1]: [0.9, 0.8]"]


def test_a_console_log_whose_head_is_all_preamble_is_read_as_text(tmp_path):
    """A fine-tune's stdout: a banner, a long dataset sample and one progress bar's updates
    fill the first 100 KB with no loss in them; the HF Trainer's dicts come after. Sniffed
    on its head alone it was taken for a CSV with no numeric column; its end prints the
    losses, so it is console text."""
    head = "=" * 60 + "\nLoRA fine-tuning\n" + "".join(
        f"sample {i}: what is shown on an illustrated story book, choice A, B, C\n"
        for i in range(1500))
    bar = "".join(f"  {i}/1677 [00:0{i % 10}<58:53,  2.11s/it]\r" for i in range(300))
    body = "".join(f"{{'loss': '{2.9 / (1 + k / 20):.4f}', 'grad_norm': '0.77', 'learning_rate':"
                   f" '2.2e-05', 'epoch': '{k / 20:.3f}'}}\n" for k in range(1, 61))
    body += "".join(f"{{'eval_loss': '{0.74 - e / 100:.3f}', 'epoch': '{e}'}}\n" for e in (1, 2, 3))
    path = write(tmp_path, "train_log.txt", head + bar + "\n" + body + "Saving model...\n")
    assert path.stat().st_size > 100_000
    got, log = curves(path)
    assert log.format == "plain-text"
    assert len(got["train"][0]) == 60 and got["test"][1] == pytest.approx([0.73, 0.72, 0.71])


def test_a_long_format_of_step_name_value_lines(tmp_path):
    """build-nanogpt's log.txt: one value a line, '<step> <name> <value>', the train loss
    every step, the validation loss and a HellaSwag accuracy every 250. Read as a table it
    had the header '0 val 10.9499'; it is read by step now, its series named by a split's
    word alone as that split's loss (the accuracy beside them is none), or as the user
    names them; series of two train words are refused naming them."""
    lines = ["0 val 10.9499", "0 hella 0.2476"]
    for step in range(0, 1001):
        lines.append(f"{step} train {3 + 8 / (1 + step / 50):.6f}")
        if step and step % 250 == 0:
            lines += [f"{step} val {3.1 + 8 / (1 + step / 50):.4f}", f"{step} hella 0.25"]
    path = write(tmp_path, "log.txt", "\n".join(lines) + "\n")
    for log in (load(path), load(path, options=ReadOptions(train_col="train", test_col="val"))):
        assert log.format == "plain-text"
        got = {split: log.curve("", split) for split in ("train", "test")}
        assert len(got["train"][0]) == 1001 and got["train"][0][-1] == 1000
        assert list(got["test"][0]) == [0, 250, 500, 750, 1000]
    assert "'train' and 'val' read as the train and test losses: series named by a split's" \
        " word alone" in load(path).notes
    two = write(tmp_path, "two.txt", "\n".join(ln.replace("hella", "training") for ln in lines))
    with pytest.raises(NoLossError, match="numeric columns: val, training, train"):
        load(two)


def test_nanogpt_console_that_breaks_into_nan_after_its_last_evaluation(tmp_path):
    # the evaluation's 'train loss' is the curve beside 'val loss'; but when the per-iter
    # 'loss' turns NaN after the last evaluation, that spelling holds the run's end (the
    # NaN had been dropped with it: learning read, non_finite labelled)
    text = ""
    for i in range(0, 455, 5):
        if i % 100 == 0:
            text += f"step {i}: train loss {4 - i / 400:.4f}, val loss {4.01 - i / 400:.4f}\n"
        text += f"iter {i}: loss {'nan' if i >= 425 else f'{4 - i / 410:.4f}'}, time 1440ms\n"
    got, log = curves(write(tmp_path, "train.log", text))
    assert len(got["train"][0]) == 91 and math.isnan(got["train"][1][-1])
    assert got["test"][0] == [0.0, 100.0, 200.0, 300.0, 400.0]
    assert "train loss: 'loss', non-finite after the last 'train loss' (train loss also found)" \
        in log.notes
    healthy = text.replace("loss nan", "loss 2.9")
    assert len(curves(write(tmp_path, "ok.log", healthy))[0]["train"][0]) == 5


def test_cells_of_a_split_word_and_a_number_between_bars_are_the_split_losses(tmp_path):
    """'step 100 | train 2.59 | val 2.61 | lr 1.00e-03 | 14s' (a char-level transformer's
    evaluations, beside its batches' '  step 500 | loss 1.91') and 'Epoch 01 | train 7.164 |
    val 5.535 (saved)': no name said loss, so the evaluations were not read (2-4 points,
    not enough evidence). The split's word alone is the split's loss, with a train cell on
    the line; a percent, or a test cell alone, is not."""
    text = "".join(
        f"step {s:5d} | train {4 / (1 + s / 300):.4f} | val {4.1 / (1 + s / 400):.4f} |"
        f" lr 1.00e-03 | {s // 10}s\n" + (f"  step {s:5d} | loss {4 / (1 + s / 290):.4f} |"
                                          " lr 1e-3\n" if s % 500 == 0 else "")
        for s in range(0, 2100, 100))
    got, log = curves(write(tmp_path, "train_log.txt", text))
    assert len(got["train"][0]) == 21 and got["test"][1][-1] == pytest.approx(4.1 / 6, abs=1e-4)
    assert "train loss: 'train loss', printed with the test loss (loss also found)" in log.notes
    epochs = "".join(f"Epoch {e:02d} | train {7 / e:.3f} | val {6 / e:.3f}"
                     f"{' (saved)' if e % 3 else ''}\n" for e in range(1, 21))
    got, _ = curves(write(tmp_path, "train.txt", epochs))
    assert got["train"][0] == [float(e) for e in range(1, 21)] and len(got["test"][0]) == 20
    for other in ("Epoch {e} | train {a}% | val {a}%\n", "Epoch {e} | test {a} | n 4\n"):
        path = write(tmp_path, "other.txt", "".join(other.format(e=e, a=50 + e)
                                                    for e in range(1, 21)))
        with pytest.raises(LogReadError):
            load(path)


def test_a_run_appended_from_epoch_one_again_is_a_new_segment_not_a_spread(tmp_path):
    """Ten runs appended to one log, each 'Epoch 1/20, Train Loss: ..' on: the train lines
    of each epoch number were gathered over all the runs and spread over the epoch (0.1,
    0.2, ..., steps the test loss did not have). Prints under one epoch marker are the
    ones in a row; the same epoch met again after others starts a new run."""
    text = "".join(f"Epoch {e}/20, Train Loss: {0.3 + r / 100 + 0.5 / e:.4f}\n"
                   f"Epoch {e}/20, Validation Loss: {0.35 + r / 100 + 0.5 / e:.4f}\n"
                   for r in range(4) for e in range(1, 21))
    got, log = curves(write(tmp_path, "training.log", text))
    assert got["train"][0] == got["test"][0] == [float(e) for e in range(1, 21)]
    assert got["train"][1][0] == pytest.approx(0.83)


def test_batches_counted_within_epochs_keep_their_evaluations_beside_them(tmp_path):
    # 'Batch 100/1563, Loss: 1.84' with no epoch on the line, then the epoch's summary and
    # 'Val Loss: 1.46': chained curve by curve, every evaluation had been left at the last
    # batch count (1500), and so read in the order of the rows, 0-11, beside batches at
    # 0-18,700
    text = ""
    for e in range(12):
        text += "".join(f"Batch {b}/1563, Loss: {2 / (1 + e + b / 1563):.4f}, Acc: 40.0%\n"
                        for b in range(0, 1563, 100))
        text += (f"Epoch {e + 1}/12:\n  Train Loss: {2 / (1.5 + e):.4f}, Train Acc: 40%\n"
                 f"  Val Loss: {1.5 / (1 + e) + e / 40:.4f}, Val Acc: 46.94%\n")
    got, log = curves(write(tmp_path, "log_entrenamiento.txt", text))
    assert got["train"][0][:3] == [0.0, 100.0, 200.0] and len(got["train"][0]) == 192
    assert got["test"][0] == [1500.0 + 1600.0 * e for e in range(12)]
    assert "x axis: step (each epoch's count of batches chained in the order of the lines)" \
        in log.notes


def test_a_table_whose_header_the_console_reader_claimed(tmp_path):
    # '2d_loss \t3d_loss \t...' then rows of numbers: the console reader read the header
    # as 'loss 3' pairs and, finding no named values, refused; the table is the log
    rows = "".join(f"{4 / (1 + i / 50):.6f}\t{5 / (1 + i / 40):.6f}\t\n" for i in range(200))
    got, log = curves(write(tmp_path, "log.txt", "2d_loss   \t3d_loss   \t\n" + rows))
    assert log.format == "generic-csv" and len(got["train"][0]) == 200
    assert got["train"][1][0] == pytest.approx(9.0)


def test_a_step_counted_after_the_word_train_in_brackets(tmp_path):
    # absl logging of a JAX trainer: '[Train 10/1882] {'grads_finite': 1.0, 'train_loss': ..}'
    text = "".join(f"I1216 14:22:57.913980 139628846601088 train.py:577] [Train {s}/1882]"
                   f" {{'grads_finite': 1.0, 'loss_scale': 1.0, 'train_loss': {1 / s}}}\n"
                   for s in range(10, 1890, 10))
    got, _ = curves(write(tmp_path, "train_log.txt", text))
    assert got["train"][0] == [float(s) for s in range(10, 1890, 10)]


def test_a_cost_printed_without_a_colon(tmp_path):
    # a course lab's gradient descent: 'Iteration 1000: Cost 3.41e+00  dj_dw: -3.7e-01 ...'
    text = "".join(f"Iteration {i:4d}: Cost {1e4 / (1 + i):.2e}  dj_dw: -3.712e-01, dj_db:"
                   f"  6.007e-01   w:  1.949e+02, b: 1.08228e+02\n" for i in range(0, 10000, 1000))
    got, _ = curves(write(tmp_path, "lab.txt", text))
    assert got["train"][0] == [float(i) for i in range(0, 10000, 1000)]
    assert got["train"][1][1] == pytest.approx(1e4 / 1001, rel=1e-2)


def test_markers_glued_to_their_counters(tmp_path):
    # 'epoch18, iter120, loss: 0.027': the epoch and the iteration glued to their numbers
    # (they had not been read: the lines were placed by a stray 'Finish epoch 3' line);
    # a checkpoint path's 'global_step50/...' is no step
    text = "".join(f"epoch{e}, iter{i}, loss: {1 / (1 + e + i / 100):.4f}\n"
                   + (f"Finish epoch {e}, time elapsed 81.2\n" if i == 90 else "")
                   for e in range(4) for i in range(0, 100, 10))
    text += "[Rank 0] Saving checkpoint-50/global_step50/mp_rank_00.pt, logging.py:96\n"
    got, log = curves(write(tmp_path, "log_train.txt", text))
    assert len(got["train"][0]) == 40 and np.all(np.diff(got["train"][0]) > 0)
    assert "x axis: step" in log.notes


def test_llmc_main_log_steps_with_train_and_eval_losses(tmp_path):
    # llm.c's main.log: 's:N trl:X lr:.. norm:..' every step, 's:N tel:X' every 250
    text = "".join(f"s:{s} trl:{3 + 8 / (1 + s / 50):.4f} lr:0.0006 norm:1.2\n"
                   + (f"s:{s} tel:{3.1 + 8 / (1 + s / 50):.4f}\n" if s % 250 == 0 else "")
                   for s in range(1001))
    got, _ = curves(write(tmp_path, "main.log", text))
    assert len(got["train"][0]) == 1001
    assert got["test"][0] == [0.0, 250.0, 500.0, 750.0, 1000.0]
    assert got["lr"][1][0] == pytest.approx(0.0006)


def test_one_closing_line_with_a_step_is_no_step_axis(tmp_path):
    """The HF Trainer's console dicts carry epochs; its closing 'TrainOutput(global_step=
    2260, training_loss=0.04, ...)' is the one line with a step: the epochs are the axis,
    and the closing summaries ('train_loss', 'training_loss') are strays."""
    text = "".join(f"{{'loss': {1 / (e + 1):.4f}, 'learning_rate': 1e-05, 'epoch': {e / 2}}}\n"
                   + (f"{{'eval_loss': {1.1 / (e + 1):.4f}, 'epoch': {e / 2}}}\n" if e % 2 else "")
                   for e in range(1, 21))
    text += ("{'train_runtime': 332.9, 'train_loss': 0.042, 'epoch': 10.0}\n"
             "train_results= TrainOutput(global_step=2260, training_loss=0.042, metrics={})\n")
    got, log = curves(write(tmp_path, "train_log.txt", text))
    assert "x axis: epoch" in log.notes
    assert len(got["train"][0]) == 20 and len(got["test"][0]) == 10


def test_yolov5_console_rows_in_progress_bars(tmp_path):
    """YOLOv5/v7's console: 'Epoch gpu_mem box obj cls total labels img_size' (losses that
    do not say loss), each epoch's row rewritten in place by its bar ('\\r'): the last row
    of an epoch is its mean loss, the total the train loss."""
    header = "     Epoch   gpu_mem       box       obj       cls     total    labels  img_size\n"
    text = ""
    for e in range(6):
        text += header + "".join(
            f"\r     {e}/299     9.92G   {0.08 - e / 100:.4f}    0.0294         0"
            f"    {0.11 - e / 100 + i / 1e4:.4f}       161       640:  {i * 10}%|#   | {i}/10"
            for i in range(1, 11)) + "\n"
    got, log = curves(write(tmp_path, "nohup.out", text))
    assert got["train"][0] == [0.0, 1, 2, 3, 4, 5]
    assert got["train"][1] == pytest.approx([0.111 - e / 100 for e in range(6)])


def test_chainer_evaluators_by_name_are_test_losses(tmp_path):
    """Chainer's Evaluator(name='TaskA') reports TaskA/main/loss: a test loss (two
    evaluators' losses summed, as components are), not a part of the train loss."""
    rows = [{"main/loss": 1 / e, "TaskA/main/loss": 1.2 / e, "TaskB/main/loss": 1.1 / e,
             "TaskA/main/accuracy": 0.5, "epoch": e, "iteration": 100 * e} for e in range(1, 9)]
    path = tmp_path / "log"
    path.write_text(json.dumps(rows))
    got, log = curves(path)
    assert got["train"][1] == pytest.approx([1 / e for e in range(1, 9)])
    assert got["test"][1] == pytest.approx([2.3 / e for e in range(1, 9)])
    assert any("evaluators TaskA, TaskB: read as the test set" in n for n in log.notes)


def test_yolo_results_txt(tmp_path):
    """YOLOv5/v7's results.txt: no header, 'epoch/last' then gpu memory, box, obj, cls,
    total, targets, image size, P, R, mAP@.5, mAP@.5:.95, val box, obj, cls."""
    rows = "".join(f"{e:>10}/299     11.8G   {0.07 - e / 1e4:.5f}   0.03151         0"
                   f"    0.1013        30       640  0.004643    0.2902  0.001399 0.0002224"
                   f"   {0.09 - e / 1e4:.5f}   0.03846         0\n" for e in range(12))
    path = write(tmp_path, "results.txt", rows)
    assert detect(Source(path)).name == "yolo-results-txt"
    got, log = curves(path)
    assert got["train"][0] == [float(e) for e in range(12)]
    assert got["train"][1] == pytest.approx([0.07 - e / 1e4 + 0.03151 for e in range(12)])
    assert got["test"][1] == pytest.approx([0.09 - e / 1e4 + 0.03846 for e in range(12)])
    assert any("sum of 3 components: val/box_loss" in n for n in log.notes)


def test_plain_step_of_total_that_keeps_growing_across_epochs_is_the_run_step(tmp_path):
    # 'step N/T' with N counting the whole run: an evaluation at 'step 63' sits among them
    text = ("epoch 1 | step    30/90 | loss 0.9000\nepoch 1 | step    60/90 | loss 0.8000\n"
            "  >> eval @ step 60: val_loss=0.85\nepoch 2 | step    75/90 | loss 0.7000\n"
            "epoch 2 | step    90/90 | loss 0.6000\n  >> eval @ step 90: val_loss=0.75\n")
    got, _ = curves(write(tmp_path, "train.log", text))
    assert got["train"] == ([30.0, 60.0, 75.0, 90.0], [0.9, 0.8, 0.7, 0.6])
    assert got["test"] == ([60.0, 90.0], [0.85, 0.75])


@pytest.mark.parametrize("text,train,test", [
    ("Epoch 1: Train Loss=0.07, Val Loss=0.08\nEpoch 2: Train Loss=0.06, Val Loss=0.07\n"
     "Epoch 3: Train Loss=0.05, Val Loss=0.07\n", [0.07, 0.06, 0.05], [0.08, 0.07, 0.07]),
    ("Epoch 1/200 | Loss: 0.6924\nEpoch 2/200 | Loss: 0.5995\nEpoch 3/200 | Loss: 0.5894\n",
     [0.6924, 0.5995, 0.5894], None),
    ("step 10 loss=1.0\nstep 20 loss=0.8 val_loss=0.9\nstep 30 loss=0.7\n",
     [1.0, 0.8, 0.7], [0.9]),
    ("loss: 1.0\nloss: 0.9\nloss: 0.8\n", [1.0, 0.9, 0.8], None),
    # a sentence's full stop after the number, with and without an exponent (8.99e-05 was
    # read as 8.99 and 0.00013 not at all); 'trained' and 'evaluated' name the splits
    ("Epoch 0 trained with loss: 0.60096. The running time is 360.98.\n"
     "Epoch 0 evaluated with loss: 0.37965, dice score: 7.49e-05. The running time is 38.9.\n"
     "Epoch 1 trained with loss: 0.00012992109361360335. The running time is 350.8.\n"
     "Epoch 1 evaluated with loss: 0.00011, dice score: 7.51e-05. The running time is 32.3.\n"
     "Epoch 2 trained with loss: 8.993191042385548e-05. The running time is 350.8.\n"
     "Epoch 2 evaluated with loss: 9.1e-05, dice score: 7.38e-05. The running time is 32.2.\n",
     [0.60096, 0.00012992109361360335, 8.993191042385548e-05], [0.37965, 0.00011, 9.1e-05]),
    # a 'v_' prefix is the validation's ('v_loss 4.59e+00  loss 5.36e+00', rich logging)
    ("Epoch 0: v_recons 4.545e-01  recons 4.626e-01  v_loss 4.591e+00  loss 5.362e+00\n"
     "Epoch 1: v_recons 4.458e-01  recons 4.412e-01  v_loss 4.035e+00  loss 4.258e+00\n"
     "Epoch 2: v_recons 4.1e-01  recons 4.0e-01  v_loss 3.9e+00  loss 3.7e+00\n",
     [5.362, 4.258, 3.7], [4.591, 4.035, 3.9]),
    ("Epoch 1 - train: loss=0.5 acc=0.8 | val: loss=0.6 acc=0.7\n"
     "Epoch 2 - train: loss=0.4 acc=0.9 | val: loss=0.5 acc=0.8\n"
     "Epoch 3 - train: loss=0.3 acc=0.9 | val: loss=0.5 acc=0.8\n", [0.5, 0.4, 0.3],
     [0.6, 0.5, 0.5]),
    ("Epoch 0:  50%|#####     | 5/10 [00:01<00:01, 4.9it/s, loss=0.9, v_num=0]\r"
     "Epoch 0: 100%|##########| 10/10 [00:02<00:00, 4.9it/s, loss=0.8, v_num=0, val_loss=0.85]\n"
     "Epoch 1: 100%|##########| 10/10 [00:02<00:00, 4.9it/s, loss=0.6, v_num=0, val_loss=0.7]\n"
     "Epoch 2: 100%|##########| 10/10 [00:02<00:00, 4.9it/s, loss=0.5, v_num=0, val_loss=0.65]\n",
     [0.9, 0.8, 0.6, 0.5], [0.85, 0.7, 0.65]),
    ("number of parameters: 0.02M\nstep 25: train loss 2.8866, val loss 2.5002\n"
     "step 50: train loss 2.1618, val loss 1.7695\nstep 75: train loss 1.4616, val loss 1.1436\n",
     [2.8866, 2.1618, 1.4616], [2.5002, 1.7695, 1.1436]),
    ("iter 0: loss 4.2188, time 120.52ms, mfu -100.00%\niter 10: loss 3.1920, time 30.10ms, "
     "mfu 12.00%\niter 20: loss 2.7504, time 30.13ms, mfu 12.01%\n", [4.2188, 3.192, 2.7504],
     None),
    ("epoch 1 | step 2/40 | loss(avg) 1.7439 | lr 8.5e-05\n"
     "epoch 1 | step 4/40 | loss(avg) 1.6021 | lr 1.7e-04\n  >> eval @ step 4: val_loss=1.7\n"
     "epoch 2 | step 6/40 | loss(avg) 1.5930 | lr 2.5e-04\n", [1.7439, 1.6021, 1.593], [1.7]),
    ("model parameters: 4,485\nstep      9 | smooth_loss 1.6114 | acc 0.200 | lr 1.08e-02\n"
     "step     19 | smooth_loss 1.6108 | acc 0.228 | lr 1.19e-02\n"
     "  val @ step     19 | val_loss 1.5365 | val_acc 0.3912\n"
     "step     29 | smooth_loss 1.6067 | acc 0.312 | lr 1.30e-02\n",
     [1.6114, 1.6108, 1.6067], [1.5365]),
    ("tokens      20480 | loss 702.2655 | acc 0.072 | lr 2.00e-03\n"
     "tokens      40960 | loss 657.3019 | acc 0.098 | lr 2.00e-03\n"
     "  val @ tokens     40960 | val_loss 552.3012 | val_acc 0.2871 | val_ppl 31.02\n"
     "tokens      61440 | loss 665.3758 | acc 0.096 | lr 2.00e-03\n",
     [702.2655, 657.3019, 665.3758], [552.3012]),
    ("| INFO | train_inner | epoch 001:  100 / 200 loss=9.1, ppl=548.8, num_updates=100\n"
     "| INFO | train_inner | epoch 001:  200 / 200 loss=8.2, ppl=294.1, num_updates=200\n"
     "| INFO | valid | epoch 001 | valid on 'valid' subset | loss 8.5 | ppl 362 | num_updates 200\n"
     "| INFO | train | epoch 001 | loss 8.6 | ppl 388 | num_updates 200 | lr 0.0005\n"
     "| INFO | train_inner | epoch 002:  100 / 200 loss=7.7, ppl=207.9, num_updates=300\n",
     [9.1, 8.6, 7.7], [8.5]),
    ("Epoch 1 | lr 0.1 | val_acc 0.90 | loss 0.52\nEpoch 2 | lr 0.1 | val_acc 0.91 | loss 0.50\n"
     "Epoch 3 | lr 0.1 | val_acc 0.92 | loss 0.45\n", [0.52, 0.5, 0.45], None),
    ("{'loss': '1.613', 'grad_norm': '0.2736', 'learning_rate': '0.001159', 'epoch': '0.5'}\n"
     "{'loss': '1.604', 'grad_norm': '0.1971', 'learning_rate': '0.001365', 'epoch': '1'}\n"
     "{'eval_loss': '1.58', 'eval_runtime': '0.1', 'epoch': '1'}\n"
     "{'loss': '1.52', 'grad_norm': '0.2522', 'learning_rate': '0.001607', 'epoch': '1.5'}\n",
     [1.613, 1.604, 1.52], [1.58]),
    ("Scheduled epochs: 80. LR stepped per epoch.\n"
     "Train: 0 [   4/5 (100%)]  Loss: 1.58 (1.66)  Time: 0.003s, 3554.80/s  LR: 3.000e-03\n"
     "Test: [   5/5]  Time: 0.004 (0.006)  Loss:   1.615 (1.6147)  Acc@1:  19.000 ( 19.000)\n"
     "Train: 1 [   4/5 (100%)]  Loss: 1.41 (1.45)  Time: 0.003s, 3554.80/s  LR: 3.000e-03\n"
     "Test: [   5/5]  Time: 0.004 (0.006)  Loss:   1.502 (1.5021)  Acc@1:  29.000 ( 29.000)\n"
     "*** Best metric: 1.5021 (epoch 1)\n", [1.58, 1.41], [1.615, 1.502]),
    ("      Epoch    GPU_mem   cls_loss  Instances       Size\n"
     "       1/20         0G      1.272         16        640: 100%|####| 32/32 [00:00<00:00]\n"
     "               classes   top1_acc   top5_acc   val_loss: 100%|####| 6/6 [00:00<00:00]\n"
     "                   all      0.347          1      1.179\n"
     "      Epoch    GPU_mem   cls_loss  Instances       Size\n"
     "       2/20         0G      1.131         16        640: 100%|####| 32/32 [00:00<00:00]\n",
     [1.272, 1.131], None),
    # Swin Transformer's logger: the epoch and the batch are in 'Train: [e/E][i/N]', printed
    # before the 'EPOCH e training takes' line (read as the epoch marker alone, each epoch's
    # train losses went to the epoch before): each print is a point, at e * N + i
    ("INFO Train: [0/30][0/500]\teta 0:10:00 lr 0.000100\ttime 0.3 (0.3)\tloss 2.9 (2.9)\t"
     "mem 4000MB\nINFO Train: [0/30][100/500]\teta 0:09:00 lr 0.000100\ttime 0.3 (0.3)\t"
     "loss 2.7 (2.8)\tmem 4000MB\nINFO EPOCH 0 training takes 0:05:00\n"
     "INFO Test: [0/50]\tTime 0.1 (0.1)\tLoss 2.5 (2.5)\tAcc@1 10.0 (10.0)\tMem 4000MB\n"
     "INFO  * Acc@1 10.000 Acc@5 50.000\n"
     "INFO Train: [1/30][0/500]\teta 0:10:00 lr 0.000100\ttime 0.3 (0.3)\tloss 2.4 (2.4)\t"
     "mem 4000MB\nINFO EPOCH 1 training takes 0:05:00\n"
     "INFO Test: [0/50]\tTime 0.1 (0.1)\tLoss 2.2 (2.2)\tAcc@1 20.0 (20.0)\tMem 4000MB\n",
     [2.9, 2.7, 2.4], [2.5, 2.2]),
    # a variant printing the epoch's means as well (' * Train Loss', ' * Val Loss') beside
    # the meters of 'Train: [e/E]' and 'Validate:' lines: the stated names are the curves
    ("INFO Train: [0/50]\tlr 0.0003\tloss 1.4072 (1.7318)\tAcc@1 48.8 (37.0)\n"
     "INFO EPOCH 0 training takes 0:00:16\nINFO  * Train Acc 37.002 Train Loss 1.732\n"
     "INFO Validate: \tTime 0.102 (0.162)\tLoss 1.2919 (1.2955)\tAcc@1 51.5 (52.3)\n"
     "INFO  * Val Acc 52.270 Val Loss 1.296\n"
     "INFO Train: [1/50]\tlr 0.0003\tloss 1.0742 (1.2799)\tAcc@1 60.9 (53.8)\n"
     "INFO EPOCH 1 training takes 0:00:16\nINFO  * Train Acc 53.798 Train Loss 1.280\n"
     "INFO Validate: \tTime 0.106 (0.169)\tLoss 1.0955 (1.0861)\tAcc@1 58.0 (60.7)\n"
     "INFO  * Val Acc 60.740 Val Loss 1.086\n", [1.732, 1.28], [1.296, 1.086]),
    # TF Estimator: an evaluation's results are 'Saving dict for global step N: ...,
    # loss = X' (its loss, not one more train point); 'Loss for final step: 0.27' names no
    # step 0
    ("INFO:tensorflow:loss = 0.6931, step = 0\n"
     "INFO:tensorflow:loss = 0.5120, step = 100 (2.1 sec)\n"
     "INFO:tensorflow:global_step/sec: 47.6\n"
     "INFO:tensorflow:loss = 0.4010, step = 200 (2.1 sec)\n"
     "INFO:tensorflow:Finished evaluation at 2019-03-01-10:02:30\n"
     "INFO:tensorflow:Saving dict for global step 200: accuracy = 0.81, global_step = 200,"
     " loss = 0.4400\n"
     "INFO:tensorflow:loss = 0.3500, step = 300 (2.1 sec)\n"
     "INFO:tensorflow:loss = 0.3010, step = 400 (2.1 sec)\n"
     "INFO:tensorflow:Saving dict for global step 400: accuracy = 0.84, global_step = 400,"
     " loss = 0.3900\n"
     "INFO:tensorflow:Loss for final step: 0.2712.\n",
     [0.6931, 0.512, 0.401, 0.35, 0.301], [0.44, 0.39]),
    # BERT's and the Hugging Face examples' '***** Eval results *****' banner over one value
    # a line: its lines are the evaluation's, 'global_step = N' among them
    ("12/01/2019 10:00:00 - INFO - __main__ -   epoch 1 step 100 loss = 0.61\n"
     "12/01/2019 10:00:05 - INFO - __main__ -   ***** Eval results *****\n"
     "12/01/2019 10:00:05 - INFO - __main__ -     global_step = 100\n"
     "12/01/2019 10:00:05 - INFO - __main__ -     loss = 0.58\n"
     "12/01/2019 10:00:09 - INFO - __main__ -   epoch 2 step 200 loss = 0.42\n"
     "12/01/2019 10:00:15 - INFO - __main__ -   ***** Eval results *****\n"
     "12/01/2019 10:00:15 - INFO - __main__ -     global_step = 200\n"
     "12/01/2019 10:00:15 - INFO - __main__ -     loss = 0.49\n", [0.61, 0.42], [0.58, 0.49]),
    # the PyTorch ImageNet example's meters: 'Test: [0/4] ... Loss v (avg)' lines, then the
    # evaluation's result on a ' * ' line ('LOSS' there, no split word): the test loss; each
    # 'Epoch: [e][i/N]' print a train point at e * N + i
    ("Epoch: [0][0/108]\tTime 0.41 (0.41)\tLoss 0.1962 (0.1962)\tERR 30.1 (30.1)\n"
     "Epoch: [0][100/108]\tTime 0.20 (0.21)\tLoss 0.1072 (0.1609)\tERR 25.9 (28.0)\n"
     "Test: [0/4]\tTime 0.066 (0.066)\tLoss 0.1063 (0.1063)\tERR 25.7 (25.7)\n"
     " * ERR 24.728 LOSS 0.105\n"
     "Epoch: [1][0/108]\tTime 0.41 (0.41)\tLoss 0.1062 (0.1062)\tERR 24.7 (24.7)\n"
     "Epoch: [1][100/108]\tTime 0.20 (0.21)\tLoss 0.0941 (0.0969)\tERR 24.2 (25.6)\n"
     "Test: [0/4]\tTime 0.068 (0.068)\tLoss 0.0769 (0.0769)\tERR 21.6 (21.6)\n"
     " * ERR 23.192 LOSS 0.084\n", [0.1962, 0.1072, 0.1062, 0.0941], [0.105, 0.084]),
    # the early PyTorch-YOLOv3's '[Losses: x 0.27, ..., total 15.14, recall: 0.0]': names
    # and values with no colon, said to be losses by their heading; 'total' is the loss
    ("[Epoch 0/30, Batch 0/7329] [Losses: x 0.272151, y 0.254906, w 4.818650, h 4.610126,"
     " conf 4.368177, cls 0.819295, total 15.143305, recall: 0.00000, precision: 0.00000]\n"
     "[Epoch 0/30, Batch 1/7329] [Losses: x 0.293469, y 0.274481, w 9.411040, h 7.295195,"
     " conf 4.243053, cls 0.818346, total 22.335585, recall: 0.00473, precision: 0.00012]\n"
     "[Epoch 0/30, Batch 2/7329] [Losses: x 0.287134, y 0.270254, w 8.582551, h 5.053944,"
     " conf 3.922812, cls 0.810259, total 18.926954, recall: 0.00253, precision: 0.00012]\n",
     [15.143305, 22.335585, 18.926954], None),
    # a tutorial's 'Epoch [e/E], Batch [b/N], Loss: ...': the batch counts within its epoch
    # (made global as epoch * N + b), a point at each print, not one an epoch
    ("".join(f"Epoch [{e}/3], Batch [{b}/600], Loss: {2.0 / (e * 6 + b / 100):.4f}\n"
             for e in range(1, 4) for b in range(100, 700, 200)),
     [round(2.0 / (e * 6 + b / 100), 4) for e in range(1, 4) for b in range(100, 700, 200)],
     None),
    # a custom print with each value before its name ('0.9816 C.E. Loss'), a clock time
    # ('PM : 0.98') in front that is no value's name; a split's word makes the test's
    ("".join(f"Epoch {e} @ 10:{27 + e} PM : {1 - e / 50:.4f} C.E. Loss, 9{e}.28% Accuracy,"
             f" test {1.1 - e / 60:.4f} C.E. Loss\n" for e in range(4)),
     [round(1 - e / 50, 4) for e in range(4)], [round(1.1 - e / 60, 4) for e in range(4)]),
    # Caffe's solver: 'Iteration N, loss = X' is the train objective; the test's is the sum
    # of the weighed parts of its 'Test net output' lines (an accuracy among them is none)
    ("".join(f"I0712 22:28:0{i}.8 32223 solver.cpp:340] Iteration {i * 40}, Testing net (#0)\n"
             f"I0712 22:28:0{i}.9 32223 solver.cpp:408]     Test net output #0: loss1/loss1 ="
             f" {5 - i} (* 0.3 = {(5 - i) * 0.3:g} loss)\n"
             f"I0712 22:28:0{i}.9 32223 solver.cpp:408]     Test net output #1: loss3/top-1 ="
             f" 0.{i + 1}\n"
             f"I0712 22:28:0{i}.9 32223 solver.cpp:408]     Test net output #2: loss3/loss3 ="
             f" {4 - i} (* 1 = {4 - i} loss)\n"
             f"I0712 22:28:0{i}.9 32223 solver.cpp:189] Iteration {i * 40}, loss = {7 - i}.5\n"
             f"I0712 22:28:0{i}.9 32223 solver.cpp:204]     Train net output #0: loss1/loss1 ="
             f" {6 - i} (* 0.3 = {(6 - i) * 0.3:g} loss)\n" for i in range(3)),
     [7.5, 6.5, 5.5], [5 * 0.3 + 4, 4 * 0.3 + 3, 3 * 0.3 + 2]),
    # Deeplearning4j's ScoreIterationListener, among the logger's other lines: the score at
    # an iteration is the loss there
    ("06:36:54.849 [main] INFO org.nd4j.nativeblas.NativeOpsHolder - Number of threads used"
     " for linear algebra: 32\n" + "".join(
         f"06:38:1{i}.402 [main] INFO org.deeplearning4j.optimize.listeners."
         f"ScoreIterationListener - Score at iteration {i * 100} is {1.6 - i / 10}\n"
         for i in range(4)), [1.6, 1.5, 1.4, 1.3], None),
], ids=["emonet-style", "rooftop-style", "step-markers", "no-markers",
        "full-stop-after-number", "v-prefix-validation", "split-context",
        "tqdm-progress", "nanogpt-eval", "nanogpt-iter", "qualified-bare-loss",
        "one-word-bare-losses", "tokens-seen-axis", "fairseq", "metric-name-is-no-context",
        "hf-console-quoted-values", "timm-closing-best-epoch", "a-bar-percent-is-no-value",
        "swin-train-brackets", "swin-epoch-means", "tf-estimator-eval-dict",
        "eval-results-banner", "imagenet-meters-summary", "yolov3-losses-group",
        "batch-in-epoch", "value-before-name", "caffe-solver",
        "dl4j-score"])
def test_plain_text_line_styles(tmp_path, text, train, test):
    got, log = curves(write(tmp_path, "train.log", text))
    assert log.format == "plain-text"
    assert got["train"][1] == pytest.approx(train)
    assert (got.get("test", (None, None))[1] or None) == (pytest.approx(test) if test else None)


@pytest.mark.parametrize("text,train,test,note", [
    # nanoGPT prints a per-batch 'iter N: loss' and, every eval_interval, 'step N: train loss,
    # val loss': the evaluated pair is the curve, the per-batch loss a note, not a refusal
    ("iter 0: loss 4.2188, time 120.52ms, mfu -100.00%\n"
     "step 0: train loss 4.2100, val loss 4.2200\n"
     "iter 10: loss 3.1920, time 30.10ms, mfu 12.00%\n"
     "iter 20: loss 2.7504, time 30.13ms, mfu 12.01%\n"
     "step 20: train loss 2.7000, val loss 2.8000\n"
     "iter 30: loss 2.4100, time 30.13ms, mfu 12.01%\n"
     "step 30: train loss 2.4000, val loss 2.6000\n",
     ([0.0, 20.0, 30.0], [4.21, 2.7, 2.4]), ([0.0, 20.0, 30.0], [4.22, 2.8, 2.6]),
     "printed with the test loss (loss also found)"),
    # Python logging: 'step N | loss' every 25 steps, 'epoch E done | train_loss' after each
    # epoch, val lines of their own: the per-step loss is the train curve (printed on more
    # lines), the summary a note, not a refusal; the test loss sits at its own steps
    ("2026-12-01 22:33:02,861 - net - INFO - num_examples=2016 steps_per_epoch=63\n"
     "2026-12-01 22:33:02,940 - net - INFO - step 24 | loss 1.6190 | lr 1.0e-03\n"
     "2026-12-01 22:33:03,016 - net - INFO - step 49 | loss 1.6064 | lr 1.0e-03\n"
     "2026-12-01 22:33:03,053 - net - INFO - epoch 1 done | train_loss 1.6113\n"
     "2026-12-01 22:33:03,084 - net - INFO - step 74 | loss 1.6022 | lr 1.0e-03\n"
     "2026-12-01 22:33:04,255 - net - INFO - eval step 74 | val_loss 1.3355\n",
     ([24.0, 49.0, 74.0], [1.619, 1.6064, 1.6022]), ([74.0], [1.3355]),
     "'loss', printed on 3 lines (train_loss also found)"),
], ids=["nanogpt-eval-pair", "per-step-beside-epoch-summary"])
def test_plain_text_of_two_train_losses_keeps_one_and_says_which(tmp_path, text, train, test,
                                                                  note):
    got, log = curves(write(tmp_path, "train.log", text))
    assert got["train"] == (train[0], pytest.approx(train[1]))
    assert got["test"] == (test[0], pytest.approx(test[1]))
    assert any(note in n for n in log.notes), log.notes


def test_plain_text_tqdm_bars_are_read_at_every_update_counted_across_the_bars(tmp_path):
    # a tqdm bar per epoch captured to a file (updates rewritten with \\r), the running loss in
    # its postfix, the val loss printed by tqdm.write after the bar: each update is a point at
    # its iteration (bars before it * total + n); three epochs are 6 train points, not 3
    bar = "Epoch {e}: {p:3d}%|#####     | {n}/4 [00:00<00:00, 60.1it/s{post}]"
    text = ""
    for e, losses in enumerate(([1.5, 1.2], [1.0, 0.9], [0.8, 0.75])):
        text += bar.format(e=e, p=0, n=0, post="") + "\r"
        for n, loss in zip((2, 4), losses, strict=True):
            text += bar.format(e=e, p=25 * n, n=n, post=f", loss={loss}") + "\r"
        text += f"\nEpoch {e}: val_loss={1.3 - 0.2 * e:.1f} val_acc=0.7\n"
    got, log = curves(write(tmp_path, "train.log", text))
    assert got["train"] == ([2.0, 4.0, 6.0, 8.0, 10.0, 12.0],
                            pytest.approx([1.5, 1.2, 1.0, 0.9, 0.8, 0.75]))
    assert got["test"] == ([4.0, 8.0, 12.0], pytest.approx([1.3, 1.1, 0.9]))
    assert "x axis: iteration (progress-bar updates, counted across the bars)" in log.notes
    # a bar without an epoch tag starts again when its n goes back
    plain = text.replace("Epoch 0: ", "").replace("Epoch 1: ", "").replace("Epoch 2: ", "")
    assert curves(write(tmp_path, "bare.log", plain))[0]["train"][0] == [2.0, 4.0, 6.0, 8.0,
                                                                       10.0, 12.0]


def test_a_loss_printed_in_a_bar_and_again_capitalised_after_each_epoch_is_one_loss(tmp_path):
    # a tqdm bar per epoch with the batch loss in its postfix (past its total, without the
    # bar), then the epoch's mean printed as 'Epoch 3 Loss: 87.17': 'loss' and 'Loss' are
    # one loss printed twice, not two
    # train losses to choose between (a real capture was refused so)
    bar = "Epoch {e}: {p:3d}%|#####     | {n}/4 [00:21<00:00, 21.4s/it, loss={loss}]"
    text = ""
    for e in range(1, 11):
        for n in (2, 4):
            text += "\r" + bar.format(e=e, p=25 * n, n=n, loss=round(90 + (e * n) % 7, 1))
        # the loader yields more batches than the bar's total: tqdm drops the bar
        text += f"\rEpoch {e}: 5it [00:30, 16.4s/it, loss={89 + e % 4}]"
        text += "\r" + " " * 60 + f"\rEpoch {e} Loss: {88 + e % 3:.4f}\n"
    got, log = curves(write(tmp_path, "train.out", text))
    assert list(got) == ["train"] and len(got["train"][0]) >= 10
    assert any("Loss, the same name in another case (one loss printed twice)" in n
               for n in log.notes), log.notes


def test_the_pytorch_tutorials_epoch_and_batch_counter_opens_console_text_not_json(tmp_path):
    # the CIFAR-10 tutorial prints '[1,  2000] loss: 2.173': a file that starts with it was
    # refused as 'invalid JSON at line 1, column 12: Extra data' ('[1,  2000]' is an array)
    text = "".join(f"[{e}, {i:5d}] loss: {2.3 / (1 + 0.1 * (6 * e + i / 2000)):.3f}\n"
                   for e in range(1, 11) for i in range(2000, 12001, 2000))
    got, _ = curves(write(tmp_path, "train.log", text + "Finished Training\n"))
    assert len(got["train"][1]) == 60 and got["train"][1][0] == pytest.approx(1.353)


def test_a_loss_named_with_a_qualifier_in_parentheses_is_read(tmp_path):
    # '[5] Training loss (Running): 0.172' each epoch, '(Total)' train and validation
    # losses every fifth: names with a parenthesised word were no names at all ('no loss
    # column found' beside a model summary's 'LSTM Hidden Dim : 64')
    text = "LSTM Hidden Dim : 64\nl1 output dim : 66\n"
    for e in range(1, 41):
        text += f"[{e},    70] Training loss (Running): {1 / e:.3f}\n"
        if e % 5 == 0:
            text += (f"[{e}] Training loss (Total): {0.9 / e:.3f}\n"
                     f"[{e}] Validation loss (Total): {0.5 + 0.2 / e:.3f}\n")
    got, log = curves(write(tmp_path, "nohup.out", text))
    assert set(got) == {"train", "test"}
    assert got["test"][1][:2] == pytest.approx([0.54, 0.52])
    assert any("Training loss (" in n for n in log.notes), log.notes


def test_a_bare_counter_of_planned_epochs_on_evaluation_lines_is_the_epoch(tmp_path):
    # 'INFO:root:[3/1000]: train_loss: .., test_loss: ..' for each of several early-stopped
    # runs appended to one file: the counter is the epoch (it restarts with each run, so
    # the last run is diagnosed), not the order of the lines across all runs
    text = ""
    for run in range(3):
        text += f"INFO:root:=====\nINFO:root:{run}: motif_{run}\n"
        for e in range(1, 21):
            text += (f"INFO:root:[{e}/1000]: train_auc: 90.1, train_loss: {1 / e + run:.4f},"
                     f" test_auc: 91.2, test_loss: {1 / e + 0.2 + 0.004 * e:.4f}\n")
    got, log = curves(write(tmp_path, "training.log", text))
    assert got["train"][0] == [float(e) for e in range(1, 21)]
    assert got["train"][1][0] == pytest.approx(3.0)
    assert "x axis: epoch" in log.notes
    # a batch counter on lines with no evaluation's loss stays a count of lines
    batches = "".join(f"[{b}/938] loss: {1 / b:.4f}\n" for b in range(1, 41))
    assert "x axis: epoch" not in curves(write(tmp_path, "b.log", batches))[1].notes


def test_a_val_loss_carried_in_every_bar_update_is_one_point_an_evaluation(tmp_path):
    # Lightning's tqdm bar shows the last val_loss in its postfix at every update until the
    # next evaluation: only its first print is a point
    bar = "Epoch {e}: {p:3d}%|#####     | {n}/4 [00:00<00:00, 60.1it/s, loss={loss}{val}]"
    text, val = "", ""
    for e, losses in enumerate(([1.5, 1.2], [1.0, 0.9], [0.8, 0.75])):
        for n, loss in zip((2, 4), losses, strict=True):
            text += bar.format(e=e, p=25 * n, n=n, loss=loss, val=val) + "\r"
        val = f", val_loss={1.3 - 0.2 * e:.1f}"
        text += bar.format(e=e, p=100, n=4, loss=losses[-1], val=val) + "\n"
    got, _ = curves(write(tmp_path, "train.log", text))
    assert got["train"][1] == pytest.approx([1.5, 1.2, 1.0, 0.9, 0.8, 0.75])
    assert got["test"] == ([4.0, 8.0, 12.0], pytest.approx([1.3, 1.1, 0.9]))


def test_evaluations_printed_once_a_bar_keep_their_equal_values(tmp_path):
    # a val loss at a plateau printed to 3 digits, once at each epoch's end: every one of
    # them is an evaluation, equal or not
    bar = "Epoch {e}: 100%|##########| 4/4 [00:00<00:00, 60.1it/s, loss={loss}, val_loss={v}]"
    vals = [0.9, 0.7, 0.7, 0.7, 0.69]
    text = "".join(bar.format(e=e, loss=1.0 - 0.1 * e, v=v) + "\n" for e, v in enumerate(vals))
    got, _ = curves(write(tmp_path, "train.log", text))
    assert got["test"][1] == pytest.approx(vals)


def test_a_rich_live_display_captured_with_its_escape_codes(tmp_path):
    # Lightning's RichProgressBar run in a terminal: colour codes around the names, the
    # val_loss on a second line under the bar, each frame erased and redrawn (ESC[2K,
    # ESC[1A) on the same line of the file; the bar 'Epoch e/E ━━━╸━━ n/total' counts steps
    esc = "\x1b"
    text = ""
    val = ""
    for e, losses in enumerate(([1.5, 1.2], [1.0, 0.9], [0.8, 0.75])):
        for n, loss in zip((2, 4), losses, strict=True):
            text += (f"{esc}[2K{esc}[1A{esc}[2KEpoch {e}/2 {esc}[35m━━━━━━{esc}[0m{esc}[90m╺━━"
                     f"{esc}[0m {n}/4 {esc}[2m0:00:00 • 0:00:01{esc}[0m {esc}[2;4m60.1it/s"
                     f"{esc}[0m {esc}[3mv_num: 1.000 train_loss: {loss}{esc}[0m\n")
            text += f"{' ' * 40}{esc}[3m{val}{esc}[0m"
        val = f"val_loss: {1.3 - 0.2 * e:.3f} val_acc: 0.7"
        text += f"{esc}[2K{esc}[1A{esc}[2KValidation ━━━━━━━━ 1/1 0:00:00 • 0:00:00\n"
        text += f"{' ' * 40}{esc}[3m{val}{esc}[0m"
    got, log = curves(write(tmp_path, "train.log", text + "\n"))
    assert got["train"] == ([2.0, 4.0, 6.0, 8.0, 10.0, 12.0],
                            pytest.approx([1.5, 1.2, 1.0, 0.9, 0.8, 0.75]))
    assert got["test"][1] == pytest.approx([1.3, 1.1, 0.9])
    assert "x axis: iteration (progress-bar updates, counted across the bars)" in log.notes


def test_mindspore_loss_monitor_lines_at_each_epochs_last_step(tmp_path):
    # MindSpore's LossMonitor prints 'loss is X' (or a Tensor's value); the step counts the
    # batches of its epoch, here the same last batch at every epoch: the epoch is the axis
    text = "".join(f"epoch: {e} step: 62, loss is {2.0 - e / 10}\n"
                   f"Train epoch time: 8835.742 ms, per step time: 142.512 ms\n"
                   f"epoch: {e} acc: 0.93, best acc is 0.94\n" for e in range(1, 7))
    got, log = curves(write(tmp_path, "train.log", text))
    assert got["train"] == ([1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
                            pytest.approx([1.9, 1.8, 1.7, 1.6, 1.5, 1.4]))
    assert "x axis: epoch" in log.notes
    tensor = "".join(f"epoch: 1 step: {n}, loss is Tensor(shape=[], dtype=Float32, value= "
                     f"{1.0 - n / 100})\n" for n in range(1, 7))
    assert curves(write(tmp_path, "tensor.log", tensor))[0]["train"][1] == pytest.approx(
        [0.99, 0.98, 0.97, 0.96, 0.95, 0.94])


def test_an_epochs_train_summary_is_no_point_of_the_batches_curve(tmp_path):
    # the PyTorch ImageNet example's meters, then the epoch's own summary line: its 'Loss'
    # (a sum of four task losses here, 4x the batches') had been written over the batch
    # loss at the epoch's last step, spiking the curve at every epoch's end
    text = ""
    for e in range(6):
        text += "".join(f"Epoch: [{e}][{b}/108]\tTime 0.2 (0.2)\tLoss {0.1 - e / 100 - b / 1e4:.4f}"
                        f" ({0.1:.4f})\tERR 24.0 (25.0)\n" for b in range(0, 108, 20))
        text += (f"Training Error: 27.880  Loss: {0.6 - e / 20:.3f}\n"
                 f"Test: [0/4]\tTime 0.066 (0.066)\tLoss {0.1:.4f} (0.1)\tERR 25.7 (25.7)\n"
                 f" * ERR 24.728 LOSS {0.105 - e / 200:.3f}\n")
    got, log = curves(write(tmp_path, "train.log", text))
    assert max(got["train"][1]) < 0.11
    assert len(got["train"][1]) == 36
    assert got["test"][1] == pytest.approx([0.105 - e / 200 for e in range(6)])
    assert "train loss: 'Loss', printed on 36 lines (epoch Loss also found)" in log.notes


def test_skeleton_trainers_mean_losses_and_best_epoch_references(tmp_path):
    # ST-GCN-style print_log: 'Mean test loss of 63 batches: X.'; the eval's accuracy line
    # names the best epoch so far ('Best 0.037 ep 0'), which is not the epoch evaluated
    text = "".join(
        f"[ Fri Oct 18 02:09:12 2024 ] Training epoch: {e}\n"
        f"[ Fri Oct 18 02:09:12 2024 ] \tMean training loss: {4 / e:.4f}.\n"
        f"[ Fri Oct 18 02:09:12 2024 ] Eval epoch: {e}\n"
        f"Accuracy:  0.{e:02d} Best 0.{e:02d} ep {min(e - 1, 2)}  model:  runs/2102\n"
        f"[ Fri Oct 18 02:09:21 2024 ] \tMean test loss of 63 batches: {3 / e + 0.5}.\n"
        f"[ Fri Oct 18 02:09:21 2024 ] \tTop1: 3.70%\n" for e in range(1, 9))
    got, _ = curves(write(tmp_path, "log.txt", text))
    assert got["train"] == ([float(e) for e in range(1, 9)],
                            pytest.approx([4 / e for e in range(1, 9)], rel=1e-3))
    assert got["test"] == ([float(e) for e in range(1, 9)],
                           pytest.approx([3 / e + 0.5 for e in range(1, 9)]))


def catboost_verbose(tests: list[float], learn: list[float], maximised: bool = False) -> str:
    """CatBoost's verbose print: the metric unnamed, ``best`` the eval set's best yet."""
    best, lines = tests[0], ["Learning rate set to 0.05"]
    for i, (t, train) in enumerate(zip(tests, learn, strict=True)):
        best = max(best, t) if maximised else min(best, t)
        lines.append(f"{i}:\tlearn: {train:.7f}\ttest: {t:.7f}\tbest: {best:.7f} ({i})\t"
                     f"total: {10 * i}ms\tremaining: {10 * (len(tests) - i)}ms")
    return "\n".join(lines + [f"\nbestTest = {best}", "bestIteration = 3"]) + "\n"


def test_catboost_verbose_lines_are_the_objectives_curves(tmp_path):
    learn = [0.7 * 0.9 ** i for i in range(8)]
    tests = [0.7, 0.6, 0.52, 0.5, 0.51, 0.53, 0.56, 0.6]
    got, _ = curves(write(tmp_path, "catboost.txt", catboost_verbose(tests, learn)))
    assert got["train"] == (list(map(float, range(8))), pytest.approx(learn))
    assert got["test"] == (list(map(float, range(8))), pytest.approx(tests))
    # without an eval set there is no best: the printed metric is the objective
    alone = "".join(f"{i}:\tlearn: {v:.7f}\ttotal: {i}ms\tremaining: {8 - i}ms\n"
                    for i, v in enumerate(learn))
    assert curves(write(tmp_path, "learn.txt", alone))[0]["train"][1] == pytest.approx(learn)


def test_catboost_verbose_lines_of_two_fits_printed_every_100_iterations(tmp_path):
    # a notebook's cell fits twice (the second fit's best starts again), and metric_period
    # prints every 100th iteration, so the best can lie between the printed values
    def fit(scale: float) -> list[str]:
        out, best = [], np.inf
        for i in range(0, 1000, 100):
            test = scale * (0.3 + 0.5 * np.exp(-i / 200))
            best = min(best, test * (0.999 if i else 1.0))     # an unprinted iteration's
            out.append(f"{i}:\tlearn: {scale * 0.8 * np.exp(-i / 300):.7f}\ttest: {test:.7f}"
                       f"\tbest: {best:.7f} ({i})\ttotal: 1s\tremaining: 1s")
        return out
    text = "\n".join(fit(2.0) + ["bestTest = 0.6", "bestIteration = 900"] + fit(1.0)) + "\n"
    got, log = curves(write(tmp_path, "cell.txt", text))
    assert len(got["test"][0]) == 10 and got["test"][1][-1] == pytest.approx(0.3 + 0.5 *
                                                                             np.exp(-4.5))
    assert any("segments" in n for n in log.notes)


def test_catboost_verbose_lines_of_a_score_that_only_rose_are_no_loss(tmp_path):
    # AUC as the eval metric: its best is the running maximum, at every test value when it
    # only rose, as a loss that only fell has its best at every value too
    auc = [0.8 + 0.01 * i for i in range(8)]
    with pytest.raises(NoLossError, match="no loss column found"):
        load(write(tmp_path, "catboost.txt", catboost_verbose(auc, auc, maximised=True)))


@pytest.mark.parametrize("line", ["Losses {{'ner': {v}}}", "('Losses', {{u'ner': {v}}})"])
def test_spacy_losses_dicts_are_the_components_losses(tmp_path, line):
    # spaCy's training loops print the dict of each component's loss after 'Losses'
    text = "".join(f"('Epoch : ', {e}, ' batch : ', 436)\n437it [09:29,  1.30s/it]\n"
                   + line.format(v=0.2 / (e + 1)) + "\n" for e in range(5))
    got, _ = curves(write(tmp_path, "log_train.txt", text))
    assert got["train"][1] == pytest.approx([0.2 / (e + 1) for e in range(5)])
    assert "test" not in got


def test_allennlp_metric_tables_name_each_splits_loss(tmp_path):
    # AllenNLP's trainer: a 'Training | Validation' header, then one row a metric
    log = "2019-04-15 22:54:21,130 - INFO - allennlp.training.trainer - "
    text = "".join(f"{log}Epoch {e}/199\n{log}             Training |  Validation\n"
                   f"{log}loss     |     {2.8 - 0.2 * e:.3f}  |     {2.9 + 0.3 * e:.3f}\n"
                   f"{log}accuracy |     0.111  |       N/A\n{log}Epoch duration: 00:00:00\n"
                   for e in range(6))
    got, _ = curves(write(tmp_path, "stdout.log", text))
    assert got["train"] == ([0.0, 1.0, 2.0, 3.0, 4.0, 5.0],
                            pytest.approx([2.8, 2.6, 2.4, 2.2, 2.0, 1.8]))
    assert got["test"][1] == pytest.approx([2.9, 3.2, 3.5, 3.8, 4.1, 4.4])


def test_a_global_batch_counted_over_the_run_is_the_step_axis(tmp_path):
    """'Epoch 2, Global Batch 2344, Training Loss: .., Validation Loss: ..' every 5 batches
    over 6 epochs: the global batch counts the run's steps (it grows as each epoch starts),
    even where one epoch's first print repeats the last one's count; the epoch is no axis
    here (it had read 6 points, each epoch's last print)."""
    text, batch = "", 0
    for e in range(1, 7):
        for k in range(40):
            batch += 5
            if e == 5 and k == 0:
                batch -= 5          # the first print of epoch 5 repeats the last of epoch 4
            text += (f"2024-11-05 23:14:47,205 - INFO - Epoch {e}, Global Batch {batch},"
                     f" Training Loss: {3 + 30 / batch ** 0.5:.4f}, Validation Loss:"
                     f" {0.4 + 10 / batch:.4f}, Validation Accuracy: 0.5\n")
    got, log = curves(write(tmp_path, "training.log", text))
    assert len(got["train"][0]) == 239 and got["train"][0][-1] == 1195.0
    assert "x axis: step" in log.notes


def test_folds_counting_epochs_as_e_k_of_n_are_runs_and_an_objective_is_the_test_loss(tmp_path):
    """Five cross-validation folds, each '[Fold k] Head E1/6: train_loss=.. val_sumMSE=..
    (SBP=.., DBP=..)' then 'Finetune E1/10': 'E3/10' is an epoch marker, so each stage
    starts again and the last one is diagnosed (read as one curve by line order, each
    fold's first loss of ~4,000 had been read as lr_too_high spikes); beside a train loss
    named loss, the validation's one objective (an MSE) is the test loss."""
    rng = np.random.default_rng(5)
    text = ""
    for fold in range(5):
        text += f"=== Training fold {fold} ===\n"
        for stage, epochs in (("Head", 6), ("Finetune", 10)):
            for e in range(1, epochs + 1):
                k = e + (6 if stage == "Finetune" else 0)
                train = 4000.0 if k == 1 else 500 - 14 * k
                val = 300 + (k - 10) ** 2 * 0.8 + rng.normal(0, 3)
                text += (f"[Fold {fold}] {stage} E{e}/{epochs}: train_loss={train:.4f}"
                         f" val_sumMSE={val:.4f} (SBP={val * 0.7:.4f}, DBP={val * 0.3:.4f})\n")
    got, log = curves(write(tmp_path, "train_history.txt", text))
    assert got["train"][0] == [float(e) for e in range(1, 11)]
    assert got["test"][0] == [float(e) for e in range(1, 11)]
    assert "x axis: epoch" in log.notes
    assert any("test loss: val_sumMSE (no test column is named loss" in n for n in log.notes)
    assert api.diagnose(tmp_path / "train_history.txt").verdict != "lr_too_high"


def test_records_printed_without_newlines_are_cut_apart(tmp_path):
    """``print(..., end='')`` in a loop: 'epoch: 1/1000, train_loss: 6.84, train_acc:
    0.39epoch: 2/1000, ...' on one line, the runs restarting at epoch 1. Each glued record
    is a point (the whole line had been one point, and the log's earlier run diagnosed)."""
    early = "".join(f"epoch: {e}/100, train_loss: {2.4 - e / 20:.4f}, train_acc: 0.5 \n"
                    for e in range(1, 41))
    glued = "".join(f"epoch: {e}/1000, train_loss: {7.2 - e / 10 if e < 15 else 7.86:.4f},"
                    f" train_acc: 0.0454" for r in range(3) for e in range(1, 31))
    got, log = curves(write(tmp_path, "logs.txt", early + glued))
    assert got["train"][0] == [float(e) for e in range(1, 31)]
    assert got["train"][1][-1] == pytest.approx(7.86)
    assert any("segments" in n for n in log.notes)


def test_an_epoch_header_names_the_split_of_the_values_under_it(tmp_path):
    """ST-GCN's torchlight log: 'Training epoch: 4' and 'Eval epoch: 4' header lines, each
    followed by '\tmean_loss: ..' on a line of its own: the evaluation's mean_loss is the
    test loss (it had been read as the train loss's value at those epochs)."""
    lines = ["[03.24.23|09:56:11] Parameters:", ""]
    for e in range(30):
        lines += [f"[03.24.23|09:56:11] Training epoch: {e}",
                  f"[03.24.23|09:56:31] \tmean_loss: {2.5 * np.exp(-e / 8) + 0.3:.6f}",
                  "[03.24.23|09:56:31] Done."]
        if e % 5 == 4:
            lines += [f"[03.24.23|09:56:51] Eval epoch: {e}",
                      f"[03.24.23|09:57:10] \tmean_loss: {2 * np.exp(-e / 10) + 0.5:.6f}",
                      "[03.24.23|09:57:10] \tTop1: 40.00%", "[03.24.23|09:57:10] Done."]
    got, log = curves(write(tmp_path, "log.txt", "\n".join(lines) + "\n"))
    assert got["train"][0] == [float(e) for e in range(30)]
    assert got["train"][1][-1] == pytest.approx(2.5 * np.exp(-29 / 8) + 0.3, abs=1e-5)
    assert got["test"][0] == [4.0, 9.0, 14.0, 19.0, 24.0, 29.0]


def test_console_text_under_a_rule_of_hashes_names_its_values_when_none_is_a_loss(tmp_path):
    """A C++ trainer's output: a rule of '#', a preamble of sentences, then 'Iteration: 100
    \tError: 0.196': the table reader took the first sentence for a header and listed it as
    the numeric columns; the console reader names the value printed (Error), which the user
    can choose."""
    text = ("#" * 40 + "\nAttempting to configure model from file 'train.txt'\n\n"
            "Model configured successfully!\nlambda is 0.1\n\n"
            + "".join(f"Iteration: {i}\tError: {0.2 / (i / 100) ** 1.5:.9f}\n"
                      for i in range(100, 3100, 100)))
    path = write(tmp_path, "train_output.txt", text)
    with pytest.raises(NoLossError, match="numeric columns: Error"):
        load(path)
    assert api.diagnose(path, train_col="Error").verdict == "learning"


def test_steps_counted_within_few_long_epochs_are_chained(tmp_path):
    # the step starts again at every epoch and there are too few epochs for a trend, each
    # of many logged steps: the epochs are chained (epoch * its steps + step)
    text = "".join(f"2018-12-04 18:31:47,560 - INFO - epoch {e}, step {s}, training loss = "
                   f"{3.0 - e * 0.1 - s / 1000:.4f}, validation loss = {3.2 - e * 0.1:.4f}\n"
                   for e in range(4) for s in range(10, 110, 10))
    got, log = curves(write(tmp_path, "train.log", text))
    assert len(got["train"][0]) == 40
    assert got["train"][0][:3] == [10.0, 20.0, 30.0] and got["train"][0][10] == 110.0
    assert got["train"][0] == sorted(got["train"][0])
    # with as many epochs as a trend needs, each epoch's last line is its point
    many = "".join(f"loss: {1.0 - e / 20 - s / 1000:.4f} (epoch: {e}, step: {s})\n"
                   for e in range(6) for s in range(10, 60, 10))
    assert curves(write(tmp_path, "many.log", many))[0]["train"][0] == [0.0, 1.0, 2.0, 3.0,
                                                                        4.0, 5.0]


@pytest.mark.parametrize("marker", ["Epoch: [{e}][{i:3d}/500]", "Epoch {e}[{i}/500]:",
                                    "Epoch [{e}/4][{i}/500]"])
def test_a_batch_in_brackets_after_its_epoch_is_a_step(tmp_path, marker):
    """The PyTorch ImageNet example's 'Epoch: [0][ 10/5005]', PaddlePaddle scripts' 'Epoch
    1[16/5011]': the bracketed batch counts within the epoch, whose total it prints; each
    print is a point at epoch * total + batch (read by epoch, 4 batches' losses were 1)."""
    text = "".join(marker.format(e=e, i=i) + f" loss: {3 - e / 2 - i / 1000:.4f}\n"
                   for e in range(4) for i in (0, 100, 200, 300))
    steps, values = curves(write(tmp_path, "train.log", text))[0]["train"]
    assert steps == [e * 500.0 + i for e in range(4) for i in (0, 100, 200, 300)]
    assert values[:3] == pytest.approx([3.0, 2.9, 2.8])


def test_mmengine_lines_are_read_at_their_iteration(tmp_path):
    """MMEngine (mmdet 3, mmseg 1, mmpretrain): 'Epoch(train) [e][i/N]' or 'Iter(train)
    [i/N]' mark a training print; an evaluation's 'Epoch(val) [e][n/n]' counts its own
    batches, and its loss is the test loss at the last training print before it."""
    head = "2024/01/05 10:00:00 - mmengine - INFO - "
    text = "".join(
        "".join(f"{head}Epoch(train)  [{e}][{i:3d}/200]  lr: 1.0000e-02  eta: 0:10:00"
                f"  time: 0.1000  memory: 1000  loss: {3 - e / 2 - i / 1000:.4f}"
                f"  loss_cls: 0.5000\n" for i in (100, 200))
        + f"{head}Epoch(val) [{e}][50/50]    loss: {3.1 - e / 2:.4f}  accuracy/top1: 50.0\n"
        for e in range(1, 5))
    got, _ = curves(write(tmp_path, "20240105.log", text))
    assert got["train"][0] == [100.0, 200.0, 300.0, 400.0, 500.0, 600.0, 700.0, 800.0]
    assert got["test"] == ([200.0, 400.0, 600.0, 800.0], pytest.approx([2.6, 2.1, 1.6, 1.1]))
    iters = "".join(f"{head}Iter(train) [{i:4d}/800]  lr: 1.0e-02  loss: {3 - i / 1000:.4f}"
                    f"  decode.loss_ce: {3 - i / 1000:.4f}  decode.acc_seg: 80.0\n"
                    for i in range(100, 801, 100))
    got, _ = curves(write(tmp_path, "iters.log", iters))
    assert got["train"][0] == [100.0 * k for k in range(1, 9)]


def test_a_loss_said_where_it_was_taken(tmp_path):
    """'Loss at epoch 0 and iteration 500 is 0.219' (an ASR script's print) is the loss at
    that place; 'loss is: 0.62' is 'loss is 0.62' (MindSpore's) with a colon."""
    text = "".join(f"Loss at epoch {e} and iteration 500 is {1 - e / 10}\n" for e in range(6))
    got, _ = curves(write(tmp_path, "loss.txt", text))
    assert got["train"] == ([0.0, 1, 2, 3, 4, 5], pytest.approx([1 - e / 10 for e in range(6)]))
    text = "".join(f"epoch: {e},  loss is: {1 - e / 10}, acc is: 0.5\n" for e in range(6))
    got, _ = curves(write(tmp_path, "train.log", text))
    assert got["train"][1] == pytest.approx([1 - e / 10 for e in range(6)])


def test_a_heading_names_the_split_of_the_values_printed_under_it(tmp_path):
    """A PaddlePaddle script prints its evaluation as it prints training ('epoch: 1, loss
    is: 0.57'), after a line 'testing in eval mode......': the values on the next line of
    values are the test loss's; a line that merely mentions validation is no heading."""
    text = "".join(f"epoch: {e},  loss is: {1 - e / 10:.3f}, acc is: 0.8\n"
                   f"testing in eval mode\u2026\u2026\n"
                   f"epoch: {e},  loss is: {1.2 - e / 20:.3f}, acc is: 0.7\n"
                   "Now continue training\u2026\u2026\nSaving the best validation model\n"
                   for e in range(6))
    got, _ = curves(write(tmp_path, "training_log.txt", text))
    assert got["train"][1] == pytest.approx([1 - e / 10 for e in range(6)])
    assert got["test"][1] == pytest.approx([1.2 - e / 20 for e in range(6)])


def test_steps_beside_no_loss_leave_the_epochs_the_axis(tmp_path):
    """A PINN's logger prints '[epoch:1 iter:50] data:1.01 PDE:0.27' (parts with no loss's
    name, the step counted within the epoch) and '[Valid] epoch:1, MSE: 0.36': no step
    printed beside a loss, no chaining of them (it had stopped the read with an error)."""
    text = "".join(f"  [epoch:{e} iter:{i}] data:0.5 PDE:0.1 phys:0.02\n" for i in (50, 100)
                   for e in range(1, 7)) + "".join(
        f"[Valid] epoch:{e}, MSE: {0.5 - e / 100:.3f}\n" for e in range(1, 7))
    got, _ = curves(write(tmp_path, "train_log.txt", text))
    assert got["test"][1] == pytest.approx([0.5 - e / 100 for e in range(1, 7)])


def test_ep_is_an_epoch_marker(tmp_path):
    """'ep 14, loss: 129.47, 6400 train 51.28%' (a notebook's report in markdown, three runs
    one after another): 'ep' marks the epoch, and the runs are the segments of a log whose
    epochs start again (read by the order of the lines, they had been one run)."""
    runs = "".join("```shell\n" + "".join(f"ep {e}, loss: {200 - e * k:.2f}, 6400 train 50%\n"
                                         for e in range(1, 8)) + "```\n" for k in (9, 3, 1))
    got, log = curves(write(tmp_path, "report.md", "## results\n" + runs))
    assert got["train"] == ([1.0, 2, 3, 4, 5, 6, 7], pytest.approx([200 - e for e in range(1, 8)]))
    assert any("3 segments" in n for n in log.notes)


def test_a_loss_printed_again_without_a_step_is_the_evaluation(tmp_path):
    """HRNet's segmentation logger: 'Epoch: [e/E] Iter:[i/N], ... Loss: 0.75' while it
    trains, then 'Loss: 0.83, MeanIU: 0.71' (the validation's, no step and no split's word):
    the second is the test loss at that step, not a second train value overwriting the
    first; a loss its own name gives to training ('train loss') stays the train loss's."""
    text = "".join(
        "".join(f"Epoch: [{e}/8] Iter:[{i}/100], Time: 0.5, lr: [0.01], "
                f"Loss: {2 - e / 5 - i / 1000:.3f}, Acc:0.5\n" for i in (0, 50))
        + f"Loss: {2.2 - e / 10:.3f}, MeanIU:  0.5, Best_mIoU:  0.5\n" for e in range(6))
    got, _ = curves(write(tmp_path, "train.log", text))
    assert got["train"][1] == pytest.approx([2 - e / 5 - i / 1000 for e in range(6)
                                             for i in (0, 50)])
    assert got["test"] == ([e * 100.0 + 50 for e in range(6)],
                           pytest.approx([2.2 - e / 10 for e in range(6)]))
    named = text.replace("Loss: 2.", "train Loss: 2.").replace("Loss: 1.", "train Loss: 1.")
    got, _ = curves(write(tmp_path, "named.log", named))
    assert "test" not in got


def test_a_perplexity_beside_its_loss_is_no_part_of_it(tmp_path):
    """Megatron's 'validation loss at iteration 1000 | lm loss value: 7.6E+00 | lm loss PPL:
    2.0E+03 |': the perplexity is exp of the loss, not a component to add to it (the test
    loss had been their sum, 2,000 x its value)."""
    text = "".join(f" iteration {it}/  500000 | lm loss: {8 - it / 1000:.6E} | loss scale:"
                   f" 65536.0 |\n validation loss at iteration {it} | lm loss value:"
                   f" {8.1 - it / 1000:.6E} | lm loss PPL: {np.exp(8.1 - it / 1000):.6E} |\n"
                   for it in range(1000, 7000, 1000))
    got, _ = curves(write(tmp_path, "megatron.log", text))
    assert got["train"][1] == pytest.approx([8 - k for k in range(1, 7)])
    assert got["test"][1] == pytest.approx([8.1 - k for k in range(1, 7)])


def test_espnet_epoch_before_its_word(tmp_path):
    """ESPnet's '3epoch:train:101-200batch: ... loss=0.9' and '3epoch results: [train] ...
    loss=0.8, ... [valid] ... loss=0.9': the epoch is the number before the word."""
    text = "".join(f"INFO: {e}epoch:train:1-100batch: iter_time=1.2e-04, loss={2 - e / 5:.3f}\n"
                   f"INFO: {e}epoch results: [train] iter_time=1.2e-04, loss={2 - e / 5:.3f},"
                   f" time=1 minute, [valid] loss={2.1 - e / 5:.3f}, acc=0.6\n"
                   for e in range(1, 7))
    got, log = curves(write(tmp_path, "train.log", text))
    assert got["test"] == ([1.0, 2, 3, 4, 5, 6], pytest.approx([2.1 - e / 5 for e in range(1, 7)]))
    assert "x axis: epoch" in log.notes


def test_a_loss_name_with_its_split_after_it(tmp_path):
    """'epoch  3  loss_t  716.32  loss_v  703.56  loss_min  9999.0': names and values with
    no colon, the split after the word loss ('_t', '_v'); the running minimum is no loss."""
    text = "".join(f"epoch {e:10d}  loss_t  {700 - 10 * e:.5f}  loss_v  {690 - 9 * e:.5f}"
                   f"  loss_min  9999.00000\n" for e in range(6))
    got, _ = curves(write(tmp_path, "train_log.txt", text))
    assert got["train"] == ([0.0, 1, 2, 3, 4, 5], pytest.approx([700 - 10 * e for e in range(6)]))
    assert got["test"][1] == pytest.approx([690 - 9 * e for e in range(6)])


def test_a_metric_table_headed_by_the_splits(tmp_path):
    """A logger's table per epoch: 'METRIC | TRAIN | VALIDATION', a rule of dashes, then
    'Loss | 0.4471 | 0.7802' (AllenNLP's 'Training | Validation' with a column of names
    headed too, and rules between)."""
    rule = "2026-01-18 20:37:25,858 - " + "-" * 60 + "\n"
    text = "".join(f"2026-01-18 20:35:49,298 - \nEpoch {e}/6\n" + rule
                   + "2026-01-18 20:37:25,858 - METRIC     | TRAIN      | VALIDATION\n" + rule
                   + f"2026-01-18 20:37:25,859 - Loss       | {0.5 - e / 20:.4f}     |"
                   f" {0.8 - e / 30:.4f}\n2026-01-18 20:37:25,859 - Accuracy   | 0.7928     |"
                   " 0.6250\n" + rule for e in range(1, 7))
    got, _ = curves(write(tmp_path, "training_log_vit.txt", text))
    assert got["train"] == ([1.0, 2, 3, 4, 5, 6],
                            pytest.approx([0.5 - e / 20 for e in range(1, 7)]))
    assert got["test"][1] == pytest.approx([0.8 - e / 30 for e in range(1, 7)], abs=1e-4)


def test_a_split_table_after_a_long_preamble(tmp_path):
    """AllenNLP's stdout: 400 lines of configuration and vocabulary before the first
    'Training |  Validation' table (only a log's first and last 200 lines had been searched
    for one: refused as holding no loss)."""
    head = "".join(f"2019-05-30 12:00:00,000 - INFO - allennlp.common.params - p{i} = {i}\n"
                   for i in range(400))
    tables = "".join(
        "2019-05-30 13:17:45,487 - INFO - allennlp.training.tensorboard_writer -      "
        "               Training |  Validation\n2019-05-30 13:17:45,491 - INFO - "
        f"allennlp.training.tensorboard_writer - loss            |     {4 - e / 2:.3f}  |"
        f"     {2.5 - e / 10:.3f}\n" for e in range(6))
    got, _ = curves(write(tmp_path, "stdout.log", head + tables + head))
    assert got["train"][1] == pytest.approx([4 - e / 2 for e in range(6)])
    assert got["test"][1] == pytest.approx([2.5 - e / 10 for e in range(6)])


def test_a_split_word_heading_a_phrase_names_the_values_after_it(tmp_path):
    """'[Epoch: 01] Valid acc: 0.8429 | loss: 9.4068': the loss after 'Valid acc' is the
    validation's (read as the train loss's, it overwrote the train value of its epoch)."""
    text = "".join(f"2023.01.18 17:14:14 [Epoch: {e:02d}] Train acc: 0.80 | loss: {11 - e:.4f}\n"
                   f"2023.01.18 17:15:04 [Epoch: {e:02d}] Valid acc: 0.84 | loss: {9 - e / 4:.4f}\n"
                   for e in range(1, 7))
    got, _ = curves(write(tmp_path, "train_log01.txt", text))
    assert got["train"][1] == pytest.approx([11 - e for e in range(1, 7)])
    assert got["test"][1] == pytest.approx([9 - e / 4 for e in range(1, 7)])


def test_a_meter_loss_beside_a_pair_of_another_name(tmp_path):
    # SwAV's and the PyTorch ImageNet example's meters: 'Loss 4.2079 (4.2377)' beside 'Lr: 0.0019'
    text = "".join(f"INFO - 09/02/20 14:18:08 - 0:00:30 - Epoch: [{e}][50]\tTime 2.376 (1.927)"
                   f"\tData 0.000 (0.014)\tLoss {4.0 - e / 10:.4f} (4.2377)\tLr: 0.0019\n"
                   for e in range(6))
    got, _ = curves(write(tmp_path, "train.log", text))
    assert got["train"][1] == pytest.approx([4.0, 3.9, 3.8, 3.7, 3.6, 3.5])


def test_colour_codes_around_loss_names_are_dropped(tmp_path):
    text = "".join(f"\x1b[32mEpoch {e}\x1b[0m \x1b[1mloss\x1b[0m: {1 - e / 10} "
                   f"\x1b[1mval_loss\x1b[0m: {1.1 - e / 10}\n" for e in range(1, 6))
    got, _ = curves(write(tmp_path, "train.log", text))
    assert got["train"] == ([1.0, 2.0, 3.0, 4.0, 5.0], pytest.approx([0.9, 0.8, 0.7, 0.6, 0.5]))
    assert got["test"][1] == pytest.approx([1.0, 0.9, 0.8, 0.7, 0.6])


def test_plain_python_dict_lines_use_their_epoch():
    got, _ = curves(FIX / "plain-text" / "hf_console.txt")
    assert got["train"] == ([0.5, 1.0, 1.5, 2.0], [0.9, 0.7, 0.5, 0.4])
    assert got["test"] == ([1.0, 2.0], [0.8, 0.75])
    assert got["lr"][1] == pytest.approx([5e-5, 4e-5, 3e-5, 2e-5])


def test_runs_that_stopped_after_their_first_epoch_leave_no_point_in_the_next(tmp_path):
    # Keras consoles appended, ModelCheckpoint's 0-based 'Epoch 00000: ...' before each
    # epoch's values: a run of 3 epochs, then three that each died in their first epoch (two
    # at NaN), then the full run: epoch 0 written four times without the steps going back;
    # the last value written at each step is the run's (no NaN from step 0)
    def run(losses):
        return "".join(f"Epoch {e}/6\nEpoch {e - 1:05d}: val_loss improved, saving model to"
                       f" w.hdf5\n - 3s - loss: {tr} - val_loss: {te}\nEpoch {e + 1}/6\n"
                       for e, (tr, te) in enumerate(losses, 1))
    text = (run([(3.37, 3.2), (3.34, 3.1), (3.33, 3.0)]) + run([("nan", "nan")])
            + run([(11.84, "nan")]) + run([("nan", "nan")])
            + run([(1.40, 1.18), (1.14, 0.95), (1.02, 0.84), (0.92, 0.8), (0.86, 0.79),
                   (0.81, 0.8)]))
    got, log = curves(write(tmp_path, "train_voc.log", text))
    assert got["train"] == ([0.0, 1, 2, 3, 4, 5], pytest.approx([1.40, 1.14, 1.02, 0.92, 0.86,
                                                                  0.81]))
    assert got["test"][1][0] == pytest.approx(1.18)
    assert not log.frame["value"].isna().any()


def test_plain_text_appended_runs_make_segments(tmp_path):
    text = "".join(f"Epoch {e}: loss={1 / e:.3f}\n" for e in range(1, 6))
    text += "".join(f"Epoch {e}: loss={2 / e:.3f}\n" for e in range(1, 5))
    got, log = curves(write(tmp_path, "out.txt", text))
    assert got["train"][0] == [1.0, 2.0, 3.0, 4.0]
    assert got["train"][1][0] == pytest.approx(2.0)
    assert any("segments" in n for n in log.notes)


def test_timm_train_lines_are_read_at_their_batch_of_their_epoch(tmp_path):
    # timm's train.py: 'Train: 3 [ 200/390 ( 51%)]  Loss: 2.31 (2.40)', then its evaluation's
    # 'Test: [  77/78]  ...  Loss:  1.20 (1.31)' lines; the x axis had been the order of the
    # lines, which cannot see a run started again
    text = ""
    for e in range(6):
        for b in (0, 200, 389):
            text += (f"Train: {e} [ {b:>3d}/390 ({b / 3.9:>3.0f}%)]  Loss:"
                     f" {3 - e / 3 - b / 1e3:#.4g} ({3.1 - e / 3:#.3g})  Time: 0.581s,"
                     "  110.16/s  LR: 1.000e-04\n")
        text += f"Test: [  77/78]  Time: 0.5 (0.5)  Loss:  {2 - e / 10:.4f} ({2 - e / 10:.4f})\n"
    got, log = curves(write(tmp_path, "train.log", text))
    assert got["train"][0] == [float(e * 390 + b) for e in range(6) for b in (0, 200, 389)]
    assert got["test"][0] == [float(e * 390 + 389) for e in range(6)]
    assert "x axis: step" in log.notes


def test_appended_runs_each_counting_steps_within_its_epochs(tmp_path):
    # 3 runs one after another, each epoch announced on a line of its own and its batches
    # counted from 20 again: the last run's epochs are chained (they had been sorted into
    # 7 steps holding values of all three runs: a false divergence)
    rng = np.random.default_rng(3)
    text = ""
    for floor in (0.6, 0.4, 0.3):
        for e in range(1, 21):
            text += f"Epoch: {e:04d}\n" + "".join(
                f"iter:{b:04d} loss_train:"
                f" {(floor + 2 / (e + b / 160)) * rng.uniform(0.95, 1.05):.4f}"
                f" acc_train: 0.5\n" for b in range(20, 160, 20))
    got, log = curves(write(tmp_path, "log_train.log", text))
    steps, values = got["train"]
    assert len(steps) == 140 and np.all(np.diff(steps) > 0)
    assert values[-1] < 0.45 and values[0] > 1.8
    assert "train loss: 3 runs one after another, each with its step counted within each" \
        " epoch; diagnosing the last (20 epochs)" in log.notes


def test_a_restart_outside_the_other_curve_is_not_its_run(tmp_path):
    """A TensorBoard folder of a run (train every step, test every 100) and a restart that
    logged 5 train steps and died: the restart's segment lies outside the test loss's steps,
    and the run the test curve belongs to is the segment beside it (the two had been judged
    as one run: a data problem). A restart that reaches the test's steps is still the one."""
    main = "".join(f"{s},{2 / (1 + s / 20):.4f},{2.1 / (1 + s / 20) if s % 100 == 0 else ''}\n"
                   for s in range(1, 801))
    restart = "".join(f"{s},2.30,\n" for s in range(1, 6))
    got, log = curves(write(tmp_path, "scalars.csv", "step,loss,val_loss\n" + main + restart))
    assert got["train"][0][-1] == 800 and len(got["test"][0]) == 8
    assert any("the one beside the other loss's steps (100-800" in n for n in log.notes)
    longer = "".join(f"{s},2.30,\n" for s in range(1, 150))
    got, _ = curves(write(tmp_path, "again.csv", "step,loss,val_loss\n" + main + longer))
    assert got["train"][0][-1] == 149


def test_plain_text_sniff_is_not_fooled_by_json_lines(tmp_path):
    path = write(tmp_path, "log.txt", '{"loss": 0.5, "epoch": 1}\n' * 5)
    assert PARSERS["plain-text"].sniff(Source(path)) == 0.0
    text = write(tmp_path, "t.txt", "nothing here\nloss went down\n")
    assert PARSERS["plain-text"].sniff(Source(text)) == 0.0
    with pytest.raises(LogReadError) as exc:
        load(text, "plain-text")
    assert "no '<name>: <number>' values" in one_line_error(exc)


# ---------------------------------------------------------------- generic CSV and Keras quirks

SIMPLE = [[0, 1.0, 1.1], [1, 0.8, 0.9], [2, 0.6, 0.85]]


def table_text(delim, rows=SIMPLE, header=("epoch", "loss", "val_loss"), newline="\n"):
    lines = [delim.join(header)] + [delim.join(str(v) for v in r) for r in rows]
    return newline.join(lines) + newline


@pytest.mark.parametrize("delim", [",", ";", "\t", "|", "   "],
                         ids=["comma", "semicolon", "tab", "pipe", "spaces"])
def test_generic_any_delimiter(tmp_path, delim):
    got, _ = curves(write(tmp_path, "log.txt", table_text(delim)))
    assert got["train"] == ([0.0, 1.0, 2.0], [1.0, 0.8, 0.6])
    assert got["test"] == ([0.0, 1.0, 2.0], [1.1, 0.9, 0.85])


@pytest.mark.parametrize("prefix,newline,encoding", [
    ("\ufeff", "\n", "utf-8"), ("", "\r\n", "utf-8"), ("", "\n", "utf-16"),
    ("", "\r\n", "latin-1"),
], ids=["bom", "crlf", "utf16", "latin1"])
def test_generic_encodings_and_line_ends(tmp_path, prefix, newline, encoding):
    text = prefix + table_text(",", header=("époque" if encoding == "latin-1" else "epoch",
                                            "loss", "val_loss"), newline=newline)
    got, _ = curves(write(tmp_path, "h.csv", text, encoding))
    assert got["train"][1] == [1.0, 0.8, 0.6]
    assert got["test"][1] == [1.1, 0.9, 0.85]


def test_generic_whitespace_padded_cells(tmp_path):
    text = ("  epoch,   train_loss,   val_loss\n      0,       1.0,       1.2\n"
            "      1,       0.5,       0.7\n")
    got, _ = curves(write(tmp_path, "r.csv", text))
    assert got["train"] == ([0.0, 1.0], [1.0, 0.5])


def test_generic_no_header_one_value_per_line(tmp_path):
    got, log = curves(write(tmp_path, "val_loss.csv", "2.9e-01\n2.5e-01\n2.4e-01\n"))
    assert got == {"test": ([0.0, 1.0, 2.0], [0.29, 0.25, 0.24])}


def test_generic_one_long_quoted_row(tmp_path):
    values = np.linspace(4.0, 1.0, 180000)
    text = ",".join(f'"{float(v)!r}"' for v in values) + "\r\n"
    got, _ = curves(write(tmp_path, "train_loss.csv", text))
    assert len(got["train"][1]) == 180000
    assert got["train"][1][0] == 4.0 and got["train"][1][-1] == 1.0


def test_two_long_rows_are_the_train_and_val_losses_when_the_file_says_loss(tmp_path):
    # np.savetxt("losses.txt", [train_losses, val_losses]): two rows, no header; they had
    # been read as 250 runs of 2 points each
    train, val = np.geomspace(1600, 150, 250), np.geomspace(80, 17, 250)
    text = "\n".join(" ".join(f"{v:.18e}" for v in row) for row in (train, val)) + "\n"
    got, log = curves(write(tmp_path, "losses.txt", text))
    assert got["train"][1] == pytest.approx(train) and got["test"][1] == pytest.approx(val)
    assert got["train"][0] == list(map(float, range(250)))
    assert any("its two rows of values read as train (row 1) and val (row 2)" in n
               for n in log.notes)
    flipped, _ = curves(write(tmp_path, "losses.txt", text), train_col="val", test_col="train")
    assert flipped["train"][1] == pytest.approx(val)
    with pytest.raises(NoLossError):        # no name says these rows are losses
        load(write(tmp_path, "rows.txt", text))


def test_a_loss_component_never_logged_is_left_out_of_the_sum(tmp_path):
    # 'step,velocity_loss,stress_loss' with the stress column empty on every row: the sum
    # had no row to stand on ("no loss values")
    rows = "".join(f"{s},{5 / (1 + s / 100):.5f},\n" for s in range(10, 300))
    got, log = curves(write(tmp_path, "train_log.csv", "step,velocity_loss,stress_loss\n" + rows))
    assert len(got["train"][0]) == 290
    assert "train loss: velocity_loss (stress_loss never logged a value)" in log.notes
    assert not any("sum of 2" in n for n in log.notes)


def test_generic_unnamed_index_and_tensor_cells():
    got, log = curves(FIX / "generic-csv" / "val_loss.csv")
    assert got == {"test": ([0.0, 1.0, 2.0], [0.1414, 0.1409, 0.1380])}


def test_generic_smoothed_value_cells_and_literal_nan():
    # no header and a file name that does not say loss: which column is the loss is asked
    with pytest.raises(NoLossError, match=r"numeric columns: column 1, .*column 5") as exc:
        load(FIX / "generic-csv" / "_metrics_val.csv")
    assert "test_col=" in str(exc.value)
    log = load(FIX / "generic-csv" / "_metrics_val.csv",
               options=ReadOptions(test_col="column 5"))
    got = {s: (g["step"].tolist(), g["value"].tolist()) for s, g in log.frame.groupby(
        "split", observed=True)}
    assert got == {"test": ([0.0, 1.0, 2.0], [0.65, 0.6166, 0.6177])}


def test_smoothed_value_cells_in_a_file_named_loss(tmp_path):
    path = tmp_path / "val_loss.csv"
    path.write_text((FIX / "generic-csv" / "_metrics_val.csv").read_text())
    got, log = curves(path)
    assert got == {"test": ([0.0, 1.0, 2.0], [0.65, 0.6166, 0.6177])}
    assert "median (average)" in log.notes[0]


def test_generic_runs_side_by_side():
    log = load(FIX / "generic-csv" / "train_loss.csv")
    assert log.runs() == ["arc_m1", "face_m1", "arc_m2"]
    assert (log.frame["split"] == "train").all()
    assert len(log.frame[log.frame["run"] == "face_m1"]) == 2     # unequal lengths


def test_generic_one_row_quoted_crlf():
    got, _ = curves(FIX / "generic-csv" / "one_row_loss.csv")
    assert got["train"] == ([0.0, 1.0, 2.0, 3.0], [1.5, 1.25, 1.0, 0.75])


def test_generic_written_nan_is_kept_and_na_is_a_gap(tmp_path):
    text = "epoch,loss,val_loss\n0,1.0,1.1\n1,nan,NA\n2,inf,0.8\n"
    got, _ = curves(write(tmp_path, "x.csv", text))
    assert same(got["train"][1], [1.0, NAN, math.inf])
    assert got["test"] == ([0.0, 2.0], [1.1, 0.8])


def test_generic_gzip(tmp_path):
    path = tmp_path / "log.csv.gz"
    path.write_bytes(gzip.compress(table_text(",").encode()))
    got, _ = curves(path)
    assert got["train"][1] == [1.0, 0.8, 0.6]


def test_generic_truncated_gzip_reads_with_a_note(tmp_path):
    rows = [[i, 1 / (i + 1), 1 / (i + 2)] for i in range(3000)]
    data = gzip.compress(table_text(",", rows).encode())
    path = write(tmp_path, "log.csv.gz", data[: len(data) // 2])
    got, log = curves(path)
    assert 100 < len(got["train"][1]) < 3000
    assert any("incomplete" in n for n in log.notes)


def test_generic_duplicate_column_names(tmp_path):
    text = "epoch,loss,loss,val_loss\n0,1.0,9,1.1\n1,0.8,9,0.9\n"
    got, log = curves(write(tmp_path, "d.csv", text))
    assert got["train"][1] == [1.0, 0.8]
    assert any("duplicate column names" in n for n in log.notes)


def test_generic_keras_history_without_epoch_column(tmp_path):
    text = "accuracy,loss,val_accuracy,val_loss\n0.8,0.46,0.84,0.35\n0.85,0.37,0.88,0.28\n"
    got, _ = curves(write(tmp_path, "training_history.csv", text))
    assert got["train"] == ([0.0, 1.0], [0.46, 0.37])
    assert got["test"] == ([0.0, 1.0], [0.35, 0.28])


def test_generic_split_from_file_name_and_val_mse(tmp_path):
    got, log = curves(write(tmp_path, "val_loss.csv", "epoch,loss\n1,0.7\n2,0.6\n"))
    assert got == {"test": ([1.0, 2.0], [0.7, 0.6])}
    got, log = curves(write(tmp_path, "hist.csv", "epoch,train_loss,val_mse,val_rmse\n"
                                                  "0,0.8,0.7,0.84\n1,0.5,0.56,0.75\n"))
    assert got["test"][1] == [0.7, 0.56]
    assert any("val_mse" in n for n in log.notes)


def test_keras_sniff_is_strict(tmp_path):
    keras = write(tmp_path, "a.csv", "epoch,accuracy,loss,val_accuracy,val_loss\n0,1,2,3,4\n")
    other = write(tmp_path, "b.csv", "epoch,loss,test_loss\n0,1,2\n")
    from_one = write(tmp_path, "c.csv", "epoch,loss\n1,0.5\n")
    assert PARSERS["keras-csvlogger"].sniff(Source(keras)) == 0.9
    assert PARSERS["keras-csvlogger"].sniff(Source(other)) == 0.0
    assert PARSERS["keras-csvlogger"].sniff(Source(from_one)) < 0.3


def test_table_helpers_keep_their_contract():
    assert sniff_delimiter(["a;b;c", "1;2;3"]) == ";"
    assert sniff_delimiter(["a b c", "1 2 3"]) is None
    assert has_header("epoch,loss", ",") and not has_header("1,2", ",")
    assert has_header(",0", ",", "0,0.5")          # pandas index header
    assert split_from_name("runs/val_loss.csv.gz") == "test"
    assert split_from_name("train_loss.csv") == "train"


# ---------------------------------------------------------------- bad input: a frame or one line

@pytest.mark.parametrize("name,data,expect", [
    ("binary.csv", bytes(range(256)) * 8, "not a training log"),
    ("empty.csv", b"", "empty file"),
    ("header.csv", b"epoch,loss,val_loss\n", "no loss values"),
    ("words.csv", b"epoch,loss\n0,abc\n1,def\n", "not numeric"),
    ("metrics.csv", b"epoch,step,train_loss\n", "no loss values"),
    ("w.csv", b'"Step","r - loss","r - loss__MIN"\n', "no loss values"),
    ("prose.txt", b"hello\nworld\n", "no loss column"),
], ids=["binary", "empty", "header-only", "non-numeric", "lightning-header-only",
        "wandb-header-only", "prose"])
def test_bad_files_give_one_line_errors(tmp_path, name, data, expect):
    with pytest.raises(LogReadError) as exc:
        load(write(tmp_path, name, data))
    assert expect in one_line_error(exc)


@pytest.mark.parametrize("fmt", ["lightning-csv", "wandb-csv", "plain-text", "generic-csv",
                                 "keras-csvlogger"])
@pytest.mark.parametrize("data", [bytes(range(256)) * 8, b"", b"\xff\xfe" + "x,y\n".encode(
    "utf-16-le"), b"a" * 500_000 + b"\n1\n"], ids=["binary", "empty", "utf16", "long-line"])
def test_forced_formats_never_traceback(tmp_path, fmt, data):
    path = write(tmp_path, "f.csv", data)
    try:
        log = load(path, fmt)
    except LogReadError as exc:
        assert "\n" not in str(exc) and exc.path
    else:
        assert set(log.frame.columns) >= {"run", "split", "step", "value"}


def test_very_long_lines_are_read(tmp_path):
    path = write(tmp_path, "l.txt", "Epoch 1: loss=0.5 " + "y" * 1_000_000
                 + "\nEpoch 2: loss=0.4\nEpoch 3: loss=0.3\n")
    got, _ = curves(path)
    assert got["train"][1] == [0.5, 0.4, 0.3]


# ---------------------------------------------------------------- real logs and the corpus

def _manifest():
    path = REAL / "MANIFEST.tsv"
    if not path.exists():
        return []
    rows = [ln.split("\t") for ln in path.read_text().splitlines()[1:] if ln.strip()]
    dirs = ("lightning_csv", "wandb_csv", "plain_text", "generic_csv", "keras_csvlogger")
    return sorted({r[0]: r for r in rows if r[1] in dirs}.values())


REAL_FORMAT = {"lightning_csv": "lightning-csv", "wandb_csv": "wandb-csv",
               "plain_text": "plain-text", "generic_csv": "generic-csv",
               "keras_csvlogger": "keras-csvlogger"}
REAL_ROWS = _manifest()


@pytest.mark.skipif(not REAL_ROWS, reason="shared real logs not available")
@pytest.mark.parametrize("row", REAL_ROWS, ids=[r[0] for r in REAL_ROWS] or None)
def test_real_logs_read_with_the_splits_the_manifest_says(row):
    name, fmt, has_train, has_val = row[0], row[1], row[6], row[7]
    log = load(REAL / name, options=ReadOptions(**REAL_CHOICE.get(name, {})))
    splits = set(log.splits())
    assert log.format == REAL_FORMAT[fmt]
    if has_train == "y":
        assert "train" in splits, log.notes
    if has_val == "y":
        assert "test" in splits, log.notes
    if has_train == "n" and has_val == "y":
        assert splits == {"test"}


#: real logs whose loss column is not named like one: refused until the user names it
REAL_CHOICE = {"generic_csv/retfound-eye___metrics_val.csv": {"test_col": "column 9"},
               "wandb_csv/psiformer-torch__lithium.csv": {"train_col": "Energy"}}

REAL_EXPECT = {
    "lightning_csv/epam-hometask__version_0_metrics.csv": {"train": 25, "test": 25},
    "lightning_csv/camels-ch__version_50_metrics.csv": {"train": 860, "test": 4},
    "wandb_csv/multi-view-cls__train_loss.csv": {"train": 37},
    "wandb_csv/diffusemix-supp__val_loss.csv": {"test": 600},
    "wandb_csv/psiformer-torch__lithium.csv": {"train": 406},
    "plain_text/emonettcn__training.log": {"train": 500, "test": 500},
    "plain_text/cifar10-network__training.log": {"train": 35},
    "generic_csv/vgat__train_loss.csv": {"train": 180000},
    "generic_csv/retfound-eye___metrics_val.csv": {"test": 50},
    "generic_csv/brain-like-mini__train_loss.csv": {"train": 210},
    "generic_csv/modelmodify__val_loss.csv": {"test": 205},
    "keras_csvlogger/brain-tumor-cnn__training_log.csv": {"train": 5, "test": 5},
}


@pytest.mark.skipif(not REAL.exists(), reason="shared real logs not available")
@pytest.mark.parametrize("name", sorted(REAL_EXPECT))
def test_real_logs_point_counts(name):
    log = load(REAL / name, options=ReadOptions(**REAL_CHOICE.get(name, {})))
    losses = log.frame[log.frame["split"] != "lr"]
    assert losses.groupby("split").size().to_dict() == REAL_EXPECT[name]


def _corpus_cases():
    index = CORPUS / "INDEX.tsv"
    if not index.exists():
        return []
    out = []
    for line in index.read_text().splitlines()[1:]:
        case, _, _, fmt = line.split("\t")[:4]
        if fmt in ("lightning-csv", "generic-csv", "keras-csvlogger", "wandb-csv", "plain-text"):
            out.append((case, fmt))
    return sorted(set(out))


CASES = _corpus_cases()


@pytest.mark.skipif(not CASES, reason="shared corpus not available")
@pytest.mark.parametrize("case,fmt", CASES, ids=[c for c, _ in CASES] or None)
def test_corpus_cases_detect_and_read_both_splits(case, fmt):
    labels = json.loads((CORPUS / case / "labels.json").read_text())
    log = load(CORPUS / case / labels["args"][0])
    assert log.format == fmt
    assert log.splits() == ["train", "test"]
    lo, hi = labels["steps"]
    losses = log.frame[log.frame["split"] != "lr"]
    assert losses["step"].min() >= lo - 1 and losses["step"].max() <= hi + 1
    assert isinstance(log.frame, pd.DataFrame)


def test_a_train_test_pair_keeps_one_learning_rate_curve(tmp_path):
    # both files log the rate (Keras CSVLogger does): the pair must not count it twice
    train, test = tmp_path / "train.csv", tmp_path / "val.csv"
    train.write_text("step,loss,lr\n" + "".join(f"{i},{1 / (i + 1):.4f},0.01\n" for i in range(20)))
    test.write_text("step,loss,lr\n" + "".join(f"{i},{1.2 / (i + 1):.4f},0.01\n"
                                               for i in range(0, 20, 5)))
    frame = load_pair(train, test).frame
    assert (frame["split"] == "lr").sum() == 20
    assert (frame["split"] == "test").sum() == 4


def test_tsv_with_sparse_validation_is_a_table_not_console_text(tmp_path):
    # per-step train loss, validation every 10 steps: the empty cells leave trailing tabs
    rows = [f"{s}\t{1 / s:.5f}\t" + (f"{1.1 / s:.5f}" if s % 10 == 0 else "")
            for s in range(1, 101)]
    path = tmp_path / "metrics.tsv"
    path.write_text("step\ttrain_loss\tval_loss\n" + "\n".join(rows) + "\n")
    log = load(path)
    assert log.format == "generic-csv"
    sizes = log.frame.groupby("split", observed=True).size()
    assert (sizes["train"], sizes["test"]) == (100, 10)


@pytest.mark.parametrize("text,train,test", [
    ("[0]\tvalidation_0-logloss:0.61\tvalidation_1-logloss:0.64\n"
     "[1]\tvalidation_0-logloss:0.55\tvalidation_1-logloss:0.60\n"
     "[2]\tvalidation_0-logloss:0.50\tvalidation_1-logloss:0.58\n", [0.61, 0.55, 0.5],
     [0.64, 0.6, 0.58]),
    ("[0]\tvalidation_0-rmse:0.64\n[1]\tvalidation_0-rmse:0.60\n"
     "[2]\tvalidation_0-rmse:0.58\n", None, [0.64, 0.6, 0.58]),
    ("[1]\ttraining's binary_logloss: 0.61\tvalid_1's binary_logloss: 0.64\n"
     "[2]\ttraining's binary_logloss: 0.55\tvalid_1's binary_logloss: 0.60\n"
     "[3]\ttraining's binary_logloss: 0.50\tvalid_1's binary_logloss: 0.58\n",
     [0.61, 0.55, 0.5], [0.64, 0.6, 0.58]),
    ("[10]\ttraining's l1: 0.61\ttraining's l2: 0.41\tvalid's l1: 0.64\tvalid's l2: 0.44\n"
     "[20]\ttraining's l1: 0.55\ttraining's l2: 0.35\tvalid's l1: 0.60\tvalid's l2: 0.40\n"
     "[30]\ttraining's l1: 0.50\ttraining's l2: 0.30\tvalid's l1: 0.58\tvalid's l2: 0.38\n",
     [0.41, 0.35, 0.3], [0.44, 0.4, 0.38]),
], ids=["xgboost-two-sets", "xgboost-one-set", "lightgbm", "lightgbm-l2-beside-l1"])
def test_boosting_round_logs_are_console_text(tmp_path, text, train, test):
    # '[12]' alone is a JSON array: a round counter followed by words is console text
    got, log = curves(write(tmp_path, "train.log", text))
    assert log.format == "plain-text"
    assert (got.get("train", (None, None))[1] or None) == (pytest.approx(train) if train else None)
    assert got["test"][1] == pytest.approx(test)


def test_boosting_rounds_are_the_steps_and_a_best_round_reprint_is_no_resume(tmp_path):
    # verbose_eval=5 prints every fifth round; early stopping prints the best round again
    text = "".join(f"[{i}]\ttrain-rmse:{5 - i / 10:.2f}\teval-rmse:{5.5 - i / 20:.2f}\n"
                   for i in range(0, 30, 5))
    text += "Stopping. Best iteration:\n[25]\ttrain-rmse:2.50\teval-rmse:4.25\n"
    got, log = curves(write(tmp_path, "train.log", text))
    assert got["train"][0] == [0.0, 5.0, 10.0, 15.0, 20.0, 25.0]
    assert got["test"][1] == pytest.approx([5.5, 5.25, 5.0, 4.75, 4.5, 4.25])
    assert not any("resumed" in note for note in log.notes)


@pytest.mark.parametrize("text,train,test", [
    ('{"validation_0": {"logloss": [0.6, 0.5, 0.4]}, "validation_1": {"logloss": [0.65, 0.6,'
     ' 0.58]}}', [0.6, 0.5, 0.4], [0.65, 0.6, 0.58]),
    ('{"training": {"multi_logloss": [0.6, 0.5, 0.4]}, "valid_1": {"multi_logloss": [0.65,'
     ' 0.6, 0.58]}}', [0.6, 0.5, 0.4], [0.65, 0.6, 0.58]),
    ('{"validation_0": {"rmse": [4.6, 4.2, 4.0]}}', None, [4.6, 4.2, 4.0]),
], ids=["xgboost", "lightgbm", "xgboost-one-set-rmse"])
def test_boosting_evals_result_json(tmp_path, text, train, test):
    got, log = curves(write(tmp_path, "evals_result.json", text))
    assert (got.get("train", (None, None))[1] or None) == (pytest.approx(train) if train else None)
    assert got["test"][1] == pytest.approx(test)
    # one metric on two eval sets measures the same thing
    assert not any("measure different things" in note for note in log.notes)


def test_basicsr_log_l_prefix_losses_thousands_steps_and_rate_tuple(tmp_path):
    """BasicSR's logger: '[epoch: 16, iter: 100,100, lr:(1.809e-04,)] l_pix: 5.98e-03': the
    l_ prefix names a loss, the iteration carries thousands separators, the rate sits in a
    tuple; a YAML-ish config dump with commas comes first."""
    head = "23-05-05 21:25:37.738 - INFO:   name: HDRUNet_v1\n  gpu_ids: [0, 1]\n" \
           "  datasets:[\n    batch_size: 8\n  ]\n"
    lines = "".join(f"23-05-05 21:26:52.413 - INFO: [epoch: {i // 10:2d}, iter: {i * 500:>7,},"
                    f" lr:({2e-4 / (1 + i):.3e},)] l_pix: {1 / i:.4e} \n" for i in range(1, 31))
    got, log = curves(write(tmp_path, "train_HDR.log", head + lines))
    assert got["train"][0] == [float(i * 500) for i in range(1, 31)]
    assert got["train"][1] == pytest.approx([1 / i for i in range(1, 31)], rel=1e-3)
    assert got["lr"][1][0] == pytest.approx(1e-4, rel=1e-3)


def test_cyclegan_loss_log_banner_names_the_losses(tmp_path):
    """pix2pix's and CycleGAN's loss_log.txt: under '=== Training Loss (date) ===' each line
    prints '(epoch: e, iters: i, time: t, data: d) D_A: .. G_A: .. cycle_A: ..': the banner
    says those are losses (summed as components); the parenthesised clock is not one. The
    same names without the banner are no losses."""
    banner = "================ Training Loss (Wed Oct 30 10:43:06 2024) ================\n"
    rows = "".join(f"(epoch: {e}, iters: {i}, time: 2.416, data: 9.430) D_A: {0.5 / e:.3f}"
                   f" G_A: {0.4:.3f} cycle_A: {2 / e:.3f} \n"
                   for e in range(1, 9) for i in (100, 200))
    got, log = curves(write(tmp_path, "loss_log.txt", banner + rows))
    assert got["train"][0] == [float(e) for e in range(1, 9)]
    assert got["train"][1] == pytest.approx([2.5 / e + 0.4 for e in range(1, 9)], abs=2e-3)
    assert any("sum of 3 components" in n for n in log.notes)
    with pytest.raises(NoLossError):
        load(write(tmp_path, "other.txt", rows))


def test_validation_perplexity_is_read_as_its_cross_entropy(tmp_path):
    """OpenNMT prints the train xent and, per validation, only 'Validation perplexity: X':
    ln X is the test loss; a second perplexity is not guessed between."""
    text = ""
    for s in range(1, 21):
        text += f"[2025-09-21 08:39:16,816 INFO] Step {s * 50}/ 5000; acc: 20.18; ppl: " \
                f"{np.exp(3 / s):.2f}; xent: {3 / s:.4f}; lr: 0.00020;\n"
        if s % 5 == 0:
            text += f"[2025-09-21 08:43:41,636 INFO] Validation perplexity: {np.exp(4 / s):.4f}\n"
    got, log = curves(write(tmp_path, "train.log", text))
    assert got["test"][0] == [250.0, 500.0, 750.0, 1000.0]
    assert got["test"][1] == pytest.approx([4 / s for s in (5, 10, 15, 20)], rel=1e-4)
    assert any("ln(Validation perplexity)" in n for n in log.notes)
    two = text.replace("Validation perplexity", "Validation perplexity: 3.0 valid ppl")
    assert "test" not in curves(write(tmp_path, "two.log", two))[0]


def test_a_headerless_counter_column_is_the_axis_not_a_loss(tmp_path):
    """'epoch,loss' rows with no header in a file whose name says loss: the first column
    counts up by one (starting again where the run was resumed) and is no run of the loss;
    one that never starts again is the x axis."""
    rows = "".join(f"{e},{3 + 3 / e:.4f}\n" for e in range(1, 24))
    rows += "".join(f"{e},{3.1 - e / 1000:.4f}\n" for e in range(1, 40))
    got, log = curves(write(tmp_path, "loss_log.txt", rows))
    assert got["train"][0] == [float(i) for i in range(62)]           # row order
    assert got["train"][1][:2] == [6.0, 4.5] and len(got["train"][1]) == 62
    strided = "".join(f"{s},{1 / s:.6f}\n" for s in range(100, 1100, 100))
    got, log = curves(write(tmp_path, "val_loss.txt", strided))
    assert got["test"][0] == [float(s) for s in range(100, 1100, 100)]
    assert "x axis: column 1" in log.notes


def test_a_loss_echoed_in_a_checkpoint_message_is_not_a_second_loss(tmp_path):
    """'Epoch k/100 - Train Loss: x, Val Loss: y', and on the epochs that improve it
    'saving best model (val_loss=y)': the echo is the same loss, not a second one to choose
    between."""
    text = ""
    for e in range(1, 13):
        val = 1 + 1 / e if e < 8 else 1.2 + e / 100
        text += f"Epoch {e}/100 - Train Loss: {2 / e:.4f}, Val Loss: {val:.4f}\n"
        if e < 8:
            text += f"  saving best model (val_loss={val:.4f})\n"
    got, log = curves(write(tmp_path, "train.log", text))
    assert got["test"][1][-1] == pytest.approx(1.32)
    assert any("'val_loss' repeats 'Val Loss' on 7 of its lines" in n for n in log.notes)


def test_a_value_printed_as_the_best_so_far_is_not_a_curve(tmp_path):
    """'-> Saved best (loss: 0.24)' on the epochs that improve a combined validation score,
    under 'Train - CE: ..' and 'Val - CE: ..': the lowest so far, printed only when it falls,
    is no loss curve (it had been read as the train loss, a curve that can only fall). A
    column named for the best so far (``best_val_loss``) is not a loss either."""
    text = ""
    for e in range(1, 41):
        train, val = 0.03 + 0.9 / e ** 2, 0.02 + 0.17 / e ** 2 + (0.0005 * e if e > 12 else 0)
        text += f"\nEpoch {e}\n  Train - CE: {train:.4f}, KL: 0.8, acc: 97.1%\n"
        text += f"  Val   - CE: {val:.4f}, KL: 0.8, acc: 97.5%\n"
        if e <= 12:
            text += f"  -> Saved best (loss: {val + 0.05:.4f})\n"
    got, log = curves(write(tmp_path, "train_log.txt", text))
    assert len(got["train"][1]) == 40 and got["train"][1][-1] == pytest.approx(0.0306, abs=1e-4)
    assert len(got["test"][1]) == 40 and got["test"][1][-1] == pytest.approx(0.0400, abs=1e-4)
    rows = "".join(f"{e},{1 / e:.4f},{0.5 + abs(e - 10) / 40:.4f},{0.5 + max(10 - e, 0) / 40:.4f}\n"
                   for e in range(1, 31))
    got, log = curves(write(tmp_path, "history.csv", "epoch,loss,val_loss,best_val_loss\n" + rows))
    assert got["test"][1][-1] == pytest.approx(1.0)
    assert api.diagnose(tmp_path / "history.csv").verdict == "overfitting"


def test_steps_counted_within_each_epoch_are_chained_not_runs(tmp_path):
    """An iteration that starts again every epoch beside an epoch column the reader does
    not know ('eporch'): each new count goes on where the loss left off, so the counts are
    epochs of one run, chained; runs started again begin high and stay segments."""
    rng = np.random.default_rng(3)
    rows, k = [], 0
    for e in range(8):
        for it in range(10, 210, 10):
            rows.append(f"{e},{it},{(3 + 13 * np.exp(-k / 30)) * np.exp(rng.normal(0, 0.3)):.4f}")
            k += 1
    got, log = curves(write(tmp_path, "train_loss.csv", "eporch,iteration,loss\n"
                            + "\n".join(rows) + "\n"))
    assert len(got["train"][0]) == 160 and got["train"][0] == sorted(got["train"][0])
    assert any("a step counted within each epoch; the segments are chained" in n
               for n in log.notes)
    runs = "".join(f"{r},{it},{16 * np.exp(-it / 60) + 3:.4f}\n"
                   for r in range(5) for it in range(10, 210, 10))
    got, log = curves(write(tmp_path, "runs_loss.csv", "run_id,iteration,loss\n" + runs))
    assert got["train"][0] == [float(it) for it in range(10, 210, 10)]
    assert any("5 segments (steps restart from the beginning), diagnosing the last" in n
               for n in log.notes)


def _bar(desc: str, n: int, total: int, post: str) -> str:
    done = "#" * (10 * n // total)
    return (f"{desc}: {100 * n // total:3d}%|{done:<10}| {n}/{total}"
            f" [00:01<00:01, 2.0it/s, {post}]\n")


def test_a_console_whose_bars_fill_the_head_is_read_as_console_text(tmp_path):
    """tqdm's redraws of one bar (1,568 updates an epoch, split by carriage returns) fill
    the first 64 KiB before the first epoch's summary ('...it/s]epoch   0 | train_loss:
    12.43 | ...'): no loss in the head, so the table reader took the file and found no
    numbers. Bars in the head say a console capture."""
    text = "训练数据集的长度为：6419\n"          # real87's: no prose a table reader would see
    for e in range(6):
        text += f"-------第 {e + 1} 轮训练开始-------\n"
        text += "".join(f"\r{100 * n // 1568:3d}%|####      | {n}/1568 [00:{n % 60:02d}<00:10,"
                        f" 63.84it/s]" for n in range(1569))
        text += f"epoch {e:3d} | train_loss: {12.4 / (e + 1):.5f} | acc_day: 0.9{e}\n"
    path = write(tmp_path, "train.log", text)
    assert len(text.split("train_loss")[0]) > 65536
    assert api.diagnose(path).format == "plain-text"
    assert curves(path)[0]["train"][1] == [round(12.4 / (e + 1), 5) for e in range(6)]


def test_progress_bars_whose_epochs_start_again_are_segments(tmp_path):
    """Cross-validation printed as tqdm bars, '[fold_0] 001/3:' to '[fold_1] 003/3:': the
    bars' own epoch counter goes back at each new fold, whose loss starts high again: the
    folds are segments (the last diagnosed), not one run climbing back five times. A
    validation bar's own '1/1' after a training bar's 'Epoch 3/5' is no new start."""
    text = "".join(_bar(f"[fold_{f}] {e:03d}/3", n, 4,
                        f"loss={3.9 / (1 + 4 * e + n) * (1 + f):.4f}")
                   for f in range(2) for e in range(1, 4) for n in range(1, 5))
    report = api.diagnose(write(tmp_path, "train_log.txt", text))
    assert any("2 segments (steps restart from the beginning), diagnosing the last" in n
               for n in report.notes)
    text = "".join(_bar(f"Epoch {e}/3", n, 4, f"loss={3.9 / (1 + 4 * e + n):.4f}")
                   for e in range(1, 4) for n in range(1, 5)) + _bar("1/1", 1, 1, "val_loss=0.5")
    report = api.diagnose(write(tmp_path, "with_eval.txt", text))
    assert not any("segments" in n for n in report.notes), report.notes


def test_a_one_word_title_above_a_table_is_not_its_header(tmp_path):
    """A Keras CSVLogger file with its own name written above the header (and ';' between
    cells): the title is skipped and said; a one-column table keeps its header."""
    rows = "".join(f"{e};0.{e};{1 / (e + 1):.4f};0.{e};{1.1 / (e + 1):.4f}\n" for e in range(8))
    path = write(tmp_path, "model_history_log.csv",
                 "\nmodel_history_log\nepoch;accuracy;loss;val_accuracy;val_loss\n" + rows)
    got, log = curves(path)
    assert got["train"] == ([float(e) for e in range(8)],
                            pytest.approx([1 / (e + 1) for e in range(8)], abs=1e-4))
    assert got["test"][1][0] == pytest.approx(1.1)
    assert "its line 'model_history_log' is a title, not the header" in log.notes
    got, _ = curves(write(tmp_path, "one.csv", "loss\n0.9\n0.8\n0.7\n0.6\n"))
    assert got["train"][1] == [0.9, 0.8, 0.7, 0.6]


def test_a_train_loss_of_two_epochs_gives_way_to_its_per_step_values(tmp_path):
    """Lightning's train_loss_epoch has two values in a two-epoch run, too few for a trend;
    train_loss_step beside it is the curve. The validation's per-batch values are no
    curve over training: val_loss_epoch stays the test loss."""
    rows = []
    for s in range(9, 40):
        rows.append(f"{1 / (s + 1):.5f},{s // 20},{s},,,")
        if s in (19, 39):          # the epoch's end: its validation, then the epoch means
            e, v = s // 20, 0.061 - s / 1000
            rows += [f",{e},{s},{v + i / 1000:.4f},," for i in range(5)]
            rows += [f",{e},{s},,{v:.3f},", f",{e},{s},,,{2 / (s + 1):.4f}"]
    header = "train_loss_step,epoch,step,val_loss_step,val_loss_epoch,train_loss_epoch\n"
    got, log = curves(write(tmp_path, "metrics.csv", header + "\n".join(rows) + "\n"))
    assert len(got["train"][0]) == 31
    assert got["test"][1] == [0.042, 0.022]
    assert any("train_loss_step read instead of train_loss_epoch, which has 2 value(s)" in n
               for n in log.notes)


def test_a_closing_value_written_back_at_step_0_is_no_resume(tmp_path):
    """An MLflow metric whose run logged its final value once more at step 0 when it ended:
    read as a resume, it undid the whole curve (kept the last value written per step: every
    step >= 0). One or two values at the end that would undo more than they bring are left
    out, with a note; a real resume (a long tail from an earlier step) still rewrites."""
    rows = "".join(f"{s},{1 / s:.5f}\n" for s in range(1, 31)) + "0,0.0333\n0,0.0333\n"
    got, log = curves(write(tmp_path, "loss.csv", "step,loss\n" + rows))
    assert got["train"][0] == [float(s) for s in range(1, 31)]
    assert any("the last 2 value(s), written back at step 0 after step 30, left out" in n
               for n in log.notes)
    resumed = "".join(f"{s},{1 / s:.5f}\n" for s in range(1, 31))
    resumed += "".join(f"{s},{0.9 / s:.5f}\n" for s in range(20, 41))
    got, log = curves(write(tmp_path, "loss2.csv", "step,loss\n" + resumed))
    assert got["train"][0] == [float(s) for s in range(1, 41)]
    assert got["train"][1][25] == pytest.approx(0.9 / 26, abs=1e-5)


def test_fastai_console_table_with_a_time_column(tmp_path):
    # fastai's fit in a terminal prints its table as text, the last column a clock
    # among the script's other prints (a file of the table alone is a delimited table)
    text = ("Loading data from ./data, 12,000 images\nlr_find: suggested lr 1e-3\n"
            "epoch     train_loss  valid_loss  accuracy  time\n" + "".join(
                f"{e:<9} {1.0 - e / 10:.6f}    {1.1 - e / 20:.6f}    0.7       00:12\n"
                for e in range(6)) + "Saved the model to export.pkl\n")
    got, log = curves(write(tmp_path, "train.log", text))
    assert log.format == "plain-text"
    assert got["train"][1] == pytest.approx([1.0, 0.9, 0.8, 0.7, 0.6, 0.5])
    assert got["test"][1] == pytest.approx([1.1, 1.05, 1.0, 0.95, 0.9, 0.85])


def test_a_pipe_table_after_a_preamble_with_abbreviated_splits(tmp_path):
    """``epoch | tr_loss | ... | va_loss | ... | te_loss | ... | time`` rows (``61s``) under
    a script's settings (``train=45000  val=5000``): a table, its tr/va/te the train,
    validation and held-out test losses (the validation loss the test curve)."""
    rows = "".join(f"{e:5d} | {1.5 / e + 0.3:7.3f} | {50 + e:6.2f} | {1.6 / e + 1.3:7.3f} | "
                   f"{1.6 / e + 1.31:7.3f} | {60 + e}s\n" for e in range(1, 31))
    text = ("device=cuda  args={'epochs': 30, 'lr': 0.02}\ntrain=45000  val=5000  test=10000\n\n"
            "epoch | tr_loss | tr_acc | va_loss | te_loss | time\n" + rows + "\nwrote: results\n")
    got, log = curves(write(tmp_path, "train.log", text))
    assert got["train"][1] == pytest.approx([round(1.5 / e + 0.3, 3) for e in range(1, 31)])
    assert got["test"][1] == pytest.approx([round(1.6 / e + 1.3, 3) for e in range(1, 31)])
    assert got["train"][0] == [float(e) for e in range(1, 31)]


def test_a_pipe_tables_percentages_and_remarks_after_a_row_leave_it_a_row(tmp_path):
    """`` Epoch | TrainLoss | TrainAcc | ValLoss | ValAcc | LR | Time`` rows whose accuracies
    are percentages (``50.80%``) and whose best epochs carry a remark after the last cell
    (``19.6s  <- best``): rows still, their losses read, the percentages not."""
    rows = "".join(f"{e:6d} | {1.0 / e + 0.4:9.4f} | {50 + e:6.2f}% | {0.9 / e + 0.5:8.4f} | "
                   f"{60 + e:6.2f}% | 0.001000 | {19 + e / 10:5.1f}s"
                   + ("  \u2190 best" if e % 3 == 0 else "") + "\n" for e in range(1, 23))
    text = ("Starting training \u2014 50 epochs, batch=256\n\n"
            " Epoch | TrainLoss | TrainAcc |  ValLoss |  ValAcc |       LR |   Time\n"
            + "-" * 70 + "\n" + rows)
    got, log = curves(write(tmp_path, "train.log", text))
    assert got["train"] == ([float(e) for e in range(1, 23)],
                            pytest.approx([round(1.0 / e + 0.4, 4) for e in range(1, 23)]))
    assert got["test"][1] == pytest.approx([round(0.9 / e + 0.5, 4) for e in range(1, 23)])


def test_numbers_printed_as_tensors_or_numpy_scalars_are_read_as_numbers(tmp_path):
    """A loop that prints its losses without ``.item()`` (``train_loss tensor(16.5469,
    device='cuda:0')``, ``tensor(0.41, grad_fn=<NllLossBackward0>)``) and a dict of NumPy 2
    scalars (``{'val_loss': np.float64(0.52)}``): each is its number; a tensor of several
    numbers is none."""
    lines = []
    for e in range(1, 13):
        lines.append(f"Epoch {e}")
        lines.append(f"train_loss tensor({2.0 / e + 0.5:.4f}, device='cuda:0', "
                     "grad_fn=<NllLossBackward0>)")
        lines.append(f"{{'val_loss': np.float64({2.2 / e + 0.6:.4f}), 'epoch': {e}}}")
        lines.append("weights tensor([1., 2., 3.])")
    got, log = curves(write(tmp_path, "train.log", "\n".join(lines) + "\n"))
    assert got["train"] == ([float(e) for e in range(1, 13)],
                            pytest.approx([round(2.0 / e + 0.5, 4) for e in range(1, 13)]))
    assert got["test"][1] == pytest.approx([round(2.2 / e + 0.6, 4) for e in range(1, 13)])


def test_a_line_of_pipes_with_numbers_is_no_table_header(tmp_path):
    text = "start: lr=0.2\n" + "".join(f"epoch {e} | train loss {1 / e:.4f} | val loss"
                                       f" {1.1 / e:.4f}\n" for e in range(1, 21))
    got, _ = curves(write(tmp_path, "train.log", text))
    assert got["test"][1] == pytest.approx([round(1.1 / e, 4) for e in range(1, 21)])


def test_a_loss_named_for_its_iteration_and_epoch(tmp_path):
    """``Loss for Iter 51: 0.398, acc = 0.26`` every 50 iterations and ``Test loss for epoch
    0: 0.2198, Acc = 0.61`` after each epoch of 100: the train loss per iteration, the test
    loss at the iteration it was evaluated after."""
    lines = []
    for epoch in range(10):
        for it in range(epoch * 100 + 1, epoch * 100 + 101, 50):
            lines.append(f"Loss for Iter {it}: {1 / it ** 0.3:.6f}, acc = 0.5\n")
        lines.append(f"Test loss for epoch {epoch}: {0.3 / (epoch + 1):.6f}, Acc = 0.6\n")
    got, _ = curves(write(tmp_path, "log_train.txt", "Namespace(lr=1.0)\n" + "".join(lines)))
    assert got["train"][0][:3] == [1.0, 51.0, 101.0]
    assert got["test"][1][:2] == pytest.approx([0.3, 0.15])
    assert got["test"][0][:2] == [51.0, 151.0]


def test_perplexities_at_each_epoch_and_no_loss(tmp_path):
    """'Train perplexity at epoch 0: 396.31' and 'Validation perplexity at epoch 0: 228.86'
    beside per-batch 'perplexity: 13027.55 speed: ..' lines and a closing 'Test Perplexity':
    ln of each epoch's perplexity is its split's loss (the log had been refused)."""
    lines = ["Vocabulary size: 10000"]
    for e in range(20):
        lines += [f"{f / 10:.4f} perplexity: {900 / (e + 1) + 40:.2f} speed: 9000.0 wps"
                  for f in range(3)]
        lines += [f"Train perplexity at epoch {e}: {400 / (e + 1) + 38:.2f}",
                  f"Validation perplexity at epoch {e}: {230 / (e + 1) + 80:.2f}"]
    lines.append("Test Perplexity: 76.20")
    got, log = curves(write(tmp_path, "nohup.out", "\n".join(lines) + "\n"))
    assert got["train"][1] == pytest.approx([math.log(round(400 / (e + 1) + 38, 2))
                                             for e in range(20)])
    assert got["test"][1][:3] == pytest.approx([math.log(round(230 / (e + 1) + 80, 2))
                                                for e in range(3)])
    assert any("ln(Train perplexity)" in n for n in log.notes)


def test_deepmd_lcurve_commented_header_and_its_total(tmp_path):
    """DeePMD's lcurve.out: '#  step  rmse_val  rmse_trn  rmse_e_val ... lr' as a comment
    over padded columns; rmse_trn and rmse_val are the totals beside their energy, force and
    virial parts (rmse_v_trn is a train column: its 'v' is the virial, not validation)."""
    header = ("#  step      rmse_val    rmse_trn    rmse_e_val  rmse_e_trn    rmse_f_val  "
              "rmse_f_trn    rmse_v_val  rmse_v_trn         lr\n"
              "# If there is no available reference data, rmse_*_{val,trn} will print nan\n")
    rows = "".join(f"{s:7d}" + "".join(f"  {v:10.2e}" for v in (
        10 / (1 + s / 100), 9 / (1 + s / 100), 0.1, 0.1, 0.3, 0.3, 0.02, 0.02, 1e-3)) + "\n"
        for s in range(0, 4000, 100))
    got, log = curves(write(tmp_path, "lcurve.out", header + rows))
    assert set(log.frame["metric"]) >= {"rmse_trn", "rmse_val"}
    assert got["train"][1][0] == pytest.approx(9.0) and got["test"][1][0] == pytest.approx(10.0)
    assert got["train"][0][:2] == [0.0, 100.0]
    # with no validation columns at all, the virial's train error is no test loss either
    train_only = "#  step   rmse_trn  rmse_e_trn  rmse_f_trn  rmse_v_trn  lr\n" + "".join(
        f"{s} {9 / (1 + s / 100):.4e} 0.1 0.3 0.02 1e-3\n" for s in range(0, 4000, 100))
    got, _ = curves(write(tmp_path, "train_only.out", train_only))
    assert "test" not in got and "train" in got


def test_savetxt_header_comment_names_the_columns(tmp_path):
    text = "# epoch train_loss val_loss\n" + "".join(
        f"{e} {1 / (e + 1):.5f} {1.2 / (e + 1):.5f}\n" for e in range(20))
    got, _ = curves(write(tmp_path, "losses.txt", text))
    assert got["test"][1][1] == pytest.approx(0.6)


def test_deepxde_loss_dat_sums_its_terms(tmp_path):
    """DeepXDE's loss.dat: '# step, loss_train, loss_test, metrics_test' over one column per
    loss term of each (three here, no metric): the train and test losses are their sums."""
    rows = "".join(" ".join(f"{v:.18e}" for v in [s, *(t / (1 + s / 1000) for t in (1, 2, 3)),
                                                  *(t / (1 + s / 900) for t in (1, 2, 3))]) + "\n"
                   for s in range(0, 20000, 1000))
    got, log = curves(write(tmp_path, "loss.dat", "# step, loss_train, loss_test, metrics_test\n"
                            + rows))
    assert got["train"][1][0] == pytest.approx(6.0)
    assert got["test"][1][1] == pytest.approx(6 / (1 + 1000 / 900))
    assert any("sum of 3 components" in n for n in log.notes)


def test_yolov5_console_without_a_total_column(tmp_path):
    """Later YOLOv5 releases print 'Epoch gpu_mem box obj cls labels img_size' (no total),
    under a train.py options line and above each epoch's validation rows: box, obj and cls
    are the losses, their sum the train loss (the log had been refused)."""
    header = "     Epoch   gpu_mem       box       obj       cls    labels  img_size\n"
    text = "train: weights=yolov5s.pt, cfg=, epochs=10, batch_size=32, imgsz=640\n\n"
    for e in range(8):
        text += (header + f"       {e}/9        0G   {0.058 - e / 200:.5f}   0.02423   0.09789"
                 f"        54       640: 100%|##########| 401/401 [1:13:28<00:00, 10.99s/it]\n"
                 "               Class     Images     Labels          P          R     mAP@.5"
                 " mAP@.5:.95: 100%|##########| 60/60 [06:55<00:00,  6.92s/it]\n"
                 "                 all       3796       4416      0.006      0.793     0.0166"
                 "    0.00834\n\n")
    got, log = curves(write(tmp_path, "training_output.txt", text))
    assert got["train"][1] == pytest.approx([0.058 - e / 200 + 0.02423 + 0.09789
                                             for e in range(8)])
    assert any("sum of 3 components" in n for n in log.notes)


@pytest.mark.parametrize("bar", ["100% \u2501\u2501\u2501\u2501\u2501\u2501 8/8 1.2it/s 6.6s",
                                 "45% \u2501\u2501\u2501\u2578\u2500\u2500 4/8 1.1it/s 3.0s<3.4s",
                                 "0% \u00d4\u00f6\u00c7\u00d4\u00f6\u00c7 0/8"])
def test_ultralytics_rows_under_a_progress_bar_of_their_own_style(tmp_path, bar):
    """Ultralytics 8.3+ draws its own bar after a row's 'Size' cell ('320: 100% ━━━ 8/8
    1.2it/s'), not tqdm's '100%|███|': the rows had one cell too many for the header and
    went unread (and a PowerShell capture turns the bar into mojibake). What follows the
    row's colon is the bar, whatever its style."""
    text = "engine/trainer: agnostic_nms=False, amp=True, box=7.5, cls=0.5, dfl=1.5\n"
    for e in range(1, 9):
        text += ("      Epoch    GPU_mem   box_loss   cls_loss   dfl_loss  Instances       Size\n"
                 f"      {e}/8         0G      {3.3 - 0.1 * e:.3f}      5.818      4.334"
                 f"         30        320: {bar}\n"
                 "                 Class     Images  Instances      Box(P          R      mAP50"
                 "  mAP50-95): 100% \u2501\u2501\u2501 1/1 3.1it/s 0.3s\n"
                 "                   all          4         17          0          0"
                 "          0          0\n")
    got, log = curves(write(tmp_path, "train_output.txt", text))
    assert got["train"][1] == pytest.approx([3.3 - 0.1 * e + 5.818 + 4.334 for e in range(1, 9)])
    assert any("sum of 3 components" in n for n in log.notes)


@pytest.mark.parametrize("text,word", [
    ("2026-12-01 00:00:05,000 - train - INFO - step 5 | ", "train"),
    ("Epoch 3 ValLoss", "val"), ("Validate: [10/20] ", "val"), ("| valid | epoch 003 | ", "valid"),
    ("val2 metrics ", ""), ("interval 3 ", ""), ("Testing in eval mode ", "eval"),
])
def test_the_split_a_stretch_of_a_line_names(text, word):
    """The last split's word standing as a word of its own (camelCase split, digits part of
    a word), a verb read as its split."""
    from lossdoctor.parsers.printedline import split_word
    assert split_word(text) == word


def test_stable_baselines3_console_tables(tmp_path):
    """Stable-Baselines3 prints each update as a table of one key a row ('| train/ |' a
    section, '|    loss    | 0.021 |' its keys): the total 'loss' of the 'train/' section
    is the train loss, at the table's total_timesteps; lines between the tables (an
    episode's reward) are read as before, and the first table, with no train section yet,
    gives no loss."""
    def table(i: int) -> str:
        rows = [("time/", ""), ("   fps", "1089"), ("   iterations", str(i)),
                ("   total_timesteps", str(2048 * i))]
        if i > 1:
            rows += [("train/", ""), ("   entropy_loss", "-1.38"), ("   learning_rate", "0.0003"),
                     ("   loss", f"{0.5 / i:.4g}"), ("   n_updates", str(10 * i)),
                     ("   value_loss", f"{0.9 / i:.4g}")]
        rule = "-" * 41
        return "\n".join([rule, *(f"| {k:<23} | {v:<11} |" for k, v in rows), rule]) + "\n"
    text = "Using cpu device\n" + "".join(
        f"Output {i}: Average over 100 episodes - Reward: 0.{i}\n{table(i)}" for i in range(1, 13))
    got, log = curves(write(tmp_path, "ppo_on.txt", text))
    assert got["train"][0] == [2048.0 * i for i in range(2, 13)]
    assert got["train"][1] == pytest.approx([float(f"{0.5 / i:.4g}") for i in range(2, 13)])
    assert "test" not in got
    assert set(log.frame["metric"][log.frame["split"] == "train"]) == {"train/loss"}


def test_an_evaluations_batches_counted_against_their_own_total_sit_at_the_epochs_end(tmp_path):
    """PaddleClas prints training's batches as '[Train][Epoch 3/20][Iter: 40/98]' and the
    evaluation's as '[Eval][Epoch 3][Iter: 10/25]', then the evaluation's '[Avg]': the
    evaluation's count is of its own 25 batches, not training's steps, so each epoch's
    evaluation sits at the epoch's end on training's axis (epoch * 98), its value the
    average, instead of being chained on an axis of 25 steps an epoch beside training's 98."""
    head = "[2022/10/07 21:47:28] ppcls INFO: "
    lines = []
    for e in range(1, 21):
        for i in range(0, 98, 20):
            lines.append(f"{head}[Train][Epoch {e}/20][Iter: {i}/98]lr(LinearWarmup): 0.001, "
                         f"CELoss: {6.9 / e + i / 1e4:.5f}, loss: {6.9 / e + i / 1e4:.5f}, "
                         "batch_cost: 0.48535s, ips: 263.72637 samples/s")
        lines.append(f"{head}[Train][Epoch {e}/20][Avg]CELoss: {6.9 / e:.5f}, loss: {6.9 / e:.5f}")
        for i in (0, 10, 20):
            lines.append(f"{head}[Eval][Epoch {e}][Iter: {i}/25]CELoss: {9.0 - e / 10:.5f}, "
                         f"loss: {9.0 - e / 10:.5f}, top1: 0.001")
        lines.append(f"{head}[Eval][Epoch {e}][Avg]CELoss: {5.0 / e:.5f}, loss: {5.0 / e:.5f}, "
                     "top1: 0.00146")
    got, _ = curves(write(tmp_path, "train.log", "\n".join(lines) + "\n"))
    assert got["test"][0] == [98.0 * e for e in range(1, 21)]
    assert got["test"][1] == pytest.approx([round(5.0 / e, 5) for e in range(1, 21)])
    assert max(got["train"][0]) <= 98.0 * 20


def test_a_single_batchs_loss_gives_way_to_the_epochs_mean(tmp_path):
    """'Epoch 01 | Batch 20/62 | batch_loss=0.8740' every 20 batches, and each epoch's
    'Train Loss: 0.8731' (the mean over all 62): a few sampled batches scatter far more
    than the mean of the epoch, which is the train loss read once it has points enough
    for a trend; a loss named as the step's own (no 'batch' in it) stays the curve."""
    rng = np.random.default_rng(4)
    lines = []
    for e in range(1, 21):
        for b in (20, 40, 60, 62):
            lines.append(f"2026-05-01 04:25:30 | DEBUG | Epoch {e:02d} | Batch {b}/62 | "
                         f"batch_loss={0.9 / e ** 0.5 * np.exp(rng.normal(0, 0.3)):.4f}")
        lines.append(f"2026-05-01 04:25:38 | INFO | Epoch [{e:02d}/20] LR: 0.001000 | "
                     f"Train Loss: {0.9 / e ** 0.5:.4f} | Train Acc: 0.5651")
    got, log = curves(write(tmp_path, "train.log", "\n".join(lines) + "\n"))
    assert got["train"][1] == pytest.approx([round(0.9 / e ** 0.5, 4) for e in range(1, 21)])
    renamed = write(tmp_path, "step.log", "\n".join(lines).replace("batch_loss", "loss") + "\n")
    assert len(curves(renamed)[0]["train"][1]) == 80


def test_a_batchs_loss_printed_under_each_epoch_marker_is_a_point_a_line(tmp_path):
    """'Epoch [1/5], Batch Loss: 10.75' on every batch, with no step of its own: the
    epoch's last line is one batch, not the epoch; each line is a point, in line order.
    A loss that does not say batch under the same markers, printed as the running mean
    since the epoch began, stays one point an epoch: its last line sums the epoch up."""
    rng = np.random.default_rng(6)
    batch = np.array([[2.0 / (1 + (e - 1) * 5 + b / 10) ** 0.3 * np.exp(rng.normal(0, 0.1))
                       for b in range(50)] for e in range(1, 6)])
    lines = [f"Epoch [{e + 1}/5], Batch Loss: {v:.4f}" for e, row in enumerate(batch)
             for v in row]
    got, log = curves(write(tmp_path, "train.log", "\n".join(lines) + "\n"))
    assert len(got["train"][1]) == 250
    assert "x axis: order of the lines" in log.notes
    means = batch.cumsum(axis=1) / np.arange(1, 51)
    running = write(tmp_path, "running.log", "".join(
        f"Epoch [{e + 1}/5], loss: {v:.4f}\n" for e, row in enumerate(means) for v in row))
    got, _ = curves(running)
    assert got["train"] == ([1.0, 2.0, 3.0, 4.0, 5.0], [round(v, 4) for v in means[:, -1]])


def test_batches_counted_under_an_epoch_header_line_are_chained_across_the_epochs(tmp_path):
    """A `logging` log that names the epoch on a header line of its own ('Epoch 3/70 -
    Training Phase') above its batches ('Batch 5/19 | Loss: 8.67 | Avg Loss: 7.89'), then the
    validation's batches and the epoch's summary: the batch counts go back every epoch, so
    the last epoch's 6 points had been read as the run (an iron-ore LSTM's 65 epochs: a rate
    too high; plateau labelled). The header's epoch chains them, (epoch - 1) * 19 + batch,
    and the validation loss sits at each epoch's end."""
    rng = np.random.default_rng(4)
    out = []
    for e in range(1, 13):
        out.append(f"2025-09-01 09:52:59,026 - train - INFO - Epoch {e}/70 - Training Phase")
        for b in (1, 5, 9, 13, 17, 19):
            loss = (4 + 6 * np.exp(-(e - 1 + b / 19) / 2)) * np.exp(rng.normal(0, 0.3))
            out.append(f"2025-09-01 09:52:59,468 - train - INFO -     Batch {b:3d}/ 19 |"
                       f" Loss: {loss:.6f} | Avg Loss: {loss:.6f} | Progress: {b / 19:6.1%}")
        out.append("2025-09-01 09:52:59,531 - train - INFO -     Val Batch  1/ 4 | Loss: 5.6")
        out.append(f"2025-09-01 09:52:59,534 - train - INFO - Epoch {e}/70 Complete:")
        out.append(f"2025-09-01 09:52:59,534 - train - INFO -   Val Loss:   {2.4 + 1 / e:.6f}")
    got, _ = curves(write(tmp_path, "training.log", "\n".join(out) + "\n"))
    steps, _ = got["train"]
    assert len(steps) == 72 and steps[:2] == [1.0, 5.0] and steps[-1] == 11 * 19 + 19
    assert got["test"][0] == [19.0 * e for e in range(1, 13)]


def test_losses_printed_under_each_epoch_that_no_running_mean_can_be_are_each_a_point(
        tmp_path):
    """'Epoch 1, Batch 50: Loss 2.1402' then 'Batch 100: Loss 0.0225': a running mean of
    losses >= 0 over 100 batches is at least half of one over the first 50, so these are
    each their own batches' losses (a posture detector's log read as 10 epoch points, flat
    at 0.0026 with a last tick up, got lr_too_high; its 400 prints show the fall in epoch
    1 and the plateau since). Each is a point, spread over its epoch (the last at the epoch,
    where its evaluation sits); the same fall printed as running means stays one point an
    epoch. The test asks the loss's own batches, not the other losses a line prints."""
    rng = np.random.default_rng(3)
    raw = np.array([[max(2.2 * np.exp(-(e * 40 + b) / 4), 0.0) + 0.0026
                     * np.exp(rng.normal(0, 0.05)) for b in range(40)] for e in range(10)])
    text = "".join(f"Epoch {e + 1}, Batch {50 * (b + 1)}: Loss {raw[e, b]:.4f}\n"
                   + ("Val Loss: 0.0031\n" if b == 39 else "")
                   for e in range(10) for b in range(40))
    got, log = curves(write(tmp_path, "training_log.txt", text))
    steps, values = got["train"]
    assert len(values) == 400 and same(values, [round(v, 4) for v in raw.ravel()])
    assert steps[39] == 1.0 and steps[-1] == 10.0 and same(steps[:2], [1 / 40, 2 / 40])
    assert got["test"][0] == [float(e) for e in range(1, 11)]
    assert "x axis: epoch" in log.notes
    means = raw.cumsum(axis=1) / np.arange(1, 41)
    running = "".join(f"Epoch {e + 1}, Batch {50 * (b + 1)}: Loss {means[e, b]:.4f}\n"
                      for e in range(10) for b in range(40))
    assert curves(write(tmp_path, "running.txt", running))[0]["train"][0] == \
        [float(e) for e in range(1, 11)]
    # a running mean printed at every batch counted from 1 whose second batch's loss is
    # near 0 halves at once (2.0, 1.005, ...): its batch count is taken as printed, the
    # weaker of the two bounds (counted from 0 it would cover one batch more), so it stays
    # a running mean
    first = np.array([2.0] + [0.01] * 9)
    steep = "".join(f"Epoch {e}, Batch {b + 1}: Loss {m:.4f}\n" for e in range(1, 8)
                    for b, m in enumerate((first / e).cumsum() / np.arange(1, 11)))
    assert curves(write(tmp_path, "steep.txt", steep))[0]["train"][0] == \
        [float(e) for e in range(1, 8)]
    # losses of other names, one a line (MXNet's 'Epoch[5] Train-M0_BboxLoss=0.0656',
    # 'Epoch[5] Train-M1_KpointLoss=0.1883'), are not compared with each other
    several = "".join(f"Epoch[{e}] Train-M0_BboxLoss={0.07 - e / 1000 + k / 1e4:.4f}\n"
                      f"Epoch[{e}] Train-M1_KpointLoss={0.2 - e / 1000 + k / 1e4:.4f}\n"
                      for e in range(1, 11) for k in range(3))
    assert len(curves(write(tmp_path, "speedometer.log", several))[0]["train"][1]) == 10


def test_a_long_table_of_one_value_a_row_is_read_a_column_per_series(tmp_path):
    """TensorBoard's get_scalars() frame (run, tag, step, value, a wall time) and pandas'
    melt output (epoch, split, metric, value) hold every curve in one value column: the
    series a row belongs to is named by its labels, and read as a column of that name
    (refused before: the only number column, ``value``, is named like no loss)."""
    rows = ["run,tag,step,value,wall_time"]
    for step in range(1, 7):
        rows.append(f"train,epoch_loss,{step},{2.0 / step},{1e9 + step}")
        rows.append(f"validation,epoch_loss,{step},{2.2 / step + 0.1},{1e9 + step + 0.5}")
        rows.append(f"train,epoch_accuracy,{step},{0.5 + step / 20},{1e9 + step}")
    got, log = curves(write(tmp_path, "scalars.csv", "\n".join(rows) + "\n"))
    assert got["train"] == ([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [2.0 / s for s in range(1, 7)])
    assert same(got["test"][1], [2.2 / s + 0.1 for s in range(1, 7)])
    assert any("a long table" in n and "run, tag" in n for n in log.notes)
    melted = "epoch,split,metric,value\n" + "".join(
        f"{e},train,loss,{1 / e}\n{e},val,loss,{1.5 / e}\n" for e in range(1, 8))
    got, _ = curves(write(tmp_path, "training_log.csv", melted))
    assert got["train"][0] == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]
    assert same(got["test"][1], [1.5 / e for e in range(1, 8)])
    # a table with a value column beside other text (a comment per row) is not one
    with pytest.raises(NoLossError):
        load(write(tmp_path, "notes.csv", "step,name,value,comment\n" + "".join(
            f"{s},loss,{1 / s},ok\n" for s in range(1, 8))))


def test_generic_rows_wider_than_the_header_are_named_in_a_note(tmp_path):
    # per-batch rows with an epoch's summary row of more cells than the header names: the
    # batch rows are read, and the note says which lines were not (they were dropped silently)
    rows = [f"{e},{b},{1 / (e + b)}" for e in range(1, 4) for b in range(1, 4)]
    text = "Epoch,Batch,Loss\r\n" + "\r\n".join(
        rows[:3] + ["1,summary,0.5,0.9,100"] + rows[3:] + ["2,summary,0.4,0.9,100"]) + "\r\n"
    got, log = curves(write(tmp_path, "training_log.csv", text))
    assert len(got["train"][1]) == 9
    assert "2 lines (the first, line 5) not read: 5 cells under a header of 3 columns" \
        in log.notes


def test_generic_one_wide_row_is_named_by_its_line_in_the_file(tmp_path):
    text = "# lr 1e-3\nepoch,loss\n1,0.5\n2,0.4,9\n3,0.3\n4,0.25\n"
    got, log = curves(write(tmp_path, "x.csv", text))
    assert got["train"] == ([1.0, 3.0, 4.0], [0.5, 0.3, 0.25])
    assert "line 4 not read: 3 cells under a header of 2 columns" in log.notes


def test_a_first_line_of_words_and_bare_numbers_is_a_record_not_a_header(tmp_path):
    """'Epoch: 0' above rows of 'loss, batch' printed without names: the table reader took
    the epoch line for a header and offered 'Epoch:' and '0' as the columns to choose from;
    a header names every column, so the columns are numbered and the user can pick one."""
    text = "".join(f"Epoch: {e}\n" + "".join(f"{10.2 - e * 0.01 - b * 1e-5}, {b}\n"
                                             for b in range(0, 900, 100)) for e in range(8))
    path = write(tmp_path, "train_log.txt", text)
    with pytest.raises(NoLossError, match="numeric columns: column 1, column 2 "):
        load(path)
    log = load(path, options=ReadOptions(train_col="column 1"))
    assert len(log.frame) == 72        # the 'Epoch: N' lines are no rows of the table
    assert has_header("epoch,loss,val_loss", ",") and not has_header("Epoch: 0", None)


def test_a_logging_modules_lines_are_console_text_though_their_milliseconds_hold_a_comma(
        tmp_path):
    """Python logging's default '%(asctime)s - %(levelname)s - %(message)s' puts a comma
    before the milliseconds, so the file sniffs as a two-column table whose second column
    is '410 - INFO - ...'; its level word says it is a logger's output, read as text."""
    text = ("2025-10-24 12:03:06,410 - INFO - \n" + "#" * 80 + "\n"
            "2025-10-24 12:03:06,410 - INFO - Using device: cpu\n{\n  \"lr\": 1e-05,\n}\n")
    text += "".join(f"2025-10-24 12:{e:02d}:06,410 - INFO - Epoch {e}/20 | Train Loss:"
                   f" {2 / (e + 1):.4f} | Val Loss: {2.2 / (e + 1) ** 0.8:.4f}\n"
                   for e in range(1, 21))
    got, log = curves(write(tmp_path, "training.log", text))
    assert got["train"][1] == pytest.approx([2 / (e + 1) for e in range(1, 21)], abs=1e-4)
    assert got["test"][1] == pytest.approx([2.2 / (e + 1) ** 0.8 for e in range(1, 21)],
                                           abs=1e-4)
    assert log.format == "plain-text"


def test_a_loss_named_with_its_split_in_parentheses_glued_to_it(tmp_path):
    """'Loss(train): 6.55, Loss(val): 6.49' after a logger's 'test.py:108 - train_log -':
    the split glued in parentheses was no part of a name, so the line offered 'test.py'
    and 'val alpha' as its values and the file was refused."""
    text = "".join(f"2019-04-29 00:54:{s % 60:02d},622 - test.py:108 - train_log - [Prompt]"
                   f"Epoch:0, Current step: {s * 1000}, Loss(train): {6 / s ** 0.5:.6f},"
                   f" Loss(val): {6.2 / s ** 0.45:.6f}, alpha:0.030000\n" for s in range(1, 30))
    got, _ = curves(write(tmp_path, "train_log.log", text))
    assert got["train"][0][:2] == [1000.0, 2000.0]
    assert got["train"][1] == pytest.approx([6 / s ** 0.5 for s in range(1, 30)], abs=1e-5)
    assert got["test"][1] == pytest.approx([6.2 / s ** 0.45 for s in range(1, 30)], abs=1e-5)


def test_values_and_counters_printed_in_braces(tmp_path):
    """A logger's f-string with doubled braces left in: 'epoch: {1/300}, step: {1/2},
    loss : {1.9027643}, lr : {0.0001000}': no value was read (the file was refused); the
    braces hold the loss, the epoch and the step within it, chained over the epochs."""
    text = "2022-02-15 17:55:15,241 INFO train using cuda\n" + "".join(
        f"2022-02-15 17:55:17,761 INFO epoch: {{{e}/300}}, step: {{{s}/2}}, loss :"
        f" {{{2 / (2 * e + s) ** 0.3:.7f}}}, lr : {{0.0001000}}\n"
        for e in range(1, 11) for s in (1, 2))
    got, _ = curves(write(tmp_path, "train_log.log", text))
    assert got["train"][0] == [float(x) for x in range(1, 21)]
    assert got["train"][1] == pytest.approx(
        [2 / (2 * e + s) ** 0.3 for e in range(1, 11) for s in (1, 2)], abs=1e-6)
