from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = _("Agencies, geography and people")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from agencies.models import District, Organization, Person, Tambon

        # What pages cache from these tables (agencies/cache.py) must not outlive a change made from any path
        # that sends signals: forms, the admin, the shell.
        for model in (District, Tambon, Organization, Person):
            label = model._meta.label_lower
            post_save.connect(_changed, sender=model, dispatch_uid=f"agencies.version.save.{label}")
            post_delete.connect(_changed, sender=model, dispatch_uid=f"agencies.version.delete.{label}")


def _changed(sender, **kwargs):
    from agencies import cache

    cache.changed()
