"""Performance targets of lossdoctor, measured side by side with reference tools (issue 6).

    pip install -e . -r benchmarks/requirements.txt && python benchmarks/perf.py [--quick]

Generates every input in a temporary folder, runs lossdoctor and each reference as child
processes in the same run, alternating them so that a burst of load on a shared machine
hits both, and keeps the best of ``--repeat`` runs (wall time; peak RSS of exactly that
child, from ``wait4``). Prints each figure with its ratio, target and PASS/FAIL and exits 1
when a target fails. Ratios are what matter: absolute figures depend on the machine.

Children run as on a user's machine: with compiled bytecode (cached in the temporary
folder, also where PYTHONDONTWRITEBYTECODE is set) and in a folder without a config file.
``--quick`` uses small inputs to check that the benchmark works; its sizes are too small
for the targets, so it judges none of them.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: tfevents: lossdoctor's `check` at least this many times faster than EventAccumulator
EVENTS_SPEEDUP = 25
#: a console log: every line is tried as each log style it could be (steps, epochs, pairs,
#: bare losses, split words, stamps), a few regular expressions each, against one scan for
#: numbers
CONSOLE_RATIO = 20
sys.path.insert(0, str(ROOT / "tests"))     # the hand-written event file writer lives there

import tfevents_writer as tw  # noqa: E402

EVENT_ACCUMULATOR = (
    "import sys\n"
    "from tensorboard.backend.event_processing.event_accumulator import EventAccumulator\n"
    "acc = EventAccumulator(sys.argv[1], size_guidance={'scalars': 0})\n"
    "acc.Reload()\n"
    "assert sum(len(acc.Scalars(t)) for t in acc.Tags()['scalars']) > 0\n")
#: read + diagnose in one process, imports excluded: how the work grows with the points
SCALING = (
    "import sys, time\n"
    "from lossdoctor.api import diagnose\n"
    "diagnose(sys.argv[3])  # warm-up: lazy imports are not part of the curve\n"
    "best = float('inf')\n"
    "for _ in range(int(sys.argv[2])):\n"
    "    t0 = time.perf_counter()\n"
    "    diagnose(sys.argv[1])\n"
    "    best = min(best, time.perf_counter() - t0)\n"
    "print(best)\n")


@dataclass(frozen=True)
class Sizes:
    csv_rows: int
    events: int
    sweep_runs: int
    scaling: tuple[int, ...]
    monitor_steps: int
    gzip_blank_mb: int = 1000
    console_lines: int = 300_000


FULL = Sizes(5_000_000, 1_000_000, 1000, (10_000, 100_000, 1_000_000, 10_000_000), 1_000_000)
QUICK = Sizes(20_000, 5_000, 20, (1_000, 10_000, 100_000), 20_000, 20, 5_000)
#: the minimum any reader of a gzip file does: stream it through zlib, keep nothing
GUNZIP = ("import gzip, shutil, sys\n"
          "with gzip.open(sys.argv[1]) as src, open('/dev/null', 'wb') as dst:\n"
          "    shutil.copyfileobj(src, dst, 1 << 20)\n")


@dataclass
class Run:
    seconds: float
    rss_mb: float


@dataclass
class Figure:
    """One measured target: our figure, the reference's, and whether the ratio meets it."""

    case: str
    what: str
    ours: str
    ref: str
    ratio: float | None
    target: str
    ok: bool | None          # None: not judged (not available, or --quick)


# ---------------------------------------------------------------- inputs

def write_big_csv(path: Path, rows: int) -> Path:
    """``step,train_loss,val_loss``: a loss every step, a validation loss every 1000 steps."""
    import numpy as np

    rng = np.random.default_rng(0)
    with open(path, "w") as fh:
        fh.write("step,train_loss,val_loss\n")
        for a in range(0, rows, 500_000):
            steps = np.arange(a, min(rows, a + 500_000))
            trend = 2.0 * np.exp(-steps / (rows / 4))
            train = trend + 0.3 + rng.normal(0, 0.05, len(steps))
            fh.write("".join(
                f"{s},{t:.6f},{v + 0.35:.6f}\n" if s % 1000 == 999 else f"{s},{t:.6f},\n"
                for s, t, v in zip(steps.tolist(), train.tolist(), trend.tolist(),
                                   strict=True)))
    return path


