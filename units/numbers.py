"""Numbers in the admin as the entry form reads and writes them: "2.078", "12,5".

Django's admin shows an integer through `number_format` with the thousands
separator on, so a year reads "2.021"; it shows a decimal with all its places
("9,00"); and its number boxes expect "3200.00". Here a year is shown as
digits, a whole number without decimals, and the boxes read and write the
active language's format (Vietnamese grouping by dots, decimal comma).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib.admin import helpers, utils
from django.contrib.admin.templatetags import admin_list
from django.db import models
from django.utils import formats

# Digits grouped by threes with the active thousands separator, then an
# optional decimal part: "2.078", "2.078,5", "12,5", "3200".
SPACES = re.compile(r"[\s\u00a0\u202f]")


def is_year_field(field) -> bool:
    return isinstance(field, models.IntegerField) and (
        field.name == "year" or field.name.endswith("_year")
    )


def number_text(value, *, grouping: bool = True) -> str:
    """A number in the active language's format, whole numbers without decimals."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    places = max(0, -value.normalize().as_tuple().exponent) if value != 0 else 0
    if value == value.to_integral_value():
        places = 0
    return formats.number_format(value, places, use_l10n=True, force_grouping=grouping)


def number_from_text(text: str) -> Decimal | None:
    """The number a person typed in the active language's format, or None.

    "2.078" is two thousand and seventy-eight in Vietnamese, "12,5" twelve and a
    half. A number typed the English way ("3200.00", "12.5") is read too when
    the dot cannot be a thousands separator (not followed by exactly three digits).
    """
    text = SPACES.sub("", text or "")
    if not text:
        return None
    thousands = formats.get_format("THOUSAND_SEPARATOR")
    decimal = formats.get_format("DECIMAL_SEPARATOR")
    sign = ""
    if text[0] in "+-":
        sign, text = text[0].replace("+", ""), text[1:]
    whole, _, fraction = text.partition(decimal)
    grouped = re.fullmatch(r"\d{1,3}(" + re.escape(thousands) + r"\d{3})+", whole)
    if grouped:
        whole = whole.replace(thousands, "")
    elif decimal != "." and "." in whole and not fraction:
        # Not Vietnamese grouping: the English decimal point ("12.5").
        whole, _, fraction = whole.partition(".")
    if not whole.isdigit() or not whole.isascii() or (fraction and not fraction.isdigit()):
        return None
    try:
        return Decimal(f"{sign}{whole}.{fraction or 0}")
    except InvalidOperation:
        return None


class LocalizedNumberInput(forms.TextInput):
    def __init__(self, attrs=None, *, whole: bool = False):
        attrs = {"inputmode": "numeric" if whole else "decimal", "size": 12, **(attrs or {})}
        super().__init__(attrs)

    def format_value(self, value):
        if isinstance(value, int | float | Decimal):
            return number_text(value)
        return super().format_value(value)


class LocalizedDecimalField(forms.DecimalField):
    """A decimal box reading and showing "2.078" and "12,5"."""

    def __init__(self, **kwargs):
        kwargs.pop("localize", None)
        kwargs["widget"] = LocalizedNumberInput
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str) and value.strip():
            number = number_from_text(value)
            if number is None:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            value = str(number)
        return super().to_python(value)

    def widget_attrs(self, widget):
        # No "step"/"min" attributes: the box is text, checked on the server.
        return {}


class LocalizedIntegerField(forms.IntegerField):
    """A whole-number box reading and showing "2.078"."""

    def __init__(self, **kwargs):
        kwargs.pop("localize", None)
        kwargs["widget"] = LocalizedNumberInput(whole=True)
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str) and value.strip():
            number = number_from_text(value)
            if number is None or number != number.to_integral_value():
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            value = str(int(number))
        return super().to_python(value)

    def widget_attrs(self, widget):
        return {}


def localized_formfield(db_field, **kwargs):
    """The admin's form field for a number: localized, except years and orders."""
    if db_field.choices or is_year_field(db_field) or db_field.name == "order":
        return None
    if isinstance(db_field, models.DecimalField):
        return db_field.formfield(form_class=LocalizedDecimalField, **kwargs)
    if isinstance(db_field, models.IntegerField):
        return db_field.formfield(form_class=LocalizedIntegerField, **kwargs)
    return None


class LocalizedNumbersAdminMixin:
    """Admin number boxes in the active language's format ("2.078", "12,5")."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = localized_formfield(db_field, **kwargs)
        if field is not None:
            return field
        return super().formfield_for_dbfield(db_field, request, **kwargs)


_display_for_field = utils.display_for_field


def display_for_field(value, field, empty_value_display, avoid_link=False):
    """The admin's display of a value: years as digits, numbers without idle decimals."""
    if value is None or getattr(field, "flatchoices", None):
        return _display_for_field(value, field, empty_value_display, avoid_link)
    if is_year_field(field):
        return str(value)
    if isinstance(field, models.DecimalField | models.IntegerField):
        return number_text(value)
    return _display_for_field(value, field, empty_value_display, avoid_link)


def install() -> None:
    """Put `display_for_field` where the admin's changelist and read-only fields call it."""
    for module in (utils, helpers, admin_list):
        module.display_for_field = display_for_field
