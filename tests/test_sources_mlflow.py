"""MLflow databases and tracking servers, made by the real mlflow package and read back."""
from __future__ import annotations

import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import ROOT

from lossdoctor import cli, diagnose, diagnose_many
from lossdoctor.errors import LogReadError, UsageError

pytest.importorskip("mlflow", reason="the MLflow tests need mlflow (pip install -e '.[test]')")
#: the stores are written by the real mlflow (~20 s, once) and a real server is started
pytestmark = pytest.mark.slow

FIXTURES = ROOT / "fixtures"
#: run name -> (experiment, the fixture whose curves it logs)
RUNS = {"wide-lr": ("search", "overfitting"), "slow": ("search", "plateau"),
        "nan-run": ("search", "non_finite"), "base": ("baseline", "learning")}

WRITER = r"""
import csv, math, sys
import mlflow
uri, fixtures, runs = sys.argv[1], sys.argv[2], eval(sys.argv[3])
mlflow.set_tracking_uri(uri)
for name, (experiment, kind) in runs.items():
    mlflow.set_experiment(experiment)
    with mlflow.start_run(run_name=name):
        with open(f"{fixtures}/{kind}.csv") as fh:
            for row in csv.DictReader(fh):
                mlflow.log_metrics({k: float(v) for k, v in row.items() if k != "epoch"},
                                   step=int(row["epoch"]))
        if kind == "non_finite":
            mlflow.log_metric("val_loss", math.inf, step=100)
mlflow.set_experiment("search")
with mlflow.start_run(run_name="accuracy-only"):
    for s in range(20):
        mlflow.log_metric("accuracy", s / 20, step=s)
with mlflow.start_run(run_name="deleted") as run:
    mlflow.log_metric("loss", 1.0, step=0)
mlflow.delete_run(run.info.run_id)
"""


