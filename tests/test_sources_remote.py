"""Remote storage through fsspec: a real HTTP server on 127.0.0.1, memory and local filesystems."""
from __future__ import annotations

import functools
import http.server
import importlib.util
import shutil
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import FORMATS, ROOT

from lossdoctor import cli, diagnose, diagnose_many
from lossdoctor.errors import LogReadError, MissingDependencyError
from lossdoctor.watch import watch

pytest.importorskip("fsspec", reason="the remote tests need fsspec (pip install -e '.[test]')")
pytest.importorskip("aiohttp", reason="fsspec's HTTP filesystem needs aiohttp")

FIXTURES = ROOT / "fixtures"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def logdir(tmp_path_factory) -> Path:
    """A logdir of several runs, as cloud training leaves one, and a checkpoint not to fetch."""
    root = tmp_path_factory.mktemp("served") / "logdir"
    for kind in ("overfitting", "plateau", "divergence"):
        (root / kind).mkdir(parents=True)
        shutil.copy(FIXTURES / f"{kind}.csv", root / kind / "metrics.csv")
    shutil.copytree(FORMATS / "mlflow" / "mlruns", root / "mlruns")
    (root / "overfitting" / "model.pt").write_bytes(bytes(1000))
    return root


@pytest.fixture(scope="module")
def served(logdir):
    """``python -m http.server`` (the standard library's) on 127.0.0.1 serving the logdir."""
    handler = functools.partial(_Quiet, directory=str(logdir.parent))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def check(*args):
    return CliRunner().invoke(cli.main, ["check", *map(str, args)])


def test_a_served_log_is_diagnosed_like_the_file(served):
    url = f"{served}/logdir/overfitting/metrics.csv"
    remote, local = diagnose(url), diagnose(FIXTURES / "overfitting.csv")
    assert remote.source == url
    assert [(d.name, d.start_step, d.message) for d in remote.diagnoses] == \
        [(d.name, d.start_step, d.message) for d in local.diagnoses]
    result = check(url)
    assert result.output.splitlines()[0].startswith(f"{url}: OVERFITTING (warning, confidence ")


def test_a_served_folder_is_a_sweep_like_the_local_one(served, logdir):
    result, local = check(f"{served}/logdir/"), check(logdir)
    rows = result.output.splitlines()
    assert rows[:-1] == local.output.splitlines()[:-1]      # the same row per run
    verdicts = {r.split()[0]: r.split()[1] for r in rows[:4]}
    assert verdicts == {"divergence/metrics.csv": "DIVERGENCE", "mlruns/1/0a1b2c3d": "NON_FINITE",
                        "overfitting/metrics.csv": "OVERFITTING",
                        "plateau/metrics.csv": "PLATEAU"}
    assert rows[-1].startswith(f"4 runs under {served}/logdir/:")
    assert result.exit_code == local.exit_code == 1
    table = diagnose_many(f"{served}/logdir")
    assert sorted(table["verdict"]) == ["divergence", "non_finite", "overfitting", "plateau"]
    assert all(p.startswith(f"{served}/logdir/") for p in table["path"])


def test_a_checkpoint_is_not_downloaded(served, logdir):
    from lossdoctor.sources import remote

    copy = remote.mirror(f"{served}/logdir")
    assert (copy / "plateau" / "metrics.csv").is_file()
    assert not (copy / "overfitting" / "model.pt").exists()


def test_missing_remote_log_is_one_line_exit_2(served):
    result = check(f"{served}/logdir/nothing.csv")
    assert result.exit_code == 2
    assert result.output == f"lossdoctor: {served}/logdir/nothing.csv: no such file or folder\n"


def test_memory_and_local_filesystems(tmp_path):
    import fsspec

    mem = fsspec.filesystem("memory")
    mem.pipe("/runs/a/log.csv", (FIXTURES / "plateau.csv").read_bytes())
    mem.pipe("/runs/b/log.csv", (FIXTURES / "learning.csv").read_bytes())
    assert diagnose("memory://runs/a/log.csv").verdict == "plateau"
    table = diagnose_many("memory://runs")
    assert dict(zip(table["run"], table["verdict"], strict=True)) == \
        {"a/log.csv": "plateau", "b/log.csv": "learning"}
    local = tmp_path / "x.csv"
    shutil.copy(FIXTURES / "divergence.csv", local)
    assert diagnose(f"file://{local}").verdict == "divergence"


