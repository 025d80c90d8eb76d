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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.models import (
    Combine,
    Direction,
    Frequency,
    Judgement,
    Level,
    Measure,
    Programme,
    Target,
    TargetYear,
    Term,
)
from indicators.services import RowError
from onboarding.flow import (
    NEGATIVE_ORDER,
    ImportPlan,
    RowReader,
    not_negative,
    plan_rows,
    repeated_code,
    term_plan_start,
)
from onboarding.sheets import (
    YES_NO,
    Column,
    SheetBook,
    SheetFile,
    SheetRow,
    cell_choice,
    cell_figure,
    cell_whole,
    cell_yes_no,
    choice_label,
    plain_number,
    spellings,
)
from units.models import User

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
    Column("frequency", gettext_lazy("Reporting frequency"), tuple(Frequency.choices), width=22),
    Column("in_percent", gettext_lazy("In percent (1/0)"), YES_NO, width=10),
    Column("term_target", gettext_lazy("Term target"), width=12),
    Column("yearly_target", gettext_lazy("Yearly target"), width=12),
    Column("baseline", gettext_lazy("Baseline"), width=12),
    Column("description", gettext_lazy("Wording in the resolution"), width=50),
]
COLUMN = {column.name: column for column in COLUMNS}
REQUIRED = ("code", "name", "unit_label", "measure")
CHOICE_FIELDS = ("measure", "direction", "combine", "judgement", "level", "frequency")
# A blank cell of these columns takes the default; a column left out of the file
# keeps each stored target's value (an older file has no frequency column).
DEFAULTS = {
    "direction": Direction.AT_LEAST,
    "combine": Combine.SUM,
    "judgement": Judgement.PRORATED,
    "level": Level.GRASSROOTS,
    "frequency": Frequency.EVERY_YEAR,
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
    "frequency",
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
    """The per-year columns as a file may head them: "2026" or "Chỉ tiêu năm 2026"."""
    names = {str(year): year for year in term.years}
    names.update(spellings(lambda: ((year_header(year), year) for year in term.years)))
    return names


def _stored_years(term: Term) -> dict[int, dict[int, Decimal]]:
    """Each target's own per-year figures: target id -> year -> value."""
    years_of: dict[int, dict[int, Decimal]] = {}
    for target_id, year, value in TargetYear.objects.filter(target__term=term).values_list(
        "target_id", "year", "value"
    ):
        years_of.setdefault(target_id, {})[year] = value
    return years_of


@dataclass
class TargetLine:
    row: int
    code: str
    programme: str
    values: dict
    years: dict[int, Decimal]
    changes: list[str] = field(default_factory=list)  # the columns that change, for the preview


@dataclass
class TargetsPlan(ImportPlan):
    created: list[TargetLine] = field(default_factory=list)
    changed: list[TargetLine] = field(default_factory=list)
    unchanged: int = 0
    programmes: list[str] = field(default_factory=list)  # new programmes


# Export ------------------------------------------------------------------------------


def targets_file(*, term: Term) -> SheetFile:
    """The term's targets file and its template, with a drop-down for every fixed set of
    values."""
    return SheetFile(
        name=f"chi-tieu-{term.pk}",
        book=SheetBook.of(COLUMNS, title=gettext_lazy("Targets"), extra_widths=[14] * term.length),
        headers=targets_headers(term=term),
        export=lambda: targets_export_rows(term=term)[1],
        example=lambda: targets_template_rows(term=term),
    )


def targets_headers(*, term: Term) -> list[str]:
    return [str(column.header) for column in COLUMNS] + [year_header(y) for y in term.years]


def targets_export_rows(*, term: Term) -> tuple[list[str], list[list]]:
    headers = targets_headers(term=term)
    years_of = _stored_years(term)
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
            plain_number(target.term_target),
            plain_number(target.yearly_target),
            plain_number(target.baseline),
            target.description,
        ]
        row += [plain_number(years_of.get(target.pk, {}).get(year)) for year in term.years]
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
            label("frequency", Frequency.EVERY_YEAR),
            0,
            3200,
            "",
            "",
            "Kết nạp ít nhất 3.200 đảng viên trong nhiệm kỳ (ví dụ)",
        ]
        + [None for _year in term.years]
    ]


