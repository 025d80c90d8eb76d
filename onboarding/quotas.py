"""Unit quotas (giao chỉ tiêu) as a grid: units as rows, years and the term as columns.

The grid page of a target and the term's quota file are the same cells: one
row per (target, unit), one column per reporting year and one for the whole
term. A blank cell means no quota, so saving a grid or importing a file
removes the quotas left blank in it. Every cell is checked before anything
is written; then all of it is saved in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from indicators.engine import Plan, plan_for_term
from indicators.models import Level, Target, Term, UnitQuota
from indicators.services import RowError
from onboarding.flow import ImportPlan, RowReader, not_negative, plan_rows, term_plan_start
from onboarding.sheets import (
    Column,
    SheetBook,
    SheetFile,
    cell_figure,
    plain_number,
    spellings,
)
from units.models import GRASSROOTS_KINDS, Unit, User
from units.selectors import unit_scope_for

TERM = None  # the column of a quota for the whole term
COLUMNS = [
    Column("target", gettext_lazy("Target code"), width=10),
    Column("unit", gettext_lazy("Unit code"), width=14),
    Column("unit_name", gettext_lazy("Unit"), width=44),
]
COLUMN = {column.name: column for column in COLUMNS}
TERM_HEADER = gettext_lazy("Whole term")
QUOTA_FIELD = UnitQuota._meta.get_field("value")
NEGATIVE_QUOTA = gettext_lazy("A quota cannot be negative.")

Key = tuple[int, int, int | None]  # (target id, unit id, year or TERM)


def year_header(year: int | None) -> str:
    return str(TERM_HEADER) if year is TERM else str(year)


def column_label(column: int | None) -> str:
    """A grid column as a sentence names it: "Năm 2026", "Cả nhiệm kỳ"."""
    return str(TERM_HEADER) if column is TERM else _("Year %(year)s") % {"year": column}


def quota_columns(term: Term) -> list[int | None]:
    return [*term.years, TERM]


def _column_names(term: Term) -> dict[str, int | None]:
    """The quota columns as a file may head them: "2026", "Năm 2026", "Cả nhiệm kỳ"."""
    names: dict[str, int | None] = {str(year): year for year in term.years}
    names.update(
        spellings(
            lambda: [
                *((_("Year") + f" {year}", year) for year in term.years),
                (TERM_HEADER, TERM),
            ]
        )
    )
    return names


def units_for_quotas(*, term: Term, user: User) -> list[Unit]:
    """The units of the term's committee that `user` may give quotas to, in tree order."""
    scope = unit_scope_for(user)
    top = term.root_unit
    if scope is not None:
        if top.is_in(scope):
            pass
        elif scope.is_in(top):
            top = scope
        else:
            return []
    return list(Unit.objects.subtree(top).exclude(pk=term.root_unit_id).order_by("path"))


def _grid_units(target: Target, units: list[Unit], held: set[int]) -> list[Unit]:
    """The rows of a target's grid: the units of its level, and any unit holding a quota."""
    kinds = Level(target.level).kinds or GRASSROOTS_KINDS
    return [unit for unit in units if (unit.kind in kinds and unit.is_active) or unit.pk in held]


# The grid of one target --------------------------------------------------------------


def cell_name(unit: Unit, column: int | None) -> str:
    """The grid form's field of a unit's quota for a year (or the term): `q-12-2026`."""
    return f"q-{unit.pk}-{'term' if column is TERM else column}"


@dataclass
class GridCell:
    column: int | None
    name: str  # the form's field
    text: str  # the box's content: the stored quota, or what was typed in a refused form
    error: str = ""

    @property
    def label(self) -> str:
        return column_label(self.column)


@dataclass
class GridRow:
    unit: Unit
    cells: list[GridCell]


@dataclass
class GridTotal:
    column: int | None
    assigned: Decimal
    planned: Decimal | None  # the resolution's figure for the column

    @property
    def label(self) -> str:
        return column_label(self.column)

    @property
    def remaining(self) -> Decimal | None:
        if self.planned is None:
            return None
        return self.planned - self.assigned


