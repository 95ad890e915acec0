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
from forums.models import Attendance, ForumSession

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE")


class Command(BaseCommand):
    help = (
        "Measures the check-in with 300 invitees: saving all 300 marks in one request and one tap (server time, "
        "median, as a ratio to a trivial logged-in page; query counts) and the size of the check-in page. Each "
        "request commits, as in production (a transaction held open over many saves of the same rows would pile "
        "up row versions that production never sees); the bench's session, people and their history are "
        "deleted at the end."
    )

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=9)
        parser.add_argument("--invitees", type=int, default=300)
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, runs, invitees, json: bool, **options):
        with transaction.atomic():
            session, people = self._venue(invitees)
        try:
            results = self._measure(session, runs, invitees)
        finally:
            with transaction.atomic():
                pk = session.pk
                session.delete()  # its rows' deletion writes history records too: removed after it
                ForumSession.history.filter(id=pk).delete()
                Attendance.history.filter(session_id=pk).delete()
                Person.objects.filter(pk__in=[person.pk for person in people]).delete()
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

    def _venue(self, invitees):
        organization = Organization.objects.filter(kind=Organization.Kind.AGENCY).order_by("code").first()
        tag = uuid.uuid4().hex[:6].upper()
        people = Person.objects.bulk_create(
            Person(code=f"BENCH{tag}{i:05d}", first_name=f"ทดสอบ{i}", last_name="วัดเวลา", role=KmRole.EUA,
                   organization=organization)
            for i in range(invitees)
        )  # fmt: skip
        session = ForumSession.objects.create(
            code=f"BENCH-{tag}", title="bench", circle="eua", date=timezone.localdate(),
            status=ForumSession.Status.HELD, organizer=organization,
        )  # fmt: skip
        services.invite(session, people)
        return session, people

    def _measure(self, session, runs, invitees):
        user = User.objects.create(username=f"bench-checkin-{session.code.lower()}")
        user.groups.set([Group.objects.get(name=roles.ADMINISTRATOR)])
        try:
            return self._requests(session, user, runs, invitees)
        finally:
            user.delete()

    def _requests(self, session, user, runs, invitees):
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

        def counted_queries(request, run):
            body = request.prepare(run)
            with CaptureQueriesContext(connection) as queries:
                request.send(body)
            # A request's transaction is not a query: BEGIN and COMMIT (SQLite logs them; PostgreSQL's driver does
            # not), or a savepoint pair when the bench itself runs inside a transaction (its test).
            return len([q for q in queries if q["sql"].split()[0].upper() not in TRANSACTION_CONTROL])

        def timed(requests):
            """Each request once per run, in turn (the trivial page beside the others, so that a slower moment of
            the machine weighs on both sides of a ratio); the median of each."""
            for request in requests.values():
                request()  # warm
            timings = {name: [] for name in requests}
            for run in range(runs):
                for name, request in requests.items():
                    body = request.prepare(run)
                    start = time.perf_counter()
                    response = request.send(body)
                    timings[name].append(time.perf_counter() - start)
                    assert response.status_code == 200, response.status_code
            return {
                name: {
                    "median_ms": statistics.median(timings[name]) * 1000,
                    "queries": counted_queries(request, runs),
                }
                for name, request in requests.items()
            }

        class Trivial:
            def __call__(self):
                client.get("/accounts/password/done/")

            def prepare(self, run):
                return None

            def send(self, body):
                return client.get("/accounts/password/done/")

        class Sync:
            """Marks the first `count` rows with a status none of them has: save-all alternates present and late,
            the tap that follows it in the same run marks its row absent."""

            def __init__(self, count, statuses):
                self.count, self.statuses = count, statuses

            def __call__(self):
                self.send(self.prepare(1))  # not the status of run 0

            def prepare(self, run):
                return ops(current()[: self.count], self.statuses[run % len(self.statuses)])

            def send(self, body):
                return client.post(sync_url, body, content_type="application/json")

        results = timed(
            {
                "trivial": Trivial(),
                "save_all": Sync(invitees, ("late", "present")),
                "tap": Sync(1, ("absent",)),
            }
        )
        for name in results:
            results[name]["ratio"] = results[name]["median_ms"] / results["trivial"]["median_ms"]
        with CaptureQueriesContext(connection) as queries:
            page = client.get(f"/forums/{session.code}/checkin/")
        results["checkin_page"] = {"bytes": len(page.content), "queries": len(queries)}
        results["invitees"] = invitees
        return results
