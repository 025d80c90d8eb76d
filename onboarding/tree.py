"""Import and export of the organisation tree (code, name, parent code, kind...).

The import is planned in memory first: every row is checked against the file
and the stored tree (codes, parents, cycles, which kind may sit under which)
before anything is written, so a preview shows exactly what a confirmation
will do, and a file with any error writes nothing. Rows may name a parent
that comes later in the file. A user attached to a unit imports only inside
that unit's subtree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.services import RowError
from onboarding.sheets import (
    Column,
    SheetRow,
    cell_choice,
    cell_text,
    cell_whole,
    cell_yes_no,
    choice_label,
    sheet_read,
)
from units.models import Kind, Sector, Unit, User
from units.selectors import unit_scope_for

COLUMNS = [
    Column("code", gettext_lazy("Unit code"), width=14),
    Column("name", gettext_lazy("Unit name"), width=48),
    Column("parent", gettext_lazy("Parent unit code"), width=14),
    Column("kind", gettext_lazy("Kind"), tuple(Kind.choices), width=26),
    Column("sector", gettext_lazy("Sector"), tuple(Sector.choices), width=22),
    Column("order", gettext_lazy("Order"), width=8),
    Column("active", gettext_lazy("Active (1/0)"), width=10),
    Column("note", gettext_lazy("Note"), width=30),
]
COLUMN = {column.name: column for column in COLUMNS}
REQUIRED = ("code", "name", "parent", "kind")

# Which kinds a unit of each kind may sit under (None: at the top of the tree).
PARENT_KINDS: dict[str, frozenset] = {
    Kind.BLOC: frozenset({None, Kind.BLOC}),
    Kind.GRASSROOTS_COMMITTEE: frozenset({Kind.BLOC}),
    Kind.GRASSROOTS_CELL: frozenset({Kind.BLOC}),
    Kind.SUB_COMMITTEE: frozenset({Kind.GRASSROOTS_COMMITTEE}),
    Kind.CELL: frozenset({Kind.GRASSROOTS_COMMITTEE, Kind.SUB_COMMITTEE}),
}


@dataclass
class UnitLine:
    """One row of the file as it will be stored."""

    row: int
    code: str
    name: str
    parent: str  # the parent's code, "" at the top
    kind: str
    sector: str
    order: int
    is_active: bool
    note: str


@dataclass
class UnitMove:
    code: str
    name: str
    old_parent: str
    new_parent: str


@dataclass
class TreePlan:
    """What an import will do (or did): new, changed and moved units, or the errors."""

    created: list[UnitLine] = field(default_factory=list)
    changed: list[UnitLine] = field(default_factory=list)
    moved: list[UnitMove] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def header(name: str) -> str:
    return str(COLUMN[name].header)


# Export ------------------------------------------------------------------------------


def tree_export_rows(*, user: User) -> tuple[list[str], list[list]]:
    """The units the user may import, as the import reads them (headers, rows)."""
    scope = unit_scope_for(user)
    units = Unit.objects.all() if scope is None else Unit.objects.subtree(scope)
    rows = [
        [
            code,
            name,
            parent or "",
            choice_label(kind, COLUMN["kind"]),
            choice_label(sector, COLUMN["sector"]) if sector else "",
            order,
            int(active),
            note,
        ]
        for code, name, parent, kind, sector, order, active, note in units.order_by(
            "path"
        ).values_list(
            "code", "name", "parent__code", "kind", "sector", "order", "is_active", "note"
        )
    ]
    return [str(column.header) for column in COLUMNS], rows


def tree_template_rows() -> list[list]:
    """The template's example rows: a committee, a grassroots committee and one of its cells."""
    return [
        ["DBK", "Đảng bộ Khối (ví dụ)", "", choice_label(Kind.BLOC, COLUMN["kind"]), "", 1, 1, ""],
        [
            "CS001",
            "Đảng bộ Sở Tài chính (ví dụ)",
            "DBK",
            choice_label(Kind.GRASSROOTS_COMMITTEE, COLUMN["kind"]),
            choice_label(Sector.AGENCY, COLUMN["sector"]),
            1,
            1,
            "",
        ],
        [
            "CS001-01",
            "Chi bộ Văn phòng (ví dụ)",
            "CS001",
            choice_label(Kind.CELL, COLUMN["kind"]),
            choice_label(Sector.AGENCY, COLUMN["sector"]),
            1,
            1,
            "",
        ],
    ]


# Import ------------------------------------------------------------------------------


