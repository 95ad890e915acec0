from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "core"

    def ready(self):
        from core import prepared  # noqa: F401  (connects its connection_created receiver)
