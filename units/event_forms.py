"""The admin's form for recording a reorganisation of one unit (`units.events`)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from units.events import (
    EventRefused,
    NewUnit,
    Outcome,
    unit_dissolve,
    unit_merge,
    unit_move,
    unit_rename,
    unit_split,
)
from units.models import EventKind, Unit

EVENT_CHOICES = [
    (EventKind.MOVE, _("Move under another unit")),
    (EventKind.DISSOLVE, _("Dissolve")),
    (EventKind.MERGE, _("Merge")),
    (EventKind.SPLIT, _("Split")),
    (EventKind.RENAME, _("Rename")),
]


class ReorganiseForm(forms.Form):
    event = forms.ChoiceField(label=_("Change"), choices=EVENT_CHOICES)
    when = forms.DateField(label=_("Takes effect on"), help_text=_("dd/mm/yyyy"))
    decision_number = forms.CharField(label=_("Decision number"), max_length=64)
    decision_date = forms.DateField(label=_("Decision date"), required=False)
    parent = forms.ModelChoiceField(
        label=_("New parent unit (a move)"), queryset=Unit.objects.none(), required=False
    )
    merge_with = forms.ModelMultipleChoiceField(
        label=_("Units merged with it (a merger)"),
        queryset=Unit.objects.none(),
        required=False,
    )
    merge_into = forms.ModelChoiceField(
        label=_("Merged into an existing unit"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("Leave empty to create the unit below."),
    )
    new_units = forms.CharField(
        label=_("New units (a merger or a split)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("One a line: code; name."),
    )
    new_name = forms.CharField(label=_("New name (a renaming)"), max_length=255, required=False)

    def __init__(self, *args, unit: Unit, units, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.unit = unit
        alive = units.filter(ended_on__isnull=True).exclude(pk=unit.pk)
        self.fields["parent"].queryset = alive.exclude(path__startswith=unit.path)
        self.fields["merge_with"].queryset = alive
        self.fields["merge_into"].queryset = alive

    def new_unit_lines(self) -> list[NewUnit]:
        lines = []
        for number, line in enumerate(self.cleaned_data["new_units"].splitlines(), start=1):
            if not line.strip():
                continue
            code, _sep, name = line.partition(";")
            if not code.strip() or not name.strip():
                raise EventRefused(
                    _("Line %(number)s of the new units: write the code, a semicolon, the name.")
                    % {"number": number}
                )
            lines.append(NewUnit(name=name.strip(), code=code.strip()))
        return lines

    def run(self, *, preview: bool) -> Outcome:
        data = self.cleaned_data
        common = {
            "when": data["when"],
            "decision_number": data["decision_number"],
            "decision_date": data["decision_date"],
            "preview": preview,
        }
        event = data["event"]
        if event == EventKind.MOVE:
            if data["parent"] is None:
                raise EventRefused(_("Choose the new parent unit."))
            return unit_move(unit=self.unit, parent=data["parent"], **common)
        if event == EventKind.DISSOLVE:
            return unit_dissolve(unit=self.unit, **common)
        if event == EventKind.RENAME:
            return unit_rename(unit=self.unit, name=data["new_name"], **common)
        new_units = self.new_unit_lines()
        if event == EventKind.MERGE:
            into = data["merge_into"] or (new_units[0] if len(new_units) == 1 else None)
            if into is None:
                raise EventRefused(
                    _("Choose the unit it merges into, or write one new unit to create.")
                )
            units = [self.unit, *data["merge_with"]]
            return unit_merge(units=units, into=into, **common)
        return unit_split(unit=self.unit, into=new_units, **common)
