from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CoordinatorScope(models.Model):
    """What a coordinator may change: sessions organized by these agencies or held in these tambons.

    What the scope covers is decided in forums/access.py alone. The agencies and tambons are named by lazy
    reference ("agencies.Organization"): accounts sits below agencies and imports nothing of it.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="coordinator_scope", verbose_name=_("account")
    )
    agencies = models.ManyToManyField(
        "agencies.Organization",
        blank=True,
        related_name="+",
        limit_choices_to={"kind__in": ("agency", "province")},
        verbose_name=_("agencies"),
    )
    tambons = models.ManyToManyField(
        "agencies.Tambon", blank=True, related_name="+", verbose_name=_("tambons")
    )

    class Meta:
        verbose_name = _("coordinator scope")
        verbose_name_plural = _("coordinator scopes")

    def __str__(self):
        return str(self.user)
