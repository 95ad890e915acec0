import json as json_module
import statistics
import time

from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import roles
from forums.models import Attendance, ForumSession
from lessons import services as lesson_services
from lessons.models import LessonNote

BENCH_NOTE = "bench-all-circles-report"
EXPORTS = ["agencies", "sessions", "heatmap", "co-attendance", "monthly", "phases"]
# Measured again as the first request after a write (see after_write).
AFTER_WRITE = ["dashboard_all_circles", "export_agencies_xlsx", "export_heatmap_xlsx"]


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


class Command(BaseCommand):
    help = (
        "Measures every heavy page and export (median server time in-process, uncached and cached, query "
        "count, size) as a ratio to a trivial logged-in page measured alternately, on the current database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=9)
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def pages(self) -> dict[str, str]:
        held = ForumSession.objects.held()
        # Sessions and people of the same kind at every scale: the latest executives' forum, the next one ahead,
        # the most-invited executive.
        latest = held.filter(circle="eua").order_by("-date", "-code").values_list("code", flat=True).first()
        planned = (
            ForumSession.objects.filter(status="planned")
            .order_by("date", "code")
            .values_list("code", flat=True)
        ).first() or latest
        person = (
            Attendance.objects.filter(session__circle="eua", role="eua", organization__code="CDD")
            .values("person__code")
            .annotate(n=Count("pk"))
            .order_by("-n", "person__code")
            .values_list("person__code", flat=True)
            .first()
        )
        pages = {
            "trivial": "/accounts/password/done/",
            "dashboard": "/dashboard/",
            "dashboard_all_circles": "/dashboard/?circle=",
            "dashboard_tambon": "/dashboard/?circle=&tambon=800106",
            "dashboard_roles": "/dashboard/?circle=&roles=amnuay&roles=kit",
            "drill_agency": "/dashboard/agencies/CDD/?circle=",
            "drill_month": "/dashboard/agencies/CDD/?circle=&start=01/01/2549&end=31/01/2549",
            "drill_session": f"/forums/{latest}/",
            "drill_person": f"/people/{person}/",
            "session_list": "/forums/",
            "checkin_page": f"/forums/{planned}/checkin/",
            "tambons": "/tambons/",
            "people": "/people/",
            "lesson_search": "/lessons/search/?q=ออม",
            "public_lesson": f"/lessons/{BENCH_NOTE}/",
        }
        for table in EXPORTS:
            for extension in ("csv", "xlsx"):
                pages[f"export_{table}_{extension}"] = f"/dashboard/export/{table}.{extension}?circle="
        return pages

    def public_note(self, user):
        """A published lesson note whose report covers all circles: what an anonymous reader opens."""
        note = LessonNote.objects.filter(slug=BENCH_NOTE).first()
        if note is not None and note.is_published:
            return
        if note is None:
            note = LessonNote.objects.create(
                slug=BENCH_NOTE,
                title="บทเรียนทั้งจังหวัด (bench)",
                # Another account writes it: with review on, nobody publishes their own note.
                author=User.objects.get_or_create(username="bench-author")[0],
                body="<p>ภาพรวมการเข้าร่วมทุกวง</p>",
                report_scope={"from": None, "to": None, "circle": None, "tambon": None, "roles": None},
            )
        lesson_services.publish(note, user)

    def measure(self, client, anonymous, url, trivial, runs, cached: bool):
        page_client = anonymous if "/lessons/" in url and "search" not in url else client
        times, trivial_times = [], []
        if cached:
            page_client.get(url)
        for _run in range(runs):
            start = time.perf_counter()
            client.get(trivial)
            trivial_times.append(time.perf_counter() - start)
            if not cached:
                cache.clear()
            start = time.perf_counter()
            response = page_client.get(url)
            _body(response)
            times.append(time.perf_counter() - start)
            if response.status_code != 200:
                raise CommandError(f"{url} answered {response.status_code}")
        if not cached:
            cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = page_client.get(url)
            size = len(_body(response))
        median, trivial_median = statistics.median(times), statistics.median(trivial_times)
        return {
            "median_ms": median * 1000,
            "trivial_ms": trivial_median * 1000,
            "ratio": median / trivial_median,
            "queries": len(queries),
            "bytes": size,
        }

    def after_write(self, client, url, trivial, runs):
        """The first request after a write: one held session saved (the latest ones in turn), so that its month's
        figures and its people's reach are recounted when next read, then the cache emptied; each run in a
        transaction rolled back after the request."""
        keys = ForumSession.objects.held().order_by("-date", "-code").values_list("pk", flat=True)[:runs]
        times, trivial_times = [], []
        for pk in keys:
            start = time.perf_counter()
            client.get(trivial)
            trivial_times.append(time.perf_counter() - start)
            with transaction.atomic():
                ForumSession.objects.get(pk=pk).save()
                cache.clear()
                start = time.perf_counter()
                response = client.get(url)
                _body(response)
                times.append(time.perf_counter() - start)
                transaction.set_rollback(True)
            if response.status_code != 200:
                raise CommandError(f"{url} answered {response.status_code}")
        cache.clear()
        median, trivial_median = statistics.median(times), statistics.median(trivial_times)
        return {"median_ms": median * 1000, "ratio": median / trivial_median}

    def handle(self, *args, runs, json: bool, **options):
        rows = Attendance.objects.count()
        if not rows:
            raise CommandError("No attendance in this database: run seed_demo first.")
        user, _ = User.objects.get_or_create(username="bench")
        user.groups.set([Group.objects.get(name=roles.ADMINISTRATOR)])
        self.public_note(user)
        client, anonymous = Client(), Client()
        client.force_login(user)
        pages = self.pages()
        trivial = pages["trivial"]
        results = {
            "attendance_rows": rows,
            "sessions": ForumSession.objects.count(),
            "vendor": connection.vendor,
            "measured_at": timezone.now().isoformat(),
            "pages": {},
        }
        client.get(trivial)
        for name, url in pages.items():
            # A page that breaks at this size is a result (and a FAIL): the other pages are still measured.
            try:
                client.get(url)  # warm: templates compiled, connection open
                results["pages"][name] = {
                    "url": url,
                    "uncached": self.measure(client, anonymous, url, trivial, runs, cached=False),
                    "cached": self.measure(client, anonymous, url, trivial, runs, cached=True),
                }
            except Exception as error:
                cache.clear()
                results["pages"][name] = {"url": url, "error": f"{type(error).__name__}: {error}"}
            if not json:
                r = results["pages"][name]
                if "error" in r:
                    self.stdout.write(f"  {name:<26} ERROR {r['error']}")
                    continue
                self.stdout.write(
                    f"  {name:<26} uncached {r['uncached']['ratio']:7.1f}×  cached {r['cached']['ratio']:5.1f}×"
                    f"  {r['uncached']['queries']:3d}/{r['cached']['queries']:3d} queries"
                    f"  {r['uncached']['bytes'] / 1024:7.1f} kB"
                )
        results["after_write"] = {
            name: self.after_write(client, pages[name], trivial, runs)
            for name in AFTER_WRITE
            if "error" not in results["pages"][name]
        }
        if not json:
            for name, figures in results["after_write"].items():
                self.stdout.write(f"  {name:<26} after a write {figures['ratio']:7.1f}×")
        if json:
            self.stdout.write(json_module.dumps(results))
