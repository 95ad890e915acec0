"""The interchange files of the program (organizations.csv, people.csv, sessions.csv, attendance.csv), version 2.

Import is all or nothing: the files are read as a stream, a chunk of rows at a time, checked and written inside one
transaction; any problem (unknown code, bad value, duplicate, missing or unknown column) is reported with its file
and line, and the transaction is rolled back, so nothing is written. A reference may point at a row of the same
import or at a row already in the database. Files of version 1 (without the v2 columns) are read too.

Export writes every v2 column, ISO Gregorian dates and the exact stored text: these files are for machines (the
next import), not for spreadsheets, so no cell is altered (core.spreadsheets is for files meant for people).
"""

import codecs
import csv
import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from agencies import cache as agency_cache
from agencies.models import KmRole, Organization, Person, Tambon, clean_text
from core import bulk, thaidates
from forums import summaries
from forums.models import Attendance, Circle, ForumSession

# Per file: the columns of version 1 (required) and those added by version 2 (optional on import, always exported).
FORMAT = {
    "organizations.csv": (["code", "name", "kind", "tambon"], []),
    "people.csv": (
        ["code", "title", "first_name", "last_name", "role", "organization", "tambon", "position", "is_chair", "phone"],
        ["email"],
    ),
    "sessions.csv": (
        ["code", "title", "date", "start", "circle", "tambon", "format", "status", "organizer", "venue"],
        ["end", "agenda", "minutes", "note_taker"],
    ),
    "attendance.csv": (
        ["session", "person", "invited", "status", "representative"],
        ["role", "organization", "reply", "checked_in_at"],
    ),
}  # fmt: skip
FILES = {name: required + added for name, (required, added) in FORMAT.items()}
COMMUNITY_KINDS = [k for k in Organization.Kind.values if k not in ("agency", "province")]
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
# Codes appear in web addresses (/forums/<code>/, /people/<code>/).
_CODE = re.compile(r"[^\s/?#%\\]+")
# Rows checked and written at a time: small enough that memory stays flat whatever the file's size, large enough
# that each database round trip carries thousands of rows.
CHUNK_ROWS = 5000
# Past this many problems the rest are counted, not listed: a file in the wrong format would otherwise print a
# million lines.
MAX_LISTED_PROBLEMS = 500
_THAI_BLOCK = range(0x0E00, 0x0E80)
# Thai vowel and tone marks sit on a Thai letter: after anything else, the bytes were not Thai (é of Latin-1 is the
# same byte as the tone mark ไม้โท in TIS-620).
_MISPLACED_THAI_MARK = re.compile(r"[^\u0e01-\u0e4e][\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")


class ImportRejected(Exception):
    def __init__(self, errors):
        super().__init__("\n".join(errors))
        self.errors = errors


class _Checker:
    def __init__(self):
        self.errors: list[str] = []
        self.count = 0

    def error(self, file, line, message):
        self.count += 1
        if len(self.errors) < MAX_LISTED_PROBLEMS:
            self.errors.append(f"{file} line {line} / บรรทัด {line}: {message}")

    def file_error(self, message):
        self.count += 1
        self.errors.append(message)

    def all_errors(self) -> list[str]:
        hidden = self.count - len(self.errors)
        if hidden:
            return [*self.errors, f"… and {hidden:,} more problem(s) / และปัญหาอื่นอีก {hidden:,} รายการ"]
        return self.errors


def _date_problem(text: str) -> str:
    return thaidates.refusal(text)


def _parse_time(text):
    match = _TIME.match(text)
    if not match:
        return None
    try:
        return dt.time(int(match.group(1)), int(match.group(2)))
    except ValueError:
        return None


# Reading -------------------------------------------------------------------------------------------------------


@dataclass
class Row:
    line: int
    values: dict[str, str]


