"""`make bench`: the dashboard, the session list and a session page at about 10,000 and at over 1,000,000
attendance rows, each as a ratio to a trivial logged-in page measured in the same run.

The two datasets are the demo at pilot scale and at province scale, built once in their own databases and reused:
on PostgreSQL when DATABASE_URL points there (databases <name>_bench_small and <name>_bench_large), otherwise in
SQLite files under var/.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SIZES = {"small": "pilot", "large": "province"}


def database_url(size: str) -> str:
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(base)
        return urlunsplit(parts._replace(path=f"{parts.path}_bench_{size}"))
    return f"sqlite:///{ROOT / 'var' / f'bench-{size}.sqlite3'}"


def ensure_postgres_database(url: str):
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def manage(url: str, *args, capture=False):
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "bench-only-secret-key-" + "b" * 40),
        "DJANGO_SECURE": "0",
        "DJANGO_STATIC_MANIFEST": "0",
        "DJANGO_ALLOWED_HOSTS": "testserver",
    }
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, text=True, capture_output=capture
    )


def prepare(size: str, url: str):
    if url.startswith("postgres"):
        ensure_postgres_database(url)
    manage(url, "migrate", "--verbosity", "0")
    count = manage(url, "shell", "-c", "from forums.models import Attendance; print(Attendance.objects.count())",
                   capture=True).stdout.strip().splitlines()[-1]  # fmt: skip
    if int(count) == 0:
        print(f"Building the {size} dataset ({SIZES[size]} scale); this happens once…", flush=True)
        manage(url, "seed_demo", "--scale", SIZES[size], "--force")
    # Fresh statistics, as the database's own autovacuum would have after a bulk load.
    manage(url, "shell", "-c", "from django.db import connection; connection.cursor().execute('ANALYZE')")


def main():
    results = {}
    for size in SIZES:
        url = database_url(size)
        prepare(size, url)
        output = manage(url, "bench", "--json", capture=True).stdout.strip().splitlines()[-1]
        results[size] = json.loads(output)
    small, large = results["small"], results["large"]
    print(f"\nDatabase: {large['vendor']}")
    print(f"{'page':<24} {'rows':>10} {'median ms':>10} {'× trivial':>10} {'queries':>8}")
    for name in ("trivial", "dashboard", "dashboard_all_circles", "session_list", "session_page"):
        for size in SIZES:
            r = results[size]
            print(f"{name:<24} {r['attendance_rows']:>10,} {r[name]['median_ms']:>10.1f} {r[name]['ratio']:>10.1f}"
                  f" {r[name]['queries']:>8}")  # fmt: skip
    checks = [
        ("dashboard at the large size within 10× the trivial page", large["dashboard"]["ratio"] <= 10),
        ("dashboard large/small time ratio within 1.3", large["dashboard"]["ratio"] <= 1.3 * small["dashboard"]["ratio"]),
        *(
            (f"{name} query count the same at both sizes", small[name]["queries"] == large[name]["queries"])
            for name in ("dashboard", "session_list", "session_page")
        ),
    ]  # fmt: skip
    print(
        f"\ndashboard large/small (in trivial-page units): {large['dashboard']['ratio'] / small['dashboard']['ratio']:.2f}"
    )
    for label, ok in checks:
        print(f"{'PASS' if ok else 'MISS'}  {label}")
    # The check-in with 300 invitees (forums' bench_checkin, in a rolled-back transaction of the small dataset).
    checkin = json.loads(
        manage(database_url("small"), "bench_checkin", "--json", capture=True).stdout.splitlines()[-1]
    )
    print(f"\ncheck-in, 300 invitees: save-all {checkin['save_all']['ratio']:.1f}× trivial, {checkin['save_all']['queries']}"
          f" queries; one tap {checkin['tap']['queries']} queries; page {checkin['checkin_page']['bytes'] / 1000:.0f} kB")  # fmt: skip


if __name__ == "__main__":
    main()
