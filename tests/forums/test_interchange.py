"""import_km / export_km: the program's four CSV files, all or nothing, and a byte-identical round trip."""

import csv
import datetime as dt
import io
import re

import pytest
from django.core.management import CommandError, call_command

from agencies.models import KmRole, Organization, Person
from forums.models import Attendance, ForumSession
from tests.factories import make_attendance, make_person, make_session

pytestmark = pytest.mark.django_db
Status = Attendance.Status

# The columns as the program's format names them (written out here, not taken from the code under test).
HEADERS = {
    "organizations": ["code", "name", "kind", "tambon"],
    "people": [
        "code", "title", "first_name", "last_name", "role", "organization", "tambon", "position", "is_chair", "phone",
    ],
    "sessions": ["code", "title", "date", "start", "circle", "tambon", "format", "status", "organizer", "venue"],
    "attendance": ["session", "person", "invited", "status", "representative"],
}  # fmt: skip
FILE_NAMES = [f"{stem}.csv" for stem in HEADERS]
# Version 2 adds these at the end of each file; export always writes them.
V2_ADDED = {
    "organizations": [],
    "people": ["email"],
    "sessions": ["end", "agenda", "minutes", "note_taker"],
    "attendance": ["role", "organization", "reply", "checked_in_at"],
}


SESSION_ROWS = [
    # Buddhist-era date, as people type it.
    ["F-2549-01", "เวทีคุณเอื้อ ครั้งที่ 1", "2549-10-25", "09:30", "eua", "", "formal", "held", "PROV",
     "ศาลากลางจังหวัด"],
    # Gregorian date, no start time, tied to a tambon.
    ["F-2549-02", "เวทีสามฝ่าย ตำบลท่าไร่", "2006-11-20", "", "all", "800106", "informal", "held", "WU", ""],
    ["F-2549-03", "เวทีคุณเอื้อ ครั้งที่ 2", "2549-12-15", "13:00", "eua_amnuay", "", "formal", "planned",
     "", "ห้องประชุม, ชั้น 2"],
    ["F-2549-04", "เวทีคุณเอื้อ–คุณอำนวย", "2007-02-10", "08:05", "eua_amnuay", "800119", "formal",
     "cancelled", "BAAC", ""],
]  # fmt: skip


def good_tables():
    """One of everything the format allows; each test changes a copy."""
    return {
        "organizations": [
            ["CFO-THR-01", "กลุ่มออมทรัพย์เพื่อการผลิตบ้านท่าไร่", "savings_group", "800106"],
            ["CFO-BCK-01", "กองทุนหมู่บ้านบางจาก", "village_fund", "800119"],
            ["CFO-MST-01", "สหกรณ์ออมทรัพย์มะม่วงสองต้น", "cooperative", "800114"],
        ],
        "people": [
            ["P001", "นาย", "สมชาย", "ใจดี", "eua", "CDD", "", "พัฒนาการจังหวัด", "0", ""],
            ["P002", "นาง", "สมศรี", "รักเรียน", "amnuay", "WU", "800114", "นักวิชาการ", "0", "081-234-5678"],
            ["P003", "นาย", "ประเสริฐ", "ขยันออม", "kit", "CFO-THR-01", "800106", "ประธานกลุ่ม", "0", ""],
            ["P004", "นาย", "ผู้ว่า", "นครศรี", "eua", "PROV", "", "ผู้ว่าราชการจังหวัด", "1", ""],
            ["P005", "นางสาว", "ผู้แทน", "พัฒนา", "amnuay", "CDD", "", "นักพัฒนาชุมชน", "0", ""],
            # Nobody refers to the last person, session or organization: a bad value there is the only problem.
            ["P006", "นาง", "ออมดี", "มีสุข", "kit", "CFO-BCK-01", "800119", "เหรัญญิก", "0", ""],
        ],
        "sessions": [list(row) for row in SESSION_ROWS],
        "attendance": [
            ["F-2549-01", "P001", "1", "represented", "P005"],
            ["F-2549-01", "P004", "1", "present", ""],
            ["F-2549-01", "P002", "0", "present", ""],  # a walk-in
            ["F-2549-02", "P003", "1", "late", ""],
            ["F-2549-02", "P002", "1", "absent", ""],
            ["F-2549-02", "P001", "1", "excused", ""],
            ["F-2549-03", "P001", "1", "", ""],  # invited, not yet marked
        ],
    }