def detect_encoding(path: Path, name: str) -> str:
    """UTF-8 (with or without a byte-order mark), or the Thai Windows code page (TIS-620 / cp874) that Excel and
    older programs in Thai offices still save. The file is read as cp874 only when every character it gives
    outside ASCII is Thai: a file in another encoding would turn into wrong Thai, so it is refused instead."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as file:
            while block := file.read(1 << 20):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    refused = ImportRejected(
        [
            f"{name} is neither UTF-8 nor Thai Windows text (TIS-620). In Excel choose File → Save As → "
            f"“CSV UTF-8 (Comma delimited)”; in LibreOffice tick “Edit filter settings” and choose “Unicode (UTF-8)”."
            f" / แฟ้ม {name} ไม่ใช่ข้อความ UTF-8 หรือ TIS-620: ใน Excel เลือก บันทึกเป็น → “CSV UTF-8 (Comma delimited)”;"
            f" ใน LibreOffice เลือก “แก้ไขการตั้งค่าตัวกรอง” แล้วเลือกชุดอักขระ “Unicode (UTF-8)”"
        ]
    )
    decoder = codecs.getincrementaldecoder("cp874")()
    try:
        with path.open("rb") as file:
            while block := file.read(1 << 20):
                text = decoder.decode(block)
                if any(
                    ord(c) > 0x7F and ord(c) not in _THAI_BLOCK for c in text
                ) or _MISPLACED_THAI_MARK.search(text):
                    raise refused
    except UnicodeDecodeError:
        raise refused from None
    return "cp874"


def _check_size(path: Path, name: str):
    limit = settings.KM_IMPORT_MAX_MB
    size = path.stat().st_size
    if size > limit * 1024 * 1024:
        raise ImportRejected(
            [
                f"{name} is {size / 1024 / 1024:,.0f} MB, more than the limit of {limit:,} MB (setting"
                f" KM_IMPORT_MAX_MB); split it into several imports or raise the limit"
                f" / แฟ้ม {name} มีขนาด {size / 1024 / 1024:,.0f} MB เกินขีดจำกัด {limit:,} MB (KM_IMPORT_MAX_MB)"
                f" ให้แบ่งนำเข้าหลายครั้งหรือเพิ่มขีดจำกัด"
            ]
        )


class _Table:
    """One interchange file read as a stream of rows, with the line each starts on (as a spreadsheet numbers
    them, blank lines included) and the bytes read so far, for the progress bar."""

    def __init__(self, path: Path, name: str, encoding: str):
        self.path, self.name, self.encoding = path, name, encoding
        self.size = path.stat().st_size
        self.columns: list[str] = []

    def header_problems(self) -> list[str]:
        """Reads the header (the first line that is not blank); every file's header is checked before any row, so
        that a missing column is reported alone rather than with every reference to the file's rows."""
        with self.path.open(encoding=self.encoding, newline="") as file:
            reader = csv.reader(file)
            try:
                for cells in reader:
                    if any(c.strip() for c in cells):
                        header = [c.strip().lstrip("\ufeff").lower() for c in cells]
                        break
                else:
                    return [f"{self.name} is empty / แฟ้ม {self.name} ไม่มีข้อมูล"]
            except csv.Error as exc:
                return [f"{self.name} is not a readable CSV file: {exc} / แฟ้ม {self.name} อ่านไม่ได้"]
            self.header_line = line = reader.line_num
        required, added = FORMAT[self.name]
        problems = []
        seen = set()
        for column in header:
            if column in seen:
                problems.append(
                    f"{self.name} line {line} / บรรทัด {line}: column '{column}' is named twice"
                    f" / คอลัมน์ '{column}' ซ้ำ"
                )
            elif column not in required and column not in added:
                problems.append(
                    f"{self.name} line {line} / บรรทัด {line}: unknown column '{column}' (the format has"
                    f" {', '.join(required + added)}) / ไม่รู้จักคอลัมน์ '{column}'"
                )
            seen.add(column)
        missing = [c for c in required if c not in seen]
        if missing:
            problems.append(
                f"{self.name} line {line} / บรรทัด {line}: missing column(s) {', '.join(missing)}"
                f" / ไม่มีคอลัมน์ {', '.join(missing)}"
            )
        self.columns = header
        return problems

    def chunks(self, checker: _Checker, advance: Callable[[int], None]) -> Iterator[list[Row]]:
        with self.path.open(encoding=self.encoding, newline="") as file:
            reader = csv.reader(file)
            for _header in reader:
                if reader.line_num >= self.header_line:
                    break
            columns = self.columns
            added = [c for c in FILES[self.name] if c not in columns]
            width = len(columns)
            chunk: list[Row] = []
            position = 0
            line = reader.line_num + 1
            try:
                for cells in reader:
                    if any(c.strip() for c in cells):
                        if len(cells) > width and any(c.strip() for c in cells[width:]):
                            checker.error(
                                self.name, line, "more cells than the header has columns / ข้อมูลเกินจำนวนคอลัมน์"
                            )
                        elif len(cells) < width:
                            cells += [""] * (width - len(cells))
                        values = {column: cells[i].strip() for i, column in enumerate(columns)}
                        for column in added:
                            values[column] = ""
                        if "\x00" in "".join(cells):
                            checker.error(self.name, line, "holds a NUL character / มีอักขระ NUL")
                        else:
                            chunk.append(Row(line, values))
                    line = reader.line_num + 1
                    if len(chunk) >= CHUNK_ROWS:
                        yield chunk
                        chunk = []
                        now = file.buffer.tell()
                        advance(now - position)
                        position = now
            except csv.Error as exc:
                checker.error(self.name, line, f"not readable as CSV: {exc} / อ่านแถวนี้ไม่ได้")
            if chunk:
                yield chunk
            advance(self.size - position)


