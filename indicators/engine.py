"""The progress engine: every aggregation rule of DOMAIN.md, implemented once.

`term_progress()` answers, for a term, an as-of point and a scope unit, each
target's actual and expected figures, completion, status and coverage, and the
headline and programme counts. It runs a fixed number of SQL queries whatever
the number of units, years or targets: the targets, the units in scope of each
year's tree counted by kind, the quotas below the scope (not at the root), and one aggregate over
the results grouped by (target, year, unit kind).

Rules, in brief:
- over units: a subtree's figure sums every result entered in it, the scope
  unit's own entries included; ratios pool numerators and denominators; yes/no
  targets count the units of the target's level that said yes, over the units
  of that level in scope;
- over years: `sum` targets add the years up to the as-of year, `latest`
  targets take each unit's latest year up to it;
- expected: pro-rated (term target × elapsed ÷ term length, or the elapsed
  years' yearly targets), every year, or the final target; percentages are
  levels, not flows, and are not pro-rated unless a baseline is given;
- completion = actual ÷ expected (expected ÷ actual when lower is better).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db import DEFAULT_DB_ALIAS, connection, connections, router
from django.db.models import Case, F, OuterRef, Q, Subquery, TextChoices, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from indicators.models import (
    Combine,
    Direction,
    Frequency,
    Judgement,
    Level,
    Measure,
    Programme,
    Result,
    ResultRollup,
    Target,
    Term,
    UnitCount,
    UnitQuota,
)
from units.models import STEP, Unit, UnitPeriod, path_step, path_steps
from units.selectors import (
    alive_sql,
    holding_day,
    holding_year,
    in_term_tree,
    reads_committee_sql,
    reads_year_sql,
    years_sql,
)
from units.text import whole_number

HUNDRED = Decimal(100)


class Status(TextChoices):
    EXCEEDED = "exceeded", _("Exceeded")
    MET = "met", _("Met")
    NOT_YET_MET = "not_yet_met", _("Not yet met")
    NOT_MET = "not_met", _("Not met")
    NO_DATA = "no_data", _("No data")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")
    NO_TARGET = "no_target", _("No target assigned")


MET_STATUSES = frozenset({Status.EXCEEDED, Status.MET})


class InvalidAsOf(ValueError):
    """The as-of point is not inside the term."""


@dataclass(frozen=True)
class AsOf:
    """A point of the term: the last reporting year included and the years elapsed.

    A year Y means the end of Y: Y − start year elapsed. The mid-term point is
    half the term length, inside the year that holds it (2,5 years of a
    2020–2025 term: 2021, 2022 and half of 2023).
    """

    year: int
    elapsed: Decimal
    term_length: int
    start_year: int
    is_mid_term: bool = False

    @property
    def is_end(self) -> bool:
        return self.elapsed >= self.term_length

    @property
    def key(self) -> str:
        return "mid" if self.is_mid_term else str(self.year)

    def weight(self, year: int) -> Decimal:
        """How much of a reporting year has elapsed (1 for a full year)."""
        before = year - self.start_year - 1
        return max(Decimal(0), min(Decimal(1), self.elapsed - before))

    def years(self) -> range:
        return range(self.start_year + 1, self.year + 1)

    def term_years(self) -> range:
        return range(self.start_year + 1, self.start_year + self.term_length + 1)

    def is_finished(self, year: int) -> bool:
        """Whether the whole of a reporting year has elapsed at this point."""
        return self.weight(year) == 1


def as_of_year(term: Term, year: int) -> AsOf:
    if year not in term.years:
        raise InvalidAsOf(year)
    return AsOf(
        year=year,
        elapsed=Decimal(year - term.start_year),
        term_length=term.length,
        start_year=term.start_year,
    )


def as_of_mid_term(term: Term) -> AsOf:
    elapsed = Decimal(term.length) / 2
    return AsOf(
        year=term.start_year + math.ceil(elapsed),
        elapsed=elapsed,
        term_length=term.length,
        start_year=term.start_year,
        is_mid_term=True,
    )


def as_of_points(term: Term) -> list[AsOf]:
    """Every as-of point a user can pick: each year, with the mid-term point in place."""
    mid = as_of_mid_term(term)
    points = []
    for year in term.years:
        if year == mid.year:
            points.append(mid)
        points.append(as_of_year(term, year))
    return points


def parse_as_of(term: Term, raw: str | None) -> AsOf:
    """Read `?as_of=`: a year, `mid` or `end`; empty means the mid-term point."""
    raw = (raw or "").strip().lower()
    if raw in {"", "mid"}:
        return as_of_mid_term(term)
    if raw == "end":
        return as_of_year(term, term.end_year)
    year = whole_number(raw)
    if year is None:
        raise InvalidAsOf(raw)
    return as_of_year(term, year)


@dataclass(frozen=True)
class YearPoint:
    year: int
    actual: Decimal | None
    expected: Decimal | None
    passed: bool | None
    reported: int


@dataclass(frozen=True)
class TargetProgress:
    target: Target
    actual: Decimal | None
    expected: Decimal | None
    completion: Decimal | None
    status: Status
    reported: int
    in_scope: int
    numerator: int | None = None
    denominator: int | None = None
    years: tuple[YearPoint, ...] = ()
    # What is set for the scope (the resolution's figure at the root, the unit's
    # quota below it): the term's figure, else the yearly one.
    planned: Decimal | None = None
    planned_per_year: bool = False
    # Every-year targets: the finished years without a figure, and the year
    # whose completion is the weakest (the one the completion phrase names).
    missing_years: tuple[int, ...] = ()
    weakest_year: int | None = None

    @property
    def lacks_data(self) -> bool:
        return self.status == Status.NO_DATA or bool(self.missing_years)

    @property
    def is_met(self) -> bool:
        return self.status in MET_STATUSES

    @property
    def is_judged(self) -> bool:
        return self.status != Status.NO_TARGET

    @property
    def coverage(self) -> Decimal | None:
        return Decimal(self.reported) / self.in_scope if self.in_scope else None


@dataclass(frozen=True)
class Tally:
    """ "9/10": targets met or exceeded, over the targets judged; and those lacking data."""

    met: int
    total: int
    lacking: int = 0

    @classmethod
    def of(cls, rows: Iterable[TargetProgress]) -> Tally:
        judged = [row for row in rows if row.is_judged]
        return cls(
            met=sum(row.is_met for row in judged),
            total=len(judged),
            lacking=sum(row.lacks_data for row in judged),
        )


@dataclass(frozen=True)
class ProgrammeProgress:
    programme: Programme
    targets: list[TargetProgress]
    tally: Tally


@dataclass(frozen=True)
class Progress:
    term: Term
    as_of: AsOf
    scope: Unit
    targets: list[TargetProgress]
    headline: Tally
    programmes: list[ProgrammeProgress] = field(default_factory=list)

    @property
    def headline_targets(self) -> list[TargetProgress]:
        return [row for row in self.targets if row.target.is_headline]

    def for_target(self, target_id: int) -> TargetProgress:
        return next(row for row in self.targets if row.target.pk == target_id)


class Plan(NamedTuple):
    """The figures a target (or a unit's quotas) sets: for the term and per year."""

    term: Decimal | None
    yearly: Decimal | None
    per_year: dict[int, Decimal]

    def for_year(self, year: int) -> Decimal | None:
        return self.per_year.get(year, self.yearly)

    @property
    def final(self) -> Decimal | None:
        """The level to reach at the end (for stocks and percentages)."""
        if self.term is not None:
            return self.term
        if self.yearly is not None:
            return self.yearly
        # Levels given year by year only: the latest year's.
        return self.per_year[max(self.per_year)] if self.per_year else None

    def total(self, years: Iterable[int]) -> Decimal | None:
        """A flow's plan over whole years: the term figure, else the sum of its years."""
        if self.term is not None:
            return self.term
        figures = [figure for figure in map(self.for_year, years) if figure is not None]
        return sum(figures, Decimal(0)) if figures else None

    @property
    def is_empty(self) -> bool:
        return self.term is None and self.yearly is None and not self.per_year


class Sums(NamedTuple):
    """Aggregates of a (target, year) over one group of units."""

    reported: int = 0
    value: int = 0
    numerator: int = 0
    denominator: int = 0
    yes: int = 0
    # Changes of each unit's latest figure, for `latest` targets.
    d_value: int = 0
    d_numerator: int = 0
    d_denominator: int = 0
    d_yes: int = 0
    d_units: int = 0
    d_inactive_units: int = 0

    def __add__(self, other: Sums) -> Sums:  # type: ignore[override]
        return Sums._make(map(int.__add__, self, other))


# Each result becomes contribution rows placed where its unit stood in the
# result's year (`units.selectors`: the tree of a year). Beside its own figures
# a row carries the change of its unit's latest figure (d_*), so that `latest`
# targets add up changes year after year. A unit's latest figure follows it:
# when it reports from a new place, a row takes its previous figure out of the
# old place; when it ends, a row takes its last figure out of the tree in the
# year it is no longer counted (its end year, or the next one if it reported
# for its end year). The window sees every year of a unit, so restricting rows
# by year or place afterwards gives the same changes.
CONTRIBUTIONS_SQL = """
WITH placed AS (
    SELECT r.target_id, r.unit_id, r.year, u.kind, u.end_year,
           (u.id = tm.root_unit_id) AS is_top,
           p.path AS path,
           (u.id = tm.root_unit_id OR {alive}) AS alive,
           r.value, r.numerator, r.denominator,
           CASE WHEN r.flag THEN 1 ELSE 0 END AS yes
    FROM {result} r
    JOIN {unit} u ON u.id = r.unit_id
    JOIN {target} t ON t.id = r.target_id
    JOIN {term} tm ON tm.id = t.term_id
    JOIN {unit} cm ON cm.id = tm.root_unit_id
    JOIN {period} p ON p.unit_id = r.unit_id AND {holds}
    WHERE {where}
), lagged AS (
    SELECT placed.*,
           LAG(path) OVER w AS prev_path, LAG(alive) OVER w AS prev_alive,
           LAG(value) OVER w AS prev_value, LAG(numerator) OVER w AS prev_numerator,
           LAG(denominator) OVER w AS prev_denominator, LAG(yes) OVER w AS prev_yes,
           LEAD(year) OVER w AS next_year
    FROM placed
    WINDOW w AS (PARTITION BY target_id, unit_id ORDER BY year)
), contributions AS (
    SELECT path, target_id, year, kind, alive AS is_active, is_top, 1 AS reported,
           value, numerator, denominator, yes,
           value - CASE WHEN prev_path = path THEN COALESCE(prev_value, 0) ELSE 0 END
               AS d_value,
           numerator - CASE WHEN prev_path = path THEN COALESCE(prev_numerator, 0) ELSE 0 END
               AS d_numerator,
           denominator
               - CASE WHEN prev_path = path THEN COALESCE(prev_denominator, 0) ELSE 0 END
               AS d_denominator,
           yes - CASE WHEN prev_path = path THEN COALESCE(prev_yes, 0) ELSE 0 END AS d_yes,
           CASE WHEN prev_path = path THEN 0 ELSE 1 END AS d_units,
           CASE WHEN alive THEN 0 ELSE 1 END
               - CASE WHEN prev_path = path AND NOT prev_alive THEN 1 ELSE 0 END
               AS d_inactive_units
    FROM lagged
    UNION ALL
    SELECT prev_path, target_id, year, kind, prev_alive, is_top, 0,
           NULL, NULL, NULL, 0,
           -prev_value, -prev_numerator, -prev_denominator, -prev_yes, -1,
           CASE WHEN prev_alive THEN 0 ELSE -1 END
    FROM lagged WHERE prev_path <> path
    UNION ALL
    SELECT path, target_id, CASE WHEN year < end_year THEN end_year ELSE end_year + 1 END,
           kind, alive, is_top, 0,
           NULL, NULL, NULL, 0,
           -value, -numerator, -denominator, -yes, -1,
           CASE WHEN alive THEN 0 ELSE -1 END
    FROM lagged WHERE next_year IS NULL AND end_year IS NOT NULL AND NOT is_top
)
"""
SUM_COLUMNS = [
    "reported", "value", "numerator", "denominator", "yes", "d_value", "d_numerator",
    "d_denominator", "d_yes", "d_units", "d_inactive_units",
]  # fmt: skip
# Cast back to BIGINT: PostgreSQL sums BIGINTs as NUMERIC, which the driver reads as
# Decimals, thousands of them on a unit table; the sums of counts fit in a BIGINT.
SUMS_SQL = ", ".join(f"CAST(COALESCE(SUM(c.{column}), 0) AS BIGINT)" for column in SUM_COLUMNS)

# The contributions in scope, per branch, target, year and group of units.
AGGREGATE_SQL = (
    CONTRIBUTIONS_SQL
    + "SELECT {branch} AS branch, c.target_id, c.year, c.kind, c.is_active, c.is_top, "
    + SUMS_SQL
    + " FROM contributions c {join} WHERE {outer} GROUP BY 1, 2, 3, 4, 5, 6"
)


def contributions_sql(**parts: str) -> str:
    """AGGREGATE_SQL with the tables and the tree-of-a-year fragments filled in."""
    return AGGREGATE_SQL.format(
        alive=alive_sql("u", "r.year"),
        holds=reads_year_sql("p", "r.year", ended_on="cm.ended_on", end_year="cm.end_year"),
        **tables(),
        **parts,
    )


ROLLUP_SQL = """
SELECT {branch} AS branch, ro.target_id, ro.year, ro.kind, ro.is_active, ro.is_top,
       {sums}
FROM {rollup} ro
JOIN {target} t ON t.id = ro.target_id
{join}
WHERE t.term_id = %(term)s AND {branches} AND ro.year <= %(year)s {only_target}
GROUP BY 1, 2, 3, 4, 5, 6
"""
# The roll-up's rows of a whole term: each target's totals over every branch.
TERM_TOTAL = ""

# Scopes at this depth or above read the roll-up; deeper ones read the results.
ROLLUP_DEPTH = 2


def tables() -> dict[str, str]:
    quote = connection.ops.quote_name
    return {
        "result": quote(Result._meta.db_table),
        "unit": quote(Unit._meta.db_table),
        "target": quote(Target._meta.db_table),
        "term": quote(Term._meta.db_table),
        "rollup": quote(ResultRollup._meta.db_table),
        "period": quote(UnitPeriod._meta.db_table),
        "counts": quote(UnitCount._meta.db_table),
    }


class Group(NamedTuple):
    kind: str
    is_active: bool
    is_top: bool


# Sums of one target: per year, per group of units.
TargetSums = dict[int, dict[Group, Sums]]


def _result_sums(
    *,
    term: Term,
    scope: Unit,
    as_of: AsOf,
    target: Target | None = None,
    by_branch: bool = False,
    use_rollup: bool = True,
) -> dict[str, dict[int, TargetSums]]:
    """One query: per branch, target, year and group of units, the sums of the results.

    Each year reads the tree as it stood then (`units.selectors`): a result
    counts where its unit stood in the result's year, and the scope's subtree is
    the one of that year. A branch is a unit directly below the scope, named by
    its own path step (with `by_branch`); otherwise the whole scope is one
    branch, "". Scopes near the top read the roll-up (the same sums, kept exact
    on every write); deeper scopes, or `use_rollup=False`, aggregate the results
    themselves.
    """
    branch_length = (scope.depth + 1) * STEP
    params = {
        "term": term.pk,
        "scope": scope.pk,
        "year": as_of.year,
        "target": target.pk if target is not None else None,
    }
    only_target = "AND {alias}.target_id = %(target)s" if target is not None else ""
    rollup_branch_ok = branch_length <= ROLLUP_DEPTH * STEP if by_branch else True
    # Where the scope stood in each year: its subtree of that year.
    scope_join = "JOIN {period} sp ON sp.unit_id = %(scope)s AND {holds}"
    committee = term.root_unit
    if use_rollup and scope.depth <= ROLLUP_DEPTH and rollup_branch_ok:
        whole_term = scope.pk == term.root_unit_id and not by_branch
        sql = ROLLUP_SQL.format(
            branch=f"SUBSTR(ro.branch, LENGTH(sp.path) + 1, {STEP:d})" if by_branch else "''",
            join=""
            if whole_term
            else scope_join.format(
                holds=reads_committee_sql("sp", "ro.year", committee), **tables()
            ),
            # Every result of a term lies under its committee: its totals are the scope's.
            branches=f"ro.branch = '{TERM_TOTAL}'"
            if whole_term
            else "ro.branch LIKE sp.path || '%%'",
            sums=", ".join(f"CAST(SUM(ro.{column}) AS BIGINT)" for column in SUM_COLUMNS),
            only_target=only_target.format(alias="ro"),
            **tables(),
        )
    else:
        where = "t.term_id = %(term)s AND r.year <= %(year)s " + only_target.format(alias="r")
        if scope.pk != term.root_unit_id:
            # Only units that stood in the scope's subtree at some time.
            where += (
                " AND r.unit_id IN (SELECT p2.unit_id FROM {period} p2"
                " JOIN {period} sp2 ON sp2.unit_id = %(scope)s"
                " WHERE p2.path LIKE sp2.path || '%%')"
            ).format(**tables())
        sql = contributions_sql(
            branch=f"SUBSTR(c.path, LENGTH(sp.path) + 1, {STEP:d})" if by_branch else "''",
            where=where,
            join=scope_join.format(
                holds=reads_committee_sql("sp", "c.year", committee), **tables()
            ),
            outer="c.year <= %(year)s AND c.path LIKE sp.path || '%%'",
        )
    sums: dict[str, dict[int, TargetSums]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(dict))
    )
    # Where the ORM would read results (a replica, for dashboard pages).
    alias = router.db_for_read(Result) or DEFAULT_DB_ALIAS
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        for path, target_id, year, kind, is_active, is_top, *figures in cursor.fetchall():
            group = Group(kind, bool(is_active), bool(is_top))
            sums[path][target_id][year][group] = Sums(*(int(figure or 0) for figure in figures))
    return sums