def write_console_log(path: Path, lines: int) -> Path:
    """Python ``logging`` lines of a training loop: a stamp, the logger's name, then
    ``step N | loss X | lr Y``, and an evaluation line every 1,000 steps."""
    import numpy as np

    rng = np.random.default_rng(0)
    steps = np.arange(lines)
    loss = 2.0 * np.exp(-steps / (lines / 4)) + 0.3 + rng.normal(0, 0.05, lines)
    with open(path, "w") as fh:
        for s, v in zip(steps.tolist(), loss.tolist(), strict=True):
            stamp = f"2026-12-01 {s // 3600 % 24:02d}:{s // 60 % 60:02d}:{s % 60:02d},000"
            fh.write(f"{stamp} - train - INFO - step {s} | loss {v:.4f} | lr 1.0e-03\n")
            if s % 1000 == 999:
                fh.write(f"{stamp} - train - INFO - eval step {s} | val_loss {v + 0.1:.4f}\n")
    return path


#: the least any reader of a console log does: find every number on every line
NUMBER_SCAN = ("import re, sys\n"
               "number = re.compile(r'[-+]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][-+]?\\d+)?')\n"
               "with open(sys.argv[1]) as fh:\n"
               "    found = sum(len(number.findall(line)) for line in fh)\n"
               "assert found\n")


def write_small_csv(path: Path, epochs: int = 100, seed: int = 0) -> Path:
    """A Keras-style history of ``epochs`` epochs: epoch,loss,val_loss."""
    lines = ["epoch,loss,val_loss"]
    for e in range(epochs):
        wobble = ((e * 7919 + seed * 104729) % 97) / 970
        lines.append(f"{e},{1.0 / (1 + e) + 0.1 + wobble * 0.1:.5f},"
                     f"{1.2 / (1 + e) + 0.2 + (e / epochs) ** 2 * seed % 3 * 0.1:.5f}")
    path.write_text("\n".join(lines) + "\n")
    return path


def write_events(path: Path, n: int) -> Path:
    """``n`` scalar events: ``train/loss`` every step, ``val/loss`` also every 1000 steps."""
    with open(path, "wb") as fh:
        fh.write(tw.record(tw.file_version()))
        step = written = 0
        while written < n:
            tags = ["train/loss"] + (["val/loss"] if step % 1000 == 999 else [])
            for tag in tags[:n - written]:
                value = tw.simple_value(tag, (1.1 if tag == "val/loss" else 1.0) / (1 + step))
                fh.write(tw.record(tw.event(step, 1.6e9 + step * 0.01, [value])))
                written += 1
            step += 1
    return path


# ---------------------------------------------------------------- running