def _tables(directory: Path) -> dict[str, _Table]:
    tables, problems = {}, []
    for name in FILES:
        path = directory / name
        if not path.exists():
            continue
        try:
            _check_size(path, name)
            table = _Table(path, name, detect_encoding(path, name))
        except ImportRejected as exc:
            problems.extend(exc.errors)
            continue
        problems.extend(table.header_problems())
        tables[name] = table
    if not tables and not problems:
        problems.append(
            f"No interchange file in {directory} / ไม่พบแฟ้มข้อมูล (organizations.csv, people.csv, sessions.csv, attendance.csv)"
        )
    if problems:
        raise ImportRejected(problems)
    return tables


# Import --------------------------------------------------------------------------------------------------------


class _NoProgress:
    def __init__(self, *args, **kwargs):
        pass

    def update(self, n):
        pass

    def close(self):
        pass


class _Known:
    """Every code the import may refer to: those already in the database and those written by this import."""

    def __init__(self):
        self.tambons = set(Tambon.objects.values_list("code", flat=True))
        self.organizations = dict(Organization.objects.values_list("code", "pk"))
        self.partners = set(
            Organization.objects.filter(kind__in=("agency", "province")).values_list("code", flat=True)
        )
        # code -> (pk, current role, current organization pk): what an attendance row without the v2 columns uses.
        self.people = {
            code: (pk, role, organization_id)
            for code, pk, role, organization_id in Person.objects.values_list(
                "code", "pk", "role", "organization_id"
            ).iterator(chunk_size=20000)
        }
        self.sessions = dict(ForumSession.objects.values_list("code", "pk"))
        self.sessions_before = set(self.sessions.values())


