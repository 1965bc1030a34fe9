"""The package layout holds: no import cycles, small package roots, no module over 400 lines (style.md).

The import-linter contracts (pyproject.toml) say who may import whom; these checks cover what they
cannot: a cycle anywhere inside ``app``, ``inference`` or ``rig`` (module-level and lazy imports alike;
``if TYPE_CHECKING:`` imports do not run and are left out), the number of modules at the ``app/`` and
``inference/`` roots, and module length.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("app", "inference", "rig")
MAX_ROOT_MODULES = 8
MAX_LINES = 400


@pytest.fixture(scope="module")
def graph():
    import grimp

    return grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True, cache_dir=None)


def test_no_runtime_import_cycle(graph):
    """Every direct import a -> b where b leads back to a closes a cycle; report the shortest one."""
    cycles = set()
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            if imported in graph.modules and graph.chain_exists(importer=imported, imported=importer):
                back = graph.find_shortest_chain(importer=imported, imported=importer)
                cycle = (importer, *back)
                start = cycle.index(min(cycle[:-1]))
                cycles.add(cycle[start:-1] + cycle[:start + 1])  # one rotation per cycle
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in sorted(cycles))


@pytest.mark.parametrize("package", ["app", "inference"])
def test_package_root_holds_few_modules(package):
    modules = sorted(p.name for p in (ROOT / package).glob("*.py") if p.name != "__init__.py")
    assert len(modules) <= MAX_ROOT_MODULES, f"{package}/ holds {len(modules)} modules: {modules}"


def test_no_module_over_400_lines():
    long = {str(p.relative_to(ROOT)): n for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines (split by responsibility): {long}"


@pytest.mark.parametrize("package", ["rig", "app", "inference"])
def test_every_package_opens_with_a_docstring(package):
    import ast

    bare = [str(p.relative_to(ROOT)) for p in (ROOT / package).rglob("__init__.py")
            if ast.get_docstring(ast.parse(p.read_text(encoding="utf-8"))) is None]
    assert not bare, f"packages without a docstring saying what lives there and what it may import: {bare}"
