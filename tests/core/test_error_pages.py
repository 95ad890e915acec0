"""The error pages are the portal's own: Thai first, English when chosen, with the navigation, also with DEBUG off."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.decorators import login_not_required
from django.test import override_settings
from django.urls import path

from kmportal.urls import urlpatterns as portal_urlpatterns


@login_not_required
def _fail(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [*portal_urlpatterns, path("boom/", _fail)]


def _page(response):
    return BeautifulSoup(response.content, "html.parser")


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_404_is_a_thai_page_with_the_navigation(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = _page(response)
    assert page.html["lang"] == "th"
    assert page.select_one("nav.navbar") is not None
    assert page.h1.get_text(strip=True) == "ไม่พบหน้านี้"


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_404_follows_the_language_switch(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = _page(client.get("/no-such-page/"))
    assert page.html["lang"] == "en"
    assert page.h1.get_text(strip=True) == "This page does not exist"


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_403_is_a_thai_page_for_a_logged_in_user(client, governor_office):
    client.force_login(governor_office)
    response = client.get("/forums/new/")
    assert response.status_code == 403
    page = _page(response)
    assert page.h1.get_text(strip=True) == "บัญชีของคุณเปิดหน้านี้ไม่ได้"
    assert page.select_one("#nav-menu") is not None


@pytest.mark.django_db
@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_500_is_a_thai_page(client):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    page = _page(response)
    assert page.h1.get_text(strip=True) == "ระบบขัดข้อง"
    assert page.select_one("nav.navbar") is not None


@pytest.mark.django_db
def test_favicon_answers_without_login(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
