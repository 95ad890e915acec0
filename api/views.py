"""The dataset page (/open-data/) and its CKAN-compatible metadata (/open-data/catalog.json), which a data.go.th
administrator can harvest: what the downloads are, their licence and the period they cover."""

import datetime as dt

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db.models import Max, Min
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from forums.models import ForumSession

LICENSE = {
    "license_id": "CC-BY-4.0",
    "license_title": "Creative Commons Attribution 4.0",
    "license_url": "https://creativecommons.org/licenses/by/4.0/",
}
CACHE_SECONDS = 300


def _resources():
    """(name, description, JSON path, CSV path) of each dataset resource."""
    return [
        (
            _("Forum sessions"),
            _("Code, title, date, circle, tambon, format, status and head counts of every forum session."),
            "api:sessions",
            "api:sessions_csv",
        ),
        (
            _("Partner agencies' attendance"),
            _(
                "Attendance rate, in-person rate, representative share, streaks and chair effect of the nine agencies."
            ),
            "api:agencies",
            "api:agencies_csv",
        ),
        (
            _("Monthly attendance trend"),
            _("Each partner agency's attendance rate per month."),
            "api:trends",
            "api:trends_csv",
        ),
        (
            _("Tambons and program phases"),
            _("Tambons of the province (DOPA codes) with their phase in the program."),
            "api:tambons",
            "api:tambons_csv",
        ),
    ]


def _coverage():
    def build():
        span = ForumSession.objects.held().aggregate(start=Min("date"), end=Max("date"))
        return {k: v.isoformat() if v else None for k, v in span.items()}

    return cache.get_or_set("open-data:coverage", build, CACHE_SECONDS)


@login_not_required
@require_safe
def open_data(request):
    resources = [
        {"name": name, "description": text, "json": reverse(json_name), "csv": reverse(csv_name)}
        for name, text, json_name, csv_name in _resources()
    ]
    coverage = {k: dt.date.fromisoformat(v) if v else None for k, v in _coverage().items()}
    context = {
        "resources": resources,
        "coverage": coverage,
        "license": LICENSE,
        "calendar_circles": [
            ("eua", _("Khun Eua circle")),
            ("eua_amnuay", _("Khun Eua and Khun Amnuay circle")),
            ("all", _("Three-party circle")),
        ],
    }
    return render(request, "api/open_data.html", context)


@login_not_required
@require_safe
def catalog(request):
    """One dataset in the shape of CKAN's package_show answer."""
    base = settings.PORTAL_BASE_URL
    coverage = _coverage()
    resources = []
    for name, text, json_name, csv_name in _resources():
        resources.append(
            {"name": f"{name} (JSON)", "description": text, "format": "JSON",
             "mimetype": "application/json", "url": base + reverse(json_name)}
        )  # fmt: skip
        resources.append(
            {"name": f"{name} (CSV)", "description": text, "format": "CSV",
             "mimetype": "text/csv", "url": base + reverse(csv_name)}
        )  # fmt: skip
    resources.append(
        {"name": "OpenAPI 3", "description": _("Description of every endpoint of the API."), "format": "JSON",
         "mimetype": "application/vnd.oai.openapi+json", "url": base + reverse("api:openapi-json")}
    )  # fmt: skip
    package = {
        "name": "nakhon-si-thammarat-km-forums",
        "title": _("Knowledge-management forums of Nakhon Si Thammarat: attendance and consistency"),
        "notes": _(
            "Forum sessions of the knowledge-management program for community finance organizations of Nakhon Si "
            "Thammarat province, and how consistently the nine partner agencies attend them. Aggregates only: no "
            "personal data."
        ),
        **LICENSE,
        "url": base + reverse("open_data:index"),
        "language": ["th", "en"],
        "tags": [
            {"name": name} for name in ("knowledge-management", "community-finance", "nakhon-si-thammarat")
        ],
        "organization": {"name": "nakhon-si-thammarat-km", "title": _("Nakhon Si Thammarat KM program")},
        "temporal_coverage_start": coverage["start"],
        "temporal_coverage_end": coverage["end"],
        "extras": [
            {"key": "temporal_coverage_start", "value": coverage["start"] or ""},
            {"key": "temporal_coverage_end", "value": coverage["end"] or ""},
            {"key": "update_frequency", "value": "daily"},
            {"key": "spatial", "value": "TH-80"},
        ],
        "num_resources": len(resources),
        "resources": resources,
    }
    return JsonResponse({"success": True, "result": package}, json_dumps_params={"ensure_ascii": False})
