"""Property test: after any sequence of edits through the write path, the cached dashboard figures (summaries,
the stored monthly figures, shared cache, data version) equal a from-scratch recomputation of the definitions
from the raw attendance rows."""

import contextlib
import datetime as dt
from collections import defaultdict
from itertools import combinations

import pytest
from django.core.cache import cache
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agencies.models import KmRole, Organization
from analytics import cache as analytics_cache
from analytics.metrics import Scope
from analytics.views import _people_reached
from forums import services
from forums.models import AgencyTurnout, Attendance, ForumSession
from tests.factories import make_person, make_session

AGENCIES = ["CDD", "WU", "BAAC"]
STATUSES = ["", "present", "late", "absent", "excused", "represented"]
SCOPES = [
    Scope(),
    Scope(circle="eua"),
    Scope(circle="all"),
    Scope(roles=("eua",)),
    Scope(roles=("amnuay", "kit")),
    Scope(start=dt.date(2006, 1, 15), end=dt.date(2006, 3, 31)),
    # Whole months only (from the stored monthly figures), days inside one month (from the sessions), both
    Scope(start=dt.date(2006, 2, 1), end=dt.date(2006, 2, 28), roles=("eua", "kit")),
    Scope(start=dt.date(2006, 2, 11), end=dt.date(2006, 2, 20)),
    Scope(circle="eua", start=dt.date(2006, 1, 11), end=dt.date(2006, 4, 9), roles=("amnuay",)),
    # Across years: a whole year between months at both ends
    Scope(start=dt.date(2005, 3, 1), end=dt.date(2007, 2, 28)),
    # A tambon's: its people reached are counted in PersonReach by tambon
    Scope(tambon="800101"),
    Scope(circle="eua", tambon="800102"),
]


def ratio(a, b):
    return round(a / b, 4) if b else None


def recompute(scope: Scope) -> dict:
    """The definitions of the domain reference, read straight from the attendance rows: no summary, no cache."""
    partners = list(Organization.objects.partners())
    partner_ids = {o.pk for o in partners}
    sessions = list(scope.sessions().order_by("date", "code"))
    rows = defaultdict(list)
    for row in Attendance.objects.filter(session__in=sessions).select_related("person"):
        rows[row.session_id].append(row)

    def counted(row):
        return scope.roles is None or row.role in scope.roles

    inv, rep, chair = {}, {}, {}
    per_agency = defaultdict(lambda: {"invitations": 0, "attended": 0, "represented": 0})
    for s in sessions:
        inv[s.pk], rep[s.pk] = set(), set()
        chair[s.pk] = any(r.person.is_chair and r.status in ("present", "late") for r in rows[s.pk])
        for r in rows[s.pk]:
            if not counted(r) or r.organization_id not in partner_ids:
                continue
            a = r.organization_id
            if r.invited:
                inv[s.pk].add(a)
                per_agency[a]["invitations"] += 1
                per_agency[a]["attended"] += r.status in ("present", "late")
                per_agency[a]["represented"] += r.status == "represented"
            if r.status in ("present", "late") or (r.invited and r.status == "represented"):
                rep[s.pk].add(a)
    agencies = []
    for org in partners:
        a = org.pk
        invited = [s for s in sessions if a in inv[s.pk]]
        hits = [a in rep[s.pk] for s in invited]
        longest = run = 0
        for hit in hits:
            run = run + 1 if hit else 0
            longest = max(longest, run)
        misses = 0
        for hit in reversed(hits):
            if hit:
                break
            misses += 1
        with_chair = [a in rep[s.pk] for s in invited if chair[s.pk]]
        without = [a in rep[s.pk] for s in invited if not chair[s.pk]]
        rw = sum(with_chair) / len(with_chair) if with_chair else None
        rwo = sum(without) / len(without) if without else None
        counts = per_agency[a]
        agencies.append(
            {
                "code": org.code,
                "invited_sessions": len(invited),
                "represented_sessions": sum(hits),
                "attendance_rate": ratio(sum(hits), len(invited)),
                "in_person_rate": ratio(counts["attended"], counts["invitations"]),
                "representative_share": ratio(
                    counts["represented"], counts["attended"] + counts["represented"]
                ),
                "longest_streak": longest,
                "current_miss_streak": misses,
                "dropped_out": misses >= 3,
                "rate_with_chair": None if rw is None else round(rw, 4),
                "rate_without_chair": None if rwo is None else round(rwo, 4),
                "chair_effect_pp": None if rw is None or rwo is None else round((rw - rwo) * 100, 2),
            }
        )
    unisons = [len(inv[s.pk] & rep[s.pk]) / len(inv[s.pk]) for s in sessions if inv[s.pk]]
    co = []
    for x, y in combinations(partners, 2):
        both = [s for s in sessions if x.pk in inv[s.pk] and y.pk in inv[s.pk]]
        together = sum(1 for s in both if x.pk in rep[s.pk] and y.pk in rep[s.pk])
        either = sum(1 for s in both if x.pk in rep[s.pk] or y.pk in rep[s.pk])
        co.append({"a": x.code, "b": y.code, "jaccard": ratio(together, either)})
    reached = {
        r.person_id for s in sessions for r in rows[s.pk] if counted(r) and r.status in ("present", "late")
    }
    return {
        "sessions_held": len(sessions),
        "mean_unison": ratio(sum(unisons), len(unisons)),
        "full_house_rate": ratio(sum(1 for u in unisons if u == 1), len(unisons)),
        "agencies": agencies,
        "sessions": [
            {
                "code": s.code,
                "date": s.date.isoformat(),
                "invited_agencies": len(inv[s.pk]),
                "represented_agencies": len(inv[s.pk] & rep[s.pk]),
                "unison": ratio(len(inv[s.pk] & rep[s.pk]), len(inv[s.pk])),
            }
            for s in sessions
        ],
        "co_attendance": co,
        "people_reached": len(reached),
    }