def _lines(rows: list[SheetRow], errors: list[RowError]) -> list[UnitLine]:
    lines = []
    for sheet_row in rows:
        values = sheet_row.values
        row_errors = []

        def read(name, reader, values=values, row_errors=row_errors, number=sheet_row.number):
            try:
                return reader(values.get(name))
            except ValueError as error:
                row_errors.append(RowError(row=number, column=header(name), message=str(error)))
                return None

        code = cell_text(values.get("code"))
        name = cell_text(values.get("name"))
        for column, text in (("code", code), ("name", name)):
            if not text:
                row_errors.append(
                    RowError(
                        row=sheet_row.number,
                        column=header(column),
                        message=_("This cell cannot be empty."),
                    )
                )
        if len(code) > 32:
            row_errors.append(
                RowError(
                    row=sheet_row.number,
                    column=header("code"),
                    message=_("A code has at most 32 characters."),
                )
            )
        if len(name) > 255:
            row_errors.append(
                RowError(
                    row=sheet_row.number,
                    column=header("name"),
                    message=_("A name has at most 255 characters."),
                )
            )
        kind = read("kind", lambda value: cell_choice(value, COLUMN["kind"]))
        sector = read("sector", lambda value: cell_choice(value, COLUMN["sector"], blank=""))
        order = read("order", cell_whole)
        if order is not None and order < 0:
            row_errors.append(
                RowError(
                    row=sheet_row.number,
                    column=header("order"),
                    message=_("Enter a number of 0 or more."),
                )
            )
        active = read("active", lambda value: cell_yes_no(value, blank=True))
        errors.extend(row_errors)
        if row_errors:
            continue
        lines.append(
            UnitLine(
                row=sheet_row.number,
                code=code,
                name=name,
                parent=cell_text(values.get("parent")),
                kind=kind,
                sector=sector,
                order=order or 0,
                is_active=active,
                note=cell_text(values.get("note")),
            )
        )
    return lines


def tree_plan(*, rows: Iterable[dict], user: User) -> TreePlan:
    """Check a file of units against the stored tree; nothing is written."""
    plan = TreePlan()
    sheet_rows, plan.errors = sheet_read(rows, columns=COLUMNS, required=REQUIRED)
    if plan.errors:
        return plan
    if not sheet_rows:
        plan.errors.append(RowError(row=None, column="", message=_("The file has no rows.")))
        return plan
    lines = _lines(sheet_rows, plan.errors)
    scope = unit_scope_for(user)
    stored = {
        unit.code: unit
        for unit in Unit.objects.only(
            "code", "name", "kind", "sector", "order", "is_active", "note", "parent_id", "path"
        )
    }
    code_of = {unit.pk: code for code, unit in stored.items()}

    def in_scope(unit: Unit) -> bool:
        return scope is None or unit.path.startswith(scope.path)

    by_code: dict[str, UnitLine] = {}
    for line in lines:
        if line.code in by_code:
            plan.errors.append(
                RowError(
                    row=line.row,
                    column=header("code"),
                    message=_("The code “%(code)s” is already in row %(row)s.")
                    % {"code": line.code, "row": by_code[line.code].row},
                )
            )
            continue
        unit = stored.get(line.code)
        if unit is not None and not in_scope(unit):
            plan.errors.append(
                RowError(
                    row=line.row,
                    column=header("code"),
                    message=_("The code “%(code)s” belongs to a unit outside your subtree.")
                    % {"code": line.code},
                )
            )
            continue
        by_code[line.code] = line

    # The tree as it will be: the file's rows over the stored units.
    parent_of = {code: code_of.get(unit.parent_id, "") for code, unit in stored.items()}
    kind_of = {code: unit.kind for code, unit in stored.items()}
    for code, line in by_code.items():
        parent_of[code] = line.parent
        kind_of[code] = line.kind

    checked: dict[str, UnitLine] = {}
    for code, line in by_code.items():
        unit = stored.get(code)
        parent = line.parent
        moves = unit is None or parent_of.get(code) != code_of.get(unit.parent_id, "")
        if parent and parent not in by_code and parent not in stored:
            plan.errors.append(
                RowError(
                    row=line.row,
                    column=header("parent"),
                    message=_("No unit has the code “%(code)s”, in the file or stored.")
                    % {"code": parent},
                )
            )
            continue
        if scope is not None and moves:
            # Inside a subtree, units go under units of the subtree only, and its
            # top stays where it is.
            parent_unit = stored.get(parent)
            outside = (not parent) or (
                parent not in by_code and not (parent_unit and in_scope(parent_unit))
            )
            if outside or (unit is not None and unit.pk == scope.pk):
                plan.errors.append(
                    RowError(
                        row=line.row,
                        column=header("parent"),
                        message=_("You may only place units inside your own subtree."),
                    )
                )
                continue
        if _cycles(code, parent_of):
            plan.errors.append(
                RowError(
                    row=line.row,
                    column=header("parent"),
                    message=_(
                        "“%(code)s” would end up under itself (a cycle through “%(parent)s”)."
                    )
                    % {"code": code, "parent": parent},
                )
            )
            continue
        parent_kind = kind_of.get(parent) if parent else None
        if parent_kind not in PARENT_KINDS[line.kind]:
            kind_label = choice_label(line.kind, COLUMN["kind"])
            if parent_kind is None:
                message = _("A unit of kind “%(kind)s” needs a parent unit.") % {"kind": kind_label}
            else:
                message = _("A unit of kind “%(kind)s” cannot sit under a “%(parent)s”.") % {
                    "kind": kind_label,
                    "parent": choice_label(parent_kind, COLUMN["kind"]),
                }
            plan.errors.append(RowError(row=line.row, column=header("kind"), message=message))
            continue
        checked[code] = line
    # Stored children left under a unit whose kind changes must still fit.
    for code, unit in stored.items():
        if code in by_code or not in_scope(unit):
            continue
        parent = parent_of[code]
        if parent in checked and kind_of[parent] not in PARENT_KINDS[unit.kind]:
            line = checked[parent]
            plan.errors.append(
                RowError(
                    row=line.row,
                    column=header("kind"),
                    message=_(
                        "“%(child)s” (a “%(kind)s”) stays under this unit and "
                        "cannot sit under a “%(parent)s”."
                    )
                    % {
                        "child": code,
                        "kind": choice_label(unit.kind, COLUMN["kind"]),
                        "parent": choice_label(line.kind, COLUMN["kind"]),
                    },
                )
            )
    if plan.errors:
        plan.errors.sort(key=lambda error: (error.row or 0, error.column))
        return plan

    for code, line in checked.items():
        unit = stored.get(code)
        if unit is None:
            plan.created.append(line)
            continue
        old_parent = code_of.get(unit.parent_id, "")
        if old_parent != line.parent:
            plan.moved.append(
                UnitMove(code=code, name=line.name, old_parent=old_parent, new_parent=line.parent)
            )
        if (
            unit.name,
            unit.kind,
            unit.sector,
            unit.order,
            unit.is_active,
            unit.note,
            old_parent,
        ) != (
            line.name,
            line.kind,
            line.sector,
            line.order,
            line.is_active,
            line.note,
            line.parent,
        ):
            plan.changed.append(line)
        else:
            plan.unchanged += 1
    return plan


