"""The attendance-consistency metrics of the program, exactly as defined in docs/metrics.md (with a worked
example there, checked by tests/analytics/test_metrics_worked_example.py).

Everything that shows these figures (dashboard, exports, the consistency_report command, lesson-note
snapshots) calls `compute(scope)`; nothing else computes them. It reads the summaries kept by forums.summaries,
never the raw attendance rows (but for the chair's own): each session's agency masks (which partner agencies were
invited, represented, there in person, per KM role) and the per-session agency turnout, summed by the database.
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import combinations

from django.db.models import Sum

from agencies.models import KmRole, Organization, Tambon
from forums import summaries
from forums.models import AgencyTurnout, Attendance, Circle, ForumSession

DROP_OUT_MISSES = 3
RATE_DECIMALS = 4
PP_DECIMALS = 2


@dataclass(frozen=True)
class Scope:
    start: dt.date | None = None
    end: dt.date | None = None
    circle: str | None = None
    tambon: str | None = None
    roles: tuple[str, ...] | None = None

    def __post_init__(self):
        if self.circle is not None and self.circle not in Circle.values:
            raise ValueError(f"unknown circle {self.circle!r}")
        if self.roles is not None:
            unknown = set(self.roles) - set(KmRole.values)
            if unknown or not self.roles:
                raise ValueError(f"unknown roles {sorted(unknown)!r}")
            object.__setattr__(self, "roles", tuple(r for r in KmRole.values if r in self.roles))
        if self.start and self.end and self.start > self.end:
            raise ValueError("the period ends before it starts")

    def sessions(self):
        sessions = ForumSession.objects.held()
        if self.start:
            sessions = sessions.filter(date__gte=self.start)
        if self.end:
            sessions = sessions.filter(date__lte=self.end)
        if self.circle:
            sessions = sessions.filter(circle=self.circle)
        if self.tambon:
            sessions = sessions.filter(tambon_id=self.tambon)
        return sessions

    def as_json(self) -> dict:
        return {
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
            "circle": self.circle,
            "tambon": self.tambon,
            "roles": list(self.roles) if self.roles else None,
        }


def ratio(numerator, denominator):
    return numerator / denominator if denominator else None


def rounded(value, decimals=RATE_DECIMALS):
    return None if value is None else round(value, decimals)


@dataclass
class SessionFigures:
    pk: int
    code: str
    date: dt.date
    title: str
    circle: str
    tambon_id: str | None
    month: str = ""  # "YYYY-MM" of the date
    invited: set[int] = field(default_factory=set)  # InvOrg(s)
    represented: set[int] = field(default_factory=set)  # Rep(s)
    in_person: set[int] = field(default_factory=set)  # agencies whose own people came (invited or walk-in)
    chair_attended: bool = False

    def state(self, organization_id: int) -> str:
        """One cell of the heatmap: in_person, representative, absent or not_invited."""
        if organization_id in self.in_person:
            return "in_person"
        if organization_id in self.represented:
            return "representative"
        if organization_id in self.invited:
            return "absent"
        return "not_invited"

    @property
    def unison(self):
        return ratio(len(self.invited & self.represented), len(self.invited))

    @property
    def represented_invited(self) -> int:
        return len(self.invited & self.represented)


@dataclass
class AgencyFigures:
    organization: Organization
    invited_sessions: int = 0
    represented_sessions: int = 0
    invitations: int = 0
    attended: int = 0  # invitations present or late
    sent_representative: int = 0  # invitations with status represented
    longest_streak: int = 0
    current_miss_streak: int = 0
    rate_with_chair: float | None = None
    rate_without_chair: float | None = None
    monthly: dict[str, float | None] = field(default_factory=dict)

    @property
    def code(self):
        return self.organization.code

    @property
    def attendance_rate(self):
        return ratio(self.represented_sessions, self.invited_sessions)

    @property
    def in_person_rate(self):
        return ratio(self.attended, self.invitations)

    @property
    def representative_share(self):
        return ratio(self.sent_representative, self.attended + self.sent_representative)

    @property
    def dropped_out(self) -> bool:
        return self.current_miss_streak >= DROP_OUT_MISSES

    @property
    def chair_effect_pp(self):
        if self.rate_with_chair is None or self.rate_without_chair is None:
            return None
        return (self.rate_with_chair - self.rate_without_chair) * 100

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "invited_sessions": self.invited_sessions,
            "represented_sessions": self.represented_sessions,
            "attendance_rate": rounded(self.attendance_rate),
            "in_person_rate": rounded(self.in_person_rate),
            "representative_share": rounded(self.representative_share),
            "longest_streak": self.longest_streak,
            "current_miss_streak": self.current_miss_streak,
            "dropped_out": self.dropped_out,
            "rate_with_chair": rounded(self.rate_with_chair),
            "rate_without_chair": rounded(self.rate_without_chair),
            "chair_effect_pp": rounded(self.chair_effect_pp, PP_DECIMALS),
        }


@dataclass
class Report:
    scope: Scope
    agencies: list[AgencyFigures]
    sessions: list[SessionFigures]
    co_attendance: list[tuple[str, str, float | None]]
    months: list[str]

    @property
    def sessions_held(self) -> int:
        return len(self.sessions)

    @property
    def mean_unison(self):
        values = [s.unison for s in self.sessions if s.unison is not None]
        return ratio(sum(values), len(values))

    @property
    def full_house_rate(self):
        values = [s.unison for s in self.sessions if s.unison is not None]
        return ratio(sum(1 for v in values if v == 1), len(values))

    def as_json(self) -> dict:
        return {
            "scope": self.scope.as_json(),
            "sessions_held": self.sessions_held,
            "mean_unison": rounded(self.mean_unison),
            "full_house_rate": rounded(self.full_house_rate),
            "agencies": [a.as_json() for a in self.agencies],
            "sessions": [
                {
                    "code": s.code,
                    "date": s.date.isoformat(),
                    "invited_agencies": len(s.invited),
                    "represented_agencies": s.represented_invited,
                    "unison": rounded(s.unison),
                }
                for s in self.sessions
            ],
            "co_attendance": [
                {"a": a, "b": b, "jaccard": rounded(value)} for a, b, value in self.co_attendance
            ],
        }


def _load_sessions(scope: Scope, agency_ids: list[int]) -> tuple[list[SessionFigures], list[tuple[int, int]]]:
    """The held sessions of the scope with their sets InvOrg, Rep and in person, read from the session's agency
    masks (kept by forums.summaries): one query, no turnout rows. With a role filter, an agency is in a set when
    it is for any role in scope. Also each session's InvOrg and Rep as bit masks (summaries.partner_bits)."""
    roles = scope.roles or tuple(KmRole.values)
    columns = [f"{kind}_{role}" for kind in summaries.MASK_KINDS for role in roles]
    rows = (
        scope.sessions()
        .order_by("date", "code")
        .values_list("pk", "code", "date", "title", "circle", "tambon_id", *columns)
    )
    bits = summaries.partner_bits(agency_ids)
    sets: dict[int, frozenset] = {}

    def agencies_in(mask: int) -> frozenset:
        if mask not in sets:
            sets[mask] = frozenset(pk for pk, bit in bits.items() if mask & bit)
        return sets[mask]

    width = len(roles)
    sessions, session_masks = [], []
    for row in rows:
        masks = []
        for kind in range(3):
            mask = 0
            for value in row[6 + kind * width : 6 + (kind + 1) * width]:
                mask |= value
            masks.append(mask)
        date = row[2]
        sessions.append(
            SessionFigures(
                *row[:6],
                month=f"{date.year:04d}-{date.month:02d}",
                invited=agencies_in(masks[0]),
                represented=agencies_in(masks[1]),
                in_person=agencies_in(masks[2]),
            )
        )
        session_masks.append((masks[0], masks[1]))
    return sessions, session_masks


