from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = _("Attendance consistency")

    def ready(self):
        from django.db.models.signals import post_delete, post_save, pre_save

        from agencies.models import Organization, Person, Tambon
        from forums.models import ForumSession

        # Attendance writes bump the data version in forums.summaries.refresh. A session's date, circle, tambon
        # or status, who is the chair, which agencies are partners and a tambon's phase (and name, in the
        # filter form) change figures without touching attendance, from any path (forms, admin, shell): the
        # cached figures must not outlive them either.
        for model in (ForumSession, Person, Organization, Tambon):
            label = model._meta.label_lower
            post_save.connect(_data_changed, sender=model, dispatch_uid=f"analytics.version.save.{label}")
            post_delete.connect(_data_changed, sender=model, dispatch_uid=f"analytics.version.delete.{label}")
        # The monthly figures (analytics.rollup): a saved session marks itself, for its month as it is now, and
        # so do the sessions of a person who becomes or stops being the chair (forums/apps.py); the month a
        # session leaves, a deleted session's month, and every month when the partners change are marked here.
        pre_save.connect(_session_moving, sender=ForumSession, dispatch_uid="analytics.rollup.session.save")
        post_delete.connect(
            _session_deleted, sender=ForumSession, dispatch_uid="analytics.rollup.session.delete"
        )
        # A tambon's phase decides which row of the phases table its sessions count in: any change of it.
        pre_save.connect(_phase_changing, sender=Tambon, dispatch_uid="analytics.rollup.tambon.phase")
        for model, field, value in (
            (Person, "is_chair", True),
            (Organization, "kind", Organization.Kind.AGENCY),
        ):
            label = model._meta.label_lower
            receiver = _becoming_or_leaving(field, value)
            pre_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"analytics.rollup.{label}")
            post_delete.connect(
                receiver, sender=model, weak=False, dispatch_uid=f"analytics.rollup.delete.{label}"
            )


def _data_changed(sender, **kwargs):
    from forums import summaries

    summaries.data_changed()


def _session_moving(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None:
        return
    if update_fields is not None and not {"date", "circle"} & set(update_fields):
        return  # the same month and circle: the session's own mark covers it
    from analytics import rollup

    before = sender.objects.filter(pk=instance.pk).values_list("circle", "date").first()
    if before and before != (instance.circle, instance.date):
        rollup.mark_stale(*before)


def _phase_changing(sender, instance, raw=False, **kwargs):
    if raw:
        return
    before = sender.objects.filter(pk=instance.pk).values_list("phase", flat=True).first()
    if (before or "") != (instance.phase or ""):
        _every_month(sender)


def _session_deleted(sender, instance, **kwargs):
    from analytics import rollup

    rollup.mark_stale(instance.circle, instance.date)


def _becoming_or_leaving(field: str, value):
    """A receiver of pre_save and post_delete that marks every month when a row takes or loses this value
    (an organization becomes or stops being a partner agency): one query for a row saved again."""
    from django.db.models.signals import post_delete

    def receiver(sender, instance, raw=False, **kwargs):
        if raw:
            return
        now = getattr(instance, field) == value
        if instance.pk is None or kwargs["signal"] is post_delete:  # new, or gone
            changed = now
        else:
            before = sender.objects.filter(pk=instance.pk).values_list(field, flat=True).first()
            changed = before is not None and (before == value) != now
        if changed:
            _every_month(sender)

    return receiver


def _every_month(sender, **kwargs):
    from analytics import rollup

    rollup.mark_stale()
