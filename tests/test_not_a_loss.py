"""A column that is not a loss is never diagnosed; odd text logs still give the right curve."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import curves

from lossdoctor import cli
from lossdoctor.errors import ColumnError, NoLossError
from lossdoctor.parsers import ReadOptions, load


def falling(n: int = 30, scale: float = 2.0) -> list[float]:
    return [round(scale / (e + 1) + 0.3, 5) for e in range(n)]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# ---------------------------------------------------------------- no loss: refused

NOT_LOSSES = {
    "wandb-history-without-loss": ("history.csv", "_step,_runtime,_timestamp,lr\n" + "".join(
        f"{i},{i * 1.5 + i % 3},{1.7e9 + i},0.1\n" for i in range(40)), "_runtime, lr"),
    "json-document-with-a-list": ("doc.json", json.dumps({"name": "x", "items": [1, 2, 3]}),
                                  "items"),
    "boolean-column": ("flags.csv", "flag\n" + "".join(f"{i % 2 == 0}\n" for i in range(40)),
                       "(and no numeric columns)"),
    "a-bare-number": ("answer.txt", "42\n", "column 1"),
    "labels": ("labels.csv", "id,label\n" + "".join(f"{i},{i % 3}\n" for i in range(50)),
               "id, label"),
    "accuracy-only": ("metrics.csv", "epoch,accuracy,val_accuracy\n" + "".join(
        f"{e},{0.5 + e / 100},{0.4 + e / 100}\n" for e in range(30)),
                      "accuracy, val_accuracy"),
    "headerless-numbers-in-a-file-not-named-loss": ("numbers.txt", "".join(
        f"{v}\n" for v in falling()), "column 1"),
    "json-list-of-numbers": ("data.json", json.dumps(falling()), "'values'"),
    "mxnet-log-of-accuracy-and-time-cost": ("train.log", "".join(
        f"INFO:root:Epoch[{e}] Batch [20]\tSpeed: 142.33 samples/sec\taccuracy=0.56\n"
        f"INFO:root:Epoch[{e}] Train-accuracy=0.{60 + e}\n"
        f"INFO:root:Epoch[{e}] Time cost={140 - e}.99\n"
        f"INFO:root:Epoch[{e}] Validation-accuracy=0.{55 + e}\n" for e in range(10)),
                                            "Time cost"),
    "an-l2-norm-and-an-l2-penalty": ("metrics.csv", "epoch,l2_norm,l2_reg,accuracy\n" + "".join(
        f"{e},{10 - e / 3},{0.01 * (e + 1)},{0.5 + e / 40}\n" for e in range(12)), "l2_norm"),
    "tensorboard-download-of-accuracy": ("run-.-tag-accuracy.csv", "Wall time,Step,Value\n" +
                                         "".join(f"{1.6e9 + s},{s},{0.5 + s / 100}\n"
                                                 for s in range(30)), "'accuracy'"),
}


@pytest.mark.parametrize("name,text,listed", NOT_LOSSES.values(), ids=list(NOT_LOSSES))
def test_no_loss_column_is_exit_2_listing_the_numeric_columns(tmp_path, name, text, listed):
    path = write(tmp_path / name, text)
    with pytest.raises(NoLossError) as exc:
        load(path)
    assert listed in str(exc.value)
    result = CliRunner().invoke(cli.main, ["check", str(path)])
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and "--train-col" in result.stderr


def test_mlflow_metric_file_of_accuracy_is_refused_until_named(tmp_path):
    path = write(tmp_path / "run" / "metrics" / "accuracy",
                 "".join(f"{1_700_000_000_000 + i} {0.5 + i / 100} {i}\n" for i in range(20)))
    with pytest.raises(NoLossError, match="'accuracy', and neither it nor the file name"):
        load(path)
    log = load(path, options=ReadOptions(test_col="accuracy"))
    assert log.splits() == ["test"]


def test_the_user_may_name_any_column_as_the_loss(tmp_path):
    path = write(tmp_path / "numbers.txt", "".join(f"{v}\n" for v in falling()))
    got, _ = curves(path, train_col="column 1")
    assert got["train"][1] == falling()


@pytest.mark.parametrize("name,text,split,metric", [
    ("val_loss.txt", "".join(f"{v}\n" for v in falling()), "test", "column 1"),
    ("loss.json", json.dumps(falling()), "train", ""),
    ("run-.-tag-epoch_loss.csv", "Wall time,Step,Value\n" + "".join(
        f"{1.6e9 + s},{s},{v}\n" for s, v in enumerate(falling())), "train", "epoch_loss"),
    ("history.csv", "epoch,nll,val_nll,acc\n" + "".join(
        f"{e},{v},{v + 0.1},0.5\n" for e, v in enumerate(falling())), "train", "nll"),
    ("objective.csv", "step,objective\n" + "".join(
        f"{e},{v}\n" for e, v in enumerate(falling())), "train", "objective"),
], ids=["headerless-val-loss-file", "json-list-in-loss-file", "tensorboard-download-of-loss",
        "nll-columns", "objective-column"])
def test_a_loss_named_by_its_column_tag_or_file_is_read(tmp_path, name, text, split, metric):
    log = load(write(tmp_path / name, text))
    assert split in log.splits()
    rows = log.frame[log.frame["split"] == split]
    assert rows["value"].tolist() == pytest.approx(falling())
    if metric:
        assert set(rows["metric"].astype(str)) == {metric}


def test_bookkeeping_columns_are_never_read_even_in_a_file_named_loss(tmp_path):
    path = write(tmp_path / "loss.csv", "epoch,_runtime,accuracy,id\n" + "".join(
        f"{e},{e * 3.1},{0.5 + e / 100},{e}\n" for e in range(30)))
    with pytest.raises(NoLossError, match="numeric columns: _runtime, accuracy, id"):
        load(path)


def test_several_loss_like_columns_ask_which(tmp_path):
    path = write(tmp_path / "metrics.csv", "epoch,mse,nll\n" + "".join(
        f"{e},{v},{v}\n" for e, v in enumerate(falling())))
    with pytest.raises(ColumnError, match="several could be the train loss: mse, nll"):
        load(path)


def test_an_mse_beside_the_errors_reported_with_it_is_the_loss(tmp_path):
    """A regression's history with no column named loss: train_mse, train_rmse, train_mae
    (and their val_ twins). The MSE is the objective (RMSE is its square root, MAE a second
    measure of the fit): it is read, and the note says what else was there."""
    header = "epoch,train_mse,train_rmse,train_mae,train_r2,val_mse,val_rmse,val_mae,val_r2\n"
    path = write(tmp_path / "training_history.csv", header + "".join(
        f"{e},{v},{v ** 0.5},{v * 0.8},{1 - v},{v + 0.1},{(v + 0.1) ** 0.5},{v},{0.9 - v}\n"
        for e, v in enumerate(falling())))
    log = load(path)
    assert set(log.frame["metric"].astype(str)) == {"train_mse", "val_mse"}
    assert any("train loss: train_mse (no column is named loss; also found train_rmse,"
               " train_mae" in n for n in log.notes), log.notes
    path = write(tmp_path / "errors.csv", "epoch,rmse,mae\n" + "".join(
        f"{e},{v},{v}\n" for e, v in enumerate(falling())))
    with pytest.raises(ColumnError, match="several could be the train loss: rmse, mae"):
        load(path)


def test_a_sweep_skips_files_without_a_loss_with_a_note(tmp_path):
    root = tmp_path / "runs"
    for run in ("a", "b"):
        write(root / run / "metrics.csv", "epoch,loss,val_loss\n" + "".join(
            f"{e},{v},{v + 0.1}\n" for e, v in enumerate(falling())))
    write(root / "labels.csv", "id,label\n" + "".join(f"{i},{i % 3}\n" for i in range(50)))
    write(root / "history.csv", NOT_LOSSES["wandb-history-without-loss"][1])
    write(root / "README.md", "# runs\n\n1 2 3\n")
    result = CliRunner().invoke(cli.main, ["check", str(root), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert sorted(r["run"] for r in data["runs"]) == ["a/metrics.csv", "b/metrics.csv"]
    assert "skipped 2 file(s) with no loss column: history.csv, labels.csv" in data["notes"]


# ---------------------------------------------------------------- text logs

def epochs(n: int = 20) -> list[tuple[int, float, float]]:
    return [(e, round(0.9 - e * 0.02, 4), round(0.95 - e * 0.02, 4)) for e in range(1, n + 1)]


def test_a_stray_val_loss_in_a_checkpoint_message_beside_a_valloss_column(tmp_path):
    lines = ["Epoch  TrainLoss  ValLoss"] + [f"{e}  {t}  {v}" for e, t, v in epochs()]
    lines.insert(11, "Checkpoint saved (val_loss=0.55) to ckpt.pt")
    got, log = curves(write(tmp_path / "train.log", "\n".join(lines) + "\n"))
    assert got["test"] == ([float(e) for e, _, _ in epochs()], [v for _, _, v in epochs()])
    assert got["train"][1] == [t for _, t, _ in epochs()]
    assert any("'val_loss' appears on 1 line(s) only" in n for n in log.notes)


def test_a_stray_val_loss_pair_beside_per_epoch_pairs(tmp_path):
    lines = [f"Epoch {e}: TrainLoss: {t} ValLoss: {v}" for e, t, v in epochs()]
    lines.insert(10, "Checkpoint saved (val_loss=0.55) to ckpt.pt")
    got, log = curves(write(tmp_path / "train.log", "\n".join(lines) + "\n"))
    assert got["test"][1] == [v for _, _, v in epochs()]
    assert any("'val_loss' appears on 1 line(s) only" in n for n in log.notes)


def test_loss_and_training_loss_one_of_them_a_single_value(tmp_path):
    text = "".join(f"Epoch {e}\nTraining Loss: {t}\n" for e, t, _ in epochs()) + "Loss: 0.9\n"
    got, log = curves(write(tmp_path / "out.log", text))
    assert got["train"][1] == [t for _, t, _ in epochs()]
    assert "test" not in got


def test_timestamp_prefixed_lines_are_text_not_json(tmp_path):
    text = "".join(f"[12/21 21:00:{e:02d}] epoch {e} loss: {t} val_loss: {v}\n"
                   for e, t, v in epochs())
    got, log = curves(write(tmp_path / "log.txt", text))
    assert log.format == "plain-text"
    assert got["train"][1] == [t for _, t, _ in epochs()]


def test_logging_lines_opening_with_a_braced_source_are_text_not_json(tmp_path):
    """Airflow's log format, '[{train.py:45} INFO - Epoch 1, loss = 0.34, val_loss = 0.47':
    '[{' opened a JSON array of objects to the detector, and the log was refused as
    invalid JSON at line 1, column 3."""
    text = "".join(f"[{{3667621017.py:45}} INFO - Epoch {e:4d}, loss = {t}, val_loss = {v}\n"
                   f"[{{3667621017.py:54}} INFO - saved intermediate checkpoint\n"
                   for e, t, v in epochs())
    got, log = curves(write(tmp_path / "log.txt", text))
    assert log.format == "plain-text"
    assert got["test"][1] == [v for _, _, v in epochs()]


def test_detectron2_console_log(tmp_path):
    text = "".join(
        f"[12/21 21:{i // 60:02d}:{i % 60:02d} d2.utils.events]:  eta: 0:10:00  iter: {i}"
        f"  total_loss: {2 / (1 + i / 100):.3f}  loss_cls: {1 / (1 + i / 100):.3f}"
        f"  time: 0.41  lr: 0.0004  max_mem: 2345M\n" for i in range(19, 600, 20))
    got, log = curves(write(tmp_path / "log.txt", text))
    assert got["train"][0][:2] == [19.0, 39.0]
    assert got["train"][1][0] == pytest.approx(2 / 1.19, abs=1e-3)
    assert got["lr"][1][0] == 0.0004


BAR = "\u2588" * 10


def yolo_console(epochs_: int = 12) -> tuple[str, list[float]]:
    out = ["Ultralytics YOLOv8.0.20 Python-3.10.9 torch-1.13.1 CUDA:0 (Tesla T4, 15102MiB)"]
    sums = []
    for e in range(1, epochs_ + 1):
        out.append("      Epoch    GPU_mem   box_loss   seg_loss   cls_loss   dfl_loss"
                   "  Instances       Size")
        updates = []
        for k in range(1, 5):
            b = round(1.5 / e ** 0.3 + 0.1 / k, 3)
            updates.append(f"      {e}/{epochs_}      3.48G      {b}      {b}      {b}      {b}"
                           f"         63        640: {k * 25}%|{BAR[:k]}| {k}/4 [00:0{k}<00:00,"
                           "  2.34it/s]")
        sums.append(4 * b)
        out.append("\r".join(updates))
        out.append("                 Class     Images  Instances      Box(P          R      mAP50"
                   f"  mAP50-95): 100%|{BAR}| 4/4 [00:00<00:00,  4.52it/s]")
        out.append(f"                   all        128        929      0.{50 + e}      0.548"
                   "      0.631      0.463")
    return "\n".join(out) + "\n", sums


def test_ultralytics_console_epoch_table(tmp_path):
    text, sums = yolo_console()
    got, log = curves(write(tmp_path / "train_output.txt", text))
    assert log.format == "plain-text"
    assert got["train"][0] == [float(e) for e in range(1, 13)]
    assert got["train"][1] == pytest.approx(sums)        # each epoch's last (100%) update
    assert "test" not in got
    assert any("sum of 4 components: box_loss, seg_loss, cls_loss, dfl_loss" in n
               for n in log.notes)


def test_yolo_results_csv_still_reads():
    from helpers import REAL

    path = REAL / "generic_csv" / "yolov8-fire-smoke__results.csv"
    if not path.exists():
        pytest.skip("../shared/real-logs is absent")
    log = load(path)
    assert log.splits() == ["train", "test"]


def test_tqdm_bars_wrapped_around_per_epoch_summaries(tmp_path):
    lines = []
    for e in range(1, 16):
        for k in (25, 50, 100):
            lines.append(f"Epoch {e}/15: {k:3d}%|{BAR[:k // 10]:10s}| {k}/100 [00:01<00:02,"
                         f" 30.1it/s, loss={1 / (e + k / 100):.3f}]")
        lines.append(f"epoch {e}: train_loss={1 / e:.4f} val_loss={1.2 / e:.4f} acc=0.5")
    got, log = curves(write(tmp_path / "train.log", "\r".join(lines[:2]) + "\n" +
                            "\n".join(lines[2:]) + "\n"))
    assert got["train"][1] == [round(1 / e, 4) for e in range(1, 16)]
    assert got["test"][1] == [round(1.2 / e, 4) for e in range(1, 16)]


def test_losses_only_in_the_progress_bar_are_still_read(tmp_path):
    text = "".join(f"Epoch {e}: 100%|{BAR}| 32/32 [00:01<00:00, 20.1it/s, v_num=0,"
                   f" train_loss={1 / (e + 1):.3f}, val_loss={1.1 / (e + 1):.3f}]\n"
                   for e in range(15))
    got, _ = curves(write(tmp_path / "lightning.log", text))
    assert got["train"][1] == [round(1 / (e + 1), 3) for e in range(15)]
    assert got["test"][1] == [round(1.1 / (e + 1), 3) for e in range(15)]


# ---------------------------------------------------------------- one bad line

def test_json_lines_with_a_corrupt_and_an_absurdly_deep_line_keep_the_rest(tmp_path):
    lines = [json.dumps({"epoch": e, "train_loss": v, "test_loss": v + 0.1})
             for e, v in enumerate(falling())]
    lines[5] = '{"epoch": 5, "train_loss": '
    lines[8] = "[" * 100_000
    got, log = curves(write(tmp_path / "log.txt", "\n".join(lines) + "\n"))
    assert len(got["train"][1]) == 28
    assert "2 line(s) are not JSON objects and were skipped (first: line 6)" in log.notes


def test_json_lines_whose_first_line_is_too_deep_are_still_json_lines(tmp_path):
    lines = ["[" * 5000] + [json.dumps({"epoch": e, "loss": v})
                               for e, v in enumerate(falling())]
    got, log = curves(write(tmp_path / "log.jsonl", "\n".join(lines) + "\n"))
    assert log.format == "jsonl" and len(got["train"][1]) == 30


@pytest.mark.parametrize("bad", ["garbage line here", "1700000000005 0.5 5 extra junk"])
def test_mlflow_metric_file_with_a_malformed_line_keeps_the_rest(tmp_path, bad):
    rows = [f"{1_700_000_000_000 + i} {v} {i}" for i, v in enumerate(falling(20))]
    rows[5] = bad
    path = write(tmp_path / "run" / "metrics" / "val_loss", "\n".join(rows) + "\n")
    got, log = curves(path)
    assert log.format == "mlflow"
    assert len(got["test"][1]) == 19
    assert "val_loss: 1 unreadable line(s) skipped" in log.notes


def test_progress_bar_losses_win_over_a_lone_summary_line(tmp_path):
    text = "".join(f"Epoch {e}: 100%|{BAR}| 32/32 [00:01<00:00, 20.1it/s, v_num=0,"
                   f" train_loss={1 / (e + 1):.3f}, val_loss={1.1 / (e + 1):.3f}]\n"
                   for e in range(15)) + "Testing done: test_loss=0.3\n"
    got, _ = curves(write(tmp_path / "lightning.log", text))
    assert got["train"][1] == [round(1 / (e + 1), 3) for e in range(15)]


def test_settings_about_a_loss_are_not_components_of_it(tmp_path):
    path = write(tmp_path / "log.jsonl", "".join(json.dumps(
        {"epoch": e, "nll_loss": v, "loss_scale": 128.0, "loss_weight": 0.5}) + "\n"
        for e, v in enumerate(falling())))
    got, log = curves(path)
    assert got["train"][1] == pytest.approx(falling())
    assert set(log.frame["metric"].astype(str)) == {"nll_loss"}


def test_a_loss_named_as_the_whole_objective_is_not_summed_with_its_parts(tmp_path):
    # a VAE's negative ELBO already holds its reconstruction and KL terms: summing it with
    # the reconstruction logged beside it counted that twice
    rows = "".join(f"{s},{v + 0.1:.4f},{v:.4f},0.05,{v + 0.2:.4f},{v + 0.1:.4f}\n"
                   for s, v in enumerate(falling()))
    path = write(tmp_path / "metrics.csv", "step,train_elbo_loss,train_recon_loss,train_kld,"
                 "val_elbo_loss,val_recon_loss\n" + rows)
    got, log = curves(path)
    assert got["train"][1] == pytest.approx([round(v + 0.1, 4) for v in falling()])
    assert got["test"][1] == pytest.approx([round(v + 0.2, 4) for v in falling()])
    assert set(log.frame["metric"].astype(str)) == {"train_elbo_loss", "val_elbo_loss"}
    # beside a plain train_loss (a run that logs its ELBO twice), the plain one
    path = write(tmp_path / "metrics.csv", "step,train_loss,train_elbo_loss,valid_loss\n" + "".join(
        f"{s},{v:.4f},{v:.4f},{v + 0.2:.4f}\n" for s, v in enumerate(falling())))
    assert set(load(path).frame["metric"].astype(str)) == {"train_loss", "valid_loss"}


def test_cross_entropy_spelled_in_two_words_is_a_loss_and_its_spellings_one(tmp_path):
    # Lightning's metrics.csv of a segmentation run logging torchmetrics' names: no column
    # says loss, 'cross_entropy' does; its per-epoch and per-step spellings are one loss
    rows = "".join(f"0.{e},{v + 0.2:.4f},{e},{e * 21 + 20},,\n,,{e},{e * 21 + 20},{v:.4f},"
                   f"{v * 1.1:.4f}\n" for e, v in enumerate(falling()))
    path = write(tmp_path / "metrics.csv", "val_jaccard,val_cross_entropy,epoch,step,"
                 "train_cross_entropy_epoch,train_cross_entropy_step\n" + rows)
    got, log = curves(path)
    assert got["train"][1] == pytest.approx([round(v, 4) for v in falling()])
    assert got["test"][1] == pytest.approx([round(v + 0.2, 4) for v in falling()])


def test_an_error_logged_once_an_epoch_gives_way_to_its_per_step_spelling(tmp_path):
    # Lightning's metrics.csv of a regression run named by its metric (no column says loss):
    # train_mse_epoch holds one value (one epoch), train_mse_step 35: the summary of too few
    # values for a trend gives way to the curve, as train_loss_epoch does to train_loss_step
    rows = "".join(f"{10 * 0.8 ** s:.5f},{(10 * 0.8 ** s) ** 0.5:.5f},0,{s},,,,\n"
                   for s in range(35))
    rows += ",,0,34,,,1.2,2.5\n"
    path = write(tmp_path / "metrics.csv", "train_mse_step,train_rmse_step,epoch,step,"
                 "val_mse_step,val_rmse_step,val_mse_epoch,train_mse_epoch\n" + rows)
    got, log = curves(path)
    assert got["train"][1] == pytest.approx([round(10 * 0.8 ** s, 5) for s in range(35)])
    assert any("train_mse_step read instead of train_mse_epoch" in n for n in log.notes)


def test_a_true_false_column_is_no_loss_whatever_its_name(tmp_path):
    path = write(tmp_path / "metrics.csv", "epoch,loss\n" + "".join(
        f"{e},{e % 2 == 0}\n" for e in range(30)))
    with pytest.raises(NoLossError):
        load(path)
    assert len(load(path, options=ReadOptions(train_col="loss")).frame) == 30


def test_a_count_of_what_the_loss_was_taken_over_is_no_loss(tmp_path):
    """A fine-tuning log's num_loss_tokens (how many tokens the loss was averaged over) is a
    count, not the train loss; train_mean_nll beside it is, and test/nll the test loss."""
    path = write(tmp_path / "metrics.jsonl", "".join(json.dumps(
        {"step": s, "num_tokens": 900 + s, "num_loss_tokens": 560.0 + 7 * (s % 5),
         "train_mean_nll": v, **({"test/nll": v * 1.1} if s % 5 == 0 else {})}) + "\n"
        for s, v in enumerate(falling())))
    got, log = curves(path)
    assert got["train"][1] == pytest.approx(falling())
    assert set(log.frame["metric"].astype(str)) == {"train_mean_nll", "test/nll"}
    with pytest.raises(NoLossError):
        load(write(tmp_path / "counts.csv", "step,num_loss_tokens,n_val_loss\n" + "".join(
            f"{s},{500 + s},{80 + s}\n" for s in range(30))))


def test_numbered_metrics_in_a_file_named_loss_are_no_runs_of_it(tmp_path):
    """losses.csv with two models' loss0, loss1 and their accuracies acc0, acc1: the
    accuracies (numbered) are bookkeeping, not two more runs of the loss; columns named by
    a split's word alone ('train', 'valid') are that split's loss."""
    path = write(tmp_path / "losses.csv", "loss0,loss1,acc0,acc1\n" + "".join(
        f"{2 / (e + 1):.4f},{2.1 / (e + 1):.4f},{50 + e},{51 + e}\n" for e in range(20)))
    log = load(path)
    assert log.runs() == ["loss0", "loss1"]
    (tmp_path / "two").mkdir()
    path = write(tmp_path / "two" / "losses.csv", "train,valid\n" + "".join(
        f"{2 / (e + 1):.4f},{2.1 / (e + 1):.4f}\n" for e in range(20)))
    got, log = curves(path)
    assert got["train"][1][0] == 2.0 and got["test"][1][0] == 2.1
    assert any("columns train, valid read as the train and test loss" in n for n in log.notes)


def test_a_counter_beside_an_unnamed_loss_is_not_a_run_of_it(tmp_path):
    """Julia's DataFrame header ``x1,x2`` over an epoch counter and a loss printed as
    ``510895.58 (tracked)``, in ``loss.csv``: the counter, which rises by one every row,
    had been read as a second run of the loss and called a divergence."""
    rows = "".join(f"{e},{5e5 * 0.9 ** e + 800} (tracked)\n" for e in range(1, 121))
    out, log = curves(write(tmp_path / "loss.csv", "x1,x2\n" + rows))
    assert log.frame["metric"].unique().tolist() == ["x2"]
    assert list(out) == ["train"] and out["train"][1][0] == pytest.approx(5e5 * 0.9 + 800)
    result = CliRunner().invoke(cli.main, ["check", str(tmp_path / "loss.csv"), "--format", "json"])
    assert json.loads(result.output)["verdict"] != "divergence"


@pytest.mark.parametrize("header,read", [
    ("Percent Good,Mean Squared Error,", "Mean Squared Error"),
    ("epoch,mean_squared_error,val_mean_squared_error", "mean_squared_error"),
    ("epoch,root_mean_squared_error", "root_mean_squared_error"),
])
def test_an_error_spelled_out_is_a_loss(tmp_path, header, read):
    """'Mean Squared Error' is the loss 'mse' is (a table with no column named loss)."""
    width = len(header.rstrip(",").split(","))
    rows = "".join(",".join([str(e)] + [str(v)] * (width - 1)) + "\n"
                   for e, v in enumerate(falling(40)))
    log = load(write(tmp_path / "epoch_log.csv", header + "\n" + rows))
    assert log.frame[log.frame["split"] == "train"]["metric"].iloc[0] == read


def test_a_mean_error_of_no_kind_is_still_no_loss(tmp_path):
    with pytest.raises(NoLossError):
        load(write(tmp_path / "m.csv", "epoch,mean_error\n" + "".join(
            f"{e},{v}\n" for e, v in enumerate(falling(30)))))


def test_a_validation_ce_beside_no_test_loss_is_the_test_loss(tmp_path):
    """``val_mean_ce`` (a mean cross-entropy) beside ``val_ppl`` and accuracies, with no
    test column named loss: the test loss, and the run's overfitting is seen."""
    rows = "".join(f"{e},{3 / e + 0.5},{0.4 + e / 100},{1.5 + 0.02 * (e - 6) ** 2 / 6}\n"
                   for e in range(1, 21))
    out, log = curves(write(tmp_path / "epoch_log.csv",
                            "epoch,train_loss,val_top1,val_mean_ce\n" + rows))
    assert log.frame[log.frame["split"] == "test"]["metric"].iloc[0] == "val_mean_ce"
    result = CliRunner().invoke(cli.main, ["check", str(tmp_path / "epoch_log.csv"),
                                           "--format", "json"])
    assert json.loads(result.output)["verdict"] == "overfitting"