# Units counted by kind, per year: {year: {kind: n}}.
YearCounts = dict[int, dict[str, int]]


@dataclass(frozen=True)
class Scope:
    """The units a scope holds each year, counted by kind, for coverage and yes/no
    denominators (the tree of each year, `units.selectors`)."""

    unit: Unit
    holds_top: bool
    units_by_year: YearCounts

    def units_of(self, level: Level, year: int) -> int:
        kinds = level.kinds
        if kinds is None:
            return int(self.holds_top)
        counts = self.units_by_year.get(year, {})
        return sum(count for kind, count in counts.items() if kind in kinds)

    @staticmethod
    def counts(level: Level, group: Group) -> bool:
        """Whether a group of units belongs to a target's level (for coverage and yes/no)."""
        kinds = level.kinds
        if kinds is None:
            return group.is_top
        return not group.is_top and group.kind in kinds


# The scope's rows in `UnitCount` (or its branches' and its own, by branch), less
# the term's committee where it stands in the scope: signed rows, added up by the
# reader.
COUNTED_UNITS_SQL = """
SELECT {branch} AS branch, y.year, c.kind, c.n
FROM ({years}) y
JOIN {period} sp ON sp.unit_id = {scope:d} AND {scope_holds}
JOIN {counts} c ON c.year = y.year AND c.{lookup} = sp.path
{own}UNION ALL
SELECT {committee_branch}, y.year, u.kind, -1
FROM ({years}) y
JOIN {period} sp ON sp.unit_id = {scope:d} AND {scope_holds}
JOIN {period} p ON p.unit_id = {committee:d} AND {holds} AND p.path LIKE sp.path || '%%'
JOIN {unit} u ON u.id = p.unit_id AND {alive}
"""

