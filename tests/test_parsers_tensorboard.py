"""TensorBoard formats: event files (read without TensorFlow) and the scalar downloads."""
from __future__ import annotations

import json
import math
import struct
from pathlib import Path

import numpy as np
import pytest
import tfevents_writer as tw
from helpers import CORPUS, REAL, ROOT

from lossdoctor.errors import ColumnError, LogReadError
from lossdoctor.parsers import ReadOptions, eventscan, load, load_pair
from lossdoctor.parsers.eventscan import scan
from lossdoctor.parsers.registry import detect
from lossdoctor.parsers.source import Source
from lossdoctor.parsers.tablecurves import split_from_name
from lossdoctor.parsers.tfevents import read_file
from lossdoctor.parsers.tfrecord import split_records

FIX = ROOT / "fixtures" / "formats" / "tensorboard"
EVENTS = "events.out.tfevents.1600000000.host.1.0"
F32 = np.float32


def rows(log, split=None):
    """(split, step, value) rows of a log, NaN compared as a string."""
    frame = log.frame if split is None else log.frame[log.frame["split"] == split]
    return [(s, st, "nan" if math.isnan(v) else v)
            for s, st, v in frame[["split", "step", "value"]].itertuples(index=False)]


def f32(x: float) -> float:
    return float(F32(x))


def one_line(excinfo) -> str:
    text = str(excinfo.value)
    assert "\n" not in text and "Traceback" not in text
    return text


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is not here")
    return path


# ---------------------------------------------------------------- event files: golden frames

def test_tf1_simple_values_golden(tmp_path):
    path = tw.scalar_run(tmp_path / EVENTS, {
        "train/loss": [(1, 0.9), (2, 0.7), (3, 0.6)],
        "val/loss": [(2, 0.8), (3, float("nan"))],
        "lr-SGD": [(1, 0.1), (2, 0.1), (3, 0.05)],
    })
    log = load(path)
    assert log.format == "tfevents"
    assert rows(log) == [
        ("train", 1.0, f32(0.9)), ("train", 2.0, f32(0.7)), ("train", 3.0, f32(0.6)),
        ("test", 2.0, f32(0.8)), ("test", 3.0, "nan"),
        ("lr", 1.0, f32(0.1)), ("lr", 2.0, f32(0.1)), ("lr", 3.0, f32(0.05))]
    assert set(log.frame["metric"]) == {"train/loss", "val/loss", "lr-SGD"}
    assert (log.frame["wall_time"] >= 1.6e9).all()


@pytest.mark.parametrize("form", tw.TENSOR_FORMS)
def test_tf2_tensor_scalars_in_every_encoding(tmp_path, form):
    values = [0.5, 0.25, 0.125, 1e-3]
    path = tw.scalar_run(tmp_path / EVENTS, {"epoch_loss": list(enumerate(values))},
                         tf2=True, form=form)
    log = load(path)
    exact = f32 if "double" not in form else float
    assert rows(log) == [("train", float(i), exact(v)) for i, v in enumerate(values)]


def test_tf2_int_tensor_is_read_one_by_one(tmp_path):
    path = tw.scalar_run(tmp_path / EVENTS, {"loss": [(i, i + 1) for i in range(20)]},
                         tf2=True, form="int_val")
    assert [v for _, _, v in rows(load(path))] == [float(i + 1) for i in range(20)]


def test_tf2_metadata_only_on_first_value(tmp_path):
    path = tw.scalar_run(tmp_path / EVENTS, {"loss": [(i, 1.0 / (i + 1)) for i in range(50)]},
                         tf2=True)
    data = path.read_bytes()
    assert data.count(b"scalars") == 1
    scanned, notes = read_file(path, "x")
    assert notes == [] and scanned.plugins == {"loss": "scalars"}
    assert scanned.step.tolist() == list(range(50))


