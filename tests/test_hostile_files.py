"""Hostile files: pipes, devices, gzip bombs, odd encodings and unwritable outputs.

Whatever could hang runs in a child process with a timeout: a hang fails the test instead of
the suite.
"""
from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from lossdoctor import cli
from lossdoctor.errors import LogReadError
from lossdoctor.parsers import load
from lossdoctor.parsers.gunzip import LIMIT_VARIABLE
from lossdoctor.parsers.registry import ReadOptions

LOSSDOCTOR = str(Path(sys.executable).with_name("lossdoctor"))
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")


def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
        timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([LOSSDOCTOR, *args], capture_output=True, text=True, cwd=cwd,
                          timeout=timeout, env={**os.environ, **(env or {})})


def one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    """The run's stderr, which must be exactly one line without a traceback."""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr and "\x00" not in done.stderr
    return lines[0]


def healthy_rows(n: int = 30, start: int = 0) -> str:
    return "".join(f"{e},{2.0 / (e + 1) + 0.3:.5f},{2.0 / (e + 1) + 0.4:.5f}\n"
                   for e in range(start, start + n))


# ---------------------------------------------------------------- pathological lines

def test_console_log_with_huge_decoration_lines_is_read_in_linear_time(tmp_path):
    # a line of a million '*' or '=' (a banner gone wrong) must not make a banner pattern
    # backtrack over every length at every position: the log is still read, at once
    text = "".join(f"Epoch {e}: loss={2.0 / (e + 1):.4f}, val_loss={2.2 / (e + 1):.4f}\n"
                   for e in range(1, 13))
    text = "*" * 1_000_000 + "\n" + "=" * 1_000_000 + " eval\n" + text
    (tmp_path / "train.log").write_text(text)
    done = run("check", "train.log", "--format", "json", cwd=tmp_path, timeout=60)
    assert done.returncode in (0, 1), done.stderr
    assert json.loads(done.stdout)["verdict"] == "learning"


def test_a_caffe_output_line_of_open_brackets_is_read_in_linear_time(tmp_path):
    # Caffe's 'Test net output #k: ... (* w = x loss)': 200,000 '(*' after the marker made
    # the weight's pattern try every end at every bracket (40,000 took 4 s; quadratic)
    text = "".join(f"Epoch {e}: loss={2.0 / (e + 1):.4f}, val_loss={2.2 / (e + 1):.4f}\n"
                   for e in range(1, 13))
    (tmp_path / "train.log").write_text("Test net output #1: " + "(*" * 200_000 + "\n" + text)
    done = run("check", "train.log", "--format", "json", cwd=tmp_path, timeout=60)
    assert done.returncode in (0, 1), done.stderr
    assert json.loads(done.stdout)["verdict"] == "learning"


def test_a_console_line_too_long_to_be_a_print_is_read_at_its_ends(tmp_path):
    # a dumped array or a hostile file's gigabyte line: every pattern scanned all of it (4
    # minutes a gigabyte); the lines around it are the log, and a loss printed at either end
    # of it is still read (see test_very_long_lines_are_read)
    lines = [f"Epoch {e}: loss={2.0 / (e + 1):.4f}, val_loss={2.2 / (e + 1):.4f}\n"
             for e in range(1, 13)]
    lines.insert(5, "[" + "0.25, " * 40_000 + "0.5]\n")
    (tmp_path / "train.log").write_text("".join(lines))
    log = load(tmp_path / "train.log")
    assert "1 line(s) longer than 100,000 characters read at their ends only" in log.notes
    assert log.curve("", "train")[0].tolist() == [float(e) for e in range(1, 13)]


