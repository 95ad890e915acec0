"""send_reminders --days N: one email per invitee of a planned session N days ahead, never twice."""

import datetime as dt
import io
import smtplib

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from core.thaidates import THAI_MONTHS_FULL
from forums.models import Attendance, Reminder
from tests.factories import make_attendance, make_person, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def locmem_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def days_from_today(days):
    return timezone.localdate() + dt.timedelta(days=days)


def send_reminders(days):
    # As cron runs it: a fresh process in the portal's language (Thai), whatever an earlier test left active.
    with translation.override("th"):
        call_command("send_reminders", "--days", str(days), stdout=io.StringIO(), stderr=io.StringIO())


def invitee(email, **fields):
    return make_person("CDD", email=email, **fields)


def be_long(date):
    return f"{date.day} {THAI_MONTHS_FULL[date.month - 1]} {date.year + 543}"


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_invitees_of_a_session_n_days_ahead_get_one_reminder_each():
    session = make_session(
        title="เวทีคุณเอื้อ ครั้งที่ 7", date=days_from_today(3), start=dt.time(9, 30), venue="ศาลากลางจังหวัด"
    )
    first, second = invitee("a@example.org"), invitee("b@example.org")
    make_attendance(session, first)
    make_attendance(session, second, reply=Attendance.Reply.ACCEPTED)

    send_reminders(3)

    assert recipients() == ["a@example.org", "b@example.org"]
    message = mail.outbox[0]
    assert message.subject == f"แจ้งเตือนเวทีแลกเปลี่ยนเรียนรู้ {be_long(session.date)}: เวทีคุณเอื้อ ครั้งที่ 7"
    assert str(session.date.year + 543) in message.subject
    body_lines = message.body.splitlines()
    person = first if message.to == ["a@example.org"] else second
    assert body_lines[0] == f"เรียน {person.full_name}"
    assert f"วันที่ {be_long(session.date)} เวลา 09:30 น." in body_lines
    assert "สถานที่ ศาลากลางจังหวัด" in body_lines
    assert set(Reminder.objects.values_list("session_id", "person_id")) == {
        (session.pk, first.pk),
        (session.pk, second.pk),
    }


def test_the_days_option_chooses_which_sessions():
    in_seven = make_session(date=days_from_today(7))
    in_three = make_session(date=days_from_today(3))
    make_attendance(in_seven, invitee("seven@example.org"))
    make_attendance(in_three, invitee("three@example.org"))

    send_reminders(7)

    assert recipients() == ["seven@example.org"]
    assert list(Reminder.objects.values_list("session_id", flat=True)) == [in_seven.pk]


def test_no_reminder_for_people_without_email_who_declined_or_are_inactive():
    session = make_session(date=days_from_today(3))
    make_attendance(session, invitee(""))
    make_attendance(session, invitee("declined@example.org"), reply=Attendance.Reply.DECLINED)
    make_attendance(session, invitee("gone@example.org", is_active=False))
    make_attendance(session, invitee("walkin@example.org"), invited=False, status=Attendance.Status.PRESENT)
    make_attendance(session, invitee("invited@example.org"))

    send_reminders(3)

    assert recipients() == ["invited@example.org"]
    assert Reminder.objects.count() == 1


@pytest.mark.parametrize(
    ("status", "days_ahead"),
    [
        pytest.param("cancelled", 3, id="cancelled"),
        pytest.param("held", 3, id="held"),
        pytest.param("planned", 2, id="day-before"),
        pytest.param("planned", 4, id="day-after"),
    ],
)
def test_no_reminder_for_sessions_not_planned_for_that_day(status, days_ahead):
    session = make_session(date=days_from_today(days_ahead), status=status)
    make_attendance(session, invitee("someone@example.org"))
    control = make_session(date=days_from_today(3))
    make_attendance(control, invitee("control@example.org"))

    send_reminders(3)

    assert recipients() == ["control@example.org"]
    assert not Reminder.objects.filter(session=session).exists()


def test_a_second_run_sends_nothing_again():
    session = make_session(date=days_from_today(3))
    make_attendance(session, invitee("a@example.org"))
    make_attendance(session, invitee("b@example.org"))
    send_reminders(3)
    assert len(mail.outbox) == 2

    send_reminders(3)

    assert len(mail.outbox) == 2
    assert Reminder.objects.count() == 2


def test_a_person_invited_after_the_first_run_gets_a_reminder_on_the_next():
    session = make_session(date=days_from_today(3))
    make_attendance(session, invitee("early@example.org"))
    send_reminders(3)
    make_attendance(session, invitee("late@example.org"))

    send_reminders(3)

    assert recipients() == ["early@example.org", "late@example.org"]


