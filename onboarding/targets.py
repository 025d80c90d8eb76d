"""Import and export of a term's targets (with their programmes and per-year values).

One row per target; the columns are the target's fields, then one column per
reporting year of the term ("Chỉ tiêu năm 2026") for years whose target
differs from the yearly one. Like the tree import, the file is checked whole
before anything is written: a preview shows what will change, and a file with
an error writes nothing. Targets missing from the file are left alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.models import (
    Combine,
    Direction,
    Judgement,
    Level,
    Measure,
    Programme,
    Target,
    TargetYear,
    Term,
)
from indicators.services import RowError
from onboarding.sheets import (
    Column,
    cell_choice,
    cell_decimal,
    cell_text,
    cell_whole,
    cell_yes_no,
    choice_label,
    sheet_read,
)
from units.models import User
from units.selectors import unit_scope_for

YES_NO = (("1", "1"), ("0", "0"))
COLUMNS = [
    Column("code", gettext_lazy("Target code"), width=10),
    Column("order", gettext_lazy("Order"), width=8),
    Column("name", gettext_lazy("Target"), width=50),
    Column("unit_label", gettext_lazy("Unit of measure"), width=12),
    Column("is_headline", gettext_lazy("Headline target (1/0)"), YES_NO, width=12),
    Column("programme", gettext_lazy("Key programme"), width=30),
    Column("measure", gettext_lazy("Measure"), tuple(Measure.choices), width=22),
    Column("direction", gettext_lazy("Direction"), tuple(Direction.choices), width=22),
    Column("combine", gettext_lazy("How years combine"), tuple(Combine.choices), width=22),
    Column("judgement", gettext_lazy("How progress is judged"), tuple(Judgement.choices), width=24),
    Column("level", gettext_lazy("Reported by"), tuple(Level.choices), width=22),
    Column("in_percent", gettext_lazy("In percent (1/0)"), YES_NO, width=10),
    Column("term_target", gettext_lazy("Term target"), width=12),
    Column("yearly_target", gettext_lazy("Yearly target"), width=12),
    Column("baseline", gettext_lazy("Baseline"), width=12),
    Column("description", gettext_lazy("Wording in the resolution"), width=50),
]
COLUMN = {column.name: column for column in COLUMNS}
REQUIRED = ("code", "name", "unit_label", "measure")
CHOICE_FIELDS = ("measure", "direction", "combine", "judgement", "level")
DEFAULTS = {
    "direction": Direction.AT_LEAST,
    "combine": Combine.SUM,
    "judgement": Judgement.PRORATED,
    "level": Level.GRASSROOTS,
}
FIELDS = (
    "order",
    "name",
    "unit_label",
    "is_headline",
    "measure",
    "direction",
    "combine",
    "judgement",
    "level",
    "in_percent",
    "term_target",
    "yearly_target",
    "baseline",
    "description",
)


def header(name: str) -> str:
    return str(COLUMN[name].header)


def year_header(year: int) -> str:
    return _("Target for %(year)s") % {"year": year}


def _year_names(term: Term) -> dict[str, int]:
    names = {}
    for year in term.years:
        names[str(year)] = year
        for language in ("en", "vi"):
            with translation.override(language):
                names[year_header(year).casefold()] = year
    return names


@dataclass
class TargetLine:
    row: int
    code: str
    programme: str
    values: dict
    years: dict[int, Decimal]


@dataclass
class TargetsPlan:
    created: list[TargetLine] = field(default_factory=list)
    changed: list[TargetLine] = field(default_factory=list)
    unchanged: int = 0
    programmes: list[str] = field(default_factory=list)  # new programmes
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def may_manage_term(*, user: User, term: Term) -> bool:
    """Whether `user` may set up `term`'s targets and quotas: it is inside their subtree."""
    scope = unit_scope_for(user)
    return scope is None or term.root_unit.is_in(scope)


# Export ------------------------------------------------------------------------------


