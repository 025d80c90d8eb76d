"""Exports for review meetings: the engine's output as CSV, Excel and a printable page.

One query, several formatters: the engine's `Progress` (or a target's breakdown,
or the raw results) becomes a `Table` once; `csv_chunks` / `write_csv` and
`write_xlsx` only write it. Nothing here computes a figure: completion rates,
sums over units and statuses come from `indicators.engine`; the only arithmetic
is presentation (a ratio shown as a percentage, rounded to one decimal).

Conventions of the files:
- CSV is UTF-8 with a byte-order mark (Excel then reads "Đảng bộ" correctly),
  comma-separated, with the headers in the active language (Vietnamese by
  default) and numbers written plainly: "2078", "129.9" (no thousands
  separator, a dot for decimals).
- Percentages ("So với NQ (%)", and figures of targets in percent) are percent
  numbers rounded to one decimal: 129.9 means 129,9%. Excel files store the
  same numbers with a "0.0" format.
- Yes/no fields of the raw results are 1 (yes) or 0 (no), empty when unset.
- Text that a spreadsheet would run as a formula (starting with =, +, -, @, a
  tab or a carriage return) is neutralised: prefixed with a single quote in
  CSV, stored as a text cell in Excel. Numbers are never touched.
"""

from __future__ import annotations

import csv
import datetime
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.cell.cell import Cell as XlsxCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from indicators.engine import (
    AsOf,
    Progress,
    Tally,
    TargetProgress,
    UnitProgress,
)
from indicators.models import Direction, Measure, Target, Term, to_roman
from reports.templatetags.progress import actual as actual_text
from reports.templatetags.progress import as_of_label, expected_label, figure, num, rounded
from reports.templatetags.progress import completion as completion_phrase
from units.models import Unit

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Rows per chunk of a streamed CSV: small enough for constant memory, large
# enough not to send thousands of tiny writes.
CSV_CHUNK_ROWS = 500
PERCENT_FORMAT = "0.0"
INTEGER_FORMAT = "0"
# A figure column: whole numbers with thousands grouping, others with one decimal.
FIGURE_FORMAT = "figure"
FIGURE_FORMATS = {int: "#,##0", Decimal: "#,##0.0"}

Cell = str | int | Decimal | datetime.datetime | datetime.date | None


@dataclass(frozen=True)
class Column:
    header: str
    width: int = 12
    number_format: str | None = None


@dataclass
class Table:
    """What every export writes: a title, columns, rows of plain values and facts about it.

    `rows` may be a generator (raw results): writers consume it once, row by
    row. `about` lists (label, value) pairs: the committee, term, as-of point
    and scope, written on a second sheet of the Excel file.
    """

    title: str
    filename: str
    columns: list[Column]
    rows: Iterable[Sequence[Cell]]
    about: list[tuple[str, str]] = field(default_factory=list)
    # A meeting document: title rows above the header, borders, bold section
    # rows, A4 landscape print setup. Raw data (to re-import) stays bare.
    document: bool = False

    @property
    def headers(self) -> list[str]:
        return [str(column.header) for column in self.columns]


# Values ---------------------------------------------------------------------


def plain_number(value: Decimal | int | None, places: int = 1) -> Decimal | int | None:
    """A number as it goes into a file: a whole number as an int, else rounded."""
    if value is None:
        return None
    value = rounded(Decimal(value), places)
    if value == value.to_integral_value():
        return int(value)
    return value.normalize()


def completion_percent(row: TargetProgress) -> Decimal | int | None:
    """The engine's completion ratio as a percent number: 1.2988 -> 129.9."""
    if row.completion is None:
        return None
    return plain_number(row.completion * 100)


