"""Personal links, self check-in, the venue's QR code and the invitation slips, over HTTP.

A code that is forged, of another session, of a removed invitation, or used outside the self check-in window gets
a clear message and a 4xx answer, never a server error.
"""

import datetime as dt
import subprocess
from unittest import mock

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from forums import self_checkin, services
from forums.codes import invitation_code
from forums.models import Attendance
from forums.views import qr as qr_views
from tests.factories import make_attendance, make_person, make_session, make_user

pytestmark = pytest.mark.django_db
Status = Attendance.Status
TZ = timezone.get_current_timezone()


@pytest.fixture(autouse=True)
def _empty_rate_limits():
    cache.clear()
    yield
    cache.clear()


def thai(message):
    with translation.override("th"):
        return translation.gettext(message)


INVALID_LINK = (
    "This invitation link is not valid: it was mistyped, or the invitation was withdrawn. "
    "Please contact the coordinator."
)


def parse(response):
    return BeautifulSoup(response.content, "html.parser")


def at(day, hour, minute=0):
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


def todays_session(**fields):
    fields.setdefault("start", dt.time(9, 0))
    fields.setdefault("end", dt.time(12, 0))
    return make_session(date=dt.date(2026, 11, 24), **fields)


def frozen(moment):
    """timezone.now() at ``moment`` (and localdate() on its day)."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


def personal_url(row):
    return reverse("public:invitee_reply", args=[invitation_code(row)])


def checkin_url(row):
    return reverse("public:invitee_checkin", args=[invitation_code(row)])


# The personal page --------------------------------------------------------------------------------------------


def test_personal_page_opens_without_login_and_shows_the_session_in_the_buddhist_era(client):
    session = make_session(title="เวทีคุณเอื้อ", date=dt.date(2036, 10, 25), venue="ศาลาประชาคม")
    row = make_attendance(session, make_person(first_name="สมศรี"))
    with translation.override("th"):
        response = client.get(personal_url(row), HTTP_ACCEPT_LANGUAGE="th")
    assert response.status_code == 200
    page = parse(response)
    assert page.select_one("#session-title").get_text(strip=True) == "เวทีคุณเอื้อ"
    assert "25 ตุลาคม 2579" in page.select_one("#session-date").get_text()
    assert "สมศรี" in page.select_one("#invitee").get_text()
    # Not the session's day: no button, the window is explained.
    assert page.select_one("#self-checkin form") is None


@pytest.mark.parametrize(
    "make_code",
    [
        pytest.param(
            lambda row: invitation_code(row)[:-1] + ("A" if invitation_code(row)[-1] != "A" else "B"),
            id="forged",
        ),
        pytest.param(lambda row: f"{row.session_id}-{row.pk + 1}-AAAAAAAAAAAAAAAA", id="guessed"),
        pytest.param(lambda row: "not-a-code", id="malformed"),
        pytest.param(lambda row: "9" * 40, id="huge-number"),
    ],
)
def test_a_bad_code_gets_a_clear_404_page(client, make_code):
    row = make_attendance(make_session(), make_person())
    response = client.get(reverse("public:invitee_reply", args=[make_code(row)]))
    assert response.status_code == 404
    assert parse(response).select_one("#refusal").get_text() == thai(INVALID_LINK)


def test_the_code_of_a_removed_invitation_no_longer_opens(client):
    session = make_session()
    row = make_attendance(session, make_person())
    url = personal_url(row)
    assert client.get(url).status_code == 200
    services.uninvite(session, [row.pk])
    response = client.get(url)
    assert response.status_code == 404
    assert parse(response).select_one("#refusal")


@pytest.mark.parametrize("rows", [1, 50])
def test_personal_page_query_count_is_fixed(client, django_assert_num_queries, rows):
    session = todays_session()
    people = [make_person() for _ in range(rows)]
    services.invite(session, people)
    row = session.attendances.first()
    # The code's row (with session, person, organization), its self check-in history, the representatives shown.
    with frozen(at(session.date, 8, 30)), django_assert_num_queries(3):
        assert client.get(personal_url(row)).status_code == 200


def test_the_old_printed_link_moved_for_good_to_the_one_personal_page(client):
    row = make_attendance(todays_session(), make_person())
    code = invitation_code(row)
    response = client.get(f"/forums/i/{code}/")
    assert response.status_code == 301
    assert response["Location"] == reverse("public:invitee_reply", args=[code]) == f"/i/{code}/"


def test_the_personal_page_has_the_reply_form_and_self_check_in_together(client):
    session = todays_session()
    row = make_attendance(session, make_person())
    with frozen(at(session.date, 8, 30)):
        page = parse(client.get(personal_url(row)))
    assert page.select_one("#accept-form") and page.select_one("#decline-form")
    assert (
        page.select_one("#self-checkin form")["action"]
        == checkin_url(row)
        == f"/i/{invitation_code(row)}/checkin/"
    )


def test_check_in_stays_open_after_replies_close_on_the_sessions_day(client, settings):
    # Without an end time replies close three hours after the start, self check-in only after four.
    session = todays_session(end=None)
    row = make_attendance(session, make_person(preferred_language="en"))
    with frozen(at(session.date, 12, 30)):
        response = client.get(personal_url(row))
        assert response.status_code == 200
        page = parse(response)
        assert page.select_one("#reply-closed") and not page.select_one("#accept-form")
        assert page.select_one("#self-checkin form button").get_text(strip=True) == "Check me in"
        assert client.post(personal_url(row), {"answer": "accepted"}).status_code == 410
        assert client.post(checkin_url(row)).status_code == 302
        page = parse(client.get(personal_url(row)))
    assert "You are checked in" in page.select_one("#self-checkin").get_text()
    row.refresh_from_db()
    assert row.status == Status.LATE
    with frozen(at(session.date, 13, 1)):  # the window closed too: the link is over
        assert client.get(personal_url(row)).status_code == 410


# Self check-in ------------------------------------------------------------------------------------------------


def test_self_check_in_within_the_window_marks_present_through_the_write_path(client):
    session = todays_session()
    row = make_attendance(session, make_person())
    with frozen(at(session.date, 8, 30)):
        page = parse(client.get(personal_url(row)))
        assert page.select_one("#self-checkin form button")
        response = client.post(checkin_url(row))
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.status, row.version) == (Status.PRESENT, 2)
    record = row.history.order_by("-history_id").first()
    assert record.history_change_reason == self_checkin.SELF_CHECKIN_REASON
    assert record.history_user is None
    session.refresh_from_db()
    assert session.attended_count == 1  # the turnout followed


@override_settings(CHECKIN_LATE_AFTER_MINUTES=10)
def test_self_check_in_after_the_late_threshold_marks_late(client):
    session = todays_session()
    row = make_attendance(session, make_person())
    with frozen(at(session.date, 9, 11)):
        client.post(checkin_url(row))
    row.refresh_from_db()
    assert row.status == Status.LATE


@pytest.mark.parametrize(
    ("moment", "why"),
    [
        (lambda s: at(s.date, 7, 59), "before the window (09:00 start opens at 08:00)"),
        (lambda s: at(s.date, 12, 1), "after the end"),
        (lambda s: at(s.date - dt.timedelta(days=1), 9, 0), "the day before"),
        (lambda s: at(s.date + dt.timedelta(days=1), 9, 0), "the day after"),
    ],
)
def test_self_check_in_outside_the_window_is_refused_with_403(client, moment, why):
    session = todays_session()
    row = make_attendance(session, make_person())
    with frozen(moment(session)):
        response = client.post(checkin_url(row))
    assert response.status_code == 403, why
    assert "08:00" in parse(response).select_one("#refusal").get_text()
    row.refresh_from_db()
    assert row.status == Status.UNMARKED


def test_a_session_without_an_end_closes_four_hours_after_its_start():
    session = todays_session(end=None)
    assert self_checkin.window(session) == (at(session.date, 8, 0), at(session.date, 13, 0))
    assert self_checkin.window(todays_session(start=None, end=None)) == (
        at(session.date, 7, 0),
        at(session.date, 18, 0),
    )


def test_self_check_in_happens_at_most_once_even_after_the_coordinator_undoes_it(client):
    session = todays_session()
    row = make_attendance(session, make_person())
    with frozen(at(session.date, 8, 30)):
        client.post(checkin_url(row))
        again = client.post(checkin_url(row))
        assert again.status_code == 409
        assert parse(again).select_one("#refusal")
        # The coordinator undoes it (an ordinary mark back to "not yet marked"): the invitee cannot redo it.
        row.refresh_from_db()
        services.save_marks(session, [services.Mark(row.pk, Status.UNMARKED, row.version)], user=make_user())
        third = client.post(checkin_url(row))
    assert third.status_code == 409
    row.refresh_from_db()
    assert row.status == Status.UNMARKED


def test_self_check_in_never_overwrites_the_coordinators_mark(client):
    session = todays_session()
    row = make_attendance(session, make_person(), status=Status.EXCUSED)
    with frozen(at(session.date, 8, 30)):
        response = client.post(checkin_url(row))
    assert response.status_code == 409
    row.refresh_from_db()
    assert row.status == Status.EXCUSED


def test_a_cancelled_session_refuses_self_check_in(client):
    session = todays_session(status="cancelled")
    row = make_attendance(session, make_person())
    with frozen(at(session.date, 8, 30)):
        assert client.post(checkin_url(row)).status_code == 409
    row.refresh_from_db()
    assert row.status == Status.UNMARKED


def test_self_check_in_is_post_only(client):
    row = make_attendance(todays_session(), make_person())
    assert client.get(checkin_url(row)).status_code == 405


# The venue's QR code ------------------------------------------------------------------------------------------


def venue_url(session):
    return reverse("forums:venue", args=[self_checkin.venue_token(session)])


def test_coordinator_shows_the_venue_qr_code_as_inline_svg_without_style(coordinator_client):
    session = todays_session()
    response = coordinator_client.get(reverse("forums:venue_qr", args=[session.code]))
    assert response.status_code == 200
    svg = parse(response).select_one("svg.qr-venue")
    assert svg is not None
    assert not svg.find_all(style=True) and not svg.has_attr("style")
    assert venue_url(session) in response.content.decode()


def test_the_venue_page_checks_in_whoever_pastes_their_personal_link(client):
    session = todays_session()
    row = make_attendance(session, make_person())
    with frozen(at(session.date, 8, 45)):
        assert client.get(venue_url(session)).status_code == 200
        response = client.post(
            venue_url(session), {"code": f"https://km.example.go.th{personal_url(row)}"}, follow=True
        )
    assert response.status_code == 200
    row.refresh_from_db()
    assert row.status == Status.PRESENT


def test_the_venue_page_refuses_a_code_of_another_session(client):
    session = todays_session()
    other = make_attendance(todays_session(), make_person())
    with frozen(at(session.date, 8, 45)):
        response = client.post(venue_url(session), {"code": invitation_code(other)})
    assert response.status_code == 404
    assert parse(response).select_one("#refusal").get_text() == thai(
        "This code is not an invitation to this session. Check that you opened your own link."
    )
    other.refresh_from_db()
    assert other.status == Status.UNMARKED


@pytest.mark.parametrize("token", ["1-0000", "abc", "999999-" + "0" * 20])
def test_a_forged_venue_token_gets_404(client, token):
    todays_session()
    assert client.get(reverse("forums:venue", args=[token])).status_code == 404


# Rate limits ----------------------------------------------------------------------------------------------------


def test_an_address_sending_many_wrong_codes_is_refused_for_a_while(client, monkeypatch):
    monkeypatch.setattr(qr_views, "FAILURES_PER_ADDRESS", 3)
    row = make_attendance(make_session(), make_person())
    for _ in range(3):
        assert client.get(reverse("public:invitee_reply", args=["1-1-AAAAAAAAAAAAAAAA"])).status_code == 404
    # Now even a good code from that address waits.
    response = client.get(personal_url(row))
    assert response.status_code == 429
    assert parse(response).select_one("#refusal")
    # Another address is not affected.
    assert client.get(personal_url(row), REMOTE_ADDR="192.0.2.55").status_code == 200


def test_one_code_cannot_be_hammered(client, monkeypatch):
    monkeypatch.setattr(qr_views, "REQUESTS_PER_CODE", 2)
    row = make_attendance(make_session(), make_person())
    assert [client.get(personal_url(row)).status_code for _ in range(3)] == [200, 200, 429]


# Invitation slips -----------------------------------------------------------------------------------------------


def test_invitation_slips_pdf_has_the_thai_name_and_buddhist_era_date(coordinator_client, tmp_path):
    session = make_session(title="เวทีแลกเปลี่ยนเรียนรู้", date=dt.date(2026, 11, 24), venue="ศาลากลางจังหวัด")
    given = ["ประเสริฐศักดิ์", "สมศรี", "วราภรณ์", "ธนพัฒน์", "กิตติพงษ์", "จันทร์เพ็ญ", "บุญส่ง", "มาลี", "อำนวย"]
    people = [make_person(first_name=name, last_name="ทองประเสริฐวงศ์") for name in given]
    services.invite(session, people)
    response = coordinator_client.get(reverse("forums:invitation_slips", args=[session.code]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "slips.pdf"
    pdf.write_bytes(response.content)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Pages:           2" in info  # eight slips to a page
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout

    # The shaper draws SARA AM (ำ) as two glyphs, NIKHAHIT and SARA AA, and the PDF's text layer gives back only
    # SARA AA: compare with SARA AM read that way (the picture of the page has it right).
    def as_extracted(name):
        return name.replace("\u0e33", "\u0e32")

    for person in people:
        # A given or family name is never broken inside the word (a break between them is fine).
        lines = text.splitlines()
        given = as_extracted(f"{person.title}{person.first_name}")
        assert any(given in line for line in lines), person.full_name
        assert any(as_extracted(person.last_name) in line for line in lines), person.full_name
    assert "24 พฤศจิกายน 2569" in text
    assert "2026" not in text.replace("2026-", "")
    assert "/i/" in text and "/forums/i/" not in text  # the one personal page
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Sarabun" in fonts


def test_readers_cannot_print_slips(client):
    session = make_session()
    make_attendance(session, make_person())
    client.force_login(make_user("governor_office"))
    assert client.get(reverse("forums:invitation_slips", args=[session.code])).status_code == 403


def test_a_bad_code_is_explained_in_english_too(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("public:invitee_reply", args=["1-1-AAAAAAAAAAAAAAAA"]))
    assert response.status_code == 404
    assert parse(response).select_one("#refusal").get_text() == INVALID_LINK


@pytest.mark.parametrize("rows", [1, 50])
def test_slips_and_venue_pages_query_counts_are_fixed(coordinator_client, django_assert_num_queries, rows):
    session = todays_session()
    services.invite(session, [make_person() for _ in range(rows)])
    # Login session, user, permissions (2), the session in the coordinator's scope (groups, scope, session).
    with django_assert_num_queries(4):
        assert coordinator_client.get(reverse("forums:venue_qr", args=[session.code])).status_code == 200
    with django_assert_num_queries(5):  # and the invitees
        response = coordinator_client.get(reverse("forums:invitation_slips", args=[session.code]))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 50])
def test_self_check_in_query_count_is_fixed(client, django_assert_num_queries, rows):
    session = todays_session()
    services.invite(session, [make_person() for _ in range(rows)])
    row = session.attendances.first()
    # The code's row, the earlier self check-in look-up, save_marks (locked row, update, history, turnout
    # refresh, held status, savepoints), the message in the session: the same for any list size.
    with frozen(at(session.date, 8, 30)), django_assert_num_queries(15):
        assert client.post(checkin_url(row)).status_code == 302


@pytest.mark.parametrize("rows", [1, 50])
def test_personal_links_page_lists_each_invitees_link_in_fixed_queries(
    coordinator_client, django_assert_num_queries, rows
):
    session = todays_session()
    services.invite(session, [make_person() for _ in range(rows)])
    with django_assert_num_queries(5):
        response = coordinator_client.get(reverse("forums:personal_links", args=[session.code]))
    page = parse(response)
    links = [field["value"] for field in page.select("#personal-links input")]
    expected = {f"http://testserver{personal_url(row)}" for row in session.attendances.all()}
    assert len(links) == rows and set(links) == expected
    assert all(link in page.select_one("#links-text").get_text() for link in links)
    # Each link opens its owner's page.
    cache.clear()
    with frozen(at(session.date, 8, 30)):
        assert coordinator_client.get(links[0].removeprefix("http://testserver")).status_code == 200
