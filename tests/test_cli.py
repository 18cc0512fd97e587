"""`lossdoctor check` through click's CliRunner: output, exit codes and one-line errors."""
from __future__ import annotations

import json
import re
import types
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from lossdoctor import cli
from lossdoctor.cli import console

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "fixtures"
NAMES = ["learning", "overfitting", "plateau", "data_problem", "divergence", "lr_too_high",
         "non_finite"]
ERRORS = {"divergence", "non_finite"}
ANSI = re.compile(r"\x1b\[")
DIAGNOSIS_KEYS = {"name", "severity", "start_step", "end_step", "message", "evidence",
                  "actions"}


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli.main, ["check", *map(str, args)], env=env)


def fixture(name: str) -> str:
    return str(FIX / f"{name}.csv")


def as_json(result) -> dict:
    assert result.exit_code in (0, 1), (result.exit_code, result.stderr)
    return json.loads(result.stdout)


def assert_unusable(result, name: str) -> str:
    """Exit 2, nothing on stdout, exactly one line on stderr naming the file, no traceback."""
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert name in lines[0], lines[0]
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    return lines[0]


# ---------------------------------------------------------------- fixtures and exit codes


@pytest.mark.parametrize("name", NAMES)
def test_each_fixture_gets_its_verdict(name):
    result = run(fixture(name), "--format", "json")
    assert as_json(result)["verdict"] == name
    assert result.exit_code == (1 if name in ERRORS else 0)


def test_divergence_fails_with_default_fail_on_error():
    assert run(fixture("divergence")).exit_code == 1


def test_warnings_pass_by_default_and_fail_with_fail_on_warning():
    assert run(fixture("overfitting")).exit_code == 0
    assert run(fixture("overfitting"), "--fail-on", "warning").exit_code == 1
    assert run(fixture("learning"), "--fail-on", "warning").exit_code == 0
    assert run(fixture("learning"), "--fail-on", "info").exit_code == 1


@pytest.mark.parametrize("key", ["overfitting", "LD201", "plateau,overfitting"])
def test_fail_on_a_diagnosis_by_name_or_code(key):
    assert run(fixture("overfitting"), "--fail-on", key).exit_code == 1


def test_fail_on_names_only_those_diagnoses():
    assert run(fixture("overfitting"), "--fail-on", "plateau").exit_code == 0
    assert run(fixture("divergence"), "--fail-on", "plateau").exit_code == 0


def test_fail_on_unknown_name_is_a_usage_error():
    result = run(fixture("overfitting"), "--fail-on", "overfiting")
    assert result.exit_code == 2 and "did you mean" in result.stderr
    assert "Traceback" not in result.stderr


def test_exit_zero_overrides_findings():
    result = run(fixture("divergence"), "--exit-zero")
    assert result.exit_code == 0 and "DIVERGENCE" in result.stdout


def test_output_file(tmp_path):
    out = tmp_path / "report.json"
    result = run(fixture("divergence"), "--format", "json", "-o", out)
    assert result.exit_code == 1 and result.stdout == ""
    assert json.loads(out.read_text())["verdict"] == "divergence"


# ---------------------------------------------------------------- output formats


@pytest.mark.parametrize("name", ["overfitting", "divergence", "non_finite"])
def test_json_output_shape(name):
    data = as_json(run(fixture(name), "--format", "json"))
    assert {"verdict", "diagnoses", "curves"} <= set(data)
    assert data["diagnoses"] and data["diagnoses"][0]["name"] == data["verdict"]
    for d in data["diagnoses"]:
        assert DIAGNOSIS_KEYS <= set(d), sorted(d)
        assert d["severity"] in ("info", "warning", "error")
        assert isinstance(d["evidence"], dict) and isinstance(d["actions"], list)
    assert set(data["curves"]) == {"train", "test"}


def _no_constant(token: str) -> None:
    raise AssertionError(f"JSON has {token}: not valid JSON")


