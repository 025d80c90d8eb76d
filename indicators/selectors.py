"""Named read entry points of the indicators app."""

from __future__ import annotations

import operator
from collections import Counter, defaultdict
from functools import reduce

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)

from indicators.models import Frequency, Level, Result, Target, Term
from units.models import Unit, UnitPeriod
from units.selectors import (
    around_scope,
    holding_day,
    placed_under,
    term_tree_units,
    units_of_year,
)


def held_by_ended_committee(unit: Unit, lookup: str = "root_unit") -> Exists:
    """Terms (at `lookup`, their committee) of a committee that has ended and had `unit`
    in its tree on its last day: the tree its term reads from then (`units.selectors`)."""
    return Exists(
        UnitPeriod.objects.filter(
            holding_day(OuterRef(f"{lookup}__ended_on")),
            unit=unit,
            path__startswith=OuterRef(f"{lookup}__path"),
        )
    )


def terms_holding(unit: Unit) -> QuerySet[Term]:
    """The terms the unit's results are entered under: those of the committees above
    it (or its own), and those of an ended committee that had it on its last day."""
    return Term.objects.filter(
        Q(root_unit__path__in=unit.lineage) | held_by_ended_committee(unit)
    ).select_related("root_unit")


def succeeded_within(scope: Unit, lookup: str = "root_unit") -> Exists:
    """Terms (at `lookup`, their committee) of a committee succeeded by the scope or a
    unit below it: a successor's leaders read the terms of the committees it replaced."""
    return Exists(
        Unit.successors.through.objects.filter(
            from_unit=OuterRef(f"{lookup}_id"), to_unit__path__startswith=scope.path
        )
    )


