"""Access follows permissions, not role names: granting one permission to a coordinator opens exactly that."""

import pytest
from django.contrib.auth.models import Permission

from tests.factories import make_person, make_session, make_user

pytestmark = pytest.mark.django_db


def grant(user, codename):
    user.user_permissions.add(Permission.objects.get(codename=codename))


@pytest.fixture
def coordinator_user():
    return make_user("coordinator")


def test_view_personal_data_unmasks_the_phone(client, coordinator_user):
    person = make_person(phone="081-234-5678")
    client.force_login(coordinator_user)
    assert "08x-xxx-5678" in client.get(f"/people/{person.code}/").content.decode()
    grant(coordinator_user, "view_personal_data")
    assert "081-234-5678" in client.get(f"/people/{person.code}/").content.decode()


@pytest.mark.parametrize(
    ("codename", "path"),
    [("export_person", "export.json"), ("export_person", "export.csv"), ("erase_person", "anonymize/")],
)
def test_export_and_erasure_follow_their_own_permission(client, coordinator_user, codename, path):
    person = make_person()
    client.force_login(coordinator_user)
    assert client.get(f"/people/{person.code}/{path}").status_code == 403
    grant(coordinator_user, codename)
    assert client.get(f"/people/{person.code}/{path}").status_code == 200


def test_change_any_session_lifts_the_coordinator_scope(client):
    coordinator = make_user("coordinator", scope_agencies=("WU",))
    session = make_session()  # organized by CDD, outside the scope
    client.force_login(coordinator)
    assert client.get(f"/forums/{session.code}/edit/").status_code == 404
    grant(coordinator, "change_any_forumsession")
    assert client.get(f"/forums/{session.code}/edit/").status_code == 200
