"""One Buddhist-era date policy: the same parser and the same refusal on every path (session form, admin,
import), every shown date reads back as itself, and every accepted spelling means the date a Thai reader meant."""

import datetime as dt
import io

import pytest
from bs4 import BeautifulSoup
from django.core.management import CommandError, call_command
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import strategies as st

from core import thaidates
from forums.forms import SessionForm
from forums.models import Attendance, ForumSession
from tests.factories import make_attendance, make_person, make_session

THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
program_dates = st.dates(min_value=thaidates.EARLIEST, max_value=thaidates.LATEST)


def refusal_in_thai() -> str:
    with translation.override("th"):
        return thaidates.out_of_range_message()


@given(day=program_dates)
def test_every_shown_date_reads_back_as_itself(day):
    for language in ("th", "en"):
        with translation.override(language):
            for style in ("short", "long", "numeric"):
                shown = thaidates.format_date(day, style)
                assert thaidates.parse_date(shown) == day, shown
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 5)))
    with translation.override("th"):
        assert thaidates.parse_datetime(thaidates.format_datetime(moment)) == moment


@given(day=program_dates, thai_digits=st.booleans())
def test_every_accepted_spelling_means_the_date_a_thai_reader_meant(day, thai_digits):
    be = day.year + 543
    spellings = [
        f"{day.day}/{day.month}/{be}",
        f"{day.day:02d}/{day.month:02d}/{be}",
        f"{be}-{day.month:02d}-{day.day:02d}",
        f"{day.day} {thaidates.THAI_MONTHS_ABBR[day.month - 1]} {be}",
        f"{day.day} {thaidates.THAI_MONTHS_FULL[day.month - 1]} {be}",
        f"{day.day} {thaidates.THAI_MONTHS_FULL[day.month - 1]} พ.ศ. {be}",
        f"{day.day}/{day.month}/{day.year}",  # Gregorian years are read as Gregorian
        day.isoformat(),
    ]
    for text in spellings:
        typed = text.translate(THAI_DIGITS) if thai_digits else text
        assert thaidates.parse_date(typed) == day, typed


@given(year=st.integers(min_value=2400, max_value=2543), month=st.integers(1, 12), day=st.integers(1, 28))
def test_a_buddhist_year_before_the_program_is_refused_with_the_one_message(year, month, day):
    with translation.override("th"), pytest.raises(thaidates.DateParseError) as refused:
        thaidates.parse_date(f"{day}/{month}/{year}")
    assert str(refused.value) == refusal_in_thai()


def test_a_date_far_in_the_future_is_refused_with_the_same_message():
    with translation.override("th"), pytest.raises(thaidates.DateParseError) as refused:
        thaidates.parse_date(f"1/1/{thaidates.LATEST.year + 544}")
    assert str(refused.value) == refusal_in_thai()


def test_english_dates_show_both_years():
    with translation.override("en"):
        assert thaidates.format_date(dt.date(2026, 11, 30)) == "30 Nov 2026 (B.E. 2569)"
        assert thaidates.format_month(2006, 10) == "Oct 2006 (B.E. 2549)"
    with translation.override("th"):
        assert thaidates.format_month(2006, 10) == "ต.ค. 2549"


# 25/10/2459: the same refusal in the session form, the admin and the import --------------------------------


@pytest.mark.django_db
def test_the_session_form_refuses_a_slip_of_the_buddhist_year(admin_user):
    data = {
        "code": "F-2549-99",
        "title": "เวทีทดสอบ",
        "circle": "eua",
        "date": "25/10/2459",
        "format": "formal",
    }
    data["status"] = "planned"
    with translation.override("th"):
        form = SessionForm(data, user=admin_user)
        assert not form.is_valid()
    assert form.errors["date"] == [refusal_in_thai()]


@pytest.mark.django_db
def test_the_admin_refuses_a_slip_of_the_buddhist_year(admin_client_portal):
    response = admin_client_portal.post(
        "/admin/forums/forumsession/add/",
        {"code": "F-2549-99", "title": "เวทีทดสอบ", "circle": "eua", "date": "25/10/2459", "format": "formal",
         "status": "planned", "attendances-TOTAL_FORMS": "0", "attendances-INITIAL_FORMS": "0"},
    )  # fmt: skip

    assert response.status_code == 200
    errors = BeautifulSoup(response.content, "html.parser").select(".field-date .errorlist li")
    assert [e.text for e in errors] == [refusal_in_thai()]
    assert not ForumSession.objects.filter(code="F-2549-99").exists()


@pytest.mark.django_db
def test_the_import_refuses_a_slip_of_the_buddhist_year(tmp_path):
    (tmp_path / "sessions.csv").write_text(
        "code,title,date,start,circle,tambon,format,status,organizer,venue\n"
        "F-2549-99,เวทีทดสอบ,25/10/2459,,eua,,formal,held,,\n",
        encoding="utf-8",
    )
    stderr = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_km", str(tmp_path), stdout=io.StringIO(), stderr=stderr)

    assert refusal_in_thai() in stderr.getvalue()
    assert "sessions.csv line 2" in stderr.getvalue()
    assert not ForumSession.objects.filter(code="F-2549-99").exists()


# Date-times and the year filter of the admin ------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_date_times_are_typed_and_shown_in_the_buddhist_era(admin_client_portal):
    row = make_attendance(make_session(), make_person(), status="present")
    url = f"/admin/forums/attendance/{row.pk}/change/"
    page = BeautifulSoup(admin_client_portal.get(url).content, "html.parser")
    data = {
        field["name"]: field.get("value", "")
        for field in page.select("form input[name], form select[name]")
        if field.get("type") not in ("submit", "checkbox")
    }
    for select in page.select("form select[name]"):
        chosen = select.select_one("option[selected]")
        data[select["name"]] = chosen["value"] if chosen else ""
    data.update({"invited": "on", "checked_in_at": "25/10/2549 09:12"})

    response = admin_client_portal.post(url, data)

    assert response.status_code == 302, BeautifulSoup(response.content, "html.parser").select(".errorlist")
    row.refresh_from_db()
    assert row.checked_in_at == dt.datetime(2006, 10, 25, 2, 12, tzinfo=dt.UTC)
    shown = BeautifulSoup(admin_client_portal.get(url).content, "html.parser")
    assert shown.select_one("input[name=checked_in_at]")["value"] == "25/10/2549 09:12"


@pytest.mark.django_db
def test_admin_session_list_filters_by_buddhist_year(admin_client_portal):
    make_session(code="F-OLD", date=dt.date(2005, 8, 12))
    make_session(code="F-NEW", date=dt.date(2006, 10, 25))

    page = BeautifulSoup(admin_client_portal.get("/admin/forums/forumsession/").content, "html.parser")
    years = [a.text.strip() for a in page.select("#changelist-filter a") if "date_year=" in a.get("href", "")]
    filtered = admin_client_portal.get("/admin/forums/forumsession/", {"date_year": "2006"})
    codes = [a.text for a in BeautifulSoup(filtered.content, "html.parser").select("#result_list tbody th a")]

    assert years == ["2549", "2548"]
    assert codes == ["F-NEW"]
    assert Attendance.objects.count() == 0
