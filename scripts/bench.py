"""`make bench`: every heavy page and export at about 10,000 and at over 1,000,000 attendance rows, uncached and
cached, each as a ratio to a trivial logged-in page measured alternately in the same run; PASS/FAIL against the
targets. `--load` adds a load run (gunicorn and wrk on loopback) on the large dataset.

The two datasets are the demo at pilot scale and at province scale, built once in their own databases and reused:
on PostgreSQL when DATABASE_URL points there (databases <name>_bench_small and <name>_bench_large), otherwise in
SQLite files under var/.

`--region` (`make bench-region`) measures the same pages at about 10,000,000 rows instead of the province: the demo
at region scale in <name>_bench_region, against the small size, with a target of 10× the trivial page uncached.
"""

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SIZES = {"small": "pilot", "large": "province", "region": "region"}
# Uncached, as a ratio to the trivial page, at the size compared with the small one.
UNCACHED_LIMITS = {"large": 5.0, "region": 10.0}
CACHED_LIMIT = 1.5
HTML_LIMIT = 200 * 1024
LOAD_SECONDS = 10


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


def environment(url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "bench-only-secret-key-" + "b" * 40),
        "DJANGO_SECURE": "0",
        "DJANGO_STATIC_MANIFEST": "0",
        "DJANGO_ALLOWED_HOSTS": "testserver,127.0.0.1",
    }


def manage(url: str, *args, capture=False):
    return subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=environment(url),
        check=True,
        text=True,
        capture_output=capture,
    )


def prepare(size: str, url: str):
    if url.startswith("postgres"):
        ensure_postgres_database(url)
    manage(url, "migrate", "--verbosity", "0")
    count = manage(url, "shell", "-c", "from forums.models import Attendance; print(Attendance.objects.count())",
                   capture=True).stdout.strip().splitlines()[-1]  # fmt: skip
    if int(count) == 0:
        print(f"Building the {size} dataset ({SIZES[size]} scale); this happens once…", flush=True)
        start = time.perf_counter()
        manage(url, "seed_demo", "--scale", SIZES[size], "--force")
        print(f"  seed_demo --scale {SIZES[size]}: {time.perf_counter() - start:.0f} s", flush=True)
    # What the database's own autovacuum does after a bulk load: fresh statistics and, on PostgreSQL, the
    # visibility map too (since PostgreSQL 13 inserts alone start a vacuum), without which a count over a person's
    # thousands of attendance rows reads every one of them from the table instead of from the index.
    statement = "VACUUM ANALYZE" if url.startswith("postgres") else "ANALYZE"
    manage(
        url, "shell", "-c", f"from django.db import connection; connection.cursor().execute('{statement}')"
    )


def is_html(name: str) -> bool:
    return not name.startswith("export_")


