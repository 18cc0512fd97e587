"""The annotated plot: TensorBoard smoothing, and each fixture's drawn artists checked against
its report (onset lines, trend spans by direction, log scale, the verdict in the title)."""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from helpers import ROOT, python_prints

import lossdoctor
from lossdoctor.cli import main
from lossdoctor.errors import MissingDependencyError, UsageError
from lossdoctor.formatters import render
from lossdoctor.plot import ema, figure, smoothed

pytest.importorskip("matplotlib")

FIXTURES = ROOT / "fixtures"
NAMES = ["learning", "overfitting", "plateau", "data_problem", "divergence", "lr_too_high",
         "non_finite"]


def test_ema_is_tensorboards_debiased_moving_average():
    # by hand, w = 0.5: 0.5*1/(1-.5) = 1; (.25 + 1)/(1-.25); (.625 + 1.5)/(1-.125)
    assert ema(np.array([1.0, 2.0, 3.0]), 0.5) == pytest.approx([1.0, 1.25 / 0.75, 2.125 / 0.875])
    # NaN passes through and does not count as a point
    out = ema(np.array([1.0, np.nan, 2.0]), 0.5)
    assert out[0] == 1.0 and np.isnan(out[1]) and out[2] == pytest.approx(1.25 / 0.75)
    assert list(ema(np.array([3.0, 3.0, 3.0]), 0.9)) == [3.0, 3.0, 3.0]    # constant: as is
    assert list(ema(np.array([1.0, 5.0, 2.0]), 0.0)) == [1.0, 5.0, 2.0]    # no smoothing
    first = ema(np.array([10.0, 0.0]), 0.99)
    assert first[0] == pytest.approx(10.0)        # debiased: the start is not pulled to 0


def _lines(ax, prefix):
    return {ln.get_gid(): ln for ln in ax.get_lines() if (ln.get_gid() or "").startswith(prefix)}


def _x_extent(patch):
    box = patch.get_path().transformed(patch.get_patch_transform()).get_extents()
    return box.x0, box.x1


@pytest.fixture(scope="module")
def drawn():
    out = {}
    for name in NAMES:
        report = lossdoctor.diagnose(FIXTURES / f"{name}.csv")
        out[name] = (report, figure(report).axes[0])
    return out


@pytest.mark.parametrize("name", NAMES)
def test_title_says_the_verdict(drawn, name):
    report, ax = drawn[name]
    assert report.verdict == name
    assert name.upper() in ax.get_title()


@pytest.mark.parametrize("name", NAMES)
def test_onset_lines_stand_at_the_diagnoses_start_steps(drawn, name):
    report, ax = drawn[name]
    onsets = _lines(ax, "onset:")
    expected = {d.name: d.start_step for d in report.diagnoses if d.start_step is not None}
    found = {n: ln.get_xdata()[0] for gid, ln in onsets.items() for n in gid[6:].split(",")}
    assert found == pytest.approx(expected)
    if name != "learning":
        assert expected, "every unhealthy fixture has an onset"


def test_overfitting_stars_the_best_test_point(drawn):
    report, ax = drawn["overfitting"]
    d = report.diagnoses[0]
    star = _lines(ax, "best:")["best:test"]
    assert star.get_xdata()[0] == d.evidence["test_best_step"]
    assert star.get_ydata()[0] == pytest.approx(d.evidence["test_best_value"])
    labels = [t.get_text() for t in ax.texts]
    assert any(t.startswith("best test ") and t.endswith(f"@ {d.evidence['test_best_step']:g}")
               for t in labels), labels


@pytest.mark.parametrize("name", NAMES)
def test_trend_spans_follow_each_windows_direction(drawn, name):
    report, ax = drawn[name]
    spans = [p for p in ax.patches if (p.get_gid() or "").startswith("trend:")]
    windows = [(c.split, w) for c in report.main.context.curves() for w in c.windows]
    assert len(spans) == len(windows)
    for split, w in windows:
        match = [p for p in spans if _x_extent(p) == pytest.approx((w.start_step, w.end_step))
                 and p.get_gid().split(":")[1] == split]
        assert len(match) == 1
        assert match[0].get_gid() == f"trend:{split}:{w.direction.value}"
    colours = {p.get_gid().rsplit(":", 1)[1]: p.get_facecolor()[:3] for p in spans}
    assert len(set(colours.values())) == len(colours)      # one colour per direction


