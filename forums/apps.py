from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumsConfig(AppConfig):
    name = "forums"
    verbose_name = _("Forums and attendance")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from forums.models import Attendance

        # Single-row writes (the admin, one delete) keep the turnout in step; bulk paths refresh it themselves.
        post_save.connect(_refresh_turnout, sender=Attendance, dispatch_uid="forums.turnout.save")
        post_delete.connect(_refresh_turnout, sender=Attendance, dispatch_uid="forums.turnout.delete")


def _refresh_turnout(sender, instance, raw=False, **kwargs):
    from forums import summaries

    if raw:
        # loaddata writes the turnout rows themselves; a refresh here would add them twice.
        return

    summaries.refresh([instance.session_id])
