"""The attendance-consistency metrics of the program, exactly as defined in docs/metrics.md (with a worked
example there, checked by tests/analytics/test_metrics_worked_example.py).

Everything that shows these figures (dashboard, exports, the consistency_report command, lesson-note
snapshots) calls `compute(scope)`; nothing else computes them. It reads the summaries kept by forums.summaries,
never the raw attendance rows: each session's agency masks (which partner agencies were
invited, represented, there in person, per KM role) and the per-session agency turnout, summed by the database.
Sessions are combined as pieces (Piece: counts and the runs at both ends, so that streaks combine), and
analytics.rollup keeps one piece per month, circle and set of roles: a scope over the province combines a few dozen.
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import combinations

from django.db.models import Q, Sum
from django.db.models.functions import ExtractMonth, ExtractYear

from agencies.models import KmRole, Organization, Tambon
from forums import summaries
from forums.models import AgencyTurnout, Circle, ForumSession

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
    co_attendance: list[tuple[str, str, float | None]]
    months: list[str]
    sessions_held: int = 0
    mean_unison: float | None = None
    full_house_rate: float | None = None
    phases: list[dict] = field(default_factory=list)  # see tambon_phases
    # The scope's sessions one by one, read when first asked for (exports, the JSON report): the figures above
    # do not need them.
    _sessions: list[SessionFigures] | None = field(default=None, repr=False, compare=False)

    @property
    def sessions(self) -> list[SessionFigures]:
        if self._sessions is None:
            self._sessions = load_sessions(self.scope, [a.organization.pk for a in self.agencies])
        return self._sessions

    def recent_sessions(self, count: int) -> list[SessionFigures]:
        """The latest `count` sessions of the scope, oldest first: one page of them, whatever the scope's size."""
        if self._sessions is not None:
            return self._sessions[-count:] if count else []
        return load_sessions(self.scope, [a.organization.pk for a in self.agencies], latest=count)

    def as_json(self, *, sessions: bool = True) -> dict:
        data = {
            "scope": self.scope.as_json(),
            "sessions_held": self.sessions_held,
            "mean_unison": rounded(self.mean_unison),
            "full_house_rate": rounded(self.full_house_rate),
            "agencies": [a.as_json() for a in self.agencies],
            "co_attendance": [
                {"a": a, "b": b, "jaccard": rounded(value)} for a, b, value in self.co_attendance
            ],
        }
        if sessions:
            data["sessions"] = [
                {
                    "code": s.code,
                    "date": s.date.isoformat(),
                    "invited_agencies": len(s.invited),
                    "represented_agencies": s.represented_invited,
                    "unison": rounded(s.unison),
                }
                for s in self.sessions
            ]
        return data


def load_sessions(
    scope: Scope, agency_ids: list[int], *, latest: int | None = None, sessions=None
) -> list[SessionFigures]:
    """The held sessions of the scope in date order (then code) with their sets InvOrg, Rep and in person, read
    from the session's agency masks (kept by forums.summaries); with `latest`, only that many of the newest;
    with `sessions` (a queryset of held sessions), those instead of the scope's. With a role filter, an agency
    is in a set when it is for any role in scope. One query."""
    roles = scope.roles or tuple(KmRole.values)
    columns = [f"{kind}_{role}" for kind in summaries.MASK_KINDS for role in roles]
    if sessions is None:
        sessions = scope.sessions()
    if latest is not None:
        sessions = sessions.order_by("-date", "-code")[:latest]
    else:
        sessions = sessions.order_by("date", "code")
    rows = list(
        sessions.values_list("pk", "code", "date", "title", "circle", "tambon_id", "chair_attended", *columns)
    )
    if latest is not None:
        rows.reverse()
    bits = summaries.partner_bits(agency_ids)
    sets: dict[int, frozenset] = {}

    def agencies_in(mask: int) -> frozenset:
        if mask not in sets:
            sets[mask] = frozenset(pk for pk, bit in bits.items() if mask & bit)
        return sets[mask]

    width = len(roles)
    out = []
    for row in rows:
        masks = [_or(row[7 + kind * width : 7 + (kind + 1) * width]) for kind in range(3)]
        date = row[2]
        out.append(
            SessionFigures(
                *row[:6],
                month=f"{date.year:04d}-{date.month:02d}",
                invited=agencies_in(masks[0]),
                represented=agencies_in(masks[1]),
                in_person=agencies_in(masks[2]),
                chair_attended=row[6],
            )
        )
    return out


