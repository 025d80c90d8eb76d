from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, Subquery

from units import roles
from units.models import Unit, User

# Matches no unit: the scope of a user who may see none.
NO_UNIT = Unit(name="—", path="!")


def unit_scope_for(user: User) -> Unit | None:
    """The subtree a user is confined to; None for whoever may see every unit.

    Superusers, and administrators and leaders attached to no unit, see the
    whole tree; a user attached to a unit sees that unit's subtree; anyone else
    sees nothing.
    """
    if not user.is_authenticated or not user.is_active:
        return NO_UNIT
    if user.is_superuser:
        return None
    if user.unit_id is not None:
        return user.unit
    if user.groups.filter(name__in=[roles.ADMINISTRATOR, roles.LEADER]).exists():
        return None
    return NO_UNIT


def in_scope(scope: Unit, lookup: str) -> Q:
    """Rows whose unit at `lookup` (e.g. "unit__path") lies in the scope's subtree."""
    return Q(**{f"{lookup}__startswith": scope.path})


def around_scope(scope: Unit, lookup: str) -> Q:
    """Rows whose unit at `lookup` lies in the scope's subtree or above it.

    Terms and their targets belong to a committee: a user below it reads them,
    since their own results are entered against them.
    """
    ancestors = scope.lineage
    return Q(**{f"{lookup}__in": ancestors}) | in_scope(scope, lookup)


# The tree of a year --------------------------------------------------------
#
# A reporting year Y reads the tree as it stood on 31 December of Y: each unit
# at the placement (`UnitPeriod`) that holds Y, counted if it still existed at
# the end of Y. A unit that ended during Y is not counted, but the results it
# entered for Y count where it stood when it ended. Units untied with the
# "active" box without a recorded end (before placements were kept) count in
# no year, except where they reported. The SQL fragments below are the one
# place these rules are written; the engine, the roll-up and the
# missing-reports page all read them.


def holds_year_sql(period: str, year: str) -> str:
    """SQL: the placement `period` holds the year given by the SQL expression `year`."""
    return (
        f"{period}.first_year <= {year} "
        f"AND ({period}.last_year IS NULL OR {year} <= {period}.last_year)"
    )


def alive_sql(unit: str, year: str) -> str:
    """SQL: the unit `unit` still existed at the end of the year `year`."""
    return (
        f"(CASE WHEN {unit}.end_year IS NOT NULL THEN {year} < {unit}.end_year "
        f"ELSE {unit}.is_active END)"
    )


def years_sql(years) -> str:
    """SQL: a one-column (`year`) table of the given years."""
    return " UNION ALL ".join(f"SELECT {int(year):d} AS year" for year in years)


def alive_in(year: int) -> Q:
    """Units that still existed at the end of `year`."""
    return Q(end_year__isnull=True, is_active=True) | Q(end_year__gt=year)


def units_of_year(scope: Unit, year: int):
    """The units of the scope's subtree as it stood at the end of `year` (one query).

    The scope itself may have stood elsewhere that year: its own placement of
    that year gives the subtree. Units that no longer existed at the end of the
    year are left out.
    """
    from units.models import UnitPeriod

    holds = Q(first_year__lte=year) & (Q(last_year__isnull=True) | Q(last_year__gte=year))
    scope_path = UnitPeriod.objects.filter(holds, unit=scope).values("path")[:1]
    return Unit.objects.filter(
        Q(periods__first_year__lte=year)
        & (Q(periods__last_year__isnull=True) | Q(periods__last_year__gte=year))
        & Q(periods__path__startswith=Subquery(scope_path))
    ).filter(alive_in(year))


# Staff through time ----------------------------------------------------------
#
# A user attached to unit S reads the year Y of unit U when U stood in S's
# subtree at the end of Y, as the figures of Y count it: after a move, the old
# branch keeps reading the unit's years before the move, the new branch reads
# the years since. Writing also needs U in S's subtree today (users follow the
# current tree): the old branch reads those years, it no longer enters them.
# S's own place is also the one of Y; a year in which a unit had no placement
# (before its first, after its last) reads its nearest one.


def _placed(unit: Unit, rows: list[tuple[str, int, int | None]]) -> list:
    # A placement ended the year it began (two moves in one year) holds no year.
    rows = [row for row in rows if row[2] is None or row[2] >= row[1]] or [(unit.path, None, None)]
    rows[0] = (rows[0][0], None, rows[0][2])
    rows[-1] = (rows[-1][0], rows[-1][1], None)
    unit._places_cache = rows
    return rows


def load_places(units) -> None:
    """Read the placements of many units at once (one query), for `stood_in`."""
    from units.models import UnitPeriod

    units = [unit for unit in units if getattr(unit, "_places_cache", None) is None]
    rows: dict[int, list] = {unit.pk: [] for unit in units}
    for unit_id, path, first, last in (
        UnitPeriod.objects.filter(unit__in=[unit.pk for unit in units])
        .order_by("start", "pk")
        .values_list("unit_id", "path", "first_year", "last_year")
    ):
        rows[unit_id].append((path, first, last))
    for unit in units:
        _placed(unit, rows[unit.pk])


def _places(unit: Unit) -> list[tuple[str, int | None, int | None]]:
    """The unit's placements as (path, first year, last year), the first open to
    the past and the last to the future; read once per unit object (one query)."""
    places = getattr(unit, "_places_cache", None)
    if places is None:
        load_places([unit])
        places = unit._places_cache
    return places


def path_in_year(unit: Unit, year: int) -> str:
    """The unit's tree path at the end of `year`."""
    for path, first, last in _places(unit):
        if (first is None or first <= year) and (last is None or year <= last):
            return path
    return unit.path


def stood_in(scope: Unit, unit: Unit, year: int) -> bool:
    """Whether `unit` stood in the scope's subtree at the end of `year` (≤ 2 queries)."""
    return path_in_year(unit, year).startswith(path_in_year(scope, year))


def placed_under(scope: Unit, *, unit: str = "unit", year: str = "year") -> Q:
    """Rows with a unit and a year (`unit`, `year` name them) whose unit stood in the
    scope's subtree at the end of that year: a move's earlier years stay with the
    old branch. One query for the scope's placements, then a semi-join."""
    from units.models import UnitPeriod

    holding = UnitPeriod.objects.filter(
        Q(unit=OuterRef(unit), first_year__lte=OuterRef(year))
        & (Q(last_year__isnull=True) | Q(last_year__gte=OuterRef(year)))
    )
    condition = Q(pk__in=[])
    for path, first, last in _places(scope):
        years = Q()
        if first is not None:
            years &= Q(**{f"{year}__gte": first})
        if last is not None:
            years &= Q(**{f"{year}__lte": last})
        condition |= years & Exists(holding.filter(path__startswith=path))
    return condition