def test_non_scalar_values_are_skipped(tmp_path):
    events = [tw.file_version(),
              tw.event(0, 1.0, extra=tw.f_bytes(4, b"\x0a\x02graph" * 500)),   # graph_def
              tw.event(1, 2.0, [tw.image_value("input/image"), tw.simple_value("loss", 2.0)]),
              tw.event(1, 2.0, [tw.histogram_value("weights")]),
              tw.event(1, 2.0, [tw.f_bytes(1, b"hist") + tw.f_bytes(8, tw.tensor(1.0,
                                shape=(3, 3)))]),
              tw.event(1, 2.0, [tw.f_bytes(1, b"text") + tw.f_bytes(8, tw.f_varint(1, 7)
                                + tw.f_bytes(8, b"hello"))]),
              tw.event(2, 3.0, [tw.simple_value("loss", 1.0)])]
    path = tw.write(tmp_path / EVENTS, events)
    scanned, _ = read_file(path, "x")
    assert scanned.tags == ["loss"]
    assert rows(load(path)) == [("train", 1.0, 2.0), ("train", 2.0, 1.0)]


def test_tags_of_other_plugins_are_skipped(tmp_path):
    hparams = tw.f_bytes(1, b"_hparams_/session_start_info") + tw.f_bytes(8, tw.tensor(0.0)) \
        + tw.f_bytes(9, tw.metadata("hparams"))
    path = tw.write(tmp_path / EVENTS, [tw.event(0, 1.0, [hparams]),
                                        tw.event(1, 2.0, [tw.simple_value("loss", 0.5)])])
    log = load(path)
    assert rows(log) == [("train", 1.0, 0.5)]
    assert any("_hparams_/session_start_info" in n for n in log.notes)


def test_a_file_inside_validation_takes_its_split(tmp_path):
    train = tw.scalar_run(tmp_path / "train" / EVENTS, {"epoch_loss": [(0, 1.0), (1, 0.5)]})
    val = tw.scalar_run(tmp_path / "validation" / EVENTS, {"epoch_loss": [(0, 1.5), (1, 1.0)]})
    assert load(val).splits() == ["test"]
    assert rows(load_pair(train, val), "test") == [("test", 0.0, 1.5), ("test", 1.0, 1.0)]


def test_several_values_in_one_event_and_zero_step(tmp_path):
    # TF1 merge_all: every scalar of a step in one event; step 0 is left out (proto3)
    events = [tw.event(None if s == 0 else s, 10.0 + s,
                       [tw.simple_value("loss", 1.0 / (s + 1)),
                        tw.simple_value("val_loss", 2.0 / (s + 1))]) for s in range(12)]
    log = load(tw.write(tmp_path / EVENTS, events))
    assert [r[1] for r in rows(log, "train")] == [float(s) for s in range(12)]
    assert [r[2] for r in rows(log, "test")] == [f32(2.0 / (s + 1)) for s in range(12)]


