from django.urls import path

from indicators import views

app_name = "entry"
urlpatterns = [
    path("", views.entry_pick, name="pick"),
    path("<int:unit_id>/<int:year>/", views.entry_form, name="form"),
]
