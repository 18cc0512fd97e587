"""Console prints and printed tables as real logs write them: names, clocks and marks that
sit beside the values and must not be read as values or names."""
from __future__ import annotations

import pytest
from helpers import curves

from lossdoctor.names import says_loss


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_printed_table_with_a_mark_after_its_best_rows(tmp_path):
    """A script's own table (``Ep Loss ... Acc% α``) between rules, a '★' after the rows
    that set a new best: the mark is no cell, and names with a percent sign or in another
    script are names (the header was not seen, and the key-value lines above it were read
    as the only values)."""
    head = ("Sanity check\n  L_bit    : 0.7045  L_amp : 0.0000\nDevice     : cuda\n"
            "Parameters : 2,757,297\n" + "=" * 40 + "\n"
            "    Ep    Loss  L_bit    Acc%      α\n" + "=" * 40 + "\n")
    rows = "".join(f"{e:6d}  {0.7 / e:.4f} {0.6 / e:.4f}  5{e}.20% 0.4990"
                   f"{' ★' if e % 3 else ''}\n" for e in range(1, 13))
    got, log = curves(write(tmp_path, "train.log", head + rows))
    assert got["train"][0] == [float(e) for e in range(1, 13)]
    assert got["train"][1] == [round(0.7 / e, 4) for e in range(1, 13)]
    assert "x axis: epoch" in log.notes


def test_a_csv_row_mark_after_the_last_column_is_left_out(tmp_path):
    """Rows one field longer than the header, the extra field a mark ('*' for a new best)
    or absent: read_csv took each row's first field as its label and every name landed one
    column left of its values (the epoch read as the loss, a false divergence)."""
    rows = "".join(f"{e},{1 / e:.4f},{1.2 / e:.4f}{',*' if e < 4 else ''}\n" for e in range(1, 10))
    got, log = curves(write(tmp_path, "log.csv", "epoch,loss,val_loss\n" + rows))
    assert got["train"] == ([float(e) for e in range(1, 10)],
                            [round(1 / e, 4) for e in range(1, 10)])
    assert got["test"][1] == [round(1.2 / e, 4) for e in range(1, 10)]
    assert any("one field more than its header" in n for n in log.notes)


@pytest.mark.parametrize("name", ["Train-SmoothL1", "smooth_l1", "Smooth L1", "val_smoothL1"])
def test_the_smooth_l1_loss_is_a_loss(name):
    """MXNet's Speedometer prints a detector's ``Train-SmoothL1=40.25``; no word says loss."""
    assert says_loss(name)


@pytest.mark.parametrize("name", ["smoothness_l1reg", "smoothing", "l1_norm"])
def test_words_near_smooth_l1_are_not_losses(name):
    assert not says_loss(name)


def test_mxnet_speedometer_lines_of_a_smooth_l1_loss(tmp_path):
    text = "".join(f"Epoch[{e}] Batch [20]\tSpeed: 36.22 samples/sec\tTrain-Acc=0.77\n"
                   f"Epoch[{e}] Batch [20]\tSpeed: 36.22 samples/sec\t"
                   f"Train-SmoothL1={40 / (e + 1):.6f}\n" for e in range(8))
    got, log = curves(write(tmp_path, "train.log", text))
    assert got["train"][1] == [round(40 / (e + 1), 6) for e in range(8)]
    assert any("Train-SmoothL1" in n for n in log.notes)


def test_a_clock_after_a_count_of_samples_is_no_count(tmp_path):
    """``time for last 50 samples : 0:00:08 hours`` on every line: '50 samples' is no count
    of what the model has seen, and the clock is no number of samples (every line put at
    one step, one point left)."""
    text = "".join(f"Epoch 1 : {50 * i} / 3500 samples , time for last 50 samples : 0:00:0{i % 10}"
                   f" hours , Loss/total: {8.3 - i / 10:.5f} , IoU: 0.039\n" for i in range(1, 9))
    got, _ = curves(write(tmp_path, "training_log.txt", text))
    assert got["train"][1] == [round(8.3 - i / 10, 5) for i in range(1, 9)]
    assert len(set(got["train"][0])) == 8


