"""The invitee's personal reply page /i/<code>/: no account, signed, until the session ends, rate-limited."""

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from forums import services
from forums.codes import invitation_code
from forums.models import Attendance
from tests.factories import make_attendance, make_person, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def invitation():
    session = make_session(
        title="เวทีคุณเอื้อ ครั้งที่ 9",
        date=timezone.localdate() + dt.timedelta(days=5),
        start=dt.time(9, 30),
        end=dt.time(12, 0),
        venue="ศาลากลางจังหวัดนครศรีธรรมราช",
        agenda="1. ทบทวนบทเรียน\n2. วางแผนเดือนหน้า",
    )
    return make_attendance(session, make_person("CDD", email="eua@example.go.th"))


def url(row):
    return reverse("public:invitee_reply", kwargs={"code": invitation_code(row)})


def page(response):
    return BeautifulSoup(response.content, "html.parser")


def test_the_link_opens_without_an_account_with_the_session_in_thai(client, invitation):
    response = client.get(url(invitation))

    assert response.status_code == 200
    facts = page(response).select_one("#session-facts").get_text(" ", strip=True)
    be_year = str(invitation.session.date.year + 543)
    assert be_year in facts
    assert "ศาลากลางจังหวัดนครศรีธรรมราช" in facts
    assert "วางแผนเดือนหน้า" in facts
    assert "วันที่" in facts  # Thai labels: the invitee's language is Thai by default
    assert "เวลา 09:30–12:00 น." in facts
    assert page(response).select_one("#session-facts a[href^='https://www.openstreetmap.org/search']")


def test_an_invitee_declines_with_a_reason_and_the_coordinator_sees_it_with_its_time(
    client, coordinator_client, invitation
):
    before = timezone.now()
    response = client.post(url(invitation), {"answer": "declined", "reason": "ติดประชุมที่กรุงเทพฯ"})

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.reply == Attendance.Reply.DECLINED
    assert invitation.reply_reason == "ติดประชุมที่กรุงเทพฯ"
    assert invitation.replied_at >= before
    history = invitation.history.first()
    assert history.reply == "declined" and history.history_user is None

    listing = coordinator_client.get(reverse("forums:invitations", kwargs={"code": invitation.session.code}))
    note = page(listing).select_one("#invitation-table .reply-by-invitee").get_text(" ", strip=True)
    assert "ติดประชุมที่กรุงเทพฯ" in note
    assert str(timezone.localtime(invitation.replied_at).year + 543) in note


def test_an_invitee_names_a_representative_of_the_same_organization(client, invitation):
    colleague = make_person("CDD", first_name="ผู้แทน")
    stranger = make_person("WU")

    refused = client.post(url(invitation), {"answer": "declined", "representative": stranger.pk})
    assert refused.status_code == 400
    invitation.refresh_from_db()
    assert invitation.reply == ""

    client.post(url(invitation), {"answer": "declined", "representative": colleague.pk})
    invitation.refresh_from_db()
    assert invitation.reply_representative == colleague
    options = [o["value"] for o in page(client.get(url(invitation))).select("#id_representative option")]
    assert str(colleague.pk) in options and str(stranger.pk) not in options
    assert str(invitation.person_id) not in options


def test_accepting_clears_an_earlier_reason(client, invitation):
    client.post(url(invitation), {"answer": "declined", "reason": "ไม่ว่าง"})
    client.post(url(invitation), {"answer": "accepted", "reason": "ignored"})
    invitation.refresh_from_db()
    assert (invitation.reply, invitation.reply_reason) == ("accepted", "")


def test_a_reply_does_not_turn_a_coordinators_mark_into_a_conflict(client, invitation):
    version = invitation.version
    client.post(url(invitation), {"answer": "accepted"})
    result = services.save_marks(invitation.session, [services.Mark(invitation.pk, "present", version)])
    assert not result.conflicts and len(result.saved) == 1


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda code: code[:-2] + "AA", id="forged"),
        pytest.param(lambda code: "1-2-ABCDEFGHIJKLMNOP", id="other"),
        pytest.param(lambda code: "nonsense", id="garbage"),
    ],
)
def test_a_foreign_or_damaged_link_gives_a_thai_message_and_404(client, invitation, mangle):
    code = mangle(invitation_code(invitation))
    response = client.get(reverse("public:invitee_reply", kwargs={"code": code}))
    assert response.status_code == 404
    assert page(response).select_one("#problem-title").get_text(strip=True) == "ลิงก์นี้ไม่ถูกต้อง"


