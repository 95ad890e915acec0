from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumsConfig(AppConfig):
    # No signal keeps the turnout: every write in forums.services refreshes it explicitly, the admin included.
    # The people reached are recounted lazily (forums.summaries.refresh_reach); a session saved or deleted by any
    # path (forms, admin, shell) tells it so through the signals below.
    name = "forums"
    verbose_name = _("Forums and attendance")

    def ready(self):
        from django.db.models.signals import post_delete, post_save, pre_delete

        from forums import pdpa  # noqa: F401  (registers the forums' personal data with agencies.pdpa)
        from forums.models import ForumSession

        post_save.connect(_session_saved, sender=ForumSession, dispatch_uid="forums.reach.save")
        pre_delete.connect(_session_deleting, sender=ForumSession, dispatch_uid="forums.reach.pre_delete")
        post_delete.connect(_session_deleted, sender=ForumSession, dispatch_uid="forums.reach.post_delete")


def _session_saved(sender, instance, raw=False, **kwargs):
    # Its date, circle, tambon or status may have changed: whom it counts as reached, and where.
    if not raw:
        from forums import summaries

        summaries.mark_reach_stale([instance.pk])


def _session_deleting(sender, instance, **kwargs):
    from forums import summaries

    instance._reach_people = summaries.session_people(instance.pk)


def _session_deleted(sender, instance, **kwargs):
    from forums import summaries

    people = getattr(instance, "_reach_people", None)
    if people:
        summaries.recount_reach(people)
