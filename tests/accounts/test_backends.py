"""The permission backend: the same permissions as Django's ModelBackend, in one query."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission

from accounts import roles
from accounts.backends import PermissionBackend
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _fresh(user):
    return type(user).objects.get(pk=user.pk)


def _django(user):
    return ModelBackend().get_all_permissions(_fresh(user))


@pytest.mark.parametrize("role", [None, *roles.ROLE_LABELS])
def test_same_permissions_as_django_in_one_query(role, django_assert_num_queries):
    user = make_user(role) if role else make_user()
    # One permission of the account's own besides those of its group.
    user.user_permissions.add(Permission.objects.get(codename="view_logentry"))
    expected = _django(user)
    assert "admin.view_logentry" in expected
    fresh = _fresh(user)
    with django_assert_num_queries(1):
        assert PermissionBackend().get_all_permissions(fresh) == expected
    with django_assert_num_queries(0):
        assert fresh.has_perm("admin.view_logentry")


def test_permissions_of_two_groups_and_none_of_others():
    user = make_user()
    first, second, other = (Group.objects.create(name=name) for name in ("g1", "g2", "g3"))
    first.permissions.add(Permission.objects.get(codename="view_group"))
    second.permissions.add(Permission.objects.get(codename="change_group"))
    other.permissions.add(Permission.objects.get(codename="delete_group"))
    user.groups.add(first, second)
    permissions = PermissionBackend().get_all_permissions(_fresh(user))
    assert permissions == {"auth.view_group", "auth.change_group"} == _django(user)


def test_inactive_anonymous_and_superuser_follow_django():
    user = make_user(roles.ADMINISTRATOR)
    user.is_active = False
    user.save()
    assert PermissionBackend().get_all_permissions(_fresh(user)) == set() == _django(user)
    superuser = make_user()
    superuser.is_superuser = True
    superuser.save()
    assert PermissionBackend().get_all_permissions(_fresh(superuser)) == _django(superuser)
    assert len(_django(superuser)) == Permission.objects.count()
    from django.contrib.auth.models import AnonymousUser

    assert PermissionBackend().get_all_permissions(AnonymousUser()) == set()
