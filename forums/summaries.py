"""Keeps AgencyTurnout in step with attendance: recomputed per session, from that session's rows only.

Every refresh also bumps the data version: cached figures (analytics.cache) are keyed by it, so that no app
server serves a figure from before the write.
"""

from collections import Counter
from collections.abc import Callable, Iterable

from django.db import connections, transaction
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Cast, Coalesce
from django.db.models.sql import UpdateQuery

from agencies.models import KmRole, Organization
from core import prepared, versions
from core.compiled import CompiledQuery
from forums.models import AgencyTurnout, Attendance, Circle, ForumSession, PersonReach, ReachMask

ATTENDED = Q(status__in=Attendance.ATTENDED)


TURNOUT_COLUMNS = (
    "session_id",
    "organization_id",
    "role",
    "invitations",
    "attended",
    "sent_representative",
    "walk_ins",
)


def _insert_select(model, columns: tuple[str, ...], queryset, sources: tuple[str, ...]) -> None:
    """INSERT INTO the model's table the rows of a values() queryset, counted by the database itself: no rows
    travel to Python and back, whatever their number."""
    select = queryset.query.get_compiler(using=queryset.db).as_sql()
    _run_insert_select(model, columns, sources, select, queryset.db)


def _run_insert_select(
    model, columns, sources, select: tuple[str, list], using: str, *, prepare=False
) -> None:
    """`prepare`: a statement of a fixed shape that every check-in runs (core.prepared)."""
    sql, params = select
    quote = connections[using].ops.quote_name
    statement = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) "
        f"SELECT {', '.join(map(quote, sources))} FROM ({sql}) grouped"
    )
    with connections[using].cursor() as cursor:
        if prepare:
            prepared.execute(cursor, statement, params, using)
        else:
            cursor.execute(statement, params)


def _turnout_of(*session_ids):
    return (
        Attendance.objects.filter(session_id__in=session_ids, organization__kind=Organization.Kind.AGENCY)
        .values("session_id", "organization_id", "role")
        .annotate(
            n_invitations=Count("pk", filter=Q(invited=True)),
            n_attended=Count("pk", filter=Q(invited=True) & ATTENDED),
            n_sent_representative=Count("pk", filter=Q(invited=True, status=Attendance.Status.REPRESENTED)),
            n_walk_ins=Count("pk", filter=Q(invited=False) & ATTENDED),
        )
        .order_by()
    )


# One session's turnout (every check-in request's) is built once: building it cost about as much as running it.
_ONE_SESSION_TURNOUT = CompiledQuery(_turnout_of, arity=1)


def _write_turnout(session_ids: list[int]) -> None:
    """Inserts the turnout of these sessions: one INSERT … SELECT."""
    sources = ("session_id", "organization_id", "role", "n_invitations", "n_attended", "n_sent_representative",
               "n_walk_ins")  # fmt: skip
    using = Attendance.objects.db
    if len(session_ids) == 1:
        _run_insert_select(
            AgencyTurnout,
            TURNOUT_COLUMNS,
            sources,
            _ONE_SESSION_TURNOUT.sql(*session_ids, using=using),
            using,
            prepare=True,
        )
    else:
        _insert_select(AgencyTurnout, TURNOUT_COLUMNS, _turnout_of(*session_ids), sources)


# People reached ------------------------------------------------------------------------------------------------


def _places(places) -> Q:
    """PersonReach rows, or sessions, in these (circle, tambon) pairs (tambon None: held in no tambon)."""
    where = Q(pk__in=[])
    for circle, tambon in places:
        where |= Q(circle=circle, tambon_id=tambon) if tambon else Q(circle=circle, tambon__isnull=True)
    return where


