import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import SESSION_KEY

from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_login_page_is_thai_by_default(client):
    response = client.get("/accounts/login/")
    page = BeautifulSoup(response.content, "html.parser")
    assert page.html["lang"] == "th"
    assert page.select_one("h1").text.strip() == "เข้าสู่ระบบพอร์ทัลการจัดการความรู้"


def test_login_with_the_right_password_goes_home(client):
    user = make_user("coordinator")
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session[SESSION_KEY] == str(user.pk)


def test_login_with_a_wrong_password_shows_an_error_in_thai(client):
    user = make_user("coordinator")
    response = client.post("/accounts/login/", {"username": user.username, "password": "wrong"})
    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    errors = BeautifulSoup(response.content, "html.parser").select(".alert-danger, .invalid-feedback")
    assert errors and "ชื่อผู้ใช้" in errors[0].text


def test_logout_needs_post(client):
    client.force_login(make_user("coordinator"))
    assert client.get("/accounts/logout/").status_code == 405
    assert SESSION_KEY in client.session
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert SESSION_KEY not in client.session


def test_password_change_keeps_the_user_logged_in(client):
    user = make_user("facilitator")
    client.force_login(user)
    new_password = "another-long-password-2550"
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/password/done/"
    user.refresh_from_db()
    assert user.check_password(new_password)
    assert client.get("/").status_code == 200


def test_language_switch_shows_english_and_back(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    page = BeautifulSoup(client.get("/accounts/login/").content, "html.parser")
    assert page.html["lang"] == "en"
    assert page.select_one("h1").text.strip() == "Log in to the KM Portal"
    client.post("/i18n/setlang/", {"language": "th", "next": "/accounts/login/"})
    page = BeautifulSoup(client.get("/accounts/login/").content, "html.parser")
    assert page.html["lang"] == "th"