@pytest.mark.parametrize("name", NAMES)
def test_log_scale_when_the_loss_spans_decades(drawn, name):
    _, ax = drawn[name]
    raw = pd.read_csv(FIXTURES / f"{name}.csv")[["loss", "val_loss"]].to_numpy().ravel()
    raw = raw[np.isfinite(raw)]
    want = raw.min() > 0 and np.log10(raw.max() / raw.min()) > 1.5
    assert ax.get_yscale() == ("log" if want else "linear")
    assert want == (name in ("divergence", "overfitting"))   # the fixtures cover both


def test_curves_are_the_raw_points_and_their_smoothing(drawn):
    _, ax = drawn["overfitting"]                 # a log axis: the average of log values
    csv = pd.read_csv(FIXTURES / "overfitting.csv")
    raw, smooth = _lines(ax, "raw:"), _lines(ax, "smooth:")
    assert list(raw["raw:test"].get_ydata()) == pytest.approx(csv["val_loss"].tolist())
    assert list(smooth["smooth:train"].get_ydata()) == pytest.approx(
        list(np.exp(ema(np.log(csv["loss"].to_numpy()), 0.6))))
    _, linear = drawn["plateau"]
    flat = pd.read_csv(FIXTURES / "plateau.csv")
    assert list(_lines(linear, "smooth:")["smooth:train"].get_ydata()) == pytest.approx(
        list(ema(flat["loss"].to_numpy(), 0.6)))


def test_on_a_log_axis_a_fast_fall_is_drawn_where_the_points_are():
    # 1e5 -> 0.03 within eight points, then level: a linear average stays held up by the
    # first value for dozens of points (drawn decades above the data on a log axis)
    loss = np.r_[1e5 * 0.3 ** np.arange(8.0), np.full(42, 0.03)]
    ax = figure(lossdoctor.diagnose(pd.DataFrame({"step": np.arange(50.0), "loss": loss}))
                ).axes[0]
    assert ax.get_yscale() == "log"
    line = _lines(ax, "smooth:")["smooth:train"].get_ydata()
    assert np.all(np.asarray(line)[20:] < 0.06)


def test_a_sparser_curve_is_smoothed_over_as_many_steps():
    train = pd.read_csv(FIXTURES / "overfitting.csv")
    test = train[train["epoch"] % 5 == 0]          # evaluated every 5 steps
    frame = pd.concat([pd.DataFrame({"split": "train", "step": train["epoch"],
                                     "value": train["loss"]}),
                       pd.DataFrame({"split": "test", "step": test["epoch"],
                                     "value": test["val_loss"]})])
    ax = figure(lossdoctor.diagnose(frame)).axes[0]
    smooth = _lines(ax, "smooth:")
    assert list(smooth["smooth:train"].get_ydata()) == pytest.approx(
        list(np.exp(ema(np.log(train["loss"].to_numpy()), 0.6))))
    assert list(smooth["smooth:test"].get_ydata()) == pytest.approx(
        list(np.exp(ema(np.log(test["val_loss"].to_numpy()), 0.6 ** 5))))


def test_a_long_curve_is_smoothed_like_tensorboards_1000_kept_points():
    steps = np.arange(5001.0)
    loss = 2.0 / (1 + steps / 500) + np.random.default_rng(0).normal(0, 0.05, len(steps))
    ax = figure(lossdoctor.diagnose(pd.DataFrame({"step": steps, "loss": loss}))).axes[0]
    smooth = _lines(ax, "smooth:")["smooth:train"]
    log = ax.get_yscale() == "log"
    assert list(smooth.get_ydata()) == pytest.approx(list(smoothed(loss, 0.6 ** (1 / 5), log)))


def test_non_finite_steps_are_marked(drawn):
    _, ax = drawn["non_finite"]
    csv = pd.read_csv(FIXTURES / "non_finite.csv")
    bad = csv.loc[~np.isfinite(csv["loss"]) | ~np.isfinite(csv["val_loss"]), "epoch"]
    marks = _lines(ax, "non_finite")["non_finite"]
    assert sorted(set(marks.get_xdata())) == sorted(set(bad.astype(float)))


def test_plot_method_returns_the_axes_and_honours_options():
    import matplotlib.pyplot as plt

    report = lossdoctor.diagnose(FIXTURES / "plateau.csv")
    ax = report.plot(logy=True, smoothing=0.0)
    try:
        assert ax.get_yscale() == "log"
        raw, smooth = _lines(ax, "raw:")["raw:train"], _lines(ax, "smooth:")["smooth:train"]
        assert list(smooth.get_ydata()) == list(raw.get_ydata())     # smoothing 0 = raw
        fig, own = plt.subplots()
        assert report.plot(ax=own) is own
        plt.close(fig)
    finally:
        plt.close(ax.figure)
    with pytest.raises(UsageError):
        report.plot(smoothing=1.0)


