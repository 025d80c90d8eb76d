from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

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
# no year, except where they reported.
#
# A term belongs to its committee. When the committee has ended (dissolved,
# merged, split), its term reads, for the year it ended and after, the tree as
# it stood on the committee's last day (`reads_year_sql`): the organisations it
# had then, each at its placement of that day, still counted if it existed at
# the end of the year. Its units moved to a successor the day it ended keep
# counting in its term's last year; the successor's own term reads its own tree.
#
# The SQL fragments below are the one place these rules are written; the
# engine, the roll-up and the missing-reports page all read them.


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


def reads_year_sql(period: str, year: str, *, ended_on: str, end_year: str) -> str:
    """SQL: `period` is the placement a term reads for the year `year`, its committee
    having ended on `ended_on`, in `end_year` (SQL expressions, NULL while it exists).

    The committee's last day: from the year it ended, its term reads the tree as it
    stood on that day (`reads_committee_sql` for a known committee).
    """
    end = f'{period}."end"'
    return (
        f"(CASE WHEN {end_year} IS NOT NULL AND {year} >= {end_year} "
        f"THEN {period}.start < {ended_on} AND ({end} IS NULL OR {end} >= {ended_on}) "
        f"ELSE {holds_year_sql(period, year)} END)"
    )


def reads_committee_sql(period: str, year: str, committee: Unit) -> str:
    """`reads_year_sql` for a term of `committee`: the plain year's tree while it exists."""
    if committee.ended_on is None:
        return holds_year_sql(period, year)
    return reads_year_sql(
        period,
        year,
        ended_on=f"'{committee.ended_on.isoformat()}'",
        end_year=f"{int(committee.end_year):d}",
    )


def years_sql(years) -> str:
    """SQL: a one-column (`year`) table of the given years."""
    return " UNION ALL ".join(f"SELECT {int(year):d} AS year" for year in years)


def alive_in(year: int) -> Q:
    """Units that still existed at the end of `year`."""
    return Q(end_year__isnull=True, is_active=True) | Q(end_year__gt=year)


def holding_year(year, prefix: str = "") -> Q:
    """Placements that hold `year` (a number, or an expression such as `OuterRef`):
    they stood on its last day (`holds_year_sql`)."""
    return Q(**{f"{prefix}first_year__lte": year}) & (
        Q(**{f"{prefix}last_year__isnull": True}) | Q(**{f"{prefix}last_year__gte": year})
    )


def holding_day(day, prefix: str = "") -> Q:
    """Placements that stood on the day before `day` (a committee's last day, when
    `day` is its `ended_on`)."""
    return Q(**{f"{prefix}start__lt": day}) & (
        Q(**{f"{prefix}end__isnull": True}) | Q(**{f"{prefix}end__gte": day})
    )


def _reads(year: int, committee: Unit | None, prefix: str = "") -> Q:
    """The placements read for `year` (`reads_year_sql`, for a term of `committee`)."""
    if committee is not None and committee.ended_on is not None and year >= committee.end_year:
        return holding_day(committee.ended_on, prefix)
    return holding_year(year, prefix)


def units_of_year(scope: Unit, year: int, committee: Unit | None = None):
    """The units of the scope's subtree as it stood at the end of `year` (one query).

    The scope itself may have stood elsewhere that year: its own placement of
    that year gives the subtree. Units that no longer existed at the end of the
    year are left out. For a term of `committee`, once it has ended, the tree
    of its last day (see above), the committee itself included.
    """
    from units.models import UnitPeriod

    scope_path = UnitPeriod.objects.filter(_reads(year, committee), unit=scope).values("path")[:1]
    # The term's committee is there through its term, its last year included.
    alive = alive_in(year) | Q(pk=committee.pk) if committee is not None else alive_in(year)
    return Unit.objects.filter(
        _reads(year, committee, "periods__") & Q(periods__path__startswith=Subquery(scope_path))
    ).filter(alive)


# Staff through time ----------------------------------------------------------
#
# A user attached to unit S reads the year Y of unit U when U stood in S's
# subtree at the end of Y, as the figures of Y count it: after a move, the old
# branch keeps reading the unit's years before the move, the new branch reads
# the years since. Writing also needs U in S's subtree today (users follow the
# current tree): the old branch reads those years, it no longer enters them.
# S's own place is also the one of Y; a year in which a unit had no placement
# (before its first, after its last) reads its nearest one, and a committee
# that succeeded another (a merger into a new unit) stands, for the years
# before it existed, where its predecessors stood: their years are its years.


def _placed(unit: Unit, rows: list, before: list) -> list:
    """The unit's places; `before`, its predecessors' (a committee it succeeded),
    stand for it in the years before its own first placement."""
    # A placement ended the year it began (two moves in one year) holds no year.
    rows = [row for row in rows if row[2] is None or row[2] >= row[1]] or [(unit.path, None, None)]
    first = rows[0][1]
    earlier = [
        (path, low, high if high is not None and high < first else first - 1)
        for path, low, high in before
        if first is not None and low < first and (high is None or high >= low)
    ]
    rows = sorted(earlier, key=lambda row: row[1]) + rows
    rows[0] = (rows[0][0], None, rows[0][2])
    rows[-1] = (rows[-1][0], rows[-1][1], None)
    unit._places_cache = rows
    return rows


