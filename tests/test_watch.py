"""`lossdoctor watch`: a real writer process appends to a log while the watch follows it."""
from __future__ import annotations

import math
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import tfevents_writer as tw

from lossdoctor.watch import complete_part, read_once, watch

pytestmark = pytest.mark.slow            # real writer processes and sleeps

INTERVAL = 0.05
#: a training script's logger: healthy epochs written in halves (as a buffered writer would
#: leave them), then, optionally, a blow-up written at once and a flag file, then more rows
WRITER = r'''
import math, sys, time
path, healthy, blowup, delay = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
def row(e):
    if e < healthy:
        return f"{e},{0.3 + 2 * math.exp(-e / 40):.5f},{0.4 + 2 * math.exp(-e / 45):.5f}\n"
    k = e - healthy + 1
    return f"{e},{0.35 * 3 ** k:.5f},{0.45 * 3 ** k:.5f}\n"
with open(path, "w") as fh:
    fh.write("epoch,loss,val_loss\n")
    fh.flush()
    for e in range(healthy):
        line = row(e)
        fh.write(line[:6]); fh.flush(); time.sleep(delay / 2)
        fh.write(line[6:]); fh.flush(); time.sleep(delay / 2)
    if blowup:
        fh.write("".join(row(e) for e in range(healthy, healthy + blowup))); fh.flush()
        open(path + ".diverged", "w").close()
        for e in range(healthy + blowup, healthy + blowup + 40):
            fh.write(row(e)); fh.flush(); time.sleep(delay)
'''


@pytest.fixture
def writer(tmp_path):
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    procs = []

    def start(log: Path, healthy: int, blowup: int = 0, delay: float = 0.02):
        procs.append(subprocess.Popen([sys.executable, str(script), str(log), str(healthy),
                                       str(blowup), str(delay)]))
        return procs[-1]
    yield start
    for p in procs:
        p.kill()
        p.wait()


def test_divergence_in_a_live_run_is_caught_within_two_rereads(tmp_path, writer):
    log = tmp_path / "metrics.csv"
    flag = Path(f"{log}.diverged")
    changes, after_flag = [], []

    def sleep(seconds: float) -> None:
        if flag.exists():
            after_flag.append(seconds)
        time.sleep(seconds)

    writer(log, healthy=40, blowup=5)
    code = watch(log, interval=INTERVAL, idle=10, fail_on=["divergence", "non_finite"],
                 on_change=changes.append, sleep=sleep)
    assert code == 1
    assert changes[-1].verdict in ("divergence", "non_finite")
    # every verdict before the blow-up was a healthy one: no half line was read as a NaN
    # (the first looks may come before there are enough rows for any verdict)
    assert all(c.verdict in ("learning", "plateau", "not_enough_evidence")
               for c in changes[:-1]), [c.verdict for c in changes]
    assert len(after_flag) <= 2


def test_idle_log_ends_the_watch_with_exit_0(tmp_path, writer):
    log = tmp_path / "train.csv"
    changes = []
    proc = writer(log, healthy=15)
    start = time.monotonic()
    code = watch(log, interval=INTERVAL, idle=0.6, fail_on=["divergence"],
                 on_change=changes.append)
    assert code == 0
    assert proc.poll() == 0                              # stopped only after the writer did
    assert changes and changes[-1].verdict == "learning"
    assert changes[-1].report.source == str(log)
    assert time.monotonic() - start < 15


def test_waits_for_a_log_that_does_not_exist_yet_and_says_so_once(tmp_path, writer):
    log = tmp_path / "later.csv"
    waits, changes = [], []

    def late_start() -> None:
        time.sleep(0.4)
        writer(log, healthy=12)
    thread = threading.Thread(target=late_start)
    thread.start()
    code = watch(log, interval=INTERVAL, idle=0.8, on_wait=waits.append,
                 on_change=changes.append)
    thread.join()
    assert code == 0
    assert waits.count("waiting: the log does not exist yet") == 1
    assert changes and changes[-1].verdict == "learning"


def test_half_written_last_line_is_ignored(tmp_path):
    whole = "epoch,loss,val_loss\n" + "".join(
        f"{e},{2.0 * math.exp(-e / 40) + 0.3:.4f},{2.0 * math.exp(-e / 45) + 0.4:.4f}\n"
        for e in range(30))
    log = tmp_path / "log.csv"
    log.write_text(whole + "30,0.3")            # the trainer is in the middle of a row
    copy = complete_part(log, tmp_path / "..")
    assert copy.read_text() == whole
    report = read_once(log, {})
    assert report.verdict == "learning"
    assert not [d for d in report.diagnoses if d.name == "non_finite"]
    log.write_text("epoch,loss,val_loss\n0,2.")
    with pytest.raises(ValueError):                # not ready yet: LogReadError
        read_once(log, {})