def neutralise(text: str) -> str:
    """Text a spreadsheet would run as a formula gets a leading single quote (CSV)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime.datetime):
        return _local(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int):
        return value
    return neutralise(str(value))


def _local(value: datetime.datetime) -> datetime.datetime:
    if timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


# Writers --------------------------------------------------------------------


class _Echo:
    """A file-like object that hands back what csv.writer writes."""

    def write(self, value: str) -> str:
        return value


def csv_value_vn(value: Any) -> Any:
    """A value for Excel with Vietnamese regional settings: decimal comma ("129,9")."""
    value = csv_value(value)
    if isinstance(value, str) and _DECIMAL.fullmatch(value):
        return value.replace(".", ",")
    return value


_DECIMAL = re.compile(r"-?\d+\.\d+")


def csv_chunks(table: Table, *, excel_vn: bool = False) -> Iterator[str]:
    """The table as CSV text, in chunks, BOM first; consumes `rows` lazily.

    `excel_vn`: separated by ";" with decimal commas, which Excel set to
    Vietnamese reads as columns and numbers (it misreads "129.9" as a date or text).
    """
    writer = csv.writer(_Echo(), delimiter=";" if excel_vn else ",")
    value_of = csv_value_vn if excel_vn else csv_value
    yield BOM + writer.writerow(table.headers)
    batch: list[str] = []
    for row in table.rows:
        batch.append(writer.writerow([value_of(value) for value in row]))
        if len(batch) >= CSV_CHUNK_ROWS:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def write_csv(table: Table, stream: IO[str]) -> None:
    """Write the table to a text file opened with encoding="utf-8", newline=""."""
    for chunk in csv_chunks(table):
        stream.write(chunk)


def _xlsx_value(sheet, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, Decimal)):
        return value
    if isinstance(value, datetime.datetime):
        return _local(value)
    if isinstance(value, datetime.date):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    if text.startswith("="):
        # openpyxl would store it as a formula: force a text cell instead.
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        return cell
    return text


THIN = Side(style="thin", color="000000")
THIN_BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def _print_setup(sheet, header_row: int) -> None:
    """A4 landscape, one page wide, the header row repeated on every page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.print_options.horizontalCentered = True


