"""The admin's history lines in the user's language: field labels, choices by their
names, "—" for nothing, numbers and dates the local way.

django-simple-history formats each change with a context helper; this one
replaces its `str()` of the raw value ("None", "adopted", "2026-11-27 05:19:27+00:00",
"Deleted user (pk=None)").
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.translation import gettext as _
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

from units.numbers import number_text

NOTHING = "—"


def history_value(value: Any, field=None) -> str:
    """A recorded value as the admin shows it."""
    if value is None or value == "" or (isinstance(value, DeletedObject) and value.pk is None):
        return NOTHING
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int | Decimal):
        name = field.name if field is not None else ""
        is_year = name == "year" or name.endswith("_year")
        return str(value) if is_year else number_text(value)
    if isinstance(value, datetime.datetime):
        return localize(timezone.localtime(value) if timezone.is_aware(value) else value)
    if isinstance(value, datetime.date):
        return localize(value)
    return str(value)


class ReadableChanges(HistoricalRecordContextHelper):
    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if field.many_to_many:
            return super().prepare_delta_change_value(change, value)
        return history_value(value, field)

    def stringify_delta_change_values(self, change, old, new):
        if isinstance(old, list) or isinstance(new, list):
            return super().stringify_delta_change_values(change, old, new)
        return conditional_escape(old), conditional_escape(new)
