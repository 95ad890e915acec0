"""The printable sign-in sheet and the import of a typed-up sheet (preview, then confirm: all or nothing).

Most messages of the import are not in the Thai catalogue yet, so they are compared with `thai(msgid)`: the text
the Thai UI shows for that msgid, English until the catalogue has it, Thai after, without touching the tests.
"""

import csv
import datetime as dt
import io
import random
import time
from unittest import mock

import pytest
from bs4 import BeautifulSoup
from django.contrib.messages import get_messages
from django.contrib.staticfiles import finders
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import Workbook

from agencies.models import KmRole
from forums import services
from forums.models import Attendance, ForumSession
from forums.tabular import MAX_UPLOAD_BYTES
from forums.views.sheet import BLANK_ROWS, FIRST_PAGE_ROWS, PAGE_ROWS, blank_rows
from tests.factories import make_person, make_session, make_user

pytestmark = pytest.mark.django_db
Status = Attendance.Status
HEADER = ["person", "status", "representative"]


# Helpers ----------------------------------------------------------------------------------------------------


def thai(message, **params):
    """The text the Thai UI shows for this msgid."""
    with translation.override("th"):
        text = gettext(message)
    return text % params if params else text


def sheet_url(session):
    return f"/forums/{session.code}/sheet/"


def import_url(session):
    return f"/forums/{session.code}/sheet/import/"


def invite_new_people(session, count, role=KmRole.EUA):
    organizations = ["CDD", "WU", "BAAC", "GHB"]
    people = [make_person(organizations[i % len(organizations)], role) for i in range(count)]
    services.invite(session, people)
    return people


def csv_file(rows, *, bom=False, name="sheet.csv", header=HEADER):
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    data = ("\ufeff" if bom else "") + text.getvalue()
    return SimpleUploadedFile(name, data.encode("utf-8"), content_type="text/csv")