def write_csv(directory, stem, rows, header=None, bom=False, encoding="utf-8"):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")  # as Excel writes it
    writer.writerow(HEADERS[stem] if header is None else header)
    writer.writerows(rows)
    data = buffer.getvalue().encode(encoding)
    (directory / f"{stem}.csv").write_bytes(b"\xef\xbb\xbf" + data if bom else data)


def write_tables(directory, tables, bom=()):
    directory.mkdir(parents=True, exist_ok=True)
    for stem, rows in tables.items():
        write_csv(directory, stem, rows, bom=stem in bom)
    return directory


def import_km(directory):
    stdout = io.StringIO()
    call_command("import_km", str(directory), stdout=stdout, stderr=io.StringIO())
    return stdout.getvalue()


def export_km(directory):
    call_command("export_km", str(directory), stdout=io.StringIO())
    return directory


def row_counts():
    return {
        "organizations": Organization.objects.count(),
        "people": Person.objects.count(),
        "sessions": ForumSession.objects.count(),
        "attendance": Attendance.objects.count(),
    }


# "people.csv line 3 / บรรทัด 3: …" from the checks, "ไฟล์ people.csv บรรทัดที่ 1: …" from the file reader in Thai.
PROBLEM = re.compile(r"(?P<file>[a-z]+\.csv)\W.*?(?:line|บรรทัด|บรรทัดที่) (?P<line>\d+)")


def rejected(directory) -> list[str]:
    """Runs an import that must fail; checks that it wrote nothing and returns the reported problems."""
    before = row_counts()
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_km", str(directory), stdout=io.StringIO(), stderr=stderr)
    assert row_counts() == before
    return stderr.getvalue().splitlines()


def places(problems) -> list[tuple[str, int]]:
    """(file, line) of each problem; a problem that names no file and line shows as (None, None)."""
    found = []
    for problem in problems:
        match = PROBLEM.search(problem)
        found.append((match["file"], int(match["line"])) if match else (None, None))
    return found


# Import ---------------------------------------------------------------------------------------------------------


def test_import_of_all_four_files_writes_the_program_data(tmp_path):
    before = row_counts()
    directory = write_tables(tmp_path, good_tables(), bom={"people"})

    import_km(directory)

    after = row_counts()
    assert {name: after[name] - before[name] for name in after} == {
        "organizations": 3,
        "people": 6,
        "sessions": 4,
        "attendance": 7,
    }
    savings = Organization.objects.get(code="CFO-THR-01")
    assert (savings.name_th, savings.kind, savings.tambon_id) == (
        "กลุ่มออมทรัพย์เพื่อการผลิตบ้านท่าไร่",
        Organization.Kind.SAVINGS_GROUP,
        "800106",
    )
    # The byte-order mark did not become part of the first column's name, so codes were read.
    people = {p.code: p for p in Person.objects.select_related("organization")}
    assert set(people) == {"P001", "P002", "P003", "P004", "P005", "P006"}
    assert (people["P002"].role, people["P002"].organization.code, people["P002"].tambon_id) == (
        KmRole.AMNUAY,
        "WU",
        "800114",
    )
    assert people["P002"].phone == "081-234-5678"
    assert people["P003"].organization == savings
    assert people["P004"].is_chair is True
    assert people["P001"].is_chair is False
    assert people["P001"].tambon_id is None

    first, second, planned = (
        ForumSession.objects.select_related("organizer").get(code=code)
        for code in ("F-2549-01", "F-2549-02", "F-2549-03")
    )
    assert first.date == dt.date(2006, 10, 25)  # 2549 BE
    assert first.start == dt.time(9, 30)
    assert (first.circle, first.tambon_id, first.format, first.status) == ("eua", None, "formal", "held")
    assert first.organizer.code == "PROV"
    assert first.venue == "ศาลากลางจังหวัด"
    assert second.date == dt.date(2006, 11, 20)  # Gregorian, kept as it is
    assert second.start is None
    assert (second.circle, second.tambon_id, second.format, second.organizer.code) == (
        "all",
        "800106",
        "informal",
        "WU",
    )
    assert planned.date == dt.date(2006, 12, 15)
    assert planned.organizer is None
    assert planned.venue == "ห้องประชุม, ชั้น 2"

    rows = {
        (a.session.code, a.person.code): (
            a.invited,
            a.status,
            a.representative.code if a.representative else None,
            a.role,
            a.organization.code,
        )
        for a in Attendance.objects.select_related("session", "person", "representative", "organization")
    }
    assert rows == {
        ("F-2549-01", "P001"): (True, Status.REPRESENTED, "P005", "eua", "CDD"),
        ("F-2549-01", "P004"): (True, Status.PRESENT, None, "eua", "PROV"),
        ("F-2549-01", "P002"): (False, Status.PRESENT, None, "amnuay", "WU"),
        ("F-2549-02", "P003"): (True, Status.LATE, None, "kit", "CFO-THR-01"),
        ("F-2549-02", "P002"): (True, Status.ABSENT, None, "amnuay", "WU"),
        ("F-2549-02", "P001"): (True, Status.EXCUSED, None, "eua", "CDD"),
        ("F-2549-03", "P001"): (True, Status.UNMARKED, None, "eua", "CDD"),
    }


