import importlib
from types import SimpleNamespace

import pytest

from accounts import roles
from tests.factories import make_user


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: its database is rolled back, the cached figures would not be."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def coordinator(db):
    return make_user(roles.COORDINATOR)


@pytest.fixture
def governor_office(db):
    return make_user(roles.GOVERNOR_OFFICE)


@pytest.fixture
def administrator(db):
    return make_user(roles.ADMINISTRATOR, is_staff=True)


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def admin_client_portal(client, administrator):
    """A client logged in as a member of the administrator group (not a Django superuser)."""
    client.force_login(administrator)
    return client


@pytest.fixture
def reference_db(transactional_db):
    """A transactional database (for tests with threads or a live server) with the reference data that the
    migrations write: a flush after each such test empties every table, migrations' data included."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.db import connection

    reference = importlib.import_module("agencies.migrations.0002_reference_data")
    reference.load(apps, SimpleNamespace(connection=connection))
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    roles.sync_role_permissions()


@pytest.fixture(autouse=True, scope="session")
def media_root(tmp_path_factory):
    """Uploaded files (lesson photos and documents) go to a temporary folder, never the developer's var/media."""
    from django.conf import settings

    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))
    return settings.MEDIA_ROOT