def test_checking_an_event_file_leaves_pandas_unloaded(tmp_path):
    # the frame is built only when asked: importing pandas is a third of a check's time
    import subprocess
    import sys

    path = tw.big_file(tmp_path / EVENTS, 300)
    code = ("import sys\nfrom lossdoctor.cli import main\n"
            "try:\n    main(['check', sys.argv[1]])\nexcept SystemExit as exc:\n"
            "    print('exit', exc.code, 'pandas' in sys.modules, 'scipy' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                            text=True, timeout=120)
    assert result.stdout.strip().splitlines()[-1] == "exit 0 False False", result.stderr
    log = load(path)
    assert log.frame["split"].value_counts().to_dict() == {"train": 297, "test": 3}


# ---------------------------------------------------------------- bulk path == one by one

def _random_events(rng, n):
    tags = ["loss", "val/loss", "a_much_longer_tag_name/loss", "lr"]
    events, seen = [], set()
    for i in range(n):
        step = int(rng.choice([0, 5, 127, 128, 300, 16383, 16384, 2**40]) + i)
        wall = None if i % 17 == 0 else 1.6e9 + i
        tag = tags[int(rng.integers(len(tags)))]
        kind = int(rng.integers(4))
        value = float(rng.normal())
        if kind == 0:
            vals = [tw.simple_value(tag, value)]
        elif kind == 1:
            vals = [tw.tensor_value(tag, value, tw.TENSOR_FORMS[i % 5], first=tag not in seen)]
        elif kind == 2:
            vals = [tw.simple_value(tag, value), tw.simple_value("lr", value / 10)]
        else:
            vals = [tw.image_value("img", size=int(rng.integers(1, 4)))]
        seen.add(tag)
        events.append(tw.event(step, wall, vals))
    events.append(tw.event(-5, 1.0, [tw.simple_value("loss", 1.0)]))   # a negative step
    return events


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bulk_decoding_equals_record_by_record(tmp_path, seed, monkeypatch):
    path = tw.write(tmp_path / EVENTS, _random_events(np.random.default_rng(seed), 3000))
    data = path.read_bytes()
    rec = split_records(data)
    one_by_one = eventscan._one_by_one
    counted = []
    monkeypatch.setattr(eventscan, "_one_by_one",
                        lambda b, s, n, which, sink: counted.append(len(which)) or
                        one_by_one(b, s, n, which, sink))
    fast = scan(data, rec.starts, rec.lengths)
    assert counted[0] < len(rec.starts) // 2          # most records went the bulk way
    monkeypatch.setattr(eventscan, "MIN_GROUP", 10**9)
    slow = scan(data, rec.starts, rec.lengths)
    assert fast.tags == slow.tags and fast.bad == slow.bad == 0
    for name in ("wall", "step", "tag"):
        assert np.array_equal(getattr(fast, name), getattr(slow, name)), name
    assert np.array_equal(fast.value, slow.value, equal_nan=True)
    assert fast.step.min() == -5 and fast.step.max() >= 2**40


# ---------------------------------------------------------------- damaged files

def _clean_file(tmp_path, n=40):
    return tw.scalar_run(tmp_path / EVENTS, {"loss": [(i, 1.0 / (i + 1)) for i in range(n)]})


def test_truncated_last_record_is_read_up_to_it(tmp_path):
    path = _clean_file(tmp_path)
    data = path.read_bytes()
    for cut in (5, 14, 30):
        path.write_bytes(data[:-cut])
        log = load(path)
        assert len(log.frame) == 39
        assert any("incomplete" in n for n in log.notes)
    path.write_bytes(data + b"\x10\x00\x00")          # a header being written
    log = load(path)
    assert len(log.frame) == 40 and any("incomplete" in n for n in log.notes)


def test_bad_data_crc_skips_one_record(tmp_path):
    path = _clean_file(tmp_path)
    data = bytearray(path.read_bytes())
    rec = split_records(bytes(data))
    data[int(rec.starts[10]) + int(rec.lengths[10]) - 1] ^= 0xFF   # a value byte of step 9
    path.write_bytes(bytes(data))
    log = load(path)
    assert 9.0 not in log.frame["step"].tolist() and len(log.frame) == 39
    assert any("bad checksum" in n for n in log.notes)


def test_bad_header_resyncs_at_the_next_record(tmp_path):
    path = _clean_file(tmp_path)
    data = bytearray(path.read_bytes())
    rec = split_records(bytes(data))
    data[int(rec.starts[20]) - 12] ^= 0x55                          # length of step 19
    path.write_bytes(bytes(data))
    log = load(path)
    assert len(log.frame) == 39 and 19.0 not in log.frame["step"].tolist()
    assert any("bad record header" in n for n in log.notes)


def test_mangled_events_never_crash(tmp_path):
    """Event payloads with bytes changed, dropped or added, re-framed with valid checksums."""
    rng = np.random.default_rng(7)
    events = [tw.file_version()] + [
        tw.event(i, 1e9 + i, [tw.tensor_value("loss", 1 / (i + 1), tw.TENSOR_FORMS[i % 5],
                                              first=i < 3),
                              tw.simple_value("val_loss", 0.5), tw.image_value("im", 2)])
        for i in range(60)]
    for _ in range(150):
        mangled = [bytearray(e) for e in events]
        for _ in range(int(rng.integers(1, 30))):
            e = mangled[int(rng.integers(len(mangled)))]
            pos, op = int(rng.integers(len(e))), int(rng.integers(3))
            if op == 0:
                e[pos] = int(rng.integers(256))
            elif op == 1:
                del e[pos]
            else:
                e.insert(pos, int(rng.integers(256)))
        path = tw.write(tmp_path / EVENTS, [bytes(e) for e in mangled])
        try:
            load(path, "tfevents")
        except LogReadError as exc:
            assert "could not be read as" not in str(exc)     # no stray exception inside


def test_not_an_event_file_is_one_line_error(tmp_path):
    path = tmp_path / EVENTS
    path.write_bytes(b"step,loss\n1,0.5\n" * 10)
    with pytest.raises(LogReadError) as excinfo:
        load(path, "tfevents")
    assert "not a TensorBoard event file" in one_line(excinfo)
    assert detect(Source(path)).name != "tfevents"


def test_empty_and_scalar_less_files(tmp_path):
    empty = tmp_path / "e" / EVENTS
    empty.parent.mkdir()
    empty.write_bytes(b"")
    with pytest.raises(LogReadError) as excinfo:
        load(empty, "tfevents")
    assert "empty file" in one_line(excinfo)
    junk = tmp_path / "v" / "events.out.tfevents.junk"
    only_version = tw.write(tmp_path / "v" / EVENTS, [tw.file_version()])
    with pytest.raises(ColumnError) as excinfo:
        load(only_version)
    assert "no scalar values" in one_line(excinfo)
    # in a folder, a broken file is skipped with a note; the good one is read
    junk.write_bytes(b"\x00" * 40)
    empty.rename(tmp_path / "v" / "events.out.tfevents.0.empty")
    tw.scalar_run(tmp_path / "v" / "events.out.tfevents.2.x", {"loss": [(1, 0.5), (2, 0.4)]})
    log = load(tmp_path / "v")
    assert len(log.frame) == 2
    assert any("junk: skipped (not a TensorBoard event file" in n for n in log.notes)
    assert any("empty event file" in n for n in log.notes)


def test_sniff_needs_the_content_not_the_name(tmp_path):
    path = _clean_file(tmp_path)
    renamed = tmp_path / "whatever.bin"
    renamed.write_bytes(path.read_bytes())
    assert detect(Source(renamed)).name == "tfevents"
    assert detect(Source(tmp_path)).name == "tfevents"


# ---------------------------------------------------------------- folders

def test_keras_train_and_validation_subfolders(tmp_path):
    run = tmp_path / "logs" / "fit"
    tw.scalar_run(run / "train" / EVENTS, {
        "epoch_loss": [(0, 1.0), (1, 0.8), (2, 0.6)],
        "batch_loss": [(i, 1.0 - i / 100) for i in range(30)],
        "epoch_learning_rate": [(0, 0.01), (1, 0.01), (2, 0.001)]}, tf2=True)
    tw.scalar_run(run / "validation" / EVENTS, {
        "epoch_loss": [(0, 1.1), (1, 0.9), (2, 0.95)],
        "evaluation_loss_vs_iterations": [(10, 1.1), (20, 0.9), (30, 0.95)]}, tf2=True)
    log = load(run)
    assert rows(log, "train") == [("train", 0.0, 1.0), ("train", 1.0, f32(0.8)),
                                  ("train", 2.0, f32(0.6))]
    assert rows(log, "test") == [("test", 0.0, f32(1.1)), ("test", 1.0, f32(0.9)),
                                 ("test", 2.0, f32(0.95))]
    assert log.frame[log.frame.split == "lr"]["metric"].iloc[0] == "train/epoch_learning_rate"
    assert set(log.runs()) == {""}
    # the user may name the tag without its folder
    chosen = load(run, options=ReadOptions(train_col="batch_loss"))
    assert len(chosen.frame[chosen.frame.split == "train"]) == 30


def test_restart_files_are_merged_in_wall_time_order(tmp_path):
    run = tmp_path / "runs" / "exp1"
    tw.scalar_run(run / "events.out.tfevents.1600000000.a.1.0",
                  {"train/loss": [(s, 1.0 / s) for s in range(1, 11)]}, wall0=1.6e9)
    # resumed from the checkpoint at step 6, in a later file
    tw.scalar_run(run / "events.out.tfevents.1600000900.a.2.0",
                  {"train/loss": [(s, 0.5 / s) for s in range(7, 15)]}, wall0=1.6e9 + 900)
    log = load(run)
    steps = log.frame["step"].tolist()
    assert steps == [float(s) for s in range(1, 15)]
    assert log.frame["value"].iloc[-1] == f32(0.5 / 14)
    assert log.frame["value"].iloc[7] == f32(0.5 / 8)          # step 8: the resumed value
    assert any("merged 2 event files" in n for n in log.notes)


def test_several_runs_below_a_folder(tmp_path):
    for v in (0, 1):
        tw.scalar_run(tmp_path / "lightning_logs" / f"version_{v}" / EVENTS,
                      {"train_loss": [(s, v + 1.0 / (s + 1)) for s in range(5)],
                       "val_loss": [(4, v + 0.5)]})
    log = load(tmp_path / "lightning_logs")
    assert log.runs() == ["version_0", "version_1"]
    assert log.splits("version_1") == ["train", "test"]


def test_folder_search_stops_two_levels_down(tmp_path):
    tw.scalar_run(tmp_path / "a" / "b" / "c" / EVENTS, {"loss": [(0, 1.0), (1, 0.5)]})
    assert detect(Source(tmp_path / "a")).name == "tfevents"
    with pytest.raises(LogReadError):
        load(tmp_path, "tfevents")


def test_many_values_per_step_keep_the_last(tmp_path):
    # YOLOv8 logged every batch's running mean at the epoch number
    pts = [(epoch, epoch + b / 10) for epoch in (1, 2, 3) for b in range(5)]
    path = tw.scalar_run(tmp_path / EVENTS, {"train/box_loss": pts, "train/cls_loss": pts})
    log = load(path)
    assert rows(log) == [("train", float(e), 2 * f32(e + 0.4)) for e in (1, 2, 3)]
    assert any("15 values at 3 steps" in n for n in log.notes)


def test_one_point_summary_tags_are_ignored(tmp_path):
    # HF Trainer writes train/train_loss once at the end, beside the train/loss curve
    path = tw.scalar_run(tmp_path / EVENTS, {"train/loss": [(s, 1.0 / s) for s in range(1, 9)],
                                             "train/train_loss": [(8, 0.3)]})
    log = load(path)
    assert log.frame["metric"].unique().tolist() == ["train/loss"]


# ---------------------------------------------------------------- real logs and corpus

@pytest.mark.parametrize("name, points", [
    ("t5-summ-demo", {"train": 430, "lr": 430}),
    ("text-gen-lstm-keras", {"train": 20}),
    ("trabalho-final-ml", {"train": 500}),
    ("yolov5-lego", {"train": 50, "test": 50, "lr": 50}),
    ("yolov8-fire-smoke", {"train": 25, "test": 25}),
])
def test_real_event_files(name, points):
    folder = need(REAL / "tfevents")
    path = next(folder.glob(f"{name}__events.out.tfevents.*"))
    log = load(path)
    assert log.format == "tfevents"
    assert log.frame.groupby("split").size().to_dict() == points


CORPUS_EVENTS = ["r0002/tb_logs/run1", "r0015/runs/exp1", "r0017/runs/Mar03_14-22-10_gpu-node-07",
                 "r0020/tb_logs/run1", "r0022/lightning_logs/version_0",
                 "r0034/lightning_logs/version_0", "r0049/tb_logs/run1", "r0072/runs/version_0"]


@pytest.mark.parametrize("arg", CORPUS_EVENTS)
def test_corpus_event_folders(arg):
    case = need(CORPUS / arg.split("/")[0])
    labels = json.loads((case / "labels.json").read_text())
    assert labels["args"] == [arg.split("/", 1)[1]]
    log = load(case / labels["args"][0])
    assert log.format == "tfevents"
    assert log.splits() == ["train", "test"]
    lo, hi = labels["steps"]
    assert log.frame["step"].min() == lo and log.frame["step"].max() == hi


# ---------------------------------------------------------------- scalar downloads

def test_csv_export_golden():
    log = load(FIX / "csv-pair" / "run-exp1-tag-Loss_train.csv")
    assert log.format == "tensorboard-csv"
    assert rows(log) == [("train", 10.0, 0.9), ("train", 20.0, 0.7), ("train", 30.0, 0.55),
                         ("train", 40.0, 0.5)]
    assert log.frame["wall_time"].tolist() == [1600000000.5, 1600000001.5, 1600000002.5,
                                               1600000003.5]
    assert log.frame["metric"].iloc[0] == "Loss_train"
    test = load(FIX / "csv-pair" / "run-exp1-tag-Loss_test.csv")
    assert rows(test) == [("test", 20.0, 0.8), ("test", 40.0, "nan")]


def test_json_export_golden_and_folder_pairing():
    log = load(FIX / "keras-json")
    assert log.format == "tensorboard-json"
    assert rows(log) == [("train", 0.0, 0.69), ("train", 1.0, 0.5), ("train", 2.0, "nan"),
                         ("test", 0.0, 0.71), ("test", 1.0, 0.6), ("test", 2.0, math.inf)]
    assert set(log.frame["metric"]) == {"train/epoch_loss", "validation/epoch_loss"}
    pair = load(FIX / "csv-pair")
    assert pair.format == "tensorboard-csv" and pair.splits() == ["train", "test"]


def test_load_pair_of_exports():
    log = load_pair(FIX / "csv-pair" / "run-exp1-tag-Loss_train.csv",
                    FIX / "csv-pair" / "run-exp1-tag-Loss_test.csv")
    assert rows(log, "test") == [("test", 20.0, 0.8), ("test", 40.0, "nan")]
    assert len(rows(log, "train")) == 4


@pytest.mark.parametrize("name, split", [
    ("run-.-tag-val_loss.csv", "test"), ("run-.-tag-loss.csv", "train"),
    ("run_.-tag-loss.csv", "train"), ("run-validation-tag-epoch_loss.json", "test"),
    ("run-train-tag-epoch_loss.json", "train"), ("run-exp1-tag-loss_val.json", "test"),
    ("run-Mar03_test-box-tag-Loss_train.csv", "train"),
    ("run-eval-tag-loss.csv", "test"), ("attention-ocr__run-.-tag-loss.csv", "train"),
    ("csci-7800__val_loss.csv", "test"),
])
def test_split_from_export_names(name, split):
    assert split_from_name(name) == split


def test_export_errors_are_one_line(tmp_path):
    bad = tmp_path / "run-.-tag-loss.json"
    bad.write_text('[[1.0, 1, 0.5], [2.0, 2, "oops"]]')
    with pytest.raises(LogReadError) as excinfo:
        load(bad)
    assert "not a number" in one_line(excinfo)
    torn = tmp_path / "run-.-tag-val_loss.json"
    torn.write_text("[[1.0, 1, 0.5], [2.0, 2, 0.25")
    with pytest.raises(LogReadError) as excinfo:
        load(torn, "tensorboard-json")
    assert "truncated JSON" in one_line(excinfo)
    header_only = tmp_path / "run-.-tag-loss.csv"
    header_only.write_text("Wall time,Step,Value\n")
    with pytest.raises(LogReadError):
        load(header_only)


def test_a_broken_download_in_a_folder_is_skipped(tmp_path):
    (tmp_path / "run-.-tag-loss.csv").write_text("Wall time,Step,Value\n1.0,1,0.5\n2.0,2,0.4\n")
    (tmp_path / "run-.-tag-val_loss.csv").write_text("Wall time,Step,Value\n1.0,1,0.6\n")
    (tmp_path / "run-.-tag-acc.csv").write_text("Wall time,Step,Value\n1.0,1,zz\n2.0,2,yy\n")
    log = load(tmp_path)
    assert log.format == "tensorboard-csv" and log.splits() == ["train", "test"]
    assert any(n.startswith("run-.-tag-acc.csv: skipped") for n in log.notes)


def test_json_null_value_is_a_non_finite_value(tmp_path):
    path = tmp_path / "run-.-tag-loss.json"
    path.write_text("[[1.0, 1, 0.5], [2.0, 2, null], [3.0, 3, 0.25]]")
    assert rows(load(path)) == [("train", 1.0, 0.5), ("train", 2.0, "nan"), ("train", 3.0, 0.25)]


PAIRS = ["r0004", "r0005", "r0011", "r0012", "r0029", "r0033", "r0037", "r0043", "r0045",
         "r0048", "r0055", "r0064", "r0066", "r0067"]


@pytest.mark.parametrize("case", PAIRS)
def test_corpus_export_pairs(case):
    folder = need(CORPUS / case)
    labels = json.loads((folder / "labels.json").read_text())
    args = labels["args"]
    train, test = folder / args[args.index("--train") + 1], folder / args[args.index("--test") + 1]
    assert load(train).format == labels["format"] == load(test).format
    assert load(train).splits() == ["train"] and load(test).splits() == ["test"]
    log = load_pair(train, test)
    lo, hi = labels["steps"]
    assert log.frame["step"].min() == lo and log.frame["step"].max() == hi
    whole = load(folder)           # the folder pairs the two files by their tag names
    assert whole.frame.groupby("split").size().to_dict() == \
        log.frame.groupby("split").size().to_dict()


@pytest.mark.parametrize("path, split, points", [
    ("tensorboard_csv/attention-ocr__run-.-tag-loss.csv", "train", 361),
    ("tensorboard_csv/csci-7800__train_loss.csv", "train", 100),
    ("tensorboard_csv/csci-7800__val_loss.csv", "test", 102),
    ("tensorboard_csv/imdb-age-gender__run-.-tag-loss.csv", "train", 30),
    ("tensorboard_csv/imdb-age-gender__run-.-tag-val_loss.csv", "test", 30),
    ("tensorboard_csv/nlp-lab-11__train_loss.csv", "train", 576),
    ("tensorboard_csv/nlp-lab-11__val_loss.csv", "test", 56),
    ("tensorboard_csv/text-gen-lstm-keras__run_.-tag-loss.csv", "train", 20),
    ("tensorboard_csv/trabalho-final-ml__run_.-tag-loss.csv", "train", 200),
    ("tensorboard_json/attention-ocr__run-.-tag-loss.json", "train", 361),
])
def test_real_exports(path, split, points):
    log = load(need(REAL / path))
    assert log.format == "tensorboard-" + path.split("_")[1].split("/")[0]
    assert log.splits() == [split] and len(log.frame) == points


def test_real_csv_and_json_export_agree():
    csv = load(need(REAL / "tensorboard_csv" / "attention-ocr__run-.-tag-loss.csv"))
    js = load(need(REAL / "tensorboard_json" / "attention-ocr__run-.-tag-loss.json"))
    assert np.allclose(csv.frame["value"], js.frame["value"])
    assert csv.frame["step"].tolist() == js.frame["step"].tolist()


def test_writer_crc_is_tensorflows():
    assert tw.crc32c.crc32c(b"123456789") == 0xE3069283       # the CRC-32C check value
    path = next(need(REAL / "tfevents").glob("*.tfevents.*"))
    head = path.read_bytes()[:12]
    assert tw.masked_crc(head[:8]) == struct.unpack("<I", head[8:])[0]
