"""The dashboard's tables as rows of plain values: one definition for the page, the CSV and the XLSX exports."""

from django.utils.translation import gettext as _

from analytics.metrics import Report, rounded, tambon_phases
from core.thaidates import format_month


def _pct(value):
    return None if value is None else round(value * 100, 1)


def agencies(report: Report):
    header = [
        _("Code"), _("Agency"), _("Invited sessions"), _("Represented sessions"), _("Attendance rate %"),
        _("In-person rate %"), _("Representative share %"), _("Longest streak"), _("Current miss streak"),
        _("Dropped out"), _("Rate with the chair %"), _("Rate without the chair %"), _("Chair effect (pp)"),
    ]  # fmt: skip
    rows = [
        [
            a.code, a.organization.abbr_th, a.invited_sessions, a.represented_sessions, _pct(a.attendance_rate),
            _pct(a.in_person_rate), _pct(a.representative_share), a.longest_streak, a.current_miss_streak,
            _("yes") if a.dropped_out else _("no"), _pct(a.rate_with_chair), _pct(a.rate_without_chair),
            rounded(a.chair_effect_pp, 1),
        ]
        for a in report.agencies
    ]  # fmt: skip
    return header, rows


def sessions_header(agencies=None):
    return [_("Code"), _("Date"), _("Title"), _("Invited agencies"), _("Represented agencies"), _("Unison %"),
            _("Chair attended")]  # fmt: skip


def session_words() -> dict:
    return {True: _("yes"), False: _("no")}


def sessions_rows(sessions, agency_ids=None):
    answer = session_words()  # translated once, not once per session
    return [
        [s.code, s.date, s.title, len(s.invited), s.represented_invited, _pct(s.unison), answer[s.chair_attended]]
        for s in sessions
    ]  # fmt: skip


def sessions(report: Report):
    return sessions_header(), sessions_rows(report.sessions)


def heatmap_words() -> dict:
    return {
        "in_person": _("came in person"),
        "representative": _("sent a representative"),
        "absent": _("invited, did not come"),
        "not_invited": "",
    }


def heatmap_header(agencies):
    # A row per session and a column per agency: a spreadsheet has at most 16,384 columns, a region far more
    # sessions than that.
    return [_("Session"), _("Date"), *(a.code for a in agencies)]


def heatmap_rows(sessions, agency_ids):
    words = heatmap_words()
    return [[s.code, s.date, *(words[s.state(pk)] for pk in agency_ids)] for s in sessions]


def heatmap(report: Report):
    agency_ids = [a.organization.pk for a in report.agencies]
    return heatmap_header(report.agencies), heatmap_rows(report.sessions, agency_ids)


def co_attendance(report: Report):
    codes = [a.code for a in report.agencies]
    values = {}
    for a, b, value in report.co_attendance:
        values[(a, b)] = values[(b, a)] = value
    header = ["", *codes]
    rows = [[a, *(None if a == b else _pct(values.get((a, b))) for b in codes)] for a in codes]
    return header, rows


def monthly(report: Report):
    header = [_("Agency"), *(format_month(m) for m in report.months)]
    rows = [[a.code, *(_pct(a.monthly.get(m)) for m in report.months)] for a in report.agencies]
    return header, rows


def phases(report: Report):
    labels = {"pilot": _("Pilot tambons"), "expansion": _("Expansion tambons"), "provincial": _("Provincial")}
    header = [
        _("Held in"),
        _("Sessions held"),
        _("Tambons"),
        _("Mean unison %"),
        _("Agency attendance rate %"),
    ]
    rows = [
        [labels.get(p["phase"], p["phase"]), p["sessions"], p["tambons"], _pct(p["mean_unison"]),
         _pct(p["attendance_rate"])]
        for p in tambon_phases(report)
    ]  # fmt: skip
    return header, rows


# The tables with a row per session, by their parts: (header of the agencies, rows of sessions and agencies'
# ids, the translated words the rows hold). analytics.export_rows writes their rows out a month at a time.
SESSION_TABLES = {
    "sessions": (sessions_header, sessions_rows, session_words),
    "heatmap": (heatmap_header, heatmap_rows, heatmap_words),
}

TABLES = {
    "agencies": agencies,
    "sessions": sessions,
    "heatmap": heatmap,
    "co-attendance": co_attendance,
    "monthly": monthly,
    "phases": phases,
}