def _or(values) -> int:
    mask = 0
    for value in values:
        mask |= value
    return mask


# Pieces: what the figures of a run of sessions combine from ----------------------------------------------------

# All the sets of KM roles a scope can name, each in the program's order (None, "every role", is the last).
ROLE_SETS = tuple(
    tuple(role for index, role in enumerate(KmRole.values) if subset & (1 << index))
    for subset in range(1, 1 << len(KmRole.values))
)


def roles_key(roles: tuple[str, ...] | None) -> str:
    return ",".join(roles or KmRole.values)


# An agency's counts in a Piece, by position.
INV, REP, HEAD, TAIL, LONGEST, MISSES, CHAIR_INV, CHAIR_REP, INVITATIONS, ATTENDED, SENT = range(11)
PHASES = ("pilot", "expansion", "provincial")


@dataclass
class Piece:
    """The figures of a run of held sessions in date order, for one set of KM roles, as counts that combine:
    with the runs of represented sessions at its start and end and the longest inside, the streaks of two runs
    one after the other are those of the pieces combined (`then`). analytics.rollup stores a piece per month,
    circle and set of roles; a report combines its months in order."""

    sessions: int = 0
    unison_n: int = 0  # sessions whose unison is defined (some agency was invited)
    unison_sum: Fraction = Fraction(0)  # exact: the mean is the same however the sessions are grouped
    full_house: int = 0
    agencies: dict[int, list[int]] = field(default_factory=dict)  # agency → the counts above (INV…)
    pairs: dict[tuple[int, int], list[int]] = field(default_factory=dict)  # (a, b), a < b → [both, either]
    months: dict[str, dict[int, list[int]]] = field(default_factory=dict)  # → agency → [invited, represented]
    # phase → [sessions, unison_n, unison_sum, represented invited agencies, invited agencies, tambons]
    phases: dict[str, list] = field(default_factory=dict)

    def then(self, later: "Piece") -> "Piece":
        """This run followed by a later one."""
        return combine([self, later])

    def as_json(self) -> dict:
        return {
            "sessions": self.sessions,
            "unison": [self.unison_n, self.unison_sum.numerator, self.unison_sum.denominator],
            "full_house": self.full_house,
            "agencies": {str(pk): counts for pk, counts in self.agencies.items()},
            "pairs": {f"{a},{b}": counts for (a, b), counts in self.pairs.items()},
            "months": {m: {str(pk): c for pk, c in counts.items()} for m, counts in self.months.items()},
            "phases": {
                # the tambons as one string: a JSON list of a hundred strings costs ten times more to read
                phase: [v[0], v[1], v[2].numerator, v[2].denominator, v[3], v[4], ",".join(sorted(v[5]))]
                for phase, v in self.phases.items()
            },
        }

    @classmethod
    def from_json(cls, data: dict) -> "Piece":
        n, numerator, denominator = data["unison"]
        return cls(
            data["sessions"],
            n,
            Fraction(numerator, denominator),
            data["full_house"],
            {int(pk): counts for pk, counts in data["agencies"].items()},
            {tuple(map(int, pair.split(","))): counts for pair, counts in data["pairs"].items()},
            {m: {int(pk): c for pk, c in counts.items()} for m, counts in data["months"].items()},
            {
                p: [v[0], v[1], Fraction(v[2], v[3]), v[4], v[5], set(v[6].split(",")) if v[6] else set()]
                for p, v in data["phases"].items()
            },
        )


