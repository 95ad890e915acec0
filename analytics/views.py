import functools
import hashlib
import html
import operator
import statistics
from urllib.parse import quote

from django.core.paginator import Paginator
from django.db.models import ExpressionWrapper, F, IntegerField
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from agencies.models import KmRole, Tambon, full_name
from analytics import access, cache, export_rows, exports, tables, tiles
from analytics.forms import ScopeForm
from analytics.metrics import Scope
from core.paging import KnownCount
from core.thaidates import format_date, format_month
from forums import summaries
from forums.models import Attendance, Circle, PersonReach

HEATMAP_SESSIONS = 40  # the latest sessions of the scope; the full list is one export away
DRILL_SESSIONS_PER_PAGE = 20

SYMBOLS = {"in_person": "●", "representative": "◐", "absent": "✕", "not_invited": "·"}


def scope_query(scope: Scope, **extra) -> str:
    """The address parameters of a scope, dates in Buddhist era as people type them."""
    query = QueryDict(mutable=True)
    if scope.start:
        query["start"] = format_date(scope.start, "numeric")
    if scope.end:
        query["end"] = format_date(scope.end, "numeric")
    query["circle"] = scope.circle or ""
    if scope.tambon:
        query["tambon"] = scope.tambon
    if scope.roles:
        query.setlist("roles", list(scope.roles))
    for name, value in extra.items():
        query[name] = value
    return query.urlencode()


def scope_title(scope: Scope) -> str:
    """The scope in words, for the page heading: วงคุณเอื้อ · ทุกช่วงเวลา."""
    parts = [str(Circle(scope.circle).label) if scope.circle else _("All circles")]
    if scope.tambon:
        name = "name_th" if (get_language() or "th").startswith("th") else "name_en"
        tambon = Tambon.objects.filter(code=scope.tambon).values_list(name, flat=True).first()
        parts.append(_("Tambon %(name)s") % {"name": tambon or scope.tambon})
    if scope.start and scope.end:
        parts.append(f"{format_date(scope.start)} – {format_date(scope.end)}")
    elif scope.start:
        parts.append(_("from %(date)s") % {"date": format_date(scope.start)})
    elif scope.end:
        parts.append(_("until %(date)s") % {"date": format_date(scope.end)})
    else:
        parts.append(_("All time"))
    if scope.roles:
        parts.append(", ".join(str(KmRole(role).label) for role in scope.roles))
    return " · ".join(parts)


def _people_reached(report) -> int:
    """Distinct people who came (present or late) to the sessions of the report. Over all time (any circle,
    tambon and roles), from the PersonReach summary (without a tambon, from its counts by circle and role:
    ReachMask), brought up to date first for the sessions written since;
    a period's count reads the attendance rows of the sessions in that period only. Cached with the report."""
    scope = report.scope
    if scope.start or scope.end:
        attended = Attendance.objects.filter(
            session__in=scope.sessions().order_by().values("pk"), status__in=Attendance.ATTENDED
        )
        if scope.roles:
            attended = attended.filter(role__in=scope.roles)
        return attended.values("person_id").distinct().count()
    summaries.refresh_reach()
    if not scope.tambon:
        return summaries.people_reached(scope.circle, scope.roles)
    reach = PersonReach.objects.all()
    if scope.circle:
        reach = reach.filter(circle=scope.circle)
    if scope.tambon:
        reach = reach.filter(tambon_id=scope.tambon)
    if scope.roles:
        reach = reach.filter(role__in=scope.roles)
    return reach.values("person_id").distinct().count()


def _heatmap_cells(agency, sessions):
    # Built here rather than in the template, and with plain string formatting: 9 agencies × 40 sessions of
    # template tags (or of format_html) cost more than the figures themselves. The codes are escaped.
    pk, code = agency.organization.pk, html.escape(agency.code)
    return mark_safe(
        "".join(
            f'<td class="cell {state}" data-state="{state}" title="{code} · {session_code}">{SYMBOLS[state]}</td>'
            for session_code, state in ((html.escape(s.code), s.state(pk)) for s in sessions)
        )
    )