# The scope itself, when counted by branch (branch "").
OWN_SQL = """UNION ALL
SELECT '', y.year, c.kind, c.own
FROM ({years}) y
JOIN {period} sp ON sp.unit_id = {scope:d} AND {scope_holds}
JOIN {counts} c ON c.year = y.year AND c.path = sp.path
"""

# An ended committee's term reads, from the year it ended, the tree of its last
# day, which `UnitCount` (each year's end) does not hold: its placements are
# counted.
SCANNED_UNITS_SQL = """
SELECT {branch} AS branch, y.year, p.kind, SUM(p.n) AS n
FROM ({years}) y
JOIN {period} sp ON sp.unit_id = {scope:d} AND {scope_holds}
JOIN (
  SELECT SUBSTR(p.path, 1, (SELECT MAX(LENGTH(s.path)) FROM {period} s WHERE s.unit_id = {scope:d})
                           + {step:d}) AS path,
         p.first_year, p.last_year, p.start, p."end", u.kind, u.end_year, u.is_active,
         COUNT(*) AS n
  FROM {period} p JOIN {unit} u ON u.id = p.unit_id
  WHERE u.id <> {committee:d}
  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
) p ON {holds} AND p.path LIKE sp.path || '%%'
WHERE {alive}
GROUP BY 1, 2, 3
"""


def _units_of_years_sql(
    *, years: Iterable[int], by_branch: bool, scope: Unit, committee: Unit, scan: bool = False
) -> str:
    """SQL (no params): the units of the scope's tree of each year that existed at
    its end, per branch (a unit directly below the scope, by its path step; "" for
    the scope itself), year and kind, the term's committee left out, as rows of
    (branch, year, kind, n) whose n the reader adds up.

    They are read from `UnitCount` (`indicators.unit_counts`): the scope's row of
    each year, or its branches' rows (one step below its path that year) and its
    own. For an ended committee's term (or with `scan`, which tests compare with)
    the placements are counted instead, grouped first by what the years and the
    branch read of them (the path down to the branch's step, the years and dates
    held, the unit's kind and end).
    """
    scan = scan or committee.ended_on is not None
    branch = f"SUBSTR({{path}}.path, LENGTH(sp.path) + 1, {STEP:d})" if by_branch else "''"
    parts = {
        "years": years_sql(years),
        "scope_holds": reads_committee_sql("sp", "y.year", committee),
        "holds": reads_committee_sql("p", "y.year", committee),
        # The scan's grouped placements carry their units' end (`p`).
        "alive": alive_sql("p" if scan else "u", "y.year"),
        "scope": scope.pk,
        "committee": committee.pk,
        **tables(),
    }
    if scan:
        return SCANNED_UNITS_SQL.format(branch=branch.format(path="p"), step=STEP, **parts)
    return COUNTED_UNITS_SQL.format(
        branch=branch.format(path="c"),
        lookup="parent_path" if by_branch else "path",
        own=OWN_SQL.format(**parts) if by_branch else "",
        committee_branch=branch.format(path="p"),
        **parts,
    )


