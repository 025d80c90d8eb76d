from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.models import Term
from onboarding.terms import NewTerm
from units.models import Unit


class TermCopyForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("name"), max_length=255)
    root_unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(), label=gettext_lazy("committee")
    )
    congress_number = forms.IntegerField(
        label=gettext_lazy("congress number"), min_value=1, max_value=999
    )
    start_year = forms.IntegerField(
        label=gettext_lazy("start year"), min_value=1945, max_value=2200
    )
    end_year = forms.IntegerField(label=gettext_lazy("end year"), min_value=1946, max_value=2205)
    resolution_number = forms.CharField(
        label=gettext_lazy("resolution number"), max_length=64, required=False
    )
    resolution_date = forms.DateField(label=gettext_lazy("resolution date"), required=False)
    with_quotas = forms.BooleanField(
        label=gettext_lazy("Copy the units' quotas too"), required=False
    )

    def __init__(self, *args, term: Term, units, **kwargs) -> None:
        length = term.length
        kwargs.setdefault(
            "initial",
            {
                "name": term.name,
                "root_unit": term.root_unit_id,
                "congress_number": term.congress_number + 1,
                "start_year": term.end_year,
                "end_year": term.end_year + length,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["root_unit"].queryset = units

    def clean(self):
        data = super().clean()
        start, end = data.get("start_year"), data.get("end_year")
        if start is not None and end is not None and end <= start:
            self.add_error("end_year", _("The end year must come after the start year."))
        unit = data.get("root_unit")
        if (
            unit is not None
            and start is not None
            and Term.objects.filter(root_unit=unit, start_year=start).exists()
        ):
            self.add_error("start_year", _("This committee already has a term starting that year."))
        return data

    def new_term(self) -> NewTerm:
        data = self.cleaned_data
        return NewTerm(
            name=data["name"],
            root_unit=data["root_unit"],
            congress_number=data["congress_number"],
            start_year=data["start_year"],
            end_year=data["end_year"],
            resolution_number=data["resolution_number"],
            resolution_date=data["resolution_date"],
        )
