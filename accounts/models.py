from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Organization, Tambon


class CoordinatorScope(models.Model):
    """What a coordinator may change: sessions organized by these agencies or held in these tambons."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="coordinator_scope", verbose_name=_("account")
    )
    agencies = models.ManyToManyField(
        Organization,
        blank=True,
        related_name="+",
        limit_choices_to={"kind__in": ("agency", "province")},
        verbose_name=_("agencies"),
    )
    tambons = models.ManyToManyField(Tambon, blank=True, related_name="+", verbose_name=_("tambons"))

    class Meta:
        verbose_name = _("coordinator scope")
        verbose_name_plural = _("coordinator scopes")

    def __str__(self):
        return str(self.user)

    def sessions_filter(self) -> Q:
        return Q(organizer__in=self.agencies.all()) | Q(tambon__in=self.tambons.all())