# What reverse() leaves unquoted in a path argument (RFC 3986 sub-delimiters and /~:@).
URL_SAFE = "!$&'()*+,;=/~:@"
_MARKER = "CODE-MARKER"


def _address_of(url_name: str):
    """The address of `url_name` for a code, HTML-escaped, as reverse() gives it: one reverse() for the pattern,
    then string replacement for each of the hundreds of rows a page links."""
    pattern = reverse(url_name, args=[_MARKER])
    return lambda code: html.escape(pattern.replace(_MARKER, quote(code, safe=URL_SAFE)))


def _heatmap_heads(sessions) -> str:
    """The heatmap's column heads, one per session (its date in the Buddhist era, a star when the chair came),
    written like the cells: plain string formatting, every value escaped."""
    address = _address_of("forums:session_detail")
    heads = []
    for session in sessions:
        href = address(session.code)
        title = html.escape(f"{session.code} {format_date(session.date)} {session.title}")
        star = "<br>★" if session.chair_attended else ""
        heads.append(
            f'<th class="session-head"><a href="{href}" title="{title}">'
            f"{format_date(session.date, 'numeric')}{star}</a></th>"
        )
    return mark_safe("".join(heads))


def _agency_label(organization) -> str:
    return organization.abbr_th if (get_language() or "th").startswith("th") else organization.code


def trend_chart(report) -> dict:
    """Small multiples: one chart per agency on the same 0–100 axis, each with the median of the nine agencies
    that month for reference."""
    series = [[a.monthly.get(m) for m in report.months] for a in report.agencies]
    median = []
    for values in zip(*series, strict=True) if series else []:
        defined = [v for v in values if v is not None]
        median.append(statistics.median(defined) if defined else None)
    return {
        "months": [format_month(month, style="axis") for month in report.months],
        "series": [
            {"label": _agency_label(a.organization), "code": a.code, "values": values}
            for a, values in zip(report.agencies, series, strict=True)
        ],
        "median": median,
        "yLabel": _("Attendance rate %"),
        "medianLabel": _("Median of the nine agencies"),
    }


def _dashboard_body(scope: Scope, tile_figures: list[dict]) -> str:
    report = cache.report(scope)
    heatmap_sessions = report.recent_sessions(HEATMAP_SESSIONS)
    session_query = scope_query(Scope(scope.start, scope.end, scope.circle, scope.tambon), status="held")
    context = {
        "session_query": session_query,
        "report": report,
        "nobody_invited": report.sessions_held > 0 and not any(a.invited_sessions for a in report.agencies),
        "people_reached": _people_reached(report),
        "tiles": tile_figures,
        "heatmap": [(agency, _heatmap_cells(agency, heatmap_sessions)) for agency in report.agencies],
        "heatmap_sessions": heatmap_sessions,
        "heatmap_heads": _heatmap_heads(heatmap_sessions),
        "heatmap_cut": report.sessions_held > HEATMAP_SESSIONS,
        "tables": {
            name.replace("-", "_"): build(report)
            for name, build in tables.TABLES.items()
            if name not in ("sessions", "heatmap")
        },
        "chart": trend_chart(report),
        "query": scope_query(scope),
    }
    return render_to_string("analytics/includes/dashboard_body.html", context)


def _scope_form(request, form, scope: Scope) -> str:
    """The filter form as HTML, cached per address: 170 tambons and the form library's templates cost more
    than a cached dashboard."""
    query = hashlib.sha256(request.GET.urlencode().encode()).hexdigest()[:16]
    return cache.cached(
        "form",
        scope,
        lambda: render_to_string("analytics/includes/scope_form.html", {"form": form}),
        get_language() or "th",
        query,
    )


