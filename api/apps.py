from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    default_auto_field = "django.db.models.AutoField"
    name = "api"
    verbose_name = _("Open data and partner API")

    def ready(self):
        from api import pdpa  # noqa: F401  (registers the partner tokens' personal data with agencies.pdpa)
