from django.urls import path

from onboarding import views

app_name = "setup"

urlpatterns = [
    path("units/", views.units_setup, name="units"),
    path("units/export.csv", views.units_export, {"fmt": "csv"}, name="units_csv"),
    path("units/export.xlsx", views.units_export, {"fmt": "xlsx"}, name="units_xlsx"),
    path("units/template.xlsx", views.units_template, name="units_template"),
]
urlpatterns += [
    path("", views.setup_index, name="index"),
    path("terms/<int:term_id>/targets/", views.targets_setup, name="targets"),
    path(
        "terms/<int:term_id>/targets/export.csv",
        views.targets_export,
        {"fmt": "csv"},
        name="targets_csv",
    ),
    path(
        "terms/<int:term_id>/targets/export.xlsx",
        views.targets_export,
        {"fmt": "xlsx"},
        name="targets_xlsx",
    ),
    path(
        "terms/<int:term_id>/targets/template.xlsx",
        views.targets_template,
        name="targets_template",
    ),
]
urlpatterns += [
    path("targets/<int:target_id>/quotas/", views.quota_grid_page, name="quota_grid"),
    path("terms/<int:term_id>/quotas/", views.quotas_setup, name="quotas"),
    path(
        "terms/<int:term_id>/quotas/export.csv",
        views.quotas_export,
        {"fmt": "csv"},
        name="quotas_csv",
    ),
    path(
        "terms/<int:term_id>/quotas/export.xlsx",
        views.quotas_export,
        {"fmt": "xlsx"},
        name="quotas_xlsx",
    ),
    path("terms/<int:term_id>/quotas/template.xlsx", views.quotas_template, name="quotas_template"),
]
urlpatterns += [
    path("terms/<int:term_id>/copy/", views.term_copy_page, name="term_copy"),
]