def import_directory(directory: Path, user=None, progress=_NoProgress) -> dict[str, int]:
    """Checks and writes every file found in the directory, in one transaction. Raises ImportRejected with every
    problem (and nothing written). `progress(total=bytes, desc=file)` makes a progress bar (tqdm's signature)."""
    tables = _tables(directory)
    checker = _Checker()
    counts = dict.fromkeys(("organizations", "people", "sessions", "attendance"), 0)
    with transaction.atomic():
        known = _Known()
        steps = [
            ("organizations.csv", "organizations", _import_organizations),
            ("people.csv", "people", _import_people),
            ("sessions.csv", "sessions", _import_sessions),
            ("attendance.csv", "attendance", _import_attendance),
        ]
        touched_sessions: set[int] = set()
        for name, key, step in steps:
            table = tables.get(name)
            if table is None:
                continue
            bar = progress(total=table.size, desc=name, unit="B", unit_scale=True)
            try:
                state = {}
                for chunk in table.chunks(checker, bar.update):
                    counts[key] += step(chunk, checker, known, state, user, touched_sessions)
            finally:
                bar.close()
        if checker.count:
            raise ImportRejected(checker.all_errors())
        # The dashboard's summaries of every session that gained attendance, once, in the same transaction.
        ordered = sorted(touched_sessions)
        for start in range(0, len(ordered), 500):
            summaries.refresh(ordered[start : start + 500])
        # And the people they reached, in one pass rather than at the first dashboard view after the import.
        summaries.refresh_reach()
    return counts


def _write_allowed(checker: _Checker) -> bool:
    # After the first problem the rest of the files are still checked (so that every problem is reported at
    # once), but nothing more is written: the transaction will be rolled back anyway.
    return checker.count == 0


def _duplicate(checker, file, row, code, seen, existing):
    if not _CODE.fullmatch(code) or "/" in code:
        checker.error(file, row.line, f"code '{code}' has a space, '/', '?', '#' or '%' / รหัสมีอักขระที่ใช้ไม่ได้")
        return True
    if code in existing and code not in seen:
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
        shown = "|".join(a or "(empty)" for a in allowed)
        checker.error(file, row.line, f"{column} '{value}' must be one of {shown} / ค่า {column} ไม่ถูกต้อง")
        return False
    return True


def _import_organizations(rows, checker, known, state, user, touched):
    file = "organizations.csv"
    seen = state.setdefault("seen", {})
    out = []
    for row in rows:
        v = row.values
        code = v["code"]
        if not code:
            checker.error(file, row.line, "code is empty / ไม่มีรหัส")
            continue
        ok = not _duplicate(checker, file, row, code, seen, known.organizations)
        if not v["name"]:
            checker.error(file, row.line, "name is empty / ไม่มีชื่อ")
            ok = False
        ok &= _choice(checker, file, row, "kind", COMMUNITY_KINDS)
        if v["tambon"] not in known.tambons:
            checker.error(file, row.line, f"unknown tambon '{v['tambon']}' / ไม่พบรหัสตำบล")
            ok = False
        if ok:
            organization = Organization(
                code=code, name_th=clean_text(v["name"]), kind=v["kind"], tambon_id=v["tambon"]
            )
            if _fits(checker, file, row, organization):
                out.append(organization)
    if _write_allowed(checker):
        Organization.objects.bulk_create(out)
        agency_cache.changed()  # bulk writes: no model signal reports them
        known.organizations.update(
            Organization.objects.filter(code__in=[o.code for o in out]).values_list("code", "pk")
        )
    else:
        known.organizations.update({o.code: None for o in out})
    return len(out)


