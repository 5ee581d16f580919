"""The package layout: analysis/'s imports run one way, read → parse → words → store → query → tables → top.

Every module's imports (top-level and inside functions) are read with ``ast``; a module may import its own stage
or an earlier one, never a later one, and no chain of imports between modules comes back to where it started.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "analysis"

STAGES = {
    "errors": 0, "schema": 0,
    "read": 1,
    "parse": 2,
    "words": 3,
    "store": 4,
    "query": 5,
    "tables": 6,
    "export": 7, "briefing": 7, "cli": 7, "__main__": 7,
}
"""Each top-level module or folder of analysis/ and its stage: a module imports only from its stage or earlier."""


def module_name(path: Path, root: Path) -> str:
    """``analysis.parse.masks`` for ``<root>/analysis/parse/masks.py``; a package's ``__init__.py`` is the package."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph(root: Path, package: str = PACKAGE) -> dict[str, set[str]]:
    """Module → the package's modules it imports anywhere in its file (functions included).

    ``from a.b import c`` is an import of the module ``a.b.c`` when there is one, else of ``a.b``. The parent
    packages Python runs on the way are not counted as imports.
    """
    files = {module_name(p, root): p for p in sorted((root / package).rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    here = name.split(".") if is_package else name.split(".")[:-1]
                    here = here[:len(here) - (node.level - 1)]
                    base = ".".join([*here, base] if base else here)
                for alias in node.names:
                    targets.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in files else base)
        graph[name] = {t for t in targets if t in files and t != name}
        unknown = {t for t in targets if (t == package or t.startswith(package + ".")) and t not in files}
        assert not unknown, f"{name} imports {sorted(unknown)}, which are not modules of {package}/"
    return graph


def stage_of(module: str) -> int | None:
    """The stage rank of a module of the package (the package itself: 0), None when its place has no stage."""
    parts = module.split(".")
    return 0 if len(parts) == 1 else STAGES.get(parts[1])


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every set of modules that import each other in a circle (strongly connected, more than one module), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def layout_problems(graph: dict[str, set[str]]) -> list[str]:
    """Every module without a stage, import of a later stage, and import circle, in words (empty: the layout holds)."""
    problems = [f"{m} is in no stage (add its folder to STAGES)" for m in sorted(graph) if stage_of(m) is None]
    for module in sorted(graph):
        rank = stage_of(module)
        for target in sorted(graph[module]):
            if rank is not None and (stage_of(target) or 0) > rank:
                problems.append(f"{module} (stage {rank}) imports {target} (stage {stage_of(target)}), a later stage")
    problems += [f"import circle: {' ↔ '.join(c)}" for c in cycles(graph)]
    return problems


# ------------------------------------------------------------------------------------------------------- the checker
def test_checker_flags_a_later_stage_import():
    graph = {"analysis.read.report": {"analysis.errors"}, "analysis.parse.masks": {"analysis.tables.views"},
             "analysis.tables.views": {"analysis.read.report"}}
    assert layout_problems(graph) == [
        "analysis.parse.masks (stage 2) imports analysis.tables.views (stage 6), a later stage"]


def test_checker_flags_an_import_circle_within_a_stage():
    graph = {"analysis.parse.figures": {"analysis.parse.masks"}, "analysis.parse.masks": {"analysis.parse.measures"},
             "analysis.parse.measures": {"analysis.parse.figures"}, "analysis.parse.numerals": set()}
    assert layout_problems(graph) == [
        "import circle: analysis.parse.figures ↔ analysis.parse.masks ↔ analysis.parse.measures"]


def test_checker_flags_a_module_in_no_stage():
    assert layout_problems({"analysis.review.audit": set()}) == [
        "analysis.review.audit is in no stage (add its folder to STAGES)"]


def test_import_graph_reads_function_level_and_relative_imports(tmp_path):
    pkg = tmp_path / "analysis"
    for folder in ("read", "tables"):
        (pkg / folder).mkdir(parents=True)
        (pkg / folder / "__init__.py").write_text('"""A stage."""\n')
    (pkg / "__init__.py").write_text('"""Root."""\n')
    (pkg / "errors.py").write_text("class Oops(Exception):\n    pass\n")
    (pkg / "read" / "report.py").write_text(
        "from ..errors import Oops\n\n\ndef late():\n    from analysis.tables import views\n    return views, Oops\n")
    (pkg / "tables" / "views.py").write_text("import analysis.read.report\n")
    graph = import_graph(tmp_path)
    assert graph["analysis.read.report"] == {"analysis.errors", "analysis.tables.views"}
    assert graph["analysis.tables.views"] == {"analysis.read.report"}
    assert layout_problems(graph) == [
        "analysis.read.report (stage 1) imports analysis.tables.views (stage 6), a later stage",
        "import circle: analysis.read.report ↔ analysis.tables.views",
    ]


# ----------------------------------------------------------------------------------------------------- the package
def test_every_module_imports_only_its_stage_or_earlier_and_no_circle():
    graph = import_graph(ROOT)
    assert len(graph) > 30 and "analysis.parse.figures" in graph
    assert layout_problems(graph) == []


@pytest.mark.parametrize("folder", sorted(k for k in STAGES if (ROOT / PACKAGE / k).is_dir()))
def test_every_stage_folder_says_what_it_takes_and_gives(folder):
    doc = ast.get_docstring(ast.parse((ROOT / PACKAGE / folder / "__init__.py").read_text(encoding="utf-8")))
    assert doc and "takes" in doc and "gives" in doc


def test_importing_the_package_loads_no_streamlit():
    code = "import sys, analysis; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