def test_a_mail_that_fails_leaves_no_record_so_a_later_run_retries(monkeypatch):
    session = make_session(date=days_from_today(3))
    # Reminders go out in name order: the failing one comes first, so a crash would stop the other.
    failing = invitee("bounces@example.org", first_name="กมล")
    working = invitee("works@example.org", first_name="อรุณ")
    make_attendance(session, failing)
    make_attendance(session, working)
    real_send = EmailMessage.send

    def send_unless_bouncing(message, *args, **kwargs):
        if "bounces@example.org" in message.to:
            raise smtplib.SMTPRecipientsRefused({"bounces@example.org": (550, b"mailbox unavailable")})
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", send_unless_bouncing)

    with pytest.raises(CommandError, match=r"^1 reminder\(s\) could not be sent"):
        send_reminders(3)

    # The failure did not stop the others, and left no record for itself.
    assert recipients() == ["works@example.org"]
    assert list(Reminder.objects.values_list("person_id", flat=True)) == [working.pk]

    monkeypatch.setattr(EmailMessage, "send", real_send)
    send_reminders(3)

    assert recipients() == ["bounces@example.org", "works@example.org"]
    assert Reminder.objects.count() == 2


# Reminders worth reading: HTML, personal link, calendar file, language, kinds -----------------------------------


def test_a_reminder_has_html_the_personal_link_and_a_calendar_request(settings):
    from icalendar import Calendar

    from forums.codes import invitation_code

    settings.PORTAL_BASE_URL = "https://km.example.go.th"
    session = make_session(
        title="เวทีวงรวม", date=days_from_today(3), start=dt.time(13, 0), agenda="วาระที่ 1 ติดตามผล"
    )
    row = make_attendance(session, invitee("kit@example.go.th"))

    send_reminders(3)

    (message,) = mail.outbox
    link = f"https://km.example.go.th/i/{invitation_code(row)}/"
    assert link in message.body and "วาระที่ 1 ติดตามผล" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{link}"' in html and str(session.date.year + 543) in html
    (_name, content, content_type) = message.attachments[0]
    assert content_type.startswith("text/calendar; method=REQUEST")
    calendar = Calendar.from_ical(content)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Bangkok"]
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"{session.code}@km.example.go.th"
    assert event.decoded("DTSTART").hour == 13
    assert str(event["ATTENDEE"]) == "mailto:kit@example.go.th"


def test_the_calendar_uid_is_the_same_in_every_reminder_and_feed(settings, client):
    from icalendar import Calendar

    session = make_session(date=days_from_today(3), circle="eua")
    make_attendance(session, invitee("a@example.go.th"))
    send_reminders(3)
    mailed = Calendar.from_ical(mail.outbox[0].attachments[0][1]).walk("VEVENT")[0]
    feed = Calendar.from_ical(client.get("/calendar/circle/eua.ics").content).walk("VEVENT")
    assert str(mailed["UID"]) in {str(e["UID"]) for e in feed}


def test_a_reminder_is_in_the_invitees_language():
    session = make_session(title="KM forum", date=days_from_today(3), venue="Hall")
    make_attendance(session, invitee("en@example.go.th", preferred_language="en"))
    make_attendance(session, invitee("th@example.go.th"))

    send_reminders(3)

    by_address = {m.to[0]: m for m in mail.outbox}
    english, thai = by_address["en@example.go.th"], by_address["th@example.go.th"]
    assert english.subject.startswith("Forum reminder ") and "(B.E. " in english.subject
    assert english.body.startswith("Dear ") and "Venue: Hall" in english.body
    assert thai.subject.startswith("แจ้งเตือนเวทีแลกเปลี่ยนเรียนรู้ ")


def test_another_kind_of_reminder_is_sent_once_too():
    session = make_session(date=days_from_today(3))
    make_attendance(session, invitee("a@example.go.th"))
    send_reminders(3)
    type(session).objects.filter(pk=session.pk).update(date=days_from_today(1))

    send_reminders(1)
    send_reminders(1)

    assert len(mail.outbox) == 2
    assert sorted(Reminder.objects.values_list("kind", flat=True)) == ["1d", "3d"]


@pytest.mark.parametrize("days", ["-1", "-30", "tomorrow"])
def test_negative_or_non_numeric_days_are_refused(days):
    with pytest.raises(CommandError, match="--days"):
        call_command("send_reminders", "--days", days, stdout=io.StringIO(), stderr=io.StringIO())
    assert not mail.outbox


def test_a_second_notifier_keeps_its_own_records(monkeypatch):
    from forums import notifiers

    delivered = []

    class PagerNotifier:
        channel = "pager"

        def can_reach(self, person):
            return True

        def send(self, reminder):
            delivered.append((reminder.person.code, reminder.subject))

    monkeypatch.setattr(notifiers, "notifiers", lambda: [notifiers.EmailNotifier(), PagerNotifier()])
    from forums.management.commands import send_reminders as command

    monkeypatch.setattr(command, "notifiers", notifiers.notifiers)
    session = make_session(date=days_from_today(3))
    person = invitee("")
    make_attendance(session, person)

    send_reminders(3)
    send_reminders(3)

    assert not mail.outbox  # no address: email cannot reach them
    assert [code for code, _subject in delivered] == [person.code]
    assert list(Reminder.objects.values_list("channel", flat=True)) == ["pager"]
