"""Dependencies point one way: assessments is the core; reports and workshops build on it.

The import graph of the project's own modules is read from the source with ``ast`` (every
import, at module level or inside a function, so a lazy import cannot hide a dependency),
and must have no cycle; assessments imports neither reports nor workshops, in its Python
code and in its templates (no include, extends or tag library of theirs)."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("assessments", "reports", "workshops", "maturity")
CORE = "assessments"
BUILT_ON_CORE = ("reports", "workshops")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    modules = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                modules[module_name(path)] = path
    return modules


def imported_names(path: Path, name: str) -> set[str]:
    """Every module name an import statement of the file names (absolute, resolved)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module
            found.add(source)
            # ``from package import module`` imports the module
            found.update(f"{source}.{alias.name}" for alias in node.names)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {
        name: {target for target in imported_names(path, name) if target in modules} - {name}
        for name, path in modules.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_import_graph_has_no_cycle():
    graph = import_graph()
    assert "reports.services" in graph["reports.tasks"]  # the graph sees the project
    assert cycles(graph) == []


def test_cycle_finder_finds_a_lazy_import_circle():
    graph = {"a.pdf": {"a.services"}, "a.services": {"a.tasks"}, "a.tasks": {"a.pdf"}, "b": set()}
    assert cycles(graph) == [["a.pdf", "a.services", "a.tasks"]]


def test_relative_and_lazy_imports_are_resolved(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    source = package / "mod.py"
    source.write_text(
        "from . import other\nfrom .sub import thing\n\ndef f():\n    from reports import pdf\n"
    )
    assert imported_names(source, "pkg.mod") >= {"pkg.other", "pkg.sub", "reports.pdf"}


def test_render_pipeline_points_one_way():
    graph = import_graph()
    assert "reports.services" in graph["reports.tasks"]
    assert "reports.pdf" in graph["reports.services"]
    assert not graph["reports.pdf"] & {"reports.services", "reports.tasks"}
    assert "reports.tasks" not in graph["reports.services"]


@pytest.mark.parametrize("name", sorted(n for n in project_modules() if n.startswith(CORE)))
def test_assessments_imports_neither_reports_nor_workshops(name):
    path = project_modules()[name]
    imported = imported_names(path, name)
    assert not {i for i in imported if i.split(".")[0] in BUILT_ON_CORE}


TEMPLATE_REFERENCE = re.compile(r"{%\s*(?:include|extends)\s+[\"'](\w+)/|{%\s*load\s+([^%]+)%}")


def test_assessments_templates_use_no_template_or_tag_of_reports_or_workshops():
    libraries = {
        path.stem
        for app in BUILT_ON_CORE
        for path in (ROOT / app).glob("templatetags/*.py")
        if path.stem != "__init__"
    }
    for path in (ROOT / "templates" / CORE).rglob("*.html"):
        for folder, loaded in TEMPLATE_REFERENCE.findall(path.read_text(encoding="utf-8")):
            assert folder not in BUILT_ON_CORE, path
            assert not set(loaded.split()) & libraries, path
