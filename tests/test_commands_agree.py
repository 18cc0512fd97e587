"""Every command and the API give the same verdict for the same log and settings.

Settings are merged once (config.settle): a config file in the working folder, the options
shared by check, compare, plot and watch, and the API's keyword arguments.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import lossdoctor
from lossdoctor import cli
from lossdoctor.api import compare
from lossdoctor.errors import UsageError
from lossdoctor.watch import watch

ROOT = Path(__file__).resolve().parents[1]
LEARNING = str(ROOT / "fixtures" / "learning.csv")
BASELINE = str(ROOT / "fixtures" / "overfitting.csv")
#: a flat share this high makes every falling window "flat": learning.csv becomes a plateau
FLAT = "[thresholds]\nflat-share = 1.0\n"


def invoke(*args: str):
    return CliRunner().invoke(cli.main, [*map(str, args)])


def verdicts_of_every_command(tmp_path: Path) -> dict[str, str]:
    """The verdict each command and API entry point gives for learning.csv, run in cwd."""
    out = {}
    out["check"] = json.loads(invoke("check", LEARNING, "--format", "json").stdout)["verdict"]
    result = invoke("compare", LEARNING, "--baseline", BASELINE, "--format", "json")
    out["compare"] = json.loads(result.stdout)["run"]["verdict"]
    result = invoke("plot", LEARNING, "-o", tmp_path / "plot.svg")
    assert result.exit_code == 0, result.output
    out["plot"] = re.search(r"\((\w+)\)$", result.stdout.strip()).group(1)
    result = invoke("watch", LEARNING, "--idle", "0")
    assert result.exit_code == 0, result.output
    out["watch"] = re.search(r"\] step \S+ (\w+) \(", result.stdout).group(1).lower()
    out["diagnose"] = lossdoctor.diagnose(LEARNING).verdict
    out["diagnose_many"] = lossdoctor.diagnose_many([LEARNING])["verdict"].iloc[0]
    out["compare()"] = compare(LEARNING, BASELINE).report.verdict
    changes: list = []
    watch(LEARNING, idle=0, on_change=changes.append)
    out["watch()"] = changes[-1].verdict
    return out


@pytest.mark.slow
def test_a_config_in_the_working_folder_changes_every_command_alike(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    monkeypatch.chdir(tmp_path)
    assert set(verdicts_of_every_command(tmp_path).values()) == {"learning"}
    (tmp_path / "lossdoctor.toml").write_text(FLAT)
    assert set(verdicts_of_every_command(tmp_path).values()) == {"plateau"}
    # config=False (the API) and --isolated (the commands) read no file
    assert lossdoctor.diagnose(LEARNING, config=False).verdict == "learning"
    data = json.loads(invoke("check", LEARNING, "--isolated", "--format", "json").stdout)
    assert data["verdict"] == "learning"


def test_an_explicit_config_path_and_keyword_arguments_beat_the_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    own = tmp_path / "elsewhere.toml"
    own.write_text(FLAT)
    assert lossdoctor.diagnose(LEARNING).verdict == "learning"
    assert lossdoctor.diagnose(LEARNING, config=own).verdict == "plateau"
    assert json.loads(invoke("compare", LEARNING, "--baseline", BASELINE, "--config", own,
                             "--format", "json").stdout)["run"]["verdict"] == "plateau"
    (tmp_path / "lossdoctor.toml").write_text("ignore = ['overfitting']\n")
    assert lossdoctor.diagnose(BASELINE).verdict != "overfitting"
    assert lossdoctor.diagnose(BASELINE, ignore=["plateau"]).verdict == "overfitting"


def test_read_log_reads_the_config_file_too(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lossdoctor.toml").write_text("test-col = 'loss'\n")     # not val_loss
    frame = lossdoctor.read_log(BASELINE)
    test = frame[frame["split"] == "test"]
    assert set(test["metric"]) == {"loss"}
    assert set(lossdoctor.read_log(BASELINE, config=False)
               .query("split == 'test'")["metric"]) == {"val_loss"}


@pytest.mark.parametrize("command", [["check"], ["compare", "--baseline", BASELINE],
                                     ["watch", "--idle", "0"]])
def test_fail_on_is_validated_alike_by_every_command(command):
    result = invoke(command[0], LEARNING, *command[1:], "--fail-on", "overfiting")
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.strip() == ("lossdoctor: --fail-on: unknown value 'overfiting' "
                                     "(did you mean 'overfitting'?)")


@pytest.mark.parametrize("command", ["check", "compare", "plot", "watch"])
def test_selection_and_input_options_are_shared(command):
    """--select/--ignore/--input-format/--segments/--config exist and are checked alike."""
    extra = {"compare": ["--baseline", BASELINE], "plot": ["-o", "x.svg"],
             "watch": ["--idle", "0"]}.get(command, [])
    for option, value, expected in [("--select", "LD9", "--select: unknown diagnosis 'LD9'"),
                                    ("--input-format", "keras", "--input-format: unknown input"
                                                                " format 'keras'"),
                                    ("--ignore", "overfit", "--ignore: unknown diagnosis")]:
        result = invoke(command, LEARNING, *extra, option, value)
        assert result.exit_code == 2, (option, result.output)
        assert expected in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_api_errors_name_keyword_arguments_and_the_cli_names_flags(tmp_path):
    with pytest.raises(UsageError, match=r"^select: unknown diagnosis 'overfiting'"):
        lossdoctor.diagnose(LEARNING, select=["overfiting"])
    with pytest.raises(UsageError, match="segments: expected"):
        lossdoctor.diagnose(LEARNING, segments="first")
    with pytest.raises(UsageError, match=r"train=/test="):
        lossdoctor.diagnose(LEARNING, train=LEARNING)
    wide = tmp_path / "two.csv"
    wide.write_text("step,loss,train_loss\n" + "".join(f"{i},{1 / (i + 1)},{1 / (i + 2)}\n"
                                                       for i in range(20)))
    with pytest.raises(lossdoctor.errors.ColumnError, match="train_col="):
        lossdoctor.diagnose(wide)
    line = invoke("check", wide).stderr
    assert "choose one with --train-col" in line and "train_col" not in line


def test_diagnose_of_a_folder_of_runs_is_the_sweep(tmp_path):
    for i in (10, 2, 1):
        shutil.copy(LEARNING if i != 2 else BASELINE, tmp_path / f"run{i}.csv")
    report = lossdoctor.diagnose(tmp_path)
    assert report.sweep and [r.run for r in report.runs] == ["run1.csv", "run2.csv",
                                                             "run10.csv"]
    assert report.counts() == {"learning": 2, "overfitting": 1}
    table = lossdoctor.diagnose_many(tmp_path)
    assert table["run"].tolist() == ["run1.csv", "run2.csv", "run10.csv"]
    best = lossdoctor.diagnose(BASELINE).main.context.test.summary
    row = table.iloc[1]
    assert (row.best_test_loss, row.best_test_step) == (best.min_value, best.min_step)
    text = invoke("check", tmp_path).stdout
    assert [ln.split()[0] for ln in text.splitlines()[:3]] == ["run1.csv", "run2.csv",
                                                               "run10.csv"]
    data = json.loads(invoke("check", tmp_path, "--format", "json").stdout)
    assert data["runs"][1]["best_test"] == {"value": best.min_value, "step": best.min_step}
    # the whole message, not the table's shortened one, in json and markdown
    message = data["runs"][1]["diagnoses"][0]["message"]
    markdown = invoke("check", tmp_path, "--format", "markdown").stdout
    assert len(message) > 100
    assert message in markdown.replace("\\|", "|").replace("&gt;", ">").replace("&lt;", "<")


def test_repr_of_a_report_is_one_line():
    report = lossdoctor.diagnose(BASELINE)
    text = repr(report)
    assert "\n" not in text and len(text) < 200 and "overfitting" in text
    assert "array" not in repr(report.runs) and len(repr(report.runs)) < 300


def test_a_multi_run_log_starts_with_a_summary_and_says_each_action_once(tmp_path):
    log = tmp_path / "train_loss.csv"        # two value columns: two runs of the train loss
    log.write_text("step,run_a,run_b\n" + "".join(
        f"{s},{2 / (1 + s / 5) + 0.3:.4f},{2.5 / (1 + s / 6) + 0.3:.4f}\n" for s in range(60)))
    result = invoke("check", log, "--isolated")
    report = lossdoctor.diagnose(log, config=False)
    assert len(report.runs) == 2 and {r.verdict for r in report.runs} == {report.verdict}
    actions = report.main.primary.actions
    first = result.stdout.splitlines()[0]
    assert first == (f"{log}: 2 runs: 2 {report.verdict}; the most urgent is run "
                     f"{report.main.run} ({report.verdict})")
    assert actions and all(result.stdout.count(a) == 1 for a in actions)
    assert "what to do: as above" in result.stdout


def test_unknown_command_suggests_the_close_one():
    result = invoke("chek", LEARNING)
    assert result.exit_code == 2
    assert "No such command 'chek'. Did you mean 'check'?" in result.stderr


def test_formats_lists_every_parser_and_output_format():
    from lossdoctor.formatters import names
    from lossdoctor.parsers import PARSERS

    data = json.loads(invoke("formats", "--format", "json").stdout)
    assert [f["name"] for f in data["input"]] == sorted(PARSERS)
    assert all(f["reads"] and f["detected"] and f["detected"] != "its content"
               for f in data["input"])
    assert [f["name"] for f in data["output"]] == names()
    assert "lossdoctor formats" in invoke("check", "--help").stdout


def test_every_command_is_found_without_a_list():
    """No list names the commands: a fresh interpreter finds each one by name (the module
    named like it, else every command module), imports only that module when it can, and
    the help lists every command any module of the package registers."""
    import importlib
    import pkgutil
    import subprocess
    import sys

    from lossdoctor.cli.registry import COMMANDS

    for mod in pkgutil.iter_modules(cli.__path__):
        importlib.import_module(f"lossdoctor.cli.{mod.name}")
    code = ("import sys, click\nfrom lossdoctor.cli import main\n"
            "for name in sys.argv[1:]:\n"
            "    print(main.get_command(click.Context(main), name).callback.__module__,"
            " sorted(m for m in sys.modules if m.startswith('lossdoctor.cli.')))\n")
    found = subprocess.run([sys.executable, "-c", code, "check", "explain"],
                           capture_output=True, text=True, check=True).stdout.splitlines()
    assert found[0] == ("lossdoctor.cli.check ['lossdoctor.cli.check', 'lossdoctor.cli.console',"
                        " 'lossdoctor.cli.options', 'lossdoctor.cli.registry']")
    assert found[1].startswith("lossdoctor.cli.rules ")
    listed = invoke("--help").stdout
    assert {"check", "explain", "rules"} <= set(COMMANDS)
    assert all(re.search(rf"^  {name}\b", listed, re.M) for name in COMMANDS), listed


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.0, 0.2, 1.5])
def test_ctrl_c_stops_watch_with_exit_0_at_any_moment(tmp_path, delay):
    """While still importing (0 s after start), while starting, and while following."""
    import signal
    import subprocess
    import sys
    import time

    code = ("import sys, lossdoctor.launch as launch; sys.stderr.write('up\\n');"
            " sys.stderr.flush(); launch.main()")
    proc = subprocess.Popen([sys.executable, "-c", code, "watch", LEARNING, "--interval", "0.1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stderr.readline() == "up\n"          # the interpreter itself has started
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, (delay, out, err)
    assert "Aborted" not in err and "Traceback" not in err


def test_the_console_script_exits_with_the_collector_frozen_and_its_output_whole():
    """The console script freezes the collector once the command is done (the interpreter's
    exit then skips walking every object): the report, the exit code and the atexit
    handlers are as ``lossdoctor check`` in-process gives them."""
    import subprocess
    import sys

    code = ("import atexit, gc, sys, lossdoctor.launch as launch\n"
            "atexit.register(lambda: sys.stderr.write(f'frozen {gc.get_freeze_count() > 0}'))\n"
            "launch.main()\n")
    proc = subprocess.run([sys.executable, "-c", code, "check", LEARNING], capture_output=True,
                          text=True, timeout=60)
    expected = CliRunner().invoke(cli.main, ["check", LEARNING])
    assert (proc.returncode, proc.stdout) == (expected.exit_code, expected.stdout)
    assert proc.stderr == "frozen True"


def test_html_on_a_terminal_is_written_to_a_file_and_said(tmp_path, monkeypatch, capsys):
    import sys

    from lossdoctor.cli.console import emit

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    emit("<html>page</html>", None, False, "html", "runs/overfitting.csv")
    assert capsys.readouterr().out == "wrote overfitting.lossdoctor.html (open it in a browser)\n"
    assert (tmp_path / "overfitting.lossdoctor.html").read_text() == "<html>page</html>\n"
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False, raising=False)
    emit("<html>page</html>", None, False, "html", "runs/overfitting.csv")
    assert capsys.readouterr().out == "<html>page</html>\n"      # a pipe gets the page


@pytest.mark.slow
def test_a_folder_holding_one_log_is_read_alike_by_every_command(tmp_path, monkeypatch):
    """check and diagnose() find the one log in a folder; compare, plot and watch did not
    ("no known format in this folder")."""
    pytest.importorskip("matplotlib")
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "run"
    folder.mkdir()
    shutil.copy(LEARNING, folder / "training_log.csv")
    assert json.loads(invoke("check", folder, "--format", "json").stdout)["verdict"] == \
        "learning"
    assert lossdoctor.diagnose(folder).verdict == "learning"
    result = invoke("compare", folder, "--baseline", folder, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["run"]["verdict"] == "learning"
    assert compare(folder, BASELINE).report.verdict == "learning"
    result = invoke("plot", folder, "-o", tmp_path / "plot.svg")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("(learning)")
    result = invoke("watch", folder, "--idle", "0")
    assert result.exit_code == 0, result.output
    assert re.search(r"\] step \S+ LEARNING \(", result.stdout), result.output


def test_the_config_fail_on_is_the_reports_exit_code_as_it_is_checks(tmp_path, monkeypatch):
    """`sys.exit(diagnose(log).exit_code())` in a CI script and `lossdoctor check log` agree
    when the config file sets fail-on; an explicit fail_on still wins."""
    from lossdoctor.formatters import render

    monkeypatch.chdir(tmp_path)
    (tmp_path / "lossdoctor.toml").write_text('fail-on = ["warning"]\n')
    assert invoke("check", BASELINE).exit_code == 1          # overfitting is a warning
    report = lossdoctor.diagnose(BASELINE)
    assert report.exit_code() == 1 and report.failing()
    assert report.exit_code(["error"]) == 0
    for i in (1, 2):
        shutil.copy(BASELINE if i == 1 else LEARNING, tmp_path / f"run{i}.csv")
    assert invoke("check", tmp_path).exit_code == lossdoctor.diagnose(tmp_path).exit_code() == 1
    assert lossdoctor.diagnose(BASELINE, config=False).exit_code() == 0
    (tmp_path / "lossdoctor.toml").write_text('fail-on = ["warning"]\n')
    xml = render(lossdoctor.diagnose(BASELINE), "junit")
    assert 'failures="1"' in xml
    assert invoke("check", BASELINE, "--format", "junit").stdout.rstrip() == xml.rstrip()


def test_the_package_init_imports_nothing_before_watch_can_catch_ctrl_c():
    """The console script imports ``lossdoctor`` before ``launch`` sets watch's Ctrl-C
    handler: whatever the package's ``__init__`` imports (typing took 12 ms) is a window in
    which Ctrl-C is a KeyboardInterrupt traceback and exit 1. It imports only its own leaf
    modules, and ``launch`` only signal and gc."""
    import subprocess
    import sys

    code = ("import json, sys; before = set(sys.modules); import lossdoctor.launch;"
            " print(json.dumps(sorted(set(sys.modules) - before)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, cwd=ROOT).stdout
    new = set(json.loads(out))
    assert {m for m in new if not m.startswith("lossdoctor")} <= {"signal", "gc"}, new


def test_compare_of_a_folder_of_several_runs_asks_for_one(tmp_path):
    """A sweep's most urgent run is no baseline (nor the run meant): compare says so."""
    for i in (1, 2):
        shutil.copy(LEARNING if i == 1 else BASELINE, tmp_path / f"run{i}.csv")
    for args in ([tmp_path, "--baseline", LEARNING], [LEARNING, "--baseline", tmp_path]):
        result = invoke("compare", *args)
        assert result.exit_code == 2, result.output
        assert result.stdout == ""
        assert "a folder of 2 runs; compare takes one run (run1.csv, run2.csv)" in \
            result.stderr, result.stderr
    with pytest.raises(UsageError, match="a folder of 2 runs"):
        compare(tmp_path, LEARNING)


