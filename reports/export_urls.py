from django.urls import path, register_converter

from reports import export_views


class FormatConverter:
    # "vn.csv": ";"-separated with decimal commas, for Excel set to Vietnamese.
    regex = r"csv|xlsx|vn\.csv"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "fmt")

app_name = "exports"
urlpatterns = [
    path("summary.<fmt:fmt>", export_views.summary, name="summary"),
    path("targets/<int:pk>.<fmt:fmt>", export_views.target, name="target"),
    path("results.<fmt:fmt>", export_views.results, name="results"),
]
