"""The callbacks' shared policies, framework-free: what a Doctor asks a callback to do."""
from __future__ import annotations

import numpy as np
import pytest

from lossdoctor.errors import UsageError
from lossdoctor.integrations.policy import Doctor


def spiky(step):
    """A falling loss that jumps to 4x its trend every 5th step: the rate is too high."""
    base = 2.0 * 0.99 ** step + 0.1
    return base * (4.0 if step % 5 == 2 else 1.0)


def test_lr_too_high_asks_for_one_cut_then_waits_for_the_cooldown():
    said = []
    doctor = Doctor(on_lr_too_high="reduce", every=10, cooldown=3, say=said.append)
    cuts = []
    for step in range(60):
        for a in doctor.update(step, train_loss=spiky(step), lr=0.1):
            if a.kind == "reduce_lr":
                cuts.append(step)
                assert a.factor == 0.1 and a.reason == "lr_too_high"
                doctor.lr_reduced(step, 0.1, doctor.new_lr(0.1), a.reason)
    assert doctor.monitor.verdict == "lr_too_high"
    assert len(cuts) == 1          # afterwards only the points since the cut are judged
    assert any("learning rate 0.1 -> 0.01" in s for s in said)
    assert any("LR_TOO_HIGH" in s for s in said)


def test_patience_waits_for_the_verdict_to_hold():
    at_once = Doctor(on_lr_too_high="reduce", every=10, verbose=False)
    patient = Doctor(on_lr_too_high="reduce", every=10, patience=3, verbose=False)
    first = {}
    for doctor in (at_once, patient):
        for step in range(60):
            if any(a.kind == "reduce_lr" for a in doctor.update(step, train_loss=spiky(step))):
                first.setdefault(id(doctor), step)
    assert first[id(patient)] == first[id(at_once)] + 20      # two diagnoses of 10 points later


def test_warn_policies_never_act():
    doctor = Doctor(every=10, verbose=False)
    actions = [a for step in range(60) for a in doctor.update(step, train_loss=spiky(step))]
    assert actions == [] and doctor.monitor.verdict == "lr_too_high"


def test_divergence_stops_once_and_then_nothing_more_is_asked():
    said = []
    doctor = Doctor(every=5, say=said.append)
    stops = []
    for step in range(80):
        loss = 1.0 / (1 + step) if step < 40 else 0.03 * 1.3 ** (step - 40)
        stops += [a for a in doctor.update(step, train_loss=loss) if a.kind == "stop"]
    assert len(stops) == 1 and doctor.stopped is stops[0]
    assert stops[0].reason.startswith("divergence") and 40 <= stops[0].step <= 60
    assert any(s.startswith("[lossdoctor] stopping at step") for s in said)


def test_best_weights_are_asked_for_only_when_overfitting_stops_and_restores():
    keep = Doctor(on_overfitting="stop", verbose=False)
    kinds = [[a.kind for a in keep.update(s, train_loss=1.0 / (s + 1), test_loss=v)]
             for s, v in enumerate([3.0, 2.0, 2.5, 1.0, np.nan])]
    assert kinds[0] == kinds[1] == kinds[3] == ["keep_best"] and kinds[2] == []
    assert kinds[4] == ["stop"] and keep.stopped.reason.startswith("non_finite")   # NaN
    plain = Doctor(verbose=False)
    assert plain.update(0, test_loss=1.0) == []
    no_restore = Doctor(on_overfitting="stop", restore_best=False, verbose=False)
    assert no_restore.update(0, test_loss=1.0) == []


@pytest.mark.parametrize("options, message", [
    ({"on_lr_too_high": "reduse"}, "did you mean 'reduce'"),
    ({"on_overfitting": "restore"}, "not one of warn, stop"),
    ({"factor": 2.0}, "factor"),
    ({"report_path": "report.pdf"}, "extension"),
    ({"every": 0}, "every"),
])
def test_bad_options_are_one_line_errors(options, message):
    with pytest.raises(UsageError, match=message):
        Doctor(**options)


def test_final_report_written_in_the_format_of_its_extension(tmp_path):
    for name in ("r.json", "r.md", "r.html", "r.txt"):
        doctor = Doctor(report_path=tmp_path / name, verbose=False)
        for step in range(30):
            doctor.update(step, train_loss=1.0 / (step + 1), test_loss=1.2 / (step + 1))
        report = doctor.finish()
        assert report is not None and report.verdict == "learning"
        assert "learning" in (tmp_path / name).read_text().lower()
    assert (tmp_path / "r.json").read_text().lstrip().startswith("{")


@pytest.mark.parametrize("module, blocked", [
    ("keras", ["keras"]),
    ("lightning", ["lightning.pytorch", "pytorch_lightning"]),
    ("transformers", ["transformers"]),
])
def test_a_missing_framework_names_the_extra_to_install(module, blocked, monkeypatch):
    import importlib
    import sys

    from lossdoctor.errors import MissingDependencyError

    for name in blocked:
        monkeypatch.setitem(sys.modules, name, None)       # import fails as if not installed
    monkeypatch.delitem(sys.modules, f"lossdoctor.integrations.{module}", raising=False)
    with pytest.raises(MissingDependencyError, match=r"lossdoctor\[integrations\]"):
        importlib.import_module(f"lossdoctor.integrations.{module}")
    monkeypatch.delitem(sys.modules, f"lossdoctor.integrations.{module}", raising=False)