def combine(pieces: list[Piece]) -> Piece:
    """The pieces of consecutive runs, in date order, as one: in one pass, whatever their number."""
    out = Piece()
    zero = [0] * 11
    for piece in pieces:
        out.sessions += piece.sessions
        out.unison_n += piece.unison_n
        out.unison_sum += piece.unison_sum
        out.full_house += piece.full_house
        for pk in out.agencies.keys() | piece.agencies.keys():
            a, b = out.agencies.get(pk, zero), piece.agencies.get(pk, zero)
            c = [x + y for x, y in zip(a, b, strict=True)]
            c[HEAD] = a[HEAD] + b[HEAD] if a[HEAD] == a[INV] else a[HEAD]
            c[TAIL] = b[TAIL] + a[TAIL] if b[TAIL] == b[INV] else b[TAIL]
            c[MISSES] = b[MISSES] + a[MISSES] if b[MISSES] == b[INV] else b[MISSES]
            c[LONGEST] = max(a[LONGEST], b[LONGEST], a[TAIL] + b[HEAD])
            out.agencies[pk] = c
        for pair, (both, either) in piece.pairs.items():
            total = out.pairs.setdefault(pair, [0, 0])
            total[0] += both
            total[1] += either
        for month, counts in piece.months.items():
            into = out.months.setdefault(month, {})
            for pk, (invited, represented) in counts.items():
                total = into.setdefault(pk, [0, 0])
                total[0] += invited
                total[1] += represented
        for phase, values in piece.phases.items():
            total = out.phases.setdefault(phase, [0, 0, Fraction(0), 0, 0, set()])
            for index in range(5):
                total[index] += values[index]
            total[5].update(values[5])
    return out


# One session in a piece: (month, chair attended, InvOrg mask, Rep mask, phase, tambon)
SessionRow = tuple[str, bool, int, int, str, str | None]


def piece_of(rows: list[SessionRow], bits: dict[int, int], turnout: dict[int, list[int]]) -> Piece:
    """The piece of these sessions (in date order, then code), with each agency's invitation counts summed
    (`turnout`: agency → [invitations, attended, sent a representative])."""
    piece = Piece(sessions=len(rows))
    for pk, bit in bits.items():
        # 1 for each session the agency was invited to and represented at, 0 for one it was invited to and missed.
        runs = bytes([1 if rep & bit else 0 for _m, _c, inv, rep, _p, _t in rows if inv & bit])
        counts = [0] * 11
        counts[INV], counts[REP] = len(runs), runs.count(1)
        counts[HEAD] = len(runs) - len(runs.lstrip(b"\x01"))
        counts[TAIL] = len(runs) - len(runs.rstrip(b"\x01"))
        counts[MISSES] = len(runs) - len(runs.rstrip(b"\x00"))
        counts[LONGEST] = max(map(len, runs.split(b"\x00")))
        counts[INVITATIONS : SENT + 1] = turnout.get(pk, (0, 0, 0))
        piece.agencies[pk] = counts
    # Sessions alike for the other figures counted once: a province has thousands of sessions, a few hundred kinds.
    kinds = Counter(
        (month, chair, invited, represented) for month, chair, invited, represented, _p, _t in rows
    )
    pair_kinds = Counter()
    for (month, chair, invited, represented), count in kinds.items():
        in_month = piece.months.setdefault(month, {})
        pair_kinds[invited, represented] += count
        for pk, bit in bits.items():
            if invited & bit:
                came = count if represented & bit else 0
                counts = piece.agencies[pk]
                if chair:
                    counts[CHAIR_INV] += count
                    counts[CHAIR_REP] += came
                total = in_month.setdefault(pk, [0, 0])
                total[0] += count
                total[1] += came
    for a, b in combinations(sorted(bits), 2):
        both = either = 0
        for (invited, represented), count in pair_kinds.items():
            if invited & bits[a] and invited & bits[b]:
                if represented & bits[a] and represented & bits[b]:
                    both += count
                if represented & bits[a] or represented & bits[b]:
                    either += count
        piece.pairs[a, b] = [both, either]
    phase_kinds = Counter((phase, invited, represented) for _m, _c, invited, represented, phase, _t in rows)
    for _m, _c, _i, _r, phase, tambon in rows:
        if tambon:
            piece.phases.setdefault(phase, [0, 0, Fraction(0), 0, 0, set()])[5].add(tambon)
    for (phase, invited, represented), count in phase_kinds.items():
        values = piece.phases.setdefault(phase, [0, 0, Fraction(0), 0, 0, set()])
        n_invited, n_both = invited.bit_count(), (invited & represented).bit_count()
        values[0] += count
        values[3] += n_both * count
        values[4] += n_invited * count
        if n_invited:
            unison = Fraction(n_both, n_invited) * count
            values[1] += count
            values[2] += unison
            piece.unison_n += count
            piece.unison_sum += unison
            if n_both == n_invited:
                piece.full_house += count
    return piece


