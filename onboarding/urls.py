from django.urls import path

from onboarding import views

app_name = "setup"

urlpatterns = [
    path("units/", views.units_setup, name="units"),
    path("units/export.csv", views.units_export, {"fmt": "csv"}, name="units_csv"),
    path("units/export.xlsx", views.units_export, {"fmt": "xlsx"}, name="units_xlsx"),
    path("units/template.xlsx", views.units_template, name="units_template"),
]