def test_import_keeps_the_role_and_organization_at_the_session_when_the_person_changes_later(tmp_path):
    import_km(write_tables(tmp_path, good_tables()))
    person = Person.objects.get(code="P002")
    person.role = KmRole.EUA
    person.organization = Organization.objects.get(code="BAAC")
    person.save()

    walk_in = Attendance.objects.get(session__code="F-2549-01", person=person)

    assert (walk_in.role, walk_in.organization.code) == (KmRole.AMNUAY, "WU")


def test_import_may_refer_to_people_and_organizations_already_in_the_database(tmp_path):
    tables = good_tables()
    import_km(write_tables(tmp_path / "last-month", {k: tables[k] for k in ("organizations", "people")}))
    people_before = {p.code: p.pk for p in Person.objects.filter(code__startswith="P00")}
    next_month = {
        "people": [["P007", "นาย", "สมาชิก", "ใหม่", "kit", "CFO-BCK-01", "800119", "", "0", ""]],
        "sessions": [
            ["F-2550-01", "เวทีคุณเอื้อ ครั้งที่ 3", "2550-01-20", "09:00", "all", "", "formal", "held", "CDD", ""]
        ],
        "attendance": [
            ["F-2550-01", "P001", "1", "represented", "P005"],
            ["F-2550-01", "P003", "1", "present", ""],
            ["F-2550-01", "P007", "0", "late", ""],
        ],
    }

    import_km(write_tables(tmp_path / "next-month", next_month))

    assert Person.objects.get(code="P007").organization.code == "CFO-BCK-01"
    session = ForumSession.objects.get(code="F-2550-01")
    assert session.date == dt.date(2007, 1, 20)
    rows = {
        a.person.code: (a.person_id, a.status, a.representative_id, a.organization.code)
        for a in session.attendances.select_related("person", "organization")
    }
    assert rows == {
        "P001": (people_before["P001"], Status.REPRESENTED, people_before["P005"], "CDD"),
        "P003": (people_before["P003"], Status.PRESENT, None, "CFO-THR-01"),
        "P007": (Person.objects.get(code="P007").pk, Status.LATE, None, "CFO-BCK-01"),
    }
    # Nothing from the first import was written twice.
    assert Person.objects.filter(code__in=people_before).count() == len(people_before)


def test_a_file_with_only_a_header_imports_nothing_and_is_not_an_error(tmp_path):
    tables = good_tables()
    tables["attendance"] = []
    before = row_counts()

    import_km(write_tables(tmp_path, tables))

    assert row_counts()["attendance"] == before["attendance"]
    assert row_counts()["sessions"] == before["sessions"] + 4


# Rejections: one bad row among good rows, and nothing is written -----------------------------------------------

