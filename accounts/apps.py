from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Portal accounts")

    def ready(self):
        from accounts.roles import sync_role_permissions

        # Runs after every migrate, once every app's permissions exist, so a role keeps exactly the
        # permissions its table in roles.py gives it as apps add models.
        post_migrate.connect(sync_role_permissions, dispatch_uid="accounts.sync_role_permissions")