def test_a_first_line_without_the_delimiter_below_it_is_no_header(tmp_path):
    """``Training log created at 2025-10-28T14:33:14`` above console lines holding ' , ':
    the table reader took it for a one-column header and the log was refused."""
    lines = "".join(f"Epoch {e} : 3500 / 3500 samples , Loss/total: {8.3 - e / 10:.5f} ,"
                    f" IoU: 0.0{e}\n" for e in range(1, 9))
    got, _ = curves(write(tmp_path, "training_log.txt",
                          "Training log created at 2025-10-28T14:33:14.957871\n\n" + lines))
    assert got["train"] == ([float(e) for e in range(1, 9)],
                            [round(8.3 - e / 10, 5) for e in range(1, 9)])


def test_a_twelve_hour_clock_beside_a_loss_named_for_its_epoch(tmp_path):
    """``08/01/2022 03:21:29 PM Loss per epoch 0 :1.9756``: PM is no word of the loss's name
    (AM and PM lines read as two losses summed), the clock's seconds are no value before
    it, and the loss is named for its epoch as 'Loss for epoch 0: ...' is."""
    text = "".join(f"08/01/2022 0{e % 10}:21:{10 + e} {'AM' if e < 5 else 'PM'} Loss per epoch"
                   f" {e} :{1.97 - e / 100:.4f}\n" for e in range(10))
    got, log = curves(write(tmp_path, "run.log", text))
    assert got["train"] == ([float(e) for e in range(10)],
                            [round(1.97 - e / 100, 4) for e in range(10)])
    assert not any("sum of" in n for n in log.notes)


def test_a_detectors_class_and_box_losses_are_summed(tmp_path):
    """MXNet's SSD logs ``CrossEntropy=8.60e-01, SmoothL1=3.74e-03``, no word saying loss:
    the two parts of the multibox loss it minimises, summed (as YOLO's box and cls losses
    are), not two objectives for the user to choose between."""
    text = "".join(f"2020-09-02 13:28:{10 + e},330 - train_net.py[line:177] - INFO: [Epoch {e}]"
                   f"[Batch 0], Speed: 6.9 samples/sec, CrossEntropy={1 / (e + 1):.2e},"
                   f" SmoothL1={0.01 / (e + 1):.2e}, val_AP=0.{10 + e}\n" for e in range(8))
    got, log = curves(write(tmp_path, "train.log", text))
    assert got["train"][1] == pytest.approx([1.01 / (e + 1) for e in range(8)], rel=1e-2)
    assert any("sum of 2 components" in n and "SmoothL1" in n for n in log.notes)


def test_a_table_printed_with_spaced_dashes(tmp_path):
    """``Epoch - Loss - Training Accuracy - Validation Accuracy`` over ``0 - 0.43 - 76.99 -
    76.78``, a stray accuracy printed alone between the rows: the header's names hold
    blanks, the dashes part the cells."""
    head = "no. of training trials 25380\nEpoch - Loss - Training Accuracy - Validation Accuracy\n"
    rows = "".join(f"         {70 + e}.97\n{e} - {0.43 / (e + 1):.6f} - {70 + e}.99 - {71 + e}.78\n"
                   for e in range(10))
    got, log = curves(write(tmp_path, "train_result.txt", head + rows))
    assert got["train"] == ([float(e) for e in range(10)],
                            [round(0.43 / (e + 1), 6) for e in range(10)])
    assert "test" not in got