class Runner:
    """Starts children with the same environment, and times them."""

    def __init__(self, tmp: Path, repeat: int) -> None:
        self.repeat = repeat
        self.cwd = tmp / "cwd"
        self.cwd.mkdir()
        self.env = dict(os.environ, PYTHONPYCACHEPREFIX=str(tmp / "pycache"))
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        script = Path(sys.executable).with_name("lossdoctor")
        self.lossdoctor = [str(script)] if script.exists() else [
            sys.executable, "-c", "import sys; from lossdoctor.cli import main; sys.exit(main())"]

    def warm_up(self, tmp: Path, cases: list[str]) -> None:
        """Compile every module the cases import, so no timed run pays for it."""
        small = write_small_csv(tmp / "warm.csv")
        cmds = [[sys.executable, "-c", "import pandas, click"],
                self.lossdoctor + ["check", str(small)]]
        if "events" in cases:
            events = write_events(tmp / "events.out.tfevents.1.warm", 3000)
            cmds += [self.lossdoctor + ["check", str(events)],
                     [sys.executable, "-c",
                      "import tensorboard.backend.event_processing.event_accumulator"]]
        for cmd in cmds:
            subprocess.run(cmd, cwd=self.cwd, env=self.env, capture_output=True)

    def once(self, cmd: list[str], ok: tuple[int, ...] = (0,)) -> Run:
        """Wall time and peak RSS of one child; a failed run raises with its stderr."""
        with tempfile.TemporaryFile() as err:
            start = time.perf_counter()
            proc = subprocess.Popen(cmd, cwd=self.cwd, env=self.env,
                                    stdout=subprocess.DEVNULL, stderr=err)
            _, status, usage = os.wait4(proc.pid, 0)
            took = time.perf_counter() - start
            code = os.waitstatus_to_exitcode(status)
            proc.returncode = code
            if code not in ok:
                err.seek(0)
                tail = err.read().decode("utf-8", "replace")[-400:]
                raise RuntimeError(f"{' '.join(cmd)[:120]} exited {code}: {tail}")
        return Run(took, usage.ru_maxrss / 1024)

    def best(self, cmds: list[list[str]], repeat: int | None = None) -> list[Run]:
        """Each command ``repeat`` times, alternating; the best time and RSS of each."""
        runs: list[list[Run]] = [[] for _ in cmds]
        for _ in range(repeat or self.repeat):
            for cmd, out in zip(cmds, runs, strict=True):
                out.append(self.once(cmd, (0, 1) if cmd[:1] == self.lossdoctor[:1] else (0,)))
        return [Run(min(r.seconds for r in rs), min(r.rss_mb for r in rs)) for rs in runs]

    def output(self, cmd: list[str]) -> str:
        return subprocess.run(cmd, cwd=self.cwd, env=self.env, capture_output=True,
                              text=True).stdout


def at_most(case: str, what: str, ours: float, ref: float, limit: float, unit: str,
            ref_name: str) -> Figure:
    ratio = ours / ref
    return Figure(case, what, f"{ours:.3g} {unit}", f"{ref_name} {ref:.3g} {unit}", ratio,
                  f"<= {limit}x", ratio <= limit)


# ---------------------------------------------------------------- cases

Case = Callable[[Runner, Path, Sizes], list[Figure]]


def case_big_csv(run: Runner, tmp: Path, sizes: Sizes) -> list[Figure]:
    path = write_big_csv(tmp / "big.csv", sizes.csv_rows)
    ref = [sys.executable, "-c", f"import pandas; pandas.read_csv({str(path)!r})"]
    ours, theirs = run.best([run.lossdoctor + ["check", str(path)], ref])
    path.unlink()
    name = f"CSV {sizes.csv_rows:,} rows"
    return [at_most(name, "wall time", ours.seconds, theirs.seconds, 1.2, "s", "pandas.read_csv"),
            at_most(name, "peak RSS", ours.rss_mb, theirs.rss_mb, 1.2, "MB", "pandas.read_csv")]


def case_console(run: Runner, tmp: Path, sizes: Sizes) -> list[Figure]:
    path = write_console_log(tmp / "train.log", sizes.console_lines)
    ours, theirs = run.best([run.lossdoctor + ["check", str(path)],
                             [sys.executable, "-c", NUMBER_SCAN, str(path)]])
    path.unlink()
    return [at_most(f"console log {sizes.console_lines:,} lines", "wall time", ours.seconds,
                    theirs.seconds, CONSOLE_RATIO, "s", "regex number scan")]


def case_events(run: Runner, tmp: Path, sizes: Sizes) -> list[Figure]:
    name = f"tfevents {sizes.events:,} events"
    if "tensorboard" not in run.output([sys.executable, "-c", "import tensorboard; print("
                                        "'tensorboard')"]):
        return [Figure(name, "load time", "-", "tensorboard not installed", None,
                       f">= {EVENTS_SPEEDUP}x faster", None)]
    folder = tmp / "events"
    folder.mkdir()
    path = write_events(folder / "events.out.tfevents.1600000000.bench", sizes.events)
    ours = run.best([run.lossdoctor + ["check", str(path)]])[0]
    slow = sizes.events > 100_000       # TensorBoard takes a minute: once is enough
    theirs = run.best([[sys.executable, "-c", EVENT_ACCUMULATOR, str(path)]],
                      1 if slow else None)[0]
    speedup = theirs.seconds / ours.seconds
    return [Figure(name, "load time (check vs Reload)", f"{ours.seconds:.3g} s",
                   f"EventAccumulator {theirs.seconds:.3g} s", speedup,
                   f">= {EVENTS_SPEEDUP}x faster", speedup >= EVENTS_SPEEDUP)]


