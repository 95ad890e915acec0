"""Login attempts in the admin are shown in the Buddhist era, with a Buddhist-year filter (no Gregorian year)."""

import pytest
from axes.models import AccessAttempt, AccessLog
from bs4 import BeautifulSoup
from django.utils import timezone

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("model", "url"), [(AccessAttempt, "accessattempt"), (AccessLog, "accesslog")])
def test_login_records_show_buddhist_era_dates(admin_client_portal, model, url):
    now = timezone.now()
    extra = {"failures_since_start": 1} if model is AccessAttempt else {}
    model.objects.create(
        username="somchai", ip_address="127.0.0.1", user_agent="phone", attempt_time=now, **extra
    )
    response = admin_client_portal.get(f"/admin/axes/{url}/")
    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    table = page.select_one("#result_list").get_text(" ")
    be_year, gregorian_year = str(timezone.localdate().year + 543), str(timezone.localdate().year)
    assert be_year in table
    assert gregorian_year not in table
    year_filter = page.select_one("#changelist-filter").get_text(" ")
    assert be_year in year_filter and gregorian_year not in year_filter
    assert page.select_one(".xfull") is None  # no Gregorian date hierarchy


def test_history_pages_show_buddhist_era_dates(admin_client_portal, administrator):
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    from forums import services
    from tests.factories import make_person, make_session

    session = make_session()
    services.invite(session, [make_person()], user=administrator)
    row = session.attendances.get()
    LogEntry.objects.create(
        user=administrator,
        content_type=ContentType.objects.get_for_model(administrator),
        object_id=str(administrator.pk),
        object_repr=str(administrator),
        action_flag=CHANGE,
        change_message="[]",
    )
    be_year, gregorian_year = str(timezone.localdate().year + 543), str(timezone.localdate().year)
    for url in (
        f"/admin/forums/forumsession/{session.pk}/history/",
        f"/admin/forums/attendance/{row.pk}/history/",
        f"/admin/auth/user/{administrator.pk}/history/",
    ):
        response = admin_client_portal.get(url)
        assert response.status_code == 200, url
        table = BeautifulSoup(response.content, "html.parser").select_one("#change-history").get_text(" ")
        assert be_year in table and gregorian_year not in table, (url, table)