def _write(uri: str, cwd: Path) -> None:
    env = {**os.environ, "MLFLOW_ALLOW_FILE_STORE": "true", "MLFLOW_TRACKING_URI": ""}
    done = subprocess.run([sys.executable, "-c", WRITER, uri, str(FIXTURES), repr(RUNS)],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.fixture(scope="module")
def stores(tmp_path_factory) -> Path:
    """mlflow.db (MLflow 3's default store) and ./mlruns (the file store), same runs."""
    root = tmp_path_factory.mktemp("mlflow")
    _write("sqlite:///mlflow.db", root)
    _write(f"file:{root / 'mlruns'}", root)
    return root


def check(*args, env=None):
    return CliRunner(env=env).invoke(cli.main, ["check", *map(str, args)])


def _file_run(stores: Path, name: str) -> Path:
    """The file store's folder of the run with this name."""
    for tag in (stores / "mlruns").glob("*/*/tags/mlflow.runName"):
        if tag.read_text().strip() == name:
            return tag.parent.parent
    raise AssertionError(name)


def _same_report(a, b):
    assert a.verdict == b.verdict
    assert [(d.name, d.start_step, d.end_step, d.message) for d in a.diagnoses] == \
        [(d.name, d.start_step, d.end_step, d.message) for d in b.diagnoses]


def test_sweep_of_a_database_lists_every_live_run(stores):
    result = check(stores / "mlflow.db")
    rows = result.output.splitlines()
    assert result.exit_code == 1, result.output          # non_finite is an error
    named = {r.split()[0] for r in rows if r.startswith(("search/", "baseline/"))}
    assert named == {"search/wide-lr", "search/slow", "search/nan-run", "baseline/base"}
    verdicts = {r.split()[0]: r.split()[2] for r in rows if r.startswith(("search/", "baseline"))}
    assert verdicts == {"search/wide-lr": "OVERFITTING", "search/slow": "PLATEAU",
                        "search/nan-run": "NON_FINITE", "baseline/base": "LEARNING"}
    assert "4 runs under" in result.output
    assert "deleted" not in result.output                 # deleted runs are left out
    assert "accuracy-only" in result.output               # named in the skipped note


@pytest.mark.parametrize("name", list(RUNS))
def test_each_run_agrees_with_the_file_store_and_the_csv(stores, name):
    db = stores / "mlflow.db"
    from_db = diagnose(db, run=name)
    from_files = diagnose(_file_run(stores, name))
    _same_report(from_db, from_files)
    from_csv = diagnose(FIXTURES / f"{RUNS[name][1]}.csv")
    assert from_db.verdict == from_csv.verdict == RUNS[name][1]
    assert from_db.source.startswith(str(db)) and name in from_db.source


def test_one_run_prints_its_full_report(stores):
    result = check(f"sqlite:///{stores / 'mlflow.db'}", "--run", "wide-lr")
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert "OVERFITTING (warning, confidence " in first and "search/wide-lr (" in first
    assert "what to do:" in result.output and "curves:" in result.output


def test_experiment_narrows_and_a_run_id_prefix_names_a_run(stores):
    result = check(stores / "mlflow.db", "--experiment", "baseline")
    assert result.exit_code == 0 and "LEARNING" in result.output.splitlines()[0]
    run_id = diagnose_many(stores / "mlflow.db", run="slow")["run"][0].split("(")[1][:8]
    result = check(stores / "mlflow.db", "--run", run_id)
    assert "PLATEAU" in result.output.splitlines()[0]


def test_nan_and_infinity_are_kept(stores):
    from lossdoctor import read_log

    frame = read_log(stores / "mlflow.db", run="nan-run")
    test = frame[frame["split"] == "test"]
    assert test["value"].isna().any()
    assert test.loc[test["step"] == 100, "value"].tolist() == [float("inf")]


def test_diagnose_many_and_a_multi_run_report(stores):
    table = diagnose_many(stores / "mlflow.db", experiment="search")
    assert sorted(table["verdict"].dropna()) == ["non_finite", "overfitting", "plateau"]
    report = diagnose(stores / "mlflow.db")
    assert sorted(r.verdict for r in report.runs) == \
        ["learning", "non_finite", "overfitting", "plateau"]


@pytest.mark.parametrize("args, says", [
    (["--run", "nope"], "no run 'nope' here"),
    (["--experiment", "serach"], "did you mean 'search'?"),
])
def test_unknown_names_are_one_line_exit_2(stores, args, says):
    result = check(stores / "mlflow.db", *args)
    assert result.exit_code == 2
    assert says in result.output and len(result.output.strip().splitlines()) == 1


def test_other_sqlite_files_and_bad_uris(tmp_path):
    import sqlite3

    other = tmp_path / "app.db"
    sqlite3.connect(other).execute("CREATE TABLE users (name TEXT)").connection.commit()
    with pytest.raises(LogReadError, match="not an MLflow store"):
        diagnose(f"sqlite:///{other}")
    with pytest.raises(LogReadError, match="no such file"):
        diagnose(f"sqlite:///{tmp_path / 'missing.db'}")
    with pytest.raises(UsageError, match="--experiment selects runs"):
        diagnose_many([FIXTURES / "plateau.csv"], experiment="x")
    result = check(FIXTURES / "plateau.csv", "--run", "x")
    assert result.exit_code == 2 and "--experiment/--run select runs" in result.output


# ---------------------------------------------------------------- a real tracking server

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(stores):
    """`mlflow server` on 127.0.0.1 over a copy of the test database, stopped afterwards."""
    import shutil

    db = stores / "server.db"
    shutil.copy(stores / "mlflow.db", db)
    port = _free_port()
    mlflow_cli = Path(sys.executable).with_name("mlflow")
    proc = subprocess.Popen([str(mlflow_cli), "server", "--backend-store-uri", f"sqlite:///{db}",
                             "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
                            cwd=stores, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(url + "/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert proc.poll() is None, "mlflow server stopped"
            assert time.monotonic() < deadline, "mlflow server did not start in 120 s"
            time.sleep(0.5)
        yield url
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)


def test_server_agrees_with_the_database(stores, server):
    result = check("--tracking-uri", server)
    from_db = check(stores / "mlflow.db")
    assert result.exit_code == from_db.exit_code == 1
    rows = sorted(result.output.splitlines()[:4])
    assert rows == sorted(from_db.output.splitlines()[:4])
    assert f"4 runs under {server}:" in result.output
    for name in RUNS:
        _same_report(diagnose(f"mlflow+{server}", run=name),
                     diagnose(stores / "mlflow.db", run=name))


def test_server_from_the_environment_pages_through_long_histories(stores, server,
                                                                  monkeypatch):
    from lossdoctor.sources import mlflow_rest

    # pages of 7 points and of 1 run: the real server's paging, over many requests
    monkeypatch.setattr(mlflow_rest, "HISTORY_PAGE", 7)
    monkeypatch.setattr(mlflow_rest, "PAGE", 1)
    result = check("--run", "nan-run", env={"MLFLOW_TRACKING_URI": server})
    assert "NON_FINITE (error, confidence " in result.output.splitlines()[0]
    _same_report(diagnose(f"mlflow+{server}", run="wide-lr"),
                 diagnose(stores / "mlflow.db", run="wide-lr"))


def test_unreachable_server_is_one_line_exit_2():
    result = check("--tracking-uri", f"http://127.0.0.1:{_free_port()}")
    assert result.exit_code == 2
    assert "cannot reach the MLflow tracking server" in result.output
    assert len(result.output.strip().splitlines()) == 1


class _Refuse(http.server.BaseHTTPRequestHandler):
    """A server that wants credentials (an MLflow server behind basic auth answers so)."""

    def _answer(self) -> None:
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="mlflow"')
        self.end_headers()
        self.wfile.write(json.dumps({"error_code": "UNAUTHENTICATED"}).encode())

    do_GET = do_POST = _answer

    def log_message(self, *args) -> None:
        pass


def test_auth_failure_is_one_line_exit_2():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Refuse)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}"
        result = check("--tracking-uri", url)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert result.exit_code == 2
    assert "refused access (HTTP 401)" in result.output and "MLFLOW_TRACKING_TOKEN" in \
        result.output


def test_a_project_folder_sweep_finds_the_database_runs(stores, tmp_path):
    import shutil
    import sqlite3

    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(stores / "mlflow.db", project / "mlflow.db")
    shutil.copy(FIXTURES / "plateau.csv", project / "metrics.csv")
    sqlite3.connect(project / "cache.db").execute("CREATE TABLE t (x)").connection.commit()
    result = check(project)
    names = sorted(r.split()[0] for r in result.output.splitlines() if r.startswith(("m", "c")))
    assert names == ["metrics.csv", "mlflow.db/baseline/base", "mlflow.db/search/nan-run",
                     "mlflow.db/search/slow", "mlflow.db/search/wide-lr"]
    assert "cache.db" not in result.output and "5 runs under" in result.output


def test_watch_follows_a_database_file_and_its_sqlite_address(stores):
    """watch reads mlflow.db through Tail (a database is copied whole, never cut at a
    newline byte); sqlite:/// is that file; a tracking server is a usage error."""
    from lossdoctor.tailing import complete_lines
    from lossdoctor.watch import watch

    data = (stores / "mlflow.db").read_bytes()
    assert complete_lines(data) == data
    for target in (str(stores / "mlflow.db"), f"sqlite:///{stores / 'mlflow.db'}"):
        changes: list = []
        assert watch(target, idle=0, on_change=changes.append, run="wide-lr") == 0
        assert [c.verdict for c in changes] == ["overfitting"]
    result = CliRunner().invoke(cli.main, ["watch", "mlflow+http://127.0.0.1:9", "--idle", "0"])
    assert result.exit_code == 2 and "not a tracking server" in result.stderr
