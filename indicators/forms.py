"""The entry form of one unit's year: one line per target of the term."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from indicators.models import Measure, Result, Target, UnitQuota
from indicators.services import ResultRow

# "2.078" or "2 078": Vietnamese thousands grouping, typed by hand.
THOUSANDS = re.compile(r"\d{1,3}([. ]\d{3})+")

FIGURE_FIELDS = {
    Measure.COUNT: ("value",),
    Measure.RATIO: ("numerator", "denominator"),
    Measure.FLAG: ("flag",),
}


class WholeNumberField(forms.IntegerField):
    """A whole number, accepting Vietnamese grouping ("2.078")."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "size": 8, "class": "num"})

    def to_python(self, value):
        if isinstance(value, str):
            text = value.strip()
            if THOUSANDS.fullmatch(text):
                value = text.replace(".", "").replace(" ", "")
        return super().to_python(value)


def _flag_choice(value: str) -> bool | None:
    return {"1": True, "0": False}.get(value)


class ResultLineForm(forms.Form):
    """One target's line: its figure (by measure), estimate, note, evidence, version."""

    is_estimate = forms.BooleanField(label=_("estimate"), required=False)
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.TextInput(attrs={"size": 18})
    )
    evidence = forms.CharField(
        label=_("evidence"),
        required=False,
        max_length=255,
        widget=forms.TextInput(attrs={"size": 12}),
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, target: Target, result: Result | None, **kwargs) -> None:
        self.target = target
        self.result = result
        kwargs.setdefault("prefix", f"t{target.pk}")
        if result is not None:
            kwargs.setdefault("initial", {})
            kwargs["initial"].update(
                {
                    name: getattr(result, name)
                    for name in ("value", "numerator", "denominator", "is_estimate", "note")
                }
            )
            kwargs["initial"]["evidence"] = result.evidence
            kwargs["initial"]["flag"] = "" if result.flag is None else ("1" if result.flag else "0")
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = result.version if result is not None else 0
        if target.measure == Measure.COUNT:
            self.fields["value"] = WholeNumberField(label=target.unit_label, required=False)
        elif target.measure == Measure.RATIO:
            self.fields["numerator"] = WholeNumberField(label=_("numerator"), required=False)
            self.fields["denominator"] = WholeNumberField(label=_("denominator"), required=False)
        else:
            self.fields["flag"] = forms.TypedChoiceField(
                label=_("yes / no"),
                required=False,
                choices=[("", "—"), ("1", _("Yes")), ("0", _("No"))],
                coerce=_flag_choice,
                empty_value=None,
            )
        if result is not None:
            self.fields["delete"] = forms.BooleanField(label=_("Delete"), required=False)
        self.order_fields([*FIGURE_FIELDS[Measure(target.measure)], "is_estimate", "note"])

    @property
    def figure_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in FIGURE_FIELDS[Measure(self.target.measure)]]

    def to_row(self) -> ResultRow:
        data = self.cleaned_data
        return ResultRow(
            target=self.target,
            value=data.get("value"),
            numerator=data.get("numerator"),
            denominator=data.get("denominator"),
            flag=data.get("flag"),
            is_estimate=data.get("is_estimate", False),
            note=data.get("note", "").strip(),
            evidence=data.get("evidence", "").strip(),
            version=data["version"],
            delete=data.get("delete", False),
        )

    def add_service_errors(self, error: ValidationError) -> None:
        """Errors of Result.clean() next to their box; others above the line."""
        for name, messages in error.message_dict.items():
            field = name if name in self.fields else None
            for message in messages:
                self.add_error(field if field != NON_FIELD_ERRORS else None, message)


@dataclass
class EntryLine:
    """What the page shows for one target: the form, last year's figure, the quota."""

    target: Target
    form: ResultLineForm
    last_year: Result | None
    quota: Decimal | None
    stale: bool = False
    saved_meanwhile: Result | None = None


def entry_lines(
    *,
    targets: list[Target],
    results: dict[int, Result],
    last_year: dict[int, Result],
    quotas: dict[int, UnitQuota],
    data=None,
) -> list[EntryLine]:
    return [
        EntryLine(
            target=target,
            form=ResultLineForm(data, target=target, result=results.get(target.pk)),
            last_year=last_year.get(target.pk),
            quota=quotas[target.pk].value if target.pk in quotas else None,
        )
        for target in targets
    ]


class EntryPickForm(forms.Form):
    """The `/entry/` page's choice of a unit and a year."""

    unit = forms.TypedChoiceField(label=_("unit"), coerce=int)
    year = forms.TypedChoiceField(label=_("year"), coerce=int)

    def __init__(self, *args, units, years, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [
            (unit.pk, "\u2003" * (unit.depth - units[0].depth) + unit.name) for unit in units
        ]
        self.fields["year"].choices = [(year, str(year)) for year in years]
