"""Buddhist-era dates: the one place that parses and formats them.

The portal stores Gregorian dates. People read and type Buddhist-era years (พ.ศ. = ค.ศ. + 543). A typed year of
2400 or more is taken as Buddhist era; a smaller four-digit year as Gregorian. Two-digit years are refused because
"49" could be 2549 or 1949.

Every path that reads a date a person wrote (forms, the admin, filters, the sign-in sheet import, import_km)
calls parse_date, so each accepts the same spellings and refuses the same dates with the same message. Every
date a person reads goes through format_date / format_datetime, and what they print parses back to the same date.
"""

import datetime as dt
import re

from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

BE_OFFSET = 543
BE_THRESHOLD = 2400
# The plausible range of any date the portal records. The earliest is 1 January 2544 BE (2001): the Thai KM
# vocabulary the portal records (คุณเอื้อ, คุณอำนวย, คุณกิจ, forums of practice) comes from the Knowledge Management
# Institute founded that year, and the program's own forums began in fiscal year 2548; nothing older can be one of
# its records, while a Buddhist-era slip such as 2459 for 2549 (stored as 1916) lands well before it. The latest
# is the end of the tenth year from now: sessions are planned a fiscal year or two ahead, and a year typed twice
# in the Buddhist era (2569 + 543) or a slip such as 2659 lands far beyond it.
EARLIEST = dt.date(2001, 1, 1)
LATEST = dt.date(dt.date.today().year + 10, 12, 31)

THAI_MONTHS_ABBR = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip
THAI_MONTHS_FULL = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip
ENGLISH_MONTHS_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
ENGLISH_MONTHS_FULL = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def _month_key(name: str) -> str:
    # "ต.ค." and "ตค" and "ต.ค" are the same month; English names in any case.
    return name.replace(".", "").replace(" ", "").lower()


MONTH_NUMBERS = {
    _month_key(name): number
    for names in (THAI_MONTHS_ABBR, THAI_MONTHS_FULL, ENGLISH_MONTHS_ABBR, ENGLISH_MONTHS_FULL)
    for number, name in enumerate(names, start=1)
}

_DMY = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d+)$")
_YMD = re.compile(r"^(\d+)-(\d{1,2})-(\d{1,2})$")
# 25 ต.ค. 2549, 25 ตุลาคม พ.ศ. 2549, 30 Nov 2026 (B.E. 2569) — the spellings format_date prints.
_D_MONTH_Y = re.compile(
    r"^(\d{1,2})\s*([^\d\s(]+)\s*(?:พ\.?\s?ศ\.?|ค\.?\s?ศ\.?|B\.?E\.?|A\.?D\.?|CE)?\s*(\d+)"
    r"(?:\s*\(\s*(?:B\.?E\.?|พ\.?\s?ศ\.?)\s*(\d+)\s*\))?$",
    re.IGNORECASE,
)
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


class DateParseError(ValueError):
    """A typed date that cannot be read; the message is translated and fit to show."""


def year_to_gregorian(year: int) -> int:
    return year - BE_OFFSET if year >= BE_THRESHOLD else year


def out_of_range_message() -> str:
    """The one refusal of an implausible date, the same on every path (forms, admin, imports)."""
    return _(
        "The date must fall between %(start)s and %(end)s. Check the year: a Buddhist-era year is the "
        "Christian year plus 543 (2549 is 2006)."
    ) % {"start": format_date(EARLIEST), "end": format_date(LATEST)}


def parse_date(text: str) -> dt.date:
    """Reads 25/10/2549, 2549-10-25, 25 ต.ค. 2549, 25 ตุลาคม 2549 (Buddhist era) and 2006-10-25, 25/10/2006
    (Gregorian), and what format_date prints in English (30 Nov 2026 (B.E. 2569)).

    Thai digits are accepted too. Raises DateParseError with a message in the active language.
    """
    value = " ".join((text or "").translate(_THAI_DIGITS).split())
    if not value:
        raise DateParseError(_("Enter a date."))
    if match := _DMY.match(value):
        day, month, year_text = match.groups()
    elif match := _YMD.match(value):
        year_text, month, day = match.groups()
    elif (match := _D_MONTH_Y.match(value)) and _month_key(match.group(2)) in MONTH_NUMBERS:
        day, month_name, year_text, be_text = match.groups()
        month = MONTH_NUMBERS[_month_key(month_name)]
        if be_text is not None and (
            len(be_text) != 4 or year_to_gregorian(int(be_text)) != year_to_gregorian(int(year_text))
        ):
            raise DateParseError(_("The two years of this date do not match."))
    else:
        raise DateParseError(
            _("Enter the date as day/month/year, e.g. 25/10/2549 (Buddhist era) or 2006-10-25.")
        )
    if len(year_text) != 4:
        raise DateParseError(_("Write the year with four digits, e.g. 2549 (Buddhist era) or 2006."))
    year = year_to_gregorian(int(year_text))
    try:
        date = dt.date(year, int(month), int(day))
    except ValueError:
        raise DateParseError(_("This date does not exist in the calendar.")) from None
    check_plausible(date)
    return date