def report(results: dict, big: str = "large") -> bool:
    small, large = results["small"], results[big]
    uncached_limit = UNCACHED_LIMITS[big]
    print(
        f"\nDatabase: {large['vendor']}; {small['attendance_rows']:,} and {large['attendance_rows']:,} rows"
    )
    print(
        f"{'page':<26} {'rows':>10} {'uncached ms':>11} {'×':>6} {'cached ms':>9} {'×':>5} {'queries':>8} {'kB':>7}"
    )
    failures = []
    for name in large["pages"]:
        broken = [size for size in ("small", big) if "error" in results[size]["pages"][name]]
        for size in ("small", big):
            page = results[size]["pages"][name]
            if "error" in page:
                print(f"{name:<26} {results[size]['attendance_rows']:>10,} ERROR {page['error']}")
                continue
            u, c = page["uncached"], page["cached"]
            print(f"{name:<26} {results[size]['attendance_rows']:>10,} {u['median_ms']:>11.1f} {u['ratio']:>6.1f}"
                  f" {c['median_ms']:>9.1f} {c['ratio']:>5.1f} {u['queries']:>4}/{c['queries']:<3}"
                  f" {u['bytes'] / 1024:>7.1f}")  # fmt: skip
        if name == "trivial":
            continue
        if broken:
            failures += [f"{name}: breaks at the {size} size" for size in broken]
            continue
        page_big, little = large["pages"][name], small["pages"][name]
        checks = [
            (f"{name}: uncached ≤ {uncached_limit:g}× at the {big} size", page_big["uncached"]["ratio"] <= uncached_limit),
            (f"{name}: cached ≤ {CACHED_LIMIT:g}× at the {big} size", page_big["cached"]["ratio"] <= CACHED_LIMIT),
            (
                f"{name}: same query counts at both sizes",
                (page_big["uncached"]["queries"], page_big["cached"]["queries"])
                == (little["uncached"]["queries"], little["cached"]["queries"]),
            ),
        ]  # fmt: skip
        if is_html(name):
            checks.append((f"{name}: at most 200 kB of HTML", page_big["uncached"]["bytes"] <= HTML_LIMIT))
        failures += [label for label, ok in checks if not ok]
    print(
        "\nAfter a write (the first request after one held session is saved: its month's figures and its people's"
        "\nreach recounted; measured, no limit set):"
    )
    for name in large.get("after_write", {}):
        cells = [
            f"{results[size]['after_write'][name]['median_ms']:8.1f} ms {results[size]['after_write'][name]['ratio']:6.1f}×"
            for size in ("small", big)
            if name in results[size].get("after_write", {})
        ]
        print(f"{name:<26} " + "   ".join(cells))
    print()
    passed = sum(1 for name in large["pages"] if name != "trivial") * 3
    print(f"{len(failures)} of about {passed} checks FAIL:" if failures else "PASS: every check")
    for label in failures:
        print(f"FAIL  {label}")
    return not failures


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wrk(url: str, cookie: str, connections: int, seconds: int) -> subprocess.Popen:
    return subprocess.Popen(
        [
            "wrk",
            "-t",
            "1",
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "-H",
            f"Cookie: sessionid={cookie}",
            url,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )


def _requests_per_second(process: subprocess.Popen) -> float:
    output = process.communicate()[0]
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    return float(match.group(1)) if match else 0.0


def load_run(url: str) -> bool:
    """gunicorn with 3 workers on loopback; the trivial page alone, then while three users keep the heaviest
    view (the all-circles agency drill-down) open."""
    if not shutil.which("wrk"):
        print("\nLoad run: wrk is not installed (apt-get install wrk); skipped.")
        return False
    cookie = manage(url, "shell", "-c", (
        "from django.contrib.auth.models import User; from django.test import Client; "
        "c = Client(); c.force_login(User.objects.get(username='bench')); print(c.cookies['sessionid'].value)"
    ), capture=True).stdout.strip().splitlines()[-1]  # fmt: skip
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "kmportal.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "3"],
        cwd=ROOT,
        env=environment(url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(5)
        trivial, heavy = f"{base}/accounts/password/done/", f"{base}/dashboard/agencies/CDD/?circle="
        subprocess.run(["wrk", "-t", "1", "-c", "1", "-d", "2s", "-H", f"Cookie: sessionid={cookie}", heavy],
                       capture_output=True, check=False)  # fmt: skip
        alone = _requests_per_second(_wrk(trivial, cookie, 4, LOAD_SECONDS))
        users = _wrk(heavy, cookie, 3, LOAD_SECONDS + 2)
        time.sleep(1)
        loaded = _requests_per_second(_wrk(trivial, cookie, 4, LOAD_SECONDS))
        heavy_rate = _requests_per_second(users)
    finally:
        server.terminate()
        server.wait(timeout=30)
    ok = loaded >= alone / 2
    print(f"\nLoad run (gunicorn, 3 workers, wrk {LOAD_SECONDS} s on loopback):")
    print(f"  trivial page alone: {alone:.1f} req/s")
    print(f"  trivial page while three users hold the all-circles drill-down: {loaded:.1f} req/s"
          f" (the drill-down served {heavy_rate:.1f} req/s)")  # fmt: skip
    print(
        f"{'PASS' if ok else 'FAIL'}  three users on the heaviest view do not halve the trivial page's throughput"
    )
    return ok


def checkin_report(url: str) -> bool:
    """Saving 300 marks at once and one tap (forums' bench_checkin, in a rolled-back transaction)."""
    checkin = json.loads(manage(url, "bench_checkin", "--json", capture=True).stdout.strip().splitlines()[-1])
    save_all, tap, page = checkin["save_all"], checkin["tap"], checkin["checkin_page"]
    print("\nCheck-in with 300 invitees:")
    print(
        f"  save-all {save_all['median_ms']:.1f} ms, {save_all['ratio']:.1f}× trivial, {save_all['queries']} queries"
    )
    print(f"  one tap {tap['median_ms']:.1f} ms, {tap['ratio']:.1f}× trivial, {tap['queries']} queries")
    print(f"  check-in page {page['bytes'] / 1000:.0f} kB, {page['queries']} queries")
    checks = [
        ("save-all of 300 marks within 5× the trivial page", save_all["ratio"] <= 5),
        ("save-all of 300 marks in at most 10 queries", save_all["queries"] <= 10),
        ("one tap in at most 12 queries", tap["queries"] <= 12),
        ("check-in page of 300 invitees under 150 kB", page["bytes"] < 150_000),
    ]
    for label, passed in checks:
        print(f"{'PASS' if passed else 'FAIL'}  {label}")
    return all(passed for _label, passed in checks)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--load", action="store_true", help="Add the load run (gunicorn and wrk).")
    parser.add_argument("--json", type=Path, help="Also write the raw results to this file.")
    parser.add_argument(
        "--region",
        action="store_true",
        help="Measure the region (about 10,000,000 rows, target 10× uncached) instead of the province.",
    )
    args = parser.parse_args()
    big = "region" if args.region else "large"
    results = {}
    for size in ("small", big):
        url = database_url(size)
        prepare(size, url)
        output = manage(url, "bench", "--json", "--runs", str(args.runs), capture=True).stdout
        results[size] = json.loads(output.strip().splitlines()[-1])
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    ok = report(results, big)
    if not args.region:  # 300 invitees whatever the size: measured with `make bench`
        ok = checkin_report(database_url("small")) and ok
    if args.load:
        ok = load_run(database_url(big)) and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
