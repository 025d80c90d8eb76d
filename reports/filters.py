"""Filters of the target detail's unit table.

Sector and kind filter the units directly below the scope (a queryset); status
and "has not reported" are read from the engine's rows by the view.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from indicators.engine import Status
from units.models import Kind, Sector, Unit


class UnitBreakdownFilter(django_filters.FilterSet):
    # Named as the unit's field ("Loại hình"), not "Khối", which reads as the bloc committee.
    sector = django_filters.ChoiceFilter(
        label=capfirst(Unit._meta.get_field("sector").verbose_name), choices=Sector.choices
    )
    kind = django_filters.ChoiceFilter(label=_("Kind of unit"), choices=Kind.choices)
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Status.choices, method="on_engine_rows"
    )
    not_reported = django_filters.BooleanFilter(
        label=_("Has not reported"), widget=forms.CheckboxInput, method="on_engine_rows"
    )

    class Meta:
        model = Unit
        fields = ["sector", "kind"]

    def on_engine_rows(self, queryset, name, value):
        # Applied to the engine's rows by the view, not to the units.
        return queryset