# (file, row index, column, bad value, a word the problem must name)
BAD_ROWS = [
    pytest.param("attendance", 3, "person", "P999", "P999", id="unknown-person"),
    pytest.param("attendance", 1, "session", "F-9999-99", "F-9999-99", id="unknown-session"),
    pytest.param("attendance", 0, "representative", "P998", "P998", id="unknown-representative"),
    pytest.param("people", 5, "organization", "NOPE", "NOPE", id="unknown-organization"),
    pytest.param("people", 5, "tambon", "800199", "800199", id="unknown-tambon-of-person"),
    pytest.param("sessions", 3, "tambon", "800199", "800199", id="unknown-tambon-of-session"),
    pytest.param("organizations", 2, "tambon", "800199", "800199", id="unknown-tambon-of-organization"),
    pytest.param("organizations", 2, "tambon", "", "tambon", id="community-organization-without-tambon"),
    pytest.param("sessions", 3, "organizer", "CFO-THR-01", "CFO-THR-01", id="community-organization-as-organizer"),
    pytest.param("sessions", 3, "organizer", "XYZ", "XYZ", id="unknown-organizer"),
    pytest.param("people", 5, "role", "likhit", "role", id="bad-role"),
    pytest.param("people", 5, "is_chair", "yes", "is_chair", id="bad-is-chair"),
    pytest.param("organizations", 2, "kind", "agency", "kind", id="bad-kind"),
    pytest.param("sessions", 3, "circle", "executives", "circle", id="bad-circle"),
    pytest.param("sessions", 3, "status", "done", "status", id="bad-session-status"),
    pytest.param("sessions", 3, "format", "online", "format", id="bad-format"),
    pytest.param("sessions", 3, "date", "2549-13-40", "2549-13-40", id="bad-date"),
    pytest.param("sessions", 3, "date", "2549-02-30", "2549-02-30", id="date-not-in-calendar"),
    pytest.param("sessions", 3, "date", "25/10/2459", "25/10/2459", id="date-before-the-program"),
    pytest.param("sessions", 3, "date", "2459-10-25", "2459-10-25", id="iso-date-before-the-program"),
    pytest.param("sessions", 3, "date", "", "date", id="date-empty"),
    pytest.param("sessions", 3, "start", "25:99", "25:99", id="bad-start"),
    pytest.param("sessions", 3, "title", "", "title", id="session-without-title"),
    pytest.param("sessions", 3, "code", "", "code", id="session-without-code"),
    pytest.param("people", 5, "first_name", "", "first_name", id="person-without-name"),
    pytest.param("attendance", 4, "status", "came", "status", id="bad-attendance-status"),
    pytest.param("attendance", 3, "invited", "2", "invited", id="bad-invited"),
    pytest.param("attendance", 2, "status", "absent", "walk-in", id="walk-in-absent"),
    pytest.param("attendance", 2, "status", "", "status", id="walk-in-unmarked"),
    pytest.param("attendance", 3, "representative", "P005", "represented", id="representative-without-represented"),
]  # fmt: skip


@pytest.mark.parametrize(("stem", "index", "column", "value", "named"), BAD_ROWS)
def test_one_bad_row_rejects_the_whole_import_and_names_its_file_and_line(
    tmp_path, stem, index, column, value, named
):
    tables = good_tables()
    tables[stem][index][HEADERS[stem].index(column)] = value

    problems = rejected(write_tables(tmp_path, tables))

    assert places(problems) == [(f"{stem}.csv", index + 2)]  # line 1 is the header
    assert named in problems[0]


def test_every_problem_of_every_file_is_reported_at_once(tmp_path):
    tables = good_tables()
    tables["people"][5][HEADERS["people"].index("role")] = "boss"
    tables["sessions"][3][HEADERS["sessions"].index("start")] = "9.30"
    tables["attendance"][5][HEADERS["attendance"].index("person")] = "P404"

    problems = rejected(write_tables(tmp_path, tables))

    assert sorted(places(problems)) == [("attendance.csv", 7), ("people.csv", 7), ("sessions.csv", 5)]


def test_line_numbers_count_blank_lines_as_a_spreadsheet_shows_them(tmp_path):
    write_csv(tmp_path, "people", [])
    with (tmp_path / "people.csv").open("a", encoding="utf-8", newline="") as file:
        file.write(",,,,,,,,,\r\n\r\nP010,นาย,ทดสอบ,,eua,NOWHERE,,,0,\r\n")

    problems = rejected(tmp_path)

    assert places(problems) == [("people.csv", 4)]


