"""benchmarks/early.py: the callbacks follow their documented rules, the table counts right."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "fixtures"))

import early  # noqa: E402
import generate  # noqa: E402

KERAS0, KERAS3 = "Keras EarlyStopping, patience 0", "Keras EarlyStopping, patience 3"
NAN_RULE, TENX = "TerminateOnNaN (train loss)", "divergence_threshold = 10x best"


def val_only(values: list[float]) -> early.Curves:
    steps = np.arange(len(values), dtype=float)
    return early.Curves(steps, np.ones(len(values)), steps, np.array(values, dtype=float))


@pytest.mark.parametrize("values, keras0, keras3, lightning3", [
    pytest.param([3, 2, 1, 0.5], None, None, None, id="always-improving"),
    pytest.param([3, 2, 2.1, 1.5, 1.6, 1.7, 1.8], 2, 6, 6, id="rise-then-three-flat"),
    pytest.param([3, 2, 2, 1], 2, None, None, id="equal-is-no-improvement"),
    pytest.param([3, 2, np.nan, 1], 2, None, 2, id="nan-stops-lightning-at-once"),
    pytest.param([3, np.nan, np.nan, np.nan], 1, 3, 1, id="nan-is-no-improvement-for-keras"),
    pytest.param([np.nan, 3, 2], None, None, 0, id="keras-never-stops-at-epoch-0"),
])
def test_patience_rules(values, keras0, keras3, lightning3) -> None:
    curves = val_only(values)
    assert early.keras_early_stopping(curves, patience=0) == keras0
    assert early.keras_early_stopping(curves, patience=3) == keras3
    assert early.lightning_early_stopping(curves, patience=3) == lightning3


def test_divergence_threshold_and_terminate_on_nan() -> None:
    tenx = early.CALLBACKS[TENX]
    assert tenx(val_only([1.0, 0.5, 4.9, 5.1])) == 3.0          # 5.1 > 10 x 0.5
    assert tenx(val_only([1.0, 0.5, 4.9, np.nan, np.inf])) == 4.0  # NaN > x is false; Inf is not
    assert tenx(val_only([1.0, 2.0, 4.0, 8.0])) is None         # never 10x the best
    steps = np.arange(5.0)
    curves = early.Curves(steps, np.array([1, 0.9, np.inf, np.nan, 1]), steps[:0], steps[:0])
    assert early.terminate_on_nan(curves) == 2.0
    assert early.keras_early_stopping(curves, patience=0) == 2.0   # no test: the train loss


def corpus_of(tmp_path: Path, names: list[str]) -> Path:
    """A labelled corpus of the generated curves: onset from the data, as LABELS.md says."""
    for name in names:
        case = tmp_path / name
        case.mkdir()
        log = pd.read_csv(generate.write(name, case))
        val, loss = log["val_loss"].to_numpy(), log["loss"].to_numpy()
        onset = {"overfitting": int(np.nanargmin(val)),
                 "non_finite": int(np.argmax(~np.isfinite(loss))),
                 "divergence": int(0.5 * len(log))}.get(name)
        (case / "labels.json").write_text(json.dumps({
            "args": [f"{name}.csv"], "primary": name, "accept": [], "also": [],
            "onset_step": onset, "steps": [0, len(log) - 1]}))
    return tmp_path


def first_moment_at(result: early.CaseResult, step: float) -> int:
    return next(i for i, m in enumerate(result.moments) if m.cut >= step)


@pytest.mark.slow          # 78 diagnoses: about a second
def test_replay_of_generated_curves(tmp_path: Path) -> None:
    corpus = corpus_of(tmp_path, ["overfitting", "non_finite", "learning"])
    results = {r.case: r for r in early.replay(sorted(corpus.iterdir()), jobs=1)}
    for name, r in results.items():
        assert r.error is None and len(r.moments) == early.CUTS
        assert r.moments[-1].cut == 99 and r.moments[0].cut == pytest.approx(99 / 25)
        assert r.moments[-1].verdict == r.full_verdict == name    # the last prefix is the log

    # patience 0 stops the overfitting run at its first val rise: the first moment after it
    val = pd.read_csv(corpus / "overfitting" / "overfitting.csv")["val_loss"].to_numpy()
    first_rise = next(i for i in range(1, len(val)) if val[i] >= val[:i].min())
    over = results["overfitting"]
    assert early.first_caught(over, KERAS0) == first_moment_at(over, first_rise)
    # TerminateOnNaN at the first NaN (step 70), and only on the run that has one
    nan = results["non_finite"]
    assert early.first_caught(nan, NAN_RULE) == first_moment_at(nan, 70)
    assert early.delay(nan, first_moment_at(nan, 70)) == pytest.approx((71.28 - 70) / 99)
    assert early.first_caught(results["learning"], NAN_RULE) is None

    # running a callback once equals running it on every prefix (it is causal)
    curves = early.run_curves(early.read_case(corpus / "overfitting", ["overfitting.csv"]))
    for name, rule in early.CALLBACKS.items():
        once = [name in m.stopped for m in over.moments]
        assert once == [rule(curves.upto(m.cut)) is not None for m in over.moments], name


def moment(cut: float, verdict: str | None, stopped=(), names=None,
           non_finite: bool = False) -> early.Moment:
    said = list(names) if names is not None else [verdict] * bool(verdict)
    return early.Moment(cut, verdict, said, stopped=list(stopped), non_finite=non_finite)


def case(name: str, label: str, onset: float | None, moments) -> early.CaseResult:
    return early.CaseResult(name, label, onset, (0.0, 100.0), list(moments))


def test_table_logic() -> None:
    results = [
        # named at 40, onset 20: delay +0.20
        case("d", "divergence", 20, [moment(10, "learning"), moment(30, "lr_too_high", [KERAS0]),
                                     moment(40, "divergence", [KERAS0])]),
        # a non_finite verdict catches a divergence too: +0.10
        case("d2", "divergence", 20, [moment(10, "learning"), moment(30, "non_finite")]),
        # overfitting never the verdict, only a secondary diagnosis: missed by the verdict row
        case("o", "overfitting", 10, [moment(20, "lr_too_high", [KERAS0],
                                             ["lr_too_high", "overfitting"])]),
        case("n", "non_finite", 50, [moment(50, "learning"),
                                     moment(60, "non_finite", non_finite=True)]),
        # healthy: an overfitting verdict on a prefix, a divergence diagnosis under it
        case("h", "learning", None, [moment(30, "overfitting", [KERAS0],
                                            ["overfitting", "divergence"]),
                                     moment(60, "learning")]),
        case("h2", "learning", None, [moment(50, "learning")]),
        case("p", "plateau", None, [moment(50, "divergence", [KERAS0])]),   # not counted
    ]
    methods = [early.LOSSDOCTOR, early.LOSSDOCTOR_ANY, KERAS0]
    rows = {r.method: r for r in early.summarize(results, methods)}
    ld, any_, k0 = rows[early.LOSSDOCTOR], rows[early.LOSSDOCTOR_ANY], rows[KERAS0]
    assert ld.caught == {"all": (3, 4), "divergence": (2, 2), "non_finite": (1, 1),
                         "overfitting": (0, 1)}
    assert ld.delays["divergence"] == pytest.approx(0.15)    # median of +0.20 and +0.10
    assert ld.delays["all"] == pytest.approx(0.10)           # of +0.20, +0.10, +0.10
    assert ld.delays["overfitting"] is None
    assert ld.healthy == (0, 2) and ld.healthy_overfitting == 1
    assert any_.caught["all"] == (4, 4) and any_.healthy == (1, 2)
    assert k0.caught["all"] == (2, 4) and k0.healthy == (1, 2) and k0.healthy_overfitting is None
    assert k0.delays["overfitting"] == pytest.approx(0.10)
    table = early.render(list(rows.values()))
    assert "| lossdoctor (prefix replay) | 3/4 (divergence 2/2, non_finite 1/1, overfitting 0/1)" \
        in table
    assert "stop verdict 0/2; overfitting 1/2 (50.0%)" in table

    said = "\n".join(early.goals(list(rows.values())))   # Keras p0 stops 1 of 2 healthy runs
    assert "caught 3/4 = 75.0% (goal >= 97%): NOT met" in said and "median delay" not in said
    k3 = early.Row(KERAS3, k0.caught, {"all": 0.10}, (0, 2), None)  # as early, no false stop
    assert "median delay +0.100 (goal <= +0.100, Keras EarlyStopping, patience 3): met" in \
        "\n".join(early.goals([ld, k3]))
    k3.delays["all"] = 0.05
    assert "goal <= +0.050, Keras EarlyStopping, patience 3): NOT met" in \
        "\n".join(early.goals([ld, k3]))
    assert "stop verdict 0/2 (goal <= 1%): met; with overfitting 1/2 (goal <= 5%): NOT met" \
        in said

    late = "\n".join(early.late_lines(results, late=0.15))
    assert "late d divergence" in late and "late o overfitting" in late and "missed" in late
    assert "late d2" not in late and "late n " not in late   # named when it showed
    assert "when due, divergence was called: lr_too_high 1" in late
    assert "when due, overfitting was called: lr_too_high 1" in late
    false = early.false_stop_lines(results)
    assert len(false) == 1 and false[0].startswith("  false verdict overfitting: h at step 30")


def test_onset_bound() -> None:
    """The bound names each bad run at the first moment at or after its onset, stops no
    healthy run, and says when a delay goal lies below it."""
    results = [
        case("d", "divergence", 22, [moment(10, "learning"), moment(30, "learning"),
                                     moment(40, "divergence")]),
        case("n", "non_finite", 30, [moment(30, "learning"), moment(40, "non_finite")]),
        case("h", "learning", None, [moment(50, "learning", [KERAS0])]),
    ]
    rows = {r.method: r for r in early.summarize(results, [early.LOSSDOCTOR, early.AT_ONSET])}
    bound = rows[early.AT_ONSET]
    assert bound.caught["all"] == (2, 2) and bound.healthy == (0, 1)
    assert bound.delays["divergence"] == pytest.approx(0.08)    # moment 30, onset 22
    assert bound.delays["non_finite"] == pytest.approx(0.0)
    lightning = early.Row(early.REFERENCE, bound.caught, {"all": 0.01}, (0, 1), None)
    said = "\n".join(early.goals([rows[early.LOSSDOCTOR], lightning, bound]))
    assert "NOT met" in said and "below the +0.040 of naming every fault" in said
    lightning.delays["all"] = 0.05
    assert "below the" not in "\n".join(early.goals([rows[early.LOSSDOCTOR], lightning, bound]))


@pytest.mark.slow
def test_command_line(tmp_path: Path, capsys) -> None:
    assert early.main([str(tmp_path)]) == 2
    assert "no cases" in capsys.readouterr().err
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    corpus_of(corpus, ["learning"])
    assert early.main([str(corpus), "--jobs", "1", "--show-late"]) == 0
    out = capsys.readouterr().out
    assert "1 cases" in out and "| Keras EarlyStopping, patience 0 |" in out
    assert "last prefix = whole log (diagnose(path)) on 1/1 cases" in out
    assert early.main([str(corpus), "--jobs", "1", "--cases", "learning", "--trace"]) == 0
    trace = capsys.readouterr().out.split("learning learning: onset None, steps 0-99\n")[1]
    assert len(trace.splitlines()) == early.CUTS and trace.split()[0] == "3.96"
    assert early.main([str(corpus), "--cases", "nope"]) == 2
    assert "no case nope" in capsys.readouterr().err

    (corpus / "learning" / "learning.csv").write_text("epoch,loss\n0,abc\n")   # unreadable
    (corpus / "bad").mkdir()
    (corpus / "bad" / "labels.json").write_text("{not json")
    assert early.main([str(corpus), "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    assert "error bad: labels.json: JSONDecodeError" in out
    assert "error learning: " in out and "0 healthy (learning)" in out
