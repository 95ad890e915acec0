"""Buddhist-era dates: the one place that parses and formats them.

The portal stores Gregorian dates. People read and type Buddhist-era years (พ.ศ. = ค.ศ. + 543). A typed year of
2400 or more is taken as Buddhist era; a smaller four-digit year as Gregorian. Two-digit years are refused because
"49" could be 2549 or 1949.
"""

import datetime as dt
import re

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

BE_OFFSET = 543
BE_THRESHOLD = 2400
# Outside this range a date is almost surely a typing slip (e.g. a BE year typed into a CE field twice).
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2200, 12, 31)

THAI_MONTHS_ABBR = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip
THAI_MONTHS_FULL = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip
ENGLISH_MONTHS_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_DMY = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d+)$")
_YMD = re.compile(r"^(\d+)-(\d{1,2})-(\d{1,2})$")
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


class DateParseError(ValueError):
    """A typed date that cannot be read; the message is translated and fit to show."""


def year_to_gregorian(year: int) -> int:
    return year - BE_OFFSET if year >= BE_THRESHOLD else year


def parse_date(text: str) -> dt.date:
    """Reads 25/10/2549, 2549-10-25 (Buddhist era) and 2006-10-25, 25/10/2006 (Gregorian).

    Thai digits are accepted too. Raises DateParseError with a message in the active language.
    """
    value = (text or "").strip().translate(_THAI_DIGITS)
    if not value:
        raise DateParseError(_("Enter a date."))
    match = _DMY.match(value)
    if match:
        day, month, year_text = match.groups()
    else:
        match = _YMD.match(value)
        if not match:
            raise DateParseError(
                _("Enter the date as day/month/year, e.g. 25/10/2549 (Buddhist era) or 2006-10-25.")
            )
        year_text, month, day = match.groups()
    if len(year_text) != 4:
        raise DateParseError(_("Write the year with four digits, e.g. 2549 (Buddhist era) or 2006."))
    year = year_to_gregorian(int(year_text))
    try:
        date = dt.date(year, int(month), int(day))
    except ValueError:
        raise DateParseError(_("This date does not exist in the calendar.")) from None
    if not EARLIEST <= date <= LATEST:
        raise DateParseError(
            _("The date must fall between %(start)s and %(end)s.")
            % {"start": format_date(EARLIEST), "end": format_date(LATEST)}
        )
    return date


def _thai() -> bool:
    return (get_language() or "th").startswith("th")


def format_date(value: dt.date | dt.datetime | None, style: str = "short") -> str:
    """24 พ.ย. 2569 (short), 24 พฤศจิกายน 2569 (long), 24/11/2569 (numeric) in Thai;
    24 Nov 2569 BE in English. Always the Buddhist-era year."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    be_year = value.year + BE_OFFSET
    if style == "numeric":
        return f"{value.day:02d}/{value.month:02d}/{be_year}"
    if _thai():
        months = THAI_MONTHS_FULL if style == "long" else THAI_MONTHS_ABBR
        return f"{value.day} {months[value.month - 1]} {be_year}"
    return f"{value.day} {ENGLISH_MONTHS_ABBR[value.month - 1]} {be_year} BE"


def format_datetime(value: dt.datetime | None, style: str = "short") -> str:
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{format_date(local, style)} {local:%H:%M}"


def format_month(value: dt.date | str) -> str:
    """A calendar month (a date, or "2006-10"): ต.ค. 49 in Thai, Oct 2549 BE in English."""
    if isinstance(value, str):
        value = dt.date(int(value[:4]), int(value[5:7]), 1)
    be_year = value.year + BE_OFFSET
    if _thai():
        return f"{THAI_MONTHS_ABBR[value.month - 1]} {be_year % 100:02d}"
    return f"{ENGLISH_MONTHS_ABBR[value.month - 1]} {be_year} BE"
