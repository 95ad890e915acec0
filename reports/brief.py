"""The governor's monthly brief: a composed A4 PDF in Thai, rendered on the server with WeasyPrint.

It lives in `reports/`, a top-level app, because it reads both the metrics (analytics) and the month's published
lessons (lessons), and lessons already sits above analytics: a brief inside analytics would point upwards.

Every figure comes from analytics.metrics, rounded as `consistency_report` rounds it, so the PDF and the report of
the same month say the same thing.
"""

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from analytics import metrics
from core.thaidates import BE_OFFSET, BE_THRESHOLD, THAI_MONTHS_FULL, format_date
from lessons.services import published_in_month

_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
STATIC = Path(settings.BASE_DIR) / "static"


class MonthError(ValueError):
    pass


def parse_month(text: str) -> tuple[int, int]:
    """(Gregorian year, month) of '2569-11' (Buddhist era) or '2026-11' (Gregorian)."""
    match = _MONTH.match(text or "")
    if not match:
        raise MonthError(f"{text!r}: write the month as YYYY-MM, e.g. 2569-11 (Buddhist era) or 2026-11")
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12:
        raise MonthError(f"{text!r}: the month must be 01 to 12")
    if year >= BE_THRESHOLD:
        year -= BE_OFFSET
    if not 1900 <= year <= 2200:
        raise MonthError(f"{text!r}: the year is out of range")
    return year, month


def month_scope(year: int, month: int) -> metrics.Scope:
    return metrics.Scope(
        start=dt.date(year, month, 1), end=dt.date(year, month, calendar.monthrange(year, month)[1])
    )


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year, month - 1) if month > 1 else (year - 1, 12)


def percent(value) -> str:
    """A fraction as the report rounds it (4 decimals), shown as a percentage with 2 decimals."""
    value = metrics.rounded(value)
    return "–" if value is None else f"{value * 100:.2f}%"


def points(value) -> str:
    value = metrics.rounded(value, metrics.PP_DECIMALS)
    return "–" if value is None else f"{value:+.2f}"


@dataclass
class AgencyLine:
    code: str
    name: str
    invited_sessions: int
    represented_sessions: int
    rate: float | None
    previous_rate: float | None
    chair_effect_pp: float | None

    @property
    def change_pp(self):
        if self.rate is None or self.previous_rate is None:
            return None
        return (metrics.rounded(self.rate) - metrics.rounded(self.previous_rate)) * 100


# Presentation attributes rather than CSS classes: WeasyPrint does not apply the page's stylesheet inside SVG.
TEXT = 'font-family="Sarabun Latin, Sarabun Thai" font-size="9"'
CURRENT, PREVIOUS = "#2c5f8a", "#9db4cc"


def bar_chart(lines: list[AgencyLine]) -> str:
    """Horizontal bars of each agency's attendance rate, this month and the previous one, as SVG (vector in the
    PDF, sharp at any zoom). Drawn here rather than by a chart library: a dozen rectangles."""
    label_width, bar_width, row_height, top = 70, 330, 22, 18
    height = top + row_height * len(lines) + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_width + bar_width + 60}" height="{height}" '
        f'viewBox="0 0 {label_width + bar_width + 60} {height}" class="chart" role="img">',
        f'<text x="{label_width}" y="11" {TEXT} fill="{CURRENT}">■ เดือนนี้</text>',
        f'<text x="{label_width + 90}" y="11" {TEXT} fill="{PREVIOUS}">■ เดือนก่อน</text>',
    ]
    for tick in (0, 0.5, 1):
        x = label_width + bar_width * tick
        parts.append(
            f'<line x1="{x}" y1="{top - 2}" x2="{x}" y2="{height - 6}" stroke="#dddddd" stroke-width="0.5"/>'
        )
    for index, line in enumerate(lines):
        y = top + index * row_height
        parts.append(f'<text x="0" y="{y + 13}" {TEXT}>{escape(line.name)}</text>')
        if line.rate is not None:
            parts.append(
                f'<rect x="{label_width}" y="{y + 2}" width="{bar_width * line.rate:.1f}" height="9" fill="{CURRENT}"/>'
            )
        if line.previous_rate is not None:
            parts.append(
                f'<rect x="{label_width}" y="{y + 12}" width="{bar_width * line.previous_rate:.1f}" height="5" '
                f'fill="{PREVIOUS}"/>'
            )
        parts.append(
            f'<text x="{label_width + bar_width + 4}" y="{y + 11}" {TEXT}>{escape(percent(line.rate))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def collect(year: int, month: int) -> dict:
    """Everything the brief shows for one month."""
    report = metrics.compute(month_scope(year, month))
    previous = metrics.compute(month_scope(*previous_month(year, month)))
    # Drop-outs are runs of missed sessions, which cross month ends: counted over everything up to the month's end.
    to_date = metrics.compute(metrics.Scope(end=month_scope(year, month).end))
    previous_rates = {a.code: a.attendance_rate for a in previous.agencies}
    lines = [
        AgencyLine(
            code=a.code,
            name=str(a.organization),
            invited_sessions=a.invited_sessions,
            represented_sessions=a.represented_sessions,
            rate=a.attendance_rate,
            previous_rate=previous_rates.get(a.code),
            chair_effect_pp=a.chair_effect_pp,
        )
        for a in report.agencies
    ]
    dropped = [a for a in to_date.agencies if a.dropped_out]
    notes = list(published_in_month(year, month))
    month_name = f"{THAI_MONTHS_FULL[month - 1]} {year + BE_OFFSET}"
    return {
        "month_name": month_name,
        "report": report,
        "sessions_held": report.sessions_held,
        "mean_unison": percent(report.mean_unison),
        "full_house_rate": percent(report.full_house_rate),
        "sessions": [
            {
                "date": format_date(s.date, "short"),
                "code": s.code,
                "title": s.title,
                "unison": percent(s.unison),
            }
            for s in report.sessions
        ],
        "lines": [
            {
                "code": line.code,
                "name": line.name,
                "invited": line.invited_sessions,
                "represented": line.represented_sessions,
                "rate": percent(line.rate),
                "previous": percent(line.previous_rate),
                "change": points(line.change_pp),
                "chair_effect": points(line.chair_effect_pp),
            }
            for line in lines
        ],
        "chart": bar_chart(lines),
        "dropped": [{"name": str(a.organization), "misses": a.current_miss_streak} for a in dropped],
        "notes": notes,
        "generated": format_date(timezone.localdate(), "long"),
    }


def render_pdf(year: int, month: int) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    with translation.override("th"):
        html = render_to_string("reports/governor_brief.html", collect(year, month))
    # @font-face rules only take effect through a font configuration shared by the stylesheet and the rendering.
    fonts = FontConfiguration()
    stylesheet = CSS(filename=str(STATIC / "css" / "governor-brief.css"), font_config=fonts)
    return HTML(string=html, base_url=str(STATIC)).write_pdf(stylesheets=[stylesheet], font_config=fonts)
