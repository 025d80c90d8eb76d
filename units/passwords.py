"""A password validator Django lacks: enough different characters.

Django's validators accept "aaaaaaaaaaaa" (twelve characters, not in the list
of common passwords, not all digits); so does "abababababab". A password must
hold at least `min_distinct` different characters.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class DistinctCharactersValidator:
    def __init__(self, min_distinct: int = 6) -> None:
        self.min_distinct = min_distinct

    def validate(self, password: str, user=None) -> None:
        if len(set(password.casefold())) < self.min_distinct:
            raise ValidationError(
                ngettext(
                    "This password repeats too few characters: use at least %(min)d different one.",
                    "This password repeats too few characters: "
                    "use at least %(min)d different ones.",
                    self.min_distinct,
                )
                % {"min": self.min_distinct},
                code="password_too_repetitive",
            )

    def get_help_text(self) -> str:
        return _("Your password must contain at least %(min)d different characters.") % {
            "min": self.min_distinct
        }
