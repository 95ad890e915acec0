"""The demo region: the province's demo data and copies of it standing for the neighbouring provinces of the south,
multiplied inside the database by INSERT … SELECT (one statement per table and copy), never row by row in Python.

A copy holds the province's people, sessions, attendance, agency turnout and history records again, with
- codes that name the copy: person ``P000123-R1``, session ``F-2549-0123-R1`` (unique; the session code still
  fits the session form's pattern and the person code its 20 characters);
- ids shifted by a step per copy (the table's largest id times the copy's number), so that a copy's attendance
  points at the same copy's people and sessions without a lookup table;
- the same dates, circles, statuses and times: monthly figures keep the province's shape, ten times over;
- the province's tambons and organizations (the nine partner agencies are the region's too; a copy's community
  members stay in the community organizations of the tambon they were copied from), so the tambon list, the
  dashboard's choices and the organization pages keep the province's size, and a tambon's scope covers that
  tambon's sessions in every copy;
- the last name of another person of the province, so that a copy's people are not the province's namesakes
  (the title and first name stay together);
- no portal account (an account belongs to one person), an email address of their own when the original had one;
- the same agency turnout and session head counts as their originals, copied rather than recounted: the
  attendance is the same, so the counts are (forums.summaries.rebuild() gives the same rows, which the tests check);
- the same history records as their originals (the province builder writes one creation record per session and
  none per attendance row, so the copies do too), under the copy's ids and codes.

The statements are plain SQL that PostgreSQL and SQLite both run (INSERT … SELECT, CASE, ``||``, ROW_NUMBER()),
so the region can be built on either and the test suite runs the same code on both. On PostgreSQL the attendance
table's secondary indexes and foreign keys are set aside while the copies go in and made again afterwards: one
sort per index and one pass per key instead of an index entry and five key lookups per row (on a 2-core machine
about 3 s per copy of a million rows and half a minute of index builds at the end, against 18 s per copy with
everything in place). The primary key and the unique constraints stay in place throughout.
"""

from collections.abc import Callable

from django.core.management.color import no_style
from django.db import connection, transaction

from agencies.models import Person
from core import bulk
from forums import summaries
from forums.models import AgencyTurnout, Attendance, ForumSession

# The province and nine copies: 1,055,501 × 10 ≈ 10.6 million attendance rows.
REGION_COPIES = 9


def copy_suffix(number: int) -> str:
    return f"-R{number}"


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _historical(model):
    return model.history.model


def _max_id(model, column: str = "id") -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX({_qn(column)}) FROM {_qn(model._meta.db_table)}")
        return cursor.fetchone()[0] or 0