def xlsx_bytes(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_file(rows, name="sheet.xlsx"):
    return SimpleUploadedFile(
        name,
        xlsx_bytes(rows),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def parse(response):
    return BeautifulSoup(response.content, "html.parser")


def preview(client, session, upload):
    response = client.post(import_url(session), {"file": upload})
    return response, parse(response)


def preview_rows(page):
    rows = []
    for tr in page.select("#preview-table tbody tr"):
        cells = tr.select("td")
        rows.append(
            {
                "line": int(cells[0].get_text(strip=True)),
                "person": cells[1].get_text(" ", strip=True),
                "walk_in": cells[1].select_one(".badge") is not None,
                "problems": [div.get_text(strip=True) for div in cells[4].select("div")],
                "flagged": "table-danger" in tr.get("class", []),
            }
        )
    return rows


def payload_of(page):
    field = page.select_one("input[name=payload]")
    return field["value"] if field else None


def confirm(client, session, payload):
    return client.post(import_url(session), {"confirm": "1", "payload": payload})


def file_error(page):
    error = page.select_one("#id_file_error")
    return error.get_text(" ", strip=True) if error else None


def alerts(page, level="danger"):
    return [alert.get_text(strip=True) for alert in page.select(f".alert-{level}")]


def database_state():
    """Everything an import could write: any change (even of updated_at) shows."""
    return (
        list(Attendance.objects.order_by("pk").values()),
        Attendance.history.count(),
        list(ForumSession.objects.order_by("pk").values("pk", "status", "version", "updated_at")),
    )


def good_sheet(session, words):
    """Invitees to be marked one of each status, a stand-in for one of them, a walk-in and an invitee left off
    the sheet; and the sheet's rows with the statuses as `words` (Thai words or codes)."""
    present, late, absent, excused, represented, left_off = invite_new_people(session, 6)
    stand_in = make_person(represented.organization, KmRole.AMNUAY)
    walk_in = make_person("NFE", KmRole.KIT)
    typed = {
        "thai": {
            "present": "มา",
            "late": "มาสาย",
            "absent": "ไม่มา",
            "excused": "ลา",
            "represented": "ส่งผู้แทน",
        },
        "codes": {s: s for s in ("present", "late", "absent", "excused", "represented")},
    }[words]
    rows = [
        (present.code, typed["present"], ""),
        (late.code, typed["late"], ""),
        (absent.code, typed["absent"], ""),
        (excused.code, typed["excused"], ""),
        (represented.code, typed["represented"], stand_in.code),
        (walk_in.code, typed["present"], ""),
    ]
    people = {
        "present": present,
        "late": late,
        "absent": absent,
        "excused": excused,
        "represented": represented,
        "stand_in": stand_in,
        "walk_in": walk_in,
        "left_off": left_off,
    }
    return people, rows


def assert_good_sheet_was_written(session, people):
    by_person = {row.person_id: row for row in session.attendances.all()}
    for name, status in [
        ("present", Status.PRESENT),
        ("late", Status.LATE),
        ("absent", Status.ABSENT),
        ("excused", Status.EXCUSED),
        ("represented", Status.REPRESENTED),
    ]:
        row = by_person[people[name].pk]
        assert (row.invited, row.status, row.version) == (True, status, 2), name
        assert (row.checked_in_at is not None) == (status in Attendance.ATTENDED), name
        assert row.representative == (people["stand_in"] if name == "represented" else None), name
    walk_in = by_person[people["walk_in"].pk]
    assert (walk_in.invited, walk_in.status, walk_in.version) == (False, Status.PRESENT, 1)
    assert walk_in.checked_in_at is not None
    assert (walk_in.role, walk_in.organization.code) == (KmRole.KIT, "NFE")
    left_off = by_person[people["left_off"].pk]
    assert (left_off.status, left_off.version) == (Status.UNMARKED, 1)
    # A stand-in is named on the represented row, not added to the list.
    assert people["stand_in"].pk not in by_person


# The printable sheet ----------------------------------------------------------------------------------------


def test_sheet_lists_each_invitee_with_a_qr_code_and_an_empty_signature_cell_then_blank_numbered_rows(
    coordinator_client,
):
    session = make_session()
    invitees = invite_new_people(session, 3)
    services.add_walk_in(session, make_person("NFE"))
    page = parse(coordinator_client.get(sheet_url(session)))

    listed = page.select("tbody tr:not(.blank)")
    expected = sorted(
        invitees, key=lambda p: (p.organization.sort_order, p.organization.code, p.first_name, p.last_name)
    )
    assert [tr.select("td")[2].get_text(strip=True) for tr in listed] == [p.code for p in expected]
    with translation.override("th"):
        for number, (tr, person) in enumerate(zip(listed, expected, strict=True), start=1):
            cells = [td.get_text(" ", strip=True) for td in tr.select("td")]
            assert cells == [
                str(number),
                person.full_name,
                person.code,
                str(person.organization),
                str(KmRole(person.role).label),
                "",
                "",
            ]
            # The personal code as an inline SVG QR code, without a style attribute (CSP).
            svg = tr.select_one("td.qr svg.qr")
            assert svg is not None and not svg.has_attr("style") and not svg.find_all(style=True)
    # At least ten blank rows, then up to the end of the printed page (FIRST_PAGE_ROWS rows on the first).
    blank = page.select("tbody tr.blank")
    assert len(blank) == FIRST_PAGE_ROWS - 3 >= BLANK_ROWS
    assert [tr.select_one("td.no").get_text(strip=True) for tr in blank] == [
        str(n) for n in range(4, FIRST_PAGE_ROWS + 1)
    ]
    assert all(td.get_text(strip=True) == "" for tr in blank for td in tr.select("td:not(.no)"))


@pytest.mark.parametrize(
    ("invited", "blank"),
    [(0, FIRST_PAGE_ROWS), (6, FIRST_PAGE_ROWS - 6), (7, FIRST_PAGE_ROWS + PAGE_ROWS - 7), (40, 12)],
)
def test_blank_rows_fill_the_last_page(invited, blank):
    assert blank_rows(invited) == blank
    assert blank_rows(invited) >= BLANK_ROWS
    assert (invited + blank - FIRST_PAGE_ROWS) % PAGE_ROWS == 0


def test_readers_get_the_sheet_without_personal_codes(client):
    session = make_session()
    invite_new_people(session, 2)
    client.force_login(make_user("governor_office"))
    page = parse(client.get(sheet_url(session)))
    assert len(page.select("tbody tr:not(.blank)")) == 2
    assert page.select("td.qr svg") == []


def test_sheet_has_a_print_button_wired_by_a_script_file(coordinator_client):
    page = parse(coordinator_client.get(sheet_url(make_session())))
    assert page.select_one("button#print-sheet")
    scripts = page.select("script")
    assert scripts and all(tag.get("src") and not tag.get_text(strip=True) for tag in scripts)
    assert finders.find("js/sign-in-sheet.js")


def test_sheet_shows_the_date_in_the_buddhist_era_with_the_thai_month(coordinator_client):
    session = make_session(code="F-2549-07", title="เวทีคุณเอื้อ", date=dt.date(2006, 10, 25))
    header = parse(coordinator_client.get(sheet_url(session))).select_one("header")
    date_line = next(p.get_text(" ", strip=True) for p in header.select("p") if "2549" in p.get_text())
    assert "25 ตุลาคม 2549" in date_line
    assert "2006" not in header.get_text()


def test_sheet_links_the_a4_print_stylesheet_and_sarabun(coordinator_client):
    session = make_session()
    page = parse(coordinator_client.get(sheet_url(session)))
    stylesheets = [link["href"] for link in page.select('link[rel="stylesheet"]')]
    assert "/static/css/sign-in-sheet.css" in stylesheets
    assert any("sarabun" in href.lower() for href in stylesheets)
    for href in stylesheets:
        assert finders.find(href.removeprefix("/static/")), f"{href} is not a static file"
    with open(finders.find("css/sign-in-sheet.css"), encoding="utf-8") as stylesheet:
        assert "size: A4" in stylesheet.read()


@pytest.mark.parametrize("role", ["facilitator", "governor_office"])
def test_readers_can_open_the_sheet(client, role):
    session = make_session()
    invite_new_people(session, 1)
    client.force_login(make_user(role))
    response = client.get(sheet_url(session))
    assert response.status_code == 200
    assert len(parse(response).select("tbody tr:not(.blank)")) == 1


def test_anonymous_is_sent_to_login_from_the_sheet(client):
    session = make_session()
    response = client.get(sheet_url(session))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("count", [1, 50])
def test_sheet_query_count_does_not_grow(coordinator_client, django_assert_num_queries, count):
    session = make_session()
    invite_new_people(session, count)
    # Login session, user, permissions (2), the session, the rows; may they see personal codes: groups, scope,
    # the session in scope.
    with django_assert_num_queries(6):
        response = coordinator_client.get(sheet_url(session))
    assert len(parse(response).select("tbody tr:not(.blank)")) == count


# Import: a good sheet ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("words", ["thai", "codes"])
@pytest.mark.parametrize("bom", [True, False], ids=["bom", "no-bom"])
def test_a_good_csv_is_previewed_then_confirmed_and_written(coordinator_client, words, bom):
    session = make_session(date=timezone.localdate())
    people, rows = good_sheet(session, words)
    before = database_state()

    response, page = preview(coordinator_client, session, csv_file(rows, bom=bom))
    assert response.status_code == 200
    shown = preview_rows(page)
    assert [row["line"] for row in shown] == [2, 3, 4, 5, 6, 7]
    assert [row["person"].split()[0] for row in shown] == [code for code, _status, _rep in rows]
    assert [row["problems"] for row in shown] == [[]] * 6
    assert [row["walk_in"] for row in shown] == [False] * 5 + [True]
    assert page.select_one("button[name=confirm][value='1']") is not None
    assert payload_of(page)
    assert database_state() == before  # the preview writes nothing

    response = confirm(coordinator_client, session, payload_of(page))
    assert response.status_code == 302
    assert response["Location"] == f"/forums/{session.code}/"
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["success"]
    assert_good_sheet_was_written(session, people)
    session.refresh_from_db()
    assert (session.status, session.version) == (ForumSession.Status.HELD, 2)


def test_a_good_xlsx_is_previewed_then_confirmed_and_written(coordinator_client):
    session = make_session(date=timezone.localdate())
    people, rows = good_sheet(session, "thai")

    response, page = preview(coordinator_client, session, xlsx_file(rows))
    assert response.status_code == 200
    assert [row["line"] for row in preview_rows(page)] == [2, 3, 4, 5, 6, 7]
    assert not any(row["problems"] for row in preview_rows(page))

    assert confirm(coordinator_client, session, payload_of(page)).status_code == 302
    assert_good_sheet_was_written(session, people)


@pytest.mark.parametrize(
    "days, status",
    [(-3, ForumSession.Status.HELD), (0, ForumSession.Status.HELD), (2, ForumSession.Status.PLANNED)],
    ids=["past", "today", "future"],
)
@pytest.mark.parametrize("who", ["invitee", "walk-in-only"])
def test_an_import_makes_a_planned_session_held_from_its_day_on(coordinator_client, days, status, who):
    session = make_session(date=timezone.localdate() + dt.timedelta(days=days))
    person = invite_new_people(session, 1)[0] if who == "invitee" else make_person("NFE")
    _response, page = preview(coordinator_client, session, csv_file([(person.code, "มา", "")]))
    confirm(coordinator_client, session, payload_of(page))
    assert session.attendances.get(person=person).status == Status.PRESENT
    session.refresh_from_db()
    assert session.status == status


def test_confirming_the_same_sheet_twice_changes_nothing_the_second_time(coordinator_client):
    session = make_session(date=timezone.localdate())
    people, rows = good_sheet(session, "thai")
    _response, page = preview(coordinator_client, session, csv_file(rows))
    payload = payload_of(page)
    confirm(coordinator_client, session, payload)
    after_first = database_state()

    response = confirm(coordinator_client, session, payload)
    assert response.status_code == 302
    assert database_state() == after_first
    assert_good_sheet_was_written(session, people)


@pytest.mark.parametrize("count", [1, 50])
def test_preview_and_confirm_query_counts_do_not_grow(coordinator_client, django_assert_num_queries, count):
    session = make_session(date=timezone.localdate())
    invitees = invite_new_people(session, count)
    rows = [(p.code, "มา", "") for p in invitees] + [(make_person("NFE").code, "มาสาย", "")]
    with django_assert_num_queries(6):
        _response, page = preview(coordinator_client, session, csv_file(rows))
    with django_assert_num_queries(25):
        response = confirm(coordinator_client, session, payload_of(page))
    assert response.status_code == 302
    assert session.attendances.attended().count() == count + 1


# Import: a bad row among good rows --------------------------------------------------------------------------


BAD_ROWS = {
    # id: (the bad row, from the people of the sheet) → the problem shown on it
    "unknown-person": (
        lambda p: ("X99999", "มา", ""),
        lambda p: thai("Unknown person: no one has the portal code %(code)s.", code="X99999"),
    ),
    "missing-person": (
        lambda p: ("", "มา", ""),
        lambda p: thai("The person's portal code is missing."),
    ),
    "bad-status": (
        lambda p: (p["target"].code, "โผล่", ""),
        lambda p: thai(
            "Bad status “%(status)s”: use มา, มาสาย, ไม่มา, ลา or ส่งผู้แทน (present, late, absent, excused, "
            "represented).",
            status="โผล่",
        ),
    ),
    "duplicate-person": (
        lambda p: (p["first"].code, "มาสาย", ""),
        lambda p: thai("Duplicate: %(code)s is already on line %(line)s.", code=p["first"].code, line=2),
    ),
    "walk-in-absent": (
        lambda p: (p["outsider"].code, "ไม่มา", ""),
        lambda p: thai("%(code)s was not invited: a walk-in is present or late.", code=p["outsider"].code),
    ),
    "represented-without-representative": (
        lambda p: (p["target"].code, "ส่งผู้แทน", ""),
        lambda p: thai("Name the representative who came instead."),
    ),
    "unknown-representative": (
        lambda p: (p["target"].code, "ส่งผู้แทน", "X88888"),
        lambda p: thai("Unknown representative: no one has the portal code %(code)s.", code="X88888"),
    ),
    "representative-with-another-status": (
        lambda p: (p["target"].code, "มา", p["outsider"].code),
        lambda p: thai("A representative is named only with the status ส่งผู้แทน (represented)."),
    ),
    "represents-themselves": (
        lambda p: (p["target"].code, "ส่งผู้แทน", p["target"].code),
        lambda p: thai("A person cannot represent themselves."),
    ),
}


def sheet_with_a_bad_row(session, case):
    first, target, last = invite_new_people(session, 3)
    people = {"first": first, "target": target, "last": last, "outsider": make_person("NFE")}
    bad_row, problem = BAD_ROWS[case]
    rows = [(first.code, "มา", ""), bad_row(people), (last.code, "มาสาย", "")]
    return people, rows, problem(people)


@pytest.mark.parametrize("case", BAD_ROWS)
def test_one_bad_row_is_shown_with_its_problem_and_nothing_can_be_saved(coordinator_client, case):
    session = make_session(date=timezone.localdate())
    _people, rows, problem = sheet_with_a_bad_row(session, case)
    before = database_state()

    response, page = preview(coordinator_client, session, csv_file(rows))
    assert response.status_code == 400
    shown = preview_rows(page)
    assert [row["line"] for row in shown] == [2, 3, 4]
    assert [row["flagged"] for row in shown] == [False, True, False]
    assert shown[1]["problems"] == [problem]
    assert shown[0]["problems"] == shown[2]["problems"] == []
    assert len(alerts(page)) == 1
    assert page.select_one("button[name=confirm]") is None
    assert payload_of(page) is None
    assert database_state() == before


def test_a_sheet_rejected_for_one_bad_row_goes_through_once_corrected(coordinator_client):
    session = make_session(date=timezone.localdate())
    people, rows, _problem = sheet_with_a_bad_row(session, "represented-without-representative")
    response, _page = preview(coordinator_client, session, csv_file(rows))
    assert response.status_code == 400

    stand_in = people["outsider"]
    rows[1] = (people["target"].code, "ส่งผู้แทน", stand_in.code)
    response, page = preview(coordinator_client, session, csv_file(rows))
    assert response.status_code == 200
    assert confirm(coordinator_client, session, payload_of(page)).status_code == 302
    marks = {
        row.person_id: (row.status, row.representative_id) for row in session.attendances.select_related()
    }
    assert marks == {
        people["first"].pk: (Status.PRESENT, None),
        people["target"].pk: (Status.REPRESENTED, stand_in.pk),
        people["last"].pk: (Status.LATE, None),
    }


def test_a_row_that_went_bad_between_preview_and_confirm_is_refused(coordinator_client):
    session = make_session(date=timezone.localdate())
    present, absent = invite_new_people(session, 2)
    _response, page = preview(
        coordinator_client, session, csv_file([(present.code, "มา", ""), (absent.code, "ไม่มา", "")])
    )
    # Taken off the list meanwhile: "absent" now describes a walk-in, which cannot be absent.
    services.uninvite(session, [session.attendances.get(person=absent).pk])
    before = database_state()

    response = confirm(coordinator_client, session, payload_of(page))
    assert response.status_code == 400
    assert alerts(parse(response)) == [thai("The sheet has rows with problems; nothing was saved.")]
    assert database_state() == before


# Import: files that cannot be read --------------------------------------------------------------------------


def big_csv():
    line = b"T00001,present,\n"
    data = b"person,status,representative\n" + line * (MAX_UPLOAD_BYTES // len(line) + 1)
    assert len(data) > MAX_UPLOAD_BYTES
    return SimpleUploadedFile("big.csv", data, content_type="text/csv")


def damaged_xlsx():
    real = xlsx_bytes([("T00001", "มา", "")])
    return SimpleUploadedFile("sheet.xlsx", real[: len(real) // 2])


BAD_FILES = {
    "cp874": (
        lambda: SimpleUploadedFile("sheet.csv", "person,status,representative\nT00001,มา,\n".encode("cp874")),
        lambda: thai("%(file)s is not UTF-8 text. Save it as “CSV UTF-8” and try again.", file="sheet.csv"),
    ),
    "empty": (
        lambda: SimpleUploadedFile("sheet.csv", b""),
        lambda: "ไฟล์ที่ส่งว่างเปล่า",  # Django's own message, translated by Django
    ),
    "blank-lines-only": (
        lambda: SimpleUploadedFile("sheet.csv", b"\r\n , ,\r\n"),
        lambda: thai("%(file)s is empty.", file="sheet.csv"),
    ),
    "header-only": (
        lambda: csv_file([]),
        lambda: thai("The file has a header row but no people."),
    ),
    "missing-column": (
        lambda: csv_file([("T00001", "มา")], header=["person", "status"]),
        lambda: thai(
            "%(file)s line %(line)s: missing column(s) %(columns)s.",
            file="sheet.csv",
            line=1,
            columns="representative",
        ),
    ),
    "too-large": (
        big_csv,
        lambda: thai(
            "%(file)s is larger than %(limit)s MB.", file="big.csv", limit=MAX_UPLOAD_BYTES // 1024 // 1024
        ),
    ),
    "binary": (
        lambda: SimpleUploadedFile(
            "photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + random.Random(1).randbytes(500)
        ),
        lambda: thai("%(file)s is not a CSV or XLSX file.", file="photo.png"),
    ),
    "random-bytes-as-xlsx": (
        lambda: SimpleUploadedFile("sheet.xlsx", b"\x13\x37" + random.Random(2).randbytes(2000)),
        lambda: thai("%(file)s is not a readable XLSX workbook.", file="sheet.xlsx"),
    ),
    "truncated-xlsx": (
        damaged_xlsx,
        lambda: thai("%(file)s is not a readable XLSX workbook.", file="sheet.xlsx"),
    ),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_file_that_cannot_be_read_is_refused_with_a_clear_message(coordinator_client, case):
    session = make_session(date=timezone.localdate())
    invite_new_people(session, 1)
    make_upload, message = BAD_FILES[case]
    before = database_state()

    response, page = preview(coordinator_client, session, make_upload())
    assert response.status_code == 400
    assert file_error(page) == message()
    assert page.select_one("#preview-table") is None
    assert payload_of(page) is None
    assert database_state() == before


# Import: confirmations that are refused ---------------------------------------------------------------------


def previewed_sheet(client, session):
    people = invite_new_people(session, 2)
    rows = [(people[0].code, "มา", ""), (people[1].code, "มาสาย", ""), (make_person("NFE").code, "มา", "")]
    response, page = preview(client, session, csv_file(rows))
    assert response.status_code == 200
    return people, payload_of(page)


def tampered(payload):
    data, _separator, rest = payload.partition(":")
    return ("A" if data[0] != "A" else "B") + data[1:] + ":" + rest


def signed_elsewhere(payload):
    """The same kind of content, signed by this server for another purpose."""
    return signing.dumps([[2, ["T00001", "มา", ""], 1]], salt="another.purpose")


def assert_refused_as_altered(client, session, response):
    assert response.status_code == 302
    assert response["Location"] == import_url(session)
    page = parse(client.get(response["Location"]))
    assert alerts(page) == [thai("The checked sheet expired or was altered. Upload the file again.")]


@pytest.mark.parametrize(
    "spoil",
    [tampered, signed_elsewhere, lambda payload: "", lambda payload: "not-a-payload"],
    ids=["tampered", "other-purpose", "empty", "garbage"],
)
def test_a_tampered_or_foreign_payload_is_refused_and_nothing_is_written(coordinator_client, spoil):
    session = make_session(date=timezone.localdate())
    _people, payload = previewed_sheet(coordinator_client, session)
    before = database_state()

    response = confirm(coordinator_client, session, spoil(payload))
    assert_refused_as_altered(coordinator_client, session, response)
    assert database_state() == before


def test_a_preview_older_than_an_hour_is_refused(coordinator_client):
    session = make_session(date=timezone.localdate())
    two_hours_ago = signing.b62_encode(int(time.time()) - 2 * 60 * 60)
    with mock.patch.object(signing.TimestampSigner, "timestamp", lambda self: two_hours_ago):
        _people, payload = previewed_sheet(coordinator_client, session)
    before = database_state()

    response = confirm(coordinator_client, session, payload)
    assert_refused_as_altered(coordinator_client, session, response)
    assert database_state() == before


def test_a_payload_previewed_for_another_session_is_refused(coordinator_client):
    checked = make_session(date=timezone.localdate())
    other = make_session(date=timezone.localdate())
    people, payload = previewed_sheet(coordinator_client, checked)
    services.invite(other, people)
    before = database_state()

    response = confirm(coordinator_client, other, payload)
    assert_refused_as_altered(coordinator_client, other, response)
    assert database_state() == before


def test_a_stale_confirm_is_refused_and_nothing_is_written(coordinator_client):
    session = make_session(date=timezone.localdate() + dt.timedelta(days=1))
    (first, second), payload = previewed_sheet(coordinator_client, session)
    # Someone else marks the first person meanwhile, on the row as it is now.
    row = session.attendances.get(person=first)
    services.save_marks(session, [services.Mark(row.pk, Status.ABSENT, row.version)])
    before = database_state()

    response = confirm(coordinator_client, session, payload)
    assert response.status_code == 400
    (message,) = alerts(parse(response))
    assert first.full_name in message and second.full_name not in message
    assert database_state() == before
    # All or nothing: the other coordinator's mark stands and the rest of the sheet is not half-written.
    assert dict(session.attendances.values_list("person_id", "status")) == {
        first.pk: Status.ABSENT,
        second.pk: Status.UNMARKED,
    }


def test_a_cancelled_session_refuses_the_import(coordinator_client):
    session = make_session(date=timezone.localdate(), status="cancelled")
    people = invite_new_people(session, 2)
    before = database_state()

    response, page = preview(coordinator_client, session, csv_file([(p.code, "มา", "") for p in people]))
    assert response.status_code == 400
    cancelled = thai("The session was cancelled; attendance cannot be recorded.")
    assert [row["problems"] for row in preview_rows(page)] == [[cancelled], [cancelled]]
    assert payload_of(page) is None
    assert database_state() == before


def test_a_session_cancelled_between_preview_and_confirm_refuses_the_confirm(coordinator_client):
    session = make_session(date=timezone.localdate())
    _people, payload = previewed_sheet(coordinator_client, session)
    ForumSession.objects.filter(pk=session.pk).update(status=ForumSession.Status.CANCELLED)
    before = database_state()

    response = confirm(coordinator_client, session, payload)
    assert response.status_code == 400
    assert database_state() == before


# Import: who may ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["facilitator", "governor_office"])
def test_readers_cannot_import_a_sheet(client, role):
    session = make_session(date=timezone.localdate())
    person = invite_new_people(session, 1)[0]
    client.force_login(make_user(role))
    assert client.get(import_url(session)).status_code == 403
    response = client.post(import_url(session), {"file": csv_file([(person.code, "มา", "")])})
    assert response.status_code == 403
    assert session.attendances.get().status == Status.UNMARKED


def test_coordinator_opens_the_import_page(coordinator_client):
    session = make_session()
    response = coordinator_client.get(import_url(session))
    assert response.status_code == 200
    page = parse(response)
    assert page.select_one("form[enctype='multipart/form-data'] input[type=file][name=file]") is not None
    assert page.select_one("#preview-table") is None


def test_anonymous_is_sent_to_login_from_the_import(client):
    session = make_session()
    response = client.get(import_url(session))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
