"""The demo's reorganisations inside the term: a move, a merger and a dissolution.

Recorded through `units.events`, each with its date and decision, after the
results are in (so the services check them as they would any office's):

- 01/04/2023: a cell of Đảng bộ cơ quan số 092 moves to Đảng bộ cơ quan số 097;
- 01/07/2024: Đảng bộ doanh nghiệp số 110 merges into Đảng bộ doanh nghiệp số 102
  (its three cells move with it);
- 01/10/2024: Chi bộ doanh nghiệp số 117 is dissolved.

The seed's figures stay the article's: the demo's results stop at 2023 and the
cells' at 2022, so no unit has a result after it ends, every grassroots
organisation still existed at the end of 2023 (111/121, 62/121 at mid-term) and
a move inside the committee changes no committee total. The 2025 admission
quotas of the two units that end go to the unit that takes their members (the
merger's result; for the dissolved cell, the neighbouring Đảng bộ doanh nghiệp
số 118), so each year's plan still adds up to 640. None of these units is a
demo login's, the workflow's or the review's correction's.

Loading again (`make demo-reset`) first undoes these events only (placements,
ends, timeline rows), since the tree is rebuilt in its original shape before.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import F

from indicators.models import UnitQuota
from units.events import unit_dissolve, unit_merge, unit_move
from units.models import Unit, UnitEvent, UnitPeriod

MOVE = {
    "unit": "CS092-05",
    "parent": "CS097",
    "when": date(2023, 4, 1),
    "decision_number": "112-QĐ/ĐUK",
    "decision_date": date(2023, 3, 20),
}
MERGE = {
    "unit": "CS110",
    "into": "CS102",
    "when": date(2024, 7, 1),
    "decision_number": "245-QĐ/ĐUK",
    "decision_date": date(2024, 6, 14),
}
DISSOLVE = {
    "unit": "CS117",
    "members_to": "CS118",
    "when": date(2024, 10, 1),
    "decision_number": "301-QĐ/ĐUK",
    "decision_date": date(2024, 9, 16),
}
DECISIONS = [event["decision_number"] for event in (MOVE, MERGE, DISSOLVE)]


def _units(root: Unit) -> dict[str, Unit]:
    codes = [MOVE["unit"], MOVE["parent"], MERGE["unit"], MERGE["into"], DISSOLVE["unit"],
             DISSOLVE["members_to"]]  # fmt: skip
    units = Unit.objects.subtree(root).filter(code__in=codes)
    return {unit.code: unit for unit in units}


def _undo(root: Unit) -> None:
    """Forget the events of an earlier load: the units are back in their first shape."""
    events = UnitEvent.objects.filter(
        decision_number__in=DECISIONS, unit__path__startswith=root.path
    )
    touched = list(Unit.objects.filter(pk__in=events.values("unit_id")).distinct())
    if not touched:
        return
    events.delete()
    for unit in touched:
        if unit.ended_on is not None and unit.end_decision_number in DECISIONS:
            unit.successors.clear()
            Unit.objects.filter(pk=unit.pk).update(
                ended_on=None, end_year=None, end_reason="", end_decision_number="",
                end_decision_date=None, is_active=True,
            )  # fmt: skip
    # The tree's rebuild put each unit back under its first parent (a correction):
    # its one placement, from its founding, is where it stands now.
    UnitPeriod.objects.filter(unit__in=touched).delete()
    UnitPeriod.open_for(Unit.objects.filter(pk__in=[unit.pk for unit in touched]))


def _rehome_quotas(unit: Unit, to: Unit) -> None:
    """The quotas of `unit` for the years after its last go to `to` (the totals stay)."""
    last_year = (unit.ended_on - timedelta(days=1)).year
    for quota in UnitQuota.objects.filter(unit=unit, year__gt=last_year):
        UnitQuota.objects.filter(target=quota.target_id, unit=to, year=quota.year).update(
            value=F("value") + quota.value
        )
        quota.delete()


def demo_events(builder) -> None:
    """Record the demo's move, merger and dissolution (see the module's docstring)."""
    root = builder.root
    _undo(root)
    units = _units(root)
    unit_move(
        unit=units[MOVE["unit"]],
        parent=units[MOVE["parent"]],
        when=MOVE["when"],
        decision_number=MOVE["decision_number"],
        decision_date=MOVE["decision_date"],
    )
    unit_merge(
        units=[units[MERGE["unit"]]],
        into=units[MERGE["into"]],
        when=MERGE["when"],
        decision_number=MERGE["decision_number"],
        decision_date=MERGE["decision_date"],
    )
    _rehome_quotas(Unit.objects.get(code=MERGE["unit"]), units[MERGE["into"]])
    unit_dissolve(
        unit=units[DISSOLVE["unit"]],
        when=DISSOLVE["when"],
        decision_number=DISSOLVE["decision_number"],
        decision_date=DISSOLVE["decision_date"],
    )
    _rehome_quotas(Unit.objects.get(code=DISSOLVE["unit"]), units[DISSOLVE["members_to"]])
