from django.urls import path

from analytics import views

app_name = "analytics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("agencies/<str:code>/", views.agency_detail, name="agency_detail"),
    path("export/<str:table>.<str:extension>", views.export, name="export"),
]