# Import ------------------------------------------------------------------------------


def _line(sheet_row: SheetRow, year_names: dict[str, int]) -> tuple[TargetLine | None, list]:
    cells = RowReader(sheet_row, COLUMN)
    negative = gettext_lazy("A target cannot be negative.")
    code = cells.text("code", required=True, longest=20)
    found: dict = {
        "order": cells.read(
            "order",
            lambda value: not_negative(cell_whole(value) or 0, NEGATIVE_ORDER),
        ),
        "name": cells.text("name", required=True),
        "unit_label": cells.text("unit_label", required=True),
        "is_headline": cells.read("is_headline", lambda value: cell_yes_no(value, blank=False)),
        "in_percent": cells.read("in_percent", lambda value: cell_yes_no(value, blank=None)),
    }
    for name in CHOICE_FIELDS:
        if name in DEFAULTS and name not in cells.values:
            continue  # the column is not in the file: see targets_plan
        found[name] = cells.read(
            name,
            lambda value, name=name: cell_choice(value, COLUMN[name], blank=DEFAULTS.get(name)),
        )
    for name in ("term_target", "yearly_target", "baseline"):
        found[name] = cells.read(
            name,
            lambda value, name=name: not_negative(
                cell_figure(value, Target._meta.get_field(name)), negative
            ),
        )
    found["description"] = cells.text("description")
    programme = cells.text("programme", longest=255)
    if found["in_percent"] is None:
        # Left blank: a ratio is judged in percent, anything else in numbers.
        found["in_percent"] = found["measure"] == Measure.RATIO
    year_field = TargetYear._meta.get_field("value")
    years = cells.headed(
        year_names, lambda value: not_negative(cell_figure(value, year_field), negative)
    )
    if cells.errors:
        return None, cells.errors
    line = TargetLine(
        row=sheet_row.number,
        code=code,
        programme=programme,
        values=found,
        years={year: value for year, value in years.items() if value is not None},
    )
    return line, []


def _changes(target: Target, line: TargetLine, years: dict[int, Decimal], term: Term) -> list[str]:
    """The headers of the columns whose value `line` changes in the stored `target`."""
    changes = [header(name) for name in FIELDS if getattr(target, name) != line.values[name]]
    if (target.programme.name if target.programme_id else "") != line.programme:
        changes.append(header("programme"))
    changes += [year_header(year) for year in term.years if years.get(year) != line.years.get(year)]
    return changes


def targets_plan(*, rows: Iterable[dict], user: User, term: Term) -> TargetsPlan:
    """Check a file of targets for `term`; nothing is written."""
    plan = TargetsPlan()
    if not term_plan_start(plan, user=user, term=term):
        return plan
    sheet_rows = plan_rows(plan, rows, columns=COLUMNS, required=REQUIRED)
    if not plan.ok:
        return plan
    year_names = _year_names(term)
    stored = {target.code: target for target in term.targets.select_related("programme")}
    years_of = _stored_years(term)
    programmes = set(term.programmes.values_list("name", flat=True))
    seen: dict[str, int] = {}
    for sheet_row in sheet_rows:
        line, errors = _line(sheet_row, year_names)
        plan.errors.extend(errors)
        if line is None:
            continue
        first = seen.setdefault(line.code, line.row)
        if first != line.row:
            plan.errors.append(
                repeated_code(row=line.row, column=header("code"), code=line.code, first=first)
            )
            continue
        target = stored.get(line.code)
        for name, default in DEFAULTS.items():
            line.values.setdefault(name, default if target is None else getattr(target, name))
        candidate = Target(term=term, code=line.code, **line.values)
        try:
            # The fields' own limits (lengths, digits) and the model's rules.
            candidate.full_clean(
                exclude=["term", "programme"], validate_unique=False, validate_constraints=False
            )
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
        if target is None:
            plan.created.append(line)
            continue
        line.changes = _changes(target, line, years_of.get(target.pk, {}), term)
        if line.changes:
            plan.changed.append(line)
        else:
            plan.unchanged += 1
    plan.sort_errors()
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
