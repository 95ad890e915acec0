"""Forum sessions (เวทีแลกเปลี่ยนเรียนรู้), who was invited and who came."""

import secrets

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agencies.models import KmRole, Organization, Person, Tambon
from core.choices import ChoiceLabels
from core.fields import BuddhistDateField


class Circle(models.TextChoices):
    EUA = "eua", _("Khun Eua circle")
    EUA_AMNUAY = "eua_amnuay", _("Khun Eua and Khun Amnuay circle")
    ALL = "all", _("Three-party circle")


class SessionQuerySet(models.QuerySet):
    def held(self):
        return self.filter(status=ForumSession.Status.HELD)


class ForumSession(ChoiceLabels, models.Model):
    class Format(models.TextChoices):
        FORMAL = "formal", _("Formal")
        INFORMAL = "informal", _("Informal")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    code = models.CharField(_("code"), max_length=30, unique=True)
    title = models.CharField(_("session title"), max_length=255)
    circle = models.CharField(_("circle"), max_length=12, choices=Circle.choices)
    tambon = models.ForeignKey(
        Tambon,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="forum_sessions",
        verbose_name=_("tambon"),
        help_text=_("Leave empty for a provincial session."),
    )
    date = BuddhistDateField(_("date"))
    start = models.TimeField(_("starts at"), null=True, blank=True)
    end = models.TimeField(_("ends at"), null=True, blank=True)
    venue = models.CharField(_("venue"), max_length=255, blank=True)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices, default=Format.FORMAL)
    organizer = models.ForeignKey(
        Organization,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="organized_sessions",
        limit_choices_to={"kind__in": ("agency", "province")},
        verbose_name=_("organizing agency"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes summary"), blank=True)
    note_taker = models.ForeignKey(
        Person,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("note-taker (Khun Likhit)"),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    # Kept by forums.summaries with the agency turnout, so that lists need not count attendance rows.
    invited_count = models.PositiveIntegerField(_("invited"), default=0, editable=False)
    attended_count = models.PositiveIntegerField(_("came"), default=0, editable=False)
    # The partner agencies invited, represented and there in person, per KM role, as bit masks (bit i: the
    # partner agency with the i-th smallest key): analytics reads a scope's sessions without their turnout rows.
    # Kept by forums.summaries with the turnout.
    invited_eua = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    invited_amnuay = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    invited_kit = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    represented_eua = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    represented_amnuay = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    represented_kit = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    in_person_eua = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    in_person_amnuay = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    in_person_kit = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    # Set by every write to the session or its attendance; forums.summaries.refresh_reach brings the people's
    # PersonReach rows up to date before "people reached" is counted, and clears it.
    reach_stale = models.BooleanField(default=True, db_default=True, editable=False)
    # Whether the chair (the governor) came, present or late: kept with the counts (forums.summaries), and for
    # every session of a person who becomes or stops being the chair (forums/apps.py).
    chair_attended = models.BooleanField(default=False, db_default=False, editable=False)
    # Set in the same statements; analytics.rollup recounts the monthly figures of its month (and circle) when
    # next read, and clears it.
    figures_stale = models.BooleanField(default=True, db_default=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(
        excluded_fields=[
            "updated_at", "version", "invited_count", "attended_count", "reach_stale",
            "figures_stale", "chair_attended",
            *(f"{kind}_{role}" for kind in ("invited", "represented", "in_person") for role in ("eua", "amnuay", "kit")),
        ]
    )  # fmt: skip
    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-code"]
        verbose_name = _("forum session")
        verbose_name_plural = _("forum sessions")
        # Without it, forums/access.py limits a user to the sessions of their coordinator scope.
        permissions = [
            ("change_any_forumsession", _("Can change every session, whatever the coordinator scope"))
        ]
        indexes = [
            models.Index(fields=["status", "date"]),
            models.Index(fields=["date", "code"]),
            models.Index(fields=["circle", "status", "date"]),
            # "Anything written since?" is asked before figures are read: a few rows, whatever the size.
            models.Index(
                fields=["reach_stale"], condition=Q(reach_stale=True), name="session_reach_stale_idx"
            ),
            models.Index(
                fields=["figures_stale"], condition=Q(figures_stale=True), name="session_figures_stale_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(start__isnull=True) | Q(end__gt=models.F("start")),
                name="session_ends_after_it_starts",
                violation_error_message=_("The session must end after it starts."),
            )
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def save(self, *args, **kwargs):
        # Its date, circle, tambon or status may change whom it counts as reached, and where: the people reached
        # (forums.summaries.refresh_reach) and the monthly figures (analytics.rollup) are recounted when next
        # read. Part of the same statement, whatever path saves it (forms, admin, shell).
        self.reach_stale = self.figures_stale = True
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "reach_stale", "figures_stale"}
        super().save(*args, **kwargs)


class CheckinHistoryFields(models.Model):
    """Kept on each attendance history record written by the phone check-in: the id the phone gave the change
    (so that sending it twice changes nothing) and when it was made on the phone (history_date is when it reached
    the server)."""

    client_id = models.UUIDField(_("id given on the phone"), null=True, blank=True, db_index=True)
    made_at = models.DateTimeField(_("made on the phone at"), null=True, blank=True)

    class Meta:
        abstract = True


class AttendanceQuerySet(models.QuerySet):
    def invited(self):
        return self.filter(invited=True)

    def attended(self):
        return self.filter(status__in=Attendance.ATTENDED)


class Attendance(ChoiceLabels, models.Model):
    """One person at one session: an invitation (invited) or a walk-in (not invited, present or late).

    The person's KM role and organization are copied in when the row is made, so later changes to the person do
    not rewrite who came for which agency. `version` grows with every change; a write that names an older
    version is a stale edit and is refused.
    """

    class Status(models.TextChoices):
        UNMARKED = "", _("Not yet marked")
        PRESENT = "present", _("Present")
        LATE = "late", _("Late")
        ABSENT = "absent", _("Absent")
        EXCUSED = "excused", _("Excused")
        REPRESENTED = "represented", _("Sent a representative")

    class Reply(models.TextChoices):
        NONE = "", _("No reply")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    ATTENDED = (Status.PRESENT, Status.LATE)

    session = models.ForeignKey(
        ForumSession, models.CASCADE, related_name="attendances", verbose_name=_("forum session")
    )
    person = models.ForeignKey(Person, models.PROTECT, related_name="attendances", verbose_name=_("person"))
    invited = models.BooleanField(_("invited"), default=True)
    reply = models.CharField(_("reply"), max_length=10, choices=Reply.choices, blank=True, default="")
    status = models.CharField(_("attendance"), max_length=12, choices=Status.choices, blank=True, default="")
    representative = models.ForeignKey(
        Person,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="represented_for",
        verbose_name=_("representative"),
    )
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    # Written by the invitee through the personal link (forums.services.reply_by_invitee).
    reply_reason = models.CharField(_("reason for declining"), max_length=500, blank=True)
    reply_representative = models.ForeignKey(
        Person,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("representative named in the reply"),
    )
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    role = models.CharField(_("KM role at the session"), max_length=10, choices=KmRole.choices)
    organization = models.ForeignKey(
        Organization,
        models.PROTECT,
        related_name="attendances",
        verbose_name=_("organization at the session"),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # Every mark writes a history record: its table keeps only the indexes something reads by (the row, the
    # session, the person for PDPA, the account, the phone's id; not the time: SIMPLE_HISTORY_DATE_INDEX). The
    # organization and representative copies are never looked up, and each index would be written 300 times by a
    # save-all. The account is a foreign key without a database constraint: the constraint's check ran once per
    # record at every commit (300 for a save-all, 1.2 ms); Django still sets it to NULL when the account is
    # deleted.
    history = HistoricalRecords(
        excluded_fields=["updated_at", "version"],
        bases=[CheckinHistoryFields],
        no_db_index=["organization", "representative", "reply_representative"],
        user_db_constraint=False,
    )
    objects = AttendanceQuerySet.as_manager()

    class Meta:
        ordering = ["session", "organization__sort_order", "organization__code", "person__first_name"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person"], name="one_attendance_per_session_and_person"
            ),
            models.CheckConstraint(
                condition=Q(invited=True) | Q(status__in=("present", "late")),
                name="walk_in_is_present_or_late",
                violation_error_message=_("A walk-in is present or late."),
            ),
            models.CheckConstraint(
                condition=Q(status="represented") | Q(representative__isnull=True),
                name="representative_only_when_represented",
                violation_error_message=_(
                    "A representative is named only with the status 'sent a representative'."
                ),
            ),
        ]
        indexes = [models.Index(fields=["person", "session"])]

    def __str__(self):
        return f"{self.session.code} {self.person}"

    @property
    def attended(self) -> bool:
        return self.status in self.ATTENDED


class SubmissionToken(models.Model):
    """A form's one-time token: a second submit of the same form (double tap, back and resend) finds its token
    already used and changes nothing. Kept in the database so that any app server can check it."""

    token = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("used form token")
        verbose_name_plural = _("used form tokens")

    def __str__(self):
        return self.token


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """A person's secret calendar address. Revoking it makes the address answer 404; a new one can be made."""

    person = models.ForeignKey(
        Person, models.CASCADE, related_name="calendar_feeds", verbose_name=_("person")
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_calendar_token)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(revoked_at__isnull=True),
                name="one_live_calendar_feed_per_person",
            )
        ]

    def __str__(self):
        return f"{self.person} ({self.token[:6]}…)"


class Reminder(models.Model):
    """A reminder sent to one person about one session: never twice of the same kind.

    The kind names how far ahead it was sent (``3d``), so that a reminder a week ahead and another the day before
    are two kinds, while running the same cron line twice sends nothing new. Each channel (forums.notifiers) keeps
    its own record, so a channel added later does not count as already sent."""

    session = models.ForeignKey(ForumSession, models.CASCADE, related_name="reminders")
    person = models.ForeignKey(Person, models.CASCADE, related_name="reminders")
    kind = models.CharField(_("kind"), max_length=20, default="3d")
    channel = models.CharField(_("channel"), max_length=20, default="email")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person", "kind", "channel"], name="one_reminder_per_session_person_kind"
            )
        ]

    def __str__(self):
        return f"{self.session.code} → {self.person}"


