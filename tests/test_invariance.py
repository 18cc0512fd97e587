"""Verdicts that do not depend on units, step axis, cadence, 2% jitter or the file format
(issue 10, point 6).

Each transform rewrites the tidy loss frame of a parsed log (or writes it out in another
format and reads it back) and the verdict is compared with the untransformed one, over the
simulator's curves (always) and over ../shared/corpus (when present). The issue's target
is at most 1% changed under each transform; the bounds below are what the engine measures
today (rounded up), so that a regression fails and a fix can tighten them.
"""
from __future__ import annotations

import csv
import json
import tempfile
import zlib
from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import FRESH
from tfevents_writer import scalar_run

from lossdoctor.api import load
from lossdoctor.engine import diagnose_log
from lossdoctor.frame import LOSS_SPLITS, LossLog, concat_frames, validate_frame
from lossdoctor.simulate import FAMILIES, simulate

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SIM_SEEDS = range(10)
#: a curve this long is a per-step curve whose every second point may be dropped
LONG = 200

Transform = Callable[[pd.DataFrame, np.random.Generator], pd.DataFrame]


def _values(scale: float) -> Transform:
    def apply(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
        losses = frame["split"].isin(LOSS_SPLITS).to_numpy()
        return frame.assign(value=np.where(losses, frame["value"] * scale, frame["value"]))
    return apply


def _steps(scale: float, shift: float) -> Transform:
    def apply(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
        return frame.assign(step=frame["step"] * scale + shift)
    return apply


def _per_curve(change: Callable[[pd.DataFrame], pd.DataFrame]) -> Transform:
    """Apply ``change`` to each (run, split) loss curve, in step order; lr rows are kept."""
    def apply(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
        parts = []
        for _, curve in frame.groupby(["run", "split"], observed=True, sort=False):
            curve = curve.sort_values("step", kind="stable")
            parts.append(change(curve) if curve["split"].iloc[0] in LOSS_SPLITS else curve)
        return concat_frames(parts)
    return apply


def _halve(curve: pd.DataFrame) -> pd.DataFrame:
    return curve.iloc[::2] if len(curve) >= LONG else curve


def _midpoints(curve: pd.DataFrame) -> pd.DataFrame:
    """One linearly interpolated point between each pair of finite neighbours."""
    steps, values = curve["step"].to_numpy(float), curve["value"].to_numpy(float)
    ok = np.isfinite(values[:-1]) & np.isfinite(values[1:]) & (np.diff(steps) > 0)
    mids = curve.iloc[:-1][ok].assign(step=(steps[:-1] + steps[1:])[ok] / 2,
                                      value=(values[:-1] + values[1:])[ok] / 2)
    return pd.concat([curve, mids]).sort_values("step", kind="stable")


def _jitter(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    losses = frame["split"].isin(LOSS_SPLITS).to_numpy()
    noise = np.exp(rng.normal(0.0, 0.02, len(frame)))
    return frame.assign(value=np.where(losses, frame["value"] * noise, frame["value"]))


TRANSFORMS: dict[str, Transform] = {
    "values x10": _values(10.0),
    "values x0.01": _values(0.01),
    "steps x100": _steps(100.0, 0.0),
    "steps +1000": _steps(1.0, 1000.0),
    "every second point dropped": _per_curve(_halve),
    "interpolated midpoints": _per_curve(_midpoints),
    "jitter exp(N(0, 0.02))": _jitter,
}

#: the names a log's curves are written under, in every format
NAMES = {"train": "loss", "test": "val_loss", "lr": "lr"}


def _rows(frame: pd.DataFrame) -> dict[float, dict[str, float]]:
    """step -> {name: value} of one run's curves: the wide view of the tidy frame."""
    rows: dict[float, dict[str, float]] = {}
    for split, name in NAMES.items():
        part = frame[frame["split"] == split]
        for step, value in zip(part["step"].to_numpy(float), part["value"].to_numpy(float),
                               strict=True):
            rows.setdefault(float(step), {})[name] = float(value)
    return dict(sorted(rows.items()))


def _step(step: float) -> int | float:
    return int(step) if step.is_integer() else step


def _wide_csv(frame: pd.DataFrame, folder: Path) -> Path:
    """step,loss,val_loss[,lr]: an empty cell where a curve was not logged, 'nan' for NaN."""
    names = [n for s, n in NAMES.items() if (frame["split"] == s).any()]
    with open(folder / "log.csv", "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["step", *names])
        for step, row in _rows(frame).items():
            out.writerow([_step(step), *(repr(row[n]) if n in row else "" for n in names)])
    return folder / "log.csv"


def _json_lines(frame: pd.DataFrame, folder: Path) -> Path:
    """One JSON object a step with the curves logged at it (NaN written as NaN)."""
    with open(folder / "log.jsonl", "w", encoding="utf-8") as fh:
        for step, row in _rows(frame).items():
            fh.write(json.dumps({"step": _step(step), **row}) + "\n")
    return folder / "log.jsonl"


def _tensorboard(frame: pd.DataFrame, folder: Path) -> Path:
    """An event file with one scalar tag per curve (float32 values, integer steps)."""
    curves = {}
    for split, name in NAMES.items():
        part = frame[frame["split"] == split]
        if len(part):
            curves[name] = [(int(st), float(v)) for st, v in zip(part["step"], part["value"],
                                                                  strict=True)]
    return scalar_run(folder / "events.out.tfevents.1.invariance", curves)


FORMATS: dict[str, Callable[[pd.DataFrame, Path], Path]] = {
    "as a wide CSV": _wide_csv,
    "as JSON lines": _json_lines,
    "as a TensorBoard event file": _tensorboard,
}


#: the share of verdicts allowed to change (simulator, corpus): the issue's target is at most
#: 0.01 under each transform; these are the shares measured on 2026-12-04 (engine of main after
#: a curve that moved under 4% of its level in all reads as still),
#: rounded up to a whole percent: 130 simulated logs; 166 corpus cases (49 with a curve of
#: >= 200 points for the dropping transform). The corpus's r0098 (labelled divergence,
#: lr_too_high accepted) ends in a jump and a slight fall: whether its last few points still
#: climb (the early divergence path) turns on one point, so jitter flips it
#: between its two accepted verdicts. Lower a bound when the engine gets better;
#: `python tests/test_invariance.py` prints the shares and which logs changed.
BOUNDS = {
    "values x10": (0.0, 0.0),
    "values x0.01": (0.0, 0.0),
    "steps x100": (0.0, 0.0),
    "steps +1000": (0.0, 0.0),
    "every second point dropped": (0.01, 0.05),    # measured 0.0% (0/117), 4.1% (2/49)
    "interpolated midpoints": (0.01, 0.01),        # measured 0.8% (1/130), 0.0% (0/166)
    "jitter exp(N(0, 0.02))": (0.01, 0.06),        # measured 0.8% (1/130), 5.4% (9/166)
    "as a wide CSV": (0.0, 0.0),
    "as JSON lines": (0.0, 0.0),
    "as a TensorBoard event file": (0.0, 0.0),
}


def applies(name: str, log: LossLog) -> bool:
    """Dropping every second point is only asked of logs with a long curve; writing in
    another format of one-run logs with one value a step (and integer steps for TensorBoard)."""
    frame = log.frame
    if name == "every second point dropped":
        sizes = frame[frame["split"].isin(LOSS_SPLITS)].groupby(
            ["run", "split"], observed=True).size()
        return bool((sizes >= LONG).any())
    if name in FORMATS:
        steps = frame["step"].to_numpy(float)
        return (len(log.runs()) == 1 and not frame.duplicated(["split", "step"]).any()
                and (name != "as a TensorBoard event file"
                     or bool(np.equal(np.mod(steps, 1), 0).all())))
    return True


def verdicts(log: LossLog, seed: int) -> dict[str, str]:
    """The verdict of ``log`` as parsed ("") and under each transform that applies to it."""
    out = {"": diagnose_log(log).verdict}
    for name, transform in TRANSFORMS.items():
        if applies(name, log):
            frame = validate_frame(transform(log.frame, np.random.default_rng(seed)))
            out[name] = diagnose_log(LossLog(frame, log.source, log.format)).verdict
    with tempfile.TemporaryDirectory() as folder:
        for name, write in FORMATS.items():
            if applies(name, log):
                out[name] = diagnose_log(load(write(log.frame, Path(folder)))).verdict
    return out


def changed(table: dict[str, dict[str, str]], name: str) -> tuple[float, list[str]]:
    """The share of logs whose verdict ``name`` changed, and which (``case: a -> b``)."""
    rows = [(case, v[""], v[name]) for case, v in table.items() if name in v]
    moved = [f"{case}: {a} -> {b}" for case, a, b in rows if a != b]
    return (len(moved) / len(rows) if rows else 0.0), moved


@cache
def simulated_table() -> dict[str, dict[str, str]]:
    return {f"{name}/{seed}": verdicts(load(simulate(name, seed)[0]), seed)
            for name in sorted(FAMILIES) for seed in SIM_SEEDS}


def _corpus_log(case: Path) -> LossLog:
    args = json.loads((case / "labels.json").read_text())["args"]
    if args[0] == "--train":
        return load(train=case / args[1], test=case / args[3])
    return load(case / args[0])


@cache
def corpus_table(folder: Path = CORPUS) -> dict[str, dict[str, str]]:
    """Verdicts of every labelled case in ``folder`` (the corpus's layout), as parsed and
    transformed; each case's jitter is seeded by its name."""
    cases = sorted(p.parent for p in folder.glob("*/labels.json"))
    return {c.name: verdicts(_corpus_log(c), zlib.crc32(c.name.encode())) for c in cases}


# ---------------------------------------------------------------- the transforms themselves

def _log() -> LossLog:
    return load(simulate("per_step_per_epoch", 0)[0])


def test_transforms_do_what_they_say():
    log = _log()
    frame, rng = log.frame, np.random.default_rng(0)
    train = frame["split"] == "train"
    lr_free = frame[frame["split"] != "lr"]
    assert np.allclose(TRANSFORMS["values x10"](frame, rng)["value"], frame["value"] * 10)
    assert np.allclose(TRANSFORMS["steps +1000"](frame, rng)["step"], frame["step"] + 1000)
    halved = TRANSFORMS["every second point dropped"](frame, rng)
    assert (halved["split"] == "train").sum() == (train.sum() + 1) // 2
    assert (halved["split"] == "test").sum() == (frame["split"] == "test").sum()  # short
    dense = TRANSFORMS["interpolated midpoints"](frame, rng)
    assert len(dense) == 2 * len(lr_free) - 2
    jittered = TRANSFORMS["jitter exp(N(0, 0.02))"](frame, rng)
    ratio = np.log(jittered["value"].to_numpy() / frame["value"].to_numpy())
    assert 0.015 < ratio.std() < 0.025


def test_midpoints_sit_between_finite_neighbours_only():
    curve = pd.DataFrame({"run": "", "split": "train", "step": [0.0, 1, 2, 3],
                          "value": [4.0, 2, np.nan, 1], "wall_time": np.nan, "metric": ""})
    out = _midpoints(curve)
    assert out["step"].tolist() == [0.0, 0.5, 1, 2, 3]
    assert out["value"].tolist()[:2] == [4.0, 3.0]


# ---------------------------------------------------------------- invariance

def test_formats_write_what_was_read(tmp_path):
    log = load(simulate("blowup_nan", 2)[0])          # NaN values, a learning rate
    for name, write in FORMATS.items():
        folder = tmp_path / name.replace(" ", "-")
        folder.mkdir()
        back = load(write(log.frame, folder)).frame
        for split in NAMES:
            a, b = (f[f["split"] == split].sort_values("step") for f in (log.frame, back))
            assert a["step"].tolist() == b["step"].tolist(), (name, split)
            assert np.allclose(a["value"], b["value"], rtol=1e-6, equal_nan=True), (name, split)


@pytest.mark.parametrize("name", [*TRANSFORMS, *FORMATS])
def test_simulated_verdicts_hold_under(name):
    share, moved = changed(simulated_table(), name)
    assert share <= BOUNDS[name][0], f"{share:.1%} changed: {moved}"


@pytest.mark.slow
@pytest.mark.shared
@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")
@pytest.mark.parametrize("name", [*TRANSFORMS, *FORMATS])
def test_corpus_verdicts_hold_under(name):
    share, moved = changed(corpus_table(), name)
    assert share <= BOUNDS[name][1], f"{share:.1%} changed: {moved}"


def _print_shares(folders: list[str]) -> None:
    """The measured shares, to set BOUNDS from: ``python tests/test_invariance.py``; with
    folders of labelled cases (``benchmarks/fresh-runs/set19``), over each of them instead."""
    tables = {f: corpus_table(Path(f)) for f in folders}
    if not folders:
        tables["simulated"] = simulated_table()
        if CORPUS.is_dir():
            tables["corpus"] = corpus_table()
    for label, table in tables.items():
        print(f"{label}: {len(table)} logs")
        for name in [*TRANSFORMS, *FORMATS]:
            share, moved = changed(table, name)
            count = sum(name in v for v in table.values())
            print(f"  {name:<30}{share:7.1%} ({len(moved)}/{count})  {', '.join(moved)}")


def test_flat_pairs_at_their_floor_do_not_read_as_worse_on_both_sets():
    """A pair resting at the predict-the-mean level or at a task's noise floor, its test
    loss ticking up a few percent at the end: jitter of 2% (60x the test loss's own scatter
    of s48_028) made that tick "rising" and the train loss's noise made it "rose with it",
    read as a rate too high (worse on both sets). The train loss's share of the rise must
    stand out of its own noise, and the test loss's out of its own. s51_034 (a regularized
    run at its noise floor, a plateau) read lr_too_high whole."""
    jitter = TRANSFORMS["jitter exp(N(0, 0.02))"]
    for name in ("set48/s48_028", "set42/s42_044"):
        log = _corpus_log(FRESH / name)
        seed = zlib.crc32(name.split("/")[1].encode())
        for k in range(2):
            frame = validate_frame(jitter(log.frame, np.random.default_rng(seed + k)))
            got = diagnose_log(LossLog(frame, log.source, log.format)).verdict
            assert got == "plateau", (name, k, got)
    assert diagnose_log(_corpus_log(FRESH / "set51" / "s51_034")).verdict == "plateau"


if __name__ == "__main__":
    import sys
    _print_shares(sys.argv[1:])
