from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumsConfig(AppConfig):
    # No signal keeps the turnout: every write in forums.services refreshes it explicitly, the admin included.
    name = "forums"
    verbose_name = _("Forums and attendance")

    def ready(self):
        from forums import pdpa  # noqa: F401  (registers the forums' personal data with agencies.pdpa)
