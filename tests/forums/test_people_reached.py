"""PersonReach, the summary "people reached" counts: always the distinct people who came to held sessions, after
any write (marks, walk-ins removed, status changes, deleted sessions), and never a cost of the check-in."""

import uuid

import pytest
from django.utils import timezone

from agencies.models import KmRole
from analytics.metrics import Scope, compute
from analytics.views import _people_reached
from forums import services, summaries
from forums.models import Attendance, ForumSession, PersonReach, ReachMask
from tests.factories import make_attendance, make_person, make_session
from tests.forums.test_write_path import form_data

pytestmark = pytest.mark.django_db


ALL = Scope()


def raw(scope=ALL):
    """From the attendance rows themselves."""
    rows = Attendance.objects.filter(status__in=Attendance.ATTENDED, session__in=scope.sessions())
    if scope.roles:
        rows = rows.filter(role__in=scope.roles)
    return rows.values("person_id").distinct().count()


def reached(scope=ALL):
    return _people_reached(compute(scope))


@pytest.fixture
def two_sessions():
    first = make_session(status="held", circle="eua")
    second = make_session(status="held", circle="all")
    a, b, c = make_person("CDD"), make_person("WU", role=KmRole.KIT), make_person("BAAC")
    make_attendance(first, a, status="present")
    make_attendance(first, b, status="late")
    make_attendance(second, a, status="present")
    make_attendance(second, c, status="absent")
    summaries.refresh([first.pk, second.pk])
    return first, second, (a, b, c)


def test_counts_match_the_rows_for_every_scope(two_sessions):
    for scope in (
        Scope(),
        Scope(circle="eua"),
        Scope(circle="all"),
        Scope(roles=("kit",)),
        Scope(roles=("eua",)),
    ):
        assert reached(scope) == raw(scope), scope
    assert reached() == 2


def test_a_cancelled_session_and_a_deleted_session_stop_counting(two_sessions):
    first, _second, (_a, b, _c) = two_sessions
    assert reached() == 2
    first.status = ForumSession.Status.CANCELLED
    first.save()
    assert reached() == raw() == 1  # b came only to the cancelled session
    first.status = ForumSession.Status.HELD
    first.save()
    assert reached() == 2
    first.delete()
    assert reached() == raw() == 1
    assert not PersonReach.objects.filter(person=b).exists()


def test_a_removed_walk_in_stops_counting(two_sessions):
    _first, second, _people = two_sessions
    newcomer = make_person("GHB")
    row = services.add_walk_in(second, newcomer, Attendance.Status.PRESENT)
    assert reached() == 3
    op = services.CheckinOp(uuid.uuid4(), services.CheckinOpKind.REMOVE_WALK_IN, timezone.now(), row.pk)
    (outcome,) = services.apply_checkin_ops(second, [op])
    assert outcome.result == "saved"
    assert reached() == raw() == 2


@pytest.mark.parametrize("through", ["save", "update_fields", "admin"])
def test_a_session_moved_to_another_circle_or_tambon_counts_its_people_there_only(
    two_sessions, admin_client_portal, through
):
    """The lazy recount reads a written session's own circle and tambon only: the place it left is recounted
    when it moves, from any path that saves it."""
    first, _second, (_a, b, _c) = two_sessions  # b came only to the first session (executives', no tambon)
    assert reached(Scope(circle="eua")) == 2
    for circle, tambon in (("eua_amnuay", None), ("eua_amnuay", "800106"), ("eua", "800119")):
        session = ForumSession.objects.get(pk=first.pk)
        if through == "admin":
            url = f"/admin/forums/forumsession/{session.pk}/change/"
            data = form_data(admin_client_portal.get(url), "forumsession_form")
            data.update(circle=circle, tambon=tambon or "")
            assert admin_client_portal.post(url, data).status_code == 302
        else:
            session.circle, session.tambon_id = circle, tambon
            session.save(**({"update_fields": ["circle", "tambon"]} if through == "update_fields" else {}))
        for scope in (
            Scope(),
            Scope(circle="eua"),
            Scope(circle="eua_amnuay"),
            Scope(tambon="800106"),
            Scope(tambon="800119"),
            Scope(circle="eua", tambon="800119"),
            Scope(roles=("kit",)),
        ):
            assert reached(scope) == raw(scope), (circle, tambon, scope)
    assert sorted(PersonReach.objects.filter(person=b).values_list("circle", "tambon_id", "sessions")) == [
        ("eua", "800119", 1)
    ]


