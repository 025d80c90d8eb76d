from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnitsConfig(AppConfig):
    name = "units"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from units import numbers

        numbers.install()
