"""The package's import graph is one-way: no cycles, deferred imports included.

Every import of a lossdoctor module is an edge: at the top of a module, inside a function
or a method, under ``if TYPE_CHECKING`` (a deferred import only hides a cycle), and an
``importlib.import_module`` of a literal name. Importing ``a.b.c`` runs ``a.b`` too, so it
counts as a dependency on the package as well. A package importing its own submodules (to
register them) is not a cycle; an import whose name is computed is allowed only there.
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "lossdoctor"
#: computed imports outside a package's own registry, each with why
COMPUTED = {"lossdoctor.integrations.lightning"}    # lightning.pytorch or pytorch_lightning


def modules(package: Path = PACKAGE) -> dict[str, Path]:
    out = {}
    for f in package.rglob("*.py"):
        parts = list(f.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = f
    return out


def imported(tree: ast.AST, package: list[str]) -> tuple[list[str], list[int]]:
    """Every module name ``tree`` imports, wherever the import sits, and the lines of
    ``import_module`` calls whose name is computed (the graph cannot follow those)."""
    names: list[str] = []
    computed: list[int] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            mod = ".".join(base + ([node.module] if node.module else []))
            names += [mod] + [f"{mod}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif (isinstance(node, ast.Call) and node.args
              and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module"):
            target = node.args[0]
            if isinstance(target, ast.Constant) and isinstance(target.value, str):
                level = len(target.value) - len(target.value.lstrip("."))
                rest = target.value[level:]
                base = package[: len(package) - level + 1] if level else []
                names.append(".".join(base + ([rest] if rest else [])))
            else:
                computed.append(node.lineno)
    return names, computed


def graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    mods = modules(package)
    edges: dict[str, set[str]] = {}
    for name, path in mods.items():
        package_parts = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        names, _ = imported(ast.parse(path.read_text(encoding="utf-8")), package_parts)
        deps: set[str] = set()
        for t in names:
            while t.count("."):           # a.b.c runs a.b's __init__ as well
                if t in mods:
                    deps.add(t)
                t = t.rsplit(".", 1)[0]
        # a package importing its own submodules registers them: not a cycle
        edges[name] = {d for d in deps if d != name and not d.startswith(name + ".")}
    return edges


def cycles(edges: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(comp)

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_the_import_graph_has_no_cycles():
    assert cycles(graph()) == []


def test_the_checker_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]
    edges = graph()
    assert "lossdoctor.columns" in edges["lossdoctor.frame"]       # a top-level import
    assert "lossdoctor.sweep" in edges["lossdoctor.api"]           # a deferred one


def test_a_cycle_hidden_in_a_function_or_by_importlib_is_found(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "report.py").write_text("class Report:\n"
                                   "    def plot(self):\n"
                                   "        from .plot import draw\n"
                                   "        return draw(self)\n")
    (pkg / "plot.py").write_text("from .report import Report\n")
    (pkg / "html.py").write_text("def show(r):\n"
                                 "    import importlib\n"
                                 "    return importlib.import_module('.page', 'pkg')\n")
    (pkg / "page.py").write_text("from typing import TYPE_CHECKING\n"
                                 "if TYPE_CHECKING:\n"
                                 "    from pkg import html\n")
    assert sorted(map(sorted, cycles(graph(pkg)))) == [["pkg.html", "pkg.page"],
                                                        ["pkg.plot", "pkg.report"]]


def test_computed_imports_stay_inside_their_own_package():
    """A name built at run time (a registry loading its own modules) is not seen by the
    graph, so it may only load the package's own submodules."""
    found = {}
    for name, path in modules().items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        _, lines = imported(ast.parse(path.read_text(encoding="utf-8")), package)
        if lines and path.name != "__init__.py" and name not in COMPUTED:
            found[name] = lines
    assert found == {}


def test_the_report_imports_none_of_its_views():
    """Report.plot and the notebook display work through views the package registers: the
    report module imports neither the plot nor a formatter, and importing it draws nothing."""
    edges = graph()
    assert not {"lossdoctor.plot", "lossdoctor.formatters"} & edges["lossdoctor.report"]
    code = ("import sys\nimport lossdoctor.report\nfrom lossdoctor import views\n"
            "views.view('plot'), views.view('html')\n"
            "print(sorted(m for m in sys.modules if m.startswith(('matplotlib',"
            " 'lossdoctor.plot', 'lossdoctor.formatters'))))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
