import pytest
from axes.models import AccessAttempt
from bs4 import BeautifulSoup
from django.contrib.auth import SESSION_KEY
from django.test import Client

from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def fail(client, username, times, address="10.0.0.1"):
    for _ in range(times):
        response = client.post(
            "/accounts/login/", {"username": username, "password": "wrong"}, REMOTE_ADDR=address
        )
    return response


def test_five_failures_lock_that_username_from_that_address_with_a_thai_message():
    user = make_user("coordinator")
    client = Client()
    fail(client, user.username, 5)
    response = client.post(
        "/accounts/login/", {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )
    assert response.status_code == 429
    message = BeautifulSoup(response.content, "html.parser").select_one("#locked-out").text
    assert "15" in message and "นาที" in message
    assert SESSION_KEY not in client.session


def test_four_failures_do_not_lock():
    user = make_user("coordinator")
    client = Client()
    fail(client, user.username, 4)
    response = client.post(
        "/accounts/login/", {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )
    assert response.status_code == 302


def test_a_shared_office_address_is_not_locked_for_everyone():
    victim, colleague = make_user("coordinator"), make_user("facilitator")
    fail(Client(), victim.username, 6)
    # A colleague behind the same provincial office address still logs in…
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": colleague.username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )
    assert response.status_code == 302
    # …and so does the locked user from another address.
    response = Client().post(
        "/accounts/login/", {"username": victim.username, "password": PASSWORD}, REMOTE_ADDR="10.9.9.9"
    )
    assert response.status_code == 302


def test_failed_logins_are_visible_to_administrators(client):
    user = make_user("coordinator")
    fail(Client(), user.username, 2)
    assert AccessAttempt.objects.get(username=user.username).failures_since_start == 2
    client.force_login(make_user("administrator", is_staff=True))
    page = BeautifulSoup(client.get("/admin/axes/accessattempt/").content, "html.parser")
    assert user.username in page.select_one("#result_list").text
    client.force_login(make_user("coordinator"))
    assert client.get("/admin/axes/accessattempt/").status_code == 302  # not staff: to the admin login