def compute(scope: Scope) -> Report:
    """The whole report for a scope, in four queries whatever the size of the province: the partner agencies,
    the sessions with their agency masks, each agency's invitation counts summed by the database, and the
    sessions the chair attended."""
    agencies = list(Organization.objects.partners())
    figures = {a.pk: AgencyFigures(a) for a in agencies}
    sessions, masks = _load_sessions(scope, list(figures))
    by_pk = {s.pk: s for s in sessions}

    # Each agency's invitations over the scope's sessions, summed by the database (nine rows back).
    turnout = AgencyTurnout.objects.filter(session__in=scope.sessions().values("pk"))
    if scope.roles:
        turnout = turnout.filter(role__in=scope.roles)
    sums = (
        turnout.values("organization_id")
        .annotate(
            n_invitations=Sum("invitations"), n_attended=Sum("attended"), n_sent=Sum("sent_representative")
        )
        .order_by()
        .values_list("organization_id", "n_invitations", "n_attended", "n_sent")
    )
    for organization_id, invitations, attended, sent_representative in sums:
        agency = figures.get(organization_id)
        if agency is not None:
            agency.invitations, agency.attended = invitations or 0, attended or 0
            agency.sent_representative = sent_representative or 0

    # The chair counts as attending when present or late, whatever the role filter. The chair's own rows (a few
    # hundred), not the scope's sessions: the index on the person answers at any size.
    chair_sessions = Attendance.objects.filter(person__is_chair=True, status__in=Attendance.ATTENDED)
    for session_id in chair_sessions.values_list("session_id", flat=True):
        session = by_pk.get(session_id)
        if session is not None:
            session.chair_attended = True

    months = sorted({s.month for s in sessions})
    bits = summaries.partner_bits(figures)
    # Sessions alike for these figures (same month, chair or not, same InvOrg and Rep) counted once: a province has
    # thousands of sessions but a few hundred such kinds.
    kinds = Counter(
        (session.month, session.chair_attended, invited, represented)
        for session, (invited, represented) in zip(sessions, masks, strict=True)
    )
    for agency in figures.values():
        _agency_over_sessions(agency, bits[agency.organization.pk], masks, kinds, months)
    pairs = Counter()
    for (_month, _chair, invited, represented), count in kinds.items():
        pairs[invited, represented] += count
    co_attendance = [
        (a.code, b.code, _co_attendance(bits[a.organization.pk], bits[b.organization.pk], pairs))
        for a, b in combinations([figures[o.pk] for o in agencies], 2)
    ]
    return Report(scope, [figures[o.pk] for o in agencies], sessions, co_attendance, months)