@pytest.mark.parametrize("head", ["step", "epoch", "tokens", "Batch", "val_loss", '"'])
def test_a_marker_followed_by_a_long_run_of_blanks_is_read_in_linear_time(tmp_path, head):
    # 'step' then 100,000 blanks and no number: a pattern with optional separators between
    # runs of blanks tried every split of them (1,600 blanks took 30 s); a log holding such
    # a line still reads at once, as a CSV cell of blanks does
    text = "".join(f"Epoch {e}: loss={2.0 / (e + 1):.4f}, val_loss={2.2 / (e + 1):.4f}\n"
                   for e in range(1, 13))
    (tmp_path / "train.log").write_text(head + " " * 100_000 + "x\n" + text)
    done = run("check", "train.log", "--format", "json", cwd=tmp_path, timeout=60)
    assert done.returncode in (0, 1), done.stderr
    (tmp_path / "log.csv").write_text("step,loss,val_loss\n" + "".join(
        f"{e},{2.0 / (e + 1):.4f},{2.2 / (e + 1):.4f}\n" for e in range(1, 13))
        + "13," + " " * 100_000 + "x,0.2\n")
    done = run("check", "log.csv", "--format", "json", cwd=tmp_path, timeout=60)
    assert done.returncode in (0, 1, 2) and "Traceback" not in done.stderr


# ---------------------------------------------------------------- named pipes and devices

@needs_fifo
def test_a_named_pipe_is_refused_at_once_not_waited_on(tmp_path):
    os.mkfifo(tmp_path / "metrics.csv")
    done = run("check", "metrics.csv", cwd=tmp_path, timeout=30)
    assert done.returncode == 2
    assert one_error_line(done) == ("lossdoctor: metrics.csv: a named pipe (FIFO), not a log"
                                    " file (lossdoctor reads regular files and folders only)")


@needs_fifo
def test_a_named_pipe_in_a_swept_folder_is_skipped_and_named(tmp_path):
    (tmp_path / "runs" / "a").mkdir(parents=True)
    (tmp_path / "runs" / "a" / "metrics.csv").write_text("epoch,loss,val_loss\n" +
                                                          healthy_rows())
    (tmp_path / "runs" / "b").mkdir()
    (tmp_path / "runs" / "b" / "metrics.csv").write_text("epoch,loss,val_loss\n" +
                                                          healthy_rows())
    os.mkfifo(tmp_path / "runs" / "live.csv")
    done = run("check", "runs", "--format", "json", cwd=tmp_path, timeout=30)
    assert done.returncode == 0, done.stderr
    assert "skipped 1 file(s) that are not regular files: live.csv (a named pipe (FIFO))" \
        in done.stdout


@needs_fifo
def test_watch_refuses_a_named_pipe_instead_of_ignoring_idle(tmp_path):
    os.mkfifo(tmp_path / "live.csv")
    done = run("watch", "live.csv", "--idle", "1", "--interval", "0.05", cwd=tmp_path,
               timeout=30)
    assert done.returncode == 2
    assert "live.csv: a named pipe (FIFO), not a log file" in one_error_line(done)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_a_device_is_refused():
    done = run("check", "/dev/zero", timeout=30)
    assert done.returncode == 2
    assert "/dev/zero: a character device, not a log file" in one_error_line(done)


@needs_fifo
def test_a_named_pipe_as_config_file_is_refused(tmp_path):
    (tmp_path / "log.csv").write_text("epoch,loss\n" + "".join(f"{e},{1 / (e + 1)}\n"
                                                              for e in range(20)))
    os.mkfifo(tmp_path / "settings.toml")
    done = run("check", "log.csv", "--config", "settings.toml", cwd=tmp_path, timeout=30)
    assert done.returncode == 2
    assert "settings.toml: cannot read config file (not a regular file)" in one_error_line(done)


# ---------------------------------------------------------------- gzip

def _newlines_gz(path: Path, header: bytes, megabytes: int) -> None:
    """A small gzip file that expands to ``megabytes`` of newlines after a header."""
    pack = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [pack.compress(header)]
    block = b"\n" * (1 << 20)
    parts += [pack.compress(block) for _ in range(megabytes)]
    path.write_bytes(b"".join(parts) + pack.flush())


PEAK_RSS = ("import resource, sys\n"
            "from lossdoctor import api\n"
            "from lossdoctor.errors import LossdoctorError\n"
            "try:\n    api.load(sys.argv[1])\nexcept LossdoctorError as exc:\n    print(exc)\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n")


