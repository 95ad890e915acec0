import datetime as dt

import pytest
from bs4 import BeautifulSoup
from django.contrib import admin

from agencies.models import Organization, Person, Tambon
from tests.factories import make_person

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_every_admin_changelist_opens_in_thai(admin_client_portal, model):
    if model._meta.app_label == "agencies":
        make_person()
    opts = model._meta
    changelist = admin_client_portal.get(f"/admin/{opts.app_label}/{opts.model_name}/", {"q": "ทดสอบ"})
    if changelist.status_code == 403:
        # Administrators manage accounts but groups only by reading them; the table in roles.py says which.
        assert opts.label in {"auth.Group"}
        return
    assert changelist.status_code == 200
    assert BeautifulSoup(changelist.content, "html.parser").html["lang"] == "th"


def test_admin_reads_buddhist_era_dates_and_never_stores_a_buddhist_year(admin_client_portal):
    response = admin_client_portal.post(
        "/admin/agencies/tambon/800106/change/",
        {"code": "800106", "district": "8001", "name_th": "ท่าไร่", "name_en": "Tha Rai", "phase": "pilot",
         "joined_on": "15/06/2549"},
    )  # fmt: skip
    assert response.status_code == 302, BeautifulSoup(response.content, "html.parser").select(".errorlist")
    assert Tambon.objects.get(code="800106").joined_on == dt.date(2006, 6, 15)
    form = BeautifulSoup(
        admin_client_portal.get("/admin/agencies/tambon/800106/change/").content, "html.parser"
    )
    assert form.select_one("input[name=joined_on]")["value"] == "15/06/2549"


def test_admin_warns_when_a_saved_person_may_be_a_duplicate(admin_client_portal):
    make_person("CDD", first_name="วีระ", last_name="ขุนทอง")
    response = admin_client_portal.post(
        "/admin/agencies/person/add/",
        {"code": "D2", "title": "นาย", "first_name": "วีระ", "last_name": "ขุนทอง", "role": "eua",
         "organization": Organization.objects.get(code="CDD").pk, "is_active": "on"},
        follow=True,
    )  # fmt: skip
    assert Person.objects.filter(code="D2").exists()
    warnings = BeautifulSoup(response.content, "html.parser").select(".messagelist .warning")
    assert warnings and "D2" not in warnings[0].text and Person.objects.get(code="D2").possible_duplicates()
