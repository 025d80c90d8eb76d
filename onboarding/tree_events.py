"""Import of recorded reorganisations: a file of dated changes to the tree.

The tree file (`onboarding/tree.py`) says what the tree is now and corrects it
without a date. This file is the register of the decisions that changed it: one
row per unit and change, with the date it takes effect and the decision's
number and date, as an office copies them from its decisions:

| Có hiệu lực từ ngày | Thay đổi | Mã đơn vị | Mã đơn vị nhận | Tên mới | Số QĐ | Ngày QĐ |

- move (chuyển): the unit goes under the receiving unit;
- dissolve (giải thể): the unit ends (nothing may be left below it);
- merge (sáp nhập): one row per unit merged; rows with the same date, decision and
  receiving unit are one merger; a receiving code not in the tree is a new unit,
  named in "Tên mới";
- split (chia tách): one row per part (an existing unit, or a new one named in
  "Tên mới"); a move on the same date and decision of a unit below the split unit
  to one of the parts says where that unit goes;
- rename (đổi tên): the new name.

Rows may come in any order: the changes are recorded in date order (then file
order) through `units.events`, whose rules refuse a change out of order, a unit
that no longer exists, results after an end... The plan runs every change in a
transaction rolled back at the end, so the preview lists what the services say
each change does; a file with any error writes nothing. A change already
recorded (same unit, kind, date and decision) is skipped, so an export imports
back unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.services import RowError
from onboarding.flow import ImportPlan, RowReader, plan_rows
from onboarding.sheets import Column, SheetBook, SheetFile, cell_choice, cell_text, choice_label
from units.event_forms import EVENT_CHOICES
from units.events import (
    EventRefused,
    NewUnit,
    unit_dissolve,
    unit_merge,
    unit_move,
    unit_rename,
    unit_split,
)
from units.models import EventKind, Unit, UnitEvent, User, tree_batch, units_touched
from units.selectors import unit_scope_for

COLUMNS = [
    Column("when", gettext_lazy("Takes effect on"), width=14),
    Column("change", gettext_lazy("Change"), tuple(EVENT_CHOICES), width=30),
    Column("unit", gettext_lazy("Unit code"), width=14),
    Column("to", gettext_lazy("Receiving unit code"), width=22),
    Column("name", gettext_lazy("New name (a renaming, or a new unit)"), width=40),
    Column("decision_number", gettext_lazy("Decision number"), width=16),
    Column("decision_date", gettext_lazy("Decision date"), width=14),
]
COLUMN = {column.name: column for column in COLUMNS}
REQUIRED = ("when", "change", "unit", "decision_number")
NEEDS_TO = {EventKind.MOVE, EventKind.MERGE, EventKind.SPLIT}


def header(name: str) -> str:
    return str(COLUMN[name].header)


DAY_FIRST = re.compile(r"(?P<day>\d{1,2})[/.-](?P<month>\d{1,2})[/.-](?P<year>\d{4})")
YEAR_FIRST = re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})(?: 00:00:00)?")


def cell_date(value) -> date | None:
    """A date as Excel stores it or an office writes it: 01/07/2024, 1/7/2024, 2024-07-01."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    if not text:
        return None
    match = DAY_FIRST.fullmatch(text) or YEAR_FIRST.fullmatch(text)
    if match:
        try:
            return date(int(match["year"]), int(match["month"]), int(match["day"]))
        except ValueError:
            pass
    raise ValueError(
        _("“%(value)s” is not a date: write it as day/month/year, e.g. 01/07/2024.")
        % {"value": text}
    )


# What an office also writes for a change, besides the drop-down's labels.
ALIASES = {
    "chuyển": EventKind.MOVE,
    "chuyen": EventKind.MOVE,
    "hợp nhất": EventKind.MERGE,
    "hop nhat": EventKind.MERGE,
    "giai the": EventKind.DISSOLVE,
    "sap nhap": EventKind.MERGE,
    "chia tach": EventKind.SPLIT,
    "doi ten": EventKind.RENAME,
}


def read_change(value) -> str:
    alias = ALIASES.get(cell_text(value).casefold())
    return alias or cell_choice(value, COLUMN["change"])


