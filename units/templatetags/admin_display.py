"""The admin's history lines in the user's language: field labels, "—" for nothing."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from units.numbers import number_text

register = template.Library()


@register.filter
def field_label(opts, name: str) -> str:
    """The verbose name of a model's field ("value" → "Giá trị")."""
    try:
        return capfirst(opts.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


@register.filter
def history_value(value, field_name: str = "") -> str:
    """A recorded value as the admin shows it: "—" for none, numbers the local way."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int | Decimal):
        is_year = field_name == "year" or field_name.endswith("_year")
        return str(value) if is_year else number_text(value)
    return str(value)