def _import_people(rows, checker, known, state, user, touched):
    file = "people.csv"
    seen = state.setdefault("seen", {})
    out = []
    for row in rows:
        v = row.values
        code = v["code"]
        if not code:
            checker.error(file, row.line, "code is empty / ไม่มีรหัส")
            continue
        ok = not _duplicate(checker, file, row, code, seen, known.people)
        if not v["first_name"]:
            checker.error(file, row.line, "first_name is empty / ไม่มีชื่อ")
            ok = False
        ok &= _choice(checker, file, row, "role", KmRole.values)
        ok &= _choice(checker, file, row, "is_chair", ["0", "1"])
        if v["organization"] not in known.organizations:
            checker.error(file, row.line, f"unknown organization '{v['organization']}' / ไม่พบรหัสองค์กร")
            ok = False
        if v["tambon"] and v["tambon"] not in known.tambons:
            checker.error(file, row.line, f"unknown tambon '{v['tambon']}' / ไม่พบรหัสตำบล")
            ok = False
        if v["email"] and ("@" not in v["email"] or " " in v["email"]):
            checker.error(file, row.line, f"email '{v['email']}' is not an address / อีเมลไม่ถูกต้อง")
            ok = False
        if ok:
            person = Person(
                code=code,
                title=v["title"],
                first_name=v["first_name"],
                last_name=v["last_name"],
                role=v["role"],
                organization_id=known.organizations[v["organization"]],
                tambon_id=v["tambon"] or None,
                position=v["position"],
                is_chair=v["is_chair"] == "1",
                phone=v["phone"],
                email=v["email"],
            )
            person.normalize()  # as it will be stored, for the lengths
            if _fits(checker, file, row, person):
                out.append(person)
    if _write_allowed(checker):
        created = Person.objects.bulk_create(out)
        agency_cache.changed()
        if created and created[0].pk is None:  # a database that does not return the new keys
            created = Person.objects.filter(code__in=[p.code for p in out])
        known.people.update({p.code: (p.pk, p.role, p.organization_id) for p in created})
    else:
        # Later files may refer to these people: known, so that only real problems are reported.
        known.people.update({p.code: (None, p.role, p.organization_id) for p in out})
    return len(out)


def _import_sessions(rows, checker, known, state, user, touched):
    file = "sessions.csv"
    seen = state.setdefault("seen", {})
    out = []
    for row in rows:
        v = row.values
        code = v["code"]
        if not code:
            checker.error(file, row.line, "code is empty / ไม่มีรหัส")
            continue
        ok = not _duplicate(checker, file, row, code, seen, known.sessions)
        if not v["title"]:
            checker.error(file, row.line, "title is empty / ไม่มีชื่อเวที")
            ok = False
        date = None
        if not v["date"]:
            checker.error(file, row.line, "date is empty / ไม่มีวันที่")
            ok = False
        else:
            problem = _date_problem(v["date"])
            if problem:
                checker.error(file, row.line, f"date '{v['date']}': {problem}")
                ok = False
            else:
                date = thaidates.parse_date(v["date"])
        times = {}
        for column in ("start", "end"):
            times[column] = _parse_time(v[column]) if v[column] else None
            if v[column] and times[column] is None:
                checker.error(file, row.line, f"{column} '{v[column]}' is not HH:MM / เวลาไม่ถูกต้อง")
                ok = False
        if times["start"] and times["end"] and times["end"] <= times["start"]:
            checker.error(file, row.line, "end is not after start / เวลาเลิกต้องหลังเวลาเริ่ม")
            ok = False
        ok &= _choice(checker, file, row, "circle", Circle.values)
        ok &= _choice(checker, file, row, "format", ForumSession.Format.values)
        ok &= _choice(checker, file, row, "status", ForumSession.Status.values)
        if v["tambon"] and v["tambon"] not in known.tambons:
            checker.error(file, row.line, f"unknown tambon '{v['tambon']}' / ไม่พบรหัสตำบล")
            ok = False
        if v["organizer"] and v["organizer"] not in known.partners:
            checker.error(file, row.line, f"unknown organizer '{v['organizer']}' / ไม่พบรหัสหน่วยงาน")
            ok = False
        if v["note_taker"] and v["note_taker"] not in known.people:
            checker.error(file, row.line, f"unknown note_taker '{v['note_taker']}' / ไม่พบรหัสผู้จดบันทึก")
            ok = False
        if ok:
            session = ForumSession(
                code=code,
                title=clean_text(v["title"]),
                date=date,
                start=times["start"],
                end=times["end"],
                circle=v["circle"],
                tambon_id=v["tambon"] or None,
                format=v["format"],
                status=v["status"],
                organizer_id=known.organizations.get(v["organizer"]) if v["organizer"] else None,
                venue=v["venue"],
                agenda=v["agenda"],
                minutes=v["minutes"],
                note_taker_id=known.people[v["note_taker"]][0] if v["note_taker"] else None,
            )
            if _fits(checker, file, row, session):
                out.append(session)
    if _write_allowed(checker):
        created = bulk_create_with_history(out, ForumSession, default_user=user)
        if created and created[0].pk is None:
            created = ForumSession.objects.filter(code__in=[s.code for s in out])
        known.sessions.update({s.code: s.pk for s in created})
    else:
        known.sessions.update({s.code: None for s in out})
    return len(out)