def _units_by_kind(
    term: Term, scope: Unit, years: Iterable[int], *, by_branch: bool = False, scan: bool = False
) -> dict[str, YearCounts]:
    """One query: the units of the scope's tree of each year, per branch, year and kind."""
    sql = _units_of_years_sql(
        years=years, by_branch=by_branch, scope=scope, committee=term.root_unit, scan=scan
    )
    counts: dict[str, YearCounts] = defaultdict(lambda: defaultdict(dict))
    alias = router.db_for_read(Unit) or DEFAULT_DB_ALIAS
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, [])
        for branch, year, kind, number in cursor.fetchall():
            counted = counts[branch][int(year)]
            counted[kind] = counted.get(kind, 0) + int(number)
    return counts


def _resolution_plan(target: Target) -> Plan:
    per_year = {row.year: row.value for row in target.year_values.all()}
    return Plan(target.term_target, target.yearly_target, per_year)


class Quota(NamedTuple):
    target_id: int
    unit_id: int
    path: str
    year: int | None
    value: Decimal


def _quotas(term: Term, scope: Unit, target: Target | None = None) -> list[Quota]:
    """One query: the quotas assigned in the scope's subtree, as plain tuples.

    A quota for one year counts where its unit stood in the tree that year's
    figures read (`units.selectors`: the end of the year, or the committee's last
    day once it has ended); a quota for the whole term where the unit stands today,
    or stood on the committee's last day. At the committee, every quota of the
    term counts: its units may since have moved to a successor.
    """
    committee = term.root_unit
    periods = UnitPeriod.objects.filter(unit=OuterRef("unit"))
    of_year = periods.filter(holding_year(OuterRef("year"))).values("path")[:1]
    if committee.ended_on is None:
        placed = Coalesce(Subquery(of_year), F("unit__path"))
    else:
        last_day = periods.filter(holding_day(committee.ended_on)).values("path")[:1]
        placed = Coalesce(
            Case(
                When(
                    Q(year__isnull=True) | Q(year__gte=committee.end_year), then=Subquery(last_day)
                ),
                default=Subquery(of_year),
            ),
            F("unit__path"),
        )
    # In no order: they are added up, exactly, whatever the order.
    quotas = UnitQuota.objects.filter(target__term=term).annotate(placed=placed).order_by()
    is_root = scope.pk == term.root_unit_id
    step = path_step(scope.pk)
    if not is_root:
        quotas = quotas.filter(placed__contains=step)
    if target is not None:
        quotas = quotas.filter(target=target)
    found = []
    for target_id, unit_id, placed_path, year, value in quotas.values_list(
        "target_id", "unit_id", "placed", "year", "value"
    ):
        # Each path step is a unit's id: the scope's step, where it stands in the path
        # the quota's year reads, gives the branch; paths are then told from today's
        # scope (the scope, or a branch, may have moved since).
        steps = path_steps(placed_path)
        if step in steps:
            below = "".join(steps[steps.index(step) + 1 :])
            found.append(Quota(target_id, unit_id, scope.path + below, year, value))
        elif is_root:
            found.append(Quota(target_id, unit_id, placed_path, year, value))
    return found


def _plan_for(
    target: Target, *, resolution: Plan, unit: Unit, is_root: bool, quotas: list[Quota]
) -> Plan:
    """The target's plan for a unit: the resolution's at the root, quotas below it.

    Below the root, the unit's own quotas are its plan; failing those, the sum
    of the quotas of the units below it. A percentage applies at any scope.
    `quotas` holds this target's quotas in the unit's subtree.
    """
    if is_root:
        return resolution
    own = [quota for quota in quotas if quota.unit_id == unit.pk]
    below = [] if target.in_percent else [q for q in quotas if q.unit_id != unit.pk]
    if own or below:
        return _quota_plan(own or below)
    return resolution if target.in_percent else Plan(None, None, {})


def _quotas_by(quotas: list[Quota], prefix_length: int) -> dict[tuple[int, str], list[Quota]]:
    """Quotas grouped by target and by the path of the unit (or ancestor) they fall under."""
    grouped: dict[tuple[int, str], list[Quota]] = defaultdict(list)
    for quota in quotas:
        grouped[quota.target_id, quota.path[:prefix_length]].append(quota)
    return grouped


def _quota_plan(quotas: list[Quota]) -> Plan:
    term_total: Decimal | None = None
    per_year: dict[int, Decimal] = defaultdict(Decimal)
    for quota in quotas:
        if quota.year is None:
            term_total = (term_total or Decimal(0)) + quota.value
        else:
            per_year[quota.year] += quota.value
    return Plan(term_total, None, dict(per_year))


def _percent(part: int, whole: int) -> Decimal | None:
    return Decimal(part) * HUNDRED / whole if whole else None


class _Figure(NamedTuple):
    actual: Decimal | None
    numerator: int | None
    denominator: int | None
    # Coverage: units of the level that reported, over the units of the level.
    reported: int
    in_scope: int = 0
    # Units of the level that entered this very year (an every-year report).
    entered: int = 0


def _year_figures(
    target: Target, years: dict[int, dict[Group, Sums]], as_of: AsOf, scope: Scope
) -> dict[int, _Figure]:
    """The target's figure at the end of each elapsed year, over the whole scope.

    Coverage: a `sum` target counts the units of its level that reported in any
    year so far; a `latest` target reported every year counts that year's own
    entries; one reported only when something happens, any entry so far. Units
    no longer there at the end of a year count in it where they reported, in the
    reports and in the units of the level ("121/121" for 2021 stays so after a
    unit is dissolved); each year counts the units of its own tree
    (`units.selectors`, "Cây tổ chức theo năm" in docs/domain.md).
    """
    level = Level(target.level)
    per_year = target.combine == Combine.LATEST and target.frequency == Frequency.EVERY_YEAR
    figures: dict[int, _Figure] = {}
    running = Sums()
    running_level = Sums()
    for year in as_of.years():
        active = scope.units_of(level, year)
        groups = years.get(year, {})
        every = sum(groups.values(), Sums())
        own = sum((s for g, s in groups.items() if scope.counts(level, g)), Sums())
        gone = sum(
            s.reported for g, s in groups.items() if scope.counts(level, g) and not g.is_active
        )
        running = running + every
        running_level = running_level + own
        if per_year:
            reported, in_scope = own.reported, active + gone
        else:
            reported = running_level.d_units
            in_scope = active + running_level.d_inactive_units
        coverage = {"reported": reported, "in_scope": in_scope, "entered": own.reported}
        if target.combine == Combine.SUM:
            if not every.reported:
                figure = _Figure(None, None, None, **coverage)
            elif target.measure == Measure.COUNT:
                figure = _Figure(Decimal(every.value), None, None, **coverage)
            else:
                figure = _Figure(
                    _percent(every.numerator, every.denominator),
                    every.numerator,
                    every.denominator,
                    **coverage,
                )
        elif not running.d_units:
            figure = _Figure(None, None, None, **coverage)
        elif target.measure == Measure.COUNT:
            figure = _Figure(Decimal(running.d_value), None, None, **coverage)
        elif target.measure == Measure.RATIO:
            figure = _Figure(
                _percent(running.d_numerator, running.d_denominator),
                running.d_numerator,
                running.d_denominator,
                **coverage,
            )
        else:
            # Units that left the tree still count where they reported.
            units = active + running_level.d_inactive_units
            yes = running_level.d_yes
            actual = _percent(yes, units) if target.in_percent else Decimal(yes)
            figure = _Figure(actual if units else None, yes, units, **coverage)
        figures[year] = figure
    return figures