def test_a_printed_dict_of_the_last_batchs_loss_is_an_echo_not_an_evaluation(tmp_path):
    """After each epoch's batch lines, ``{'Epoch': 1, 'Loss': 6955.677...}`` prints the last
    batch's loss again, then ``| Validation Epoch #1  Loss: 4.39``: the dict is no second
    evaluation (two test losses were found, and the log refused)."""
    lines = []
    for e in range(1, 9):
        for i in range(1, 4):
            lines.append(f"| Epoch [{e:3d}/ 80] Iter[{i:3d}/  3]\t\tLoss: {100 / (e + i):.4f}"
                         " Acc@1: 2.000%")
        lines.append(f"{{'Epoch': {e}, 'Loss': {100 / (e + 3)!r}, 'Accuracy': tensor(2)}}")
        lines.append(f"| Validation Epoch #{e}\t\t\tLoss: {5 - e / 4:.4f} Acc@1: 2.00%")
    got, _ = curves(write(tmp_path, "train_logs.txt", "\n".join(lines) + "\n"))
    assert got["test"][1] == [5 - e / 4 for e in range(1, 9)]
    assert len(got["train"][1]) == 24


def test_a_settings_line_above_the_header_and_an_epoch_column_with_a_number_sign(tmp_path):
    """A hand-made CSV of trial blocks: ``Trial Details: Batch Size: 50, Epochs: 15,,,``
    over ``Epoch#,Accuracy,Loss``, a block per trial: the settings are a title (they were
    read as the header, and the log refused), ``Epoch#`` is the x axis, and the last trial
    is the run diagnosed."""
    def block(epochs, lr):
        rows = "".join(f"{e},0.{50 + e},{2.4 / (e + 1):.6f},,,\n" for e in range(epochs))
        return (f"Trial Details: Model ID: I, Batch Size: 50, Epochs: {epochs}, Learning Rate:"
                f" {lr},,\nEpoch#,Accuracy,Loss,,,\n{rows},,,,,\n")
    got, log = curves(write(tmp_path, "model_history_log.csv", block(6, 0.01) + block(9, 0.005)))
    assert got["train"] == ([float(e) for e in range(9)],
                            [round(2.4 / (e + 1), 6) for e in range(9)])
    assert "x axis: Epoch#" in log.notes
    assert any("is a title, not the header" in n for n in log.notes)


def test_yolov10_results_whose_losses_name_their_heads(tmp_path):
    """YOLOv10's results.csv names its losses by part and head (``train/box_om`` ...
    ``val/dfl_oo``: one-to-many and one-to-one), no word saying loss: each split's six
    are summed, as YOLOv8's box, cls and dfl losses are."""
    parts = [f"{p}_{h}" for h in ("om", "oo") for p in ("box", "cls", "dfl")]
    head = ",".join(["epoch"] + [f"train/{p}" for p in parts] + ["metrics/mAP50(B)"]
                    + [f"val/{p}" for p in parts] + ["lr/pg0"])
    rows = "".join(",".join([str(e)] + [f"{1 / e:.4f}"] * 6 + ["0.5"] + [f"{1.2 / e:.4f}"] * 6
                            + ["0.001"]) + "\n" for e in range(1, 9))
    got, log = curves(write(tmp_path, "results.csv", head + "\n" + rows))
    assert got["train"][1] == pytest.approx([6 * round(1 / e, 4) for e in range(1, 9)])
    assert got["test"][1] == pytest.approx([6 * round(1.2 / e, 4) for e in range(1, 9)])
    assert any("sum of 6 components" in n for n in log.notes)


def test_a_history_printed_a_key_a_line(tmp_path):
    """``for k, v in history.history.items(): print(f"{k}: {v}")``: ``loss: [1.01, 0.63,
    ...]`` and ``val_loss: [...]`` one a line, the parts of Mask R-CNN's loss between them
    (they were read as numbered columns, and the log refused)."""
    train = [1.0 / (e + 1) for e in range(10)]
    test = [1.2 / (e + 1) + 0.1 for e in range(10)]
    text = (f"loss: {train}\nrpn_class_loss: {[t / 10 for t in train]}\n"
            f"mrcnn_mask_loss: {[t / 5 for t in train]}\nval_loss: {test}\n")
    got, _ = curves(write(tmp_path, "training_logs.txt", text))
    assert got["train"] == ([float(e) for e in range(10)], train)
    assert got["test"][1] == test