@dataclass
class QuotaGrid:
    target: Target
    columns: list[int | None]
    rows: list[GridRow]
    totals: list[GridTotal]
    adds_up: bool  # whether quotas add up to the figure (not for percentages)


def _grid_totals(target: Target, units: list[Unit], stored: dict) -> list[GridTotal]:
    """Per year and for the term, the quotas assigned against the resolution's figure.

    The term column counts each unit's plan for the term, as the engine reads
    its quotas: its quota for the term, else (a flow) the sum of its years or (a
    level) its final figure.
    """
    years = target.term.years
    resolution = Plan(
        target.term_target,
        target.yearly_target,
        {year_value.year: year_value.value for year_value in target.year_values.all()},
    )
    totals = []
    for year in years:
        assigned = sum(
            (value for unit in units if (value := stored.get((unit.pk, year))) is not None),
            Decimal(0),
        )
        totals.append(GridTotal(column=year, assigned=assigned, planned=resolution.for_year(year)))
    term_assigned = Decimal(0)
    for unit in units:
        own = Plan(
            stored.get((unit.pk, TERM)),
            None,
            {year: value for year in years if (value := stored.get((unit.pk, year))) is not None},
        )
        term_assigned += plan_for_term(target, own, years) or 0
    totals.append(
        GridTotal(
            column=TERM, assigned=term_assigned, planned=plan_for_term(target, resolution, years)
        )
    )
    return totals


def quota_grid(*, target: Target, user: User, refused: GridPlan | None = None) -> QuotaGrid:
    """The grid of `target` for `user`: the stored quotas, or a `refused` form as it
    was typed, with each cell's error. The totals are always the stored quotas'."""
    columns = quota_columns(target.term)
    stored = {
        (unit_id, year): value
        for unit_id, year, value in UnitQuota.objects.filter(target=target).values_list(
            "unit_id", "year", "value"
        )
    }
    units = _grid_units(
        target,
        units_for_quotas(term=target.term, user=user),
        {unit_id for unit_id, _year in stored},
    )
    rows = []
    for unit in units:
        cells = []
        for column in columns:
            key = (unit.pk, column)
            if refused is not None and key in refused.typed:
                text = refused.typed[key]
            else:
                value = stored.get(key)
                text = "" if value is None else str(plain_number(value))
            error = refused.cell_errors.get(key, "") if refused is not None else ""
            cells.append(
                GridCell(column=column, name=cell_name(unit, column), text=text, error=error)
            )
        rows.append(GridRow(unit=unit, cells=cells))
    return QuotaGrid(
        target=target,
        columns=columns,
        rows=rows,
        totals=_grid_totals(target, units, stored),
        adds_up=not target.in_percent,
    )


# Writing -------------------------------------------------------------------------------


@dataclass
class QuotaPlan(ImportPlan):
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    writes: dict[Key, Decimal | None] = field(default_factory=dict)


@dataclass
class GridPlan(QuotaPlan):
    """A saved grid form; when refused, what was typed and each cell's error."""

    typed: dict[tuple[int, int | None], str] = field(default_factory=dict)
    cell_errors: dict[tuple[int, int | None], str] = field(default_factory=dict)


def quota_value(raw, *, target: Target) -> Decimal | None:
    value = not_negative(cell_figure(raw, QUOTA_FIELD), NEGATIVE_QUOTA)
    if target.in_percent and value is not None and value > 100:
        raise ValueError(_("A percentage cannot exceed 100."))
    return value


def _plan(
    plan: QuotaPlan, cells: dict[Key, Decimal | None], targets: Iterable[Target]
) -> QuotaPlan:
    """Compare wanted cells with the stored quotas of `targets` (one query)."""
    stored = {
        (target_id, unit_id, year): value
        for target_id, unit_id, year, value in UnitQuota.objects.filter(
            target__in=[target.pk for target in targets]
        ).values_list("target_id", "unit_id", "year", "value")
    }
    for key, value in cells.items():
        old = stored.get(key)
        if old == value:
            plan.unchanged += old is not None
            continue
        plan.writes[key] = value
        if value is None:
            plan.deleted += 1
        elif old is None:
            plan.created += 1
        else:
            plan.updated += 1
    return plan