def _total(target: Target, figures: dict[int, _Figure], as_of: AsOf) -> _Figure:
    """The figure at the as-of point: the years' sum for flows, the last stock otherwise.

    Its coverage is the as-of year's, except that a target reported every year
    is covered by the last finished year (the running year is not yet due).
    """
    last = figures[as_of.year]
    if target.frequency == Frequency.EVERY_YEAR and target.combine == Combine.LATEST:
        covered = figures[_last_judged_year(as_of)]
    else:
        covered = last
    coverage = {"reported": covered.reported, "in_scope": covered.in_scope}
    if target.combine == Combine.LATEST:
        return last._replace(**coverage)
    # A ratio's 0/0 year ("not applicable") is reported but adds nothing.
    with_data = [
        figure
        for figure in figures.values()
        if figure.actual is not None or figure.denominator is not None
    ]
    if not with_data:
        return _Figure(None, None, None, **coverage)
    if target.measure == Measure.COUNT:
        actual = sum((figure.actual for figure in with_data), Decimal(0))
        return _Figure(actual, None, None, **coverage)
    numerator = sum(figure.numerator for figure in with_data)
    denominator = sum(figure.denominator for figure in with_data)
    return _Figure(_percent(numerator, denominator), numerator, denominator, **coverage)


def _is_flow(target: Target) -> bool:
    """A flow adds up over the years; a percentage or a stock is a level."""
    return target.combine == Combine.SUM and not target.in_percent


def _expected_for_year(target: Target, plan: Plan, as_of: AsOf, year: int) -> Decimal | None:
    value = plan.for_year(year)
    if value is None:
        return None
    return value * as_of.weight(year) if _is_flow(target) else value


def _elapsed_share(target: Target, plan: Plan, as_of: AsOf) -> Decimal | None:
    """A flow's plan for the elapsed years: their figures, the running year weighted."""
    figures = [_expected_for_year(target, plan, as_of, year) for year in as_of.years()]
    figures = [figure for figure in figures if figure is not None]
    return sum(figures, Decimal(0)) if figures else None


def _last_judged_year(as_of: AsOf) -> int:
    """The year an every-year level is judged on: the last finished one, if any."""
    finished = [year for year in as_of.years() if as_of.is_finished(year)]
    return finished[-1] if finished else as_of.year


def _expected(target: Target, plan: Plan, as_of: AsOf) -> Decimal | None:
    """What the scope should have reached at the as-of point.

    A flow's plan for the term is its term figure or the sum of its years; at
    the end it is expected in full, before it the elapsed share. A level (a
    stock, a percentage) is expected at its final figure, pro-rated only from
    a baseline (or, for a stock counted in units, from zero).
    """
    if plan.is_empty:
        return None
    if _is_flow(target):
        if target.judgement == Judgement.FINAL:
            return plan.total(as_of.term_years())
        if target.judgement == Judgement.PRORATED and plan.term is not None:
            return plan.term * min(Decimal(1), as_of.elapsed / as_of.term_length)
        return _elapsed_share(target, plan, as_of)
    if target.judgement == Judgement.EVERY_YEAR:
        return plan.for_year(_last_judged_year(as_of))
    final = plan.final
    if final is None or target.judgement == Judgement.FINAL or as_of.is_end:
        return final
    share = as_of.elapsed / as_of.term_length
    if target.baseline is not None:
        return target.baseline + (final - target.baseline) * share
    return final if target.in_percent else final * share


def _planned(target: Target, plan: Plan, as_of: AsOf) -> Decimal | None:
    return plan_for_term(target, plan, as_of.term_years())


def plan_for_term(target: Target, plan: Plan, years: Iterable[int]) -> Decimal | None:
    """A plan's figure for the whole term (`years`, its reporting years): a flow's years
    add up, a level is its final figure. Also the quota grid's "whole term" column."""
    if plan.is_empty:
        return None
    return plan.total(years) if _is_flow(target) else plan.final


def _passes(direction: str, actual: Decimal, expected: Decimal) -> bool:
    return actual >= expected if direction == Direction.AT_LEAST else actual <= expected


def _completion(target: Target, actual: Decimal, expected: Decimal) -> Decimal | None:
    """Actual ÷ expected (expected ÷ actual when lower is better).

    A percentage is compared with the level required, never divided by it:
    "83,3% / yêu cầu ≥ 90%", not "đạt 93%".
    """
    if target.in_percent:
        return None
    if target.direction == Direction.AT_LEAST:
        return actual / expected if expected else None
    # "At most 0" has no meaningful rate: the status alone tells.
    return expected / actual if actual and expected else None


def _failed(as_of: AsOf) -> Status:
    return Status.NOT_MET if as_of.is_end else Status.NOT_YET_MET


def _status(
    target: Target, actual: Decimal | None, expected: Decimal | None, as_of: AsOf
) -> Status:
    if expected is None:
        return Status.NO_TARGET
    if actual is None:
        return Status.NO_DATA
    if not _passes(target.direction, actual, expected):
        return _failed(as_of)
    return Status.MET if actual == expected else Status.EXCEEDED


class _Verdict(NamedTuple):
    status: Status
    completion: Decimal | None
    missing_years: tuple[int, ...] = ()
    weakest_year: int | None = None


def _every_year_verdict(
    target: Target, points: list[YearPoint], entered: dict[int, int], as_of: AsOf
) -> _Verdict | None:
    """Each finished year judged on its own figure; None when no year has finished yet.

    A finished year without any entry cannot be met; the completion is the
    weakest year's, so that the phrase never contradicts the status.
    """
    finished = [p for p in points if as_of.is_finished(p.year) and p.expected is not None]
    if not finished:
        return None
    missing = tuple(p.year for p in finished if not entered.get(p.year))
    judged = [p for p in finished if p.year not in missing and p.actual is not None]
    if missing:
        return _Verdict(_failed(as_of), None, missing)
    if not judged:
        return _Verdict(Status.NOT_APPLICABLE, None)

    def rank(point: YearPoint) -> tuple[bool, Decimal]:
        rate = _completion(target, point.actual, point.expected)
        return (bool(point.passed), rate if rate is not None else Decimal(-1))

    weakest = min(judged, key=rank)
    completion = _completion(target, weakest.actual, weakest.expected)
    if not weakest.passed:
        status = _failed(as_of)
    elif all(p.actual != p.expected for p in judged):
        status = Status.EXCEEDED
    else:
        status = Status.MET
    return _Verdict(status, completion, (), weakest.year)


