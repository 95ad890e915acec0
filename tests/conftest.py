import pytest

from accounts import roles
from tests.factories import make_user


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