def test_gzip_of_newlines_is_read_in_bounded_memory(tmp_path):
    base = subprocess.run([sys.executable, "-c", PEAK_RSS, os.devnull], capture_output=True,
                          text=True, timeout=60)
    bomb = tmp_path / "metrics.csv.gz"
    _newlines_gz(bomb, b"epoch,loss\n0,1.0\n1,0.5\n", 300)     # 300 MB of newlines, ~300 KB
    assert bomb.stat().st_size < 1 << 20
    done = subprocess.run([sys.executable, "-c", PEAK_RSS, str(bomb)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    grew_kb = int(done.stdout.split()[-1]) - int(base.stdout.split()[-1])
    assert grew_kb < 100_000, f"reading grew the process by {grew_kb} KB"   # not 300 MB


def test_gzip_table_of_one_huge_line_is_read_without_a_decoded_copy(tmp_path):
    # 1 MB expanding to a 200 MB line under a CSV header: its text in a StringIO (up to 4
    # bytes a character) had taken 7 times the expanded size; pandas reads the bytes now
    base = subprocess.run([sys.executable, "-c", PEAK_RSS, os.devnull], capture_output=True,
                          text=True, timeout=60)
    bomb = tmp_path / "metrics.csv.gz"
    pack = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [pack.compress(b"epoch,loss\n0,1.0\n1,0.5\n2,")]
    parts += [pack.compress(b"0" * (1 << 20)) for _ in range(200)]
    bomb.write_bytes(b"".join(parts) + pack.compress(b"\n") + pack.flush())
    done = subprocess.run([sys.executable, "-c", PEAK_RSS, str(bomb)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    grew_kb = int(done.stdout.split()[-1]) - int(base.stdout.split()[-1])
    assert grew_kb < 3 * 200_000, f"reading grew the process by {grew_kb} KB"


def test_gzip_expanding_past_the_limit_is_refused_and_the_limit_can_be_raised(tmp_path):
    big = tmp_path / "metrics.csv.gz"
    rows = "epoch,loss\n" + "".join(f"{e},{1 / (e + 1):.6f}\n" for e in range(200_000))
    big.write_bytes(gzip.compress(rows.encode()))
    done = run("check", str(big), env={LIMIT_VARIABLE: "1M"})
    assert done.returncode == 2
    line = one_error_line(done)
    assert "gzip data expands to more than 1M" in line and LIMIT_VARIABLE in line
    assert run("check", str(big), env={LIMIT_VARIABLE: "50M"}).returncode in (0, 1)
    assert run("check", str(big), env={LIMIT_VARIABLE: "0"}).returncode in (0, 1)


def test_concatenated_gzip_members_are_all_read(tmp_path):
    path = tmp_path / "metrics.csv.gz"
    first = "epoch,loss,val_loss\n" + healthy_rows(10)
    path.write_bytes(gzip.compress(first.encode()) + gzip.compress(healthy_rows(20, 10).encode())
                     + gzip.compress(healthy_rows(5, 30).encode()))
    log = load(path)
    train = log.frame[log.frame["split"] == "train"]
    assert train["step"].tolist() == [float(e) for e in range(35)]


def test_corrupt_gzip_says_so(tmp_path):
    path = tmp_path / "metrics.csv.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00" + bytes(range(256)) * 4)
    done = run("check", str(path))
    assert done.returncode == 2
    assert "corrupt gzip data" in one_error_line(done)


def test_gzip_damaged_midway_keeps_what_came_before_with_a_note(tmp_path):
    path = tmp_path / "metrics.csv.gz"
    data = gzip.compress(("epoch,loss,val_loss\n" + healthy_rows(3000)).encode())
    path.write_bytes(data[: len(data) // 2])
    log = load(path)
    assert 0 < (log.frame["split"] == "train").sum() < 3000
    assert any("gzip stream is cut off" in n for n in log.notes)


# ---------------------------------------------------------------- encodings and names

@pytest.mark.parametrize("codec", ["utf-32", "utf-32-le"])
def test_utf32_logs_are_read(tmp_path, codec):
    path = tmp_path / "metrics.csv"
    path.write_bytes(("epoch,loss,val_loss\n" + healthy_rows()).encode(codec))
    log = load(path)
    assert set(log.splits()) == {"train", "test"}
    assert len(log.frame[log.frame["split"] == "train"]) == 30


def test_utf32_errors_hold_no_nul_bytes(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_bytes(("id,label\n" + "".join(f"{i},{i % 3}\n" for i in range(20))
                      ).encode("utf-32"))
    done = run("check", str(path))
    assert done.returncode == 2
    assert "numeric columns: id, label" in one_error_line(done)


@pytest.mark.parametrize("header", ["epoch,loss,val_loss\n", ""])
def test_a_terminal_sequence_before_the_first_line_is_not_the_log(tmp_path, header):
    # bash in a SLURM job started with TERM=xterm prints ESC[?1034h before the job's output:
    # glued to the first line it made a column named '\x1b[?1034h0.0002' (no override could
    # name the loss column of a headerless table)
    path = tmp_path / "slurm-4242.out"
    rows = healthy_rows().replace(",", "\t")
    path.write_bytes(b"\x1b[?1034h" + (header.replace(",", "\t") + rows).encode())
    log = load(path, options=None if header else ReadOptions(train_col="column 2"))
    assert len(log.frame[log.frame["split"] == "train"]) == 30
    assert log.frame["value"].iloc[0] == pytest.approx(2.3)
    assert ("x axis: epoch" in log.notes) == bool(header)    # the axis named, not 'ESC[..epoch'


def test_a_file_name_with_a_newline_is_printed_escaped_on_one_line(tmp_path):
    path = tmp_path / "bad\nname.csv"
    path.write_text("id,label\n1,2\n3,4\n")
    done = run("check", path.name, cwd=tmp_path)
    assert done.returncode == 2
    assert one_error_line(done).startswith("lossdoctor: bad\\nname.csv: no loss column found")


def test_numpy_warnings_never_reach_stderr(tmp_path):
    path = tmp_path / "metrics.csv"
    path.write_text("epoch,loss,val_loss\n" + "".join(
        f"{e},{1e308 * (e % 3 + 1) if e > 5 else 1.0},{-1e308 if e % 2 else 1e308}\n"
        for e in range(40)))
    done = run("check", str(path))
    assert done.returncode in (0, 1)
    assert done.stderr == ""


# ---------------------------------------------------------------- outputs and config

def test_output_into_a_missing_folder_is_one_line_and_exit_2(tmp_path):
    log = tmp_path / "metrics.csv"
    log.write_text("epoch,loss,val_loss\n" + healthy_rows())
    target = tmp_path / "no" / "such" / "report.json"
    done = run("check", str(log), "-o", str(target), "--format", "json")
    assert done.returncode == 2
    assert one_error_line(done) == (f"lossdoctor: {target}: cannot write the report (No such"
                                    " file or directory)")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
@pytest.mark.parametrize("where", ["-o", "stdout"])
def test_a_full_disk_is_one_line_and_exit_2(tmp_path, where):
    log = tmp_path / "metrics.csv"
    log.write_text("epoch,loss,val_loss\n" + healthy_rows())
    if where == "-o":
        done = run("check", str(log), "-o", "/dev/full")
    else:
        with open("/dev/full", "w") as full:
            done = subprocess.run([LOSSDOCTOR, "check", str(log)], stdout=full,
                                  stderr=subprocess.PIPE, text=True, timeout=60)
    assert done.returncode == 2
    assert "cannot write the report (No space left on device)" in one_error_line(done)


def test_a_binary_config_file_is_named(tmp_path, monkeypatch):
    (tmp_path / "lossdoctor.toml").write_bytes(b"\x00\x01\xff\xfe\x80 binary")
    (tmp_path / "log.csv").write_text("epoch,loss,val_loss\n" + healthy_rows())
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli.main, ["check", "log.csv"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"lossdoctor: {tmp_path / 'lossdoctor.toml'}: not a TOML"
                                     " file (binary data, or not UTF-8 text)")


def test_api_refuses_a_missing_path_with_its_own_error(tmp_path):
    with pytest.raises(LogReadError, match="no such file or folder"):
        load(tmp_path / "nothing.csv")



def test_a_plain_file_named_gz_is_read_by_its_bytes(tmp_path):
    path = tmp_path / "metrics.csv.gz"
    path.write_text("epoch,loss,val_loss\n" + healthy_rows())
    assert set(load(path).splits()) == {"train", "test"}


@pytest.mark.parametrize("data,said", [(b"", "empty file"),
                                       (b"  \n\n\t\n", "empty file (only blank lines)"),
                                       (gzip.compress(b""), "empty file")],
                         ids=["empty", "blank-lines", "empty-gzip"])
def test_empty_files_say_empty(tmp_path, data, said):
    path = tmp_path / "metrics.csv"
    path.write_bytes(data)
    with pytest.raises(LogReadError) as exc:
        load(path)
    assert exc.value.message == said


@pytest.mark.parametrize("packer,name", [("bz2", "bzip2"), ("lzma", "xz")])
def test_other_compressions_are_named(tmp_path, packer, name):
    module = __import__(packer)
    path = tmp_path / "metrics.csv.x"
    path.write_bytes(module.compress(("epoch,loss\n" + healthy_rows()).encode()))
    with pytest.raises(LogReadError, match=f"{name}-compressed, which lossdoctor does not"):
        load(path)


def test_a_run_of_nul_bytes_inside_a_text_log_is_dropped(tmp_path):
    path = tmp_path / "metrics.csv"
    path.write_bytes(("epoch,loss,val_loss\n" + healthy_rows(15)).encode() + b"\x00" * 40 +
                     healthy_rows(15, 15).encode())
    log = load(path)
    assert len(log.frame[log.frame["split"] == "train"]) == 30


def test_names_with_newlines_stay_on_one_line_in_reports_and_sweeps(tmp_path):
    root = tmp_path / "runs"
    (root / "lr\n1").mkdir(parents=True)
    (root / "lr\n1" / "metrics.csv").write_text("epoch,loss,val_loss\n" + healthy_rows())
    (root / "lr2").mkdir()
    (root / "lr2" / "metrics.csv").write_text("epoch,loss,val_loss\n" + healthy_rows())
    (root / "b\nad.csv").write_text("epoch,loss\n1,x\n2,y\n")
    done = run("check", "runs", cwd=tmp_path)
    assert done.returncode == 2
    assert one_error_line(done).startswith("lossdoctor: b\\nad.csv: column 'loss' is not")
    rows = done.stdout.splitlines()
    assert len(rows[:3]) == 3 and all("\n" not in r for r in rows)
    # one row each, the names escaped and lined up
    assert any(re.match(r"lr\\n1/metrics\.csv  [A-Z_]+ ", r) for r in rows[:3])
    assert any(re.match(r"lr2/metrics\.csv    [A-Z_]+ ", r) for r in rows[:3])
    assert any(r.startswith("b\\nad.csv          UNREADABLE") for r in rows[:3])
    single = run("check", str(root / "lr\n1" / "metrics.csv"))
    assert re.search(r"/lr\\n1/metrics\.csv: [A-Z_]+ \(", single.stdout.splitlines()[0])


@pytest.mark.parametrize("command", [["check", "--format", "html"], ["compare", "--baseline"],
                                     ["plot"]], ids=["html", "compare", "plot"])
def test_every_command_writing_a_file_says_when_it_cannot(tmp_path, command):
    if command == ["plot"]:
        pytest.importorskip("matplotlib")
    log = tmp_path / "metrics.csv"
    log.write_text("epoch,loss,val_loss\n" + healthy_rows())
    args = [command[0], str(log), *command[1:]]
    if command[0] == "compare":
        args.append(str(log))
    target = tmp_path / "missing" / ("out.png" if command == ["plot"] else "out.txt")
    done = run(*args, "-o", str(target))
    assert done.returncode == 2
    assert one_error_line(done).startswith(f"lossdoctor: {target}: cannot write the")
