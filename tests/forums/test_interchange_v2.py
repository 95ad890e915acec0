"""Interchange format version 2: every column survives export → import, historical roles and organizations
included, so that every consistency report is the same on the new database; headers are checked strictly."""

import csv
import datetime as dt
import io
import json
from itertools import combinations

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from agencies.models import KmRole, Organization, Person
from forums import summaries
from forums.models import Attendance, ForumSession
from tests.factories import make_attendance, make_community_organization, make_person, make_session

pytestmark = pytest.mark.django_db
Status = Attendance.Status
EUA, AMNUAY, KIT = KmRole.EUA, KmRole.AMNUAY, KmRole.KIT
FILE_NAMES = ["organizations.csv", "people.csv", "sessions.csv", "attendance.csv"]


def import_km(directory, *args):
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("import_km", str(directory), *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def export_km(directory):
    call_command("export_km", str(directory), stdout=io.StringIO())
    return directory


def problems_of(directory) -> str:
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_km", str(directory), stdout=io.StringIO(), stderr=stderr)
    return stderr.getvalue()


def build_program_with_careers():
    """Two years of forums in which people change KM role and organization between sessions, with every v2
    field filled somewhere: end time, agenda and minutes over several lines, note-taker, replies, check-in times."""
    chair = make_person("PROV", EUA, code="GOV", is_chair=True)
    savings = make_community_organization("800106", code="CFO-THR-01")
    somchai = make_person("CDD", EUA, code="P-SOMCHAI")  # an executive of CDD, later of WU
    somsri = make_person(
        "WU", AMNUAY, code="P-SOMSRI", email="somsri@example.go.th"
    )  # facilitator, later eua
    prasert = make_person(savings, KIT, code="P-PRASERT", tambon=savings.tambon)  # practitioner, later amnuay
    deputy = make_person("CDD", AMNUAY, code="P-DEPUTY")
    others = [make_person(code, role) for code, role in (("BAAC", EUA), ("NFE", AMNUAY), ("GHB", KIT))]
    sessions = []
    for number, (date, circle, tambon) in enumerate(
        [
            (dt.date(2005, 8, 12), "eua", None),
            (dt.date(2005, 9, 20), "all", "800106"),
            (dt.date(2005, 11, 3), "eua_amnuay", None),
            (dt.date(2006, 1, 13), "all", "800119"),
            (dt.date(2006, 3, 2), "eua", None),
            (dt.date(2006, 6, 30), "eua_amnuay", "800114"),
        ],
        start=1,
    ):
        sessions.append(
            make_session(
                code=f"F-{number:02d}",
                circle=circle,
                date=date,
                status="held",
                tambon=tambon,
                start=dt.time(9, 0),
                end=dt.time(12, 30),
                agenda=f"1. ทบทวนบทเรียน\r\n2. วางแผน ครั้งที่ {number}",
                minutes=f'สรุป: "ออมวันละบาท", ครั้งที่ {number}\nมีมติ',
                note_taker=deputy,
            )
        )
    sessions.append(make_session(code="F-07", circle="all", date=dt.date(2006, 8, 1), status="planned"))
    checked_in = timezone.make_aware(dt.datetime(2006, 1, 13, 9, 12))

    def attend(session, people_statuses):
        for person, status in people_statuses:
            make_attendance(
                session,
                person,
                status=status,
                reply="accepted"
                if status in ("present", "late")
                else "declined"
                if status == "absent"
                else "",
                checked_in_at=checked_in if status in ("present", "late") else None,
                representative=deputy if status == "represented" else None,
            )

    attend(
        sessions[0], [(chair, "present"), (somchai, "present"), (somsri, "absent"), (others[0], "excused")]
    )
    attend(
        sessions[1], [(somchai, "represented"), (somsri, "present"), (prasert, "late"), (others[2], "absent")]
    )
    make_attendance(sessions[1], others[1], invited=False, status="present")  # a walk-in
    # Careers change: Somchai moves to WU, Somsri becomes an executive, Prasert a facilitator of CDD.
    for person, role, organization in (
        (somchai, EUA, "WU"),
        (somsri, EUA, "WU"),
        (prasert, AMNUAY, "CDD"),
    ):
        person.role, person.organization = role, Organization.objects.get(code=organization)
        person.save()
    attend(sessions[2], [(somchai, "present"), (somsri, "late"), (prasert, "absent"), (others[0], "present")])
    attend(sessions[3], [(chair, "late"), (somchai, "absent"), (prasert, "present"), (others[1], "present")])
    attend(sessions[4], [(somsri, "present"), (others[0], "represented")])
    attend(sessions[5], [(somchai, "excused"), (prasert, "present"), (others[2], "late")])
    attend(sessions[6], [(somchai, ""), (somsri, "")])
    summaries.refresh(s.pk for s in sessions)


def every_report() -> dict:
    """consistency_report for every scope the command offers: all, each circle, each tambon, each period, and each
    set of role filters."""
    role_filters = [None] + [",".join(c) for n in (1, 2, 3) for c in combinations([EUA, AMNUAY, KIT], n)]
    scopes = [[]]
    scopes += [["--circle", c] for c in ("eua", "eua_amnuay", "all")]
    scopes += [["--tambon", t] for t in ("800106", "800114", "800119")]
    scopes += [["--from", "2005-10-01", "--to", "2006-03-31"], ["--to", "2548-12-31"]]
    reports = {}
    for scope in scopes:
        for roles in role_filters:
            args = [*scope, *(["--roles", roles] if roles else [])]
            out = io.StringIO()
            call_command("consistency_report", "--format", "json", *args, stdout=out)
            reports[" ".join(args)] = json.loads(out.getvalue())
    return reports


def wipe_program_data():
    Attendance.objects.all().delete()
    ForumSession.objects.all().delete()
    Person.objects.all().delete()
    Organization.objects.community().delete()


def test_round_trip_keeps_every_report_and_every_field_with_roles_that_changed(tmp_path):
    build_program_with_careers()
    before = every_report()
    fields = ["session__code", "person__code", "invited", "status", "representative__code", "role"]
    fields += ["organization__code", "reply", "checked_in_at"]
    attendance_before = sorted(Attendance.objects.values_list(*fields))
    session_fields = ["code", "date", "start", "end", "agenda", "minutes", "note_taker__code", "status"]
    sessions_before = sorted(ForumSession.objects.values_list(*session_fields))
    first = export_km(tmp_path / "first")

    wipe_program_data()
    assert every_report() != before  # the comparison below can fail
    import_km(first)

    assert sorted(Attendance.objects.values_list(*fields)) == attendance_before
    assert sorted(ForumSession.objects.values_list(*session_fields)) == sessions_before
    assert Person.objects.get(code="P-SOMSRI").email == "somsri@example.go.th"
    after = every_report()
    assert len(after) == 9 * 8
    for scope, report in before.items():
        assert after[scope] == report, scope
    second = export_km(tmp_path / "second")
    for name in FILE_NAMES:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_historical_role_and_organization_are_written_and_read(tmp_path):
    build_program_with_careers()
    directory = export_km(tmp_path / "export")
    with (directory / "attendance.csv").open(encoding="utf-8", newline="") as file:
        rows = {(r["session"], r["person"]): r for r in csv.DictReader(file)}

    # At F-02 Somchai was CDD's executive; he is WU's now.
    assert (rows["F-02", "P-SOMCHAI"]["role"], rows["F-02", "P-SOMCHAI"]["organization"]) == ("eua", "CDD")
    assert (rows["F-03", "P-SOMCHAI"]["role"], rows["F-03", "P-SOMCHAI"]["organization"]) == ("eua", "WU")
    assert rows["F-04", "GOV"]["checked_in_at"] == "2006-01-13T09:12:00+07:00"
    assert rows["F-01", "P-SOMSRI"]["reply"] == "declined"


def write(directory, name, header, rows):
    directory.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    (directory / name).write_text(buffer.getvalue(), encoding="utf-8")


def test_columns_in_any_order_and_v2_columns_are_read(tmp_path):
    make_person("CDD", EUA, code="P-OLD")
    write(
        tmp_path,
        "sessions.csv",
        ["note_taker", "minutes", "status", "code", "title", "date", "start", "end", "circle", "tambon", "format", "organizer", "venue", "agenda"],
        [["P-OLD", "บรรทัดแรก\nบรรทัดสอง", "held", "F-V2", "เวที", "25 ต.ค. 2549", "09:00", "11:45", "eua", "", "formal", "WU", "", "วาระ"]],
    )  # fmt: skip
    write(
        tmp_path,
        "attendance.csv",
        [
            "checked_in_at",
            "reply",
            "organization",
            "role",
            "representative",
            "status",
            "invited",
            "person",
            "session",
        ],
        [["2006-10-25T09:05:00+07:00", "accepted", "BAAC", "amnuay", "", "late", "1", "P-OLD", "F-V2"]],
    )

    import_km(tmp_path)

    session = ForumSession.objects.get(code="F-V2")
    assert (session.date, session.end, session.minutes, session.note_taker.code) == (
        dt.date(2006, 10, 25),
        dt.time(11, 45),
        "บรรทัดแรก\nบรรทัดสอง",
        "P-OLD",
    )
    row = session.attendances.get()
    assert (row.role, row.organization.code, row.reply, row.status) == ("amnuay", "BAAC", "accepted", "late")
    assert row.checked_in_at == dt.datetime(2006, 10, 25, 2, 5, tzinfo=dt.UTC)
    # Written with its history record, as every write of attendance is.
    record = row.history.get()
    assert (record.history_type, record.status, record.role, record.checked_in_at) == (
        "+",
        "late",
        "amnuay",
        row.checked_in_at,
    )
    # The session's summary counts the imported row.
    assert (session.invited_count, session.attended_count) == (1, 1)


@pytest.mark.parametrize(
    ("header", "named"),
    [
        (["session", "person", "invited", "status", "representative", "status"], "'status' is named twice"),
        (["session", "person", "invited", "status", "representative", "remarks"], "unknown column 'remarks'"),
    ],
)
def test_a_column_named_twice_or_unknown_is_refused_naming_file_and_column(tmp_path, header, named):
    make_person(code="P1")
    make_session(code="F1")
    write(tmp_path, "attendance.csv", header, [["F1", "P1", "1", "present", "", "absent"]])

    problems = problems_of(tmp_path)

    assert "attendance.csv line 1" in problems
    assert named in problems
    assert Attendance.objects.count() == 0


def test_a_bad_v2_value_names_its_line(tmp_path):
    make_person(code="P1")
    make_session(code="F1")
    header = ["session", "person", "invited", "status", "representative", "role", "checked_in_at"]
    write(tmp_path, "attendance.csv", header, [["F1", "P1", "1", "present", "", "eua", "2006-10-25 09:05"]])

    problems = problems_of(tmp_path)

    assert "attendance.csv line 2" in problems
    assert "checked_in_at" in problems


@override_settings(KM_IMPORT_MAX_MB=1)
def test_a_file_over_the_size_limit_is_refused_with_the_setting_named(tmp_path):
    header = ["code", "title", "first_name", "last_name", "role", "organization", "tambon", "position"]
    header += ["is_chair", "phone"]
    rows = [
        [f"P{n:06d}", "นาย", "ทดสอบ" * 5, "ใจดี", "kit", "CDD", "", "สมาชิก" * 5, "0", ""] for n in range(9000)
    ]
    write(tmp_path, "people.csv", header, rows)

    problems = problems_of(tmp_path)

    assert "KM_IMPORT_MAX_MB" in problems
    assert Person.objects.count() == 0


def test_a_large_import_is_written_in_chunks_with_a_progress_bar(tmp_path, monkeypatch):
    monkeypatch.setattr("forums.interchange.CHUNK_ROWS", 50)
    header = ["code", "title", "first_name", "last_name", "role", "organization", "tambon", "position"]
    header += ["is_chair", "phone"]
    people = [[f"P{n:04d}", "นาย", f"คน{n}", "", "kit", "CDD", "", "", "0", ""] for n in range(180)]
    write(tmp_path, "people.csv", header, people)
    write(tmp_path, "sessions.csv", ["code", "title", "date", "start", "circle", "tambon", "format", "status", "organizer", "venue"], [["F1", "เวที", "2549-10-25", "", "all", "", "formal", "held", "", ""]])  # fmt: skip
    attendance = [["F1", f"P{n:04d}", "1", "present" if n % 3 else "absent", ""] for n in range(180)]
    write(
        tmp_path, "attendance.csv", ["session", "person", "invited", "status", "representative"], attendance
    )

    stdout, stderr = import_km(tmp_path, "--progress", "always")

    assert "attendance: 180" in stdout
    assert "attendance.csv" in stderr and "100%" in stderr
    session = ForumSession.objects.get(code="F1")
    assert (session.invited_count, session.attended_count) == (180, 120)
    assert session.turnouts.get().attended == 120


def test_a_duplicate_across_chunks_names_the_first_line(tmp_path, monkeypatch):
    monkeypatch.setattr("forums.interchange.CHUNK_ROWS", 2)
    header = ["code", "title", "first_name", "last_name", "role", "organization", "tambon", "position"]
    header += ["is_chair", "phone"]
    people = [[f"P{n}", "", f"คน{n}", "", "kit", "CDD", "", "", "0", ""] for n in range(5)] + [
        ["P1", "", "ซ้ำ", "", "kit", "CDD", "", "", "0", ""]
    ]
    write(tmp_path, "people.csv", header, people)

    problems = problems_of(tmp_path)

    assert "people.csv line 7" in problems and "also on line 3" in problems
    assert Person.objects.count() == 0


def test_without_a_terminal_no_progress_bar_is_drawn(tmp_path):
    header = ["code", "title", "first_name", "last_name", "role", "organization", "tambon", "position"]
    header += ["is_chair", "phone"]
    write(tmp_path, "people.csv", header, [["P1", "", "คน", "", "kit", "CDD", "", "", "0", ""]])

    _stdout, stderr = import_km(tmp_path)

    assert stderr == ""


def test_imported_attendance_never_takes_the_key_of_a_deleted_row(tmp_path):
    session, person = make_session(code="F1"), make_person(code="P1")
    deleted = make_attendance(session, make_person(code="P0"))
    deleted_pk = deleted.pk
    deleted.delete()  # its history stays, under its key
    write(tmp_path, "attendance.csv", ["session", "person", "invited", "status", "representative"],
          [["F1", "P1", "1", "present", ""]])  # fmt: skip

    import_km(tmp_path)

    row = Attendance.objects.get(person=person)
    assert row.pk != deleted_pk
    assert [r.history_type for r in Attendance.history.filter(id=row.pk)] == ["+"]
