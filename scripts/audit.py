"""Audit the installed dependencies for known vulnerabilities with pip-audit, and never claim more than it checked.

    python scripts/audit.py        # make audit

Outcomes (the last line says which):
- every package was looked up and none has a known vulnerability: "dependency audit passed" (exit 0);
- a package has a known vulnerability, or only some packages could be looked up: the list, exit 1;
- the advisory source could not be reached at all (an intranet, or a package mirror without the vulnerability
  API): "dependency audit skipped: advisory source unreachable", exit 0 — CI says so plainly instead of reporting a
  pass. SECURITY.md says how to run the audit on a connected machine.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

PIP_AUDIT = Path(sys.executable).with_name("pip-audit")
UNREACHABLE = (
    "ConnectionError",
    "NameResolutionError",
    "Max retries exceeded",
    "Failed to resolve",
    "timed out",
)


def run_pip_audit() -> tuple[int, dict | None, str]:
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "audit.json"
        result = subprocess.run(
            [str(PIP_AUDIT), "--progress-spinner", "off", "--format", "json", "--output", str(report)],
            capture_output=True,
            text=True,
            timeout=600,
        )
        data = json.loads(report.read_text()) if report.exists() and report.stat().st_size else None
    return result.returncode, data, result.stderr


def verdict(returncode: int, data: dict | None, stderr: str) -> tuple[int, list[str]]:
    """Exit code and lines to print, from pip-audit's JSON report (or its failure)."""
    if data is None:
        if any(marker in stderr for marker in UNREACHABLE):
            return 0, ["dependency audit skipped: advisory source unreachable (pip-audit could not connect)"]
        return 1, ["dependency audit failed: pip-audit did not run", stderr.strip()[-2000:]]
    dependencies = data.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    audited = len(dependencies) - len(skipped)
    lines = [
        f"{d['name']} {d['version']}: {', '.join(v['id'] for v in d['vulns'])} (fixed in "
        f"{', '.join(sorted({fix for v in d['vulns'] for fix in v.get('fix_versions', [])})) or 'no release yet'})"
        for d in vulnerable
    ]
    if vulnerable:
        return 1, [
            *lines,
            f"dependency audit FAILED: {len(vulnerable)} of {len(dependencies)} packages vulnerable",
        ]
    if dependencies and audited == 0:
        return 0, [
            f"dependency audit skipped: advisory source unreachable (0 of {len(dependencies)} packages could be "
            "looked up; nothing was checked)"
        ]
    if skipped:
        names = ", ".join(f"{d['name']} ({d['skip_reason']})" for d in skipped)
        return 1, [f"dependency audit FAILED: {len(skipped)} packages could not be audited: {names}"]
    if returncode != 0:
        return 1, [f"dependency audit failed: pip-audit exited {returncode}", stderr.strip()[-2000:]]
    return 0, [f"dependency audit passed: {audited} packages audited, no known vulnerabilities"]


def main() -> int:
    code, lines = verdict(*run_pip_audit())
    print("\n".join(lines))
    return code


if __name__ == "__main__":
    sys.exit(main())