def _write_reach(people=None, places=None) -> None:
    """Inserts the PersonReach rows of these people (a queryset of person ids; None: everyone), for the sessions
    of these (circle, tambon) pairs only (None: every session): one statement."""
    rows = Attendance.objects.filter(ATTENDED, session__status=ForumSession.Status.HELD)
    if places is not None:
        # Read through the places' sessions (a few dozen), not through every row of each person (thousands for
        # someone who goes to every forum).
        rows = rows.filter(session__in=ForumSession.objects.filter(_places(places)).order_by().values("pk"))
    if people is not None:
        rows = rows.filter(person_id__in=people)
    grouped = (
        rows.values("person_id", "session__circle", "role", "session__tambon_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    _insert_select(
        PersonReach,
        ("person_id", "circle", "role", "tambon_id", "sessions"),
        grouped,
        ("person_id", "session__circle", "role", "session__tambon_id", "n"),
    )


def reach_bit(circle: str, role: str) -> int:
    """The bit of a (circle, KM role) pair in ReachMask.mask."""
    return 1 << (Circle.values.index(circle) * len(KmRole.values) + KmRole.values.index(role))


def reach_mask(circle: str | None, roles: Iterable[str] | None) -> int:
    """The bits of a scope's circle (None: every circle) and roles (None: every role)."""
    return sum(
        reach_bit(c, r) for c in ([circle] if circle else Circle.values) for r in (roles or KmRole.values)
    )


def _person_masks(people=None, reach_model=PersonReach, using: str | None = None):
    """Each of these people's (a queryset or list of ids; None: everyone) ReachMask bits, one row a person."""
    bit = Case(
        *(When(circle=c, role=r, then=Value(reach_bit(c, r))) for c in Circle.values for r in KmRole.values),
        default=Value(0),
    )
    rows = reach_model.objects.using(using).filter(sessions__gt=0)
    if people is not None:
        rows = rows.filter(person_id__in=people)
    # each bit is one (circle, role): the sum of distinct bits is their OR
    return rows.values("person_id").annotate(mask=Sum(bit, distinct=True)).order_by().values("mask")


def write_reach_masks(reach_model=PersonReach, mask_model=ReachMask, using: str | None = None) -> None:
    """Rewrites ReachMask from PersonReach: one DELETE and one INSERT … SELECT. The models are parameters so
    that a migration can use its own."""
    mask_model.objects.using(using).all().delete()
    per_person = _person_masks(None, reach_model, using)
    sql, params = per_person.query.get_compiler(using=per_person.db).as_sql()
    quote = connections[per_person.db].ops.quote_name
    table = quote(mask_model._meta.db_table)
    with connections[per_person.db].cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({quote('mask')}, {quote('people')}) "
            f"SELECT {quote('mask')}, COUNT(*) FROM ({sql}) per_person GROUP BY {quote('mask')}",
            params,
        )


# Above this many masks changed at once, ReachMask is rewritten whole rather than changed mask by mask.
MASKS_CHANGED_ONE_BY_ONE = 32


def _rewrite_reach(people, places=None) -> None:
    """Recounts these people's PersonReach rows (with `places`, only their rows of those (circle, tambon) pairs)
    and moves them between the ReachMask counts: the people's masks before and after (two queries) and one
    update for each mask whose count changed, instead of recounting everyone's."""
    before = Counter(_person_masks(people).values_list("mask", flat=True))
    rows = PersonReach.objects.filter(person__in=people)
    if places is not None:
        rows = rows.filter(_places(places))
    rows.delete()
    _write_reach(people, places)
    changes = Counter(_person_masks(people).values_list("mask", flat=True))
    changes.subtract(before)
    changes = {mask: n for mask, n in changes.items() if n}
    if len(changes) > MASKS_CHANGED_ONE_BY_ONE:
        write_reach_masks()
        return
    for mask, n in changes.items():
        if not ReachMask.objects.filter(mask=mask).update(people=F("people") + n):
            ReachMask.objects.create(mask=mask, people=n)
    if changes:
        ReachMask.objects.filter(people__lte=0).delete()


def people_reached(circle: str | None = None, roles: Iterable[str] | None = None) -> int:
    """Distinct people who came to a held session over all time, in this circle (None: any) with one of these
    KM roles at the session (None: any): one query on ReachMask. Call refresh_reach first."""
    total = (
        ReachMask.objects.alias(hit=F("mask").bitand(reach_mask(circle, roles)))
        .filter(hit__gt=0)
        .aggregate(n=Sum("people"))["n"]
    )
    return total or 0


def refresh_reach() -> int:
    """Brings PersonReach up to date for the people of every session written since the last call (the sessions
    marked reach_stale by refresh and by a session's save): a few statements, none when nothing changed. Called
    before "people reached" is counted, so that the write path (the check-in above all) pays nothing for it.
    Returns the number of sessions brought up to date."""
    # One read when nothing changed (the usual case); the transaction and the lock only when something did.
    if not ForumSession.objects.filter(reach_stale=True).exists():
        return 0
    with transaction.atomic():
        return _refresh_stale_reach()


