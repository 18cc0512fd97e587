"""Findings are data: rules say what they found as templates with facts, and only
lossdoctor.wording writes the numbers as text."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from lossdoctor.records import Diagnosis, Severity
from lossdoctor.wording import join, render, text

RULES = Path(__file__).resolve().parents[1] / "lossdoctor" / "rules"


@pytest.mark.parametrize("template, facts, said", [
    ("{x:num}", {"x": 0.62254}, "0.6225"),
    ("{x:num}", {"x": 3.1e-4}, "0.00031"),
    ("{x:num}", {"x": None}, "None"),
    ("step {s:step}", {"s": 40.0}, "step 40"),
    ("step {s:step}", {"s": 0.5}, "step 0.5"),
    ("step {s:step}", {"s": float("nan")}, "step ?"),
    ("{z:se}", {"z": -3.44}, "3.4 standard errors"),
    ("{z:se}", {"z": 250.0}, "over 100 standard errors"),
    ("{z:sigmas}", {"z": 4.24}, "4.2 noise sigmas"),
    ("{z:sigmas}", {"z": float("inf")}, "over 100 noise sigmas"),
    ("{share:.0%} x{r:.1f} {k}", {"share": 0.456, "r": 3.14, "k": 10}, "46% x3.1 10"),
], ids=["num", "num-small", "num-none", "step", "step-fraction", "step-unknown", "se",
        "se-huge", "sigmas", "sigmas-inf", "python-specs"])
def test_each_kind_of_fact_is_written_as_its_field_says(template, facts, said):
    assert render(text(template, **facts)) == said


def test_parts_keep_their_own_facts_and_plain_words_stay_as_they_are():
    parts = join(" and ", [text("{split} at {v:num}", split=s, v=v)
                           for s, v in (("train", 0.5), ("test", 0.25))])
    said = text("Loss: {parts}{tail}.", parts=parts, tail="")
    assert render(said) == "Loss: train at 0.5 and test at 0.25."
    assert render("braces {stay} as written") == "braces {stay} as written"


def test_a_diagnosis_keeps_the_facts_and_reads_as_words():
    d = Diagnosis("overfitting", Severity.WARNING,
                  text("lowest around step {step:step} ({value:num})", step=40.0, value=0.62254),
                  advice=(text("keep step {step:step}", step=40.0), "regularize"))
    assert d.text.facts == {"step": 40.0, "value": 0.62254}
    assert d.message == "lowest around step 40 (0.6225)"
    assert d.actions == ("keep step 40", "regularize")
    assert d.to_dict()["message"] == d.message and d.to_dict()["actions"] == list(d.actions)


@pytest.mark.parametrize("path", sorted(RULES.glob("*.py")), ids=lambda p: p.name)
def test_rules_never_write_numbers_themselves(path):
    """No rule imports the number formatting: a rule states facts, wording writes them."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not {m for m in imported if m and m.endswith("numbers")}
