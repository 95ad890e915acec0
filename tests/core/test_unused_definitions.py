"""Every method and property of the models and querysets is used somewhere: code, templates or tests.

An unused definition (a queryset filter nobody calls, a property nobody reads) looks like a rule of the domain
and misleads the next reader. Django's hooks are called by Django and count as used. Names are matched as words,
so a definition sharing its name with another one that is used (SheetRow.is_walk_in) escapes this check."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# lessons/models.py is left to the lessons work (NoteQuerySet.visible_to is known and goes there).
MODELS = ["accounts/models.py", "agencies/models.py", "forums/models.py", "analytics/models.py"]
DJANGO_HOOKS = {"save", "clean", "delete", "get_absolute_url", "natural_key", "get_queryset", "full_clean"}


def _corpus() -> str:
    paths = [
        path
        for pattern in ("*/**/*.py", "templates/**/*.html", "static/js/*.js")
        for path in ROOT.glob(pattern)
        if ".venv" not in path.parts and "migrations" not in path.parts and path != Path(__file__).resolve()
    ]
    return "\n".join(path.read_text(encoding="utf-8") for path in paths)


def unused_definitions(source: str, corpus: str) -> list[str]:
    unused = []
    for cls in (node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.ClassDef)):
        for node in cls.body:
            if (
                not isinstance(node, ast.FunctionDef)
                or node.name.startswith("_")
                or node.name in DJANGO_HOOKS
            ):
                continue
            # The definition itself is one occurrence; a use anywhere is another.
            if len(re.findall(rf"\b{re.escape(node.name)}\b", corpus)) <= 1:
                unused.append(f"{cls.name}.{node.name}")
    return unused


def test_models_and_querysets_define_nothing_unused():
    corpus = _corpus()
    found = {
        module: names
        for module in MODELS
        if (names := unused_definitions((ROOT / module).read_text(encoding="utf-8"), corpus))
    }
    assert found == {}


def test_an_unused_queryset_filter_is_found():
    source = "class PersonQuerySet:\n    def with_role(self, *roles):\n        return self\n"
    assert unused_definitions(source, source) == ["PersonQuerySet.with_role"]
