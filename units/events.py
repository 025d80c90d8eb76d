"""Recorded reorganisations: move, dissolve, merge, split, rename.

Each event is one atomic step with its effective date and the decision
(number, date) that ordered it. It never rewrites the past: a unit's place is
kept per period (`UnitPeriod`), so a move closes the placements of the unit and
its subtree the day before and opens new ones; a unit that ends keeps its last
placement, closed on its end date. The materialised `Unit.path` is the current
tree.

Rules checked before anything is written (`EventRefused` lists every broken
one, in Vietnamese through gettext):

- a unit is never in two places at once, nor nowhere between two placements:
  an event is dated on or after the start of every current placement it closes
  (events are recorded in date order) and a unit that ended takes part in none;
- the unit that receives units exists on the date (founded, not ended);
- a unit ends only when nothing below it is still there (move or dissolve its
  units first, or name where they go in a merger or split);
- no results after a unit ended, unless the year was partly before: checks
  registered by the apps that keep results (`register_end_check`) refuse an
  end date before a year the unit has results for.

Every service takes `preview=True`: the same steps run, the description of
what changes is returned and nothing is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from units.models import (
    EndReason,
    EventKind,
    Unit,
    UnitEvent,
    UnitPeriod,
    placement_years,
    tree_batch,
    tree_changed,
)


class EventRefused(ValidationError):
    """The event breaks a rule of the tree's history; nothing was written."""


# Checks run before units end on a date: each returns the messages of what
# forbids it (e.g. results entered for a later year). Apps register their own.
EndCheck = Callable[[list[Unit], date], list[str]]
_end_checks: list[EndCheck] = []


def register_end_check(check: EndCheck) -> None:
    if check not in _end_checks:
        _end_checks.append(check)


@dataclass
class Outcome:
    """What an event changed (or, previewed, would change), line by line."""

    lines: list[str] = field(default_factory=list)
    created: list[Unit] = field(default_factory=list)
    previewed: bool = False


@dataclass(frozen=True)
class NewUnit:
    """A unit an event creates (a merger's or a split's result)."""

    name: str
    code: str
    kind: str = ""
    sector: str = ""


def day_text(value: date) -> str:
    return date_format(value, "d/m/Y")