#: one look of `watch` at a log that grew: what it costs to read the new rows, in-process
WATCH = (
    "import sys, time\n"
    "from pathlib import Path\n"
    "from lossdoctor.config import settle\n"
    "from lossdoctor.tailing import Tail\n"
    "from lossdoctor.parsers import read_raw\n"
    "path, extra, ticks = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])\n"
    "rows = extra.read_bytes().splitlines(True)\n"
    "tail = Tail(path, settle(False))\n"
    "tail.report()\n"
    "reads, diags = [], []\n"
    "for i in range(ticks):\n"
    "    with open(path, 'ab') as fh:\n"
    "        fh.write(b''.join(rows[i * 1000:(i + 1) * 1000]))\n"
    "    t0 = time.perf_counter()\n"
    "    log = tail.appended()\n"
    "    t1 = time.perf_counter()\n"
    "    tail.report()\n"
    "    diags.append(time.perf_counter() - t1)\n"
    "    reads.append(t1 - t0)\n"
    "t0 = time.perf_counter()\n"
    "read_raw(path)\n"
    "full = time.perf_counter() - t0\n"
    "assert tail.full_reads == 1, tail.full_reads\n"
    "print(sorted(reads)[len(reads) // 2], sorted(diags)[len(diags) // 2], full)\n")
#: the most a look at the grown log may cost, besides its diagnosis (issue 14)
WATCH_TICK = 0.010


def case_watch(run: Runner, tmp: Path, sizes: Sizes) -> list[Figure]:
    """watch on a log of ``csv_rows // 5`` rows that grows by 1,000 rows a look."""
    n = sizes.csv_rows // 5
    path = write_big_csv(tmp / "growing.csv", n)
    extra = write_big_csv(tmp / "extra.csv", n + 20_000)
    lines = extra.read_bytes().splitlines(True)[1 + n:]
    extra.write_bytes(b"".join(lines))
    out = subprocess.run([sys.executable, "-c", WATCH, str(path), str(extra), "20"],
                         capture_output=True, text=True, check=True, env=run.env, cwd=run.cwd)
    tick, diag, full = map(float, out.stdout.split())
    name = f"watch, {n:,}-row log + 1,000 rows"
    return [Figure(name, "read per look (median)", f"{tick * 1000:.2g} ms",
                   f"full read {full:.3g} s", tick / full, f"<= {WATCH_TICK * 1000:g} ms",
                   tick <= WATCH_TICK),
            Figure(name, "diagnosis per look (median)", f"{diag * 1000:.3g} ms", "-", None,
                   "-", None)]


def case_small(run: Runner, tmp: Path, sizes: Sizes) -> list[Figure]:
    path = write_small_csv(tmp / "small.csv")
    ours, ref = run.best([run.lossdoctor + ["check", str(path)],
                          [sys.executable, "-c", "import pandas"]], run.repeat * 3)
    out = [at_most("small log (100 epochs)", "wall time", ours.seconds, ref.seconds, 1.3, "s",
                   "import pandas")]
    ours, ref = run.best([run.lossdoctor + ["--version"],
                          [sys.executable, "-c", "import click"]], run.repeat * 3)
    out.append(at_most("lossdoctor --version", "wall time", ours.seconds, ref.seconds, 1.5, "s",
                       "import click"))
    return out


