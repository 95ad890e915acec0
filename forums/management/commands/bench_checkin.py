import json as json_module
import statistics
import time
import uuid

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import roles
from agencies.models import KmRole, Organization, Person
from forums import services
from forums.models import ForumSession


class _RolledBack(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Measures the check-in with 300 invitees: saving all 300 marks in one request and one tap (server time, "
        "median, as a ratio to a trivial logged-in page; query counts) and the size of the check-in page. Works "
        "in a transaction that is rolled back: the database is left as it was."
    )

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=9)
        parser.add_argument("--invitees", type=int, default=300)
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, runs, invitees, json: bool, **options):
        results = {}
        try:
            with transaction.atomic():
                results = self._measure(runs, invitees)
                raise _RolledBack
        except _RolledBack:
            pass
        if json:
            self.stdout.write(json_module.dumps(results))
            return
        for name in ("trivial", "save_all", "tap"):
            r = results[name]
            self.stdout.write(
                f"  {name:<10} {r['median_ms']:8.1f} ms  {r['ratio']:6.1f}×  {r['queries']:3d} queries"
            )
        page = results["checkin_page"]
        self.stdout.write(
            f"  check-in page of {invitees}: {page['bytes'] / 1000:.0f} kB, {page['queries']} queries"
        )

    def _measure(self, runs, invitees):
        organization = Organization.objects.filter(kind=Organization.Kind.AGENCY).order_by("code").first()
        people = Person.objects.bulk_create(
            Person(code=f"BENCH{i:05d}", first_name=f"ทดสอบ{i}", last_name="วัดเวลา", role=KmRole.EUA,
                   organization=organization)
            for i in range(invitees)
        )  # fmt: skip
        session = ForumSession.objects.create(
            code=f"BENCH-{uuid.uuid4().hex[:8]}", title="bench", circle="eua", date=timezone.localdate(),
            status=ForumSession.Status.HELD, organizer=organization,
        )  # fmt: skip
        services.invite(session, people)
        user, _ = User.objects.get_or_create(username="bench-checkin")
        user.groups.set([Group.objects.get(name=roles.ADMINISTRATOR)])
        client = Client()
        client.force_login(user)
        sync_url = f"/forums/{session.code}/checkin/sync/"

        def ops(rows, status):
            return json_module.dumps(
                {"ops": [{"clientId": str(uuid.uuid4()), "kind": "mark", "attendanceId": pk, "status": status,
                          "version": version, "madeAt": timezone.now().isoformat()} for pk, version in rows]}
            )  # fmt: skip

        def current():
            return list(session.attendances.order_by("pk").values_list("pk", "version"))

        def timed(request):
            request()  # warm
            timings = []
            for run in range(runs):
                body = request.prepare(run)
                start = time.perf_counter()
                response = request.send(body)
                timings.append(time.perf_counter() - start)
                assert response.status_code == 200, response.status_code
            body = request.prepare(runs)
            with CaptureQueriesContext(connection) as queries:
                request.send(body)
            # The savepoint pair is this bench's own (it works in a transaction it rolls back); a request in
            # production opens the transaction itself, which PostgreSQL's driver does not count as a query.
            counted = [q for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
            return {"median_ms": statistics.median(timings) * 1000, "queries": len(counted)}

        class Trivial:
            def __call__(self):
                client.get("/accounts/password/done/")

            def prepare(self, run):
                return None

            def send(self, body):
                return client.get("/accounts/password/done/")

        class Sync:
            def __init__(self, count):
                self.count = count

            def __call__(self):
                self.send(self.prepare(0))

            def prepare(self, run):
                return ops(current()[: self.count], "present" if run % 2 else "late")

            def send(self, body):
                return client.post(sync_url, body, content_type="application/json")

        results = {"trivial": timed(Trivial()), "save_all": timed(Sync(invitees)), "tap": timed(Sync(1))}
        for name in results:
            results[name]["ratio"] = results[name]["median_ms"] / results["trivial"]["median_ms"]
        with CaptureQueriesContext(connection) as queries:
            page = client.get(f"/forums/{session.code}/checkin/")
        results["checkin_page"] = {"bytes": len(page.content), "queries": len(queries)}
        results["invitees"] = invitees
        return results
