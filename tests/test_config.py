"""Configuration files: discovery, every key, one-line errors, and the command line winning."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lossdoctor import cli
from lossdoctor.config import Settings, find_config, load_settings, read_config
from lossdoctor.errors import UsageError
from lossdoctor.records import Severity
from lossdoctor.thresholds import DEFAULT

ROOT = Path(__file__).resolve().parents[1]
OVERFITTING = str(ROOT / "fixtures" / "overfitting.csv")
LEARNING = str(ROOT / "fixtures" / "learning.csv")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def check(*args: str):
    return CliRunner().invoke(cli.main, ["check", *map(str, args)])


def one_error_line(result) -> str:
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert result.stdout == "" and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


# ---------------------------------------------------------------- discovery


def test_nearest_folder_with_lossdoctor_config_wins(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.lossdoctor]\nformat = 'json'\n")
    write(tmp_path / "a" / "pyproject.toml", "[project]\nname = 'x'\n")   # not ours: skipped
    deep = tmp_path / "a" / "b"
    deep.mkdir()
    assert find_config(deep) == tmp_path / "pyproject.toml"
    write(tmp_path / "a" / "lossdoctor.toml", "format = 'markdown'\n")
    assert find_config(deep) == tmp_path / "a" / "lossdoctor.toml"


def test_lossdoctor_toml_beats_pyproject_in_the_same_folder(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.lossdoctor]\nformat = 'json'\n")
    write(tmp_path / "lossdoctor.toml", "format = 'github'\n")
    assert load_settings(start=tmp_path).format == "github"


def test_no_config_anywhere_and_isolated(tmp_path):
    assert find_config(tmp_path) is None or not str(find_config(tmp_path)).startswith(
        str(tmp_path))
    write(tmp_path / "lossdoctor.toml", "format = 'json'\n")
    assert load_settings(isolated=True, start=tmp_path) == Settings()


# ---------------------------------------------------------------- keys and values


def test_every_key_with_dashes_or_underscores(tmp_path):
    path = write(tmp_path / "pyproject.toml", """
[tool.lossdoctor]
fail-on = ["warning", "LD303"]
select = "LD2,divergence"
ignore = ["plateau"]
format = "sarif"
train_col = "loss"
test-col = "val_loss"
input-format = "keras-csvlogger"
segments = "all"

[tool.lossdoctor.severities]
overfitting = "error"
LD100 = "warning"

