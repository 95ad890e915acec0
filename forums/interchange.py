"""The interchange files of the program (organizations.csv, people.csv, sessions.csv, attendance.csv).

Import is all or nothing: every row of every file is checked first, and any problem (unknown code, bad value,
duplicate, missing column) is reported with its file and line, and nothing is written. A reference may point at a
row of the same import or at a row already in the database. Export writes ISO Gregorian dates, so that an export
imported into an empty database gives back the same data.
"""

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from agencies.models import KmRole, Organization, Person, Tambon, clean_text
from core.thaidates import EARLIEST, LATEST, year_to_gregorian
from forums import summaries
from forums.models import Attendance, Circle, ForumSession
from forums.tabular import TableError, read_csv_bytes

FILES = {
    "organizations.csv": ["code", "name", "kind", "tambon"],
    "people.csv": [
        "code", "title", "first_name", "last_name", "role", "organization", "tambon", "position", "is_chair", "phone",
    ],
    "sessions.csv": ["code", "title", "date", "start", "circle", "tambon", "format", "status", "organizer", "venue"],
    "attendance.csv": ["session", "person", "invited", "status", "representative"],
}  # fmt: skip
COMMUNITY_KINDS = [k for k in Organization.Kind.values if k not in ("agency", "province")]
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
# Codes appear in web addresses (/forums/<code>/, /people/<code>/).
_CODE = re.compile(r"[^\s/?#%\\]+")


@dataclass
class ImportReport:
    errors: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


class ImportRejected(Exception):
    def __init__(self, errors):
        super().__init__("\n".join(errors))
        self.errors = errors


class _Checker:
    def __init__(self):
        self.errors: list[str] = []

    def error(self, file, line, message):
        self.errors.append(f"{file} line {line} / บรรทัด {line}: {message}")


def _parse_date(text):
    match = _DATE.match(text)
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    try:
        date = dt.date(year_to_gregorian(year), month, day)
    except ValueError:
        return None
    # The same range as dates typed in the portal: 2459 is a slip for 2549, not the year 1916.
    return date if EARLIEST <= date <= LATEST else None


def _parse_time(text):
    match = _TIME.match(text)
    if not match:
        return None
    try:
        return dt.time(int(match.group(1)), int(match.group(2)))
    except ValueError:
        return None


def read_directory(directory: Path) -> dict:
    tables = {}
    errors = []
    for name, columns in FILES.items():
        path = directory / name
        if not path.exists():
            continue
        try:
            tables[name] = read_csv_bytes(path.read_bytes(), columns, name)
        except TableError as exc:
            errors.append(str(exc))
    if not tables and not errors:
        errors.append(
            f"No interchange file in {directory} / ไม่พบแฟ้มข้อมูล (organizations.csv, people.csv, sessions.csv, attendance.csv)"
        )
    if errors:
        raise ImportRejected(errors)
    return tables