def _refresh_stale_reach() -> int:
    rows = list(
        ForumSession.objects.select_for_update()
        .filter(reach_stale=True)
        .order_by("pk")
        .values_list("pk", "circle", "tambon_id")
    )
    if not rows:
        return 0
    stale = [pk for pk, _circle, _tambon in rows]
    # The people on those sessions now, and those who were (a walk-in removed, an invitation withdrawn): the
    # history keeps every row a session ever had.
    # A union, not an OR of the two: each side reads its own index (at region scale 0.6 s instead of 5.5 s to
    # recount one session's people).
    history = Attendance.history.model.objects.filter(session_id__in=stale).order_by().values("person_id")
    present = Attendance.objects.filter(session_id__in=stale).order_by().values("person_id")
    # Only their counts in the sessions' own circle and tambon can have changed: a session that moved to another
    # circle or tambon had its people recounted everywhere when it was saved (forums/apps.py).
    _rewrite_reach(present.union(history), {(circle, tambon) for _pk, circle, tambon in rows})
    ForumSession.objects.filter(pk__in=stale).update(reach_stale=False)
    return len(stale)


@transaction.atomic
def rebuild_reach() -> None:
    """Recomputes every PersonReach row (after a bulk load): one statement for all the people."""
    PersonReach.objects.all().delete()
    _write_reach()
    write_reach_masks()
    ForumSession.objects.filter(reach_stale=True).update(reach_stale=False)


def session_people(session_id: int) -> list[int]:
    """Everyone a session has or had on its list (its history included)."""
    history = Attendance.history.model.objects.filter(session_id=session_id).values_list(
        "person_id", flat=True
    )
    present = Attendance.objects.filter(session_id=session_id).values_list("person_id", flat=True)
    return sorted({*history, *present} - {None})


@transaction.atomic
def recount_reach(person_ids: list[int]) -> None:
    """Recounts these people's reach at once (after a session of theirs was deleted)."""
    _rewrite_reach(person_ids)


def chair_changed(person_id: int) -> None:
    """After a person became or stopped being the chair: their sessions' chair_attended again, and those
    sessions' figures to recount (one statement), and every cached figure."""
    rows = Attendance.objects.filter(session=OuterRef("pk")).order_by().values("session")
    ForumSession.objects.filter(
        pk__in=Attendance.objects.filter(person_id=person_id).values("session_id")
    ).update(chair_attended=Exists(rows.filter(ATTENDED, person__is_chair=True)), figures_stale=True)
    data_changed()


def count_expressions() -> dict:
    rows = Attendance.objects.filter(session=OuterRef("pk")).order_by().values("session")
    return {
        "invited_count": Coalesce(Subquery(rows.filter(invited=True).annotate(n=Count("pk")).values("n")), 0),
        "attended_count": Coalesce(Subquery(rows.filter(ATTENDED).annotate(n=Count("pk")).values("n")), 0),
        **mask_expressions(AgencyTurnout, Organization),
        "chair_attended": Exists(rows.filter(ATTENDED, person__is_chair=True)),
        "reach_stale": Value(True),
        "figures_stale": Value(True),
    }


MASK_KINDS = {
    "invited": Q(invitations__gt=0),
    "represented": Q(attended__gt=0) | Q(sent_representative__gt=0) | Q(walk_ins__gt=0),
    "in_person": Q(attended__gt=0) | Q(walk_ins__gt=0),
}
MASK_ROLES = tuple(KmRole.values)


def mask_expressions(turnout_model, organization_model) -> dict:
    """The session's agency bit masks (ForumSession.invited_eua and the rest) from its turnout rows: bit i is
    the partner agency with the i-th smallest key, counted in the database so that no extra query is needed.
    The models are parameters so that a migration can use its own."""
    # PostgreSQL shifts by an integer only; COUNT gives a bigint.
    rank = Cast(
        Coalesce(
            Subquery(
                organization_model.objects.filter(kind="agency", pk__lt=OuterRef("organization_id"))
                .order_by()
                .values("kind")
                .annotate(n=Count("pk"))
                .values("n")
            ),
            0,
        ),
        IntegerField(),
    )
    expressions = {}
    for kind, condition in MASK_KINDS.items():
        for role in MASK_ROLES:
            bits = (
                turnout_model.objects.filter(condition, session=OuterRef("pk"), role=role)
                .order_by()
                .values("session")
                .annotate(mask=Sum(Value(1).bitleftshift(rank)))
                .values("mask")
            )
            expressions[f"{kind}_{role}"] = Coalesce(Subquery(bits), 0)
    return expressions