def test_rewritten_whole_file_is_reread(tmp_path):
    log = tmp_path / "metrics.csv"
    rows = [f"{e},{2.0 * math.exp(-e / 40) + 0.3:.4f},{2.0 * math.exp(-e / 45) + 0.4:.4f}"
            for e in range(30)]
    log.write_text("epoch,loss,val_loss\n" + "\n".join(rows) + "\n")
    changes = []
    stop = {"n": 0}

    def sleep(seconds: float) -> None:
        stop["n"] += 1
        if stop["n"] == 2:       # Lightning rewrites metrics.csv whole, a new column included
            log.write_text("epoch,loss,val_loss,lr\n" + "\n".join(
                f"{r},0.001" for r in rows[:20]) + "\n20,nan,nan,0.001\n")
        time.sleep(seconds)

    code = watch(log, interval=INTERVAL, idle=0.5, fail_on=["non_finite"],
                 on_change=changes.append, sleep=sleep)
    assert code == 1
    assert [c.verdict for c in changes] == ["learning", "non_finite"]


def test_new_event_file_in_a_run_folder_is_read(tmp_path):
    run = tmp_path / "tb_run"
    healthy = [(s, 2.0 * math.exp(-s / 40) + 0.3) for s in range(30)]
    tw.scalar_run(run / "events.out.tfevents.1.host", {"loss": healthy,
                                                       "val_loss": healthy})
    changes, looks = [], []

    def sleep(seconds: float) -> None:
        looks.append(seconds)
        if len(looks) == 2:     # the job restarts from a checkpoint and writes a new file
            blown = [(s, float("nan")) for s in range(30, 40)]
            tw.scalar_run(run / "events.out.tfevents.2.host", {"loss": blown},
                          wall0=1.7e9)
        time.sleep(seconds)

    code = watch(run, interval=INTERVAL, idle=1.0, fail_on=["non_finite"],
                 on_change=changes.append, sleep=sleep)
    assert code == 1
    assert [c.verdict for c in changes] == ["learning", "non_finite"]


def _cli(*args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("lossdoctor")), "watch", *args]


def test_watch_command_prints_changes_and_stops_when_idle(tmp_path, writer):
    log = tmp_path / "run.csv"
    writer(log, healthy=10).wait()
    done = subprocess.run(_cli(str(log), "--interval", "0.05", "--idle", "0.3",
                               "--fail-on", "divergence,non_finite"),
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1 and " step 9: LEARNING (info) " in lines[0]
    assert lines[0][0] == "[" and lines[0][9] == "]"       # [HH:MM:SS]


def test_watch_command_exits_1_on_divergence_and_0_on_ctrl_c(tmp_path, writer):
    log = tmp_path / "run.csv"
    writer(log, healthy=30, blowup=5)
    done = subprocess.run(_cli(str(log), "--interval", "0.05", "--fail-on",
                               "divergence,non_finite"),
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 1, done.stderr
    assert "stopping: " in done.stderr and "Traceback" not in done.stderr
    proc = subprocess.Popen(_cli(str(log), "--interval", "0.05"), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "stopped" in err


def _rows(n: int, start: int = 0) -> str:
    return "".join(f"{e},{2.0 / (e + 1) + 0.3:.4f},{2.0 / (e + 1) + 0.4:.4f}\n"
                   for e in range(start, start + n))


def test_a_log_that_shrank_was_replaced_or_deleted_is_said_so(tmp_path):
    log = tmp_path / "metrics.csv"
    log.write_text("epoch,loss,val_loss\n" + _rows(20))
    waits: list[str] = []
    looks = {"n": 0}

    def sleep(seconds: float) -> None:
        looks["n"] += 1
        if looks["n"] == 2:             # a new run truncates the log and starts again
            with open(log, "r+") as fh:
                fh.truncate(0)
                fh.write("epoch,loss,val_loss\n" + _rows(10))
        elif looks["n"] == 4:           # the trainer writes a new file and renames it over
            fresh = tmp_path / "fresh.csv"
            fresh.write_text("epoch,loss,val_loss\n" + _rows(12))
            fresh.replace(log)
        elif looks["n"] == 6:
            log.unlink()
        time.sleep(seconds)

    code = watch(log, interval=INTERVAL, idle=0.6, on_wait=waits.append, sleep=sleep)
    assert code == 0
    assert waits == ["the log was truncated at step 19: following the new content",
                     "the log was replaced at step 9: following the new content",
                     "the log was deleted (last seen at step 11): waiting for it to come back"]


def test_watch_removes_its_scratch_folder_on_every_exit(tmp_path, writer):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**__import__("os").environ, "TMPDIR": str(scratch)}
    log = tmp_path / "run.csv"
    writer(log, healthy=10).wait()
    done = subprocess.run(_cli(str(log), "--interval", "0.05", "--idle", "0.3"), env=env,
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0 and list(scratch.iterdir()) == []
    for sig in (signal.SIGTERM, signal.SIGINT):
        proc = subprocess.Popen(_cli(str(log), "--interval", "0.05"), env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30

        def started() -> bool:      # the watch has started once its scratch folder exists
            return any(p.name.startswith("lossdoctor-watch-") for p in scratch.iterdir())

        seen = started()
        while not seen and time.monotonic() < deadline:
            time.sleep(0.05)        # (the folder may be made again when a look re-reads)
            seen = started()
        assert seen, proc.poll() is not None and proc.communicate(timeout=10)
        time.sleep(0.3)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=10)
        assert "Traceback" not in err
        assert list(scratch.iterdir()) == [], sig