@dataclass
class EventLine:
    """One row of the file."""

    row: int
    when: date
    kind: str
    unit: str
    to: str
    name: str
    decision_number: str
    decision_date: date | None


@dataclass
class _Change:
    """One event for `units.events`: a row, or the rows of one merger or split."""

    kind: str
    lines: list[EventLine]
    children: list[EventLine] = field(default_factory=list)  # a split's moves

    @property
    def first(self) -> EventLine:
        return self.lines[0]

    @property
    def rows(self) -> list[int]:
        return [line.row for line in (*self.lines, *self.children)]


@dataclass
class EventsPlan(ImportPlan):
    """What the file records (or recorded): the services' lines, or the errors."""

    lines: list[str] = field(default_factory=list)
    recorded: int = 0
    unchanged: int = 0


# Files --------------------------------------------------------------------------------


def events_headers() -> list[str]:
    return [str(column.header) for column in COLUMNS]


def events_file(*, user: User) -> SheetFile:
    """The recorded reorganisations of the user's subtree, and the template."""
    return SheetFile(
        name="thay-doi-to-chuc",
        book=SheetBook.of(COLUMNS, title=gettext_lazy("Reorganisations")),
        headers=events_headers(),
        export=lambda: events_export_rows(user=user),
        example=events_template_rows,
    )


def _label(kind: str) -> str:
    return choice_label(kind, COLUMN["change"])


def events_template_rows() -> list[list]:
    day = "01/07/2024"
    return [
        ["01/03/2023", _label(EventKind.MOVE), "CS001-01", "CS002", "", "12-QĐ/ĐUK", "20/02/2023"],
        [day, _label(EventKind.MERGE), "CS003", "CS004", "", "45-QĐ/ĐUK", "15/06/2024"],
        [
            day,
            _label(EventKind.MERGE),
            "CS005",
            "CS099",
            "Đảng bộ Cơ quan mới (ví dụ)",
            "46-QĐ/ĐUK",
            "15/06/2024",
        ],
        [day, _label(EventKind.MERGE), "CS006", "CS099", "", "46-QĐ/ĐUK", "15/06/2024"],
        ["01/10/2024", _label(EventKind.DISSOLVE), "CS007", "", "", "51-QĐ/ĐUK", ""],
        [
            "01/01/2025",
            _label(EventKind.RENAME),
            "CS008",
            "",
            "Đảng bộ Sở Tài chính (ví dụ)",
            "60-QĐ/ĐUK",
            "",
        ],
    ]


def events_export_rows(*, user: User) -> list[list]:
    """Every recorded change of the user's subtree, as the import reads it (one row per
    unit that moved, ended or was renamed; a merger's or split's result has no row)."""
    scope = unit_scope_for(user)
    events = UnitEvent.objects.select_related("unit", "to_unit").prefetch_related("others")
    if scope is not None:
        events = events.filter(unit__path__startswith=scope.path)
    events = list(events.order_by("date", "pk"))
    renames = [event for event in events if event.kind == EventKind.RENAME]
    rows = []
    for event in events:
        common = (event.decision_number, event.decision_date or "")
        day = event.date.strftime("%d/%m/%Y")
        if event.decision_date:
            common = (event.decision_number, event.decision_date.strftime("%d/%m/%Y"))
        code, label = event.unit.code, _label(event.kind)
        if event.kind == EventKind.MOVE:
            rows.append([day, label, code, event.to_unit.code if event.to_unit else "", "",
                         *common])  # fmt: skip
        elif event.kind == EventKind.DISSOLVE:
            rows.append([day, label, code, "", "", *common])
        elif event.kind == EventKind.MERGE and event.to_unit_id:
            rows.append([day, label, code, event.to_unit.code, "", *common])
        elif event.kind == EventKind.SPLIT:
            for part in event.others.all():
                rows.append([day, label, code, part.code, "", *common])
        elif event.kind == EventKind.RENAME:
            later = next(
                (r for r in renames if r.unit_id == event.unit_id and (r.date, r.pk) > (
                    event.date, event.pk)),
                None,
            )  # fmt: skip
            rows.append([day, label, code, "", later.old_name if later else event.unit.name,
                         *common])  # fmt: skip
    return rows


