from django.urls import path

from reviews import documents, views

app_name = "reviews"
urlpatterns = [
    path("", views.review_list, name="list"),
    path("<int:pk>/", views.review_detail, name="detail"),
    path("<int:pk>/units/<int:unit_pk>/", views.review_detail, name="scope"),
    path("<int:pk>/adopt/", views.review_adopt_view, name="adopt"),
    path("<int:pk>/reopen/", views.review_reopen_view, name="reopen"),
    path("<int:pk>/appendix.<str:fmt>", documents.appendix, name="appendix"),
    path("<int:pk>/print/", documents.print_appendix, name="print"),
]
