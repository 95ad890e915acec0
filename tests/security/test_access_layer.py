"""Who may do what is decided by permissions, asked through the access modules: no code and no template checks a
role name or `is_superuser` anywhere else (accounts/roles.py holds the table; each app's access.py the checks)."""

import ast
import re
from pathlib import Path

import pytest

from accounts import roles
from core.layers import LAYERS

ROOT = Path(__file__).resolve().parents[2]
ROLE_NAMES = set(roles.ROLE_PERMISSIONS)
ROLE_CONSTANTS = {"COORDINATOR", "FACILITATOR", "GOVERNOR_OFFICE", "ADMINISTRATOR"}

# Modules allowed to name roles, and why. Every app's access.py is allowed as well.
ALLOWED = {
    "accounts/roles.py": "the role table itself",
    "agencies/demo/builder.py": "creates the demo accounts, one per role; decides no access",
    "accounts/backends.py": "the authentication backend: Django's own rule that a superuser has every permission",
}


def _is_role_operand(node) -> bool:
    if isinstance(node, ast.Constant) and node.value in ROLE_NAMES:
        return True
    if isinstance(node, ast.Attribute) and node.attr in ROLE_CONSTANTS:
        return True
    return isinstance(node, ast.Name) and node.id in ROLE_CONSTANTS


def role_checks(source: str) -> list[str]:
    """Each role-name or superuser check in a Python source, as 'line: what'."""
    found = []
    for node in ast.walk(ast.parse(source)):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Attribute) and node.attr == "is_superuser":
            found.append(f"{line}: is_superuser")
        elif isinstance(node, ast.Call):
            function = node.func
            name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
            if name in ("has_role", "role_names", "is_administrator"):
                found.append(f"{line}: {name}()")
            # user.groups.filter(name=...), .values_list(...), .exists(): reading the groups is a role check.
            if (
                isinstance(function, ast.Attribute)
                and isinstance(function.value, ast.Attribute)
                and function.value.attr == "groups"
                and function.attr not in ("add", "set", "remove", "clear")
            ):
                found.append(f"{line}: groups.{function.attr}()")
            for keyword in node.keywords:
                if keyword.arg and keyword.arg.startswith("groups__"):
                    found.append(f"{line}: {keyword.arg}")
        elif isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(_is_role_operand(operand) for operand in operands):
                found.append(f"{line}: comparison with a role name")
    return found


# Inside a template tag: a superuser or group test, or a role name in quotes.
TEMPLATE_CHECK = re.compile(
    r"\{%[^%]*?(is_superuser|is_administrator|has_role|\.groups\b|"
    + "|".join(f"[\"']{re.escape(name)}[\"']" for name in sorted(ROLE_NAMES))
    + r")[^%]*%\}"
)


def template_checks(text: str) -> list[str]:
    return [
        f"{text.count(chr(10), 0, match.start()) + 1}: {match.group(1)}"
        for match in TEMPLATE_CHECK.finditer(text)
    ]


def _python_modules():
    for package in LAYERS:
        for path in sorted((ROOT / package).rglob("*.py")) if (ROOT / package).is_dir() else []:
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts or relative.name == "access.py" or str(relative) in ALLOWED:
                continue
            yield str(relative), path.read_text(encoding="utf-8")


def test_no_module_checks_a_role_name_or_superuser_outside_the_access_layer():
    found = {module: checks for module, source in _python_modules() if (checks := role_checks(source))}
    assert found == {}, "ask for a permission through the app's access module instead"


def test_no_template_checks_a_role_name_or_superuser():
    found = {
        str(path.relative_to(ROOT)): checks
        for path in sorted((ROOT / "templates").rglob("*.html"))
        if (checks := template_checks(path.read_text(encoding="utf-8")))
    }
    assert found == {}, "use {% if perms.app.codename %} instead"


# The checks themselves find what they are for.


@pytest.mark.parametrize(
    "source",
    [
        "if user.is_superuser:\n    pass",
        "ok = roles.has_role(user, roles.ADMINISTRATOR)",
        "ok = 'administrator' in role_names(user)",
        "ok = group.name == roles.ADMINISTRATOR",
        "ok = group.name == 'coordinator'",
        "ok = user.groups.filter(name='administrator').exists()",
        "people = User.objects.filter(groups__name='facilitator')",
        "ok = pdpa.is_administrator(user)",
    ],
)
def test_a_role_check_in_python_is_found(source):
    assert role_checks(source) != []


def test_permission_checks_and_role_assignment_are_no_role_checks():
    source = (
        "ok = user.has_perm('agencies.erase_person')\n"
        "user.groups.add(group)\n"
        "User.objects.create_user('x', is_superuser=False)\n"
    )
    assert role_checks(source) == []


@pytest.mark.parametrize(
    "text",
    [
        "{% if user.is_superuser %}x{% endif %}",
        "{% if is_administrator %}x{% endif %}",
        "{% if 'administrator' in user.groups.all %}x{% endif %}",
    ],
)
def test_a_role_check_in_a_template_is_found(text):
    assert template_checks(text) != []


def test_a_permission_check_in_a_template_is_no_role_check():
    assert template_checks("{% if perms.agencies.export_person %}x{% endif %}") == []