def partner_bits(partner_ids) -> dict[int, int]:
    """The bit of each partner agency in the session masks (the same order as mask_expressions)."""
    return {pk: 1 << index for index, pk in enumerate(sorted(partner_ids))}


DATA_VERSION_KEY = "forums:data-version"


def version_keys(circle: str | None) -> list[str]:
    # A global part, bumped by changes that can touch any figure, and one per circle ("any" for scopes over
    # all circles): marks at a tambon's three-party forum leave the executives' cached dashboard in place.
    return [DATA_VERSION_KEY, f"{DATA_VERSION_KEY}:{circle or 'any'}"]


def data_version(circle: str | None = None) -> str:
    """The version of the figures of scopes limited to this circle (None: all circles)."""
    return ".".join(map(str, versions.read(version_keys(circle))))


def data_changed(circles: Iterable[str] | None = None) -> None:
    """Call after any write that can change a figure: with the circles of the sessions whose attendance
    changed, or with none for a change that can touch every figure (a session's date, circle or status, who
    is the chair). Bumped now and again once the transaction commits (core.versions.bump_after_write)."""
    if circles is None:
        keys = [DATA_VERSION_KEY]
    else:
        keys = [
            f"{DATA_VERSION_KEY}:any",
            *(f"{DATA_VERSION_KEY}:{circle}" for circle in sorted(set(circles))),
        ]
    versions.bump_after_write(keys)


@transaction.atomic(savepoint=False)
def refresh(session_ids: Iterable[int], *, locked_circles: Iterable[str] | None = None) -> None:
    """Recomputes the turnout and head counts of these sessions: four queries whatever the number of people,
    three when the caller already holds the sessions' rows locked in this transaction and passes their circles
    (`locked_circles`). Runs inside the caller's transaction, so that attendance and its summaries change
    together."""
    session_ids = sorted(set(session_ids))
    if not session_ids:
        return
    if locked_circles is None:
        # Two coordinators saving marks of the same session at once must not both rebuild its turnout: each
        # would count without the other's uncommitted marks. Locking the session rows makes the second wait,
        # then count with the first one's marks committed.
        locked = ForumSession.objects.select_for_update().filter(pk__in=session_ids).order_by("pk")
        locked_circles = [circle for _pk, circle in locked.values_list("pk", "circle")]
    AgencyTurnout.objects.filter(session_id__in=session_ids).delete()
    _write_turnout(session_ids)
    _update_counts(session_ids, ForumSession.objects.db)
    data_changed(set(locked_circles))


# The statement that sets a session's head counts and agency masks holds a dozen subqueries: building it with the
# ORM took longer than running it (about 8 ms for one session, on every check-in request). It is built once per
# database and number of sessions, with stand-in keys that are then replaced by the real ones.
_COUNTS_SQL: dict[tuple[str, int], tuple[str, list, list[int]]] = {}
_STAND_IN = -7_000_000_000  # below any key


def _update_counts(session_ids: list[int], using: str) -> None:
    key = (using, len(session_ids))
    if key not in _COUNTS_SQL:
        stand_ins = [_STAND_IN - index for index in range(len(session_ids))]
        query = UpdateQuery(ForumSession)
        query.add_update_values(count_expressions())
        query.add_q(Q(pk__in=stand_ins))
        sql, params = query.get_compiler(using).as_sql()
        params = list(params)
        _COUNTS_SQL[key] = (sql, params, [params.index(stand_in) for stand_in in stand_ins])
    sql, params, positions = _COUNTS_SQL[key]
    params = list(params)
    for position, pk in zip(positions, session_ids, strict=True):
        params[position] = pk
    with connections[using].cursor() as cursor:
        if len(session_ids) == 1:  # every check-in's: prepared once per connection
            prepared.execute(cursor, sql, params, using)
        else:
            cursor.execute(sql, params)


def rebuild(batch: int = 500, progress: Callable[[str], None] | None = None) -> int:
    """Recomputes every session's turnout, a batch of sessions at a time."""
    ids = list(ForumSession.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        with transaction.atomic():
            refresh(ids[start : start + batch])
        if progress:
            progress(f"  {min(start + batch, len(ids)):,}/{len(ids):,} sessions")
    with transaction.atomic():
        AgencyTurnout.objects.exclude(session_id__in=ForumSession.objects.values("pk")).delete()
        rebuild_reach()
        data_changed()
    return len(ids)