def turnout_from_rows() -> list[tuple]:
    """The turnout per session, partner agency and role, counted in Python from the attendance rows."""
    counts = {}
    rows = Attendance.objects.filter(organization__kind="agency").values_list(
        "session_id", "organization_id", "role", "invited", "status"
    )
    for session_id, organization_id, role, invited, status in rows:
        entry = counts.setdefault((session_id, organization_id, role), [0, 0, 0, 0])
        attended = status in Attendance.ATTENDED
        if invited:
            entry[0] += 1
            entry[1] += attended
            entry[2] += status == Attendance.Status.REPRESENTED
        else:
            entry[3] += attended
    return sorted((*key, *values) for key, values in counts.items())


def cached_figures(scope: Scope) -> dict:
    report = analytics_cache.report(scope)
    figures = report.as_json()
    figures.pop("scope")
    figures["people_reached"] = _people_reached(report)
    return figures


@pytest.fixture
def world(db):
    people = []
    for code in AGENCIES:
        people.append(make_person(code, role=KmRole.EUA))
        people.append(make_person(code, role=KmRole.AMNUAY))
    people.append(make_person("CDD", role=KmRole.KIT))
    people.append(make_person("PROV", role=KmRole.EUA, is_chair=True))
    sessions = [
        make_session(circle=circle, date=dt.date(2006, month, 10), status="held")
        for circle, month in [("eua", 1), ("eua", 2), ("all", 2), ("eua_amnuay", 3), ("eua", 4)]
    ]
    for session in sessions:
        services.invite(session, [*people[::2], people[-1]])
    return {"people": people, "sessions": sessions}