class RegionCopier:
    """Copies every row of the province present when it was made; copy n never reads the rows of another copy."""

    def __init__(self, copies: int):
        self.copies = copies
        # The largest id of each table before any copy: the step between copies, and the last original row.
        self.steps = {model: _max_id(model) for model in (Person, ForumSession, Attendance, AgencyTurnout)}
        self.last_history = {
            model: _max_id(_historical(model), "history_id") for model in (ForumSession, Attendance)
        }
        self._check_code_lengths()

    def _check_code_lengths(self):
        for model in (Person, ForumSession):
            field = model._meta.get_field("code")
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT MAX(LENGTH(code)) FROM {_qn(model._meta.db_table)}")
                longest = cursor.fetchone()[0] or 0
            if longest + len(copy_suffix(self.copies)) > field.max_length:
                raise ValueError(
                    f"{model.__name__} codes of {longest} characters leave no room for a copy suffix"
                )

    # expressions ------------------------------------------------------------------------------------------
    def _shifted(self, model, number: int) -> dict[str, str]:
        """The id of the model's rows and every column that points at a copied table, shifted to copy `number`."""
        # A history model: its "id" is the original's id.
        instance_type = getattr(model, "instance_type", None)
        shifted = {}
        for field in model._meta.concrete_fields:
            target = None
            if field.primary_key and model in self.steps:
                target = model
            elif instance_type is not None and field.attname == "id":
                target = instance_type
            elif field.is_relation and field.related_model in self.steps:
                target = field.related_model
            if target is not None:
                shifted[field.column] = f"src.{_qn(field.column)} + {int(self.steps[target]) * number}"
        return shifted

    def _insert(self, model, expressions: dict[str, str | None], source: str, where: str) -> int:
        """INSERT INTO the model's table every concrete column, as `src.<column>` unless given an expression;
        a column given None is left to its default (the history records' own id)."""
        columns, values = [], []
        for field in model._meta.concrete_fields:
            expression = expressions.get(field.column, f"src.{_qn(field.column)}")
            if expression is None:
                continue
            columns.append(_qn(field.column))
            values.append(expression)
        sql = (
            f"INSERT INTO {_qn(model._meta.db_table)} ({', '.join(columns)}) "
            f"SELECT {', '.join(values)} FROM {source} WHERE {where}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql)  # no parameters: every value above is a column, a number or a fixed literal
            return cursor.rowcount

    def _session_codes(self, number: int) -> dict[str, str]:
        return {"code": f"src.code || '{copy_suffix(number)}'"}

    # tables -----------------------------------------------------------------------------------------------
    def copy_people(self, number: int) -> int:
        table, last = _qn(Person._meta.db_table), int(self.steps[Person])
        # Person k of the province lends its last name to person k + shift of the copy (by order of id).
        numbered = f"SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS k FROM {table} WHERE id <= {last}"
        lender = f"SELECT last_name, ROW_NUMBER() OVER (ORDER BY id) AS k FROM {table} WHERE id <= {last}"
        count = f"(SELECT COUNT(*) FROM {table} WHERE id <= {last})"
        source = (
            f"{table} src JOIN ({numbered}) n ON n.id = src.id "
            f"JOIN ({lender}) lender ON lender.k = ((n.k - 1 + {number * 997}) % {count}) + 1"
        )
        suffix = copy_suffix(number)
        return self._insert(
            Person,
            {
                **self._shifted(Person, number),
                "code": f"src.code || '{suffix}'",
                "last_name": "CASE WHEN src.anonymized_at IS NULL THEN lender.last_name ELSE src.last_name END",
                "email": f"CASE WHEN src.email = '' THEN '' ELSE REPLACE(src.email, '@', '{suffix.lower()}@') END",
                "user_id": "NULL",
            },
            source,
            f"src.id <= {last}",
        )

    def copy_sessions(self, number: int) -> int:
        rows = self._insert(
            ForumSession,
            {**self._shifted(ForumSession, number), **self._session_codes(number)},
            f"{_qn(ForumSession._meta.db_table)} src",
            f"src.id <= {int(self.steps[ForumSession])}",
        )
        history = _historical(ForumSession)
        self._insert(
            history,
            {**self._shifted(history, number), **self._session_codes(number), "history_id": None},
            f"{_qn(history._meta.db_table)} src",
            f"src.history_id <= {int(self.last_history[ForumSession])}",
        )
        return rows

    def copy_attendance(self, number: int) -> int:
        rows = self._insert(
            Attendance,
            self._shifted(Attendance, number),
            f"{_qn(Attendance._meta.db_table)} src",
            f"src.id <= {int(self.steps[Attendance])}",
        )
        history = _historical(Attendance)
        self._insert(
            history,
            {**self._shifted(history, number), "history_id": None},
            f"{_qn(history._meta.db_table)} src",
            f"src.history_id <= {int(self.last_history[Attendance])}",
        )
        return rows

    def copy_turnout(self, number: int) -> int:
        return self._insert(
            AgencyTurnout,
            self._shifted(AgencyTurnout, number),
            f"{_qn(AgencyTurnout._meta.db_table)} src",
            f"src.id <= {int(self.steps[AgencyTurnout])}",
        )

    def reset_sequences(self):
        models_ = [*self.steps, *(_historical(m) for m in self.last_history)]
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models_):
                cursor.execute(statement)


@transaction.atomic
def multiply(copies: int = REGION_COPIES, progress: Callable[[str], None] | None = None) -> dict:
    """Adds `copies` copies of everything the demo builders wrote (the people, sessions and attendance in the
    database), with their turnout and history; returns the new totals. Runs in one transaction."""
    if not 1 <= copies <= 99:
        raise ValueError("between 1 and 99 copies")
    say = progress or (lambda message: None)
    copier = RegionCopier(copies)
    for number in range(1, copies + 1):
        people = copier.copy_people(number)
        sessions = copier.copy_sessions(number)
        copier.copy_turnout(number)
        say(f"  copy {number}/{copies}: {people:,} people, {sessions:,} sessions")
    with bulk.BulkLoad(Attendance, say):
        for number in range(1, copies + 1):
            rows = copier.copy_attendance(number)
            say(f"  copy {number}/{copies}: {rows:,} attendance rows")
    copier.reset_sequences()
    # The copies' people reached: every person counted again, in one statement.
    summaries.rebuild_reach()
    # Cached figures were computed before the copies: a new data version makes every server recompute.
    summaries.data_changed()
    return {
        "people": Person.objects.count(),
        "sessions": ForumSession.objects.count(),
        "attendance": Attendance.objects.count(),
    }


def analyze() -> None:
    """Fresh planner statistics for the copied tables (PostgreSQL; autovacuum would get there later)."""
    bulk.analyze((Person, ForumSession, Attendance, AgencyTurnout))