def session_pieces(sessions, role_sets, bits: dict[int, int], *, monthly: bool = False) -> dict:
    """The pieces of these sessions (a queryset of held sessions), for each set of roles: {roles: piece}; with
    `monthly`, one per circle ("" for all circles) and month: {(circle, month, roles): piece}. Three queries:
    the sessions' masks, their turnout summed per agency and role, the tambons' phases."""
    columns = [f"{kind}_{role}" for kind in ("invited", "represented") for role in KmRole.values]
    rows = sessions.order_by("date", "code").values_list(
        "date", "circle", "tambon_id", "chair_attended", *columns
    )
    turnout = AgencyTurnout.objects.filter(session__in=sessions.order_by().values("pk"))
    group = ("organization_id", "role")
    if monthly:
        group = ("session__circle", "year", "month", *group)
        turnout = turnout.annotate(year=ExtractYear("session__date"), month=ExtractMonth("session__date"))
    sums = (
        turnout.values(*group)
        .annotate(
            n_invitations=Sum("invitations"), n_attended=Sum("attended"), n_sent=Sum("sent_representative")
        )
        .order_by()
        .values_list(*group, "n_invitations", "n_attended", "n_sent")
    )
    # (circle, month) or None → role → agency → counts
    by_group: dict = defaultdict(lambda: defaultdict(dict))
    for row in sums:
        *key, organization_id, role, invitations, attended, sent = row
        counts = [invitations or 0, attended or 0, sent or 0]
        if monthly:
            circle, year, month = key
            for target in (circle, ""):
                into = by_group[target, f"{year:04d}-{month:02d}"][role].setdefault(
                    organization_id, [0, 0, 0]
                )
                for index in range(3):
                    into[index] += counts[index]
        else:
            by_group[None][role][organization_id] = counts
    phases = dict(Tambon.objects.in_program().values_list("code", "phase"))
    width = len(KmRole.values)
    groups: dict = defaultdict(list)  # (circle, month) or None → sessions with their masks per role
    for date, circle, tambon, chair, *masks in rows:
        month = f"{date.year:04d}-{date.month:02d}"
        phase = phases.get(tambon, "provincial") if tambon else "provincial"
        row = (month, chair, masks[:width], masks[width:], phase, tambon)
        if monthly:
            groups[circle, month].append(row)
            groups["", month].append(row)
        else:
            groups[None].append(row)
    out = {}
    role_index = {role: index for index, role in enumerate(KmRole.values)}
    for group_key, members in groups.items():
        for roles in role_sets:
            indexes = [role_index[role] for role in roles]
            session_rows = [
                (month, chair_, _or(inv[i] for i in indexes), _or(rep[i] for i in indexes), phase, tambon)
                for month, chair_, inv, rep, phase, tambon in members
            ]
            turnout_sums: dict[int, list[int]] = {}
            for role in roles:
                for organization_id, counts in by_group[group_key][role].items():
                    into = turnout_sums.setdefault(organization_id, [0, 0, 0])
                    for index in range(3):
                        into[index] += counts[index]
            piece = piece_of(session_rows, bits, turnout_sums)
            out[(*group_key, roles_key(roles)) if monthly else roles_key(roles)] = piece
    return out