def target_progress(
    target: Target,
    *,
    plan: Plan,
    sums: dict[int, dict[Group, Sums]],
    as_of: AsOf,
    scope: Scope,
) -> TargetProgress:
    """Progress of one target from its plan and its result sums (no query)."""
    figures = _year_figures(target, sums, as_of, scope)
    total = _total(target, figures, as_of)
    expected = _expected(target, plan, as_of)
    every_year = target.judgement == Judgement.EVERY_YEAR
    points = []
    for year, figure in figures.items():
        year_expected = _expected_for_year(target, plan, as_of, year)
        passed = None
        judged = as_of.is_finished(year) or not every_year
        if judged and figure.actual is not None and year_expected is not None:
            passed = _passes(target.direction, figure.actual, year_expected)
        points.append(YearPoint(year, figure.actual, year_expected, passed, figure.entered))
    actual = total.actual
    verdict = None
    if every_year and expected is not None and actual is not None:
        entered = {year: sum(s.reported for s in groups.values()) for year, groups in sums.items()}
        verdict = _every_year_verdict(target, points, entered, as_of)
    if verdict is None:
        completion = (
            _completion(target, actual, expected)
            if actual is not None and expected is not None
            else None
        )
        status = _status(target, actual, expected, as_of)
        if status == Status.NO_DATA and total.denominator == 0:
            status = Status.NOT_APPLICABLE
        verdict = _Verdict(status, completion)
    return TargetProgress(
        target=target,
        actual=actual,
        expected=expected,
        completion=verdict.completion,
        status=verdict.status,
        reported=total.reported,
        in_scope=total.in_scope,
        numerator=total.numerator,
        denominator=total.denominator,
        years=tuple(points),
        planned=_planned(target, plan, as_of),
        planned_per_year=not _is_flow(target) and plan.term is None and plan.yearly is not None,
        missing_years=verdict.missing_years,
        weakest_year=verdict.weakest_year,
    )


def _check_scope(term: Term, scope: Unit | None) -> Unit:
    scope = scope or term.root_unit
    if not in_term_tree(scope, term.root_unit, term.root_unit):
        raise ValueError(f"{scope} is not under {term.root_unit}")
    return scope


def term_progress(*, term: Term, as_of: AsOf, scope: Unit | None = None) -> Progress:
    """Where the term's resolution stands at `as_of`, for `scope` and its subtree."""
    scope = _check_scope(term, scope)
    is_root = scope.pk == term.root_unit_id
    targets = list(
        term.targets.select_related("programme")
        .prefetch_related("year_values")
        .order_by("order", "pk")
    )
    quotas = _quotas_by([] if is_root else _quotas(term, scope), len(scope.path))
    held = Scope(scope, is_root, _units_by_kind(term, scope, as_of.years()).get("", {}))
    sums = _result_sums(term=term, scope=scope, as_of=as_of).get("", {})
    rows = [
        target_progress(
            target,
            plan=_plan_for(
                target,
                resolution=_resolution_plan(target),
                unit=scope,
                is_root=is_root,
                quotas=quotas.get((target.pk, scope.path), []),
            ),
            sums=sums.get(target.pk, {}),
            as_of=as_of,
            scope=held,
        )
        for target in targets
    ]
    return _progress_of(term=term, as_of=as_of, scope=scope, rows=rows)


def _progress_of(*, term: Term, as_of: AsOf, scope: Unit, rows: list[TargetProgress]) -> Progress:
    """A scope's targets grouped as pages show them: the headline and each programme."""
    programmes: dict[int, list[TargetProgress]] = {}
    for row in rows:
        if row.target.programme is not None:
            programmes.setdefault(row.target.programme.pk, []).append(row)
    programme_rows = sorted(
        (
            ProgrammeProgress(targets[0].target.programme, targets, Tally.of(targets))
            for targets in programmes.values()
        ),
        key=lambda entry: (entry.programme.order, entry.programme.pk),
    )
    return Progress(
        term=term,
        as_of=as_of,
        scope=scope,
        targets=rows,
        headline=Tally.of(row for row in rows if row.target.is_headline),
        programmes=programme_rows,
    )


def term_progress_below(*, term: Term, as_of: AsOf, targets: list[Target], units: list[Unit]):
    """For each of `units` (directly below the term's committee), what
    `term_progress(scope=unit)` returns, read once for all of them: the per-target
    breakdown judges every unit at once (a few queries a target, none a unit)."""
    by_target = {
        target.pk: {
            entry.unit.pk: entry.progress
            for entry in target_breakdown_progress(term=term, target=target, as_of=as_of).units
        }
        for target in targets
    }
    return [
        _progress_of(
            term=term,
            as_of=as_of,
            scope=unit,
            rows=[by_target[target.pk][unit.pk] for target in targets],
        )
        for unit in units
    ]


@dataclass(frozen=True)
class UnitProgress:
    """One target's progress for one unit (and its subtree)."""

    unit: Unit
    progress: TargetProgress


@dataclass(frozen=True)
class TargetBreakdown:
    """One target over a scope, and for each unit directly below it (tree order)."""

    progress: TargetProgress
    units: list[UnitProgress]


def _children_counted(
    term: Term, scope: Unit, as_of: AsOf
) -> tuple[list[Unit], dict[str, YearCounts]]:
    """One query: the units directly below the scope in the as-of year's tree (in
    order), and the units of each branch of each year's tree counted by kind, keyed
    by the path step of the unit heading the branch ("" for the scope itself)."""
    names = tables()
    fields = Unit._meta.concrete_fields
    columns = [field.column for field in fields]
    quote = connection.ops.quote_name
    blanks = ", ".join(["NULL"] * len(columns))
    sql = (
        "WITH counted AS ("
        + _units_of_years_sql(
            years=as_of.years(), by_branch=True, scope=scope, committee=term.root_unit
        )
        + ") SELECT 'u', "
        + ", ".join(f"c.{quote(column)}" for column in columns)
        + ", NULL, NULL, NULL, NULL"
        + f" FROM {names['unit']} c JOIN {names['period']} cp ON cp.unit_id = c.id"
        + f" AND {reads_committee_sql('cp', f'{as_of.year:d}', term.root_unit)}"
        + " WHERE cp.parent_id = %s"
        + f" UNION ALL SELECT 'n', {blanks}, branch, year, kind, n FROM counted"
    )
    children, counts = [], defaultdict(lambda: defaultdict(dict))
    alias = router.db_for_read(Unit) or DEFAULT_DB_ALIAS
    database = connections[alias]
    # What the ORM applies to each column on this backend (SQLite: dates and booleans;
    # PostgreSQL: nothing), worked out once rather than per unit and field.
    converters = []
    for index, column in enumerate(model_field.cached_col for model_field in fields):
        functions = [*database.ops.get_db_converters(column), *column.get_db_converters(database)]
        if functions:
            converters.append((index, column, functions))
    with database.cursor() as cursor:
        cursor.execute(sql, [scope.pk])
        for row_kind, *values in cursor.fetchall():
            if row_kind == "u":
                cells = values[: len(fields)]
                for index, column, functions in converters:
                    for convert in functions:
                        cells[index] = convert(cells[index], column, database)
                children.append(Unit.from_db(alias, None, cells))
            else:
                branch, count_year, kind, number = values[len(columns) :]
                counted = counts[branch][int(count_year)]
                counted[kind] = counted.get(kind, 0) + int(number)
    children.sort(key=lambda child: (child.order, child.name))
    return children, counts