def case_sweep(run: Runner, tmp: Path, sizes: Sizes) -> list[Figure]:
    name = f"sweep of {sizes.sweep_runs:,} runs, --jobs 2"
    if "--jobs" not in run.output(run.lossdoctor + ["check", "--help"]):
        return [Figure(name, "runs per second", "not available (no check --jobs)", "-", None,
                       ">= 100 runs/s", None)]
    folder = tmp / "sweep"
    folder.mkdir()
    for i in range(sizes.sweep_runs):
        write_small_csv(folder / f"run_{i:04d}.csv", seed=i)
    took = run.best([run.lossdoctor + ["check", str(folder), "--jobs", "2"]])[0].seconds
    rate = sizes.sweep_runs / took
    return [Figure(name, "runs per second", f"{rate:.0f} runs/s ({took:.2f} s)", "-", None,
                   ">= 100 runs/s", rate >= 100)]


def case_gzip(run: Runner, tmp: Path, sizes: Sizes) -> list[Figure]:
    """A 100-epoch log gzipped with a gigabyte of blank lines after it (a 1 MB file)."""
    small = write_small_csv(tmp / "gzip-small.csv")
    path = tmp / "blank.csv.gz"
    pack = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"\n" * (1 << 20)
    with open(path, "wb") as fh:
        fh.write(pack.compress(small.read_bytes()))
        for _ in range(sizes.gzip_blank_mb):
            fh.write(pack.compress(block))
        fh.write(pack.flush())
    name = f"gzip of a 100-epoch log + {sizes.gzip_blank_mb:,} MB of blank lines"
    ours, plain = run.best([run.lossdoctor + ["check", str(path)],
                            run.lossdoctor + ["check", str(small)]])
    gunzip = run.best([[sys.executable, "-c", GUNZIP, str(path)]])[0]
    return [at_most(name, "peak RSS", ours.rss_mb, plain.rss_mb, 1.5, "MB",
                    "the same log uncompressed"),
            at_most(name, "wall time", ours.seconds, gunzip.seconds, 3.0, "s",
                    "gzip.open streamed to /dev/null")]


def case_scaling(run: Runner, tmp: Path, sizes: Sizes) -> list[Figure]:
    """Read + diagnose time of CSVs from the smallest to the largest size."""
    warm = write_small_csv(tmp / "scaling-warm.csv")
    times = []
    for n in sizes.scaling:
        path = write_big_csv(tmp / f"scale_{n}.csv", n)
        out = subprocess.run([sys.executable, "-c", SCALING, str(path), str(run.repeat),
                              str(warm)], capture_output=True, text=True, check=True,
                             env=run.env, cwd=run.cwd)
        times.append(float(out.stdout.strip().splitlines()[-1]))
        path.unlink()
    slope, top = exponents(sizes.scaling, times)
    shown = ", ".join(f"{n:.0e}: {t:.3g} s" for n, t in zip(sizes.scaling, times, strict=True))
    name = "scaling (read + diagnose)"
    return [Figure(name, "log-log exponent, all sizes", shown, "-", slope, "<= 1.1",
                   slope <= 1.1),
            Figure(name, "exponent of the top decade", "", "-", top, "<= 1.1", top <= 1.1)]


def case_monitor(run: Runner, tmp: Path, sizes: Sizes) -> list[Figure]:
    """Monitor.log in a loop of a million steps against the same loop without it."""
    n = sizes.monitor_steps
    loop = [sys.executable, str(ROOT / "benchmarks" / "monitor_loop.py")]
    bare, logged, small = [], [], []
    for _ in range(run.repeat):
        bare.append(measured(run, loop + [str(n), "bare"]))
        logged.append(measured(run, loop + [str(n), "monitor"]))
        small.append(measured(run, loop + ["1000", "monitor"]))
    base = min(b[0]["loop"] for b in bare)
    best = min(logged, key=lambda r: r[0]["loop"])[0]
    per_call = (best["loop"] - base) / n * 1e6
    name = f"Monitor, {n:,} steps"
    d_small = min(r[0]["diagnosis_1k"] for r in logged) * 1000
    d_end = min(r[0]["diagnosis_end"] for r in logged) * 1000
    rss_big, rss_small = min(r[1] for r in logged), min(r[1] for r in small)
    return [
        Figure(name, "mean cost of a log call", f"{per_call:.1f} us ({best['diagnoses']} "
               "diagnoses)", f"bare loop {base / n * 1e6:.2f} us/step", None, "<= 50 us",
               per_call <= 50),
        Figure(name, "one diagnosis at step 1,000", f"{d_small:.1f} ms", "-", None, "<= 50 ms",
               d_small <= 50),
        Figure(name, f"one diagnosis at step {n:,}", f"{d_end:.1f} ms",
               f"at step 1,000 {d_small:.1f} ms", d_end / d_small, "<= 50 ms", d_end <= 50),
        Figure(name, "peak RSS (bounded)", f"{rss_big:.0f} MB ({best['kept']} points kept)",
               f"1,000 steps {rss_small:.0f} MB", rss_big / rss_small, "<= 1.1x",
               rss_big / rss_small <= 1.1)]


