"""Starting the next term from this one: its programmes and targets, under new years."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from indicators.models import Programme, Target, TargetYear, Term, UnitQuota
from onboarding.targets import FIELDS
from units.models import Unit, User

# A target goes into the new term with its code and every field a targets file sets;
# the user then edits the figures.
TARGET_FIELDS = ("code", *FIELDS)


@dataclass(frozen=True)
class NewTerm:
    name: str
    root_unit: Unit
    congress_number: int
    start_year: int
    end_year: int
    resolution_number: str = ""
    resolution_date: date | None = None


@transaction.atomic
def term_copy(*, term: Term, new: NewTerm, user: User, with_quotas: bool = False) -> Term:
    """A new term with `term`'s programmes and targets (not its results).

    Per-year targets and, when asked, quotas move with the years: the first
    reporting year of the old term becomes the first of the new one, and
    years beyond the new term's end are dropped. Quotas go only to units
    under the new term's committee.
    """
    copy = Term.objects.create(
        name=new.name,
        root_unit=new.root_unit,
        congress_number=new.congress_number,
        start_year=new.start_year,
        end_year=new.end_year,
        resolution_number=new.resolution_number,
        resolution_date=new.resolution_date,
    )
    shift = new.start_year - term.start_year
    programmes = {
        programme.pk: Programme.objects.create(
            term=copy, name=programme.name, order=programme.order
        )
        for programme in term.programmes.all()
    }
    targets = {}
    for target in term.targets.all():
        fields = {name: getattr(target, name) for name in TARGET_FIELDS}
        targets[target.pk] = Target.objects.create(
            term=copy, programme=programmes.get(target.programme_id), **fields
        )
    years = set(copy.years)
    TargetYear.objects.bulk_create(
        TargetYear(target=targets[old.target_id], year=old.year + shift, value=old.value)
        for old in TargetYear.objects.filter(target__term=term)
        if old.year + shift in years
    )
    if with_quotas:
        quotas = [
            UnitQuota(
                target=targets[old.target_id],
                unit_id=old.unit_id,
                year=None if old.year is None else old.year + shift,
                value=old.value,
            )
            for old in UnitQuota.objects.filter(
                target__term=term, unit__path__startswith=new.root_unit.path
            )
            if old.year is None or old.year + shift in years
        ]
        bulk_create_with_history(quotas, UnitQuota, batch_size=1000, default_user=user)
    return copy
