"""The stored monthly figures (analytics.rollup): pieces combine exactly like the sessions they stand for, and
every path that changes a month's figures (marks, a session moved or deleted, the admin, the chair) has the
month recounted before the next read."""

import datetime as dt
import random

import pytest

from agencies.models import KmRole, Person
from analytics import rollup
from analytics.metrics import Piece, Scope, combine, compute, piece_of
from analytics.models import MonthFigures, YearFigures
from forums import services
from forums.models import ForumSession
from tests.factories import make_person, make_session
from tests.forums.test_write_path import form_data

pytestmark = pytest.mark.django_db

BITS = {11: 1, 12: 2, 13: 4, 14: 8}


def random_rows(rng: random.Random, count: int) -> list[tuple]:
    """Sessions in date order as piece_of takes them: (month, chair attended, InvOrg, Rep, phase, tambon)."""
    rows = []
    for index in range(count):
        invited = rng.randrange(16)
        # Mostly represented when invited, so that runs cross the cuts; sometimes a walk-in not invited.
        represented = (invited & rng.choice([15, 15, 7, 11, 13, 14, 0])) | rng.choice([0, 0, 0, 1, 8])
        rows.append(
            (
                f"2006-{1 + index * 12 // count:02d}",
                rng.random() < 0.3,
                invited,
                represented,
                rng.choice(["pilot", "expansion", "provincial"]),
                rng.choice([None, "800101", "800102", "800201"]),
            )
        )
    return rows


def turnout(rng: random.Random) -> dict[int, list[int]]:
    return {pk: [rng.randrange(9), rng.randrange(5), rng.randrange(3)] for pk in BITS if rng.random() < 0.8}