def _merged(sums: dict[str, dict[int, TargetSums]], target_id: int) -> TargetSums:
    """The sums of every branch added up: the whole scope's."""
    parts: dict[int, dict[Group, list[Sums]]] = defaultdict(lambda: defaultdict(list))
    for by_target in sums.values():
        for year, groups in by_target.get(target_id, {}).items():
            for group, figures in groups.items():
                parts[year][group].append(figures)
    return {
        year: {
            group: Sums._make(map(sum, zip(*rows, strict=True))) for group, rows in groups.items()
        }
        for year, groups in parts.items()
    }


# The breakdown's judgement: every unit directly below a scope at once -----------
#
# `target_progress` is the rule, one scope at a time; `_units_progress` gives,
# for each unit, exactly what `target_progress` gives for it (a property test,
# tests/indicators/test_breakdown_vector.py, compares them for every kind of
# target, random results and as-of points). What is the same for every unit —
# the target's kind, the years, their weights, the thresholds, the resolution's
# plan — is worked out once; each unit costs a walk over its years in plain
# ints, and Decimals only where the figures are.


def _units_progress_one_by_one(
    target: Target,
    *,
    as_of: AsOf,
    units: list[Unit],
    plans: list[Plan],
    sums: dict[str, dict[int, TargetSums]],
    counts: dict[str, YearCounts],
) -> list[TargetProgress]:
    """`_units_progress` by the rule itself, `target_progress` unit after unit: the
    reference the tests hold it to."""
    return [
        target_progress(
            target,
            plan=plan,
            sums=sums.get(unit.path[-STEP:], {}).get(target.pk, {}),
            as_of=as_of,
            scope=Scope(unit, False, counts.get(unit.path[-STEP:], {})),
        )
        for unit, plan in zip(units, plans, strict=True)
    ]


class _PlanFigures(NamedTuple):
    """What a plan sets at the as-of point: expected, planned and each year's expected."""

    expected: Decimal | None
    planned: Decimal | None
    planned_per_year: bool
    by_year: list[Decimal | None]


class _Rules(NamedTuple):
    """`target_progress`'s rules for one target and as-of point, read once."""

    years: list[int]
    finished: list[bool]
    weights: list[Decimal]
    judged_index: int
    kinds: frozenset[str] | None
    flow: bool
    every_year: bool
    latest: bool
    per_year: bool
    measure: str
    in_percent: bool
    at_least: bool
    judgement: str
    baseline: Decimal | None
    failed: Status
    prorated: Decimal
    share: Decimal
    is_end: bool
    term_years: list[int]


def _rules(target: Target, as_of: AsOf) -> _Rules:
    years = list(as_of.years())
    return _Rules(
        years=years,
        finished=[as_of.is_finished(year) for year in years],
        weights=[as_of.weight(year) for year in years],
        judged_index=years.index(_last_judged_year(as_of)),
        kinds=Level(target.level).kinds,
        flow=_is_flow(target),
        every_year=target.judgement == Judgement.EVERY_YEAR,
        latest=target.combine == Combine.LATEST,
        per_year=target.combine == Combine.LATEST and target.frequency == Frequency.EVERY_YEAR,
        measure=target.measure,
        in_percent=target.in_percent,
        at_least=target.direction == Direction.AT_LEAST,
        judgement=target.judgement,
        baseline=target.baseline,
        failed=_failed(as_of),
        prorated=min(Decimal(1), as_of.elapsed / as_of.term_length),
        share=as_of.elapsed / as_of.term_length,
        is_end=as_of.is_end,
        term_years=list(as_of.term_years()),
    )


def _plan_figures(rules: _Rules, plan: Plan) -> _PlanFigures:
    """`_expected`, `_planned` and `_expected_for_year` of a plan, with the rules read once."""
    term, yearly, per_year = plan
    if term is None and yearly is None and not per_year:
        return _PlanFigures(None, None, False, [None] * len(rules.years))
    get = per_year.get
    if term is not None:
        final = term
    elif yearly is not None:
        final = yearly
    else:
        final = per_year[max(per_year)] if per_year else None
    if rules.flow:
        by_year = [
            None if (value := get(year, yearly)) is None else value * weight
            for year, weight in zip(rules.years, rules.weights, strict=True)
        ]
        if term is not None:
            planned = term
        else:
            figures = [
                value for year in rules.term_years if (value := get(year, yearly)) is not None
            ]
            planned = sum(figures, Decimal(0)) if figures else None
        if rules.judgement == Judgement.FINAL:
            expected = planned
        elif rules.judgement == Judgement.PRORATED and term is not None:
            expected = term * rules.prorated
        else:
            figures = [value for value in by_year if value is not None]
            expected = sum(figures, Decimal(0)) if figures else None
        return _PlanFigures(expected, planned, False, by_year)
    by_year = [get(year, yearly) for year in rules.years]
    if rules.every_year:
        expected = by_year[rules.judged_index]
    elif final is None or rules.judgement == Judgement.FINAL or rules.is_end:
        expected = final
    elif rules.baseline is not None:
        expected = rules.baseline + (final - rules.baseline) * rules.share
    else:
        expected = final if rules.in_percent else final * rules.share
    return _PlanFigures(expected, final, term is None and yearly is not None, by_year)