def refusal(text: str) -> str:
    """Why parse_date refuses the text, in English and Thai ("" when it reads it): for command lines and import
    reports, which are read by people of either language."""
    messages = []
    for language in ("en", "th"):
        with translation.override(language):
            try:
                parse_date(text)
            except DateParseError as exc:
                messages.append(str(exc))
    if not messages:
        return ""
    return messages[0] if messages[0] == messages[-1] else f"{messages[0]} / {messages[-1]}"


def check_plausible(date: dt.date) -> dt.date:
    if not EARLIEST <= date <= LATEST:
        raise DateParseError(out_of_range_message())
    return date


_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})(?::(\d{2}))?(?:\s*น\.?)?$")


def parse_time(text: str) -> dt.time:
    """09:30, 9.30, 09:30:15 and 09.30 น."""
    value = " ".join((text or "").translate(_THAI_DIGITS).split())
    match = _TIME.match(value)
    if not match:
        raise DateParseError(_("Enter the time as hours:minutes, e.g. 09:30."))
    try:
        return dt.time(int(match.group(1)), int(match.group(2)), int(match.group(3) or 0))
    except ValueError:
        raise DateParseError(_("Enter the time as hours:minutes, e.g. 09:30.")) from None


def parse_datetime(text: str) -> dt.datetime:
    """A date as parse_date reads it, then a time (25/10/2549 09:30), in the portal's time zone."""
    value = " ".join((text or "").translate(_THAI_DIGITS).split()).replace(",", " ")
    date_part, _sep, time_part = value.rpartition(" ")
    if not date_part:
        raise DateParseError(_("Enter the date and time, e.g. 25/10/2549 09:30."))
    date = parse_date(date_part)
    time = parse_time(time_part)
    return timezone.make_aware(dt.datetime.combine(date, time))


def _thai() -> bool:
    return (get_language() or "th").startswith("th")


def format_date(value: dt.date | dt.datetime | None, style: str = "short") -> str:
    """24 พ.ย. 2569 (short), 24 พฤศจิกายน 2569 (long), 24/11/2569 (numeric) in Thai; in English
    24 Nov 2026 (B.E. 2569) and 24 November 2026 (B.E. 2569): the reader's own year, with the Buddhist year the
    Thai colleagues and the paper records use. The numeric style is the one typed in forms, the same in both."""
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
    months = ENGLISH_MONTHS_FULL if style == "long" else ENGLISH_MONTHS_ABBR
    return f"{value.day} {months[value.month - 1]} {value.year} (B.E. {be_year})"


def format_datetime(value: dt.datetime | None, style: str = "short") -> str:
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{format_date(local, style)} {local:%H:%M}"


def format_month(year, month: int | None = None, style: str = "short") -> str:
    """A calendar month for chart axes and table headers: ต.ค. 2549; Oct 2006 (B.E. 2549) in English.

    Takes a year and a month, a date, or "2006-10" (the metrics' month keys). style "axis" is the compact Thai
    form for crowded chart axes (ต.ค. 49); English keeps its one form there too.
    """
    if isinstance(year, str):
        year, month = int(year[:4]), int(year[5:7])
    elif isinstance(year, dt.date):
        year, month = year.year, year.month
    be_year = year + BE_OFFSET
    if _thai():
        if style == "axis":
            return f"{THAI_MONTHS_ABBR[month - 1]} {be_year % 100:02d}"
        months = THAI_MONTHS_FULL if style == "long" else THAI_MONTHS_ABBR
        return f"{months[month - 1]} {be_year}"
    months = ENGLISH_MONTHS_FULL if style == "long" else ENGLISH_MONTHS_ABBR
    return f"{months[month - 1]} {year} (B.E. {be_year})"


def format_year(year: int) -> str:
    """A Gregorian year as people read it: 2549; 2006 (B.E. 2549) in English."""
    return f"{year + BE_OFFSET}" if _thai() else f"{year} (B.E. {year + BE_OFFSET})"