def test_a_mark_recounts_its_peoples_reach_in_its_own_place_only(two_sessions):
    """A recount after a mark rewrites its people's counts for the written session's circle and tambon, and
    leaves their counts elsewhere (however many sessions those hold) as they were."""
    _first, second, (a, _b, _c) = two_sessions
    for _ in range(5):
        make_attendance(make_session(status="held", circle="all", tambon="800106"), a, status="present")
    summaries.refresh_reach()
    elsewhere = PersonReach.objects.get(person=a, circle="all", tambon_id="800106")
    assert elsewhere.sessions == 5
    row = Attendance.objects.get(session=second, person=a)
    services.save_marks(second, [services.Mark(row.pk, "absent", row.version)])
    assert summaries.refresh_reach() == 1
    assert PersonReach.objects.get(person=a, circle="all", tambon_id="800106").pk == elsewhere.pk
    assert not PersonReach.objects.filter(person=a, circle="all", tambon_id=None).exists()
    for scope in (Scope(), Scope(circle="all"), Scope(tambon="800106"), Scope(circle="eua")):
        assert reached(scope) == raw(scope), scope


def test_nothing_to_recount_after_a_recount(two_sessions, django_assert_num_queries):
    summaries.refresh_reach()
    with django_assert_num_queries(1):
        assert summaries.refresh_reach() == 0


def test_rebuild_gives_the_same_rows(two_sessions):
    summaries.refresh_reach()
    before = sorted(PersonReach.objects.values_list("person_id", "circle", "role", "tambon_id", "sessions"))
    summaries.rebuild_reach()
    after = sorted(PersonReach.objects.values_list("person_id", "circle", "role", "tambon_id", "sessions"))
    assert before == after and len(after) == 3
    assert not ForumSession.objects.filter(reach_stale=True).exists()


@pytest.mark.parametrize("one_by_one", [32, 0])
def test_the_mask_counts_move_with_each_recount_as_a_full_rewrite_would_have_them(
    two_sessions, monkeypatch, one_by_one
):
    monkeypatch.setattr(summaries, "MASKS_CHANGED_ONE_BY_ONE", one_by_one)  # 0: always the full rewrite
    first, second, (a, b, _c) = two_sessions

    def masks():
        summaries.refresh_reach()
        return sorted(ReachMask.objects.values_list("mask", "people"))

    def rewritten():
        summaries.write_reach_masks()
        return sorted(ReachMask.objects.values_list("mask", "people"))

    seen = set()
    newcomer = make_person("GHB", role=KmRole.AMNUAY)
    row = services.add_walk_in(first, newcomer, Attendance.Status.PRESENT)  # a new combination
    steps = [
        lambda: services.add_walk_in(second, b, Attendance.Status.LATE),  # b in a second circle
        lambda: first.attendances.filter(person=a).update(status="absent") and summaries.refresh([first.pk]),
        lambda: services.apply_checkin_ops(
            first,
            [services.CheckinOp(uuid.uuid4(), services.CheckinOpKind.REMOVE_WALK_IN, timezone.now(), row.pk)],
        ),
        lambda: ForumSession.objects.get(pk=second.pk).delete(),
    ]
    for step in steps:
        step()
        now = masks()
        seen.add(tuple(now))
        assert now == rewritten()
        assert sum(people for _mask, people in now) == raw()
    assert len(seen) == len(steps)  # every step moved someone