def import_directory(directory: Path, user=None) -> dict[str, int]:
    """Checks, then writes, every file found in the directory. Raises ImportRejected with every problem."""
    tables = read_directory(directory)
    checker = _Checker()
    tambons = set(Tambon.objects.values_list("code", flat=True))
    organizations = {o.code: o for o in Organization.objects.all()}
    people = {p.code: p for p in Person.objects.all()}
    sessions = {s.code: s for s in ForumSession.objects.all()}

    new_orgs = _check_organizations(tables.get("organizations.csv", []), checker, tambons, organizations)
    known_orgs = set(organizations) | {o.code for o in new_orgs}
    new_people = _check_people(tables.get("people.csv", []), checker, tambons, known_orgs, people)
    known_people = set(people) | {p.code for p in new_people}
    partners = {code for code, o in organizations.items() if o.kind in ("agency", "province")}
    new_sessions = _check_sessions(tables.get("sessions.csv", []), checker, tambons, partners, sessions)
    known_sessions = set(sessions) | {s.code for s in new_sessions}
    new_attendance = _check_attendance(
        tables.get("attendance.csv", []), checker, known_sessions, known_people, sessions
    )
    if checker.errors:
        raise ImportRejected(checker.errors)

    with transaction.atomic():
        Organization.objects.bulk_create(new_orgs)
        organizations.update(
            {o.code: o for o in Organization.objects.filter(code__in=[o.code for o in new_orgs])}
        )
        for person in new_people:
            person.organization = organizations[person.organization_code]
            person.normalize()
        Person.objects.bulk_create(new_people)
        people.update({p.code: p for p in Person.objects.filter(code__in=[p.code for p in new_people])})
        for session in new_sessions:
            session.organizer = organizations.get(session.organizer_code)
        bulk_create_with_history(new_sessions, ForumSession, default_user=user)
        sessions.update(
            {s.code: s for s in ForumSession.objects.filter(code__in=[s.code for s in new_sessions])}
        )
        rows = []
        for values in new_attendance:
            person = people[values["person"]]
            rows.append(
                Attendance(
                    session=sessions[values["session"]],
                    person=person,
                    invited=values["invited"],
                    status=values["status"],
                    representative=people[values["representative"]] if values["representative"] else None,
                    role=person.role,
                    organization_id=person.organization_id,
                )
            )
        bulk_create_with_history(rows, Attendance, default_user=user, batch_size=5000)
        summaries.refresh({row.session_id for row in rows})
    return {
        "organizations": len(new_orgs),
        "people": len(new_people),
        "sessions": len(new_sessions),
        "attendance": len(rows),
    }


def _addressable(checker, file, row, code):
    """Whether the code can be part of a page address (/forums/<code>/): a slash would break every list that
    links the row."""
    if "/" in code:
        checker.error(file, row.line, f"code '{code}' contains '/' / รหัสมีเครื่องหมาย /")
        return False
    return True


def _duplicate(checker, file, row, code, seen, existing):
    if not _CODE.fullmatch(code):
        checker.error(file, row.line, f"code '{code}' has a space, '/', '?', '#' or '%' / รหัสมีอักขระที่ใช้ไม่ได้")
        return True
    if code in existing:
        checker.error(file, row.line, f"duplicate: {code} already exists / รหัสซ้ำกับข้อมูลที่มีอยู่แล้ว")
        return True
    if code in seen:
        checker.error(file, row.line, f"duplicate: {code} is also on line {seen[code]} / รหัสซ้ำในแฟ้ม")
        return True
    seen[code] = row.line
    return False


def _fits(checker, file, row, instance):
    """Whether every text of the row fits its column: a longer one would stop the whole import at the database
    (PostgreSQL) with no line to point at, or be kept whole (SQLite)."""
    ok = True
    for model_field in instance._meta.concrete_fields:
        value = getattr(instance, model_field.attname)
        if isinstance(value, str) and model_field.max_length and len(value) > model_field.max_length:
            checker.error(
                file,
                row.line,
                f"{model_field.name} is longer than {model_field.max_length} characters"
                f" / ยาวเกิน {model_field.max_length} ตัวอักษร",
            )
            ok = False
    return ok


def _choice(checker, file, row, column, allowed):
    value = row.values[column]
    if value not in allowed:
        checker.error(
            file, row.line, f"{column} '{value}' must be one of {'|'.join(allowed)} / ค่า {column} ไม่ถูกต้อง"
        )
        return False
    return True


def _check_organizations(rows, checker, tambons, existing):
    file, seen, out = "organizations.csv", {}, []
    for row in rows:
        v = row.values
        code = v["code"]
        if not code:
            checker.error(file, row.line, "code is empty / ไม่มีรหัส")
            continue
        ok = not _duplicate(checker, file, row, code, seen, existing)
        ok &= _addressable(checker, file, row, code)
        if not v["name"]:
            checker.error(file, row.line, "name is empty / ไม่มีชื่อ")
            ok = False
        ok &= _choice(checker, file, row, "kind", COMMUNITY_KINDS)
        if v["tambon"] not in tambons:
            checker.error(file, row.line, f"unknown tambon '{v['tambon']}' / ไม่พบรหัสตำบล")
            ok = False
        if ok:
            organization = Organization(
                code=code, name_th=clean_text(v["name"]), kind=v["kind"], tambon_id=v["tambon"]
            )
            if _fits(checker, file, row, organization):
                out.append(organization)
    return out


