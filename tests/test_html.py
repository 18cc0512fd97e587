"""The HTML report and the notebook views of a Report: to_frame, trends, _repr_html_; the page
is opened in a real headless Chromium at a phone's size."""
from __future__ import annotations

import re
from html import escape

import numpy as np
import pandas as pd
import pytest
from browser import find_chromium, load_page
from click.testing import CliRunner
from helpers import ROOT

import lossdoctor
from lossdoctor.cli import main
from lossdoctor.formatters import render
from lossdoctor.formatters.html import render_fragment

FIXTURES = ROOT / "fixtures"


@pytest.fixture(scope="module")
def divergence():
    return lossdoctor.diagnose(FIXTURES / "divergence.csv")


def two_runs():
    rows = []
    for run, name in (("a", "learning"), ("b", "overfitting"), ("c", "plateau")):
        df = pd.read_csv(FIXTURES / f"{name}.csv")
        for split, col in (("train", "loss"), ("test", "val_loss")):
            rows.append(pd.DataFrame({"run": run, "split": split, "step": df["epoch"],
                                      "value": df[col]}))
    return lossdoctor.diagnose(pd.concat(rows))


def test_to_frame_has_one_row_per_diagnosis(divergence):
    frame = divergence.to_frame()
    assert list(frame.columns) == ["run", "code", "name", "severity", "start_step", "end_step",
                                   "message", "actions"]
    assert list(frame["name"]) == [d.name for d in divergence.diagnoses]
    first = divergence.diagnoses[0]
    row = frame.iloc[0]
    assert (row["code"], row["severity"], row["start_step"], row["message"]) == (
        first.code, first.severity.label, first.start_step, first.message)
    assert row["actions"] == list(first.actions)


def test_trends_has_one_row_per_window_and_split(divergence):
    trends = divergence.trends
    assert list(trends.columns) == ["run", "split", "start", "end", "slope", "direction"]
    want = [(c.split, w.start_step, w.end_step, w.slope, w.direction.value)
            for c in divergence.main.context.curves() for w in c.windows]
    got = list(trends[["split", "start", "end", "slope", "direction"]].itertuples(index=False,
                                                                                  name=None))
    assert got == want
    assert set(trends["direction"]) <= {"falling", "flat", "rising"}


def test_multi_run_frames_name_each_run():
    report = two_runs()
    assert sorted(set(report.to_frame()["run"])) == ["a", "b", "c"]
    assert sorted(set(report.trends["run"])) == ["a", "b", "c"]


def test_page_is_self_contained_and_says_everything(divergence):
    page = render(divergence, "html")
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "max-width" in page and page.count("<svg") == 1
    assert "<script" not in page and "<link" not in page and "@import" not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert 'width="100%"' in page          # the SVG scales with the page
    main_ = divergence.main
    assert main_.verdict.upper() in page
    for d in main_.diagnoses:
        assert escape(d.message) in page and d.code in page
        for a in d.actions:
            assert escape(a) in page
        for key in d.evidence:
            assert f"<dt>{key}</dt>" in page
    for c in main_.context.curves():
        assert f"<td>{c.split}</td><td>{c.summary.points}</td>" in page
    for n in divergence.notes:
        assert escape(n) in page


def test_notebook_display_is_the_fragment_with_the_plot(divergence):
    html = divergence._repr_html_()
    assert html == render_fragment(divergence)
    assert html.startswith("<style>") and "<!DOCTYPE" not in html
    assert "<svg" in html and "DIVERGENCE" in html


def test_multi_run_page_has_a_summary_and_a_plot_per_run():
    report = two_runs()
    page = render(report, "html")
    assert page.count("<svg") == 3
    table = page[page.index("<h2>Runs</h2>"):page.index("</table>", page.index("<h2>Runs</h2>"))]
    for run in report.runs:
        assert f"<td>{run.run}</td>" in table and f">{run.verdict}</span>" in table
    assert page.index("LEARNING") > page.index("OVERFITTING")   # the most urgent run first


def test_cli_check_writes_html(tmp_path):
    out = tmp_path / "report.html"
    res = CliRunner().invoke(main, ["check", str(FIXTURES / "overfitting.csv"), "--format",
                                    "html", "-o", str(out)])
    assert res.exit_code == 0 and res.output == ""
    page = out.read_text()
    assert "OVERFITTING" in page and page.count("<svg") == 1 and page.rstrip().endswith("</html>")


def _png_pixels(png: bytes) -> np.ndarray:
    import io

    from matplotlib.image import imread

    return imread(io.BytesIO(png), format="png")


@pytest.mark.parametrize("name", ["overfitting", "sweep"])
def test_page_renders_in_chromium_on_a_phone(tmp_path, name):
    exe = find_chromium()
    if exe is None:
        pytest.skip("chromium is not installed")
    report = two_runs() if name == "sweep" else lossdoctor.diagnose(FIXTURES / f"{name}.csv")
    page = tmp_path / "report.html"
    page.write_text(render(report, "html"), encoding="utf-8")
    got = load_page(exe, page, tmp_path / "profile", width=412, height=900)
    assert got["errors"] == []
    assert got["requests"] == [page.resolve().as_uri()]     # nothing fetched, no network
    sizes = got["sizes"]
    assert sizes["svgs"] == len(report.runs)
    assert sizes["scroll"] <= sizes["inner"] == 412         # no sideways scrolling on a phone
    assert 300 < sizes["svgWidth"] <= 412
    pixels = _png_pixels(got["png"])
    assert pixels.shape[:2] == (900, 412)
    assert pixels[..., :3].std() > 0.1                       # not a blank page
    assert (pixels[..., :3].min(axis=2) < 0.5).mean() > 0.01  # dark text and lines drawn


def test_cli_check_folder_sweep_writes_one_page(tmp_path):
    for name in ("overfitting", "learning"):
        (tmp_path / "runs" / name).mkdir(parents=True)
        (tmp_path / "runs" / name / "log.csv").write_bytes(
            (FIXTURES / f"{name}.csv").read_bytes())
    (tmp_path / "runs" / "broken").mkdir()
    (tmp_path / "runs" / "broken" / "metrics.csv").write_text("epoch,loss,val_loss\n0,x,y\n")
    out = tmp_path / "sweep.html"
    res = CliRunner().invoke(main, ["check", str(tmp_path / "runs"), "--format", "html",
                                    "-o", str(out)])
    page = out.read_text()
    assert page.count("<!DOCTYPE html>") == 1 and page.count("<svg") == 2
    assert "<td>overfitting/log.csv</td>" in page and "<td>learning/log.csv</td>" in page
    assert res.exit_code == 2                  # an unreadable log: listed, not hidden
    unreadable = page[page.index("<h2>Unreadable logs</h2>"):]
    assert "broken/metrics.csv: column &#x27;loss&#x27; is not numeric" in unreadable
