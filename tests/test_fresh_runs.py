"""benchmarks/fresh-runs: every labelled run of the families the corpus lacks reads and gets a
verdict, and each set keeps its share of labelled verdicts (the README states the scores)."""
from __future__ import annotations

import pytest
from helpers import FRESH, labelled_misses

pytestmark = pytest.mark.slow

SETS = sorted((p for p in FRESH.iterdir() if (p / "INDEX.tsv").is_file()),
              key=lambda p: int(p.name.removeprefix("set")))

#: the share of a set's runs whose verdict must be the label (its primary or an accepted
#: one): below the development corpus's floor, as these families were not tuned on (set3
#: and set4 never were); a rule change that loses several of them fails here
ACCURACY_FLOOR = 0.85
#: sets whose own score is lower (set6: negative NLLs of a mixture density network, a loss
#: with label smoothing or a penalty term; 0.833 when it was added; set17: cadence and noise
#: extremes, 3-epoch runs and single-batch losses logged every 100th step, 0.771)
FLOORS = {"set6": 0.80, "set17": 0.75}


def test_the_sets_are_there():
    assert [p.name for p in SETS] == [f"set{i}" for i in range(1, 56)]


@pytest.mark.parametrize("folder", SETS, ids=[p.name for p in SETS])
def test_fresh_run_verdicts_match_their_labels(folder, monkeypatch):
    cases = sorted(p.parent for p in folder.glob("*/labels.json"))
    assert len(cases) >= 45
    misses = labelled_misses(cases, monkeypatch)
    accuracy = 1 - len(misses) / len(cases)
    floor = FLOORS.get(folder.name, ACCURACY_FLOOR)
    assert accuracy >= floor, (f"accuracy {accuracy:.3f} < {floor}", misses)