def test_a_walk_in_row_has_no_reply_page(client, invitation):
    walk_in = make_attendance(invitation.session, make_person(), invited=False, status="present")
    assert client.get(url(walk_in)).status_code == 404


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"status": "cancelled"}, id="cancelled"),
        pytest.param({"date": dt.date(2006, 1, 13)}, id="over"),
    ],
)
def test_an_expired_link_gives_a_thai_message_and_410(client, invitation, change):
    type(invitation.session).objects.filter(pk=invitation.session_id).update(**change)
    response = client.get(url(invitation))
    assert response.status_code == 410
    assert page(response).select_one("#problem-title").get_text(strip=True) == "ลิงก์นี้ใช้ไม่ได้แล้ว"
    assert client.post(url(invitation), {"answer": "accepted"}).status_code == 410
    invitation.refresh_from_db()
    assert invitation.reply == ""


def test_the_link_works_until_the_session_ends(invitation):
    session = invitation.session
    ends = services.session_ends_at(session)
    assert timezone.localtime(ends).time() == dt.time(12, 0)
    services.check_invitee_reply(invitation, now=ends - dt.timedelta(minutes=1))
    with pytest.raises(services.ReplyError):
        services.check_invitee_reply(invitation, now=ends)


def test_the_page_is_in_the_invitees_language(client, invitation):
    invitation.person.preferred_language = "en"
    invitation.person.save()
    response = client.get(url(invitation))
    assert page(response).select_one("#accept-form button").get_text(strip=True) == "I will attend"


def test_the_page_is_rate_limited(client, invitation):
    from forums.views.qr import REQUESTS_PER_CODE

    for _ in range(REQUESTS_PER_CODE):
        assert client.get(url(invitation)).status_code == 200
    response = client.get(url(invitation))
    assert response.status_code == 429
    assert page(response).select_one("#problem-title").get_text(strip=True) == "มีการเรียกใช้บ่อยเกินไป"


def test_the_calendar_file_of_the_invitation(client, invitation):
    response = client.get(reverse("public:invitee_calendar", kwargs={"code": invitation_code(invitation)}))
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "เวทีคุณเอื้อ ครั้งที่ 9"
    assert str(calendar["METHOD"]) == "REQUEST"


@pytest.mark.parametrize("count", [1, 50])
def test_the_reply_page_runs_in_a_fixed_number_of_queries(
    client, invitation, count, django_assert_num_queries
):
    for _ in range(count):
        make_person("CDD")
    # code lookup, representatives, session (none: joined), history none on GET
    with django_assert_num_queries(2):
        assert client.get(url(invitation)).status_code == 200


@pytest.mark.parametrize("count", [1, 50])
def test_the_invitation_list_with_replies_runs_in_a_fixed_number_of_queries(
    client, coordinator_client, count, django_assert_num_queries
):
    session = make_session(date=timezone.localdate() + dt.timedelta(days=5))
    colleague = make_person("CDD")
    for _ in range(count):
        row = make_attendance(session, make_person("CDD"))
        services.reply_by_invitee(row, "declined", reason="ติดราชการ", representative=colleague)
    path = reverse("forums:invitations", kwargs={"code": session.code})
    coordinator_client.get(path)  # warm the session and permission caches
    with django_assert_num_queries(QUERIES_OF_THE_INVITATION_LIST):
        response = coordinator_client.get(path)
    assert len(page(response).select("#invitation-table .reply-by-invitee")) == count


QUERIES_OF_THE_INVITATION_LIST = 6


def test_erasing_the_invitee_removes_their_decline_reason_everywhere(invitation):
    from agencies import pdpa

    services.reply_by_invitee(invitation, "declined", reason="ป่วย ต้องไปโรงพยาบาล")
    assert pdpa.personal_data(invitation.person)["attendance"][0]["reply_reason"] == "ป่วย ต้องไปโรงพยาบาล"
    pdpa.anonymize(invitation.person)
    invitation.refresh_from_db()
    assert (invitation.reply, invitation.reply_reason) == ("declined", "")
    assert not Attendance.history.filter(person_id=invitation.person_id).exclude(reply_reason="").exists()
