from django.urls import path

from api import views

app_name = "open_data"

urlpatterns = [
    path("", views.open_data, name="index"),
    path("catalog.json", views.catalog, name="catalog"),
]
