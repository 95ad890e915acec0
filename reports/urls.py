from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("governor-brief.pdf", views.governor_brief, name="governor_brief"),
]