edit = st.one_of(
    st.tuples(st.just("mark"), st.integers(0, 60), st.sampled_from(STATUSES)),
    st.tuples(st.just("walk_in"), st.integers(0, 60), st.integers(0, 60)),
    st.tuples(st.just("invite"), st.integers(0, 60), st.integers(0, 60)),
    st.tuples(st.just("uninvite"), st.integers(0, 60), st.just(0)),
    st.tuples(
        st.just("session_status"), st.integers(0, 60), st.sampled_from(["held", "planned", "cancelled"])
    ),
    st.tuples(st.just("role"), st.integers(0, 60), st.sampled_from(KmRole.values)),
    # A session moved to another day (often another month) or circle, and the chair changing
    st.tuples(st.just("session_date"), st.integers(0, 60), st.integers(0, 60)),
    st.tuples(st.just("session_circle"), st.integers(0, 60), st.sampled_from(["eua", "eua_amnuay", "all"])),
    st.tuples(st.just("session_tambon"), st.integers(0, 60), st.sampled_from([None, "800101", "800102"])),
    st.tuples(st.just("chair"), st.integers(0, 60), st.booleans()),
)


def apply(edit, people, sessions):
    # A refused edit (e.g. a walk-in at a cancelled session) writes nothing: still a valid history.
    with contextlib.suppress(services.MarkError):
        _apply(edit, people, [ForumSession.objects.get(pk=s.pk) for s in sessions])


def _apply(edit, people, sessions):
    kind, i, j = edit
    if kind == "mark":
        rows = list(Attendance.objects.filter(invited=True).order_by("pk"))
        row = rows[i % len(rows)]
        if row.session.status == ForumSession.Status.CANCELLED:
            return
        others = [p for p in people if p.pk != row.person_id]
        representative = others[i % len(others)] if j == "represented" else None
        services.save_marks(
            row.session, [services.Mark(row.pk, j, row.version, representative=representative)]
        )
    elif kind == "walk_in":
        session = sessions[i % len(sessions)]
        if session.status != ForumSession.Status.CANCELLED:
            services.add_walk_in(session, people[j % len(people)])
    elif kind == "invite":
        services.invite(sessions[i % len(sessions)], [people[j % len(people)]])
    elif kind == "uninvite":
        rows = list(Attendance.objects.filter(invited=True, status="").order_by("pk"))
        if rows:
            row = rows[i % len(rows)]
            services.uninvite(row.session, [row.pk])
    elif kind == "session_status":
        session = ForumSession.objects.get(pk=sessions[i % len(sessions)].pk)
        session.status = j
        session.save()
    elif kind == "session_date":
        session = ForumSession.objects.get(pk=sessions[i % len(sessions)].pk)
        # Often into another year, so that the stored years are recounted too (analytics.rollup).
        session.date = dt.date(2005 + j % 3, 1 + j % 5, 1 + j % 28)
        session.save()
    elif kind == "session_circle":
        session = ForumSession.objects.get(pk=sessions[i % len(sessions)].pk)
        session.circle = j
        session.save(update_fields=["circle"])
    elif kind == "session_tambon":
        session = ForumSession.objects.get(pk=sessions[i % len(sessions)].pk)
        session.tambon_id = j
        session.save()
    elif kind == "chair":
        person = people[i % len(people)]
        person.is_chair = j
        person.save()
    elif kind == "role":
        # A person's new role: later invitations carry it, the rows already written keep the old one.
        person = people[i % len(people)]
        person.role = j
        person.save()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(edit, min_size=1, max_size=10))
def test_cached_figures_equal_a_recomputation_after_random_edits(world, edits):
    with transaction.atomic():
        cache.clear()
        # Read every scope once first, so that a stale cached figure would be caught after the edits.
        for scope in SCOPES:
            assert cached_figures(scope) == recompute(scope)
        for one in edits:
            apply(one, world["people"], world["sessions"])
        turnout = sorted(
            AgencyTurnout.objects.values_list(
                "session_id",
                "organization_id",
                "role",
                "invitations",
                "attended",
                "sent_representative",
                "walk_ins",
            )
        )
        fresh = turnout_from_rows()
        assert turnout == fresh
        for scope in SCOPES:
            assert cached_figures(scope) == recompute(scope), scope
        transaction.set_rollback(True)
