from django.apps import AppConfig


class KmportalConfig(AppConfig):
    name = "kmportal"
    verbose_name = "kmportal"
