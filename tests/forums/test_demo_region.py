"""The demo region (seed_demo --scale region): the demo data multiplied in the database by forums/demo_region.py,
here on the pilot with two copies, on SQLite and on PostgreSQL alike."""

import io

import pytest
from django.core.management import CommandError, call_command

from agencies.models import Person
from analytics.metrics import Scope, compute
from forums import demo_region, summaries
from forums.forms import CODE
from forums.models import AgencyTurnout, Attendance, ForumSession

pytestmark = pytest.mark.django_db

COPIES = 2
TAMBON = "800106"


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, "--force", stdout=out)
    return out.getvalue()


def attendance_of(suffix: str = "") -> list[tuple]:
    """Every attendance row of the sessions of one copy (or of the original), with the copy's suffix taken off."""
    rows = Attendance.objects.order_by().values_list(
        "session__code", "person__code", "invited", "reply", "status", "representative__code",
        "checked_in_at", "role", "organization__code", "version",
    )  # fmt: skip
    if suffix:
        rows = rows.filter(session__code__endswith=suffix)
    else:
        rows = rows.exclude(session__code__contains="-R")
    return sorted(
        (session.removesuffix(suffix), person.removesuffix(suffix), invited, reply, status,
         representative.removesuffix(suffix) if representative else None, *rest)
        for session, person, invited, reply, status, representative, *rest in rows
    )  # fmt: skip


def summaries_kept() -> set[tuple]:
    """The turnout rows, and every column of the sessions: the head counts and whatever else forums.summaries
    keeps on them (not figures_stale: a mark of what analytics.rollup has still to recount, not a figure)."""
    columns = [
        f.attname
        for f in ForumSession._meta.concrete_fields
        if f.attname not in ("updated_at", "figures_stale")
    ]
    return set(
        AgencyTurnout.objects.values_list(
            "session__code", "organization__code", "role", "invitations", "attended", "sent_representative",
            "walk_ins",
        )
    ) | set(ForumSession.objects.values_list(*columns))  # fmt: skip


def figures(report) -> dict:
    """What copies leave as it was: every rate and monthly figure (the counts behind them grow together)."""
    return {
        "months": report.months,
        "mean_unison": pytest.approx(report.mean_unison),  # the same values, added up in another order
        "full_house_rate": report.full_house_rate,
        "co_attendance": report.co_attendance,
        "agencies": [
            (a.code, a.attendance_rate, a.in_person_rate, a.representative_share, a.rate_with_chair,
             a.rate_without_chair, a.monthly)
            for a in report.agencies
        ],
    }  # fmt: skip


def test_the_region_copies_every_row_with_codes_of_its_own_and_the_same_figures(admin_client_portal):
    seed()
    base = {
        "people": Person.objects.count(),
        "sessions": ForumSession.objects.count(),
        "attendance": Attendance.objects.count(),
        "turnout": AgencyTurnout.objects.count(),
        "history": ForumSession.history.count(),
    }
    linked = Person.objects.filter(user__isnull=False).count()
    rows = attendance_of()
    scopes = [Scope(circle=None), Scope(circle=None, tambon=TAMBON), Scope(circle="eua")]
    before = [compute(scope) for scope in scopes]
    version = summaries.data_version()

    totals = demo_region.multiply(COPIES)

    times = COPIES + 1
    assert totals == {key: base[key] * times for key in ("people", "sessions", "attendance")}
    assert Attendance.objects.count() == base["attendance"] * times
    assert AgencyTurnout.objects.count() == base["turnout"] * times
    # Unique codes that the forms and addresses accept; accounts stay with the original people.
    people_codes = list(Person.objects.values_list("code", flat=True))
    session_codes = list(ForumSession.objects.values_list("code", flat=True))
    assert len(set(people_codes)) == len(people_codes) and len(set(session_codes)) == len(session_codes)
    assert all(CODE.fullmatch(code) for code in session_codes)
    assert max(map(len, people_codes)) <= Person._meta.get_field("code").max_length
    assert Person.objects.filter(user__isnull=False).count() == linked
    for number in range(1, times):
        suffix = demo_region.copy_suffix(number)
        # The same invitations, marks, roles and organizations at the session, among the copy's own people.
        assert attendance_of(suffix) == rows
        assert not Attendance.objects.filter(session__code__endswith=suffix).exclude(
            person__code__endswith=suffix
        )
        # Each copied session with its creation record, as the original has.
        assert ForumSession.history.filter(code__endswith=suffix).count() == base["history"]
    assert ForumSession.history.count() == base["history"] * times

    # The copied turnout and head counts are what a rebuild from the attendance gives.
    copied = summaries_kept()
    summaries.rebuild()
    assert summaries_kept() == copied
    assert summaries.data_version() != version

    for scope, original in zip(scopes, before, strict=True):
        report = compute(scope)
        assert report.sessions_held == original.sessions_held * times
        assert [a.invitations for a in report.agencies] == [a.invitations * times for a in original.agencies]
        assert figures(report) == figures(original)

    copy_session = ForumSession.objects.held().filter(code__endswith="-R2").order_by("code").first()
    copy_person = (
        Person.objects.filter(code__endswith="-R2", attendances__isnull=False).order_by("code").first()
    )
    for url in (
        f"/forums/{copy_session.code}/",
        f"/people/{copy_person.code}/",
        f"/dashboard/?circle=&tambon={TAMBON}",
    ):
        assert admin_client_portal.get(url).status_code == 200, url


def test_seed_demo_adds_copies_on_request_and_counts_them():
    output = seed("--copies", "1")
    assert "Demo data ready (the pilot and 1 copy)" in output
    originals = Attendance.objects.exclude(session__code__contains="-R").count()
    assert Attendance.objects.count() == originals * 2 > 0


def test_seed_demo_refuses_a_number_of_copies_out_of_range():
    with pytest.raises(CommandError, match="--copies"):
        seed("--copies", "100")