# Plan and import ------------------------------------------------------------------------


def _line(sheet_row) -> tuple[EventLine | None, list[RowError]]:
    cells = RowReader(sheet_row, COLUMN)
    when = cells.read("when", cell_date)
    if when is None and not cells.errors:
        cells.refuse("when", _("This cell cannot be empty."))
    kind = cells.read("change", read_change)
    unit = cells.text("unit", required=True, longest=32)
    to = cells.text("to", longest=32)
    name = cells.text("name", longest=255)
    number = cells.text("decision_number", required=True, longest=64)
    decision_date = cells.read("decision_date", cell_date)
    if kind in NEEDS_TO and not to:
        cells.refuse("to", _("Give the code of the receiving unit."))
    if kind == EventKind.RENAME and not name:
        cells.refuse("name", _("Give the new name."))
    if cells.errors:
        return None, cells.errors
    return EventLine(
        row=sheet_row.number, when=when, kind=kind, unit=unit, to=to, name=name,
        decision_number=number, decision_date=decision_date,
    ), []  # fmt: skip


def _changes(lines: list[EventLine], stored: dict[str, Unit]) -> list[_Change]:
    """The file's rows as events, in the order they are recorded."""
    changes: list[_Change] = []
    merges: dict[tuple, _Change] = {}
    splits: dict[tuple, _Change] = {}
    for line in lines:
        key = (line.when, line.decision_number)
        if line.kind == EventKind.MERGE:
            if (*key, line.to) in merges:
                merges[*key, line.to].lines.append(line)
                continue
            merges[*key, line.to] = change = _Change(line.kind, [line])
        elif line.kind == EventKind.SPLIT:
            if (*key, line.unit) in splits:
                splits[*key, line.unit].lines.append(line)
                continue
            splits[*key, line.unit] = change = _Change(line.kind, [line])
        else:
            change = _Change(line.kind, [line])
        changes.append(change)
    # A move on a split's date and decision, of a unit below the split one to one of
    # its parts, says where that unit goes in the split.
    for change in list(changes):
        line = change.first
        if change.kind != EventKind.MOVE:
            continue
        unit = stored.get(line.unit)
        parent = unit.parent.code if unit is not None and unit.parent_id else None
        split = splits.get((line.when, line.decision_number, parent))
        if split is not None and line.to in {part.to for part in split.lines}:
            split.children.append(line)
            changes.remove(change)
    return sorted(changes, key=lambda change: (change.first.when, change.first.row))


def _check_codes(
    changes: list[_Change], stored: dict[str, Unit], scope: Unit | None
) -> list[RowError]:
    """Unknown codes, units outside the user's subtree, new units without a name."""
    errors = []
    known = set(stored)

    def refuse(line: EventLine, column: str, message: str) -> None:
        errors.append(RowError(row=line.row, column=header(column), message=message))

    def unknown(code: str) -> str:
        return _("No unit has the code “%(code)s”, in the file or stored.") % {"code": code}

    for change in changes:
        creates = change.kind in (EventKind.MERGE, EventKind.SPLIT)
        if creates:
            # Receiving codes not in the tree are new units, named on one of their rows.
            new = {line.to for line in change.lines if line.to not in known}
            for code in sorted(new):
                rows = [line for line in change.lines if line.to == code]
                if not any(line.name for line in rows):
                    refuse(
                        rows[0], "name",
                        _("“%(code)s” is not in the tree: give the new unit's name.")
                        % {"code": code},
                    )  # fmt: skip
            known.update(new)
        for line in (*change.lines, *change.children):
            unit = stored.get(line.unit)
            if line.unit not in known:
                refuse(line, "unit", unknown(line.unit))
            elif unit is not None and scope is not None and unit.pk == scope.pk:
                # The top of a subtree stays where it is (as in the tree import).
                refuse(line, "unit", _("You may only place units inside your own subtree."))
            elif unit is not None and scope is not None and not unit.is_in(scope):
                refuse(
                    line, "unit",
                    _("The code “%(code)s” belongs to a unit outside your subtree.")
                    % {"code": line.unit},
                )  # fmt: skip
            receiving = stored.get(line.to)
            if receiving is not None and scope is not None and not receiving.is_in(scope):
                refuse(line, "to", _("You may only place units inside your own subtree."))
            elif line.to and line.to not in known:
                refuse(line, "to", unknown(line.to))
    return errors


