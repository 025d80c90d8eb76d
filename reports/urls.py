from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("units/<int:pk>/", views.dashboard, name="unit"),
]