def _checked_in_at(text):
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.tzinfo is None:
        return None
    return value


def _import_attendance(rows, checker, known, state, user, touched):
    file = "attendance.csv"
    # (session pk, person pk) -> line; for rows whose session or person is new, the pair of codes.
    seen = state.setdefault("seen", {})
    loaded = state.setdefault("loaded", set())  # sessions from before the import whose rows are in `seen`
    people, sessions = known.people, known.sessions
    to_load = {
        sessions[r.values["session"]]
        for r in rows
        if sessions.get(r.values["session"]) in known.sessions_before
    } - loaded
    if to_load:
        for session_id, person_id in Attendance.objects.filter(session_id__in=to_load).values_list(
            "session_id", "person_id"
        ):
            seen[(session_id, person_id)] = 0
        loaded |= to_load
    statuses = Attendance.Status.values
    walk_in_statuses = list(Attendance.ATTENDED)
    roles, replies = KmRole.values, Attendance.Reply.values
    out = []
    for row in rows:
        v = row.values
        ok = True
        session_id = sessions.get(v["session"], False)
        person = people.get(v["person"])
        if session_id is False:
            checker.error(file, row.line, f"unknown session '{v['session']}' / ไม่พบรหัสเวที")
            ok = False
        if person is None:
            checker.error(file, row.line, f"unknown person '{v['person']}' / ไม่พบรหัสบุคคล")
            ok = False
        if ok:
            pair = (session_id, person[0]) if session_id and person[0] else (v["session"], v["person"])
            earlier = seen.get(pair)
            if earlier == 0:
                checker.error(
                    file, row.line, f"duplicate: {v['person']} at {v['session']} already exists / ข้อมูลซ้ำ"
                )
                ok = False
            elif earlier is not None:
                checker.error(
                    file, row.line, f"duplicate: same session and person as line {earlier} / ข้อมูลซ้ำ"
                )
                ok = False
            else:
                seen[pair] = row.line
        invited = v["invited"]
        if invited not in ("0", "1"):
            ok &= _choice(checker, file, row, "invited", ["0", "1"])
        # An empty status is an invitation not yet marked (a planned session), so that export and import carry
        # invitations too; the program's format lists only the five outcomes.
        elif invited == "1":
            ok &= _choice(checker, file, row, "status", statuses)
        elif not _choice(checker, file, row, "status", [s for s in statuses if s]):
            ok = False
        elif v["status"] not in walk_in_statuses:
            checker.error(
                file, row.line, "a walk-in (invited 0) must be present or late / ผู้ไม่ได้รับเชิญต้องมาหรือมาสาย"
            )
            ok = False
        representative = None
        if v["representative"]:
            if v["status"] != "represented":
                checker.error(
                    file, row.line, "representative is given only with represented / ระบุผู้แทนได้เฉพาะส่งผู้แทน"
                )
                ok = False
            elif v["representative"] not in people:
                checker.error(file, row.line, f"unknown representative '{v['representative']}' / ไม่พบรหัสผู้แทน")
                ok = False
            else:
                representative = people[v["representative"]][0]
        if v["role"] and v["role"] not in roles:
            _choice(checker, file, row, "role", roles)
            ok = False
        if v["organization"] and v["organization"] not in known.organizations:
            checker.error(file, row.line, f"unknown organization '{v['organization']}' / ไม่พบรหัสองค์กร")
            ok = False
        if v["reply"] and not _choice(checker, file, row, "reply", replies):
            ok = False
        checked_in_at = None
        if v["checked_in_at"]:
            checked_in_at = _checked_in_at(v["checked_in_at"])
            if checked_in_at is None:
                checker.error(
                    file,
                    row.line,
                    f"checked_in_at '{v['checked_in_at']}' is not an ISO 8601 date-time with its offset,"
                    " e.g. 2006-01-13T09:12:00+07:00 / เวลาลงชื่อไม่ถูกต้อง",
                )
                ok = False
            elif not thaidates.EARLIEST <= checked_in_at.date() <= thaidates.LATEST:
                problem = _date_problem(timezone.localtime(checked_in_at).date().isoformat())
                checker.error(file, row.line, f"checked_in_at '{v['checked_in_at']}': {problem}")
                ok = False
        if ok and _write_allowed(checker):
            out.append(
                (
                    session_id,
                    person[0],
                    invited == "1",
                    v["reply"],
                    v["status"],
                    representative,
                    checked_in_at,
                    v["role"] or person[1],
                    known.organizations[v["organization"]] if v["organization"] else person[2],
                )
            )
    if _write_allowed(checker) and out:
        writer = state.get("writer") or state.setdefault("writer", _AttendanceWriter(user))
        writer.write(out)
        touched.update(row[0] for row in out)
    return len(out)


