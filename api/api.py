"""The API object: the open-data endpoints (anonymous, read-only) and the partner endpoints (bearer token).

django-ninja rather than Django REST Framework with drf-spectacular: the endpoints are a handful of read-only
aggregates and one write, and ninja's typed signatures give the validation and the OpenAPI 3 document from one
declaration, with one dependency instead of two. Its Swagger UI files ship inside the package and are served as
our own static files, with a start-up script in a file: nothing from a CDN, nothing inline for the CSP.
"""

from django.contrib.auth.decorators import login_not_required
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from api import partner, public

api = NinjaAPI(
    title="kmportal open data and partner API",
    version="1",
    description=(
        "Open data of the knowledge-management forums of Nakhon Si Thammarat province: sessions, partner "
        "agencies' attendance figures, monthly trends, tambons and program phases (no personal data). The "
        "partner endpoints need a bearer token issued by the portal's administrators."
    ),
    urls_namespace="api",
    openapi_url="/schema/",
    docs_url="/docs/",
    docs=Swagger(settings={"persistAuthorization": False}),
)
api.add_router("/v1/", public.router)
api.add_router("/v1/partner/", partner.router)


def urlpatterns():
    """The API's URL patterns, each open without a portal login (the partner ones check their own token)."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback = login_not_required(pattern.callback)
    return patterns, app_name, namespace
