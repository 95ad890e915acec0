from django.urls import path

from agencies import views

app_name = "agencies"

urlpatterns = [
    path("agencies/", views.agency_list, name="agency_list"),
    path("organizations/<str:code>/", views.organization_detail, name="organization_detail"),
    path("tambons/", views.tambon_list, name="tambon_list"),
    path("people/", views.person_list, name="person_list"),
    path("people/<str:code>/", views.person_detail, name="person_detail"),
    path("people/<str:code>/export.json", views.person_export_json, name="person_export_json"),
    path("people/<str:code>/export.csv", views.person_export_csv, name="person_export_csv"),
    path("people/<str:code>/anonymize/", views.person_anonymize, name="person_anonymize"),
]