@pytest.mark.parametrize("name", ["divergence", "non_finite"])
def test_json_has_no_nan_tokens(name):
    result = run(fixture(name), "--format", "json")
    json.loads(result.stdout, parse_constant=_no_constant)


@pytest.mark.parametrize("name", NAMES)
def test_text_starts_with_file_and_verdict_in_capitals(name):
    path = fixture(name)
    result = run(path)
    assert result.stdout.startswith(f"{path}: {name.upper()}")
    assert not ANSI.search(result.stdout)


def _tty(monkeypatch):
    """Make the CLI believe stdout is a terminal."""
    fake = types.SimpleNamespace(stdout=types.SimpleNamespace(isatty=lambda: True),
                                 exit=console.sys.exit)
    monkeypatch.setattr(console, "sys", fake)


def test_colour_only_on_a_terminal_without_no_color(monkeypatch):
    assert not ANSI.search(run(fixture("overfitting")).stdout)          # not a TTY
    assert ANSI.search(run(fixture("overfitting"), "--color").stdout)    # forced
    _tty(monkeypatch)
    assert ANSI.search(run(fixture("overfitting"), env={"NO_COLOR": ""}).stdout)
    assert not ANSI.search(run(fixture("overfitting"), env={"NO_COLOR": "1"}).stdout)
    assert not ANSI.search(run(fixture("overfitting"), "--no-color").stdout)


def test_unknown_output_format():
    result = run(fixture("learning"), "--format", "jsn")
    assert result.exit_code == 2 and "did you mean 'json'" in result.stderr
    assert "Traceback" not in result.stderr


# ---------------------------------------------------------------- choosing curves


def _write_single(path: Path, header: str, values: np.ndarray) -> Path:
    path.write_text(header + "\n" + "\n".join(f"{v:.6g}" for v in values) + "\n")
    return path


def test_train_test_pair_of_single_column_files(tmp_path):
    t = np.arange(100.0)
    rng = np.random.default_rng(0)
    train = (0.05 + 2.2 * np.exp(-t / 18)) * (1 + 0.01 * rng.standard_normal(100))
    val = (0.55 + 2 * np.exp(-t / 12) + 0.012 * np.clip(t - 40, 0, None)) \
        * (1 + 0.01 * rng.standard_normal(100))
    a = _write_single(tmp_path / "train_loss.csv", "loss", train)
    b = _write_single(tmp_path / "val_loss.csv", "loss", val)
    data = as_json(run("--train", a, "--test", b, "--format", "json"))
    assert data["verdict"] == "overfitting"
    assert set(data["curves"]) == {"train", "test"}
    assert data["curves"]["train"]["points"] == 100


def test_log_and_pair_together_is_a_usage_error(tmp_path):
    result = run(fixture("learning"), "--train", fixture("learning"))
    assert result.exit_code == 2 and "Traceback" not in result.stderr


def _renamed(tmp_path: Path) -> Path:
    text = (FIX / "overfitting.csv").read_text()
    path = tmp_path / "custom.csv"
    path.write_text(text.replace("epoch,loss,val_loss,lr", "epoch,objective,holdout,lr", 1))
    return path


def test_train_col_and_test_col_override(tmp_path):
    path = _renamed(tmp_path)
    data = as_json(run(path, "--train-col", "objective", "--test-col", "holdout", "--format",
                       "json"))
    assert data["verdict"] == "overfitting"


def test_wrong_column_name_says_did_you_mean(tmp_path):
    path = _renamed(tmp_path)
    result = run(path, "--train-col", "objectiv", "--test-col", "holdout")
    line = assert_unusable(result, "custom.csv")
    assert "did you mean 'objective'" in line


def test_test_col_typo_on_a_fixture():
    line = assert_unusable(run(fixture("learning"), "--test-col", "val_los"), "learning.csv")
    assert "did you mean 'val_loss'" in line


# ---------------------------------------------------------------- bad and odd input


