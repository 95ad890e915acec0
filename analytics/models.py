from django.db import models
from django.utils.translation import gettext_lazy as _


class Dashboard(models.Model):
    """No table: carries the permission to read the dashboard and its exports."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_dashboard", _("Can read the attendance dashboard and its exports"))]

    def __str__(self):
        return str(self._meta.verbose_name)
