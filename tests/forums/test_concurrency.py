"""Parallel coordinators on the same session, each in its own thread and database connection."""

import threading

import pytest
from django.db import connection
from django.test import Client

from agencies.models import KmRole, Organization
from forums import services
from forums.models import AgencyTurnout, Attendance, ForumSession
from tests.factories import make_attendance, make_person, make_session, make_user

pytestmark = pytest.mark.usefixtures("reference_db")
WRITERS = 8
Status = Attendance.Status


def run_in_parallel(work):
    """Runs work(index) in WRITERS threads started together; returns their results or raises their error."""
    barrier = threading.Barrier(WRITERS)
    results, errors = [None] * WRITERS, []

    def target(index):
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as exc:  # handed back to the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if errors:
        raise errors[0]
    return results


def test_parallel_writers_lose_nothing_and_every_conflict_is_reported():
    session = make_session()
    contested = make_attendance(session, make_person("CDD", KmRole.EUA))
    own_rows = [make_attendance(session, make_person("WU", KmRole.EUA)) for _ in range(WRITERS)]
    wanted = [Status.PRESENT, Status.LATE, Status.ABSENT, Status.EXCUSED] * 2

    def work(index):
        # Every writer saw version 1 of the contested row and marks its own person at the same time.
        marks = [
            services.Mark(contested.pk, wanted[index], 1),
            services.Mark(own_rows[index].pk, Status.PRESENT, 1),
        ]
        return services.save_marks(session, marks)

    results = run_in_parallel(work)

    # Each writer's own person is saved: nothing lost.
    assert set(
        session.attendances.filter(pk__in=[r.pk for r in own_rows]).values_list("status", flat=True)
    ) == {Status.PRESENT}
    contested.refresh_from_db()
    winners = [i for i, r in enumerate(results) if any(a.pk == contested.pk for a in r.saved)]
    assert len(winners) == 1
    assert contested.status == wanted[winners[0]] and contested.version == 2
    # Everyone else either asked for what the winner saved (no change) or was told of the conflict.
    for index, result in enumerate(results):
        if index in winners:
            continue
        if wanted[index] == contested.status:
            assert not result.conflicts
        else:
            assert [c.attendance.pk for c in result.conflicts] == [contested.pk]
    assert Attendance.history.filter(id=contested.pk, history_type="~").count() == 1


def test_parallel_walk_ins_of_the_same_person_make_one_row():
    session = make_session()
    person = make_person("NFE", KmRole.AMNUAY)
    rows = run_in_parallel(lambda index: services.add_walk_in(session, person))
    assert session.attendances.filter(person=person).count() == 1
    assert len({row.pk for row in rows}) == 1


def test_parallel_marks_of_different_people_keep_the_turnout_exact():
    session = make_session()
    rows = [make_attendance(session, make_person("WU", KmRole.EUA)) for _ in range(WRITERS)]
    run_in_parallel(
        lambda index: services.save_marks(session, [services.Mark(rows[index].pk, Status.PRESENT, 1)])
    )
    turnout = AgencyTurnout.objects.get(session=session, organization__code="WU", role=KmRole.EUA)
    assert (turnout.invitations, turnout.attended) == (WRITERS, WRITERS)
    session.refresh_from_db()
    assert session.attended_count == WRITERS


def test_parallel_edits_of_the_same_session_keep_one_and_tell_the_others():
    session = make_session(title="เดิม")
    users = [make_user("coordinator") for _ in range(WRITERS)]
    cdd = Organization.objects.get(code="CDD").pk

    def work(index):
        client = Client()
        client.force_login(users[index])
        form = {
            "code": session.code, "title": f"ฉบับที่ {index}", "circle": "eua", "date": "2549-10-25",
            "format": "formal", "status": "planned", "version": 1, "organizer": cdd,
        }  # fmt: skip
        response = client.post(f"/forums/{session.code}/edit/", form)
        return response.status_code, response.get("Location", "")

    results = run_in_parallel(work)
    saved = [i for i, (status, location) in enumerate(results) if location == f"/forums/{session.code}/"]
    told = [i for i, (status, location) in enumerate(results) if location.endswith("/edit/") or status == 200]
    assert len(saved) == 1 and len(told) == WRITERS - 1
    session.refresh_from_db()
    assert session.title == f"ฉบับที่ {saved[0]}" and session.version == 2
    assert ForumSession.history.filter(id=session.pk, history_type="~").count() == 1
