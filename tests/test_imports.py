"""The package's import graph is one-way: no cycles, deferred imports included.

Every import of a lossdoctor module is an edge: at the top of a module, inside a function
or a method, under ``if TYPE_CHECKING`` (a deferred import only hides a cycle), and an
``importlib.import_module`` of a literal name. A package importing its submodules (to
register them) depends on them. Importing ``a.b.c`` runs ``a.b`` too, so a module depends
on the packages of what it imports, except its own packages, which Python has run before it
(``from . import sibling`` is no dependency on the package; ``from . import NAME`` of a name
the package defines is). A computed import name is allowed only in a package's registry.
"""
from __future__ import annotations

import ast
from pathlib import Path

from helpers import python_prints

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


def imported(tree: ast.AST, package: list[str]
             ) -> tuple[list[tuple[str, list[str]]], list[ast.Call]]:
    """``(module, names)`` of every import in ``tree``, wherever it sits (``import a.b`` and a
    literal ``import_module("a.b")`` have no names), and the ``import_module`` calls whose
    name is computed."""
    found: list[tuple[str, list[str]]] = []
    computed: list[ast.Call] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            found.append((".".join(base + ([node.module] if node.module else [])),
                          [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found += [(a.name, []) for a in node.names]
        elif (isinstance(node, ast.Call) and node.args
              and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module"):
            target = node.args[0]
            if isinstance(target, ast.Constant) and isinstance(target.value, str):
                level = len(target.value) - len(target.value.lstrip("."))
                rest = target.value[level:]
                base = package[: len(package) - level + 1] if level else []
                found.append((".".join(base + ([rest] if rest else [])), []))
            else:
                computed.append(node)
    return found, computed


def loaded_by_name(tree: ast.Module, name: str, calls: list[ast.Call], mods: dict[str, Path]
                   ) -> set[str]:
    """What a package's computed imports may load: the values of a module-level dict the name
    is looked up in (``COMMANDS[name]``), else every module of the package (a registry that
    scans itself)."""
    tables = {t.id: [v.value for v in node.value.values if isinstance(v, ast.Constant)]
              for node in tree.body if isinstance(node, ast.Assign)
              and isinstance(node.value, ast.Dict) for t in node.targets
              if isinstance(t, ast.Name)}
    out: set[str] = set()
    for call in calls:
        used = {n.id for n in ast.walk(call.args[0]) if isinstance(n, ast.Name)} & set(tables)
        out |= ({f"{name}.{v}" for u in used for v in tables[u]} if used else
                {m for m in mods if m.rpartition(".")[0] == name})
    return out


def graph(package: Path = PACKAGE, registries: bool = False) -> dict[str, set[str]]:
    """Module -> the modules it imports; ``registries``: a package's imports by computed
    name too, as far as ``loaded_by_name`` can tell."""
    mods = modules(package)
    edges: dict[str, set[str]] = {}
    for name, path in mods.items():
        package_parts = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found, computed = imported(tree, package_parts)
        deps: set[str] = set()
        if registries and computed and path.name == "__init__.py":
            deps |= loaded_by_name(tree, name, computed, mods)
        for mod, names in found:
            subs = {f"{mod}.{n}" for n in names if f"{mod}.{n}" in mods}
            read = {mod} if len(subs) < len(names) or not names else set()  # mod's own names
            deps |= subs | read
            for t in subs | read:
                while t.count("."):       # a.b.c runs a.b, unless a.b is the module's own
                    t = t.rsplit(".", 1)[0]
                    if not (name == t or name.startswith(t + ".")):
                        deps.add(t)
        edges[name] = {d for d in deps if d != name and d in mods}
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


def test_modules_loaded_by_name_close_no_cycle():
    """With what registries load by computed name counted as well, there is no cycle: a
    package's ``__init__`` loads its modules, and they import only its registry module."""
    edges = graph(registries=True)
    assert "lossdoctor.formatters.sarif" in edges["lossdoctor.formatters"]
    assert "lossdoctor.cli.check" in edges["lossdoctor.cli"]
    assert "lossdoctor.api" in edges["lossdoctor"] and "lossdoctor.cli" not in edges["lossdoctor"]
    assert cycles(edges) == []


def test_the_checker_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]
    edges = graph()
    assert "lossdoctor.columns" in edges["lossdoctor.frame"]       # a top-level import
    assert "lossdoctor.sweep" in edges["lossdoctor.api"]           # a deferred one


def make_package(where: Path, files: dict[str, str]) -> Path:
    pkg = where / "pkg"
    for rel, text in {"__init__.py": "", **files}.items():
        (pkg / rel).parent.mkdir(parents=True, exist_ok=True)
        (pkg / rel).write_text(text)
    return pkg


def test_a_cycle_hidden_in_a_function_or_by_importlib_is_found(tmp_path):
    pkg = make_package(tmp_path, {
        "report.py": "class Report:\n"
                     "    def plot(self):\n"
                     "        from .plot import draw\n"
                     "        return draw(self)\n",
        "plot.py": "from .report import Report\n",
        "html.py": "def show(r):\n"
                   "    import importlib\n"
                   "    return importlib.import_module('.page', 'pkg')\n",
        "page.py": "from typing import TYPE_CHECKING\n"
                   "if TYPE_CHECKING:\n"
                   "    from pkg import html\n"})
    assert sorted(map(sorted, cycles(graph(pkg)))) == [["pkg.html", "pkg.page"],
                                                        ["pkg.plot", "pkg.report"]]


def test_a_registry_package_is_no_cycle_but_a_way_back_through_it_is(tmp_path):
    """A package importing its formats, which import their siblings, is one-way; a format
    that reaches back to the package (through another package, or for a name the package
    defines) closes a cycle even when the import is deferred."""
    pkg = make_package(tmp_path, {
        "parsers/__init__.py": "from . import csv, db\n",
        "parsers/registry.py": "",
        "parsers/csv.py": "from .registry import register\nfrom . import registry\n",
        "parsers/db.py": "def read():\n    from ..stores.sqlite import Store\n",
        "stores/__init__.py": "",
        "stores/sqlite.py": "from ..parsers.registry import register\n",
        "sources/__init__.py": "MARK = '#'\n",
        "sources/runs.py": "from . import MARK\n",
        "sources/more.py": "def f():\n    from . import runs\n"})
    edges = graph(pkg)
    assert edges["pkg.parsers.csv"] == {"pkg.parsers.registry"}
    assert edges["pkg.parsers"] == {"pkg.parsers.csv", "pkg.parsers.db"}
    assert sorted(map(sorted, cycles(edges))) == [
        ["pkg.parsers", "pkg.parsers.db", "pkg.stores.sqlite"]]
    (pkg / "sources" / "__init__.py").write_text("MARK = '#'\ndef f():\n    from .runs import g\n")
    assert ["pkg.sources", "pkg.sources.runs"] in map(sorted, cycles(graph(pkg)))


def test_computed_imports_stay_inside_their_own_package():
    """A name built at run time (a registry loading its own modules) is not seen by the
    graph, so it may only load the package's own submodules."""
    found = {}
    for name, path in modules().items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        _, calls = imported(ast.parse(path.read_text(encoding="utf-8")), package)
        if calls and path.name != "__init__.py" and name not in COMPUTED:
            found[name] = [c.lineno for c in calls]
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
    assert python_prints(code) == "[]"


def test_checking_a_csv_loads_no_store_reader(tmp_path):
    """A log file's check imports neither the MLflow store readers (sqlite3 among them) nor
    the sweep's folder search: they load for a store or a folder, not on the CSV's path."""
    log = tmp_path / "history.csv"
    log.write_text("epoch,loss,val_loss\n" + "".join(
        f"{e},{1 / (1 + e):.4f},{1.1 / (1 + e):.4f}\n" for e in range(30)))
    code = ("import sys\n"
            "from lossdoctor.cli import main\n"
            f"sys.argv = ['lossdoctor', 'check', {str(log)!r}]\n"
            "try:\n"
            "    main()\n"
            "except SystemExit:\n"
            "    pass\n"
            "print(sorted(m for m in ('sqlite3', 'lossdoctor.parsers.mlflow_runs',"
            " 'lossdoctor.parsers.mlflow_sqlite', 'lossdoctor.parsers.discover')"
            " if m in sys.modules))\n")
    assert python_prints(code, tmp_path).splitlines()[-1] == "[]"
