"""The sources in main's architecture: shared store options, the settings merge, and the
MLflow-database and W&B parsers ranked and probing folders like every other parser."""
from __future__ import annotations

import shutil
import sqlite3

import pytest
from click.testing import CliRunner
from helpers import ROOT

from lossdoctor import cli, diagnose
from lossdoctor.config import settle
from lossdoctor.errors import UsageError
from lossdoctor.parsers import PARSERS
from lossdoctor.parsers.discover import discover, run_folder_format
from lossdoctor.parsers.registry import ranked
from lossdoctor.parsers.source import Source

PLATEAU = ROOT / "fixtures" / "plateau.csv"


def _database(path, tables):
    with sqlite3.connect(path) as db:
        for table in tables:
            db.execute(f"CREATE TABLE {table} (id TEXT)")
    return path


@pytest.mark.parametrize("command, options", [
    ("check", ["--experiment", "--run", "--tracking-uri"]),
    ("watch", ["--experiment", "--run"]),
])
def test_store_options_are_shared_options(command, options):
    result = CliRunner().invoke(cli.main, [command, "--help"])
    assert result.exit_code == 0
    assert all(o in result.output for o in options), result.output


def test_experiment_and_run_are_settings_of_a_call_not_of_a_config_file(tmp_path):
    s = settle(False, experiment="baseline", run="abc123")
    assert (s.experiment, s.run) == ("baseline", "abc123")
    with pytest.raises(UsageError, match="^run: expected a non-empty string"):
        settle(False, run=3)
    config = tmp_path / "lossdoctor.toml"
    config.write_text('run = "abc123"\n')
    with pytest.raises(UsageError, match="unknown key 'run'"):
        settle(config)
    result = CliRunner().invoke(cli.main, ["watch", str(PLATEAU), "--idle", "0",
                                           "--experiment", "x"])
    assert result.exit_code == 2 and "--experiment/--run select runs" in result.stderr


def test_the_mlflow_database_parser_is_sure_of_mlflow_tables_only(tmp_path):
    assert PARSERS["mlflow-db"].priority is not None
    store = _database(tmp_path / "mlflow.db", ["experiments", "runs", "metrics"])
    other = _database(tmp_path / "app.db", ["users"])
    assert ranked(Source(store))[0] == (1.0, "mlflow-db")
    assert ranked(Source(other)) == []


def test_a_database_in_a_folder_is_a_unit_only_when_a_parser_claims_it(tmp_path):
    shutil.copy(PLATEAU, tmp_path / "metrics.csv")
    _database(tmp_path / "app.db", ["users"])
    units = discover(tmp_path)
    assert [(u.run, u.optional) for u in units] == [("app.db", True), ("metrics.csv", False)]
    assert units[0].choose_format() == ""          # not an MLflow store: passed over quietly
    report = diagnose(tmp_path, config=False)
    assert not report.sweep and not report.failures and report.verdict == "plateau"


def test_wandb_run_folders_and_wandb_folders_are_found_by_the_parsers_probe(tmp_path):
    run = tmp_path / "wandb" / "offline-run-20260101_000000-abc"
    run.mkdir(parents=True)
    (run / "run-abc.wandb").write_bytes(b":W&B\x00\x00\x01\x00")
    (tmp_path / "wandb" / "debug.log").write_text("not a run\n")
    assert PARSERS["wandb-offline"].priority is not None
    assert run_folder_format(run) == "wandb-offline"
    assert run_folder_format(tmp_path / "wandb") == "wandb-offline"
    assert run_folder_format(tmp_path) is None
    assert [(u.run, u.input_format) for u in discover(tmp_path)] == [("wandb", "wandb-offline")]
