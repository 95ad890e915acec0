"""Reminders to invitees, and the channels that carry them.

A reminder is composed once (`compose`: subject, plain text, HTML, calendar file, personal link, in the invitee's
language) and handed to each notifier that can reach the person. Email is the channel built in; another one (SMS, a
LINE official account) is a class with `channel`, `can_reach(person)` and `send(reminder)` added to `notifiers()`.
Each channel keeps its own Reminder record, so adding one does not count as already sent.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from core.thaidates import format_date
from forums.calendar_feed import build_invitation
from forums.codes import invitation_code


def personal_link(attendance) -> str:
    """The absolute address of the invitee's reply page (PORTAL_BASE_URL + /i/<code>/)."""
    path = reverse("public:invitee_reply", kwargs={"code": invitation_code(attendance)})
    return f"{settings.PORTAL_BASE_URL}{path}"


def when_text(session) -> str:
    """'24 พฤศจิกายน 2569 เวลา 09:30 น.' in Thai, '24 Nov 2569 BE at 09:30' in English (the active language)."""
    text = format_date(session.date, "long")
    if session.start:
        text += " " + _("at %(time)s") % {"time": f"{session.start:%H:%M}"}
        if translation.get_language().startswith("th"):
            text += " น."
    return text


@dataclass
class ComposedReminder:
    attendance: object
    kind: str
    subject: str
    text: str
    html: str
    ics: bytes
    link: str

    @property
    def person(self):
        return self.attendance.person

    @property
    def session(self):
        return self.attendance.session


def compose(attendance, kind: str) -> ComposedReminder:
    """The reminder of one invitation, written in the invitee's preferred language."""
    session, person = attendance.session, attendance.person
    with translation.override(person.preferred_language or "th"):
        link = personal_link(attendance)
        context = {
            "person": person,
            "session": session,
            "when": when_text(session),
            "place": session.venue or (str(session.tambon) if session.tambon_id else ""),
            "link": link,
            "circle": session.get_circle_display(),
        }
        subject = _("Forum reminder %(date)s: %(title)s") % {
            "date": format_date(session.date, "long"),
            "title": session.title,
        }
        text = render_to_string("forums/email/reminder.txt", context)
        html = render_to_string("forums/email/reminder.html", context)
        description = f"{session.agenda}\n\n{link}".strip()
    ics = build_invitation(
        session,
        organizer_email=settings.DEFAULT_FROM_EMAIL,
        attendee_email=person.email,
        description=description,
    )
    return ComposedReminder(attendance, kind, " ".join(subject.split()), text, html, ics, link)


class Notifier(Protocol):
    channel: str

    def can_reach(self, person) -> bool: ...

    def send(self, reminder: ComposedReminder) -> None:
        """Delivers or raises OSError (the command then keeps no record, and the next run tries again)."""


class EmailNotifier:
    channel = "email"

    def __init__(self, connection=None):
        self.connection = connection or get_connection()

    def can_reach(self, person) -> bool:
        return bool(person.email)

    def send(self, reminder: ComposedReminder) -> None:
        message = EmailMultiAlternatives(
            subject=reminder.subject,
            body=reminder.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[reminder.person.email],
            connection=self.connection,
        )
        message.attach_alternative(reminder.html, "text/html")
        # METHOD=REQUEST in the content type is what makes mail programs show "add to calendar".
        message.attach(
            f"{reminder.session.code}.ics", reminder.ics, "text/calendar; method=REQUEST; charset=utf-8"
        )
        message.send()


def notifiers() -> list[Notifier]:
    return [EmailNotifier()]


def kind_for_days(days: int) -> str:
    return f"{days}d"


def target_date(today: dt.date, days: int) -> dt.date:
    return today + dt.timedelta(days=days)


def line_message(session, attendance=None) -> str:
    """A short Thai message for coordinators to paste into LINE (copied in the browser; no call to LINE). With an
    invitation, it carries that invitee's personal reply link; without, the circle's public calendar address."""
    with translation.override("th"):
        place = session.venue or (str(session.tambon) if session.tambon_id else "")
        lines = [f"ขอเชิญร่วม {session.title}", f"วันที่ {when_text(session)}"]
        if place:
            lines.append(f"สถานที่ {place}")
        if attendance is not None:
            lines.append(f"ตอบรับหรือแจ้งไม่เข้าร่วม: {personal_link(attendance)}")
        else:
            path = reverse("public:circle_feed", kwargs={"code": session.circle})
            lines.append("ผู้ได้รับเชิญตอบรับได้ทางลิงก์ส่วนตัวในอีเมลแจ้งเตือน")
            lines.append(f"ปฏิทินของวง: {settings.PORTAL_BASE_URL}{path}")
        return "\n".join(lines)
