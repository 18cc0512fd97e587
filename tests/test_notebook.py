"""examples/quickstart.ipynb runs in a real kernel and shows the report with its plot."""
from __future__ import annotations

import json
import sys

import pytest
from helpers import ROOT

pytestmark = pytest.mark.slow

NOTEBOOK = ROOT / "examples" / "quickstart.ipynb"


def test_notebook_is_kept_without_outputs():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code and all(c["outputs"] == [] and c["execution_count"] is None for c in code)


def _kernel_here(tmp_path, monkeypatch) -> str:
    """A kernelspec for this interpreter, found first: a user's own python3 cannot hijack it."""
    name = "lossdoctor-test"
    spec = tmp_path / "jupyter" / "kernels" / name
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "lossdoctor tests", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    # connection files and IPython's profile in the test's folder: no user set-up leaks in
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    return name


def test_quickstart_notebook_runs_and_displays_the_report(tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb, kernel_name=_kernel_here(tmp_path, monkeypatch), timeout=120,
        resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()
    outputs = {c.source.strip(): c.outputs for c in nb.cells if c.cell_type == "code"}

    def data(source: str, mime: str) -> str:
        found = [o["data"][mime] for o in outputs[source] if mime in o.get("data", {})]
        assert found, (source, outputs[source])
        return found[0]

    assert data(next(s for s in outputs if s.endswith("report.verdict")),
                "text/plain") == "'overfitting'"
    html = data("report", "text/html")
    assert "OVERFITTING" in html and "<svg" in html and "What to do" in html
    table = data(next(s for s in outputs if s.startswith("report.to_frame()")), "text/html")
    assert "LD201" in table and "overfitting" in table
    assert "rising" in data("report.trends", "text/html")
    assert data("ax = report.plot(smoothing=0.6)", "image/png")