def _bad_inputs(tmp_path: Path) -> dict[str, Path]:
    rng = np.random.default_rng(0)
    files = {
        "empty.csv": b"",
        "header.csv": b"epoch,loss,val_loss\n",
        "onerow.csv": b"epoch,loss,val_loss\n0,1.0,1.1\n",
        "garbage.bin": rng.integers(0, 256, 4096, dtype=np.uint8).tobytes(),
        "words.csv": b"epoch,loss,val_loss\n0,abc,x\n1,def,y\n2,ghi,z\n",
    }
    out = {}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        out[name] = tmp_path / name
    (tmp_path / "nologs").mkdir()
    (tmp_path / "nologs" / "README.md").write_text("# notes, not a log\n")
    out["nologs"] = tmp_path / "nologs"
    return out


@pytest.mark.parametrize("name", ["missing.csv", "empty.csv", "header.csv",
                                  "garbage.bin", "words.csv", "nologs"])
def test_unusable_input_is_one_line_exit_2(tmp_path, name):
    paths = _bad_inputs(tmp_path)
    path = paths.get(name, tmp_path / name)
    assert_unusable(run(path), name)
    assert_unusable(run(path, "--format", "json"), name)


def test_one_row_is_not_enough_evidence_not_an_error_nor_a_guess(tmp_path):
    result = run(_bad_inputs(tmp_path)["onerow.csv"], "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = as_json(result)
    assert data["verdict"] == "not_enough_evidence"
    (d,) = data["diagnoses"]                      # the verdict is always among the diagnoses
    assert d["name"] == "not_enough_evidence" and d["severity"] == "info"
    assert d["evidence"] == {"train_points": 1, "test_points": 1, "points_needed": 5}


def test_all_nan_loss_is_a_non_finite_finding(tmp_path):
    path = tmp_path / "allnan.csv"
    path.write_text("epoch,loss,val_loss\n" + "".join(f"{i},nan,nan\n" for i in range(5)))
    result = run(path, "--format", "json")
    assert result.exit_code == 1          # seen: a finding (error), not unusable input
    assert as_json(result)["verdict"] == "non_finite"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-8-sig", "latin-1"])
def test_other_encodings_are_read(tmp_path, encoding):
    text = (FIX / "overfitting.csv").read_text()
    if encoding == "latin-1":           # a column name only Latin-1 can carry
        lines = text.splitlines()
        text = "\n".join([lines[0] + ",précision"] + [ln + ",0.5" for ln in lines[1:]]) + "\n"
    path = tmp_path / f"log-{encoding}.csv"
    path.write_bytes(text.encode(encoding))
    assert as_json(run(path, "--format", "json"))["verdict"] == "overfitting"


@pytest.mark.slow
def test_very_long_lines(tmp_path):
    extra = 20_000
    head = "epoch,loss,val_loss," + ",".join(f"metric_{i}" for i in range(extra))
    fill = ",".join(["1"] * extra)
    rows = [f"{i},{2 - 0.015 * i:.4f},{2.1 - 0.014 * i:.4f},{fill}" for i in range(60)]
    path = tmp_path / "wide.csv"
    path.write_text(head + "\n" + "\n".join(rows) + "\n")
    assert as_json(run(path, "--format", "json"))["verdict"] == "learning"


@pytest.mark.parametrize("fmt", ["hf-trainer-state", "jsonl", "tfevents", "mlflow",
                                 "keras-history-json"])
def test_input_format_that_does_not_match(fmt):
    assert_unusable(run(fixture("learning"), "--input-format", fmt), "learning.csv")


def test_unknown_input_format_says_did_you_mean():
    result = run(fixture("learning"), "--input-format", "keras-csvloger")
    assert result.exit_code == 2 and "did you mean 'keras-csvlogger'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_input_format_that_matches():
    data = as_json(run(fixture("learning"), "--input-format", "generic-csv", "--format",
                       "json"))
    assert data["verdict"] == "learning" and data["format"] == "generic-csv"


# found by tests/test_fuzz.py (reported): a curve with fewer than 2 finite points plus a
# a curve too short for a trend but holding NaN/Inf is still evidence for non_finite
FEW_FINITE = {
    "one-finite-plus-inf": "epoch,loss,val_loss\n0,,1\n1,inf,1\n2,0.5,2\n",
    "no-finite-train": "epoch,loss,val_loss\n0,,0\n1,nan,2\n2,nan,1\n",
}


@pytest.mark.parametrize("key", list(FEW_FINITE))
def test_few_finite_points_plus_nan_is_a_finding(tmp_path, key):
    path = tmp_path / "log.csv"
    path.write_text(FEW_FINITE[key])
    result = run(path, "--format", "json")
    assert "internal error" not in result.stderr
    assert as_json(result)["verdict"] == "non_finite"


# ---------------------------------------------------------------- pathological lines

PATHOLOGICAL = {   # each once took minutes (regex backtracking, pandas' wide-row paths)
    "digits.csv": "epoch,loss\n0,0.5\n1," + "9" * 2_000_000 + "\n2,0.4\n",
    "wide-row.csv": "epoch,loss\n" + ",".join(["1"] * 1_000_000) + "\n",
    "words.txt": "Epoch 1/10 " + "loss: " * 300_000 + "\nEpoch 2/10 loss: 0.5\n",
    "name.csv": "a" * 3_000_000 + "\n1\n2\n",
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_pathological_lines_end_at_once_with_a_short_answer(tmp_path, name):
    import subprocess
    import sys

    path = tmp_path / name
    path.write_text(PATHOLOGICAL[name])
    code = "from lossdoctor.cli import main; main()"
    # a hang fails here (TimeoutExpired); how fast it is belongs to benchmarks/perf.py
    result = subprocess.run([sys.executable, "-c", code, "check", str(path)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode in (0, 1, 2) and "Traceback" not in result.stderr
    if result.returncode == 2:
        assert len(result.stderr.strip().splitlines()) == 1
        assert len(result.stderr) < 1000 and name in result.stderr


def test_cells_that_only_start_with_a_number_are_not_numbers(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("epoch,loss\n" + "".join(f"{i},{i}e-\n" for i in range(5)))
    assert "not numeric" in assert_unusable(run(path), "units.csv")


def test_comment_lines_above_the_header_are_skipped(tmp_path):
    text = (FIX / "overfitting.csv").read_text()
    path = tmp_path / "commented.csv"
    path.write_text("# run 7: resnet18, lr 1e-3\n#\n# seed 0\n" + text)
    assert as_json(run(path, "--format", "json"))["verdict"] == "overfitting"


def test_latin_1_after_a_utf_8_start_is_read(tmp_path):
    # the first 64 KiB are plain ASCII, a Latin-1 note comes at the very end
    text = (FIX / "learning.csv").read_text()
    lines = text.splitlines()
    pad = "".join(f"{lines[1]}\n" for _ in range(5000))        # repeats of one epoch
    path = tmp_path / "late-latin1.csv"
    path.write_bytes((text + pad).encode() + "été,,\n".encode("latin-1"))
    result = run(path, "--format", "json")
    assert result.exit_code in (0, 1), result.stderr


@pytest.mark.parametrize("repeat", [1, 40])       # the NULs inside, or beyond, the first 64 KiB
def test_nul_bytes_left_by_a_crash_at_the_end_are_ignored(tmp_path, repeat):
    lines = (FIX / "overfitting.csv").read_bytes().splitlines(keepends=True)
    path = tmp_path / "crashed.csv"
    path.write_bytes(lines[0] + b"".join(lines[1:]) * repeat + b"\x00" * 4096)
    assert as_json(run(path, "--format", "json"))["verdict"] == "overfitting"


def test_python_dash_m_runs_the_same_command_line():
    import subprocess
    import sys

    data = Path(__file__).resolve().parents[1] / "fixtures" / "learning.csv"
    result = subprocess.run([sys.executable, "-m", "lossdoctor", "check", str(data)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "LEARNING" in result.stdout, result.stderr