def report_of(scope: Scope, agencies: list[Organization], piece: Piece) -> Report:
    """The report of a scope from the piece of all its sessions."""
    months = sorted(piece.months)
    figures = []
    zero = [0] * 11
    for organization in agencies:
        counts = piece.agencies.get(organization.pk, zero)
        agency = AgencyFigures(
            organization,
            invited_sessions=counts[INV],
            represented_sessions=counts[REP],
            invitations=counts[INVITATIONS],
            attended=counts[ATTENDED],
            sent_representative=counts[SENT],
            longest_streak=counts[LONGEST],
            current_miss_streak=counts[MISSES],
            rate_with_chair=ratio(counts[CHAIR_REP], counts[CHAIR_INV]),
            rate_without_chair=ratio(counts[REP] - counts[CHAIR_REP], counts[INV] - counts[CHAIR_INV]),
        )
        for month in months:
            invited, represented = piece.months[month].get(organization.pk, (0, 0))
            agency.monthly[month] = ratio(represented, invited)
        figures.append(agency)
    co_attendance = []
    for a, b in combinations(agencies, 2):
        both, either = piece.pairs.get((min(a.pk, b.pk), max(a.pk, b.pk)), (0, 0))
        co_attendance.append((a.code, b.code, ratio(both, either)))
    phases = []
    for phase in [*PHASES, *(phase for phase in piece.phases if phase not in PHASES)]:
        sessions, unison_n, unison_sum, represented, invited, tambons = piece.phases.get(
            phase, (0, 0, Fraction(0), 0, 0, ())
        )
        phases.append(
            {
                "phase": phase,
                "sessions": sessions,
                "tambons": len(tambons),
                "mean_unison": _mean(unison_sum, unison_n),
                "attendance_rate": ratio(represented, invited),
            }
        )
    return Report(
        scope,
        figures,
        co_attendance,
        months,
        sessions_held=piece.sessions,
        mean_unison=_mean(piece.unison_sum, piece.unison_n),
        full_house_rate=ratio(piece.full_house, piece.unison_n),
        phases=phases,
    )


def _mean(total: Fraction, count: int) -> float | None:
    return float(total / count) if count else None


def compute(scope: Scope, *, from_sessions: bool = False) -> Report:
    """The whole report for a scope, in a fixed number of queries whatever the size of the province. A scope
    without a tambon combines the stored pieces of its whole months (analytics.rollup: brought up to date first,
    then one query) with the pieces of the days at its ends, read from their sessions; a tambon's scope (a few
    dozen sessions) and `from_sessions` read every session of the scope (three queries, see session_pieces)."""
    from analytics import rollup

    agencies = list(Organization.objects.partners())
    bits = summaries.partner_bits([a.pk for a in agencies])
    key = roles_key(scope.roles)
    if from_sessions or scope.tambon:
        piece = session_pieces(scope.sessions(), [scope.roles or tuple(KmRole.values)], bits).get(
            key, Piece()
        )
        return report_of(scope, agencies, piece)
    first, last = whole_months(scope.start, scope.end)
    if first is not None and last is not None and first > last:  # no whole month inside the period
        piece = session_pieces(scope.sessions(), [scope.roles or tuple(KmRole.values)], bits).get(
            key, Piece()
        )
        return report_of(scope, agencies, piece)
    rollup.refresh(bits)
    pieces = rollup.stored(scope.circle or "", key, first, last)
    ends = Q()
    if scope.start and scope.start != first:
        ends |= Q(date__lt=first)
    if scope.end and last is not None and scope.end > month_end(last):
        ends |= Q(date__gt=month_end(last))
    if ends:
        edges = session_pieces(
            scope.sessions().filter(ends), [scope.roles or tuple(KmRole.values)], bits, monthly=True
        )
        pieces += [piece for (circle, _m, _r), piece in edges.items() if circle == (scope.circle or "")]
        pieces.sort(key=lambda p: min(p.months))
    return report_of(scope, agencies, combine(pieces))


def month_end(first_day: dt.date) -> dt.date:
    return _next_month(first_day) - dt.timedelta(days=1)


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def whole_months(start: dt.date | None, end: dt.date | None) -> tuple[dt.date | None, dt.date | None]:
    """The first days of the first and the last calendar month wholly inside the period (None: unbounded)."""
    first = last = None
    if start:
        first = start if start.day == 1 else _next_month(start)
    if end:
        following = end + dt.timedelta(days=1)
        last = dt.date(end.year, end.month, 1) if following.day == 1 else _month_start_before(end)
    return first, last


def _month_start_before(day: dt.date) -> dt.date:
    """The first day of the month before this day's month."""
    previous = dt.date(day.year, day.month, 1) - dt.timedelta(days=1)
    return dt.date(previous.year, previous.month, 1)


def tambon_phases(report: Report) -> list[dict]:
    """The report's sessions grouped by where they were held: pilot tambons, expansion tambons, provincial."""
    return report.phases
