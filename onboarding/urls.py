from django.urls import path

from onboarding import views

app_name = "setup"


def sheet_paths(route: str, name: str, *, page, files) -> list:
    """An import's page, its exports (`<name>_csv`, `<name>_xlsx`) and its template."""
    return [
        path(route, page, name=name),
        path(f"{route}export.csv", files, {"fmt": "csv"}, name=f"{name}_csv"),
        path(f"{route}export.xlsx", files, {"fmt": "xlsx"}, name=f"{name}_xlsx"),
        path(f"{route}template.xlsx", files, {"fmt": "template"}, name=f"{name}_template"),
    ]


urlpatterns = [
    path("", views.setup_index, name="index"),
    *sheet_paths("units/", "units", page=views.units_setup, files=views.units_file),
    *sheet_paths(
        "units/events/",
        "unit_events",
        page=views.unit_events_setup,
        files=views.unit_events_file,
    ),
    *sheet_paths(
        "terms/<int:term_id>/targets/",
        "targets",
        page=views.targets_setup,
        files=views.targets_file,
    ),
    *sheet_paths(
        "terms/<int:term_id>/quotas/", "quotas", page=views.quotas_setup, files=views.quotas_file
    ),
    path("targets/<int:target_id>/quotas/", views.quota_grid_page, name="quota_grid"),
    path("terms/<int:term_id>/copy/", views.term_copy_page, name="term_copy"),
]
