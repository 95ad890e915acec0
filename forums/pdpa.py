"""The forums' personal data, registered with agencies.pdpa (export, erasure, retention, last forum)."""

from django.db.models import OuterRef, Q

from agencies import pdpa
from forums import summaries
from forums.models import Attendance, CalendarFeed, ForumSession, PersonReach, Reminder


def export(person) -> dict[str, list[dict]]:
    return {
        "attendance": [
            {
                "session": a.session.code,
                "date": a.session.date,
                "invited": a.invited,
                "reply": a.reply,
                "reply_reason": a.reply_reason,
                "status": a.status,
                "representative": a.representative.code if a.representative else "",
                "checked_in_at": a.checked_in_at,
                "role": a.role,
                "organization": a.organization.code,
            }
            for a in Attendance.objects.filter(person=person)
            .select_related("session", "representative", "organization")
            .order_by("session__date", "session__code")
        ],
        # Sessions where this person stood in for an invitee.
        "representative": [
            {
                "session": a.session.code,
                "date": a.session.date,
                "stood_in_for": a.person.code,
                "organization": a.organization.code,
            }
            for a in Attendance.objects.filter(representative=person)
            .select_related("session", "person", "organization")
            .order_by("session__date", "session__code")
        ],
        "note_taker": [
            {"session": s.code, "date": s.date}
            for s in ForumSession.objects.filter(note_taker=person).order_by("date", "code")
        ],
        "reminders": [
            {"session": r.session.code, "sent_at": r.sent_at}
            for r in Reminder.objects.filter(person=person).select_related("session").order_by("sent_at")
        ],
        # The secret token itself is left out: an export travels by email and USB sticks.
        "calendar_feeds": [
            {"created_at": f.created_at, "revoked_at": f.revoked_at}
            for f in CalendarFeed.objects.filter(person=person).order_by("created_at")
        ],
    }


def erase(person_ids, now) -> None:
    """Attendance rows stay (every figure counts them); what would keep reaching the person goes, and so does the
    free text they wrote when declining (it may name them or their reasons), in the history too."""
    Attendance.objects.filter(person_id__in=person_ids).exclude(reply_reason="").update(reply_reason="")
    Attendance.history.filter(person_id__in=person_ids).exclude(reply_reason="").update(reply_reason="")
    CalendarFeed.objects.filter(person_id__in=person_ids).delete()
    Reminder.objects.filter(person_id__in=person_ids).delete()
    # Cached pages (the dashboard's drill-downs) show names, and the anonymization is a bulk update that no
    # model signal reports: every cached figure and page goes.
    summaries.data_changed()


def expired_records(cutoff):
    return {
        "reminders": Reminder.objects.filter(sent_at__lt=cutoff),
        # A revoked address answers 404 with or without its row; the row only says the person once had one.
        "calendar_feeds": CalendarFeed.objects.filter(
            Q(revoked_at__isnull=False) | Q(person__is_active=False, created_at__lt=cutoff)
        ),
    }


def forum_activity():
    return [
        (Attendance.objects.filter(person=OuterRef("pk")), "session__date"),
        (Attendance.objects.filter(representative=OuterRef("pk")), "session__date"),
        (ForumSession.objects.filter(note_taker=OuterRef("pk")), "date"),
    ]


pdpa.register(
    pdpa.PersonalDataHolder(
        app_label="forums",
        # PersonReach holds counts only (no personal detail) and stays with the attendance it counts.
        models=(Attendance, ForumSession, Reminder, CalendarFeed, PersonReach),
        export=export,
        erase=erase,
        expired_records=expired_records,
        forum_activity=forum_activity,
    )
)
