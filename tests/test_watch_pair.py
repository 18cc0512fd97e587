"""watch --train --test: a growing pair of files is diagnosed as check diagnoses the pair.

No real sleeps: each 'sleep' of the watch appends what a trainer wrote meanwhile to one of
the two files and moves an injected clock.
"""
from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner

from lossdoctor import cli
from lossdoctor.api import diagnose
from lossdoctor.config import settle
from lossdoctor.formatters.json_format import render
from lossdoctor.pairtail import PairTail
from lossdoctor.tailing import Tail
from lossdoctor.watch import watch

TRAIN, TEST = "train.csv", "val.csv"


def train_rows(a: int, b: int) -> str:
    return "".join(f"{s},{0.3 + 2 * math.exp(-s / 300) + 0.01 * math.sin(s):.5f}\n"
                   for s in range(a, b))


def val_rows(a: int, b: int) -> str:
    """An evaluation every 10 steps; from step 700 the test loss climbs (overfitting)."""
    out = []
    for s in range(a, b):
        if s % 10 == 9:
            climb = (max(0, s - 700) / 300) ** 2
            out.append(f"{s},{0.5 + 2 * math.exp(-s / 300) + 0.01 * math.cos(s) + climb:.5f}\n")
    return "".join(out)


def start_pair(folder) -> None:
    (folder / TRAIN).write_text("step,loss\n" + train_rows(0, 400))
    (folder / TEST).write_text("step,val_loss\n" + val_rows(0, 400))


def check_json(*args: str) -> dict:
    result = CliRunner().invoke(cli.main, ["check", "--train", TRAIN, "--test", TEST,
                                           "--format", "json", *args])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def test_a_growing_pair_reports_each_verdict_change_as_check_gives_it(tmp_path, monkeypatch):
    """The trainer appends to one file per look; every change of verdict the watch reports
    is check's report on the files at that moment (the config in the folder included), and
    each file is read whole once: after that only what it appended is parsed."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lossdoctor.toml").write_text('ignore = ["learning"]\n')
    start_pair(tmp_path)
    writes = iter([(TRAIN, 400, 700), (TEST, 400, 700), (TRAIN, 700, 1000),
                   (TEST, 700, 1000)])
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds
        name, a, b = next(writes, (None, 0, 0))
        if name is not None:
            with open(name, "a") as fh:
                fh.write((train_rows if name == TRAIN else val_rows)(a, b))

    full_reads: list[str] = []
    whole = Tail._full

    def counted(self: Tail):
        full_reads.append(self.path.name)
        return whole(self)

    monkeypatch.setattr(Tail, "_full", counted)
    changes, agreed = [], []

    def changed(change) -> None:
        changes.append(change.verdict)
        agreed.append(json.loads(render(change.report)) == check_json())

    code = watch(train=TRAIN, test=TEST, interval=1.0, idle=3, on_change=changed,
                 sleep=sleep, clock=lambda: now[0])
    assert code == 0
    assert changes == ["no_finding", "overfitting"]    # no learning: the config ignores it
    assert agreed == [True, True]
    assert check_json()["verdict"] == "overfitting"               # the final files
    assert sorted(full_reads) == [TRAIN, TEST]


def test_a_rewritten_file_of_the_pair_is_read_whole_and_the_other_is_not(tmp_path,
                                                                           monkeypatch):
    monkeypatch.chdir(tmp_path)
    start_pair(tmp_path)
    with PairTail(TRAIN, TEST, settle(False)) as pair:
        pair.report()
        with open(TRAIN, "a") as fh:
            fh.write(train_rows(400, 800))
        with open(TEST, "a") as fh:
            fh.write(val_rows(400, 800))
        grown = pair.report()
        assert (pair.train.full_reads, pair.test.full_reads) == (1, 1)
        assert pair.train.offset == (tmp_path / TRAIN).stat().st_size
        assert pair.test.offset == (tmp_path / TEST).stat().st_size
        assert grown.to_dict() == diagnose(train=TRAIN, test=TEST, config=False).to_dict()
        (tmp_path / TEST).write_text("step,val_loss\n" + val_rows(0, 300))   # a new run
        with open(TRAIN, "a") as fh:
            fh.write(train_rows(800, 900))
        rewritten = pair.report()
        assert (pair.train.full_reads, pair.test.full_reads) == (1, 2)
        assert rewritten.to_dict() == diagnose(train=TRAIN, test=TEST, config=False).to_dict()


@pytest.mark.parametrize("args, said", [
    (["log.csv", "--train", TRAIN], "give either a log or --train/--test files, not both"),
    (["log.csv", "--train", TRAIN, "--test", TEST],
     "give either a log or --train/--test files, not both"),
    ([], "no log given (pass a file or folder, or --train/--test)"),
    (["--train", TRAIN], f"{TRAIN}: --train and --test are watched together: give both"),
], ids=["log and train", "log and pair", "neither", "half a pair"])
def test_a_log_and_a_pair_or_neither_is_a_one_line_usage_error(tmp_path, monkeypatch, args,
                                                               said):
    monkeypatch.chdir(tmp_path)
    start_pair(tmp_path)
    (tmp_path / "log.csv").write_text("step,loss,val_loss\n0,1.0,1.1\n")
    result = CliRunner().invoke(cli.main, ["watch", *args, "--idle", "0"])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"lossdoctor: {said}"), lines
