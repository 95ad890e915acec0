import datetime as dt

import pytest
from django.utils import timezone, translation

from agencies.models import KmRole, Organization
from forums import services
from forums.models import Attendance, Circle, ForumSession
from tests.factories import (
    make_attendance,
    make_community_organization,
    make_person,
    make_session,
    make_user,
    rest_absent,
)

pytestmark = pytest.mark.django_db
Status = Attendance.Status


@pytest.fixture
def cast():
    """Executives of two agencies, the chair, facilitators and practitioners of two tambons."""
    people = {
        "cdd_eua": make_person("CDD", KmRole.EUA),
        "wu_eua": make_person("WU", KmRole.EUA),
        "chair": make_person("PROV", KmRole.EUA, is_chair=True),
        "deputy": make_person("PROV", KmRole.EUA),
        "retired": make_person("CDD", KmRole.EUA, is_active=False),
        "cdd_amnuay": make_person("CDD", KmRole.AMNUAY),
        "tha_rai_amnuay": make_person("NFE", KmRole.AMNUAY, tambon_id="800106"),
        "bang_chak_amnuay": make_person("NFE", KmRole.AMNUAY, tambon_id="800119"),
    }
    for tambon, key in (("800106", "tha_rai_kit"), ("800119", "bang_chak_kit")):
        people[key] = make_person(make_community_organization(tambon), KmRole.KIT, tambon_id=tambon)
    return people


def codes(people):
    return {p.code for p in people}


def test_executives_circle_invites_agency_executives_and_the_chair_only(cast):
    session = make_session(circle=Circle.EUA)
    invited = codes(services.proposed_invitees(session))
    assert invited == codes([cast["cdd_eua"], cast["wu_eua"], cast["chair"]])


def test_two_party_circle_adds_facilitators_of_the_tambon_or_province(cast):
    session = make_session(circle=Circle.EUA_AMNUAY, tambon="800106")
    invited = codes(services.proposed_invitees(session))
    assert codes([cast["cdd_amnuay"], cast["tha_rai_amnuay"], cast["cdd_eua"]]) <= invited
    assert cast["bang_chak_amnuay"].code not in invited
    assert cast["tha_rai_kit"].code not in invited


def test_three_party_circle_adds_practitioners_of_the_tambon(cast):
    invited = codes(services.proposed_invitees(make_session(circle=Circle.ALL, tambon="800119")))
    assert cast["bang_chak_kit"].code in invited and cast["tha_rai_kit"].code not in invited


def test_provincial_three_party_circle_adds_practitioners_of_the_pilot_tambons(cast):
    invited = codes(services.proposed_invitees(make_session(circle=Circle.ALL)))
    assert {cast["bang_chak_kit"].code, cast["tha_rai_kit"].code} <= invited


def test_invite_snapshots_role_and_organization_and_does_not_duplicate(cast):
    session = make_session()
    assert services.invite(session, [cast["cdd_eua"], cast["wu_eua"]]) == 2
    assert services.invite(session, [cast["cdd_eua"]]) == 0
    row = session.attendances.get(person=cast["cdd_eua"])
    cast["cdd_eua"].organization = Organization.objects.get(code="BAAC")
    cast["cdd_eua"].role = KmRole.AMNUAY
    cast["cdd_eua"].save()
    row.refresh_from_db()
    assert (row.organization.code, row.role) == ("CDD", KmRole.EUA)


def test_save_marks_applies_sets_check_in_time_and_bumps_versions(cast):
    session = make_session(date=timezone.localdate())
    services.invite(session, [cast["cdd_eua"], cast["wu_eua"]])
    a, b = session.attendances.order_by("pk")
    result = services.save_marks(
        session, [services.Mark(a.pk, Status.PRESENT, 1), services.Mark(b.pk, Status.ABSENT, 1)]
    )
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, a.version, a.checked_in_at is not None) == (Status.PRESENT, 2, True)
    assert (b.status, b.version, b.checked_in_at) == (Status.ABSENT, 2, None)
    assert len(result.saved) == 2 and not result.conflicts
    session.refresh_from_db()
    assert session.status == ForumSession.Status.HELD  # attendance on the day: the session was held


def test_a_stale_mark_is_a_conflict_and_never_overwrites(cast):
    session = make_session()
    services.invite(session, [cast["cdd_eua"]])
    row = session.attendances.get()
    services.save_marks(session, [services.Mark(row.pk, Status.PRESENT, 1)])  # the first coordinator
    result = services.save_marks(
        session, [services.Mark(row.pk, Status.ABSENT, 1)]
    )  # the second, on version 1
    row.refresh_from_db()
    assert row.status == Status.PRESENT and row.version == 2
    assert [c.attendance.pk for c in result.conflicts] == [row.pk]
    assert cast["cdd_eua"].first_name in result.conflicts[0].message()


def test_the_same_mark_sent_twice_is_no_conflict_and_no_change(cast):
    session = make_session()
    services.invite(session, [cast["cdd_eua"]])
    row = session.attendances.get()
    services.save_marks(session, [services.Mark(row.pk, Status.LATE, 1)])
    again = services.save_marks(session, [services.Mark(row.pk, Status.LATE, 1)])
    assert again.unchanged == 1 and not again.conflicts and not again.saved
    assert Attendance.history.filter(id=row.pk).count() == 2  # created, marked once


