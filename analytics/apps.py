from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = _("Attendance consistency")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from agencies.models import Organization, Person
        from forums.models import ForumSession

        # Attendance writes bump the data version in forums.summaries.refresh. A session's date, circle, tambon
        # or status, who is the chair and which agencies are partners change figures without touching
        # attendance, from any path (forms, admin, shell): the cached figures must not outlive them either.
        for model in (ForumSession, Person, Organization):
            label = model._meta.label_lower
            post_save.connect(_data_changed, sender=model, dispatch_uid=f"analytics.version.save.{label}")
            post_delete.connect(_data_changed, sender=model, dispatch_uid=f"analytics.version.delete.{label}")


def _data_changed(sender, **kwargs):
    from forums import summaries

    summaries.data_changed()