def _units_progress(
    target: Target,
    *,
    as_of: AsOf,
    units: list[Unit],
    plans: list[Plan],
    sums: dict[str, dict[int, TargetSums]],
    counts: dict[str, YearCounts],
) -> list[TargetProgress]:
    """`target_progress` of each of `units` (directly below a scope, none of them the
    term's committee) with its plan, its branch's sums and its branch's units, in
    one pass: the same figures, statuses and years, exactly."""
    rules = _rules(target, as_of)
    years, finished, kinds = rules.years, rules.finished, rules.kinds
    positions = range(len(years))
    last, covered_index = len(years) - 1, rules.judged_index if rules.per_year else len(years) - 1
    count, ratio = rules.measure == Measure.COUNT, rules.measure == Measure.RATIO
    latest, in_percent, at_least, failed = (
        rules.latest, rules.in_percent, rules.at_least, rules.failed
    )  # fmt: skip
    every_year = rules.every_year
    zero, hundred, minus_one = Decimal(0), HUNDRED, Decimal(-1)
    counted: dict[Group, bool] = {}
    plan_figures: dict[int, _PlanFigures] = {}

    def completion_of(actual: Decimal, expected: Decimal) -> Decimal | None:
        if in_percent:
            return None
        if at_least:
            return actual / expected if expected else None
        return expected / actual if actual and expected else None

    rows = []
    for unit, plan in zip(units, plans, strict=True):
        figures = plan_figures.get(id(plan))
        if figures is None:
            figures = _plan_figures(rules, plan)
            plan_figures[id(plan)] = figures
        expected, by_year = figures.expected, figures.by_year
        step = unit.path[-STEP:]
        unit_sums = sums.get(step, {}).get(target.pk, {})
        unit_counts = counts.get(step, {})
        # Running sums: every group's changes, and those of the target's level.
        d_units = d_value = d_numerator = d_denominator = 0
        level_units = level_inactive = level_yes = 0
        actuals, numerators, denominators, reported, in_scope, entered, any_entry = (
            [], [], [], [], [], [], []
        )  # fmt: skip
        for year in years:
            active = 0
            if kinds is not None:
                for kind, number in unit_counts.get(year, {}).items():
                    if kind in kinds:
                        active += number
            e_reported = e_value = e_numerator = e_denominator = 0
            own_reported = gone = 0
            for group, s in unit_sums.get(year, {}).items():
                e_reported += s[0]
                e_value += s[1]
                e_numerator += s[2]
                e_denominator += s[3]
                d_value += s[5]
                d_numerator += s[6]
                d_denominator += s[7]
                d_units += s[9]
                is_counted = counted.get(group)
                if is_counted is None:
                    is_counted = counted[group] = (
                        group.is_top if kinds is None else not group.is_top and group.kind in kinds
                    )
                if is_counted:
                    own_reported += s[0]
                    level_yes += s[8]
                    level_units += s[9]
                    level_inactive += s[10]
                    if not group.is_active:
                        gone += s[0]
            if rules.per_year:
                reported.append(own_reported)
                in_scope.append(active + gone)
            else:
                reported.append(level_units)
                in_scope.append(active + level_inactive)
            entered.append(own_reported)
            any_entry.append(e_reported)
            if not latest:
                if not e_reported:
                    actual = numerator = denominator = None
                elif count:
                    actual, numerator, denominator = Decimal(e_value), None, None
                else:
                    numerator, denominator = e_numerator, e_denominator
                    actual = Decimal(numerator) * hundred / denominator if denominator else None
            elif not d_units:
                actual = numerator = denominator = None
            elif count:
                actual, numerator, denominator = Decimal(d_value), None, None
            elif ratio:
                numerator, denominator = d_numerator, d_denominator
                actual = Decimal(numerator) * hundred / denominator if denominator else None
            else:
                units_of_level = active + level_inactive
                numerator, denominator = level_yes, units_of_level
                if not units_of_level:
                    actual = None
                elif in_percent:
                    actual = Decimal(level_yes) * hundred / units_of_level
                else:
                    actual = Decimal(level_yes)
            actuals.append(actual)
            numerators.append(numerator)
            denominators.append(denominator)
        # The figure at the as-of point (`_total`).
        if latest:
            actual, numerator, denominator = actuals[last], numerators[last], denominators[last]
        else:
            with_data = [
                index
                for index in positions
                if actuals[index] is not None or denominators[index] is not None
            ]
            if not with_data:
                actual = numerator = denominator = None
            elif count:
                actual = sum((actuals[index] for index in with_data), zero)
                numerator = denominator = None
            else:
                numerator = sum(numerators[index] for index in with_data)
                denominator = sum(denominators[index] for index in with_data)
                actual = Decimal(numerator) * hundred / denominator if denominator else None
        passed = [None] * len(years)
        for index in positions:
            if (
                (finished[index] or not every_year)
                and actuals[index] is not None
                and by_year[index] is not None
            ):
                if at_least:
                    passed[index] = actuals[index] >= by_year[index]
                else:
                    passed[index] = actuals[index] <= by_year[index]
        status = None
        completion = None
        missing: tuple[int, ...] = ()
        weakest_year = None
        if every_year and expected is not None and actual is not None:
            # `_every_year_verdict`.
            done = [index for index in positions if finished[index] and by_year[index] is not None]
            if done:
                missing = tuple(years[index] for index in done if not any_entry[index])
                if missing:
                    status = failed
                else:
                    judged = [index for index in done if actuals[index] is not None]
                    if not judged:
                        status = Status.NOT_APPLICABLE
                    else:
                        weakest, weakest_rank = None, None
                        for index in judged:
                            rate = completion_of(actuals[index], by_year[index])
                            rank = (bool(passed[index]), minus_one if rate is None else rate)
                            if weakest is None or rank < weakest_rank:
                                weakest, weakest_rank = index, rank
                        completion = completion_of(actuals[weakest], by_year[weakest])
                        if not passed[weakest]:
                            status = failed
                        elif all(actuals[index] != by_year[index] for index in judged):
                            status = Status.EXCEEDED
                        else:
                            status = Status.MET
                        weakest_year = years[weakest]
        if status is None:
            if expected is None:
                status = Status.NO_TARGET
            elif actual is None:
                status = Status.NOT_APPLICABLE if denominator == 0 else Status.NO_DATA
            else:
                completion = completion_of(actual, expected)
                if not (actual >= expected if at_least else actual <= expected):
                    status = failed
                else:
                    status = Status.MET if actual == expected else Status.EXCEEDED
        rows.append(
            TargetProgress(
                target=target,
                actual=actual,
                expected=expected,
                completion=completion,
                status=status,
                reported=reported[covered_index],
                in_scope=in_scope[covered_index],
                numerator=numerator,
                denominator=denominator,
                years=tuple(
                    YearPoint(year, actuals[index], by_year[index], passed[index], entered[index])
                    for index, year in enumerate(years)
                ),
                planned=figures.planned,
                planned_per_year=figures.planned_per_year,
                missing_years=missing,
                weakest_year=weakest_year,
            )
        )
    return rows


def target_breakdown_progress(
    *, term: Term, target: Target, as_of: AsOf, scope: Unit | None = None
) -> TargetBreakdown:
    """The target over the scope and for each unit directly below it, in tree order.

    From the root these are the grassroots organisations. Each unit is judged
    against its own quotas (or a percentage target); the scope's own figure is
    the units' sums added up. Three queries whatever the number of units (the
    units below with their counts, the quotas, the results), and none for the
    target's per-year values when they are prefetched.
    """
    scope = _check_scope(term, scope)
    is_root = scope.pk == term.root_unit_id
    children, counts = _children_counted(term, scope, as_of)
    quotas = _quotas(term, scope, target)
    by_child = _quotas_by(quotas, (scope.depth + 1) * STEP)
    sums = _result_sums(term=term, scope=scope, as_of=as_of, target=target, by_branch=True)
    resolution = _resolution_plan(target)
    # Units without quotas share one plan: the resolution's percentage, or none.
    shared = resolution if target.in_percent else Plan(None, None, {})
    plans = []
    for child in children:
        below = by_child.get((target.pk, scope.path + child.path[-STEP:]))
        plans.append(
            _plan_for(target, resolution=resolution, unit=child, is_root=False, quotas=below)
            if below
            else shared
        )
    judged = _units_progress(
        target, as_of=as_of, units=children, plans=plans, sums=sums, counts=counts
    )
    units = [
        UnitProgress(unit=child, progress=progress)
        for child, progress in zip(children, judged, strict=True)
    ]
    # The scope's own units: every branch's, and itself below the committee.
    held: YearCounts = defaultdict(lambda: defaultdict(int))
    for by_year in counts.values():
        for count_year, by_kind in by_year.items():
            for kind, number in by_kind.items():
                held[count_year][kind] += number
    progress = target_progress(
        target,
        plan=_plan_for(target, resolution=resolution, unit=scope, is_root=is_root, quotas=quotas),
        sums=_merged(sums, target.pk),
        as_of=as_of,
        scope=Scope(scope, is_root, {year: dict(kinds) for year, kinds in held.items()}),
    )
    return TargetBreakdown(progress=progress, units=units)


def target_breakdown(
    *, term: Term, target: Target, as_of: AsOf, scope: Unit | None = None
) -> list[UnitProgress]:
    """The target's progress for each unit directly below the scope, in tree order."""
    return target_breakdown_progress(term=term, target=target, as_of=as_of, scope=scope).units