def _check_people(rows, checker, tambons, organizations, existing):
    file, seen, out = "people.csv", {}, []
    for row in rows:
        v = row.values
        code = v["code"]
        if not code:
            checker.error(file, row.line, "code is empty / ไม่มีรหัส")
            continue
        ok = not _duplicate(checker, file, row, code, seen, existing)
        ok &= _addressable(checker, file, row, code)
        if not v["first_name"]:
            checker.error(file, row.line, "first_name is empty / ไม่มีชื่อ")
            ok = False
        ok &= _choice(checker, file, row, "role", KmRole.values)
        ok &= _choice(checker, file, row, "is_chair", ["0", "1"])
        if v["organization"] not in organizations:
            checker.error(file, row.line, f"unknown organization '{v['organization']}' / ไม่พบรหัสองค์กร")
            ok = False
        if v["tambon"] and v["tambon"] not in tambons:
            checker.error(file, row.line, f"unknown tambon '{v['tambon']}' / ไม่พบรหัสตำบล")
            ok = False
        if ok:
            person = Person(
                code=code,
                title=v["title"],
                first_name=v["first_name"],
                last_name=v["last_name"],
                role=v["role"],
                tambon_id=v["tambon"] or None,
                position=v["position"],
                is_chair=v["is_chair"] == "1",
                phone=v["phone"],
            )
            person.organization_code = v["organization"]
            person.normalize()  # as it will be stored, for the lengths
            if _fits(checker, file, row, person):
                out.append(person)
    return out


def _check_sessions(rows, checker, tambons, organizers, existing):
    file, seen, out = "sessions.csv", {}, []
    for row in rows:
        v = row.values
        code = v["code"]
        if not code:
            checker.error(file, row.line, "code is empty / ไม่มีรหัส")
            continue
        ok = not _duplicate(checker, file, row, code, seen, existing)
        ok &= _addressable(checker, file, row, code)
        if not v["title"]:
            checker.error(file, row.line, "title is empty / ไม่มีชื่อเวที")
            ok = False
        date = _parse_date(v["date"])
        if date is None:
            checker.error(file, row.line, f"date '{v['date']}' is not YYYY-MM-DD / วันที่ไม่ถูกต้อง")
            ok = False
        start = _parse_time(v["start"]) if v["start"] else None
        if v["start"] and start is None:
            checker.error(file, row.line, f"start '{v['start']}' is not HH:MM / เวลาไม่ถูกต้อง")
            ok = False
        ok &= _choice(checker, file, row, "circle", Circle.values)
        ok &= _choice(checker, file, row, "format", ForumSession.Format.values)
        ok &= _choice(checker, file, row, "status", ForumSession.Status.values)
        if v["tambon"] and v["tambon"] not in tambons:
            checker.error(file, row.line, f"unknown tambon '{v['tambon']}' / ไม่พบรหัสตำบล")
            ok = False
        if v["organizer"] and v["organizer"] not in organizers:
            checker.error(file, row.line, f"unknown organizer '{v['organizer']}' / ไม่พบรหัสหน่วยงาน")
            ok = False
        if ok:
            session = ForumSession(
                code=code,
                title=clean_text(v["title"]),
                date=date,
                start=start,
                circle=v["circle"],
                tambon_id=v["tambon"] or None,
                format=v["format"],
                status=v["status"],
                venue=v["venue"],
            )
            session.organizer_code = v["organizer"]
            if _fits(checker, file, row, session):
                out.append(session)
    return out


