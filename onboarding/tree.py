"""Import and export of the organisation tree (code, name, parent code, kind...).

The import is planned in memory first: every row is checked against the file
and the stored tree (codes, parents, cycles, which kind may sit under which)
before anything is written, so a preview shows exactly what a confirmation
will do, and a file with any error writes nothing. Rows may name a parent
that comes later in the file. A user attached to a unit imports only inside
that unit's subtree.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.services import RowError
from onboarding.flow import (
    NEGATIVE_ORDER,
    ImportPlan,
    RowReader,
    not_negative,
    plan_rows,
    repeated_code,
)
from onboarding.sheets import (
    YES_NO,
    Column,
    SheetBook,
    SheetFile,
    SheetRow,
    cell_choice,
    cell_whole,
    cell_yes_no,
    choice_label,
)
from units.models import Kind, Sector, Unit, UnitPeriod, User, tree_batch
from units.selectors import unit_scope_for

COLUMNS = [
    Column("code", gettext_lazy("Unit code"), width=14),
    Column("name", gettext_lazy("Unit name"), width=48),
    Column("parent", gettext_lazy("Parent unit code"), width=14),
    Column("kind", gettext_lazy("Kind"), tuple(Kind.choices), width=26),
    Column("sector", gettext_lazy("Sector"), tuple(Sector.choices), width=22),
    Column("order", gettext_lazy("Order"), width=8),
    Column("active", gettext_lazy("Active (1/0)"), YES_NO, width=10),
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
class TreePlan(ImportPlan):
    """What an import will do (or did): new, changed and moved units, or the errors."""

    created: list[UnitLine] = field(default_factory=list)
    changed: list[UnitLine] = field(default_factory=list)
    moved: list[UnitMove] = field(default_factory=list)
    unchanged: int = 0


def header(name: str) -> str:
    return str(COLUMN[name].header)


def tree_file(*, user: User) -> SheetFile:
    """The tree's export (the user's subtree) and template, with drop-downs of kinds,
    sectors and 1/0."""
    return SheetFile(
        name="don-vi",
        book=SheetBook.of(COLUMNS, title=gettext_lazy("Units")),
        headers=tree_headers(),
        export=lambda: tree_export_rows(user=user)[1],
        example=tree_template_rows,
    )


def tree_headers() -> list[str]:
    return [str(column.header) for column in COLUMNS]


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
    return tree_headers(), rows


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


def _line(sheet_row: SheetRow) -> tuple[UnitLine | None, list[RowError]]:
    cells = RowReader(sheet_row, COLUMN)
    code = cells.text("code", required=True, longest=32)
    name = cells.text("name", required=True, longest=255)
    kind = cells.read("kind", lambda value: cell_choice(value, COLUMN["kind"]))
    sector = cells.read("sector", lambda value: cell_choice(value, COLUMN["sector"], blank=""))
    order = cells.read("order", lambda value: not_negative(cell_whole(value), NEGATIVE_ORDER))
    active = cells.read("active", lambda value: cell_yes_no(value, blank=True))
    if cells.errors:
        return None, cells.errors
    line = UnitLine(
        row=sheet_row.number,
        code=code,
        name=name,
        parent=cells.text("parent"),
        kind=kind,
        sector=sector,
        order=order or 0,
        is_active=active,
        note=cells.text("note"),
    )
    return line, []


def tree_plan(*, rows: Iterable[dict], user: User) -> TreePlan:
    """Check a file of units against the stored tree; nothing is written."""
    plan = TreePlan()
    lines = []
    for sheet_row in plan_rows(plan, rows, columns=COLUMNS, required=REQUIRED):
        line, errors = _line(sheet_row)
        plan.errors.extend(errors)
        if line is not None:
            lines.append(line)
    if not lines and not plan.ok:
        return plan
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
                repeated_code(
                    row=line.row,
                    column=header("code"),
                    code=line.code,
                    first=by_code[line.code].row,
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
        plan.sort_errors()
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
@tree_batch()
def tree_import(*, rows: Iterable[dict], user: User) -> TreePlan:
    """Check the file, then write all of it or (on any error) nothing."""
    plan = tree_plan(rows=rows, user=user)
    if not plan.ok:
        return plan
    units = {unit.code: unit for unit in Unit.objects.all()}
    _create_units(plan.created, units)
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


def _create_units(lines: list[UnitLine], units: dict[str, Unit]) -> None:
    """Create new units level by level, parents first (a parent may come later in the
    file): each level in one insert, then their paths, which hold the ids the database
    gave, in one update. New units have no results: no roll-up to refresh."""
    pending = {line.code: line for line in lines}
    while pending:
        level = []
        for line in pending.values():
            if line.parent and line.parent not in units:
                continue
            unit = Unit(
                code=line.code,
                parent=units.get(line.parent) if line.parent else None,
                path=f"~{uuid.uuid4().hex}",  # until the id is known, as Unit.save does
            )
            _fill(unit, line)
            level.append(unit)
        if not level:  # pragma: no cover - the plan refused unknown parents and cycles
            raise RuntimeError("new units without a parent")
        Unit.objects.bulk_create(level, batch_size=1000)
        for unit in level:
            unit._set_path()
            units[unit.code] = unit
            del pending[unit.code]
        Unit.objects.bulk_update(level, ["path", "depth"], batch_size=1000)
        UnitPeriod.open_for(level)


def _fill(unit: Unit, line: UnitLine) -> None:
    unit.name = line.name
    unit.kind = line.kind
    unit.sector = line.sector
    unit.order = line.order
    unit.is_active = line.is_active
    unit.note = line.note
