import argparse

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from forums.models import Attendance, ForumSession, Reminder
from forums.notifiers import compose, kind_for_days, notifiers, target_date


def non_negative(value: str) -> int:
    try:
        days = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of days") from None
    if days < 0:
        raise argparse.ArgumentTypeError("--days cannot be negative: reminders are for sessions ahead")
    return days


class Command(BaseCommand):
    help = (
        "Sends invitees a reminder (HTML and plain text in their language, with their personal reply link and a "
        "calendar file) about the planned forum sessions N days ahead; never twice for the same session, person "
        "and kind (N days ahead)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=non_negative, default=3, help="How many days ahead (default 3).")

    def handle(self, *args, days: int, **options):
        target = target_date(timezone.localdate(), days)
        kind = kind_for_days(days)
        sent = skipped = failed = 0
        for notifier in notifiers():
            invitations = (
                Attendance.objects.filter(
                    invited=True,
                    session__date=target,
                    session__status=ForumSession.Status.PLANNED,
                    person__is_active=True,
                )
                .exclude(reply=Attendance.Reply.DECLINED)
                .exclude(
                    Exists(
                        Reminder.objects.filter(
                            session=OuterRef("session"),
                            person=OuterRef("person"),
                            kind=kind,
                            channel=notifier.channel,
                        )
                    )
                )
                .select_related("session", "session__tambon", "person")
            )
            for invitation in invitations:
                session, person = invitation.session, invitation.person
                if not notifier.can_reach(person):
                    continue
                try:
                    # The record is written first and the message sent inside the same transaction: if sending
                    # fails the record goes too, and a second run at the same time cannot send it again.
                    with transaction.atomic():
                        Reminder.objects.create(
                            session=session, person=person, kind=kind, channel=notifier.channel
                        )
                        notifier.send(compose(invitation, kind))
                except IntegrityError:
                    skipped += 1
                    continue
                except OSError as exc:  # smtplib's errors are OSErrors too
                    # One refused address or a dropped connection must not stop the other reminders; the
                    # record went with the rolled-back transaction, so the next run tries this one again.
                    failed += 1
                    self.stderr.write(f"{session.code} → {notifier.channel} {person.code}: {exc}")
                    continue
                sent += 1
        self.stdout.write(f"{sent} reminder(s) sent for {target.isoformat()}; {skipped} already sent.")
        if failed:
            raise CommandError(f"{failed} reminder(s) could not be sent; the next run will try them again.")
