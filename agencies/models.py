"""Agencies, geography and people: who takes part in the KM program, and where."""

import unicodedata

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.choices import ChoiceLabels
from core.fields import BuddhistDateField


def clean_text(value: str) -> str:
    """Thai text as stored: NFC-normalized, trimmed, inner runs of white space folded to one space.

    NFC matters for Thai: a vowel below and a tone mark typed in either order (ก + ุ + ่ or ก + ่ + ุ) look the
    same but differ as text, and would then not match in search or duplicate checks. NFC puts them in one order.
    """
    return " ".join(unicodedata.normalize("NFC", value or "").split())


class Province(models.Model):
    code = models.CharField(_("DOPA code"), max_length=2, primary_key=True)
    name_th = models.CharField(_("Thai name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self):
        return self.name_th


class District(models.Model):
    code = models.CharField(_("DOPA code"), max_length=4, primary_key=True)
    province = models.ForeignKey(
        Province, models.PROTECT, related_name="districts", verbose_name=_("province")
    )
    name_th = models.CharField(_("Thai name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self):
        return self.name_th


class TambonQuerySet(models.QuerySet):
    def in_program(self):
        return self.exclude(phase="")

    def pilot(self):
        return self.filter(phase=Tambon.Phase.PILOT)


class Tambon(ChoiceLabels, models.Model):
    class Phase(models.TextChoices):
        NONE = "", _("Not in the program")
        PILOT = "pilot", _("Pilot")
        EXPANSION = "expansion", _("Expansion")

    code = models.CharField(_("DOPA code"), max_length=6, primary_key=True)
    district = models.ForeignKey(District, models.PROTECT, related_name="tambons", verbose_name=_("district"))
    name_th = models.CharField(_("Thai name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    phase = models.CharField(_("program phase"), max_length=10, choices=Phase.choices, blank=True, default="")
    joined_on = BuddhistDateField(_("joined the program on"), null=True, blank=True)

    objects = TambonQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("tambon")
        verbose_name_plural = _("tambons")
        constraints = [
            models.CheckConstraint(
                condition=Q(phase="") | Q(joined_on__isnull=False),
                name="tambon_in_program_has_join_date",
                violation_error_message=_("A tambon in the program needs the date it joined."),
            ),
        ]

    def __str__(self):
        return f"ต.{self.name_th}"

    @property
    def is_pilot(self) -> bool:
        return self.phase == self.Phase.PILOT


class OrganizationQuerySet(models.QuerySet):
    def partners(self):
        """The nine partner agencies, in the order of the program's table."""
        return self.filter(kind=Organization.Kind.AGENCY).order_by("sort_order", "code")

    def community(self):
        return self.exclude(kind__in=(Organization.Kind.AGENCY, Organization.Kind.PROVINCE))


class Organization(ChoiceLabels, models.Model):
    """A partner agency, the provincial administration, or a community finance organization."""

    class Kind(models.TextChoices):
        AGENCY = "agency", _("Partner agency")
        PROVINCE = "province", _("Provincial administration")
        SAVINGS_GROUP = "savings_group", _("Savings group")
        VILLAGE_FUND = "village_fund", _("Village fund")
        WELFARE_FUND = "welfare_fund", _("Community welfare fund")
        COOPERATIVE = "cooperative", _("Cooperative")
        FINANCIAL_INSTITUTION = "financial_institution", _("Community financial institution")
        OTHER = "other", _("Other community organization")

    code = models.CharField(_("code"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    abbr_th = models.CharField(_("Thai abbreviation"), max_length=30, blank=True)
    name_th = models.CharField(_("Thai name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    tambon = models.ForeignKey(
        Tambon, models.PROTECT, null=True, blank=True, related_name="organizations", verbose_name=_("tambon")
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        indexes = [
            # In the order lists use: the people list (ordered by organization first) reads the organizations in
            # this order and each one's people by their own index, stopping after one page, instead of sorting
            # every person.
            models.Index(fields=["sort_order", "code"], name="organization_order_idx"),
            # A partner agency's bit in a session's masks is its rank among the agencies
            # (forums.summaries.mask_expressions), counted for each turnout row on every write: a few index
            # entries instead of every organization of the province.
            models.Index(fields=["kind", "id"], name="organization_kind_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=("agency", "province")) | Q(tambon__isnull=False),
                name="community_organization_has_tambon",
                violation_error_message=_("A community organization belongs to a tambon."),
            ),
        ]

    def __str__(self):
        return self.abbr_th or self.name_th

    def save(self, *args, **kwargs):
        self.name_th = clean_text(self.name_th)
        self.name_en = clean_text(self.name_en)
        self.abbr_th = clean_text(self.abbr_th)
        self.code = self.code.strip()
        super().save(*args, **kwargs)

    @property
    def is_partner(self) -> bool:
        return self.kind == self.Kind.AGENCY


class KmRole(models.TextChoices):
    EUA = "eua", _("Khun Eua (executive)")
    AMNUAY = "amnuay", _("Khun Amnuay (facilitator)")
    KIT = "kit", _("Khun Kit (practitioner)")


# As many characters as the search and lookup fields take. A longer text (a page pasted into the check-in search)
# matches no name better, and would build a query deeper, or a LIKE pattern longer, than SQLite allows.
SEARCH_MAX_LENGTH = 100


class PersonQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def search(self, text: str):
        text = clean_text(text)[:SEARCH_MAX_LENGTH]
        if not text:
            return self
        query = Q()
        for word in text.split():
            query &= (
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(code__icontains=word)
                | Q(organization__abbr_th__icontains=word)
                | Q(organization__code__iexact=word)
            )
        return self.filter(query)


def full_name(title: str, first_name: str, last_name: str) -> str:
    """A person's name as the portal shows it (นายสมศักดิ์ ใจดี), also for names read as values."""
    return f"{title}{first_name} {last_name}".strip()


class Person(ChoiceLabels, models.Model):
    code = models.CharField(_("portal code"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=50, blank=True, help_text=_("e.g. นาย, นาง, นางสาว, ดร."))
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    role = models.CharField(_("KM role"), max_length=10, choices=KmRole.choices)
    organization = models.ForeignKey(
        Organization, models.PROTECT, related_name="people", verbose_name=_("organization")
    )
    tambon = models.ForeignKey(
        Tambon, models.PROTECT, null=True, blank=True, related_name="people", verbose_name=_("tambon")
    )
    position = models.CharField(_("position"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True, help_text=_("For forum reminders."))
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=5,
        choices=settings.LANGUAGES,
        default="th",
        help_text=_("The language of the reminders and reply page sent to this person."),
    )
    is_chair = models.BooleanField(
        _("chair"), default=False, help_text=_("The governor, who chairs the executives' circle.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("portal account"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Set by agencies.pdpa.anonymize: the row stays, for the attendance figures, without anything personal.
    anonymized_at = models.DateTimeField(_("anonymized at"), null=True, blank=True, editable=False)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["organization__sort_order", "organization__code", "first_name", "last_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        # PDPA duties, given to roles in accounts/roles.py; agencies/access.py asks for them.
        permissions = [
            ("view_personal_data", _("Can see a person's phone number unmasked")),
            ("export_person", _("Can export everything held about a person")),
            ("erase_person", _("Can erase a person's personal data by anonymization")),
        ]
        indexes = [
            models.Index(fields=["organization", "first_name", "last_name"]),
            # The chair is one person among tens of thousands; the metrics look him up on every report.
            models.Index(fields=["is_chair"], condition=Q(is_chair=True), name="person_chair_idx"),
            # The people list counts the active people for its pages: read from this small index alone.
            models.Index(fields=["id"], condition=Q(is_active=True), name="person_active_idx"),
            # The tambon list counts each tambon's active people.
            models.Index(fields=["tambon"], condition=Q(is_active=True), name="person_active_tambon_idx"),
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        self.normalize()
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return full_name(self.title, self.first_name, self.last_name)

    def normalize(self):
        for field in ("code", "title", "first_name", "last_name", "position", "phone"):
            setattr(self, field, clean_text(getattr(self, field)))

    def possible_duplicates(self):
        """Other people with the same name in the same organization: worth a warning, not a refusal,
        because two different people can share a name."""
        self.normalize()
        return (
            Person.objects.filter(
                organization_id=self.organization_id, first_name=self.first_name, last_name=self.last_name
            )
            .exclude(pk=self.pk)
            .order_by("code")
        )


class PersonAccessLog(models.Model):
    """Who opened a person's page, exported their data or anonymized them, and when (PDPA: accountability).

    Written by the views, one row per opening; read in the admin only, never changed there."""

    class Action(models.TextChoices):
        VIEW = "view", _("Opened the person page")
        EXPORT_JSON = "export_json", _("Exported the data (JSON)")
        EXPORT_CSV = "export_csv", _("Exported the data (CSV)")
        ANONYMIZE = "anonymize", _("Anonymized the person")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="person_access_logs",
        verbose_name=_("account"),
    )
    person = models.ForeignKey(Person, models.CASCADE, related_name="access_logs", verbose_name=_("person"))
    action = models.CharField(_("action"), max_length=12, choices=Action.choices, default=Action.VIEW)
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("person access log entry")
        verbose_name_plural = _("person access log")
        indexes = [models.Index(fields=["person", "opened_at"])]

    def __str__(self):
        return f"{self.opened_at:%Y-%m-%d %H:%M} {self.user_id} → {self.person_id}"
