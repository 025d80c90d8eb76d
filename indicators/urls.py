from django.urls import path

from indicators import views

app_name = "entry"
urlpatterns = [
    path("", views.entry_pick, name="pick"),
    path("<int:unit_id>/<int:year>/", views.entry_form, name="form"),
    path("<int:unit_id>/<int:year>/state/", views.entry_year_state, name="year_state"),
    path("review/", views.entry_review_list, name="review"),
]
