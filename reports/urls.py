from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("targets/<int:pk>/", views.target_detail, name="target"),
    path("units/<int:pk>/", views.unit_scorecard, name="unit"),
    path("completeness/", views.completeness, name="completeness"),
]