def write_xlsx(table: Table, stream: IO[bytes]) -> None:
    """Write the table as an .xlsx workbook: header frozen, widths set, numbers as numbers.

    openpyxl's write-only mode keeps memory bounded whatever the row count
    (rows go to a temporary file as they come); the workbook is only complete,
    and so only sent, once every row is written.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(table.title)[:31])
    header_row = 1
    if table.document:
        header_row = len(table.about) + 3
        _print_setup(sheet, header_row)
    sheet.freeze_panes = f"A{header_row + 1}"
    for index, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    bold = Font(bold=True)
    if table.document:
        title = WriteOnlyCell(sheet, value=str(table.title).upper())
        title.font = Font(bold=True, size=13)
        sheet.append([title])
        for label, value in table.about:
            sheet.append([_xlsx_value(sheet, f"{label}: {value}")])
        sheet.append([])
    header = []
    for title in table.headers:
        cell = WriteOnlyCell(sheet, value=title)
        cell.data_type = "s"
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="center")
        if table.document:
            cell.border = THIN_BORDER
        header.append(cell)
    sheet.append(header)
    formats = [column.number_format for column in table.columns]
    with_format = any(formats) or table.document
    for row in table.rows:
        values = [_xlsx_value(sheet, value) for value in row]
        if with_format:
            # A section or headline row names itself in its first two cells only.
            is_section = table.document and all(value is None for value in row[2:])
            for index, value in enumerate(values):
                number_format = formats[index] if index < len(formats) else None
                # Already a cell where _xlsx_value styled a long text.
                cell = value if isinstance(value, XlsxCell) else WriteOnlyCell(sheet, value=value)
                if number_format and isinstance(value, (int, Decimal)):
                    if number_format == FIGURE_FORMAT:
                        number_format = FIGURE_FORMATS[type(value)]
                    cell.number_format = number_format
                if table.document:
                    cell.border = THIN_BORDER
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
                    if is_section:
                        cell.font = bold
                values[index] = cell
        sheet.append(values)
    if table.about:
        about = workbook.create_sheet(title=_("About"))
        about.column_dimensions["A"].width = 28
        about.column_dimensions["B"].width = 60
        for label, value in table.about:
            about.append([_xlsx_value(about, str(label)), _xlsx_value(about, str(value))])
    workbook.save(stream)


# Shared facts ---------------------------------------------------------------


def term_label(term: Term) -> str:
    return _("Congress number %(number)s, term %(start)s–%(end)s") % {
        "number": to_roman(term.congress_number),
        "start": term.start_year,
        "end": term.end_year,
    }


def _about(progress_term: Term, scope: Unit, as_of_text: str | None) -> list[tuple[str, str]]:
    facts = [
        (_("Committee"), str(progress_term.root_unit)),
        (_("Term"), f"{progress_term.name} – {term_label(progress_term)}"),
    ]
    if as_of_text:
        facts.append((_("As of"), as_of_text))
    facts.append((_("Unit"), str(scope)))
    facts.append((_("Exported on"), timezone.localdate().strftime("%d/%m/%Y")))
    if progress_term.is_illustrative:
        facts.append((_("Note"), _("Illustrative data")))
    return facts


def _stem(term: Term, key: str) -> str:
    return f"{term.start_year}-{term.end_year}-{key}"


# Summary table --------------------------------------------------------------


@dataclass(frozen=True)
class SummaryLine:
    """One line of the meeting table: a group heading, a target or the headline count."""

    kind: str  # "group", "target" or "foot"
    number: str
    label: str
    row: TargetProgress | None = None
    tally: Tally | None = None

    @property
    def remarks(self) -> str:
        return summary_remarks(self.row) if self.row is not None else ""

    @property
    def print_remarks(self) -> str:
        """The remarks without the fraction the printed page shows in its own column."""
        return summary_remarks(self.row, short=True) if self.row is not None else ""


def summary_lines(progress: Progress) -> list[SummaryLine]:
    """The meeting table's lines: headline targets, then each programme, then the count.

    Printed page, CSV and Excel all render these lines.
    """
    lines: list[SummaryLine] = []
    ungrouped = [row for row in progress.targets if row.target.programme_id is None]
    groups: list[tuple[str, list[TargetProgress], Tally | None]] = []
    if ungrouped:
        groups.append((_("Headline targets of the resolution"), ungrouped, None))
    for programme in progress.programmes:
        groups.append((str(programme.programme), programme.targets, programme.tally))
    for index, (title, rows, tally) in enumerate(groups, start=1):
        label = title
        if tally is not None:
            label = _("%(name)s (%(met)s/%(total)s targets met)") % {
                "name": title,
                "met": tally.met,
                "total": tally.total,
            }
        lines.append(SummaryLine("group", to_roman(index), label, tally=tally))
        lines.extend(SummaryLine("target", row.target.code, row.target.name, row) for row in rows)
    foot = _("Headline targets met or exceeded: %(met)s/%(total)s") % {
        "met": progress.headline.met,
        "total": progress.headline.total,
    }
    if progress.headline.lacking:
        foot += "; " + _("%(number)s lacking data") % {"number": progress.headline.lacking}
    lines.append(SummaryLine("foot", "", foot, tally=progress.headline))
    return lines


def summary_remarks(row: TargetProgress, *, with_fraction: bool = True, short: bool = False) -> str:
    """The "Ghi chú" column: what a reader needs to read the figures right.

    `short` is the printed page's: a few words a line, the fraction left to its column.
    """
    target = row.target
    if short:
        return _short_remarks(row)
    parts = []
    if row.planned_per_year:
        parts.append(_("per year"))
    if target.direction == Direction.AT_MOST:
        parts.append(_("at most (lower is better)"))
    if with_fraction and row.actual is not None and target.measure != Measure.COUNT:
        parts.append(actual_text(row))
    if row.in_scope:
        parts.append(
            _("units reported: %(reported)s/%(in_scope)s")
            % {"reported": num(row.reported), "in_scope": num(row.in_scope)}
        )
    return "; ".join(str(part) for part in parts)


def _short_remarks(row: TargetProgress) -> str:
    parts = []
    if row.planned_per_year:
        parts.append(_("yearly"))
    if row.target.direction == Direction.AT_MOST:
        parts.append(_("lower is better"))
    if row.expected is not None:
        parts.append(_("due: %(figure)s") % {"figure": figure(row.expected, row)})
    if row.in_scope:
        parts.append(
            _("reported: %(reported)s/%(in_scope)s")
            % {"reported": num(row.reported), "in_scope": num(row.in_scope)}
        )
    return "; ".join(str(part) for part in parts)


def summary_columns(as_of: AsOf) -> list[Column]:
    return [
        Column(_("No."), 7),
        Column(_("Target"), 50),
        Column(_("Unit of measure"), 12),
        Column(_("Set by the resolution"), 14, FIGURE_FORMAT),
        *(
            Column(_("Result %(year)s") % {"year": year}, 12, FIGURE_FORMAT)
            for year in as_of.years()
        ),
        Column(_("Cumulative / estimated"), 14, FIGURE_FORMAT),
        Column(_("Completion (%)"), 12, PERCENT_FORMAT),
        Column(_("Status"), 16),
        Column(_("Remarks"), 60),
        # The page's names for the same numbers: expected to date, the completion phrase.
        Column(expected_label(as_of), 14, FIGURE_FORMAT),
        Column(_("Completion"), 24),
    ]


def summary_rows(progress: Progress, lines: list[SummaryLine]) -> Iterator[list[Cell]]:
    width = len(summary_columns(progress.as_of))
    for line in lines:
        if line.row is None:
            yield [line.number, line.label, *([None] * (width - 2))]
            continue
        row = line.row
        yield [
            line.number,
            line.label,
            row.target.unit_label,
            plain_number(row.planned),
            *(plain_number(point.actual) for point in row.years),
            plain_number(row.actual),
            completion_percent(row),
            str(row.status.label),
            line.remarks,
            plain_number(row.expected),
            completion_phrase(row),
        ]


def summary_table(progress: Progress) -> Table:
    """The meeting table (DOMAIN.md) for a term, an as-of point and a scope."""
    lines = summary_lines(progress)
    return Table(
        title=_("Summary table"),
        filename=f"summary-{_stem(progress.term, progress.as_of.key)}",
        columns=summary_columns(progress.as_of),
        rows=list(summary_rows(progress, lines)),
        about=_about(progress.term, progress.scope, as_of_label(progress.as_of)),
        document=True,
    )


# One target, unit by unit ---------------------------------------------------


def breakdown_table(
    *, term: Term, as_of: AsOf, scope: Unit, target: Target, breakdown: list[UnitProgress]
) -> Table:
    """One target's progress for each unit directly below the scope (`target_breakdown`)."""
    years = list(as_of.years())
    columns = [
        Column(_("No."), 7),
        Column(_("Unit code"), 12),
        Column(_("Unit"), 45),
        Column(_("Target for the unit"), 14, FIGURE_FORMAT),
        *(Column(_("Result %(year)s") % {"year": year}, 12, FIGURE_FORMAT) for year in years),
        Column(_("Cumulative / estimated"), 14, FIGURE_FORMAT),
        Column(_("Numerator"), 11, INTEGER_FORMAT),
        Column(_("Denominator"), 11, INTEGER_FORMAT),
        Column(_("Completion (%)"), 12, PERCENT_FORMAT),
        Column(_("Status"), 16),
        Column(_("Units reported"), 11, INTEGER_FORMAT),
        Column(_("Units in scope"), 11, INTEGER_FORMAT),
        Column(expected_label(as_of), 14, FIGURE_FORMAT),
        Column(_("Completion"), 24),
    ]
    rows = [
        [
            index,
            entry.unit.code,
            entry.unit.name,
            plain_number(entry.progress.planned),
            *(plain_number(point.actual) for point in entry.progress.years),
            plain_number(entry.progress.actual),
            entry.progress.numerator,
            entry.progress.denominator,
            completion_percent(entry.progress),
            str(entry.progress.status.label),
            entry.progress.reported,
            entry.progress.in_scope,
            plain_number(entry.progress.expected),
            completion_phrase(entry.progress),
        ]
        for index, entry in enumerate(breakdown, start=1)
    ]
    about = _about(term, scope, as_of_label(as_of))
    about.insert(2, (_("Target"), str(target)))
    return Table(
        title=str(target.code),
        filename=f"target-{target.pk}-{_stem(term, as_of.key)}",
        columns=columns,
        rows=rows,
        about=about,
        document=True,
    )