def _agency_over_sessions(
    agency: AgencyFigures, bit: int, masks: list[tuple[int, int]], kinds: Counter, months
):
    """One agency's counts, streaks, chair split and monthly rates. `masks` are the sessions' (InvOrg, Rep) in
    order (date, then code); `kinds` counts the sessions by (month, chair attended, InvOrg, Rep)."""
    # 1 for each session the agency was invited to and represented at, 0 for one it was invited to and missed.
    runs = bytes([1 if represented & bit else 0 for invited, represented in masks if invited & bit])
    agency.invited_sessions = len(runs)
    agency.represented_sessions = runs.count(1)
    agency.longest_streak = max((len(run) for run in runs.split(b"\x00")), default=0)
    agency.current_miss_streak = len(runs) - len(runs.rstrip(b"\x00"))
    chair = {True: [0, 0], False: [0, 0]}  # chair attended → [invited, represented]
    by_month = defaultdict(lambda: [0, 0])
    for (month, chair_attended, invited, represented), count in kinds.items():
        if invited & bit:
            came = count if represented & bit else 0
            chair[chair_attended][0] += count
            chair[chair_attended][1] += came
            by_month[month][0] += count
            by_month[month][1] += came
    agency.rate_with_chair = ratio(chair[True][1], chair[True][0])
    agency.rate_without_chair = ratio(chair[False][1], chair[False][0])
    agency.monthly = {month: ratio(by_month[month][1], by_month[month][0]) for month in months}


def _co_attendance(a: int, b: int, pairs: Counter):
    """Sessions where both were invited and both represented, over those where both were invited and at least
    one was represented; `pairs` counts the sessions by (InvOrg, Rep) as bit masks."""
    both = either = 0
    for (invited, represented), count in pairs.items():
        if invited & a and invited & b:
            if represented & a and represented & b:
                both += count
            if represented & a or represented & b:
                either += count
    return ratio(both, either)


def tambon_phases(report: Report) -> list[dict]:
    """The report's sessions grouped by where they were held: pilot tambons, expansion tambons, provincial."""
    phases = dict(Tambon.objects.in_program().values_list("code", "phase"))
    groups = {"pilot": [], "expansion": [], "provincial": []}
    for session in report.sessions:
        key = phases.get(session.tambon_id, "provincial") if session.tambon_id else "provincial"
        groups.setdefault(key, []).append(session)
    out = []
    for key, sessions in groups.items():
        unisons = [s.unison for s in sessions if s.unison is not None]
        invited = sum(len(s.invited) for s in sessions)
        out.append(
            {
                "phase": key,
                "sessions": len(sessions),
                "tambons": len({s.tambon_id for s in sessions if s.tambon_id}),
                "mean_unison": ratio(sum(unisons), len(unisons)),
                "attendance_rate": ratio(sum(s.represented_invited for s in sessions), invited),
            }
        )
    return out
