"""benchmarks/fresh-runs: every labelled run of the families the corpus lacks reads and gets a
verdict, and each set keeps its share of labelled verdicts (the README states the scores)."""
from __future__ import annotations

from pathlib import Path

import pytest
from helpers import labelled_misses

pytestmark = pytest.mark.slow

FRESH = Path(__file__).resolve().parents[1] / "benchmarks" / "fresh-runs"
SETS = sorted(p for p in FRESH.iterdir() if (p / "INDEX.tsv").is_file())

#: the share of a set's runs whose verdict must be the label (its primary or an accepted
#: one): below the development corpus's floor, as these families were not tuned on (set3
#: and set4 never were); a rule change that loses several of them fails here
ACCURACY_FLOOR = 0.85


def test_the_sets_are_there():
    assert [p.name for p in SETS] == ["set1", "set2", "set3", "set4", "set5"]


@pytest.mark.parametrize("folder", SETS, ids=[p.name for p in SETS])
def test_fresh_run_verdicts_match_their_labels(folder, monkeypatch):
    cases = sorted(p.parent for p in folder.glob("*/labels.json"))
    assert len(cases) >= 45
    misses = labelled_misses(cases, monkeypatch)
    accuracy = 1 - len(misses) / len(cases)
    assert accuracy >= ACCURACY_FLOOR, (f"accuracy {accuracy:.3f} < {ACCURACY_FLOOR}", misses)