class _AttendanceWriter:
    """Writes attendance rows and their history records (django-simple-history's table, as bulk_create_with_history
    would) without building two model objects per row: at a million rows Django's per-object work, not the
    database, was most of the time. COPY on PostgreSQL, executemany on SQLite."""

    COLUMNS = [
        "session_id", "person_id", "invited", "reply", "status", "representative_id", "checked_in_at", "role",
        "organization_id",
    ]  # fmt: skip

    def __init__(self, user):
        self.history = Attendance.history.model
        self.user_id = user.pk if user else None
        self.now = timezone.now()
        self.postgres = connection.vendor == "postgresql"
        if not self.postgres:
            # SQLite: the import's transaction holds the write lock from its start (IMMEDIATE), so the keys after
            # the largest one ever given are free for it. Not merely after the largest one present: the key of a
            # deleted row is never given again (AUTOINCREMENT), or its history would become the new row's.
            table = Attendance._meta.db_table
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT MAX(COALESCE((SELECT MAX(id) FROM {table}), 0),"
                    " COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
                    [table],
                )
                self.next_id = cursor.fetchone()[0] + 1

    def _ids(self, cursor, count):
        if self.postgres:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [Attendance._meta.db_table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        first, self.next_id = self.next_id, self.next_id + count
        return range(first, first + count)

    def write(self, rows):
        main_columns = ["id", *self.COLUMNS, "version", "updated_at"]
        history_columns = [
            "id", *self.COLUMNS, "history_date", "history_change_reason", "history_type", "history_user_id",
        ]  # fmt: skip
        # Every other column gets its model default, so that a field added later cannot be left out here.
        main_extra, main_defaults = column_defaults(Attendance, main_columns)
        history_extra, history_defaults = column_defaults(self.history, [*history_columns, "history_id"])
        main_columns += main_extra
        history_columns += history_extra
        with connection.cursor() as cursor:
            ids = self._ids(cursor, len(rows))
            if self.postgres:
                main = [(pk, *row, 1, self.now, *main_defaults) for pk, row in zip(ids, rows, strict=True)]
                history = [
                    (pk, *row, self.now, None, "+", self.user_id, *history_defaults)
                    for pk, row in zip(ids, rows, strict=True)
                ]
                bulk.insert_rows(Attendance._meta.db_table, main_columns, main)
                bulk.insert_rows(self.history._meta.db_table, history_columns, history)
            else:
                now = _sqlite_datetime(self.now)
                main, history = [], []
                for pk, row in zip(ids, rows, strict=True):
                    row = (*row[:6], _sqlite_datetime(row[6]), *row[7:])
                    main.append((pk, *row, 1, now, *main_defaults))
                    history.append((pk, *row, now, None, "+", self.user_id, *history_defaults))
                bulk.insert_rows(Attendance._meta.db_table, main_columns, main)
                bulk.insert_rows(self.history._meta.db_table, history_columns, history)


def column_defaults(model, given) -> tuple[list[str], list]:
    """The columns of ``model`` not in ``given`` (and not an automatic key), with their defaults as stored."""
    names, values = [], []
    for field in model._meta.concrete_fields:
        if field.column in given or field.attname in given:
            continue
        names.append(field.column)
        values.append(field.get_db_prep_save(field.get_default(), connection))
    return names, values


def _sqlite_datetime(value):
    # As Django's SQLite backend stores an aware date-time: UTC, without the offset.
    if value is None:
        return None
    return str(value.astimezone(dt.UTC).replace(tzinfo=None))


# Export --------------------------------------------------------------------------------------------------------


def _writer(path: Path):
    file = path.open("w", encoding="utf-8", newline="")
    return file, csv.writer(file, lineterminator="\n")


def _time(value: dt.time | None) -> str:
    return value.strftime("%H:%M") if value else ""


def _instant(value: dt.datetime | None) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def export_directory(directory: Path) -> dict[str, int]:
    """Writes the four files, a chunk of rows at a time (a million attendance rows never sit in memory)."""
    directory.mkdir(parents=True, exist_ok=True)
    counts = {}
    file, writer = _writer(directory / "organizations.csv")
    with file:
        writer.writerow(FILES["organizations.csv"])
        rows = (
            Organization.objects.community()
            .order_by("code")
            .values_list("code", "name_th", "kind", "tambon_id")
        )
        counts["organizations"] = 0
        for code, name, kind, tambon in rows:
            writer.writerow((code, name, kind, tambon or ""))
            counts["organizations"] += 1

    file, writer = _writer(directory / "people.csv")
    with file:
        writer.writerow(FILES["people.csv"])
        rows = Person.objects.order_by("code").values_list(
            "code", "title", "first_name", "last_name", "role", "organization__code", "tambon_id", "position",
            "is_chair", "phone", "email",
        )  # fmt: skip
        counts["people"] = 0
        for (
            code,
            title,
            first,
            last,
            role,
            organization,
            tambon,
            position,
            chair,
            phone,
            email,
        ) in rows.iterator(chunk_size=10000):
            writer.writerow(
                (code, title, first, last, role, organization, tambon or "", position, "1" if chair else "0",
                 phone, email)
            )  # fmt: skip
            counts["people"] += 1

    file, writer = _writer(directory / "sessions.csv")
    with file:
        writer.writerow(FILES["sessions.csv"])
        rows = ForumSession.objects.order_by("date", "code").values_list(
            "code", "title", "date", "start", "circle", "tambon_id", "format", "status", "organizer__code", "venue",
            "end", "agenda", "minutes", "note_taker__code",
        )  # fmt: skip
        counts["sessions"] = 0
        for (
            code,
            title,
            date,
            start,
            circle,
            tambon,
            fmt,
            status,
            organizer,
            venue,
            end,
            agenda,
            minutes,
            note,
        ) in rows.iterator(chunk_size=5000):
            writer.writerow(
                (code, title, date.isoformat(), _time(start), circle, tambon or "", fmt, status, organizer or "",
                 venue, _time(end), agenda, minutes, note or "")
            )  # fmt: skip
            counts["sessions"] += 1

    file, writer = _writer(directory / "attendance.csv")
    with file:
        writer.writerow(FILES["attendance.csv"])
        rows = Attendance.objects.order_by("session__date", "session__code", "person__code").values_list(
            "session__code", "person__code", "invited", "status", "representative__code", "role",
            "organization__code", "reply", "checked_in_at",
        )  # fmt: skip
        counts["attendance"] = 0
        for (
            session,
            person,
            invited,
            status,
            representative,
            role,
            organization,
            reply,
            checked_in,
        ) in rows.iterator(chunk_size=20000):
            writer.writerow(
                (session, person, "1" if invited else "0", status, representative or "", role, organization, reply,
                 _instant(checked_in))
            )  # fmt: skip
            counts["attendance"] += 1
    return counts
