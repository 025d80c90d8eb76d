from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from reports.export_views import print_summary

handler500 = "units.views.server_error"

admin.site.site_header = admin.site.site_title = "Theo dõi Nghị quyết Đại hội"

urlpatterns = [
    path("admin/setup/", include("onboarding.urls")),
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("exports/", include("reports.export_urls")),
    path("entry/", include("indicators.urls")),
    path("reports/print/", print_summary, name="print_report"),
    path("reviews/", include("reviews.urls")),
    path("", include("reports.urls")),
]