@pytest.mark.parametrize(
    ("setup", "mark_status", "message"),
    [
        ("walk_in", Status.ABSENT, "walk-in"),
        ("invited", Status.REPRESENTED, "representative"),
        ("invited", "maybe", "not an attendance status"),
        ("cancelled", Status.PRESENT, "cancelled"),
    ],
)
def test_marks_that_break_a_rule_are_refused_and_nothing_is_written(cast, setup, mark_status, message):
    session = make_session(status="cancelled" if setup == "cancelled" else "planned")
    other = make_attendance(session, cast["wu_eua"])
    row = make_attendance(
        session, cast["cdd_eua"], invited=setup != "walk_in", status="present" if setup == "walk_in" else ""
    )
    with (
        pytest.raises(services.MarkError, match=message),
        translation.override("en"),
    ):
        services.save_marks(
            session, [services.Mark(other.pk, Status.PRESENT, 1), services.Mark(row.pk, mark_status, 1)]
        )
    other.refresh_from_db()
    assert other.status == "" and other.version == 1


def test_represented_names_who_came_and_clears_when_changed(cast):
    session = make_session()
    row = make_attendance(session, cast["cdd_eua"])
    services.save_marks(session, [services.Mark(row.pk, Status.REPRESENTED, 1, cast["cdd_amnuay"])])
    row.refresh_from_db()
    assert row.representative == cast["cdd_amnuay"]
    services.save_marks(session, [services.Mark(row.pk, Status.ABSENT, 2)])
    row.refresh_from_db()
    assert row.representative is None and row.status == Status.ABSENT


def test_rest_absent_leaves_marked_people_alone(cast):
    session = make_session()
    marked = make_attendance(session, cast["cdd_eua"], status="present")
    unmarked = make_attendance(session, cast["wu_eua"])
    walk_in = make_attendance(session, cast["cdd_amnuay"], invited=False, status="late")
    assert rest_absent(session) == 1
    assert {a.pk: a.status for a in session.attendances.all()} == {
        marked.pk: "present",
        unmarked.pk: "absent",
        walk_in.pk: "late",
    }


def test_walk_in_is_added_once_and_an_invitee_is_marked_instead(cast):
    session = make_session()
    invited = make_attendance(session, cast["cdd_eua"])
    first = services.add_walk_in(session, cast["tha_rai_kit"])
    again = services.add_walk_in(session, cast["tha_rai_kit"], Status.LATE)
    assert first.pk == again.pk and not first.invited
    assert session.attendances.filter(person=cast["tha_rai_kit"]).count() == 1
    services.add_walk_in(session, cast["cdd_eua"])
    invited.refresh_from_db()
    assert invited.invited and invited.status == Status.PRESENT


def test_submission_token_is_used_once():
    assert services.use_token("abc") is True
    assert services.use_token("abc") is False
    assert services.use_token("") is True


def test_summary_counts_agencies_represented_out_of_invited(cast):
    session = make_session()
    make_attendance(session, cast["cdd_eua"], status="represented", representative=cast["cdd_amnuay"])
    make_attendance(session, cast["wu_eua"], status="absent")
    make_attendance(session, cast["chair"], status="present")
    baac = make_person("BAAC", KmRole.AMNUAY)
    make_attendance(session, baac, invited=False, status="present")  # a walk-in of an agency not invited
    counts = services.summary(session)
    assert counts["invited"] == 3 and counts["present"] == 1 and counts["sent_representative"] == 1
    assert counts["walk_ins"] == 1 and counts["attended"] == 2
    # CDD (representative) of CDD and WU invited; BAAC came but was not invited, PROV is not a partner.
    assert (counts["agencies_represented"], counts["agencies_invited"]) == (1, 2)


def test_summary_of_each_session_is_its_own_and_zero_when_empty(cast):
    # The summary's SQL is built once and run with each session's key (core.compiled).
    empty, one, other = make_session(), make_session(), make_session()
    make_attendance(one, cast["cdd_eua"], status="present")
    make_attendance(other, cast["wu_eua"], status="late")
    make_attendance(other, cast["cdd_eua"], status="absent")
    assert services.summary(empty) == {
        "invited": 0, "unmarked": 0, "present": 0, "late": 0, "absent": 0, "excused": 0,
        "sent_representative": 0, "walk_ins": 0, "attended": 0, "agencies_invited": 0, "agencies_represented": 0,
    }  # fmt: skip
    first, second = services.summary(one), services.summary(other)
    assert (first["invited"], first["present"], first["late"], first["agencies_represented"]) == (1, 1, 0, 1)
    assert (second["invited"], second["late"], second["absent"], second["agencies_invited"]) == (2, 1, 1, 2)
    assert second["agencies_represented"] == 1


def test_bulk_paths_record_history_with_the_user(cast):
    user = make_user("coordinator")
    session = make_session()
    services.invite(session, [cast["cdd_eua"], cast["wu_eua"]], user=user)
    rows = list(session.attendances.order_by("pk"))
    services.save_marks(session, [services.Mark(r.pk, Status.PRESENT, 1) for r in rows], user=user)
    rest_absent(session, user=user)
    history = Attendance.history.filter(session_id=session.pk)
    assert history.filter(history_type="+").count() == 2
    assert history.filter(history_type="~", status="present").count() == 2
    assert set(history.values_list("history_user", flat=True)) == {user.pk}


def test_uninvite_only_takes_off_unmarked_invitations(cast):
    session = make_session()
    marked = make_attendance(session, cast["cdd_eua"], status="present")
    unmarked = make_attendance(session, cast["wu_eua"])
    assert services.uninvite(session, [marked.pk, unmarked.pk]) == 1
    assert list(session.attendances.values_list("pk", flat=True)) == [marked.pk]
    assert Attendance.history.filter(id=unmarked.pk, history_type="-").exists()


def test_a_planned_session_in_the_future_stays_planned_when_marked(cast):
    session = make_session(date=timezone.localdate() + dt.timedelta(days=3))
    row = make_attendance(session, cast["cdd_eua"])
    services.save_marks(session, [services.Mark(row.pk, Status.EXCUSED, 1)])
    session.refresh_from_db()
    assert session.status == ForumSession.Status.PLANNED
