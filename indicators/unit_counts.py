"""Keeps `UnitCount` exact: every change of the tree rebuilds it.

The engine counts the units of a scope's tree of each year (coverage, yes/no
denominators) from these rows: one indexed lookup for a scope, one for its
branches, where counting the placements themselves grew with every move and
merger. The rows cover every year of every term; they are rebuilt whole, in
one statement, whenever `units.models.units_changed` is sent (a unit added,
moved, ended, changed kind; a batch of such writes, once) or a term's years
change. Reading them is `engine._units_of_years_sql`.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Max, Min
from django.db.models.functions import Length
from django.db.models.signals import post_save

from indicators.engine import tables
from indicators.models import Term, UnitCount
from units.models import STEP, UnitPeriod, units_changed
from units.selectors import alive_sql, holds_year_sql, years_sql

# Each placement counts at its own path and at every path above it (one row per
# depth), in the year it holds, if its unit still existed at the year's end.
REBUILD_SQL = """
INSERT INTO {counts} (year, path, parent_path, kind, own, n)
SELECT y.year, SUBSTR(p.path, 1, d.depth * {step:d}), SUBSTR(p.path, 1, (d.depth - 1) * {step:d}),
       u.kind, SUM(CASE WHEN LENGTH(p.path) = d.depth * {step:d} THEN 1 ELSE 0 END), COUNT(*)
FROM ({years}) y
JOIN {period} p ON {holds}
JOIN {unit} u ON u.id = p.unit_id AND {alive}
JOIN ({depths}) d ON d.depth * {step:d} <= LENGTH(p.path)
GROUP BY 1, 2, 3, 4
"""


def counted_years() -> range:
    """Every year of every term (the years the engine reads)."""
    span = Term.objects.aggregate(first=Min("start_year"), last=Max("end_year"))
    if span["first"] is None:
        return range(0)
    return range(span["first"] + 1, span["last"] + 1)


def counts_refresh() -> None:
    """Rebuild every row (a few hundred milliseconds on a 10.000-unit tree)."""
    years = counted_years()
    deepest = UnitPeriod.objects.aggregate(length=Max(Length("path")))["length"] or 0
    names = {**tables(), "counts": connection.ops.quote_name(UnitCount._meta.db_table)}
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Two writers rebuilding at once would otherwise both insert.
            cursor.execute("SELECT pg_advisory_xact_lock(727275)")
        cursor.execute(f"DELETE FROM {names['counts']}")
        if not years or not deepest:
            return
        depths = " UNION ALL ".join(
            f"SELECT {depth:d} AS depth" for depth in range(1, deepest // STEP + 1)
        )
        cursor.execute(
            REBUILD_SQL.format(
                years=years_sql(years),
                depths=depths,
                holds=holds_year_sql("p", "y.year"),
                alive=alive_sql("u", "y.year"),
                step=STEP,
                **names,
            )
        )


def _units_changed(sender, **kwargs) -> None:
    counts_refresh()


def _term_saved(sender, instance: Term, created: bool, **kwargs) -> None:
    years = (instance.start_year, instance.end_year)
    if created or getattr(instance, "_loaded_years", years) != years:
        counts_refresh()
    instance._loaded_years = years


def connect() -> None:
    units_changed.connect(_units_changed, dispatch_uid="unit_counts_units_changed")
    post_save.connect(_term_saved, sender=Term, dispatch_uid="unit_counts_term_saved")
