"""Keeps `ResultRollup` exact: every write rebuilds the (target, branch) rows it touches.

A branch is a grassroots organisation's subtree (a unit's path cut at depth
ROLLUP_DEPTH). Rebuilding one branch of one target reads only that branch's
results, so a saved result costs two small statements. Bulk writers wrap their
work in `rollup_batch()` (one rebuild at the end) or call `rollup_refresh()`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save

from indicators.engine import (
    ROLLUP_DEPTH,
    SUM_COLUMNS,
    TERM_TOTAL,
    contributions_sql,
    tables,
)
from indicators.models import Result, Target, Term
from units.models import STEP, UnitPeriod, tree_changed

BRANCH_LENGTH = ROLLUP_DEPTH * STEP
# Above this many branches a batch rebuilds whole targets instead.
MANY_BRANCHES = 200
GROUP_COLUMNS = ["branch", "target_id", "year", "kind", "is_active", "is_top"]

INSERT_INTO = "INSERT INTO {rollup} (" + ", ".join(GROUP_COLUMNS + SUM_COLUMNS) + ") "

# A target's totals: its branches under the committee of its term (a unit moved
# out of the committee keeps its results, which no longer count there).
TOTALS_SQL = (
    "INSERT INTO {rollup} ("
    + ", ".join(GROUP_COLUMNS + SUM_COLUMNS)
    + ") SELECT %s, ro.target_id, ro.year, ro.kind, ro.is_active, ro.is_top, "
    + ", ".join(f"SUM(ro.{column})" for column in SUM_COLUMNS)
    + " FROM {rollup} ro"
    + " JOIN {target} t ON t.id = ro.target_id"
    + " JOIN {term} tm ON tm.id = t.term_id"
    + " JOIN {unit} committee ON committee.id = tm.root_unit_id"
    + " WHERE ro.branch <> %s AND ro.branch LIKE committee.path || '%%' AND {where}"
    + " GROUP BY ro.target_id, ro.year, ro.kind, ro.is_active, ro.is_top"
)

_state = threading.local()


def branch_of(path: str) -> str:
    return path[:BRANCH_LENGTH]


def rollup_refresh(
    *, target_ids: Iterable[int] | None = None, branches: Iterable[str] | None = None
) -> None:
    """Rebuild the roll-up of these targets (all when None) in these branches (all when None)."""
    target_ids = sorted(set(target_ids)) if target_ids is not None else None
    branches = sorted(set(branches)) if branches is not None else None
    if target_ids == [] or branches == []:
        return
    delete_where, insert_where = ["1 = 1"], ["1 = 1"]
    delete_params: list = []
    insert_params: list = []
    if target_ids is not None:
        marks = ", ".join(["%s"] * len(target_ids))
        delete_where.append(f"target_id IN ({marks})")
        insert_where.append(f"r.target_id IN ({marks})")
        delete_params += target_ids
        insert_params += target_ids
    outer, outer_params = ["1 = 1"], []
    if branches is not None:
        delete_where.append(f"branch IN ({', '.join(['%s'] * len(branches))})")
        delete_params += branches
        conditions = []
        for branch in branches:
            # A branch holds the units below it; a unit above the branch depth only itself.
            conditions.append(
                "{alias}.path LIKE %s" if len(branch) == BRANCH_LENGTH else "{alias}.path = %s"
            )
            outer_params.append(branch + "%" if len(branch) == BRANCH_LENGTH else branch)
        placed = " OR ".join(conditions)
        # Every unit that ever stood in these branches: its figures may move in or out.
        insert_where.append(
            f"r.unit_id IN (SELECT p2.unit_id FROM {tables()['period']} p2"
            f" WHERE {placed.format(alias='p2')})"
        )
        insert_params += outer_params
        outer.append(f"({placed.format(alias='c')})")
    names = tables()
    statement = contributions_sql(
        branch=f"SUBSTR(c.path, 1, {BRANCH_LENGTH:d})",
        where=" AND ".join(insert_where),
        join="",
        outer=" AND ".join(outer),
    )
    # The contributions' WITH comes first, then the INSERT (both databases take it so).
    head, _sep, select = statement.rpartition(")\nSELECT ")
    statement = head + ")\n" + INSERT_INTO.format(**names) + "SELECT " + select
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Two writers rebuilding the same rows would otherwise interleave.
            cursor.execute("SELECT pg_advisory_xact_lock(727274)")
        cursor.execute(
            f"DELETE FROM {names['rollup']} WHERE {' AND '.join(delete_where)}", delete_params
        )
        cursor.execute(statement, insert_params + outer_params)
        # Each target's totals over its branches: what a whole-term scope reads.
        targets_where, totals_params = "1 = 1", []
        if target_ids is not None:
            targets_where = f"target_id IN ({', '.join(['%s'] * len(target_ids))})"
            totals_params = list(target_ids)
        cursor.execute(
            f"DELETE FROM {names['rollup']} WHERE branch = %s AND {targets_where}",
            [TERM_TOTAL, *totals_params],
        )
        cursor.execute(
            TOTALS_SQL.format(where=targets_where.replace("target_id", "ro.target_id"), **names),
            [TERM_TOTAL, TERM_TOTAL, *totals_params],
        )


def rollup_refresh_term(term: Term) -> None:
    rollup_refresh(target_ids=Target.objects.filter(term=term).values_list("pk", flat=True))


def _touch(target_ids: Iterable[int] | None, branches: Iterable[str] | None) -> None:
    """Rebuild these targets (None: all) in these branches (None: all), now or at batch end."""
    pending = getattr(_state, "pending", None)
    if pending is None:
        rollup_refresh(target_ids=target_ids, branches=branches)
        return
    targets, touched = pending
    if target_ids is None:
        targets.add(None)
    else:
        targets.update(target_ids)
    if branches is None:
        touched.add(None)
    else:
        touched.update(branches)


@contextmanager
def rollup_batch() -> Iterator[None]:
    """Collect the roll-up rebuilds of many writes and do them once, at the end."""
    if getattr(_state, "pending", None) is not None:
        yield
        return
    _state.pending = (set(), set())
    try:
        yield
        targets, branches = _state.pending
    finally:
        _state.pending = None
    rollup_refresh(
        target_ids=None if None in targets else targets,
        branches=None if None in branches or len(branches) > MANY_BRANCHES else branches,
    )


def _branches(unit_ids: Iterable[int]) -> dict[int, set[str]]:
    """The branches each unit ever stood in (one query): a report from a new place
    takes the unit's previous figure out of the old one."""
    placed: dict[int, set[str]] = {}
    rows = UnitPeriod.objects.filter(unit_id__in=set(unit_ids)).values_list("unit_id", "path")
    for unit_id, path in rows:
        placed.setdefault(unit_id, set()).add(branch_of(path))
    return placed


