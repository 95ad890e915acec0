from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumsConfig(AppConfig):
    # No signal keeps the turnout: every write in forums.services refreshes it explicitly, the admin included.
    # The people reached are recounted lazily (forums.summaries.refresh_reach): a saved session marks itself
    # (ForumSession.save); a session deleted by any path (admin, shell) has its people recounted by the signals
    # below.
    name = "forums"
    verbose_name = _("Forums and attendance")

    def ready(self):
        from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

        from agencies.models import Person

        # forums.pdpa registers the forums' personal data with agencies.pdpa
        from forums import page_cache, pdpa  # noqa: F401
        from forums.models import ForumSession

        page_cache.connect()

        pre_delete.connect(_session_deleting, sender=ForumSession, dispatch_uid="forums.reach.pre_delete")
        # The people reached are recounted lazily for a written session's circle and tambon only
        # (summaries.refresh_reach): a session moved to another circle or tambon has its people recounted
        # everywhere at once, from any path that saves it.
        pre_save.connect(_session_saving, sender=ForumSession, dispatch_uid="forums.reach.pre_save")
        post_save.connect(_session_saved, sender=ForumSession, dispatch_uid="forums.reach.post_save")
        post_delete.connect(_session_deleted, sender=ForumSession, dispatch_uid="forums.reach.post_delete")
        # Sessions keep whether the chair came (ForumSession.chair_attended): a person becoming or no longer
        # the chair, from any path, has their sessions' flags set again.
        pre_save.connect(_person_saving, sender=Person, dispatch_uid="forums.chair.pre_save")
        post_save.connect(_person_saved, sender=Person, dispatch_uid="forums.chair.post_save")


def _session_saving(sender, instance, raw=False, update_fields=None, **kwargs):
    instance._reach_moved = False
    if raw or instance.pk is None:
        return  # a new session has no attendance yet
    if update_fields is not None and not {"circle", "tambon", "tambon_id"} & set(update_fields):
        return
    before = sender.objects.filter(pk=instance.pk).values_list("circle", "tambon_id").first()
    instance._reach_moved = before is not None and before != (instance.circle, instance.tambon_id)


def _session_saved(sender, instance, raw=False, **kwargs):
    from forums import summaries

    if getattr(instance, "_reach_moved", False):
        summaries.recount_reach(summaries.session_people(instance.pk))


def _session_deleting(sender, instance, **kwargs):
    from forums import summaries

    instance._reach_people = summaries.session_people(instance.pk)


def _session_deleted(sender, instance, **kwargs):
    from forums import summaries

    people = getattr(instance, "_reach_people", None)
    if people:
        summaries.recount_reach(people)


def _person_saving(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return  # a new person has no attendance yet
    before = sender.objects.filter(pk=instance.pk).values_list("is_chair", flat=True).first()
    instance._chair_changed = before is not None and before != instance.is_chair


def _person_saved(sender, instance, raw=False, **kwargs):
    if getattr(instance, "_chair_changed", False):
        from forums import summaries

        instance._chair_changed = False
        summaries.chair_changed(instance.pk)
