"""benchmarks/accuracy.py: its tables on a small labelled corpus, the simulator's matrix, --help."""
from __future__ import annotations

import json
import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import accuracy  # noqa: E402


def _corpus(tmp_path: Path) -> Path:
    """Four cases in two task families; one labelled wrongly on purpose (a plateau log
    labelled learning), so that family scores 0.5 for lossdoctor."""
    cases = [("c1", "fam_a", "overfitting", "overfitting"), ("c2", "fam_a", "plateau", "learning"),
             ("c3", "fam_b", "non_finite", "non_finite"), ("c4", "fam_b", "learning", "learning")]
    rows = ["case\ttask\tprimary\taccept\tformat\tsteps\tfault"]
    for case, task, fixture, label in cases:
        (tmp_path / case).mkdir()
        shutil.copy(ROOT / "fixtures" / f"{fixture}.csv", tmp_path / case / "log.csv")
        (tmp_path / case / "labels.json").write_text(json.dumps(
            {"args": ["log.csv"], "primary": label, "accept": []}))
        rows.append(f"{case}\t{task}\t{label}\t\tcsv\t0..1\t")
    (tmp_path / "INDEX.tsv").write_text("\n".join(rows) + "\n")
    return tmp_path


def test_tables_on_a_small_corpus(tmp_path, capsys):
    assert accuracy.main([str(_corpus(tmp_path)), "--seeds", "1"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("method") and "4 cases in" in out[0]
    assert out[1].split()[:2] == ["lossdoctor", "0.750"]
    tasks = {line.split()[0]: line.split()[1:] for line in out if line.startswith("fam_")}
    assert tasks["fam_a"][:2] == ["2", "0.500"] and tasks["fam_b"][:2] == ["2", "1.000"]
    assert [line.split()[0] for line in out if line.startswith("fam_")] == ["fam_a", "fam_b"]
    families = [line.split()[0] for line in out if line.split() and
                line.split()[0] in accuracy.FAMILIES]
    assert families == list(accuracy.FAMILIES)
    assert out[-1].startswith("all") and "x 1 seeds" in out[-1]


def test_confusion_counts_each_seed_once():
    table = accuracy.confusion(2)
    assert set(table) == set(accuracy.FAMILIES)
    assert all(sum(c.values()) == 2 for c in table.values())


def test_confusion_printout_shares(capsys):
    accuracy.print_confusion({"exp_decay": Counter(learning=3, plateau=1)}, 4)
    header, row, total = capsys.readouterr().out.splitlines()
    assert header.split()[-3:] == ["learning", "plateau", "right"]
    assert row.split() == ["exp_decay", "learning", "3", "1", "0.75"]
    assert total.split()[:2] == ["all", "0.75"]


def test_macro_f1():
    assert accuracy.macro_f1([("plateau", "plateau"), ("learning", "learning")]) == 1.0
    # learning: precision 1/2, recall 1 -> 2/3; plateau: recall 0 -> 0
    assert accuracy.macro_f1([("learning", "learning"), ("plateau", "learning")]) == \
        pytest.approx(1 / 3)


def test_help_and_a_missing_corpus(tmp_path, capsys):
    with pytest.raises(SystemExit) as done:
        accuracy.main(["--help"])
    assert done.value.code == 0 and "--seeds" in capsys.readouterr().out
    assert accuracy.main([str(tmp_path / "nothing"), "--seeds", "0"]) == 2
    assert "no labelled cases" in capsys.readouterr().err
