"""lossdoctor as a CI gate: exit codes, rule selection, several logs, `rules`/`explain`,
the pre-commit hook as declared, and the README's GitHub Actions example as written."""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from lossdoctor import cli
from lossdoctor.config import parse_table
from lossdoctor.rules import RULES

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "fixtures"
BIN = Path(sys.executable).parent          # where pip put the `lossdoctor` script


def invoke(*args: str):
    return CliRunner().invoke(cli.main, [*map(str, args)])


def check(*args: str):
    return invoke("check", "--isolated", *args)


def fixture(name: str) -> str:
    return str(FIX / f"{name}.csv")


def codes(result) -> list[str]:
    data = json.loads(result.stdout)
    return [d["code"] for d in data["diagnoses"]]


# ---------------------------------------------------------------- exit codes and selection


@pytest.mark.parametrize("args, code", [
    (["learning"], 0),
    (["overfitting"], 0),                                   # a warning: below --fail-on error
    (["overfitting", "--fail-on", "warning"], 1),
    (["overfitting", "--fail-on", "LD201"], 1),             # a code
    (["overfitting", "--fail-on", "overfitting"], 1),       # a name
    (["overfitting", "--fail-on", "divergence"], 0),        # only that diagnosis
    (["divergence"], 1),
    (["divergence", "--exit-zero"], 0),
    (["divergence", "--ignore", "LD3"], 0),                 # a prefix: the whole family
    (["divergence", "--ignore", "divergence,non_finite"], 0),
    (["divergence", "--select", "LD2"], 0),
    (["divergence", "--select", "LD301"], 1),
])
def test_exit_codes(args, code):
    assert check(fixture(args[0]), *args[1:]).exit_code == code


def test_select_and_ignore_by_code_prefix_and_name():
    assert set(codes(check(fixture("divergence"), "--format", "json", "--select", "LD3"))) \
        <= {"LD301", "LD302", "LD303"}
    assert codes(check(fixture("divergence"), "--format", "json", "--select", "non_finite")) \
        == ["LD303"]
    assert "LD303" not in codes(check(fixture("divergence"), "--format", "json",
                                      "--ignore", "LD303"))


@pytest.mark.parametrize("args, hint", [
    (["--select", "overfit"], "did you mean 'overfitting'?"),
    (["--ignore", "LD9"], "unknown diagnosis 'LD9'"),
    (["--fail-on", "eror"], "did you mean 'error'?"),
    (["--format", "markdwn"], "did you mean 'markdown'?"),
])
def test_usage_errors_exit_2_never_1(args, hint):
    result = check(fixture("divergence"), *args)      # a log with findings: still 2, not 1
    assert result.exit_code == 2 and result.stdout == ""
    assert hint in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_exit_zero_does_not_hide_an_unusable_log(tmp_path):
    bad = tmp_path / "empty.csv"
    bad.write_text("")
    assert check(str(bad), "--exit-zero").exit_code == 2


# ---------------------------------------------------------------- several logs


def test_several_logs_exit_with_the_worst():
    assert check(fixture("learning"), fixture("overfitting")).exit_code == 0
    result = check(fixture("learning"), fixture("divergence"))
    assert result.exit_code == 1
    assert result.stdout.count("LEARNING") == 1 and result.stdout.count("DIVERGENCE") == 1


def test_several_logs_one_unusable_still_reports_the_others(tmp_path):
    bad = tmp_path / "broken.csv"
    bad.write_text("not,a\nlog,at all\n")
    result = check(fixture("overfitting"), str(bad), fixture("divergence"))
    assert result.exit_code == 2
    assert "OVERFITTING" in result.stdout and "DIVERGENCE" in result.stdout
    assert result.stderr.count("\n") == 1 and "broken.csv" in result.stderr


def test_single_log_errors_are_unchanged(tmp_path):
    result = check(str(tmp_path / "missing.csv"))
    assert result.exit_code == 2 and result.stdout == ""
    assert "missing.csv" in result.stderr


def test_several_logs_with_train_test_pair_is_a_usage_error():
    result = check(fixture("learning"), fixture("plateau"), "--train", fixture("learning"))
    assert result.exit_code == 2 and "not both" in result.stderr


# ---------------------------------------------------------------- rules and explain


def test_rules_lists_every_diagnosis_from_the_registry():
    result = invoke("rules")
    assert result.exit_code == 0
    for r in RULES.values():
        line = next(x for x in result.stdout.splitlines() if x.startswith(r.code))
        assert r.name in line and r.severity.label in line
        assert f"trend: {r.condition}" in result.stdout
        assert r.summary in result.stdout
    data = json.loads(invoke("rules", "--format", "json").stdout)
    assert [d["code"] for d in data] == sorted(RULES)
    assert all(d["what_to_do"] and d["condition"] for d in data)