def _cycles(code: str, parent_of: dict[str, str]) -> bool:
    seen = {code}
    parent = parent_of.get(code, "")
    while parent:
        if parent in seen:
            return True
        seen.add(parent)
        parent = parent_of.get(parent, "")
    return False


@transaction.atomic
def tree_import(*, rows: Iterable[dict], user: User) -> TreePlan:
    """Check the file, then write all of it or (on any error) nothing."""
    plan = tree_plan(rows=rows, user=user)
    if not plan.ok:
        return plan
    units = {unit.code: unit for unit in Unit.objects.all()}
    # New units, parents first: a parent may come later in the file.
    pending = {line.code: line for line in plan.created}
    while pending:
        ready = [line for line in pending.values() if not line.parent or line.parent in units]
        for line in ready:
            # A new unit's parent is placed first, so its path is the final one.
            unit = Unit(code=line.code, parent=units.get(line.parent) if line.parent else None)
            _fill(unit, line)
            unit.save()
            units[line.code] = unit
            del pending[line.code]
    # Moves, each under a parent that is not inside the unit's own subtree at the time
    # (two units swapping places move in the order that keeps the tree a tree).
    moves = {line.code: line for line in plan.changed}
    for code, line in list(moves.items()):
        unit = units[code]
        if (unit.parent.code if unit.parent_id else "") == line.parent:
            _fill(unit, line)
            unit.save()
            del moves[code]
    while moves:
        current = {
            unit.code: unit
            for unit in Unit.objects.filter(
                code__in=[*moves, *(line.parent for line in moves.values())]
            )
        }
        progressed = False
        for code, line in list(moves.items()):
            unit = current[code]
            parent = current.get(line.parent) if line.parent else None
            if parent is not None and parent.path.startswith(unit.path):
                continue
            unit.parent = parent
            _fill(unit, line)
            unit.save()
            del moves[code]
            progressed = True
            break  # paths changed: read them again
        if not progressed:  # pragma: no cover - the plan refused cycles
            raise RuntimeError("the tree's moves cannot be ordered")
    return plan


def _fill(unit: Unit, line: UnitLine) -> None:
    unit.name = line.name
    unit.kind = line.kind
    unit.sector = line.sector
    unit.order = line.order
    unit.is_active = line.is_active
    unit.note = line.note