# Raw results ----------------------------------------------------------------

# The raw results' columns, in file order: the field each holds, for re-import.
# No number formats: whole numbers and dates read well as they are, and plain
# cells keep the Excel writer fast on hundreds of thousands of rows.
RESULT_FIELDS = [
    ("target_code", gettext_lazy("Target code"), 12),
    ("target_name", gettext_lazy("Target"), 40),
    ("unit_code", gettext_lazy("Unit code"), 12),
    ("unit_name", gettext_lazy("Unit"), 40),
    ("year", gettext_lazy("Year"), 8),
    ("value", gettext_lazy("Value"), 10),
    ("numerator", gettext_lazy("Numerator"), 10),
    ("denominator", gettext_lazy("Denominator"), 10),
    ("flag", gettext_lazy("Yes / no (1/0)"), 10),
    ("is_estimate", gettext_lazy("Estimate (1/0)"), 10),
    ("note", gettext_lazy("Note"), 40),
    ("evidence", gettext_lazy("Evidence"), 24),
    ("created_at", gettext_lazy("Entered at"), 19),
    ("created_by", gettext_lazy("Entered by"), 14),
    ("updated_at", gettext_lazy("Updated at"), 19),
    ("updated_by", gettext_lazy("Updated by"), 14),
]
RESULT_COLUMNS = [key for key, *_rest in RESULT_FIELDS]
_FLAG_COLUMNS = (RESULT_COLUMNS.index("flag"), RESULT_COLUMNS.index("is_estimate"))