@transaction.atomic
def quotas_write(*, plan: QuotaPlan, user: User) -> None:
    """Write a checked plan's cells: creates, updates and deletions, with their history."""
    if not plan.ok or not plan.writes:
        return
    keys = list(plan.writes)
    existing = {}
    target_ids = {key[0] for key in keys}
    unit_ids = sorted({key[1] for key in keys})
    for start in range(0, len(unit_ids), 500):  # SQLite's limit on query parameters
        for quota in UnitQuota.objects.filter(
            target_id__in=target_ids, unit_id__in=unit_ids[start : start + 500]
        ):
            existing[(quota.target_id, quota.unit_id, quota.year)] = quota
    create: list[tuple] = []  # (target id, unit id, year, value)
    update = []
    for key, value in plan.writes.items():
        quota = existing.get(key)
        if value is None:
            if quota is not None:
                quota.delete()
        elif quota is None:
            create.append((*key, value))
        else:
            quota.value = value
            update.append(quota)
    if create and connection.vendor == "postgresql":
        _create_with_history_postgresql(create, user=user)
    elif create:
        bulk_create_with_history(
            [
                UnitQuota(target_id=target_id, unit_id=unit_id, year=year, value=value)
                for target_id, unit_id, year, value in create
            ],
            UnitQuota,
            batch_size=1000,
            default_user=user,
        )
    if update:
        bulk_update_with_history(update, UnitQuota, ["value"], batch_size=1000, default_user=user)


def _create_with_history_postgresql(quotas: list[tuple], *, user: User) -> None:
    """What bulk_create_with_history writes for (target id, unit id, year, value) rows:
    the quotas, then a "+" history row each, by `user`, now; as one statement per
    10.000 quotas, with no model instance per row (a file of 300.000 quota cells)."""
    history = UnitQuota.history.model
    fields = ", ".join(
        UnitQuota._meta.get_field(name).column for name in ("target", "unit", "year", "value")
    )
    sql = f"""
        WITH new AS (
            INSERT INTO {UnitQuota._meta.db_table} ({fields})
            SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::integer[], %s::numeric[])
            RETURNING id, {fields}
        )
        INSERT INTO {history._meta.db_table} (id, {fields}, history_date,
            history_change_reason, history_type, history_user_id)
        SELECT id, {fields}, %s, '', '+', %s FROM new
    """  # table and column names from the models, every value a parameter
    now = timezone.now()
    with connection.cursor() as cursor:
        for start in range(0, len(quotas), 10_000):
            chunk = quotas[start : start + 10_000]
            cursor.execute(
                sql,
                [*(list(column) for column in zip(*chunk, strict=True)), now, user.pk],
            )


def quota_grid_save(*, target: Target, user: User, data: dict[str, str]) -> GridPlan:
    """Save the grid page's form: field `q-<unit id>-<year|term>` per cell, all or nothing."""
    units = _grid_units(
        target,
        units_for_quotas(term=target.term, user=user),
        set(UnitQuota.objects.filter(target=target).values_list("unit_id", flat=True)),
    )
    plan = GridPlan()
    cells: dict[Key, Decimal | None] = {}
    for number, unit in enumerate(units, start=1):
        for column in quota_columns(target.term):
            name = cell_name(unit, column)
            if name not in data:
                continue
            plan.typed[(unit.pk, column)] = data[name]
            try:
                cells[(target.pk, unit.pk, column)] = quota_value(data[name], target=target)
            except ValueError as error:
                plan.cell_errors[(unit.pk, column)] = str(error)
                plan.errors.append(
                    RowError(
                        row=number,
                        column=f"{unit.name} – {column_label(column)}",
                        message=str(error),
                    )
                )
    if not plan.ok:
        return plan
    _plan(plan, cells, [target])
    quotas_write(plan=plan, user=user)
    return plan


# The term's quota file -----------------------------------------------------------------