def _already_recorded(change: _Change, stored: dict[str, Unit]) -> bool:
    line = change.first
    unit = stored.get(line.unit)
    return (
        unit is not None
        and UnitEvent.objects.filter(
            unit=unit, kind=change.kind, date=line.when, decision_number=line.decision_number
        ).exists()
    )


def _unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


def _record(change: _Change) -> list[str]:
    """Record one change through `units.events`; its lines (EventRefused if refused)."""
    line = change.first
    common = {
        "when": line.when,
        "decision_number": line.decision_number,
        "decision_date": line.decision_date,
    }
    if change.kind == EventKind.MOVE:
        outcome = unit_move(unit=_unit(line.unit), parent=_unit(line.to), **common)
    elif change.kind == EventKind.DISSOLVE:
        outcome = unit_dissolve(unit=_unit(line.unit), **common)
    elif change.kind == EventKind.RENAME:
        outcome = unit_rename(unit=_unit(line.unit), name=line.name, **common)
    elif change.kind == EventKind.MERGE:
        target = Unit.objects.filter(code=line.to).first()
        name = next((other.name for other in change.lines if other.name), "")
        outcome = unit_merge(
            units=[_unit(other.unit) for other in change.lines],
            into=target or NewUnit(name=name, code=line.to),
            **common,
        )
    else:
        parts: list[Unit | NewUnit] = []
        index: dict[str, int] = {}
        for other in change.lines:
            if other.to in index:
                continue
            index[other.to] = len(parts)
            existing = Unit.objects.filter(code=other.to).first()
            name = next((o.name for o in change.lines if o.to == other.to and o.name), "")
            parts.append(existing or NewUnit(name=name, code=other.to))
        children = {_unit(child.unit).pk: index[child.to] for child in change.children}
        outcome = unit_split(unit=_unit(line.unit), into=parts, children=children, **common)
    return outcome.lines


def _run(plan: EventsPlan, changes: list[_Change], stored: dict[str, Unit]) -> None:
    """Record each change in turn (the caller rolls back on error or for a preview)."""
    for change in changes:
        if _already_recorded(change, stored):
            plan.unchanged += len(change.rows)
            continue
        try:
            with transaction.atomic():
                plan.lines.extend(_record(change))
        except EventRefused as refused:
            for message in refused.messages:
                plan.errors.append(RowError(row=change.first.row, column="", message=message))
            continue
        plan.recorded += 1


def _plan(rows: Iterable[dict], user: User, *, write: bool) -> EventsPlan:
    plan = EventsPlan()
    lines = []
    for sheet_row in plan_rows(plan, rows, columns=COLUMNS, required=REQUIRED):
        line, errors = _line(sheet_row)
        plan.errors.extend(errors)
        if line is not None:
            lines.append(line)
    if not plan.ok:
        plan.sort_errors()
        return plan
    stored = {
        unit.code: unit
        for unit in Unit.objects.filter(
            code__in={code for line in lines for code in (line.unit, line.to) if code}
        ).select_related("parent")
    }
    changes = _changes(lines, stored)
    plan.errors.extend(_check_codes(changes, stored, unit_scope_for(user)))
    if not plan.ok:
        plan.sort_errors()
        return plan
    with transaction.atomic():
        # The unit counts are rebuilt once for the file, and not for a preview.
        with tree_batch(send=False):
            _run(plan, changes, stored)
        if not write or not plan.ok:
            transaction.set_rollback(True)
        elif plan.recorded:
            units_touched()
    plan.sort_errors()
    return plan


def events_plan(*, rows: Iterable[dict], user: User) -> EventsPlan:
    """Check a file of changes by recording them in a transaction rolled back: the
    preview lists what each change does, or every error; nothing is written."""
    return _plan(rows, user, write=False)


def events_import(*, rows: Iterable[dict], user: User) -> EventsPlan:
    """Record every change of the file, or (on any error) none."""
    return _plan(rows, user, write=True)
