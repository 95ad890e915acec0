from django.db.models import Count
from django.http import Http404
from django.shortcuts import render
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from analytics import access, exports, tables, tiles
from analytics.forms import ScopeForm
from analytics.metrics import compute
from forums.models import Attendance

HEATMAP_SESSIONS = 40  # the latest sessions of the scope; the full list is one export away

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000", "#999999"]


def _people_reached(report) -> int:
    """Distinct people who came (present or late) to the sessions of the report: the one figure read from the
    attendance rows themselves, those of the sessions in scope only."""
    attended = Attendance.objects.filter(
        session_id__in=[s.pk for s in report.sessions], status__in=Attendance.ATTENDED
    )
    if report.scope.roles:
        attended = attended.filter(role__in=report.scope.roles)
    return attended.aggregate(n=Count("person_id", distinct=True))["n"]


SYMBOLS = {"in_person": "●", "representative": "◐", "absent": "✕", "not_invited": "·"}


def _heatmap_cells(agency, sessions):
    # Built here rather than in the template: 9 agencies × 40 sessions of template tags cost more than the
    # figures themselves.
    pk = agency.organization.pk
    return format_html_join(
        "",
        '<td class="cell {0}" data-state="{0}" title="{1} · {2}">{3}</td>',
        ((state, agency.code, s.code, SYMBOLS[state]) for s in sessions for state in [s.state(pk)]),
    )


@require_safe
def dashboard(request):
    access.require_dashboard(request.user)
    form = ScopeForm(request.GET)
    scope = form.scope()
    report = compute(scope)
    heatmap_sessions = report.sessions[-HEATMAP_SESSIONS:]
    heatmap = [(agency, _heatmap_cells(agency, heatmap_sessions)) for agency in report.agencies]
    chart = {
        "months": report.months,
        "series": [
            {
                "label": a.code,
                "color": PALETTE[i % len(PALETTE)],
                "values": [a.monthly.get(m) for m in report.months],
            }
            for i, a in enumerate(report.agencies)
        ],
        "yLabel": _("Attendance rate %"),
    }
    query = request.GET.urlencode()
    # The session list reads the same period, circle and tambon parameters.
    session_query = request.GET.copy()
    session_query.setlist("circle", [scope.circle or ""])
    session_query.pop("roles", None)
    session_query["status"] = "held"
    context = {
        "session_query": session_query.urlencode(),
        "form": form,
        "report": report,
        "people_reached": _people_reached(report),
        "tiles": tiles.figures(),
        "heatmap": heatmap,
        "heatmap_sessions": heatmap_sessions,
        "heatmap_cut": len(report.sessions) > HEATMAP_SESSIONS,
        "tables": {
            name.replace("-", "_"): build(report)
            for name, build in tables.TABLES.items()
            if name not in ("sessions", "heatmap")
        },
        "chart": chart,
        "query": query,
    }
    return render(request, "analytics/dashboard.html", context)


@require_safe
def export(request, table, extension):
    access.require_dashboard(request.user)
    if table not in tables.TABLES or extension not in ("csv", "xlsx"):
        raise Http404
    report = compute(ScopeForm(request.GET).scope())
    header, rows = tables.TABLES[table](report)
    filename = f"kmportal-{table}"
    if extension == "csv":
        return exports.csv_response(filename, header, rows)
    return exports.xlsx_response(filename, table, header, rows)


@require_safe
def agency_detail(request, code):
    """Drill-down: the sessions and the people behind one agency's figures, in the same scope."""
    organization = access.partner_for_user(request.user, code)
    form = ScopeForm(request.GET)
    scope = form.scope()
    report = compute(scope)
    figures = next(a for a in report.agencies if a.organization.pk == organization.pk)
    invited = [s for s in report.sessions if organization.pk in s.invited]
    attendance = (
        Attendance.objects.filter(session__in=[s.pk for s in invited], organization=organization)
        .select_related("person", "representative", "session")
        .order_by("session__date", "session__code", "person__first_name")
    )
    if scope.roles:
        attendance = attendance.filter(role__in=scope.roles)
    by_session = {}
    for row in attendance:
        by_session.setdefault(row.session_id, []).append(row)
    sessions = [(s, s.state(organization.pk), by_session.get(s.pk, [])) for s in reversed(invited)]
    return render(
        request,
        "analytics/agency_detail.html",
        {"organization": organization, "figures": figures, "sessions": sessions, "form": form,
         "query": request.GET.urlencode()},
    )  # fmt: skip