@require_safe
def dashboard(request):
    access.require_dashboard(request.user)
    form = ScopeForm(request.GET)
    scope = form.scope()
    # Figures that apps above analytics add (lessons: notes published); their values are part of the cache key.
    tile_figures = tiles.figures()
    # The figures, tables and charts as one piece of HTML per scope, language and data version: a cached view
    # reads a few cache keys and renders the frame around them.
    language = get_language() or "th"
    body = cache.cached(
        "dashboard",
        scope,
        lambda: _dashboard_body(scope, tile_figures),
        language,
        ",".join(f"{tile['key']}={tile['value']}" for tile in tile_figures),
    )
    context = {
        "scope_form": mark_safe(_scope_form(request, form, scope)),
        "scope_title": cache.cached("title", scope, lambda: scope_title(scope), language),
        "body": mark_safe(body),
    }
    return render(request, "analytics/dashboard.html", context)


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _export_file(scope: Scope, table: str, extension: str) -> tuple[bytes, str]:
    filename = f"kmportal-{table}"
    if table in tables.SESSION_TABLES:  # a row per session: put together from the months' kept rows
        content = export_rows.export_file(scope, table, extension)
        return content, f'attachment; filename="{filename}.{extension}"'
    header, rows = tables.TABLES[table](cache.report(scope))
    if extension == "csv":
        response = exports.csv_response(filename, header, rows)
    else:
        response = exports.xlsx_response(filename, table, header, rows)
    return response.content, response["Content-Disposition"]


@require_safe
def export(request, table, extension):
    access.require_dashboard(request.user)
    if table not in tables.TABLES or extension not in CONTENT_TYPES:
        raise Http404
    scope = ScopeForm(request.GET).scope()
    content, disposition = cache.cached(
        "export",
        scope,
        lambda: _export_file(scope, table, extension),
        table,
        extension,
        get_language() or "th",
    )
    response = HttpResponse(content, content_type=CONTENT_TYPES[extension])
    response["Content-Disposition"] = disposition
    return response


def _agency_sessions(scope: Scope, organization_id: int, agency_ids: list[int]):
    """The sessions of the scope the agency was invited to, newest first, as a queryset: a page of them is read
    at a time, whatever the number of sessions behind the agency's figures."""
    roles = scope.roles or tuple(KmRole.values)
    bit = summaries.partner_bits(agency_ids)[organization_id]
    columns = {kind: [f"{kind}_{role}" for role in roles] for kind in summaries.MASK_KINDS}
    invited = functools.reduce(lambda a, b: a.bitor(b), (F(name) for name in columns["invited"]))
    return (
        scope.sessions()
        .alias(agency_invited=ExpressionWrapper(invited.bitand(bit), output_field=IntegerField()))
        .filter(agency_invited__gt=0)
        .order_by("-date", "-code")
        .values_list(
            "pk", "code", "date", "title", "chair_attended", *columns["represented"], *columns["in_person"]
        )
    )


def _session_states(rows, organization_id: int, agency_ids: list[int], width: int) -> list[tuple]:
    """(pk, code, date, title, chair attended, the agency's state) for a page of _agency_sessions."""
    bit = summaries.partner_bits(agency_ids)[organization_id]
    out = []
    for pk, code, date, title, chair, *masks in rows:
        represented, in_person = (
            functools.reduce(operator.or_, masks[:width]),
            functools.reduce(operator.or_, masks[width:]),
        )
        if in_person & bit:
            state = "in_person"
        elif represented & bit:
            state = "representative"
        else:
            state = "absent"
        out.append((pk, code, date, title, chair, state))
    return out


