import datetime as dt

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from core.thaidates import format_date
from forums.models import Attendance, ForumSession, Reminder


class Command(BaseCommand):
    help = (
        "Emails invitees about the forum sessions N days ahead; never twice for the same session and person."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=3, help="How many days ahead (default 3).")

    def handle(self, *args, days: int, **options):
        target = timezone.localdate() + dt.timedelta(days=days)
        invitations = (
            Attendance.objects.filter(
                invited=True,
                session__date=target,
                session__status=ForumSession.Status.PLANNED,
                person__is_active=True,
            )
            .exclude(person__email="")
            .exclude(reply=Attendance.Reply.DECLINED)
            .exclude(Exists(Reminder.objects.filter(session=OuterRef("session"), person=OuterRef("person"))))
            .select_related("session", "session__tambon", "person")
        )
        sent = skipped = failed = 0
        connection = get_connection()
        for invitation in invitations:
            session, person = invitation.session, invitation.person
            try:
                # The record is written first and the mail sent inside the same transaction: if sending fails
                # the record goes too, and a second run at the same time cannot send the same reminder.
                with transaction.atomic():
                    Reminder.objects.create(session=session, person=person)
                    EmailMessage(
                        subject=f"แจ้งเตือนเวทีแลกเปลี่ยนเรียนรู้ {format_date(session.date, 'long')}: {session.title}",
                        body=_body(session, person),
                        from_email=settings.DEFAULT_FROM_EMAIL,
                        to=[person.email],
                        connection=connection,
                    ).send()
            except IntegrityError:
                skipped += 1
                continue
            except OSError as exc:  # smtplib's errors are OSErrors too
                # One refused address or a dropped connection must not stop the other reminders; the record
                # went with the rolled-back transaction, so the next run tries this one again.
                failed += 1
                self.stderr.write(f"{session.code} → {person.email}: {exc}")
                continue
            sent += 1
        self.stdout.write(f"{sent} reminder(s) sent for {target.isoformat()}; {skipped} already sent.")
        if failed:
            raise CommandError(f"{failed} reminder(s) could not be sent; the next run will try them again.")


def _body(session, person) -> str:
    when = format_date(session.date, "long")
    if session.start:
        when += f" เวลา {session.start:%H:%M} น."
    place = session.venue or (str(session.tambon) if session.tambon else "")
    return (
        f"เรียน {person.full_name}\n\n"
        f"ขอเรียนเชิญเข้าร่วม {session.title} ({session.get_circle_display()})\n"
        f"วันที่ {when}\n"
        f"สถานที่ {place}\n\n"
        f"Reminder: {session.title}, {session.date.isoformat()}"
        f"{' ' + session.start.strftime('%H:%M') if session.start else ''}.\n"
    )