def result_rows(values: Iterable[Sequence[Any]]) -> Iterator[list[Cell]]:
    """Raw results as file rows, from tuples in `RESULT_COLUMNS` order (a values_list).

    Lazy: feed it `queryset.iterator(chunk_size=...)` and memory stays constant.
    """
    for values_row in values:
        row = list(values_row)
        for index in _FLAG_COLUMNS:
            if row[index] is not None:
                row[index] = int(row[index])
        yield row


def results_table(
    *, term: Term, scope: Unit, values: Iterable[Sequence[Any]], as_of_text: str | None = None
) -> Table:
    """Every result of the term in the scope, one row per target, unit and year.

    `values` is `indicators.selectors.results_for_export(...)`, or anything
    yielding tuples in `RESULT_COLUMNS` order; it is read once, lazily.
    """
    return Table(
        title=_("Results"),
        filename=f"results-{term.start_year}-{term.end_year}",
        columns=[Column(header, width) for _key, header, width in RESULT_FIELDS],
        rows=result_rows(values),
        about=_about(term, scope, as_of_text),
    )


def place_and_date(day: datetime.date) -> str:
    """ "Thanh Hóa, ngày 07 tháng 8 năm 2023": a day below 10, and January and February,
    take a leading zero (the rule for Party and State documents)."""
    return _("%(place)s, day %(day)s month %(month)s year %(year)s") % {
        "place": settings.DOCUMENT_PLACE,
        "day": f"{day.day:02d}",
        "month": f"{day.month:02d}" if day.month < 3 else str(day.month),
        "year": day.year,
    }