@pytest.mark.parametrize("key", ["overfitting", "LD201", "ld201"])
def test_explain_by_name_or_code(key):
    result = invoke("explain", key)
    assert result.exit_code == 0
    assert result.stdout.startswith("LD201 overfitting (default severity: warning)")
    assert RULES["LD201"].doc in result.stdout
    assert RULES["LD201"].condition in result.stdout


def test_explain_unknown_says_did_you_mean():
    result = invoke("explain", "platau")
    assert result.exit_code == 2 and "did you mean 'plateau'?" in result.stderr
    assert result.stdout == ""


# ---------------------------------------------------------------- pre-commit hook


def _hook() -> dict:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    (hook,) = [h for h in hooks if h["id"] == "lossdoctor"]
    return hook


def _env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", **extra}
    env.pop("NO_COLOR", None)
    return env


@pytest.mark.slow
def test_pre_commit_hook_as_declared(tmp_path):
    hook = _hook()
    assert hook["language"] == "python" and hook["pass_filenames"] is True
    files = re.compile(hook["files"])
    staged = {"runs/good/metrics.csv": "learning", "runs/bad/training_log.csv": "divergence",
              "runs/meh/val_loss.csv": "overfitting"}
    for rel, name in staged.items():
        (tmp_path / rel).parent.mkdir(parents=True)
        shutil.copy(fixture(name), tmp_path / rel)
        assert files.search(rel), rel
    for unrelated in ("src/train.py", "data/train.csv", "README.md"):
        assert not files.search(unrelated), unrelated

    def run_hook(*names: str) -> subprocess.CompletedProcess:
        cmd = [*shlex.split(hook["entry"]), *hook.get("args", []), *names]
        return subprocess.run(cmd, cwd=tmp_path, env=_env(), capture_output=True, text=True,
                              timeout=120)

    ok = run_hook("runs/good/metrics.csv", "runs/meh/val_loss.csv")
    assert ok.returncode == 0, ok.stderr
    assert "runs/good/metrics.csv: LEARNING" in ok.stdout
    bad = run_hook(*staged)
    assert bad.returncode == 1, bad.stderr
    assert "runs/bad/training_log.csv: DIVERGENCE" in bad.stdout


# ---------------------------------------------------------------- the README


def _readme_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## Use in CI")
    return text[start:text.index("\n## ", start + 1)]


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", _readme_section(), re.S)


def test_readme_config_example_is_valid():
    tomllib = pytest.importorskip("tomllib")      # Python 3.11+ (the tomli backport on 3.10)

    (toml_text,) = _blocks("toml")
    settings = parse_table(tomllib.loads(toml_text)["tool"]["lossdoctor"], "README.md",
                           "tool.lossdoctor.")
    assert settings.format == "github" and settings.thresholds.windows == 4
    assert settings.severities["LD201"].label == "error"


@pytest.mark.slow
def test_readme_github_actions_example_runs(tmp_path):
    workflow = next(yaml.safe_load(b) for b in _blocks("yaml") if "jobs" in b)
    steps = workflow["jobs"]["lossdoctor"]["steps"]
    commands = [s["run"] for s in steps if "run" in s and s["run"].startswith("lossdoctor")]
    assert len(commands) == 3
    (tmp_path / "logs").mkdir()
    shutil.copy(fixture("overfitting"), tmp_path / "logs" / "metrics.csv")
    summary = tmp_path / "summary.md"
    summary.write_text("")
    exits = []
    for command in commands:
        done = subprocess.run(["bash", "-c", command], cwd=tmp_path, capture_output=True,
                              text=True, env=_env(GITHUB_STEP_SUMMARY=str(summary)), timeout=120)
        exits.append(done.returncode)
        if "--format github" in command:
            assert done.stdout.startswith("::warning file=logs/metrics.csv,title=LD201 "
                                          "overfitting::"), done.stdout
    assert exits == [0, 0, 0]
    assert summary.read_text().startswith("### lossdoctor: `logs/metrics.csv` — **overfitting**")
    sarif = json.loads((tmp_path / "lossdoctor.sarif").read_text())
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    assert upload["with"]["sarif_file"] == "lossdoctor.sarif"
    assert sarif["runs"][0]["results"][0]["ruleId"] == "LD201"