def test_a_config_files_errors_name_its_keys_and_the_options_errors_their_flags(
        tmp_path, monkeypatch):
    """`select` in lossdoctor.toml is not `--select`; `--format htm` is not `format`."""
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "lossdoctor.toml"
    for text, said in [('select = ["overfiting"]\n', "select: unknown diagnosis"),
                       ('segments = "first"\n', "segments: expected"),
                       ('format = "htm"\n', "format: unknown output format 'htm'")]:
        config.write_text(text)
        result = invoke("check", LEARNING)
        assert result.exit_code == 2
        assert result.stderr.startswith(f"lossdoctor: {config}: {said}"), result.stderr
    config.unlink()
    result = invoke("check", LEARNING, "--format", "htm")
    assert result.exit_code == 2
    assert result.stderr.startswith("lossdoctor: --format: unknown output format 'htm'"), \
        result.stderr


def test_every_command_line_a_help_text_cites_runs():
    """A help that says "see `lossdoctor formats --output`" names a command that works."""
    from lossdoctor.cli.registry import COMMANDS

    invoke("--help")                    # loads every command module
    cited = set()
    for name in list(COMMANDS):
        cited |= set(re.findall(r"`lossdoctor ([^`]+)`", invoke(name, "--help").stdout))
    assert cited
    for line in sorted(cited):
        result = invoke(*line.split())
        assert result.exit_code == 0, (line, result.output)


def test_a_log_load_parsed_is_diagnosed_as_its_file_is():
    """``diagnose(api.load(path))`` (a LossLog, as the tests and the watch hold one) is the
    report of the file (it raised a TypeError from deep inside); train=/test= files beside
    it are refused."""
    from lossdoctor.api import load

    for path in (LEARNING, BASELINE):
        assert lossdoctor.diagnose(load(path), config=False).to_dict() == \
            lossdoctor.diagnose(path, config=False).to_dict()
    with pytest.raises(UsageError, match="not both"):
        lossdoctor.diagnose(load(LEARNING), train=LEARNING, config=False)