@pytest.mark.parametrize(
    ("stem", "row"),
    [
        pytest.param("organizations", ["CFO-THR-01", "กลุ่มซ้ำ", "other", "800106"], id="organization"),
        pytest.param("people", ["P003", "นาย", "ซ้ำ", "", "kit", "CDD", "", "", "0", ""], id="person"),
        pytest.param(
            "sessions",
            ["F-2549-01", "ซ้ำ", "2006-10-26", "", "eua", "", "formal", "held", "", ""],
            id="session",
        ),
        pytest.param("attendance", ["F-2549-02", "P003", "1", "present", ""], id="attendance"),
    ],
)
def test_a_code_twice_in_one_file_is_a_duplicate_on_its_second_line(tmp_path, stem, row):
    tables = good_tables()
    tables[stem].append(row)

    problems = rejected(write_tables(tmp_path, tables))

    assert places(problems) == [(f"{stem}.csv", len(tables[stem]) + 1)]
    assert "duplicate" in problems[0]


def test_a_person_code_already_in_the_database_is_a_duplicate(tmp_path):
    make_person(code="P002")

    problems = rejected(write_tables(tmp_path, good_tables()))

    assert places(problems) == [("people.csv", 3)]
    assert "duplicate" in problems[0]
    assert "P002" in problems[0]


def test_an_organization_code_of_a_partner_agency_is_a_duplicate(tmp_path):
    tables = good_tables()
    tables["organizations"][2][0] = "CDD"

    problems = rejected(write_tables(tmp_path, tables))

    assert places(problems) == [("organizations.csv", 4)]
    assert "duplicate" in problems[0]


def test_a_session_code_already_in_the_database_is_a_duplicate(tmp_path):
    make_session(code="F-2549-02")

    problems = rejected(write_tables(tmp_path, good_tables()))

    assert places(problems) == [("sessions.csv", 3)]
    assert "duplicate" in problems[0]


def test_attendance_already_in_the_database_is_a_duplicate(tmp_path):
    person = make_person(code="P100")
    session = make_session(code="F-2549-10")
    make_attendance(session, person)
    attendance = [
        ["F-2549-10", "P100", "1", "present", ""],
    ]

    problems = rejected(write_tables(tmp_path, {"attendance": attendance}))

    assert places(problems) == [("attendance.csv", 2)]
    assert "duplicate" in problems[0]
    assert session.attendances.get().status == Status.UNMARKED


def test_a_missing_column_rejects_the_import_and_names_the_header_line(tmp_path):
    tables = good_tables()
    write_tables(tmp_path, tables)
    header = [column for column in HEADERS["people"] if column != "role"]
    rows = [
        [v for column, v in zip(HEADERS["people"], row, strict=True) if column != "role"]
        for row in tables["people"]
    ]
    write_csv(tmp_path, "people", rows, header=header)

    problems = rejected(tmp_path)

    assert places(problems) == [("people.csv", 1)]
    assert "role" in problems[0]


def test_a_file_in_thai_windows_encoding_is_read_as_thai(tmp_path):
    tables = good_tables()
    write_tables(tmp_path, tables)
    write_csv(tmp_path, "people", tables["people"], encoding="cp874")
    with pytest.raises(UnicodeDecodeError):
        (tmp_path / "people.csv").read_bytes().decode("utf-8")

    import_km(tmp_path)

    assert Person.objects.get(code="P002").full_name == "นางสมศรี รักเรียน"


def test_a_file_in_another_encoding_is_refused_with_how_to_save_it_as_utf8(tmp_path):
    # Latin-1 bytes: read as Thai they would become wrong letters.
    write_csv(
        tmp_path,
        "people",
        [["P001", "Mr", "José", "Silva", "eua", "CDD", "", "", "0", ""]],
        encoding="latin-1",
    )

    problems = rejected(tmp_path)

    # The whole file is unreadable, so no line is named: the file is.
    assert places(problems) == [(None, None)]
    assert "people.csv" in problems[0]
    assert "CSV UTF-8" in problems[0]


def test_an_empty_file_is_rejected_by_name(tmp_path):
    write_tables(tmp_path, good_tables())
    (tmp_path / "sessions.csv").write_bytes(b"")

    problems = rejected(tmp_path)

    assert places(problems) == [(None, None)]
    assert "sessions.csv" in problems[0]


