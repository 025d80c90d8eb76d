"""Named read entry points of the indicators app."""

from __future__ import annotations

import operator
from collections import Counter, defaultdict
from functools import reduce

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When

from indicators.models import Combine, Level, Result, Target, Term
from units.models import Unit


def terms_visible_to(scope: Unit | None) -> QuerySet[Term]:
    """Terms whose committee holds the user's scope (every term for whoever sees all)."""
    terms = Term.objects.select_related("root_unit")
    if scope is None:
        return terms
    # The term's committee is the scope itself or one of its ancestors.
    prefixes = scope.lineage
    return terms.filter(root_unit__path__in=prefixes)


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
    """Results that count as entered for `year`, as the engine's coverage counts them:
    that year's figure for a flow (`sum`), the latest figure up to it for a stock."""
    return Q(**{f"{prefix}year": year, f"{prefix}target__combine": Combine.SUM}) | Q(
        **{f"{prefix}year__lte": year, f"{prefix}target__combine": Combine.LATEST}
    )


def units_missing_results(
    *, term: Term, scope: Unit, year: int, targets: list[Target]
) -> QuerySet[Unit]:
    """Active units in scope that have not entered every target of their level for `year`.

    A unit owes the targets whose level holds its kind; the term's committee owes
    the committee-level targets. A flow needs the year's figure; a stock is
    entered once any figure up to the year is (its latest figure stands, as in
    the engine's coverage). One query, annotated with `owed` and `entered`.
    """
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
        Unit.objects.subtree(scope)
        .active()
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
    up_to_year: int | None = None,
    year: int | None = None,
    target_id: int | None = None,
) -> QuerySet:
    """The term's results entered in `scope`'s subtree, as tuples for the raw export.

    One query (targets, units and users joined, no N+1); iterate it with
    `.iterator(chunk_size=...)` to keep memory constant. `scope` must already
    be narrowed to what the user may see (`units.selectors.unit_scope_for`).
    """
    results = Result.objects.filter(target__term=term).in_subtree(scope)
    if up_to_year is not None:
        results = results.filter(year__lte=up_to_year)
    if year is not None:
        results = results.filter(year=year)
    if target_id is not None:
        results = results.filter(target_id=target_id)
    return results.order_by("target__order", "target_id", "unit__path", "year").values_list(
        *RESULT_EXPORT_FIELDS
    )
