from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from api.api import urlpatterns as api_urlpatterns
from portal import views

admin.site.site_header = "kmportal"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("privacy/", views.privacy, name="privacy"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("accounts/", include("accounts.urls")),
    path("", include("agencies.urls")),
    path("forums/", include("forums.urls")),
    path("", include("forums.public_urls")),
    path("api/", api_urlpatterns()),
    path("open-data/", include("api.urls")),
    path("reports/", include("reports.urls")),
    path("dashboard/", include("analytics.urls")),
    path("lessons/", include("lessons.urls")),
    path("admin/", admin.site.urls),
]
