import pytest

from agencies.models import KmRole
from forums import services, summaries
from forums.models import AgencyTurnout
from tests.factories import make_attendance, make_person, make_session, rest_absent

pytestmark = pytest.mark.django_db


def turnout(session):
    return {
        (t.organization.code, t.role): (t.invitations, t.attended, t.sent_representative, t.walk_ins)
        for t in AgencyTurnout.objects.filter(session=session).select_related("organization")
    }


def test_turnout_follows_every_kind_of_write():
    session = make_session()
    cdd, wu = make_person("CDD", KmRole.EUA), make_person("WU", KmRole.EUA)
    services.invite(session, [cdd, wu])
    assert turnout(session) == {("CDD", "eua"): (1, 0, 0, 0), ("WU", "eua"): (1, 0, 0, 0)}
    rows = {a.person_id: a for a in session.attendances.all()}
    services.save_marks(session, [services.Mark(rows[cdd.pk].pk, "late", 1)])
    rest_absent(session)
    services.add_walk_in(session, make_person("WU", KmRole.AMNUAY))
    assert turnout(session) == {
        ("CDD", "eua"): (1, 1, 0, 0),
        ("WU", "eua"): (1, 0, 0, 0),
        ("WU", "amnuay"): (0, 0, 0, 1),
    }
    # One row edited with every field open (the admin's path).
    row = rows[wu.pk]
    row.refresh_from_db()
    row.status, row.representative = "represented", make_person("WU", KmRole.AMNUAY)
    services.save_attendance_rows([row])
    assert turnout(session)[("WU", "eua")] == (1, 0, 1, 0)
    # Several walk-ins at once (a typed-up sheet) and taking an unmarked invitee off the list.
    services.add_walk_ins(session, [(make_person("GHB", KmRole.EUA), "present")])
    nfe = make_person("NFE", KmRole.EUA)
    services.invite(session, [nfe])
    assert turnout(session)[("NFE", "eua")] == (1, 0, 0, 0)
    services.uninvite(session, session.attendances.filter(person=nfe).values_list("pk", flat=True))
    assert ("NFE", "eua") not in turnout(session)
    assert turnout(session)[("GHB", "eua")] == (0, 0, 0, 1)


def test_import_refreshes_the_turnout_of_every_session_it_touches():
    first, second = make_session(), make_session()
    cdd, wu = make_person("CDD", KmRole.EUA), make_person("WU", KmRole.EUA)
    rows = [
        services.new_attendance(first, cdd, status="present"),
        services.new_attendance(second, wu, status="absent"),
        services.new_attendance(second, cdd, invited=False, status="late"),
    ]
    assert services.import_attendance_rows(rows) == 3
    assert turnout(first) == {("CDD", "eua"): (1, 1, 0, 0)}
    assert turnout(second) == {("WU", "eua"): (1, 0, 0, 0), ("CDD", "eua"): (0, 0, 0, 1)}
    second.refresh_from_db()
    assert (second.invited_count, second.attended_count) == (1, 1)


def test_a_save_outside_the_services_no_longer_refreshes_anything():
    """No signal: the write path is the services; a shell save is repaired by rebuild_turnout."""
    session = make_session()
    person = make_person("CDD", KmRole.EUA)
    services.invite(session, [person])
    row = session.attendances.get()
    row.status = "present"
    row.save()
    assert turnout(session) == {("CDD", "eua"): (1, 0, 0, 0)}
    summaries.rebuild()
    assert turnout(session) == {("CDD", "eua"): (1, 1, 0, 0)}


def test_people_outside_the_partner_agencies_have_no_turnout():
    session = make_session()
    make_attendance(session, make_person("PROV", KmRole.EUA, is_chair=True), status="present")
    assert turnout(session) == {}


def test_rebuild_gives_the_same_turnout_as_the_writes():
    sessions = [make_session() for _ in range(3)]
    for index, session in enumerate(sessions):
        services.invite(session, [make_person("CDD", KmRole.EUA), make_person("GHB", KmRole.AMNUAY)])
        row = session.attendances.first()
        services.save_marks(session, [services.Mark(row.pk, ["present", "absent", "excused"][index], 1)])
    before = {s.pk: turnout(s) for s in sessions}
    AgencyTurnout.objects.all().delete()
    assert summaries.rebuild(batch=2) == 3
    assert {s.pk: turnout(s) for s in sessions} == before