def load_places(units) -> None:
    """Read the placements of many units, and of the units they succeeded, at once
    (one query), for `stood_in` and `placed_under`."""
    from units.models import UnitPeriod

    units = [unit for unit in units if getattr(unit, "_places_cache", None) is None]
    ids = [unit.pk for unit in units]
    own: dict[int, list] = {pk: [] for pk in ids}
    before: dict[int, list] = {pk: [] for pk in ids}
    for unit_id, successor, path, first, last in (
        UnitPeriod.objects.filter(Q(unit__in=ids) | Q(unit__successors__in=ids))
        .order_by("start", "pk")
        .values_list("unit_id", "unit__successors", "path", "first_year", "last_year")
    ):
        if unit_id in own and (path, first, last) not in own[unit_id]:
            own[unit_id].append((path, first, last))
        if successor in before and successor != unit_id:
            before[successor].append((path, first, last))
    for unit in units:
        _placed(unit, own[unit.pk], before[unit.pk])


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

    holding = UnitPeriod.objects.filter(holding_year(OuterRef(year)), unit=OuterRef(unit))
    condition = Q(pk__in=[])
    for path, first, last in _places(scope):
        years = Q()
        if first is not None:
            years &= Q(**{f"{year}__gte": first})
        if last is not None:
            years &= Q(**{f"{year}__lte": last})
        condition |= years & Exists(holding.filter(path__startswith=path))
    return condition


def in_term_tree(unit: Unit, top: Unit, committee: Unit) -> bool:
    """Whether `unit` lies in `top`'s subtree for a term of `committee`: in today's tree,
    or, once the committee has ended, in the tree of its last day (a query then only)."""
    if unit.is_in(top):
        return True
    if committee.ended_on is None:
        return False
    return _last_day_paths(committee).filter(unit=unit, path__startswith=top.path).exists()


def read_from(top: Unit, unit: Unit, year: int, committee: Unit, *, own: bool) -> str | None:
    """Whether a page of a term of `committee`, as of `year`, whose view starts at `top`
    reads `unit`, and by which path (the page's way up): None when it does not; ""
    when the term's tree (`term_tree_path`) gives it; else the unit's path in the
    tree the year reads, where it stood elsewhere then.

    `own`: `top` is the user's own unit. Staff read a unit for the years it stood in
    their subtree (a moved unit: the old branch before the move, the new one since),
    while the committee exists; otherwise the term's tree decides whether it is read,
    and the year's tree still gives its way up.
    """
    if own and committee.ended_on is None:
        if not stood_in(top, unit, year):
            return None
        return "" if unit.is_in(top) else path_in_year(unit, year)
    if not in_term_tree(unit, top, committee):
        return None
    if committee.ended_on is not None and year >= committee.end_year:
        return ""  # the tree of the committee's last day: the term's own
    then = path_in_year(unit, year)
    return "" if then == term_tree_path(unit, committee) else then


def term_tree_path(unit: Unit, committee: Unit) -> str:
    """The unit's path in the tree a term of `committee` reads last: today's, or, once the
    committee has ended, the one of its last day when it stood under it then."""
    if committee.ended_on is None or unit.is_in(committee):
        return unit.path
    placed = _last_day_paths(committee).filter(unit=unit, path__startswith=committee.path)
    return placed.values_list("path", flat=True).first() or unit.path


def term_tree_children(committee: Unit):
    """The units directly below a committee in the tree its terms read last: today's, or,
    once it has ended, those it had on its last day."""
    if committee.ended_on is None:
        return Unit.objects.filter(parent=committee)
    had = _last_day_paths(committee).filter(parent=committee).values("unit_id")
    return Unit.objects.filter(pk__in=had)


def term_tree_units(top: Unit, committee: Unit):
    """The units of `top`'s subtree for a term of `committee`: today's, and, once the
    committee has ended, those of the tree of its last day too (see `in_term_tree`)."""
    units = Unit.objects.subtree(top)
    if committee.ended_on is None:
        return units
    had = _last_day_paths(committee).filter(path__startswith=top.path).values("unit_id")
    return Unit.objects.filter(Q(path__startswith=top.path) | Q(pk__in=had))


def term_tree_path_of(top: Unit, committee: Unit):
    """For a query of units: each one's path in the tree a term of `committee` reads
    last (`term_tree_path`): today's, or, once the committee has ended, the one of its
    last day for the units it had below `top` then."""
    if committee.ended_on is None:
        return F("path")
    last_day = _last_day_paths(committee).filter(unit=OuterRef("pk"), path__startswith=top.path)
    return Coalesce(Subquery(last_day.values("path")[:1]), F("path"))


def _last_day_paths(committee: Unit):
    from units.models import UnitPeriod

    return UnitPeriod.objects.filter(_reads(committee.end_year, committee))
