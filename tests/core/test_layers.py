"""No package imports a higher layer (core/layers.py), and the packages' imports form no cycle."""

import ast
import graphlib
from pathlib import Path

import pytest

from core.layers import LAYERS

ROOT = Path(__file__).resolve().parents[2]


def _modules(package: str):
    for path in sorted((ROOT / package).rglob("*.py")):
        relative = path.relative_to(ROOT)
        if "migrations" in relative.parts or "tests" in relative.parts:
            continue
        yield relative, path.read_text(encoding="utf-8")


def imported_packages(source: str) -> set[str]:
    """Top-level names of every absolute import in the source, those inside functions included."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def upward_imports(packages: dict[str, dict[str, str]]) -> list[str]:
    """'module imports higher' for every import of a higher layer; packages: {package: {module: source}}."""
    rank = {name: index for index, name in enumerate(LAYERS)}
    problems = []
    for package, modules in packages.items():
        for module, source in modules.items():
            for imported in sorted(imported_packages(source) & set(rank)):
                if rank[imported] > rank[package]:
                    problems.append(f"{module} imports {imported}, a higher layer than {package}")
    return problems


def cycles(packages: dict[str, dict[str, str]]) -> list[str]:
    graph = {
        package: {
            imported
            for source in modules.values()
            for imported in imported_packages(source) & set(packages)
            if imported != package
        }
        for package, modules in packages.items()
    }
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as exc:
        return [" → ".join(exc.args[1])]
    return []


def project_packages() -> dict[str, dict[str, str]]:
    return {
        package: {str(module): source for module, source in _modules(package)}
        for package in LAYERS
        if (ROOT / package).is_dir()
    }


def test_every_project_package_has_a_layer():
    local_apps = {
        path.parent.name
        for path in ROOT.glob("*/apps.py")
        if path.parent.name not in ("tests",) and (path.parent / "__init__.py").exists()
    }
    assert local_apps <= set(LAYERS), f"add {sorted(local_apps - set(LAYERS))} to core/layers.py"


def test_no_package_imports_a_higher_layer():
    assert upward_imports(project_packages()) == []


def test_the_packages_import_each_other_without_cycles():
    assert cycles(project_packages()) == []


# The checks themselves find what they are for.


@pytest.mark.parametrize(
    "source",
    [
        "from lessons.models import LessonNote",
        "import forums.models",
        "def later():\n    from forums import summaries\n",
    ],
)
def test_an_upward_import_is_found_even_inside_a_function(source):
    problems = upward_imports({"agencies": {"agencies/pdpa.py": source}})
    assert len(problems) == 1 and "agencies/pdpa.py imports" in problems[0]


def test_a_relative_or_downward_import_is_no_problem():
    source = (
        "from . import models\nfrom core.thaidates import format_date\nfrom agencies.models import Person\n"
    )
    assert upward_imports({"forums": {"forums/x.py": source}}) == []


def test_a_cycle_is_found():
    packages = {
        "forums": {"forums/a.py": "import analytics"},
        "analytics": {"analytics/b.py": "import forums"},
    }
    assert cycles(packages) != []