def terms_visible_to(scope: Unit | None) -> QuerySet[Term]:
    """Terms of committees under or above the user's scope (every term for whoever sees all).

    A committee that has ended keeps its terms readable: to the users of the
    units it had on its last day (wherever they are now) and to those of its
    successors and above them. The terms whose committee holds (or held) the
    scope come first (the newest first), so that a page without `?term=` opens
    on the user's own committee's term; the others follow.
    """
    terms = Term.objects.select_related("root_unit")
    if scope is None:
        return terms
    prefixes = scope.lineage
    if scope.pk is None:  # `NO_UNIT`: matches nothing
        return terms.filter(around_scope(scope, "root_unit__path"))
    held = held_by_ended_committee(scope)
    return (
        terms.filter(around_scope(scope, "root_unit__path") | held | succeeded_within(scope))
        .annotate(
            below_scope=Case(
                When(Q(root_unit__path__in=prefixes) | held, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("below_scope", "-start_year", "name")
    )


def _level_kinds(targets: list[Target]) -> tuple[dict[str, set[str]], set[int]]:
    """Per unit kind, the codes of the levels it reports; and the committee-level targets."""
    levels_by_kind: dict[str, set[str]] = defaultdict(set)
    committee = set()
    for target in targets:
        kinds = Level(target.level).kinds
        if kinds is None:
            committee.add(target.pk)
            continue
        for kind in kinds:
            levels_by_kind[kind].add(target.level)
    return levels_by_kind, committee


def _entered_by(year: int, prefix: str = "") -> Q:
    """Results that count as a report for `year`: that year's own entry.

    Only targets reported every year are owed (see `_owed`); an earlier value
    is still a stock's latest value, but not this year's report.
    """
    return Q(**{f"{prefix}year": year})


def _owed(targets: list[Target]) -> list[Target]:
    """The targets a unit must report each year: those reported every year.

    A target reported only when something happens is never missing.
    """
    return [target for target in targets if target.frequency == Frequency.EVERY_YEAR]


def units_missing_results(
    *, term: Term, scope: Unit, year: int, targets: list[Target]
) -> QuerySet[Unit]:
    """Units of the scope's tree of `year` that have not entered every target of their
    level for it (`units.selectors.units_of_year`: a unit dissolved or moved away
    later still owes the years it was there).

    A unit owes the targets reported every year whose level holds its kind; the
    term's committee owes the committee-level ones. Each needs that year's own
    entry. One query, annotated with `owed` and `entered`.
    """
    targets = _owed(targets)
    levels_by_kind, committee = _level_kinds(targets)
    per_level = Counter(target.level for target in targets)
    owed = [
        When(kind=kind, then=Value(sum(per_level[level] for level in levels)))
        for kind, levels in levels_by_kind.items()
    ]
    counts = [
        Q(kind=kind, results__target__level__in=levels) for kind, levels in levels_by_kind.items()
    ]
    if committee:
        owed.insert(0, When(pk=term.root_unit_id, then=Value(len(committee))))
        counts.insert(0, Q(pk=term.root_unit_id, results__target__level=Level.COMMITTEE))
    if not owed:
        return Unit.objects.none()
    entered = (
        Q(results__target__term=term)
        & _entered_by(year, prefix="results__")
        & reduce(operator.or_, counts)
    )
    return (
        units_of_year(scope, year, term.root_unit)
        .annotate(
            owed=Case(*owed, default=Value(0), output_field=IntegerField()),
            entered=Count("results__target", filter=entered, distinct=True),
        )
        .filter(entered__lt=F("owed"))
        .order_by("path")
    )


def missing_results(
    *, term: Term, units: list[Unit], year: int, targets: list[Target]
) -> dict[int, list[Target]]:
    """For each unit, the targets of its level it has no result for in `year` (one query)."""
    targets = _owed(targets)
    levels_by_kind, committee = _level_kinds(targets)
    entered = set(
        Result.objects.filter(_entered_by(year), unit__in=units, target__term=term).values_list(
            "unit_id", "target_id"
        )
    )
    missing = {}
    for unit in units:
        owed = [
            target
            for target in targets
            if (target.pk in committee and unit.pk == term.root_unit_id)
            or target.level in levels_by_kind.get(unit.kind, ())
        ]
        missing[unit.pk] = [target for target in owed if (unit.pk, target.pk) not in entered]
    return missing


# The raw results' fields, in the order of `reports.exports.RESULT_COLUMNS`.
RESULT_EXPORT_FIELDS = (
    "target__code",
    "target__name",
    "unit__code",
    "unit__name",
    "year",
    "value",
    "numerator",
    "denominator",
    "flag",
    "is_estimate",
    "note",
    "evidence",
    "created_at",
    "created_by__username",
    "updated_at",
    "updated_by__username",
)


def results_for_export(
    *,
    term: Term,
    scope: Unit,
    allowed: Unit | None = None,
    up_to_year: int | None = None,
    year: int | None = None,
    target_id: int | None = None,
) -> QuerySet:
    """The term's results entered in `scope`'s subtree, as tuples for the raw export.

    Each year's rows are those of the units in the scope's subtree that year (a
    moved unit's earlier years stay with its old branch), and, for a user
    confined to a unit (`allowed`), only the years the unit stood in theirs. One
    query (targets, units and users joined, no N+1); iterate it with
    `.iterator(chunk_size=...)` to keep memory constant.
    """
    results = Result.objects.filter(target__term=term)
    if term.root_unit.ended_on is None:
        results = results.filter(placed_under(scope))
        if allowed is not None and allowed != scope:
            results = results.filter(placed_under(allowed))
    else:
        # Its committee has ended: the units of its last day's tree, wherever they are now.
        results = results.filter(unit__in=term_tree_units(scope, term.root_unit))
    if up_to_year is not None:
        results = results.filter(year__lte=up_to_year)
    if year is not None:
        results = results.filter(year=year)
    if target_id is not None:
        results = results.filter(target_id=target_id)
    return results.order_by("target__order", "target_id", "unit__path", "year").values_list(
        *RESULT_EXPORT_FIELDS
    )
