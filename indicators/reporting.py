"""Who reports what: the rules of docs/domain.md, "Who reports a target".

- Units of the target's level report it.
- Counts and ratios may also be entered by units below that level (the cells
  of a grassroots committee); their figures add up.
- A yes/no target is reported only at its level (one answer per unit).
- A committee-level target is reported only by the term's committee itself.

The entry form lists only the targets a unit reports; the import and the admin
refuse the others with `report_refusal`'s message, which names who reports it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from indicators.models import Level, Measure, Result, Target, Term
from units.models import Unit


def ancestor_kinds(unit: Unit) -> frozenset[str]:
    """The kinds of the units above `unit` (one query)."""
    return ancestor_kinds_of([unit])[unit.pk]


def ancestor_kinds_of(units: Iterable[Unit]) -> dict[int, frozenset[str]]:
    """The kinds of the units above each of `units`, by unit id: one query for the
    ancestors that are not among `units` themselves (none when all are)."""
    units = list(units)
    kinds = {unit.path: unit.kind for unit in units}
    above = {path for unit in units for path in unit.lineage if path != unit.path}
    if missing := above - kinds.keys():
        kinds |= dict(Unit.objects.filter(path__in=missing).values_list("path", "kind"))
    return {
        unit.pk: frozenset(kinds[path] for path in unit.lineage[:-1] if path in kinds)
        for unit in units
    }


def reports(*, target: Target, unit: Unit, above: frozenset[str] | None = None) -> bool:
    """Whether `unit` reports `target`. `above`: the kinds above the unit, if known."""
    return report_refusal(target=target, unit=unit, above=above) is None


def report_refusal(
    *, target: Target, unit: Unit, above: frozenset[str] | None = None
) -> str | None:
    """Why `unit` may not report `target`, naming who reports it; None when it may.

    `above` (the kinds of the unit's ancestors) saves a query when many targets
    are checked for one unit.
    """
    level = Level(target.level)
    is_committee = unit.pk == target.term.root_unit_id
    if level == Level.COMMITTEE:
        if is_committee:
            return None
        message = _(
            "Target %(code)s is reported only by the committee itself (%(committee)s); "
            "%(unit)s does not report it."
        )
    elif target.measure == Measure.FLAG:
        if not is_committee and unit.kind in level.kinds:
            return None
        message = _("Target %(code)s is reported only by %(level)s; %(unit)s does not report it.")
    else:
        if not is_committee and unit.kind in level.kinds:
            return None
        kinds = ancestor_kinds(unit) if above is None and not is_committee else above or set()
        if not is_committee and kinds & level.kinds:
            return None
        message = _(
            "Target %(code)s is reported by %(level)s and the units below them; "
            "%(unit)s does not report it."
        )
    return message % {
        "code": target.code,
        "committee": target.term.root_unit,
        "level": level.label.lower(),
        "unit": unit,
    }


def targets_reported_by(*, term: Term, unit: Unit) -> list[Target]:
    """The term's targets `unit` reports, in order (two queries)."""
    above = ancestor_kinds(unit)
    targets = term.targets.select_related("term__root_unit", "programme").order_by("order", "pk")
    return [target for target in targets if reports(target=target, unit=unit, above=above)]


def double_counts(*, term: Term, scope: Unit, year: int) -> QuerySet[Result]:
    """Possible double counts: results of a count or ratio in `year` entered by a unit in
    `scope` while a unit below it entered the same target for the same year (one query).

    Whether the upper figure already includes the lower ones only the units can
    tell: the entry form and the missing-reports page flag them.
    """
    below = Result.objects.filter(
        target=OuterRef("target"),
        year=OuterRef("year"),
        unit__path__startswith=OuterRef("unit__path"),
    ).exclude(unit=OuterRef("unit"))
    return (
        Result.objects.filter(
            target__term=term,
            year=year,
            unit__path__startswith=scope.path,
            target__measure__in=[Measure.COUNT, Measure.RATIO],
        )
        .filter(Exists(below))
        .select_related("target", "unit")
        .order_by("unit__path", "target__order", "target_id")
    )


def double_counted_targets(*, term: Term, unit: Unit, year: int) -> set[int]:
    """Targets `unit` entered for `year` that a unit above or below it entered too (one query)."""
    related = Result.objects.filter(
        target=OuterRef("target"), year=year, unit__path__startswith=unit.path
    ).exclude(unit=unit)
    above = Result.objects.filter(
        target=OuterRef("target"), year=year, unit__path__in=unit.lineage
    ).exclude(unit=unit)
    return set(
        Result.objects.filter(
            target__term=term,
            unit=unit,
            year=year,
            target__measure__in=[Measure.COUNT, Measure.RATIO],
        )
        .filter(Q(Exists(related)) | Q(Exists(above)))
        .values_list("target_id", flat=True)
    )