class _Event:
    """Collects the errors first, then writes in one transaction (rolled back in preview)."""

    def __init__(self, *, when: date, decision_number: str, decision_date: date | None) -> None:
        self.when = when
        self.decision_number = (decision_number or "").strip()
        self.decision_date = decision_date
        self.errors: list[str] = []
        self.outcome = Outcome()
        if not isinstance(when, date):
            self.errors.append(_("Give the date the change takes effect."))
        if not self.decision_number:
            self.errors.append(_("Give the number of the decision."))
        if decision_date is not None and isinstance(when, date) and decision_date > when:
            # A decision may take effect later, never before it is signed.
            self.errors.append(_("The decision is dated after the change takes effect."))

    def check_alive(self, unit: Unit) -> None:
        if unit.ended_on is not None:
            self.errors.append(
                _("%(unit)s ended on %(date)s and can no longer change.")
                % {"unit": unit, "date": day_text(unit.ended_on)}
            )
        elif unit.founded_on is not None and self.when < unit.founded_on:
            self.errors.append(
                _("%(unit)s was founded on %(date)s, after the date of the change.")
                % {"unit": unit, "date": day_text(unit.founded_on)}
            )

    def check_in_order(self, units: Iterable[Unit]) -> None:
        """No placement closed before it started: events are recorded in date order."""
        later = (
            UnitPeriod.objects.filter(unit__in=list(units), end__isnull=True, start__gt=self.when)
            .select_related("unit")
            .order_by("start")
        )
        for period in later:
            self.errors.append(
                _(
                    "%(unit)s has been where it is since %(date)s: an earlier change "
                    "cannot be recorded after it."
                )
                % {"unit": period.unit, "date": day_text(period.start)}
            )

    def check_end(self, units: list[Unit]) -> None:
        for check in _end_checks:
            self.errors.extend(check(units, self.when))

    def check_empty(self, unit: Unit, leaving: Iterable[Unit] = ()) -> None:
        leaving = {u.pk for u in leaving}
        staying = [
            child
            for child in unit.children.filter(ended_on__isnull=True)
            if child.pk not in leaving
        ]
        if staying:
            self.errors.append(
                _("%(unit)s still has units below it (%(names)s): move or end them first.")
                % {"unit": unit, "names": ", ".join(str(child) for child in staying)}
            )

    def refuse_if_wrong(self) -> None:
        if self.errors:
            raise EventRefused(self.errors)

    def record(self, unit: Unit, kind: str, **fields) -> UnitEvent:
        others = fields.pop("others", ())
        event = UnitEvent.objects.create(
            unit=unit,
            kind=kind,
            date=self.when,
            decision_number=self.decision_number,
            decision_date=self.decision_date,
            **fields,
        )
        if others:
            event.others.set(others)
        return event

    # Writes ------------------------------------------------------------------
    def move(self, unit: Unit, parent: Unit) -> None:
        """Close the placements of the unit's subtree and open them under `parent`."""
        old_path, old_parent = unit.path, unit.parent
        subtree = list(Unit.objects.subtree(unit).filter(ended_on__isnull=True))
        open_periods = UnitPeriod.objects.filter(unit__in=subtree, end__isnull=True)
        # A placement ended by a move holds the years before the move's year.
        open_periods.update(end=self.when, last_year=self.when.year - 1)
        unit.parent = parent
        unit._recorded_move = True
        unit.save()
        UnitPeriod.objects.bulk_create(
            UnitPeriod(
                unit=member,
                parent_id=parent.pk if member.pk == unit.pk else member.parent_id,
                start=self.when,
                path=member.path,
                first_year=self.when.year,
            )
            for member in Unit.objects.subtree(unit).filter(ended_on__isnull=True)
        )
        self.outcome.lines.append(
            _("%(unit)s moves from %(old)s to %(new)s (%(count)s units with it) from %(date)s.")
            % {
                "unit": unit,
                "old": old_parent or "—",
                "new": parent,
                "count": len(subtree) - 1,
                "date": day_text(self.when),
            }
        )
        tree_changed.send(sender=Unit, paths={old_path, unit.path})

    def end(self, unit: Unit, reason: str, successors: Iterable[Unit] = ()) -> None:
        period = UnitPeriod.objects.filter(unit=unit, end__isnull=True).first()
        if period is not None:
            period.end = self.when
            period.first_year, period.last_year = placement_years(
                period.start, self.when, final=True
            )
            period.save(update_fields=["end", "first_year", "last_year"])
        unit.ended_on = self.when
        unit.end_year = self.when.year
        unit.end_reason = reason
        unit.end_decision_number = self.decision_number
        unit.end_decision_date = self.decision_date
        unit.is_active = False
        unit.save()  # sends tree_changed: the roll-up rebuilds the unit's branch
        if successors:
            unit.successors.add(*successors)

    def create(self, new: NewUnit, *, parent: Unit | None, like: Unit) -> Unit:
        unit = Unit(
            name=new.name,
            code=new.code,
            kind=new.kind or like.kind,
            sector=new.sector or like.sector,
            parent=parent,
            founded_on=self.when,
        )
        try:
            unit.full_clean(exclude=["path", "parent"])
        except ValidationError as error:
            raise EventRefused([f"{new.code}: {m}" for m in error.messages]) from error
        unit.save()
        self.outcome.created.append(unit)
        return unit


def _run(event: _Event, write: Callable[[], None], *, preview: bool) -> Outcome:
    event.refuse_if_wrong()
    with transaction.atomic():
        # The tree's derived counts are rebuilt once, after the whole event.
        with tree_batch(send=not preview):
            write()
        if preview:
            transaction.set_rollback(True)
            event.outcome.previewed = True
    return event.outcome


