"""The parser registry: every format ranks explicitly, and run folders are the parsers' call."""
from __future__ import annotations

import pytest
from helpers import FORMATS, python_prints

from lossdoctor.parsers import PARSERS
from lossdoctor.parsers.discover import run_folder_format
from lossdoctor.parsers.registry import by_priority, ranked, register
from lossdoctor.parsers.source import Source


def test_every_parser_has_its_own_priority():
    priorities = [p.priority for p in PARSERS.values()]
    assert None not in priorities, [p.name for p in PARSERS.values() if p.priority is None]
    assert len(set(priorities)) == len(priorities)
    assert by_priority()[0].name == "tfevents" and by_priority()[-1].name == "generic-csv"


def test_a_taken_priority_fails_at_import():
    with pytest.raises(RuntimeError, match="priority 100 is 'tfevents'"):
        register("copycat", priority=100, sniff=lambda s: 0.0, description="-")(print)
    assert "copycat" not in PARSERS


def test_equal_scores_go_to_the_higher_priority_not_the_name(tmp_path, monkeypatch):
    from dataclasses import replace

    path = tmp_path / "log.csv"
    path.write_text("step,loss\n0,1\n1,0.5\n")
    for name in ("generic-csv", "keras-csvlogger"):
        monkeypatch.setitem(PARSERS, name, replace(PARSERS[name], sniff=lambda s: 0.5))
    assert [n for _, n in ranked(Source(path))][:2] == ["keras-csvlogger", "generic-csv"]
    monkeypatch.setitem(PARSERS, "generic-csv", replace(PARSERS["generic-csv"], priority=99))
    assert ranked(Source(path))[0][1] == "generic-csv"


@pytest.mark.parametrize("folder, fmt", [
    ("mlflow/mlruns/1/0a1b2c3d", "mlflow"),
    ("hf-trainer-state/output", "hf-trainer-state"),
    ("keras-csvlogger", None),
])
def test_run_folders_are_recognised_by_their_parsers_probes(folder, fmt):
    assert run_folder_format(FORMATS / folder) == fmt


def test_the_package_imports_every_format_module():
    """Detection runs every sniffer, so ``lossdoctor.parsers`` imports the format modules by
    name (a scan would also load the readers' helpers, the SQLite store among them, on every
    check): importing every module of the package afterwards registers no other format."""
    code = ("import importlib, pkgutil\n"
            "import lossdoctor.parsers as p\n"
            "before = sorted(p.PARSERS)\n"
            "for m in pkgutil.iter_modules(p.__path__):\n"
            "    importlib.import_module(f'lossdoctor.parsers.{m.name}')\n"
            "print(before == sorted(p.PARSERS), sorted(set(p.PARSERS) - set(before)))\n")
    assert python_prints(code) == "True []"