def _touch_results(keys: Iterable[tuple[int, int, str]]) -> None:
    """Rebuild after writes of (target id, unit id, unit's current path)."""
    keys = list(keys)
    if not keys:
        return
    placed = _branches(unit_id for _target, unit_id, _path in keys)
    branches = {branch_of(path) for _target, _unit, path in keys}
    for _target, unit_id, _path in keys:
        branches |= placed.get(unit_id, set())
    _touch({target for target, _unit, _path in keys}, branches)


def rollup_touched(results: Iterable[Result]) -> None:
    """Rebuild (now, or at the end of the batch) after writes that send no signals (bulk)."""
    _touch_results({(r.target_id, r.unit_id, r.unit.path) for r in results})


def _result_saved(sender, instance: Result, **kwargs) -> None:
    touched = {(instance.target_id, instance.unit_id, instance.unit.path)}
    loaded = getattr(instance, "_loaded_keys", None)
    if loaded and loaded != (instance.target_id, instance.unit_id):
        old_target, old_unit = loaded
        old_path = type(instance.unit).objects.filter(pk=old_unit).values_list("path", flat=True)
        touched.add((old_target, old_unit, old_path[0] if old_path else ""))
    instance._loaded_keys = (instance.target_id, instance.unit_id)
    _touch_results(touched)


def _result_deleted(sender, instance: Result, **kwargs) -> None:
    _touch_results([(instance.target_id, instance.unit_id, instance.unit.path)])


def _tree_changed(sender, paths: Iterable[str], **kwargs) -> None:
    paths = set(paths)
    if any(len(path) < BRANCH_LENGTH for path in paths):
        # A unit above the branches moved (a committee): every branch key below
        # it changed, so everything is rebuilt.
        _touch(None, None)
        return
    _touch(None, {branch_of(path) for path in paths})


def _term_saved(sender, instance: Term, created: bool, **kwargs) -> None:
    if not created and getattr(instance, "_loaded_root", instance.root_unit_id) != (
        instance.root_unit_id
    ):
        rollup_refresh_term(instance)
    instance._loaded_root = instance.root_unit_id


def connect() -> None:
    post_save.connect(_result_saved, sender=Result, dispatch_uid="rollup_result_saved")
    post_delete.connect(_result_deleted, sender=Result, dispatch_uid="rollup_result_deleted")
    post_save.connect(_term_saved, sender=Term, dispatch_uid="rollup_term_saved")
    tree_changed.connect(_tree_changed, dispatch_uid="rollup_tree_changed")
