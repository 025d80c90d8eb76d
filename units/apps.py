from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnitsConfig(AppConfig):
    name = "units"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from units import numbers
        from units.models import Unit, UnitPeriod, tree_changed, units_touched

        numbers.install()
        # Whatever changes the tree tells `units_changed` (Unit.save and the bulk
        # writers call `units_touched` themselves).
        post_save.connect(units_touched, sender=UnitPeriod, dispatch_uid="units_period_saved")
        post_delete.connect(units_touched, sender=UnitPeriod, dispatch_uid="units_period_gone")
        post_delete.connect(units_touched, sender=Unit, dispatch_uid="units_unit_gone")
        tree_changed.connect(units_touched, dispatch_uid="units_tree_changed")
