"""Django's model backend, reading a user's permissions in one query instead of two.

`ModelBackend` reads the permissions given to the account and those of its groups with a query each; every
request that checks a permission pays both (the check-in's sync request among them). Here both come from one
query, built once (core.compiled: building it cost more than running it); the rules are Django's own: inactive
and anonymous users have none, a superuser has every permission, object permissions are not handled by this
backend.
"""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from core.compiled import CompiledQuery


def _permissions_of(user_id):
    own = Permission.user_set.through.objects.filter(user_id=user_id).values("permission_id")
    grouped = Group.permissions.through.objects.filter(group__user=user_id).values("permission_id")
    return Permission.objects.filter(Q(pk__in=own) | Q(pk__in=grouped)).values_list(
        "content_type__app_label", "codename"
    )


PERMISSIONS = CompiledQuery(_permissions_of, arity=1)


class PermissionBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                return super().get_all_permissions(user_obj, obj)
            rows = PERMISSIONS.rows(user_obj.pk, using=Permission.objects.db)
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in rows}
        return user_obj._perm_cache