def test_a_folder_without_interchange_files_is_rejected(tmp_path):
    (tmp_path / "notes.txt").write_text("nothing here", encoding="utf-8")

    problems = rejected(tmp_path)

    assert len(problems) == 1


def test_a_missing_folder_is_rejected(tmp_path):
    with pytest.raises(CommandError, match="not a folder"):
        call_command("import_km", str(tmp_path / "nowhere"), stdout=io.StringIO(), stderr=io.StringIO())


# Export and the round trip -------------------------------------------------------------------------------------


def build_program_data(tmp_path):
    """The imported set, plus rows made in the portal with text that needs CSV quoting."""
    import_km(write_tables(tmp_path / "source", good_tables()))
    governor = Person.objects.get(code="P004")
    savings = Organization.objects.get(code="CFO-BCK-01")
    member = make_person(
        savings,
        KmRole.KIT,
        code="P200",
        position='เหรัญญิก, "ฝ่ายบัญชี"',
        phone="075 123 456",
        tambon=savings.tambon,
    )
    session = make_session(
        code="F-2550-05",
        title='เวที "สามฝ่าย", ตำบลบางจาก',
        circle="all",
        date=dt.date(2007, 5, 5),
        status="held",
        tambon="800119",
        start=dt.time(14, 0),
        venue="ศาลาหมู่บ้าน\nหมู่ 3",
        organizer=Organization.objects.get(code="CODI"),
    )
    make_attendance(session, member, status=Status.PRESENT)
    make_attendance(
        session, governor, status=Status.REPRESENTED, representative=Person.objects.get(code="P005")
    )


def wipe_program_data():
    Attendance.objects.all().delete()
    ForumSession.objects.all().delete()
    Person.objects.all().delete()
    Organization.objects.community().delete()


def read_export(directory, stem):
    with (directory / f"{stem}.csv").open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def test_export_writes_the_four_files_with_iso_gregorian_dates(tmp_path):
    build_program_data(tmp_path)

    directory = export_km(tmp_path / "export")

    assert sorted(p.name for p in directory.iterdir()) == sorted(FILE_NAMES)
    for stem, columns in HEADERS.items():
        with (directory / f"{stem}.csv").open(encoding="utf-8", newline="") as file:
            assert next(csv.reader(file)) == columns + V2_ADDED[stem]
    sessions = {row["code"]: row for row in read_export(directory, "sessions")}
    assert {code: row["date"] for code, row in sessions.items()} == {
        "F-2549-01": "2006-10-25",
        "F-2549-02": "2006-11-20",
        "F-2549-03": "2006-12-15",
        "F-2549-04": "2007-02-10",
        "F-2550-05": "2007-05-05",
    }
    assert [row["code"] for row in read_export(directory, "sessions")] == [
        "F-2549-01",
        "F-2549-02",
        "F-2549-03",
        "F-2549-04",
        "F-2550-05",
    ]  # by date
    assert sessions["F-2549-01"]["start"] == "09:30"
    assert sessions["F-2549-02"]["start"] == ""
    assert sessions["F-2550-05"]["organizer"] == "CODI"
    assert sessions["F-2550-05"]["title"] == 'เวที "สามฝ่าย", ตำบลบางจาก'
    people = {row["code"]: row for row in read_export(directory, "people")}
    assert people["P004"]["is_chair"] == "1"
    assert people["P003"]["organization"] == "CFO-THR-01"
    assert {row["code"] for row in read_export(directory, "organizations")} == {
        "CFO-THR-01",
        "CFO-BCK-01",
        "CFO-MST-01",
    }
    attendance = {(row["session"], row["person"]): row for row in read_export(directory, "attendance")}
    assert len(attendance) == 9
    assert attendance["F-2549-01", "P002"]["invited"] == "0"
    assert attendance["F-2550-05", "P004"]["representative"] == "P005"
    assert attendance["F-2549-03", "P001"]["status"] == ""


def test_export_then_import_into_an_empty_database_gives_back_the_same_files(tmp_path):
    build_program_data(tmp_path)
    first = export_km(tmp_path / "a")
    counts = row_counts()
    wipe_program_data()
    assert Person.objects.count() == 0

    import_km(first)
    second = export_km(tmp_path / "b")

    assert row_counts() == counts
    for name in FILE_NAMES:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert len(read_export(second, "attendance")) == 9