def added(*sums: dict[int, list[int]]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for one in sums:
        for pk, counts in one.items():
            out[pk] = [a + b for a, b in zip(out.get(pk, [0, 0, 0]), counts, strict=True)]
    return out


@pytest.mark.parametrize("seed", range(40))
def test_pieces_cut_anywhere_combine_into_the_whole(seed):
    rng = random.Random(seed)
    rows = random_rows(rng, rng.randrange(1, 40))
    cuts = sorted(rng.sample(range(len(rows) + 1), k=min(3, len(rows) + 1)))
    parts = [rows[a:b] for a, b in zip([0, *cuts], [*cuts, len(rows)], strict=True)]
    sums = [turnout(rng) for _ in parts]
    combined = Piece()
    for part, part_turnout in zip(parts, sums, strict=True):
        combined = combined.then(piece_of(part, BITS, part_turnout))
    whole = piece_of(rows, BITS, added(*sums))
    assert combined.as_json() == whole.as_json()
    # …and through the JSON stored in the database
    assert Piece.from_json(whole.as_json()).as_json() == whole.as_json()


def test_streaks_cross_the_months():
    # Agency 11: represented at the end of January, all of February and the start of March, then missing.
    rows = [
        ("2006-01", False, 1, 0, "pilot", None),
        ("2006-01", False, 1, 1, "pilot", None),
        ("2006-02", False, 1, 1, "pilot", None),
        ("2006-02", False, 1, 1, "pilot", None),
        ("2006-03", False, 1, 1, "pilot", None),
        ("2006-03", False, 1, 0, "pilot", None),
        ("2006-03", False, 1, 0, "pilot", None),
    ]
    months = [
        piece_of([r for r in rows if r[0] == month], {11: 1}, {})
        for month in ("2006-01", "2006-02", "2006-03")
    ]
    combined = months[0].then(months[1]).then(months[2])
    counts = combined.agencies[11]
    assert counts[:6] == [7, 4, 0, 0, 4, 2]  # invited, represented, head, tail, longest, misses


def held_with_marks(date, circle="eua", status="present"):
    session = make_session(circle=circle, date=date, status="held")
    person = make_person("CDD", KmRole.EUA)
    services.invite(session, [person])
    row = session.attendances.get()
    services.save_marks(session, [services.Mark(row.pk, status, row.version)])
    return session


def figures(scope: Scope | None = None):
    scope = scope or Scope()
    stored = compute(scope).as_json()
    assert stored == compute(scope, from_sessions=True).as_json()
    return stored


def test_nothing_written_since_costs_one_query(django_assert_num_queries):
    held_with_marks(dt.date(2006, 1, 10))
    assert rollup.refresh() == 1
    with django_assert_num_queries(1):
        assert rollup.refresh() == 0


def test_a_mark_recounts_its_month_only(django_assert_num_queries):
    january = held_with_marks(dt.date(2006, 1, 10))
    held_with_marks(dt.date(2006, 2, 10))
    rollup.refresh()
    before = dict(MonthFigures.objects.filter(month=dt.date(2006, 2, 1)).values_list("pk", "data"))
    row = january.attendances.get()
    services.save_marks(january, [services.Mark(row.pk, "absent", row.version)])
    # the check, the savepoints, the locked sessions and rows, the month's sessions, turnout and phases, the
    # partners, the old rows deleted (and the exports' rows of the month), the new ones written, the year's months
    # read, its old rows deleted and new ones written, the marks cleared
    with django_assert_num_queries(16):
        assert rollup.refresh() == 1
    assert dict(MonthFigures.objects.filter(month=dt.date(2006, 2, 1)).values_list("pk", "data")) == before
    assert figures()["agencies"][0]["represented_sessions"] == 1


def test_a_session_moved_to_another_month_in_the_admin_leaves_its_old_month(admin_client_portal):
    session = held_with_marks(dt.date(2006, 1, 10))
    held_with_marks(dt.date(2006, 3, 10))
    assert figures()["sessions_held"] == 2
    assert MonthFigures.objects.filter(month=dt.date(2006, 1, 1)).exists()
    url = f"/admin/forums/forumsession/{session.pk}/change/"
    data = form_data(admin_client_portal.get(url), "forumsession_form")
    assert data["date"].endswith("/01/2549")  # Buddhist era, as typed
    data["date"] = "10/02/2549"
    assert admin_client_portal.post(url, data).status_code == 302
    assert ForumSession.objects.get(pk=session.pk).date == dt.date(2006, 2, 10)
    february = figures(Scope(start=dt.date(2006, 2, 1), end=dt.date(2006, 2, 28)))
    assert february["sessions_held"] == 1
    assert figures(Scope(start=dt.date(2006, 1, 1), end=dt.date(2006, 1, 31)))["sessions_held"] == 0
    assert not MonthFigures.objects.filter(month=dt.date(2006, 1, 1)).exists()


def test_a_session_moved_to_another_circle_leaves_its_old_circle():
    session = held_with_marks(dt.date(2006, 1, 10))
    assert figures(Scope(circle="eua"))["sessions_held"] == 1
    session.circle = "all"
    session.save(update_fields=["circle"])
    assert figures(Scope(circle="eua"))["sessions_held"] == 0
    assert figures(Scope(circle="all"))["sessions_held"] == 1
    assert figures()["sessions_held"] == 1


def test_a_deleted_or_cancelled_session_stops_counting():
    first = held_with_marks(dt.date(2006, 1, 10))
    second = held_with_marks(dt.date(2006, 1, 20))
    assert figures()["sessions_held"] == 2
    ForumSession.objects.filter(pk=second.pk).first().delete()
    assert figures()["sessions_held"] == 1
    first.status = ForumSession.Status.CANCELLED
    first.save()
    assert figures()["sessions_held"] == 0
    assert not MonthFigures.objects.exists()


def test_the_chair_changing_recounts_every_month():
    session = held_with_marks(dt.date(2006, 1, 10))
    governor = make_person("PROV", KmRole.EUA)
    services.invite(session, [governor])
    row = session.attendances.get(person=governor)
    services.save_marks(session, [services.Mark(row.pk, "present", row.version)])
    assert figures()["agencies"][0]["rate_with_chair"] is None
    governor = Person.objects.get(pk=governor.pk)
    governor.is_chair = True
    governor.save()
    assert figures()["agencies"][0]["rate_with_chair"] == 1.0
    governor.is_chair = False
    governor.save()
    assert figures()["agencies"][0]["rate_with_chair"] is None


def test_rebuild_gives_what_the_lazy_recount_gives():
    for month in (1, 2, 2, 5):
        held_with_marks(dt.date(2006, month, 3 + month), circle=["eua", "all"][month % 2])
    rollup.refresh()
    lazily = sorted(MonthFigures.objects.values_list("circle", "month", "roles", "data"))
    years = sorted(YearFigures.objects.values_list("circle", "year", "roles", "data"))
    assert len(lazily) == 3 * 2 * 7  # three months, the circle and all circles, seven sets of roles
    assert len(years) == 3 * 7  # one year: each circle, all circles, seven sets of roles
    assert rollup.rebuild() == len(lazily)
    assert sorted(MonthFigures.objects.values_list("circle", "month", "roles", "data")) == lazily
    assert sorted(YearFigures.objects.values_list("circle", "year", "roles", "data")) == years
    assert not ForumSession.objects.filter(figures_stale=True).exists()


def test_a_year_is_its_months_combined_and_every_period_across_years_reads_the_same():
    rng = random.Random(7)
    days = sorted(
        dt.date(2005 + rng.randrange(3), 1 + rng.randrange(12), 1 + rng.randrange(28)) for _ in range(30)
    )
    for day in days:
        held_with_marks(
            day, rng.choice(["eua", "all", "eua_amnuay"]), rng.choice(["present", "absent", "late"])
        )
    rollup.refresh()
    for circle, roles, year, data in YearFigures.objects.values_list("circle", "roles", "year", "data"):
        months = MonthFigures.objects.filter(circle=circle, roles=roles, month__year=year.year).order_by(
            "month"
        )
        assert data == combine([Piece.from_json(d) for d in months.values_list("data", flat=True)]).as_json()
    periods = [
        (None, None),
        (dt.date(2005, 1, 1), None),
        (None, dt.date(2006, 12, 31)),
        (dt.date(2005, 3, 1), dt.date(2007, 10, 31)),  # whole months at both ends, one whole year between
        (dt.date(2005, 3, 15), dt.date(2007, 1, 20)),  # days at both ends
        (dt.date(2006, 1, 1), dt.date(2006, 12, 31)),  # exactly one year
        (dt.date(2006, 2, 1), dt.date(2007, 1, 31)),  # twelve months across two years, no whole year
        (dt.date(2006, 5, 1), dt.date(2006, 5, 31)),
    ]
    for start, end in periods:
        for circle in (None, "eua"):
            for roles in (None, ("amnuay", "kit")):
                figures(Scope(start=start, end=end, circle=circle, roles=roles))
