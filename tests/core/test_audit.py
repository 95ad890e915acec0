"""The dependency audit says what it checked: a pass only when every package was looked up."""

import importlib.util
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location(
    "audit", Path(__file__).resolve().parents[2] / "scripts" / "audit.py"
)
audit = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(audit)


def dep(name, vulns=(), skip=None):
    entry = {"name": name, "version": "1.0", "vulns": list(vulns)}
    if skip:
        entry = {"name": name, "skip_reason": skip}
    return entry


def test_every_package_looked_up_and_clean_passes():
    code, lines = audit.verdict(0, {"dependencies": [dep("django"), dep("nh3")]}, "")
    assert code == 0
    assert lines[-1] == "dependency audit passed: 2 packages audited, no known vulnerabilities"


def test_a_vulnerable_package_fails_and_is_named():
    vuln = {"id": "PYSEC-2099-1", "fix_versions": ["1.1"]}
    code, lines = audit.verdict(1, {"dependencies": [dep("django", [vuln]), dep("nh3")]}, "")
    assert code == 1
    assert "django 1.0: PYSEC-2099-1 (fixed in 1.1)" in lines
    assert "FAILED" in lines[-1]


def test_nothing_looked_up_is_reported_as_skipped_never_as_passed():
    data = {
        "dependencies": [dep("django", skip="Dependency not found on PyPI"), dep("nh3", skip="not found")]
    }
    code, lines = audit.verdict(0, data, "")
    assert code == 0
    assert lines[-1].startswith("dependency audit skipped: advisory source unreachable")
    assert "passed" not in " ".join(lines)


def test_some_packages_not_looked_up_fails():
    data = {"dependencies": [dep("django"), dep("private-tool", skip="not found on PyPI")]}
    code, lines = audit.verdict(0, data, "")
    assert code == 1
    assert "private-tool" in lines[-1]


@pytest.mark.parametrize(
    ("stderr", "expected_code"),
    [("requests.exceptions.ConnectionError: Failed to resolve 'advisories'", 0), ("Traceback: KeyError", 1)],
)
def test_pip_audit_that_did_not_run(stderr, expected_code):
    code, lines = audit.verdict(1, None, stderr)
    assert code == expected_code
    assert "passed" not in lines[0]