def _check_attendance(rows, checker, sessions, people, existing_sessions):
    file, seen, out = "attendance.csv", {}, []
    existing_pairs = set(
        Attendance.objects.filter(session__code__in=[r.values["session"] for r in rows]).values_list(
            "session__code", "person__code"
        )
    )
    for row in rows:
        v = row.values
        ok = True
        if v["session"] not in sessions:
            checker.error(file, row.line, f"unknown session '{v['session']}' / ไม่พบรหัสเวที")
            ok = False
        if v["person"] not in people:
            checker.error(file, row.line, f"unknown person '{v['person']}' / ไม่พบรหัสบุคคล")
            ok = False
        pair = (v["session"], v["person"])
        if pair in existing_pairs:
            checker.error(file, row.line, f"duplicate: {pair[1]} at {pair[0]} already exists / ข้อมูลซ้ำ")
            ok = False
        elif pair in seen:
            checker.error(file, row.line, f"duplicate: same session and person as line {seen[pair]} / ข้อมูลซ้ำ")
            ok = False
        else:
            seen[pair] = row.line
        ok &= _choice(checker, file, row, "invited", ["0", "1"])
        # An empty status is an invitation not yet marked (a planned session), so that export and import carry
        # invitations too; the program's format lists only the five outcomes.
        allowed = (
            Attendance.Status.values if v["invited"] == "1" else [s for s in Attendance.Status.values if s]
        )
        ok &= _choice(checker, file, row, "status", allowed)
        if ok and v["invited"] == "0" and v["status"] not in Attendance.ATTENDED:
            checker.error(
                file, row.line, "a walk-in (invited 0) must be present or late / ผู้ไม่ได้รับเชิญต้องมาหรือมาสาย"
            )
            ok = False
        if v["representative"]:
            if v["status"] != "represented":
                checker.error(
                    file, row.line, "representative is given only with represented / ระบุผู้แทนได้เฉพาะส่งผู้แทน"
                )
                ok = False
            elif v["representative"] not in people:
                checker.error(file, row.line, f"unknown representative '{v['representative']}' / ไม่พบรหัสผู้แทน")
                ok = False
        if ok:
            out.append({**v, "invited": v["invited"] == "1"})
    return out


# Export -----------------------------------------------------------------------------------------------------


def _write(path: Path, columns, rows):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def export_directory(directory: Path) -> dict[str, int]:
    directory.mkdir(parents=True, exist_ok=True)
    organizations = Organization.objects.community().select_related("tambon").order_by("code")
    _write(
        directory / "organizations.csv",
        FILES["organizations.csv"],
        [(o.code, o.name_th, o.kind, o.tambon_id or "") for o in organizations],
    )
    people = Person.objects.select_related("organization").order_by("code")
    _write(
        directory / "people.csv",
        FILES["people.csv"],
        [
            (p.code, p.title, p.first_name, p.last_name, p.role, p.organization.code, p.tambon_id or "",
             p.position, "1" if p.is_chair else "0", p.phone)
            for p in people.iterator(chunk_size=5000)
        ],
    )  # fmt: skip
    sessions = ForumSession.objects.select_related("organizer").order_by("date", "code")
    _write(
        directory / "sessions.csv",
        FILES["sessions.csv"],
        [
            (s.code, s.title, s.date.isoformat(), s.start.strftime("%H:%M") if s.start else "", s.circle,
             s.tambon_id or "", s.format, s.status, s.organizer.code if s.organizer else "", s.venue)
            for s in sessions
        ],
    )  # fmt: skip
    attendance = Attendance.objects.order_by("session__date", "session__code", "person__code").values_list(
        "session__code", "person__code", "invited", "status", "representative__code"
    )
    rows = [
        (session, person, "1" if invited else "0", status, representative or "")
        for session, person, invited, status, representative in attendance.iterator(chunk_size=10000)
    ]
    _write(directory / "attendance.csv", FILES["attendance.csv"], rows)
    return {
        "organizations": organizations.count(),
        "people": people.count(),
        "sessions": sessions.count(),
        "attendance": len(rows),
    }