class AgencyTurnout(models.Model):
    """Attendance of one partner agency's people of one KM role at one session, kept up to date on every write
    (forums.summaries), so that the dashboard never adds up the raw attendance rows of the whole province.

    Counts follow the program's definitions: `invitations` of the agency's people, of which `attended` came
    (present or late) and `sent_representative` sent someone in their place (status represented); `walk_ins`
    came without an invitation. Whether the agency was represented at the session (Rep(s)) follows from these.
    """

    session = models.ForeignKey(ForumSession, models.CASCADE, related_name="turnouts")
    organization = models.ForeignKey(Organization, models.CASCADE, related_name="turnouts")
    role = models.CharField(max_length=10, choices=KmRole.choices)
    invitations = models.PositiveIntegerField(default=0)
    attended = models.PositiveIntegerField(default=0)
    sent_representative = models.PositiveIntegerField(default=0)
    walk_ins = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("agency turnout")
        verbose_name_plural = _("agency turnouts")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "organization", "role"], name="one_turnout_per_agency_role"
            )
        ]

    def __str__(self):
        return f"{self.session_id}/{self.organization_id}/{self.role}"


class PersonReach(models.Model):
    """How many held sessions one person came to (present or late, invited or not), per circle, KM role at the
    session and tambon of the session: the summary the dashboard's "people reached" counts distinct people in,
    instead of the attendance rows (forums.summaries.refresh_reach keeps it)."""

    person = models.ForeignKey(Person, models.CASCADE, related_name="+")
    circle = models.CharField(max_length=12, choices=Circle.choices)
    role = models.CharField(max_length=10, choices=KmRole.choices)
    tambon = models.ForeignKey(Tambon, models.CASCADE, null=True, blank=True, related_name="+")
    sessions = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("people reached")
        verbose_name_plural = _("people reached")
        indexes = [models.Index(fields=["circle", "role"])]

    def __str__(self):
        return f"{self.person_id}/{self.circle}/{self.role}/{self.tambon_id}"


class ReachMask(models.Model):
    """People reached over all time by circle and KM role, without counting them again: for each combination
    of (circle, role) pairs a person has PersonReach rows for (a bit mask, forums.summaries.reach_bit), how many
    people have exactly that combination. A scope's people reached is the sum over the masks that meet the
    scope's: a few hundred rows at most, whatever the number of people. Rewritten with PersonReach."""

    mask = models.PositiveIntegerField(unique=True)
    people = models.PositiveIntegerField()

    class Meta:
        default_permissions = ()

    def __str__(self):
        return f"{self.mask:09b}: {self.people}"
