import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from core.fields import BuddhistDateFormField
from core.thaidates import DateParseError, format_date, format_datetime, parse_date, year_to_gregorian


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25/10/2549", dt.date(2006, 10, 25)),  # Buddhist era, day/month/year
        ("2549-10-25", dt.date(2006, 10, 25)),  # Buddhist era, ISO order
        ("2006-10-25", dt.date(2006, 10, 25)),  # Gregorian ISO
        ("25/10/2006", dt.date(2006, 10, 25)),  # Gregorian, day/month/year
        ("1/2/2549", dt.date(2006, 2, 1)),
        ("01.02.2549", dt.date(2006, 2, 1)),
        (" 25 / 10 / 2549 ", dt.date(2006, 10, 25)),
        ("๒๕/๑๐/๒๕๔๙", dt.date(2006, 10, 25)),  # Thai digits
        ("2544-01-01", dt.date(2001, 1, 1)),  # the earliest accepted date, typed in Buddhist era
        ("29/02/2547", dt.date(2004, 2, 29)),  # 2004 is a leap year
    ],
)
def test_parse_date_reads_buddhist_and_gregorian_years(text, expected):
    assert parse_date(text) == expected


def test_year_2400_is_the_first_buddhist_year():
    assert year_to_gregorian(2400) == 1857
    assert year_to_gregorian(2399) == 2399
    assert year_to_gregorian(2569) == 2026
    # 2399 is read as a Gregorian year, far in the future, and refused rather than stored.
    with translation.override("en"), pytest.raises(DateParseError, match="between"):
        parse_date("2399-06-01")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "25/10/49",
        "2549/13/01",
        "31/04/2549",
        "29/02/2549",
        "tomorrow",
        "25-10",
        "0000-00-00",
        "1/1/99999",
    ],
)
def test_parse_date_rejects_ambiguous_or_impossible_dates(text):
    with pytest.raises(DateParseError):
        parse_date(text)


def test_leap_day_checked_against_the_gregorian_year():
    # 2551 BE = 2008 CE (leap); 2549 BE = 2006 CE (not). Checking 2549 itself as a year would be wrong.
    assert parse_date("29/02/2551") == dt.date(2008, 2, 29)
    with pytest.raises(DateParseError):
        parse_date("29/02/2549")


def test_format_date_in_thai_is_buddhist_era_with_thai_month():
    with translation.override("th"):
        assert format_date(dt.date(2026, 11, 24)) == "24 พ.ย. 2569"
        assert format_date(dt.date(2006, 10, 25), "long") == "25 ตุลาคม 2549"
        assert format_date(dt.date(2006, 2, 1), "numeric") == "01/02/2549"
        assert format_date(None) == ""


def test_format_date_in_english_shows_both_years():
    with translation.override("en"):
        assert format_date(dt.date(2026, 11, 24)) == "24 Nov 2026 (B.E. 2569)"


def test_format_datetime_uses_bangkok_time():
    utc_evening = dt.datetime(2026, 11, 24, 20, 30, tzinfo=dt.UTC)  # 03:30 next day in Bangkok
    with translation.override("th"):
        assert format_datetime(utc_evening) == "25 พ.ย. 2569 03:30"


def test_round_trip_through_the_form_field_never_stores_a_buddhist_year():
    field = BuddhistDateFormField()
    shown = field.widget.format_value(dt.date(2006, 10, 25))
    assert shown == "25/10/2549"
    assert field.clean(shown) == dt.date(2006, 10, 25)


def test_form_field_error_message_is_thai_by_default():
    field = BuddhistDateFormField()
    with translation.override("th"), pytest.raises(ValidationError) as excinfo:
        field.clean("25/10/49")
    assert "ปี" in str(excinfo.value) and "2549" in str(excinfo.value)
