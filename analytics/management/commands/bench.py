import json as json_module
import statistics
import time

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts import roles
from forums.models import Attendance, ForumSession


class Command(BaseCommand):
    help = (
        "Measures the server time (median, in-process, uncached) and query count of the dashboard, the session "
        "list and a session page against a trivial logged-in page, on the data in the current database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=15)
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, runs, json: bool, **options):
        rows = Attendance.objects.count()
        if not rows:
            raise CommandError("No attendance in this database: run seed_demo first.")
        user, _ = User.objects.get_or_create(username="bench")
        user.groups.set([Group.objects.get(name=roles.ADMINISTRATOR)])
        client = Client()
        client.force_login(user)
        # The latest executives' forum: a session of the same kind at every scale of the data.
        latest = (
            ForumSession.objects.held()
            .filter(circle="eua")
            .order_by("-date", "-code")
            .values_list("code", flat=True)
            .first()
        )
        pages = {
            "trivial": "/accounts/password/done/",
            "dashboard": "/dashboard/",
            "dashboard_all_circles": "/dashboard/?circle=",
            "session_list": "/forums/",
            "session_page": f"/forums/{latest}/",
        }
        results = {
            "attendance_rows": rows,
            "sessions": ForumSession.objects.count(),
            "vendor": connection.vendor,
        }
        for name, url in pages.items():
            client.get(url)  # warm: templates compiled, connection open
            timings = []
            for _run in range(runs):
                start = time.perf_counter()
                response = client.get(url)
                timings.append(time.perf_counter() - start)
                if response.status_code != 200:
                    raise CommandError(f"{url} answered {response.status_code}")
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            results[name] = {
                "url": url,
                "median_ms": statistics.median(timings) * 1000,
                "queries": len(queries),
            }
        trivial = results["trivial"]["median_ms"]
        for name in pages:
            results[name]["ratio"] = results[name]["median_ms"] / trivial
        if json:
            self.stdout.write(json_module.dumps(results))
            return
        self.stdout.write(f"{rows:,} attendance rows, {results['sessions']:,} sessions ({connection.vendor})")
        for name in pages:
            r = results[name]
            self.stdout.write(
                f"  {name:<24} {r['median_ms']:8.1f} ms  {r['ratio']:6.1f}×  {r['queries']:3d} queries"
            )