def measured(run: Runner, cmd: list[str]) -> tuple[dict, float]:
    """A child's JSON output and its peak RSS in MB (from ``wait4``, as ``Runner.once``)."""
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, cwd=run.cwd, env=run.env, stdout=subprocess.PIPE,
                                stderr=err)
        assert proc.stdout is not None
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        if code:
            err.seek(0)
            raise RuntimeError(f"{' '.join(cmd)[:120]} exited {code}: "
                               f"{err.read().decode('utf-8', 'replace')[-400:]}")
    return json.loads(out.decode().strip().splitlines()[-1]), usage.ru_maxrss / 1024


def exponents(sizes: tuple[int, ...], times: list[float]) -> tuple[float, float]:
    """Least-squares slope of log(time) on log(size), and the slope of the last step."""
    xs = [math.log(n) for n in sizes]
    ys = [math.log(t) for t in times]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / \
        sum((x - mx) ** 2 for x in xs)
    return slope, (ys[-1] - ys[-2]) / (xs[-1] - xs[-2])


CASES: dict[str, Case] = {"csv": case_big_csv, "events": case_events, "small": case_small,
                          "gzip": case_gzip, "sweep": case_sweep, "scaling": case_scaling,
                          "watch": case_watch, "monitor": case_monitor,
                          "console": case_console}


def line(fig: Figure) -> str:
    status = "n/a " if fig.ok is None else "PASS" if fig.ok else "FAIL"
    ratio = "" if fig.ratio is None else f"{fig.ratio:.2f}"
    return (f"{status}  {fig.case:<28} {fig.what:<28} {fig.ours:<24} {fig.ref:<30}"
            f" {ratio:>6} (target {fig.target})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true",
                    help="small inputs: checks that the benchmark works, judges no target")
    ap.add_argument("--repeat", type=int, default=3, help="runs per command (best is kept)")
    ap.add_argument("--only", help=f"comma-separated cases of: {', '.join(CASES)}")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    wanted = args.only.split(",") if args.only else list(CASES)
    unknown = [w for w in wanted if w not in CASES]
    if unknown:
        ap.error(f"unknown case(s) {', '.join(unknown)}; known: {', '.join(CASES)}")
    print(f"lossdoctor perf: {'quick' if args.quick else 'full'} sizes, best of {args.repeat};"
          f" {os.cpu_count()} cores, Python {sys.version.split()[0]}", flush=True)
    figures: list[Figure] = []
    tmp = Path(tempfile.mkdtemp(prefix="lossdoctor-perf-"))
    try:
        runner = Runner(tmp, args.repeat)
        runner.warm_up(tmp, wanted)
        for name in wanted:
            for fig in CASES[name](runner, tmp, sizes):
                if args.quick:
                    fig.ok = None
                figures.append(fig)
                print(line(fig), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps([asdict(f) for f in figures], indent=2))
    failed = [f for f in figures if f.ok is False]
    judged = [f for f in figures if f.ok is not None]
    print(f"{len(judged) - len(failed)} of {len(judged)} judged figures met their target"
          + (f"; failed: {', '.join(f'{f.case} {f.what}' for f in failed)}" if failed else "")
          + (" (--quick: targets are judged at full size only)" if args.quick else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