def _two_runs():
    rows = []
    for run, name in (("a", "learning"), ("b", "overfitting")):
        df = pd.read_csv(FIXTURES / f"{name}.csv")
        for split, col in (("train", "loss"), ("test", "val_loss")):
            rows.append(pd.DataFrame({"run": run, "split": split, "step": df["epoch"],
                                      "value": df[col]}))
    return lossdoctor.diagnose(pd.concat(rows))


def test_multi_run_plots_the_main_run_or_the_one_named():
    report = _two_runs()
    assert report.main.run == "b"
    assert "OVERFITTING" in figure(report).axes[0].get_title()
    ax = figure(report, run="a").axes[0]
    assert "LEARNING" in ax.get_title() and "[a]" in ax.get_title(loc="right")
    with pytest.raises(UsageError, match=r"no run 'c' in this report \(runs: a, b\)"):
        figure(report, run="c")


def test_without_matplotlib_plots_say_what_to_install(monkeypatch, tmp_path):
    report = lossdoctor.diagnose(FIXTURES / "overfitting.csv")
    for mod in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, mod, None)
    with pytest.raises(MissingDependencyError, match=r'pip install "lossdoctor\[plot\]"'):
        report.plot()
    res = CliRunner().invoke(main, ["plot", str(FIXTURES / "overfitting.csv"),
                                    "-o", str(tmp_path / "c.png")])
    assert res.exit_code == 2
    assert res.output.strip().splitlines() == [
        'lossdoctor: plotting needs matplotlib, which is not installed'
        ' (pip install "lossdoctor[plot]")']
    page = render(report, "html")
    assert "<svg" not in page and 'pip install &quot;lossdoctor[plot]&quot;' in page
    assert report.verdict.upper() in page


@pytest.mark.parametrize("ext, magic", [("png", b"\x89PNG"), ("svg", b"<?xml"),
                                        ("pdf", b"%PDF")])
def test_cli_plot_writes_the_format_of_the_extension(tmp_path, ext, magic):
    out = tmp_path / f"curve.{ext}"
    res = CliRunner().invoke(main, ["plot", str(FIXTURES / "divergence.csv"), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert res.output == f"wrote {out} (divergence)\n"
    assert out.read_bytes().startswith(magic)


def test_cli_plot_takes_checks_input_options(tmp_path):
    out = tmp_path / "c.svg"
    res = CliRunner().invoke(main, ["plot", "--train", str(FIXTURES / "overfitting.csv"),
                                    "--train-col", "loss", "--input-format", "keras-csvlogger",
                                    "-o", str(out), "--linear-y", "--smoothing", "0.9"])
    assert res.exit_code == 0, res.output
    assert "<svg" in out.read_text()


@pytest.mark.parametrize("args, says", [
    (["-o", "c.gif"], "cannot write a plot as .gif"),
    (["-o", "c.png", "--run", "nope"], "no run 'nope'"),
    (["-o", "c.png", "--input-format", "jsonl"], ""),
])
def test_cli_plot_bad_usage_is_one_line_exit_2(tmp_path, monkeypatch, args, says):
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, ["plot", str(FIXTURES / "overfitting.csv"), *args])
    assert res.exit_code == 2
    assert len(res.output.strip().splitlines()) == 1 and says in res.output
    assert not (tmp_path / "c.png").exists()


@pytest.mark.slow
def test_check_text_path_never_imports_matplotlib():
    code = ("import sys\nfrom click.testing import CliRunner\nfrom lossdoctor.cli import main\n"
            f"r = CliRunner().invoke(main, ['check', {str(FIXTURES / 'overfitting.csv')!r}])\n"
            "assert r.exit_code == 0, r.output\n"
            "print(sorted(m for m in sys.modules if m.startswith('matplotlib')))")
    assert python_prints(code, ROOT) == "[]"


@pytest.mark.slow
def test_headless_plot_uses_agg():
    code = ("import lossdoctor, matplotlib\n"
            f"ax = lossdoctor.diagnose({str(FIXTURES / 'plateau.csv')!r}).plot()\n"
            "print(matplotlib.get_backend().lower(), type(ax).__name__)")
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "MPLBACKEND")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT, env=env)
    assert out.stdout.split() == ["agg", "Axes"]


def test_lr_too_high_spikes_are_marked():
    from test_rules import lr_spikes

    import lossdoctor

    report = lossdoctor.diagnose(lr_spikes())
    ax = report.plot()
    spikes = report.diagnoses[0].evidence["spike_steps"]
    assert spikes
    assert list(_lines(ax, "spikes")["spikes"].get_xdata()) == spikes
