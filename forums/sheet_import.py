"""Import of a typed-up paper sign-in sheet into one session: check every row first, then write all or nothing."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from agencies.models import Person
from forums import services
from forums.models import Attendance, ForumSession
from forums.tabular import Row

COLUMNS = ["person", "status", "representative"]

# Status as typed on a sheet: the code, the Thai word on the printed sheet, or the English label.
STATUS_WORDS = {
    "present": "present", "มา": "present", "มาประชุม": "present", "✓": "present",
    "late": "late", "มาสาย": "late", "สาย": "late",
    "absent": "absent", "ไม่มา": "absent", "ขาด": "absent",
    "excused": "excused", "ลา": "excused",
    "represented": "represented", "ส่งผู้แทน": "represented", "ผู้แทน": "represented",
}  # fmt: skip


@dataclass
class SheetRow:
    line: int
    person_code: str
    status: str
    representative_code: str
    person: Person | None = None
    representative: Person | None = None
    attendance: Attendance | None = None
    problems: list[str] = field(default_factory=list)
    # The version of the attendance row the preview was checked against (0: not on the list), so that a mark
    # changed between preview and confirm is a conflict rather than silently overwritten.
    seen_version: int | None = None

    @property
    def is_walk_in(self) -> bool:
        return self.attendance is None or not self.attendance.invited

    @property
    def current_version(self) -> int:
        return self.attendance.version if self.attendance else 0


def check_rows(session: ForumSession, rows: list[Row]) -> list[SheetRow]:
    """Every row with its problems in the active language; three queries whatever the number of rows."""
    checked = []
    for row in rows:
        typed_status = row.values.get("status", "").strip()
        checked.append(
            SheetRow(
                line=row.line,
                person_code=row.values.get("person", "").strip().upper(),
                status=STATUS_WORDS.get(typed_status.lower(), typed_status),
                representative_code=row.values.get("representative", "").strip().upper(),
            )
        )
    codes = {r.person_code for r in checked} | {
        r.representative_code for r in checked if r.representative_code
    }
    people = {p.code.upper(): p for p in Person.objects.filter(code__in=codes)}
    attendances = {a.person_id: a for a in session.attendances.filter(person__in=people.values())}
    seen = {}
    if session.status == ForumSession.Status.CANCELLED:
        for r in checked:
            r.problems.append(_("The session was cancelled; attendance cannot be recorded."))
    for r in checked:
        if not r.person_code:
            r.problems.append(_("The person's portal code is missing."))
        else:
            r.person = people.get(r.person_code)
            if r.person is None:
                r.problems.append(
                    _("Unknown person: no one has the portal code %(code)s.") % {"code": r.person_code}
                )
            if r.person_code in seen:
                r.problems.append(
                    _("Duplicate: %(code)s is already on line %(line)s.")
                    % {"code": r.person_code, "line": seen[r.person_code]}
                )
            else:
                seen[r.person_code] = r.line
        if r.status not in Attendance.Status.values or not r.status:
            r.problems.append(
                _("Bad status “%(status)s”: use มา, มาสาย, ไม่มา, ลา or ส่งผู้แทน (present, late, absent, excused, "
                  "represented).") % {"status": r.status}
            )  # fmt: skip
        if r.person:
            r.attendance = attendances.get(r.person.pk)
            if r.is_walk_in and r.status not in Attendance.ATTENDED and r.status in Attendance.Status.values:
                r.problems.append(
                    _("%(code)s was not invited: a walk-in is present or late.") % {"code": r.person_code}
                )
        if r.status == Attendance.Status.REPRESENTED:
            if not r.representative_code:
                r.problems.append(_("Name the representative who came instead."))
            else:
                r.representative = people.get(r.representative_code)
                if r.representative is None:
                    r.problems.append(
                        _("Unknown representative: no one has the portal code %(code)s.")
                        % {"code": r.representative_code}
                    )
                elif r.representative_code == r.person_code:
                    r.problems.append(_("A person cannot represent themselves."))
        elif r.representative_code:
            r.problems.append(_("A representative is named only with the status ส่งผู้แทน (represented)."))
    return checked


class SheetRejected(ValueError):
    pass


@transaction.atomic
def apply_rows(session: ForumSession, checked: list[SheetRow], user=None) -> dict:
    """Writes a checked sheet. Raises SheetRejected (and writes nothing) if any row has a problem or if someone
    changed one of these people's marks since the rows were checked."""
    if not checked:
        raise SheetRejected(_("The sheet has no rows."))
    if any(r.problems for r in checked):
        raise SheetRejected(_("The sheet has rows with problems; nothing was saved."))
    marks = [
        services.Mark(
            r.attendance.pk,
            r.status,
            r.current_version if r.seen_version is None else r.seen_version,
            r.representative,
        )
        for r in checked
        if r.attendance
    ]
    result = services.save_marks(session, marks, user=user) if marks else services.MarkResult()
    if result.conflicts:
        transaction.set_rollback(True)
        raise SheetRejected(
            _("Someone changed these marks while the sheet was being checked; nothing was saved: %(names)s")
            % {"names": ", ".join(c.attendance.person.full_name for c in result.conflicts)}
        )
    walk_ins = services.add_walk_ins(
        session, [(r.person, r.status) for r in checked if r.attendance is None], user=user
    )
    return {"marked": len(result.saved), "unchanged": result.unchanged, "walk_ins": len(walk_ins)}