def _number(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else value


def targets_headers(*, term: Term) -> list[str]:
    return [str(column.header) for column in COLUMNS] + [year_header(y) for y in term.years]


def targets_export_rows(*, term: Term) -> tuple[list[str], list[list]]:
    headers = targets_headers(term=term)
    years_of: dict[int, dict[int, Decimal]] = {}
    for target_id, year, value in TargetYear.objects.filter(target__term=term).values_list(
        "target_id", "year", "value"
    ):
        years_of.setdefault(target_id, {})[year] = value
    rows = []
    for target in term.targets.select_related("programme").order_by("order", "pk"):
        row = [
            target.code,
            target.order,
            target.name,
            target.unit_label,
            int(target.is_headline),
            target.programme.name if target.programme_id else "",
        ]
        row += [choice_label(getattr(target, name), COLUMN[name]) for name in CHOICE_FIELDS]
        row += [
            int(target.in_percent),
            _number(target.term_target),
            _number(target.yearly_target),
            _number(target.baseline),
            target.description,
        ]
        row += [_number(years_of.get(target.pk, {}).get(year)) for year in term.years]
        rows.append(row)
    return headers, rows


def targets_template_rows(*, term: Term) -> list[list]:
    label = lambda name, value: choice_label(value, COLUMN[name])  # noqa: E731
    return [
        [
            "1",
            1,
            "Kết nạp đảng viên mới (ví dụ)",
            "đảng viên",
            1,
            "",
            label("measure", Measure.COUNT),
            label("direction", Direction.AT_LEAST),
            label("combine", Combine.SUM),
            label("judgement", Judgement.PRORATED),
            label("level", Level.GRASSROOTS),
            0,
            3200,
            "",
            "",
            "Kết nạp ít nhất 3.200 đảng viên trong nhiệm kỳ (ví dụ)",
        ]
        + [None for _year in term.years]
    ]


# Import ------------------------------------------------------------------------------


def _read_line(sheet_row, year_names: dict[str, int], errors: list[RowError]) -> TargetLine | None:
    values = sheet_row.values
    found: dict = {}
    row_errors: list[RowError] = []

    def read(name, reader):
        try:
            found[name] = reader(values.get(name))
        except ValueError as error:
            row_errors.append(
                RowError(row=sheet_row.number, column=header(name), message=str(error))
            )

    code = cell_text(values.get("code"))
    for name in ("code", "name", "unit_label"):
        read(name, cell_text)
        if not found.get(name):
            row_errors.append(
                RowError(
                    row=sheet_row.number,
                    column=header(name),
                    message=_("This cell cannot be empty."),
                )
            )
    read("order", lambda value: cell_whole(value) or 0)
    read("is_headline", lambda value: cell_yes_no(value, blank=False))
    read("in_percent", lambda value: cell_yes_no(value, blank=None))
    for name in CHOICE_FIELDS:
        read(
            name,
            lambda value, name=name: cell_choice(value, COLUMN[name], blank=DEFAULTS.get(name)),
        )
    for name in ("term_target", "yearly_target", "baseline"):
        read(name, cell_decimal)
    read("description", cell_text)
    found.pop("code", None)
    if found.get("in_percent") is None:
        # Left blank: a ratio is judged in percent, anything else in numbers.
        found["in_percent"] = found.get("measure") == Measure.RATIO
    years: dict[int, Decimal] = {}
    for key, value in values.items():
        year = year_names.get(str(key).strip().casefold())
        if year is None:
            continue
        try:
            number = cell_decimal(value)
        except ValueError as error:
            row_errors.append(RowError(row=sheet_row.number, column=str(key), message=str(error)))
            continue
        if number is not None:
            if number < 0:
                row_errors.append(
                    RowError(
                        row=sheet_row.number,
                        column=str(key),
                        message=_("A target cannot be negative."),
                    )
                )
            years[year] = number
    for name in ("term_target", "yearly_target", "baseline", "order"):
        if found.get(name) is not None and found[name] < 0:
            row_errors.append(
                RowError(
                    row=sheet_row.number,
                    column=header(name),
                    message=_("A target cannot be negative."),
                )
            )
    if len(code) > 20:
        row_errors.append(
            RowError(
                row=sheet_row.number,
                column=header("code"),
                message=_("A code has at most 20 characters."),
            )
        )
    errors.extend(row_errors)
    if row_errors:
        return None
    return TargetLine(
        row=sheet_row.number,
        code=code,
        programme=cell_text(values.get("programme")),
        values=found,
        years=years,
    )


def targets_plan(*, rows: Iterable[dict], user: User, term: Term) -> TargetsPlan:
    """Check a file of targets for `term`; nothing is written."""
    plan = TargetsPlan()
    if not may_manage_term(user=user, term=term):
        plan.errors.append(
            RowError(row=None, column="", message=_("This term is outside your subtree."))
        )
        return plan
    sheet_rows, plan.errors = sheet_read(rows, columns=COLUMNS, required=REQUIRED)
    if plan.errors:
        return plan
    if not sheet_rows:
        plan.errors.append(RowError(row=None, column="", message=_("The file has no rows.")))
        return plan
    year_names = _year_names(term)
    stored = {target.code: target for target in term.targets.select_related("programme")}
    years_of: dict[int, dict[int, Decimal]] = {}
    for target_id, year, value in TargetYear.objects.filter(target__term=term).values_list(
        "target_id", "year", "value"
    ):
        years_of.setdefault(target_id, {})[year] = value
    programmes = set(term.programmes.values_list("name", flat=True))
    seen: dict[str, int] = {}
    for sheet_row in sheet_rows:
        line = _read_line(sheet_row, year_names, plan.errors)
        if line is None:
            continue
        if line.code in seen:
            plan.errors.append(
                RowError(
                    row=line.row,
                    column=header("code"),
                    message=_("The code “%(code)s” is already in row %(row)s.")
                    % {"code": line.code, "row": seen[line.code]},
                )
            )
            continue
        seen[line.code] = line.row
        candidate = Target(term=term, code=line.code, **line.values)
        try:
            candidate.clean()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                for message in messages:
                    plan.errors.append(
                        RowError(
                            row=line.row,
                            column=header(name) if name in COLUMN else "",
                            message=message,
                        )
                    )
            continue
        if line.programme and line.programme not in programmes:
            programmes.add(line.programme)
            plan.programmes.append(line.programme)
        target = stored.get(line.code)
        if target is None:
            plan.created.append(line)
            continue
        current = {name: getattr(target, name) for name in FIELDS}
        programme = target.programme.name if target.programme_id else ""
        if (current, programme, years_of.get(target.pk, {})) == (
            line.values,
            line.programme,
            line.years,
        ):
            plan.unchanged += 1
        else:
            plan.changed.append(line)
    plan.errors.sort(key=lambda error: (error.row or 0, error.column))
    return plan


@transaction.atomic
def targets_import(*, rows: Iterable[dict], user: User, term: Term) -> TargetsPlan:
    """Check the file, then write all of it or (on any error) nothing."""
    plan = targets_plan(rows=rows, user=user, term=term)
    if not plan.ok:
        return plan
    programmes = {programme.name: programme for programme in term.programmes.all()}
    order = max((programme.order for programme in programmes.values()), default=0)
    for name in plan.programmes:
        order += 1
        programmes[name] = Programme.objects.create(term=term, name=name, order=order)
    stored = {target.code: target for target in term.targets.all()}
    for line in [*plan.created, *plan.changed]:
        target = stored.get(line.code) or Target(term=term, code=line.code)
        for name, value in line.values.items():
            setattr(target, name, value)
        target.programme = programmes.get(line.programme) if line.programme else None
        target.save()
        target.year_values.exclude(year__in=list(line.years)).delete()
        for year, value in line.years.items():
            TargetYear.objects.update_or_create(target=target, year=year, defaults={"value": value})
    return plan