def quotas_file(*, term: Term, user: User) -> SheetFile:
    """The term's quota file (the units `user` may give quotas to) and its template,
    with a drop-down of the term's target codes."""
    codes = list(term.targets.order_by("order", "pk").values_list("code", flat=True))
    return SheetFile(
        name=f"giao-chi-tieu-{term.pk}",
        book=SheetBook.of(
            COLUMNS,
            title=gettext_lazy("Quotas"),
            extra_widths=[12 for _column in quota_columns(term)],
            lists={0: codes} if codes else {},
        ),
        headers=quotas_headers(term=term),
        export=lambda: quotas_export_rows(term=term, user=user)[1],
        example=lambda: quotas_template_rows(term=term),
    )


def quotas_template_rows(*, term: Term) -> list[list]:
    """The template's example row: one unit's yearly quotas and its quota for the term."""
    return [
        [
            "1",
            "CS001",
            "Đảng bộ Sở Tài chính (ví dụ)",
            *(5 for _year in term.years),
            5 * term.length,
        ]
    ]


def quotas_headers(*, term: Term) -> list[str]:
    return [str(column.header) for column in COLUMNS] + [
        year_header(column) for column in quota_columns(term)
    ]


def quotas_export_rows(*, term: Term, user: User) -> tuple[list[str], list[list]]:
    """Every target's grid, one row per (target, unit): what the import reads back."""
    columns = quota_columns(term)
    stored: dict[tuple[int, int], dict] = {}
    for target_id, unit_id, year, value in UnitQuota.objects.filter(target__term=term).values_list(
        "target_id", "unit_id", "year", "value"
    ):
        stored.setdefault((target_id, unit_id), {})[year] = value
    units = units_for_quotas(term=term, user=user)
    rows = []
    for target in term.targets.order_by("order", "pk"):
        held = {unit_id for target_id, unit_id in stored if target_id == target.pk}
        for unit in _grid_units(target, units, held):
            cells = stored.get((target.pk, unit.pk), {})
            rows.append(
                [
                    target.code,
                    unit.code,
                    unit.name,
                    *(plain_number(cells.get(column)) for column in columns),
                ]
            )
    return quotas_headers(term=term), rows


def quotas_plan(*, rows: Iterable[dict], user: User, term: Term) -> QuotaPlan:
    """Check a quota file for `term` against the stored quotas; nothing is written."""
    plan = QuotaPlan()
    if not term_plan_start(plan, user=user, term=term):
        return plan
    sheet_rows = plan_rows(plan, rows, columns=COLUMNS, required=("target", "unit"))
    if not plan.ok:
        return plan
    names = _column_names(term)
    targets = {target.code: target for target in term.targets.all()}
    units = {unit.code: unit for unit in units_for_quotas(term=term, user=user)}
    cells: dict[Key, Decimal | None] = {}
    seen: dict[tuple[int, int], int] = {}
    for sheet_row in sheet_rows:
        row = RowReader(sheet_row, COLUMN)
        target = targets.get(row.text("target"))
        unit = units.get(row.text("unit"))
        if target is None:
            row.refuse(
                "target",
                _("No target has the code “%(code)s” in this term.") % {"code": row.text("target")},
            )
        if unit is None:
            row.refuse(
                "unit",
                _("No unit has the code “%(code)s” in your scope.") % {"code": row.text("unit")},
            )
        if target is not None and unit is not None:
            first = seen.setdefault((target.pk, unit.pk), sheet_row.number)
            if first != sheet_row.number:
                row.refuse(
                    "unit",
                    _("The same target and unit are already in row %(row)s.") % {"row": first},
                )
            else:
                read = row.headed(names, lambda raw, target=target: quota_value(raw, target=target))
                cells.update(
                    ((target.pk, unit.pk, column), value) for column, value in read.items()
                )
        plan.errors.extend(row.errors)
    if not plan.ok:
        plan.sort_errors()
        return plan
    return _plan(plan, cells, targets.values())


def quotas_import(*, rows: Iterable[dict], user: User, term: Term) -> QuotaPlan:
    """Check the file, then write all of it or (on any error) nothing."""
    plan = quotas_plan(rows=rows, user=user, term=term)
    quotas_write(plan=plan, user=user)
    return plan
