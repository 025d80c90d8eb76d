from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("Resolution targets")

    def ready(self) -> None:
        from indicators import rollup, unit_counts

        rollup.connect()
        unit_counts.connect()
        from indicators.services import results_after_end
        from units.events import register_end_check

        register_end_check(results_after_end)