@pytest.mark.parametrize("url, package, extra", [
    ("gs://bucket/run/metrics.csv", "gcsfs", "gcs"),
    ("hf://datasets/me/runs/metrics.csv", "huggingface_hub", "hf"),
])
def test_a_missing_filesystem_package_names_the_extra(url, package, extra):
    if importlib.util.find_spec(package) is not None:
        pytest.skip(f"{package} is installed")
    with pytest.raises(MissingDependencyError) as err:
        diagnose(url)
    assert f"lossdoctor[{extra}]" in str(err.value)
    result = check(url)
    assert result.exit_code == 2 and f"pip install 'lossdoctor[{extra}]'" in result.output
    assert len(result.output.strip().splitlines()) == 1


@pytest.fixture
def s3(monkeypatch):
    """moto's S3-compatible server on 127.0.0.1 (in this process), with a bucket of runs."""
    pytest.importorskip("s3fs", reason="the S3 test needs s3fs")
    server_mod = pytest.importorskip("moto.server", reason="the S3 test needs moto")
    server = server_mod.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    for key, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                       "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": endpoint,
                       "FSSPEC_S3_ENDPOINT_URL": endpoint}.items():
        monkeypatch.setenv(key, value)
    import fsspec

    fsspec.config.conf.setdefault("s3", {})["endpoint_url"] = endpoint
    fs = fsspec.filesystem("s3", skip_instance_cache=True)
    fs.mkdir("runs")
    for kind in ("overfitting", "plateau"):
        fs.pipe(f"runs/sweep/{kind}/metrics.csv", (FIXTURES / f"{kind}.csv").read_bytes())
    try:
        yield "s3://runs"
    finally:
        fsspec.config.conf["s3"].pop("endpoint_url", None)
        server.stop()


def test_s3_against_a_local_s3_compatible_server(s3):
    url = f"{s3}/sweep/plateau/metrics.csv"
    assert diagnose(url).verdict == "plateau"
    result = check(f"{s3}/sweep/")
    rows = {r.split()[0]: r.split()[1] for r in result.output.splitlines()[:2]}
    assert rows == {"overfitting/metrics.csv": "OVERFITTING", "plateau/metrics.csv": "PLATEAU"}
    missing = check(f"{s3}/sweep/nothing.csv")
    assert missing.exit_code == 2 and "no such file or folder" in missing.output


def test_watch_polls_a_served_log_that_grows(served, logdir):
    log = logdir / "live.csv"
    lines = (FIXTURES / "divergence.csv").read_text().splitlines(keepends=True)
    log.write_text("".join(lines[:40]))
    verdicts, polls = [], []

    def grow(_seconds: float) -> None:          # the trainer appends between two looks
        polls.append(1)
        if len(polls) == 1:
            log.write_text("".join(lines))
    code = watch(f"{served}/logdir/live.csv", interval=0, idle=None, sleep=grow,
                 fail_on=["divergence"], on_change=lambda c: verdicts.append(c.verdict))
    assert code == 1 and verdicts[-1] == "divergence" and len(verdicts) == 2
    assert verdicts[0] != "divergence"


def test_unknown_scheme_is_one_line(served):
    with pytest.raises(LogReadError):
        diagnose("nosuchscheme://x/y.csv")


def test_a_served_log_that_holds_urls_is_a_file_not_a_folder(served, logdir):
    import csv
    import json

    rows = list(csv.DictReader((FIXTURES / "overfitting.csv").open()))
    lines = [json.dumps({"step": int(r["epoch"]), "loss": float(r["loss"]),
                         "val_loss": float(r["val_loss"]),
                         "checkpoint": f"http://127.0.0.1/ckpt/{r['epoch']}.pt"}) for r in rows]
    (logdir.parent / "linked.jsonl").write_text("\n".join(lines) + "\n")
    result = check(f"{served}/linked.jsonl")
    assert result.output.splitlines()[0].startswith(
        f"{served}/linked.jsonl: OVERFITTING (warning, confidence ")


def test_a_server_that_is_down_is_not_a_missing_file():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = check(f"http://127.0.0.1:{port}/logs/metrics.csv")
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert "Cannot connect to host" in result.output and "no such file" not in result.output


def test_without_fsspec_the_message_names_the_remote_extra(tmp_path):
    import subprocess
    import sys

    # fsspec made unimportable in a fresh interpreter: what a plain `pip install lossdoctor` sees
    code = ("import sys; sys.modules['fsspec'] = None\n"
            "from lossdoctor.cli import main\n"
            "main(['check', 'https://example.invalid/run/metrics.csv'])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == ("lossdoctor: https://example.invalid/run/metrics.csv: reading "
                           "https:// needs fsspec (pip install 'lossdoctor[remote]')\n")
