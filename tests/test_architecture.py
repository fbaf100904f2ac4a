"""The import rules of docs/architecture.md, checked on the source (AST, no imports run).

Every ``import`` counts, at module level or inside a function: a lazy import is
still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("geodata", "layers")
STREAMLIT = ("streamlit", "streamlit_folium")
MAP_LIBRARIES = ("folium", "branca", "jinja2")

#: Which parts of the project each part may import (prefixes of module names).
ALLOWED: dict[str, tuple[str, ...]] = {
    "geodata": ("geodata",),
    "layers.catalog": ("geodata", "layers.catalog"),
    "layers.map": ("geodata", "layers.catalog", "layers.map"),
    "layers.files": ("geodata", "layers.catalog", "layers.map", "layers.files"),
    "layers.app": ("geodata", "layers.catalog", "layers.map", "layers.files", "layers.app"),
    "layers.cli": ("geodata", "layers.files", "layers.cli"),
    "layers": ("layers",),  # the package's own __init__
    "dashboard": ("geodata", "layers", "app_pages"),
    # Streamlit pages other than the Article page (``dashboard.py``); not named
    # ``pages/``, which Streamlit would serve as scripts of their own.
    "app_pages": ("geodata", "layers", "app_pages"),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> dict[str, Path]:
    files = [ROOT / "dashboard.py"]
    for package in (*PACKAGES, "app_pages"):
        files += sorted((ROOT / package).rglob("*.py"))
    return {_module_name(p): p for p in files if "data" not in p.relative_to(ROOT).parts[1:2]}


def _imports(path: Path, module: str) -> set[str]:
    """Absolute names of every module ``path`` imports (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            # ``from layers.files import export`` imports the submodule too.
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


SOURCES = _sources()
IMPORTS = {name: _imports(path, name) for name, path in SOURCES.items()}


def _part(module: str) -> str:
    """The part of the layout a module belongs to (the longest ALLOWED key)."""
    return max((k for k in ALLOWED if module == k or module.startswith(k + ".")), key=len)


def _internal(name: str) -> str | None:
    """The project module an import names (a submodule, else its package), or None."""
    while name:
        if name in SOURCES:
            return name
        name = name.rpartition(".")[0]
    return None


def test_the_layout_is_what_the_rules_cover():
    assert {"geodata.schema", "geodata.geodesy", "geodata.pipeline", "layers.app.state"} <= set(
        SOURCES
    )
    assert all(_part(m) for m in SOURCES)


@pytest.mark.parametrize("module", sorted(SOURCES))
def test_imports_follow_the_flow(module):
    allowed = ALLOWED[_part(module)]
    upward = sorted(
        name
        for name in IMPORTS[module]
        if name.split(".")[0] in (*PACKAGES, "dashboard", "app_pages")
        and not any(name == a or name.startswith(a + ".") for a in allowed)
    )
    assert not upward, f"{module} imports {upward}, outside {allowed}"


@pytest.mark.parametrize(
    "module", sorted(m for m in SOURCES if m != "dashboard" and _part(m) != "app_pages")
)
def test_only_the_app_imports_streamlit(module):
    names = {n.split(".")[0] for n in IMPORTS[module]}
    assert not names & set(STREAMLIT), module
    if module.startswith("geodata"):
        assert not names & set(MAP_LIBRARIES), f"{module} draws maps: that is layers.map"


def test_no_import_cycles():
    # Edges between modules, ignoring a package's own __init__ (importing
    # geodata.schema runs geodata/__init__ first, which is not a dependency).
    graph = {
        m: {
            t
            for name in IMPORTS[m]
            if (t := _internal(name)) and t != m and not m.startswith(t + ".")
        }
        for m in SOURCES
    }
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycle = [*stack[stack.index(target) :], target]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)


def test_the_rules_catch_a_bad_edge(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from layers.catalog import LAYERS\n    import streamlit\n")
    names = _imports(bad, "geodata.bad")
    assert {"layers.catalog", "layers.catalog.LAYERS", "streamlit"} <= names
    allowed = ALLOWED[_part("geodata.bad")]
    assert not any(n.startswith(a) for n in ("layers.catalog",) for a in allowed)