def _people_cells(rows, can_view_people: bool) -> dict[int, str]:
    """Each session's people of the agency as one HTML cell (name, linked to the person's history when the
    reader may see people, the status, the representative): written like the heatmap, with one reverse() for
    all the links instead of one per person, and every value escaped."""
    address = _address_of("agencies:person_detail")
    statuses = {value: str(label) for value, label in Attendance.Status.choices}
    cells: dict[int, list[str]] = {}
    for session_id, code, title, first, last, status, rep_title, rep_first, rep_last in rows:
        name = html.escape(full_name(title, first, last))
        if can_view_people:
            name = f'<a href="{address(code)}">{name}</a>'
        shown = html.escape(statuses.get(status, status) or "–")  # as get_status_display|default:"–"
        representative = ""
        if rep_first is not None or rep_last is not None:
            representative = f" ({html.escape(full_name(rep_title or '', rep_first or '', rep_last or ''))})"
        cells.setdefault(session_id, []).append(f"{name}: {shown}{representative}")
    return {session_id: mark_safe("<br>".join(parts)) for session_id, parts in cells.items()}


def _agency_body(scope: Scope, organization, figures, page, can_view_people: bool) -> str:
    # The page's sessions found through their index; the agency compared as a value (+ 0), not through its own
    # index: a partner agency has tens of thousands of rows, and SQLite's planner, which knows only the average
    # organization (a few hundred), chose that index and read them all (13 ms at province scale; 1 ms so).
    attendance = (
        Attendance.objects.filter(session__in=[s[0] for s in page.object_list])
        .alias(agency=ExpressionWrapper(F("organization_id") + 0, output_field=IntegerField()))
        .filter(agency=organization.pk)
        .order_by("person__first_name", "person__code")
    )
    if scope.roles:
        attendance = attendance.filter(role__in=scope.roles)
    people = _people_cells(
        attendance.values_list(
            "session_id", "person__code", "person__title", "person__first_name", "person__last_name", "status",
            "representative__title", "representative__first_name", "representative__last_name",
        ),
        can_view_people,
    )  # fmt: skip
    sessions = [
        ({"code": c, "date": d, "title": t, "chair_attended": chair}, state, people.get(pk, ""))
        for pk, c, d, t, chair, state in page.object_list
    ]
    context = {
        "organization": organization,
        "figures": figures,
        "sessions": sessions,
        "page": page,
        "query": scope_query(scope),
        "can_view_people": can_view_people,
    }
    return render_to_string("analytics/includes/agency_body.html", context)


@require_safe
def agency_detail(request, code):
    """Drill-down: the sessions and the people behind one agency's figures, in the same scope, a page of
    sessions at a time."""
    organization = access.partner_for_user(request.user, code)
    form = ScopeForm(request.GET)
    scope = form.scope()
    can_view_people = request.user.has_perm("agencies.view_person")
    language = get_language() or "th"
    # The page as asked for (a number, or the first page): a cached page is read without the agency's whole
    # list of sessions, which at province scale is thousands of entries to unpickle.
    requested = request.GET.get("page", "")
    requested = requested if requested.isdigit() and len(requested) <= 6 else "1"

    def build_body():
        report = cache.report(scope)
        figures = next(a for a in report.agencies if a.organization.pk == organization.pk)
        agency_ids = [a.organization.pk for a in report.agencies]
        sessions = KnownCount(_agency_sessions(scope, organization.pk, agency_ids), figures.invited_sessions)
        page = Paginator(sessions, DRILL_SESSIONS_PER_PAGE).get_page(requested)
        width = len(scope.roles or KmRole.values)
        page.object_list = _session_states(list(page.object_list), organization.pk, agency_ids, width)
        return _agency_body(scope, organization, figures, page, can_view_people)

    body = cache.cached(
        "agency-page",
        scope,
        build_body,
        organization.code,
        requested,
        "people" if can_view_people else "",
        language,
    )
    context = {
        "organization": organization,
        "scope_title": cache.cached("title", scope, lambda: scope_title(scope), language),
        "query": scope_query(scope),
        "body": mark_safe(body),
    }
    return render(request, "analytics/agency_detail.html", context)