[tool.lossdoctor.thresholds]
windows = 5
flat-share = 0.1
flat_noise_z = 3
""")
    s = read_config(path)
    assert s.path == str(path)
    assert s.fail_on == ("warning", "LD303")
    assert s.select == ("LD2", "divergence") and s.ignore == ("plateau",)
    assert s.format == "sarif" and s.segments == "all"
    assert (s.train_col, s.test_col, s.input_format) == ("loss", "val_loss", "keras-csvlogger")
    assert s.severities == {"LD201": Severity.ERROR, "LD100": Severity.WARNING}
    assert s.thresholds == DEFAULT.with_values(windows=5, flat_share=0.1, flat_noise_z=3.0)


@pytest.mark.parametrize("text, expected", [
    ("formt = 'json'", "lossdoctor.toml: unknown key 'formt' (did you mean 'format'?)"),
    ("fail-on = 'warn'", "fail-on: unknown value 'warn' (did you mean 'warning'?)"),
    ("select = ['overfiting']", "select: unknown diagnosis 'overfiting' (did you mean"),
    ("format = 'jsn'", "format: unknown output format 'jsn' (did you mean 'json'?)"),
    ("segments = 'first'", "segments: expected \"last\" or \"all\""),
    ("train-col = 3", "train-col: expected a non-empty string, got 3"),
    ("input-format = 'keras'", "input-format: unknown"),
    ("[severities]\noverfitting = 'fatal'", "unknown severity 'fatal' for overfitting"),
    ("[severities]\noverfit = 'error'", "severities: unknown diagnosis 'overfit'"),
    ("[thresholds]\nwindowz = 4", "thresholds.windowz: unknown trend threshold (did you mean"
                                  " 'windows'?)"),
    ("[thresholds]\nwindows = 2.5", "thresholds.windows: expected an integer of at least 1"),
    ("[thresholds]\nflat-share = -1", "thresholds.flat-share: expected a non-negative number"),
    ("[thresholds]\nflat-share = true", "thresholds.flat-share: expected a non-negative number"),
    ("[thresholds]\nflat-share = inf", "thresholds.flat-share: expected a non-negative number"),
    ("format = ", "lossdoctor.toml: invalid TOML"),
])
def test_bad_config_is_one_line_naming_file_and_key(tmp_path, monkeypatch, text, expected):
    write(tmp_path / "lossdoctor.toml", text + "\n")
    monkeypatch.chdir(tmp_path)
    line = one_error_line(check(OVERFITTING))
    assert expected in line
    assert str(tmp_path / "lossdoctor.toml") in line


def test_pyproject_key_is_shown_with_its_table(tmp_path):
    path = write(tmp_path / "pyproject.toml", "[tool.lossdoctor]\nignor = ['LD1']\n")
    with pytest.raises(UsageError, match=r"unknown key 'tool.lossdoctor.ignor'.*'ignore'"):
        read_config(path)


# ---------------------------------------------------------------- the CLI and the file


def test_config_is_used_and_command_line_wins(tmp_path, monkeypatch):
    write(tmp_path / "pyproject.toml", "[tool.lossdoctor]\nformat = 'json'\nfail-on = 'warning'\n")
    monkeypatch.chdir(tmp_path / ".")
    result = check(OVERFITTING)
    assert json.loads(result.stdout)["verdict"] == "overfitting"
    assert result.exit_code == 1                                  # fail-on warning from file
    assert check(OVERFITTING, "--fail-on", "error").exit_code == 0  # the option wins
    assert check(OVERFITTING, "--format", "text").stdout.startswith(OVERFITTING + ": OVERFITTING")
    assert check(OVERFITTING, "--isolated").exit_code == 0          # file ignored entirely
    assert check(OVERFITTING, "--no-config").stdout.startswith(OVERFITTING)


def test_explicit_config_file(tmp_path, monkeypatch):
    cfg = write(tmp_path / "ci" / "gate.toml", "fail-on = ['overfitting']\n")
    monkeypatch.chdir(tmp_path)
    assert check(OVERFITTING).exit_code == 0
    assert check(OVERFITTING, "--config", cfg).exit_code == 1
    line = one_error_line(check(OVERFITTING, "--config", tmp_path / "missing.toml"))
    assert "missing.toml: cannot read config file" in line


def test_severities_regrade_the_report_and_the_exit_code(tmp_path, monkeypatch):
    write(tmp_path / "lossdoctor.toml", "[severities]\nLD201 = 'error'\nlearning = 'warning'\n")
    monkeypatch.chdir(tmp_path)
    result = check(OVERFITTING, "--format", "json")
    data = json.loads(result.stdout)
    assert data["verdict"] == "overfitting" and data["diagnoses"][0]["severity"] == "error"
    assert result.exit_code == 1
    assert check(LEARNING, "--fail-on", "warning").exit_code == 1
    assert check(OVERFITTING).stdout.startswith(f"{OVERFITTING}: OVERFITTING (error, confidence ")


def test_thresholds_reach_the_trend_detector(tmp_path, monkeypatch):
    write(tmp_path / "lossdoctor.toml", "[thresholds]\nwindows = 5\n")
    monkeypatch.chdir(tmp_path)
    curves = json.loads(check(LEARNING, "--format", "json").stdout)["curves"]
    assert len(curves["train"]["windows"]) == 5
    curves = json.loads(check(LEARNING, "--format", "json", "--isolated").stdout)["curves"]
    assert len(curves["train"]["windows"]) == DEFAULT.windows


def test_column_and_select_settings_from_file(tmp_path, monkeypatch):
    write(tmp_path / "lossdoctor.toml", "test-col = 'val_los'\n")
    monkeypatch.chdir(tmp_path)
    assert "did you mean" in one_error_line(check(OVERFITTING))    # the file's column is used
    write(tmp_path / "lossdoctor.toml", "ignore = ['LD2']\n")
    data = json.loads(check(OVERFITTING, "--format", "json").stdout)
    assert all(not d["code"].startswith("LD2") for d in data["diagnoses"])
    data = json.loads(check(OVERFITTING, "--format", "json", "--ignore", "LD1").stdout)
    assert data["verdict"] == "overfitting"                          # --ignore replaced the file's