def _load(unit: Unit) -> Unit:
    """The unit as stored now (a form's instance may be stale)."""
    return Unit.objects.select_for_update().get(pk=unit.pk)


def unit_move(
    *,
    unit: Unit,
    parent: Unit,
    when: date,
    decision_number: str,
    decision_date: date | None = None,
    preview: bool = False,
) -> Outcome:
    """A moves from its parent to `parent` on `when`, with its whole subtree."""
    event = _Event(when=when, decision_number=decision_number, decision_date=decision_date)
    with transaction.atomic():
        unit, parent = _load(unit), _load(parent)
        event.check_alive(unit)
        event.check_alive(parent)
        if unit.parent_id is None:
            event.errors.append(_("A committee at the top of the tree is not moved."))
        elif parent.pk == unit.parent_id:
            event.errors.append(_("%(unit)s is already under %(parent)s.") % {
                "unit": unit, "parent": parent})  # fmt: skip
        if parent.is_in(unit):
            event.errors.append(_("A unit cannot be placed under itself or one of its own units."))
        if isinstance(when, date):
            event.check_in_order(Unit.objects.subtree(unit).filter(ended_on__isnull=True))

        def write() -> None:
            event.move(unit, parent)
            event.record(unit, EventKind.MOVE, from_unit=unit_parent, to_unit=parent)

        unit_parent = unit.parent
        return _run(event, write, preview=preview)


def unit_dissolve(
    *,
    unit: Unit,
    when: date,
    decision_number: str,
    decision_date: date | None = None,
    preview: bool = False,
) -> Outcome:
    """A unit ceases to exist on `when` (its last day is the day before)."""
    event = _Event(when=when, decision_number=decision_number, decision_date=decision_date)
    with transaction.atomic():
        unit = _load(unit)
        event.check_alive(unit)
        event.check_empty(unit)
        if isinstance(when, date):
            event.check_in_order([unit])
            event.check_end([unit])

        def write() -> None:
            event.end(unit, EndReason.DISSOLVED)
            event.record(unit, EventKind.DISSOLVE)
            event.outcome.lines.append(
                _("%(unit)s is dissolved from %(date)s.") % {"unit": unit, "date": day_text(when)}
            )

        return _run(event, write, preview=preview)


def unit_merge(
    *,
    units: list[Unit],
    into: Unit | NewUnit,
    when: date,
    decision_number: str,
    decision_date: date | None = None,
    parent: Unit | None = None,
    preview: bool = False,
) -> Outcome:
    """A + B → C: the units end, their units move under C (an existing unit, or a new
    one under `parent`, by default the first unit's parent)."""
    event = _Event(when=when, decision_number=decision_number, decision_date=decision_date)
    with transaction.atomic():
        merged = [_load(unit) for unit in units]
        if len({unit.pk for unit in merged}) < 2 and not isinstance(into, Unit):
            event.errors.append(_("A merger needs at least two units."))
        target = _load(into) if isinstance(into, Unit) else None
        if target is not None:
            event.check_alive(target)
            if target.pk in {unit.pk for unit in merged}:
                event.errors.append(_("A unit cannot be merged into itself."))
            if any(target.is_in(unit) for unit in merged):
                event.errors.append(
                    _("A unit cannot be placed under itself or one of its own units.")
                )
        for unit in merged:
            event.check_alive(unit)
        place = parent or (merged[0].parent if merged else None)
        if place is not None:
            event.check_alive(place)
        below = [child for unit in merged for child in unit.children.filter(ended_on__isnull=True)]
        if isinstance(when, date):
            event.check_in_order(
                [*merged, *(u for child in below for u in Unit.objects.subtree(child))]
            )
            event.check_end(merged)

        def write() -> None:
            result = target or event.create(into, parent=place, like=merged[0])
            for child in below:
                event.move(child, result)
                event.record(child, EventKind.MOVE, from_unit=child_parent[child.pk],
                             to_unit=result)  # fmt: skip
            for unit in merged:
                event.end(unit, EndReason.MERGED, [result])
                event.record(unit, EventKind.MERGE, to_unit=result)
            event.record(result, EventKind.MERGE if target else EventKind.FOUNDED, others=merged)
            event.outcome.lines.append(
                _("%(units)s merge into %(into)s from %(date)s.")
                % {
                    "units": ", ".join(str(unit) for unit in merged),
                    "into": result,
                    "date": day_text(when),
                }
            )

        child_parent = {child.pk: child.parent for child in below}
        return _run(event, write, preview=preview)


