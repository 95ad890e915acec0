"""Partner API tokens: one per partner system of an agency, issued and revoked by administrators in the admin.

Only a SHA-256 hash of a token is stored. The token itself is shown once, when it is issued; a lost token is
revoked and a new one issued. A token reaches only its agency's sessions (those it organizes).
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Organization

TOKEN_PREFIX = "kmp_"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def live(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    organization = models.ForeignKey(
        Organization,
        models.PROTECT,
        related_name="api_tokens",
        limit_choices_to={"kind": Organization.Kind.AGENCY},
        verbose_name=_("agency"),
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("Which system uses it, e.g. “CDD attendance app”.")
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    # The first characters, so that an administrator can tell tokens apart without the token itself.
    hint = models.CharField(_("starts with"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("issued by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["organization__sort_order", "-created_at"]
        verbose_name = _("partner API token")
        verbose_name_plural = _("partner API tokens")

    def __str__(self):
        return f"{self.organization.code} – {self.name} ({self.hint}…)"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None

    def set_new_token(self) -> str:
        """Gives the row a fresh token and returns it: the only moment the token is known."""
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.token_hash = hash_token(raw)
        self.hint = raw[: len(TOKEN_PREFIX) + 4]
        return raw

    @classmethod
    def issue(cls, organization, name: str, user=None) -> tuple["ApiToken", str]:
        token = cls(organization=organization, name=name, created_by=user)
        raw = token.set_new_token()
        token.full_clean()
        token.save()
        return token, raw

    def revoke(self):
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])

    @classmethod
    def authenticate(cls, raw: str):
        """The live token with this value, or None."""
        if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
            return None
        token = cls.objects.live().select_related("organization").filter(token_hash=hash_token(raw)).first()
        if token is not None:
            cls.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token
