from django.db import models
from django.utils.translation import gettext_lazy as _


class Dashboard(models.Model):
    """Carries the permission to read the dashboard and its exports; its table stays empty.

    It has a real table (not managed = False) so that `dumpdata` and `loaddata` of the whole database work: Django
    serializes every model it knows, and a model without a table made them fail.
    """

    class Meta:
        default_permissions = ()
        permissions = [("view_dashboard", _("Can read the attendance dashboard and its exports"))]

    def __str__(self):
        return str(self._meta.verbose_name)