def unit_split(
    *,
    unit: Unit,
    into: list[NewUnit | Unit],
    when: date,
    decision_number: str,
    decision_date: date | None = None,
    children: dict[int, int] | None = None,
    preview: bool = False,
) -> Outcome:
    """A → B + C: A ends; B and C (new, under A's parent, or existing units) succeed it.

    `children` says where each unit below A goes: {child id: index in `into`}.
    """
    event = _Event(when=when, decision_number=decision_number, decision_date=decision_date)
    children = children or {}
    with transaction.atomic():
        unit = _load(unit)
        event.check_alive(unit)
        if len(into) < 2:
            event.errors.append(_("A split needs at least two units."))
        existing = [_load(part) for part in into if isinstance(part, Unit)]
        for part in existing:
            event.check_alive(part)
            if part.is_in(unit):
                event.errors.append(
                    _("A unit cannot be placed under itself or one of its own units.")
                )
        below = list(unit.children.filter(ended_on__isnull=True))
        unplaced = [child for child in below if not 0 <= children.get(child.pk, -1) < len(into)]
        if unplaced:
            event.errors.append(
                _("Say which new unit each unit below %(unit)s goes to: %(names)s.")
                % {"unit": unit, "names": ", ".join(str(child) for child in unplaced)}
            )
        if unit.parent is not None:
            event.check_alive(unit.parent)
        if isinstance(when, date):
            event.check_in_order(
                [unit, *(u for child in below for u in Unit.objects.subtree(child))]
            )
            event.check_end([unit])

        def write() -> None:
            parts = [
                part if isinstance(part, Unit) else event.create(part, parent=unit.parent,
                                                                 like=unit)
                for part in into
            ]  # fmt: skip
            for child in below:
                event.move(child, parts[children[child.pk]])
                event.record(child, EventKind.MOVE, from_unit=unit,
                             to_unit=parts[children[child.pk]])  # fmt: skip
            event.end(unit, EndReason.SPLIT, parts)
            event.record(unit, EventKind.SPLIT, others=parts)
            for part in parts:
                event.record(part, EventKind.FOUNDED, from_unit=unit)
            event.outcome.lines.append(
                _("%(unit)s is split into %(parts)s from %(date)s.")
                % {
                    "unit": unit,
                    "parts": ", ".join(str(part) for part in parts),
                    "date": day_text(when),
                }
            )

        return _run(event, write, preview=preview)


def unit_rename(
    *,
    unit: Unit,
    name: str,
    when: date,
    decision_number: str,
    decision_date: date | None = None,
    preview: bool = False,
) -> Outcome:
    """The same unit under a new name from `when` (its place and results stay)."""
    event = _Event(when=when, decision_number=decision_number, decision_date=decision_date)
    name = (name or "").strip()
    with transaction.atomic():
        unit = _load(unit)
        event.check_alive(unit)
        if not name:
            event.errors.append(_("Give the new name."))
        elif name == unit.name:
            event.errors.append(_("The new name is the current one."))

        def write() -> None:
            old = unit.name
            unit.name = name
            unit.save(update_fields=["name"])
            event.record(unit, EventKind.RENAME, old_name=old)
            event.outcome.lines.append(
                _("%(old)s is renamed %(new)s from %(date)s.")
                % {"old": old, "new": name, "date": day_text(when)}
            )

        return _run(event, write, preview=preview)
