"""watch reads only what a growing log appended; a rewrite or truncation is read whole."""
from __future__ import annotations

import math

import numpy as np
import pytest

from lossdoctor.api import diagnose
from lossdoctor.config import settle
from lossdoctor.tailing import Tail
from lossdoctor.watch import watch

HEADER = "step,train_loss,val_loss\n"


def rows(a: int, b: int, blowup_at: int | None = None) -> str:
    out = []
    for s in range(a, b):
        train = 0.3 + 2 * math.exp(-s / 300) + 0.01 * math.sin(s)
        if blowup_at is not None and s >= blowup_at:
            train *= 3 ** ((s - blowup_at) / 10 + 1)
        val = f"{train + 0.1:.5f}" if s % 10 == 9 else ""
        out.append(f"{s},{train:.5f},{val}\n")
    return "".join(out)


def same_report(a, b) -> None:
    assert a.verdict == b.verdict
    assert a.main.curves() == b.main.curves()
    assert [d.to_dict() for d in a.diagnoses] == [d.to_dict() for d in b.diagnoses]


def test_appended_rows_are_parsed_alone_and_give_the_full_reads_report(tmp_path):
    log = tmp_path / "metrics.csv"
    log.write_text(HEADER + rows(0, 500))
    with Tail(log, settle(False)) as tail:
        same_report(tail.report(), diagnose(log, config=False))
        for a in range(500, 2000, 300):
            with open(log, "a") as fh:
                fh.write(rows(a, a + 300))
            same_report(tail.report(), diagnose(log, config=False))
        assert tail.full_reads == 1 and tail.offset == log.stat().st_size


def test_a_half_written_row_waits_for_its_end(tmp_path):
    log = tmp_path / "metrics.csv"
    log.write_text(HEADER + rows(0, 100))
    with Tail(log, settle(False)) as tail:
        first = tail.report()
        line = rows(100, 101)
        with open(log, "a") as fh:
            fh.write(line[:4])                   # "100," of a row still being written
        assert tail.report().main.curves() == first.main.curves()
        with open(log, "a") as fh:
            fh.write(line[4:])
        assert tail.report().main.context.train.summary.points == 101
        assert tail.full_reads == 1


@pytest.mark.parametrize("change", ["truncate", "rewrite", "new column"])
def test_a_rewritten_or_truncated_log_is_read_whole(tmp_path, change):
    log = tmp_path / "metrics.csv"
    log.write_text(HEADER + rows(0, 300))
    with Tail(log, settle(False)) as tail:
        tail.report()
        if change == "truncate":
            log.write_text(HEADER + rows(0, 50))          # a new run in the same file
        elif change == "rewrite":
            text = HEADER + rows(0, 300).replace(",1.", ",2.")
            log.write_text(text + rows(300, 310))         # same start, other numbers
        else:
            log.write_text("step,train_loss,val_loss,lr\n" + "".join(
                r.rstrip("\n") + ",0.1\n" for r in rows(0, 320).splitlines(True)))
        report = tail.report()
        assert tail.full_reads == 2
        same_report(report, diagnose(log, config=False))


def test_other_formats_are_read_whole_every_time(tmp_path):
    log = tmp_path / "log.jsonl"
    log.write_text("".join(f'{{"step": {s}, "loss": {2 / (s + 1) + 0.3}}}\n' for s in range(50)))
    with Tail(log, settle(False)) as tail:
        tail.report()
        with open(log, "a") as fh:
            fh.write('{"step": 50, "loss": 0.33}\n')
        assert tail.report().main.context.train.summary.points == 51
        assert tail.full_reads == 2


def test_watch_with_an_injected_clock_catches_a_blowup_and_stops(tmp_path):
    """No real sleeps: each 'sleep' appends what a trainer wrote meanwhile and moves the
    clock; the watch stops at the look after the blow-up was written."""
    log = tmp_path / "metrics.csv"
    log.write_text(HEADER + rows(0, 200))
    now = [0.0]
    chunks = iter([(200, 400, None), (400, 600, None), (600, 700, 600), (700, 800, 600)])
    written: list[int] = []

    def sleep(seconds: float) -> None:
        now[0] += seconds
        a, b, blowup = next(chunks)
        with open(log, "a") as fh:
            fh.write(rows(a, b, blowup))
        written.append(b)

    changes = []
    code = watch(log, interval=2.0, idle=10, fail_on=["divergence", "non_finite"],
                 on_change=changes.append, sleep=sleep, clock=lambda: now[0], config=False)
    assert code == 1
    assert written == [400, 600, 700]                  # stopped at the first look after it
    assert changes[0].verdict == "learning" and changes[-1].verdict in ("divergence",
                                                                          "non_finite")


def test_watch_with_an_injected_clock_ends_after_idle_seconds(tmp_path):
    log = tmp_path / "metrics.csv"
    log.write_text(HEADER + rows(0, 300))
    now = [0.0]
    looks = []

    def sleep(seconds: float) -> None:
        now[0] += seconds
        looks.append(now[0])

    assert watch(log, interval=1.0, idle=5, sleep=sleep, clock=lambda: now[0],
                 config=False) == 0
    assert looks == [1.0, 2.0, 3.0, 4.0, 5.0]


def test_growing_buffers_hold_every_value(tmp_path):
    from lossdoctor.tailing import _Growing

    g = _Growing(np.arange(3.0))
    for k in range(10):
        g.extend(np.full(k, float(k)))
    expected = np.concatenate([np.arange(3.0)] + [np.full(k, float(k)) for k in range(10)])
    assert np.array_equal(g.view(), expected)
