"""Files in and out of the set-up imports: columns, uploads, CSV and Excel writers.

Every import of this app reads its file through `sheet_store` and `sheet_rows`,
the one place that knows where uploads are kept; the writers give back the
bytes of an export or a template (headers in the user's language, one example
row, drop-down lists for the columns that take a fixed set of values).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from indicators.services import RowError
from units.uploads import (
    UploadRefused,
    upload_kind,
    upload_open,
    upload_remove,
    upload_rows,
    upload_store,
)

# "3.200" or "3.200,5": Vietnamese grouping (a lone "0.125" stays a decimal).
GROUPED = re.compile(r"-?[1-9]\d{0,2}(\.\d{3})+(,\d+)?")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


YES_NO = (("1", "1"), ("0", "0"))


@dataclass(frozen=True)
class Column:
    name: str
    header: str  # a lazy msgid: the header in the user's language
    choices: tuple[tuple[str, str], ...] = ()  # (stored value, lazy label): a drop-down
    width: int = 18

    @cached_property
    def spelled_choices(self) -> dict[str, str]:
        """Each choice as a cell may spell it (its label in either language, or the
        stored value itself), casefolded -> the stored value; read once per column."""
        spelled = spellings(lambda: ((label, stored) for stored, label in self.choices))
        spelled.update((stored.casefold(), stored) for stored, _label in self.choices)
        return spelled


@dataclass(frozen=True)
class SheetBook:
    """How an export or a template shows its columns: sheet title, widths, drop-downs."""

    title: str
    widths: list[int]
    lists: dict[int, list[str]]  # column index -> the drop-down's values

    @classmethod
    def of(
        cls,
        columns: list[Column],
        *,
        title: str,
        extra_widths: Iterable[int] = (),
        lists: dict[int, list[str]] | None = None,
    ) -> SheetBook:
        """The book of `columns` (then columns of their own, e.g. years, `extra_widths`)."""
        if lists is None:
            lists = {
                index: [str(label) for _value, label in column.choices]
                for index, column in enumerate(columns)
                if column.choices
            }
        return cls(
            title=str(title),
            widths=[column.width for column in columns] + list(extra_widths),
            lists=lists,
        )

    def content(self, headers: list[str], rows: list[list], *, fmt: str) -> bytes:
        if fmt == "csv":
            return csv_bytes(headers, rows)
        return xlsx_bytes(
            headers,
            rows,
            title=self.title,
            widths=self.widths,
            lists=self.lists,
            list_rows=max(2000, len(rows) + 500),
        )


@dataclass(frozen=True)
class SheetFile:
    """An import's downloads: its export and its template, both as the import reads them.

    `export()` and `example()` give the rows (computed only for the file asked for).
    """

    name: str  # the file's name without extension; the template's is "mau-" + name
    book: SheetBook
    headers: list[str]
    export: Callable[[], list[list]]
    example: Callable[[], list[list]]

    def download(self, fmt: str) -> tuple[str, bytes]:
        """(file name, content) of the export in `fmt` ("csv", "xlsx") or of the
        template ("template", always Excel, with its drop-downs)."""
        if fmt == "template":
            return f"mau-{self.name}.xlsx", self.book.content(
                self.headers, self.example(), fmt="xlsx"
            )
        return f"{self.name}.{fmt}", self.book.content(self.headers, self.export(), fmt=fmt)


@dataclass
class SheetRow:
    number: int  # the row's line in the spreadsheet (the headers are line 1)
    values: dict[str, object] = field(default_factory=dict)


# Uploads -------------------------------------------------------------------------
# The shared upload store (units.uploads): size and row limits, per-user signed
# tokens, temp files swept. Its UploadRefused carries a message for the user.

SheetRefused = UploadRefused


def sheet_store(*, user, file, kind: str) -> str:
    """Keep an uploaded file for `user` until the preview is confirmed; returns its token."""
    return upload_store(user=user, file=file, kind=kind)


def sheet_rows(*, user, token: str) -> Iterator[dict]:
    """The rows of the file behind `token` (which must be `user`'s) as dicts by header."""
    path = upload_open(user=user, token=token)
    _kind, fmt = upload_kind(path)
    return upload_rows(path=path, fmt=fmt)


def sheet_remove(*, user, token: str) -> None:
    upload_remove(user=user, token=token)


# Reading cells -------------------------------------------------------------------


def spellings(headers: Callable[[], Iterable[tuple[str, object]]]) -> dict[str, object]:
    """Headers as a file may spell them, in English or Vietnamese: casefolded text -> key.

    `headers()` gives (header, key) pairs; it is called once in each language.
    """
    names: dict[str, object] = {}
    for language in ("en", "vi"):
        with translation.override(language):
            for text, key in headers():
                names[str(text).strip().casefold()] = key
    return names


def header_names(columns: Iterable[Column]) -> dict[str, str]:
    """Every spelling of each header (Vietnamese, English, the field's name) -> the field."""
    columns = list(columns)
    names = {column.name.casefold(): column.name for column in columns}
    names.update(spellings(lambda: ((column.header, column.name) for column in columns)))
    return names


def sheet_read(
    rows: Iterable[dict], *, columns: list[Column], required: Iterable[str]
) -> tuple[list[SheetRow], list[RowError]]:
    """The file's rows keyed by field name, numbered as the spreadsheet shows them.

    Headers not among `columns` are kept under their own text (per-year columns).
    A missing required column is one error for the whole file.
    """
    names = header_names(columns)
    read: list[SheetRow] = []
    errors: list[RowError] = []
    headers_seen: set[str] = set()
    for number, row in enumerate(rows, start=2):
        values = {}
        for header, value in row.items():
            key = names.get(str(header).strip().casefold(), str(header).strip())
            values[key] = value
        if number == 2:
            headers_seen = set(values)
        if any(cell_text(value) for value in values.values()):
            read.append(SheetRow(number=number, values=values))
    if read:
        headers = {column.name: column.header for column in columns}
        missing = [str(headers[name]) for name in required if name not in headers_seen]
        if missing:
            errors.append(
                RowError(
                    row=None,
                    column="",
                    message=_("The file lacks the columns: %(columns)s.")
                    % {"columns": ", ".join(missing)},
                )
            )
    return read, errors


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.startswith("'") and text[1:2] in FORMULA_STARTS:
        text = text[1:]
    return text


def cell_decimal(value) -> Decimal | None:
    """A number as Excel or a Vietnamese CSV writes it ("3.200", "12,5"); blank is None."""
    if isinstance(value, bool):
        raise ValueError(_("Enter a number."))
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    text = cell_text(value).replace(" ", "")
    if not text:
        return None
    if GROUPED.fullmatch(text) or "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("“%(value)s” is not a number.") % {"value": text}) from None
    if not number.is_finite():
        raise ValueError(_("“%(value)s” is not a number.") % {"value": text})
    return number


def cell_figure(value, field) -> Decimal | None:
    """A number that fits the model's decimal `field` (digits, decimal places)."""
    number = cell_decimal(value)
    if number is None:
        return None
    try:
        field.run_validators(number)
    except ValidationError as error:
        raise ValueError(" ".join(error.messages)) from None
    return number


def cell_whole(value) -> int | None:
    number = cell_decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise ValueError(_("“%(value)s” is not a whole number.") % {"value": cell_text(value)})
    return int(number)


YES = {"1", "có", "co", "x", "yes", "y", "true", "đúng"}
NO = {"0", "không", "khong", "no", "n", "false", "sai"}


def cell_yes_no(value, *, blank: bool) -> bool:
    if isinstance(value, bool):
        return value
    text = cell_text(value).casefold()
    if not text:
        return blank
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError(_("Write 1 for yes or 0 for no."))


def cell_choice(value, column: Column, *, blank: str | None = None) -> str:
    """A stored value from its code or its label in either language."""
    text = cell_text(value)
    if not text:
        if blank is not None:
            return blank
        raise ValueError(_("Choose a value."))
    stored = column.spelled_choices.get(text.casefold())
    if stored is not None:
        return stored
    with_labels = ", ".join(str(label) for _stored, label in column.choices)
    raise ValueError(
        _("“%(value)s” is not one of: %(choices)s.") % {"value": text, "choices": with_labels}
    )


def choice_label(value: str, column: Column) -> str:
    return next((str(label) for stored, label in column.choices if stored == value), value)


# Writing -------------------------------------------------------------------------


def plain_number(value: Decimal | None) -> int | Decimal | None:
    """A stored figure as a file shows it: 3200, not 3200.00."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else value


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(headers: list[str], rows: Iterable[list]) -> bytes:
    out = io.StringIO()
    out.write("\ufeff")  # Excel reads UTF-8 only with the byte-order mark
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_plain(value) for value in row])
    return out.getvalue().encode("utf-8")


def xlsx_bytes(
    headers: list[str],
    rows: Iterable[list],
    *,
    title: str,
    lists: dict[int, list[str]] | None = None,
    widths: list[int] | None = None,
    list_rows: int = 2000,
) -> bytes:
    """A workbook with one sheet; `lists` puts a drop-down on a column (by index).

    The choices are written on a hidden sheet and the validation refers to
    them, so that labels with commas and long lists work.
    """
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append([_plain(value) for value in row])
    for index, width in enumerate(widths or [], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    if lists:
        choices = workbook.create_sheet("Danh mục")
        choices.sheet_state = "hidden"
        for number, (index, values) in enumerate(sorted(lists.items()), start=1):
            letter = get_column_letter(number)
            for row_number, value in enumerate(values, start=1):
                choices.cell(row=row_number, column=number, value=value)
            validation = DataValidation(
                type="list",
                formula1=f"='Danh mục'!${letter}$1:${letter}${len(values)}",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=_("Value not in the list"),
                error=_("Choose a value from the list."),
            )
            column = get_column_letter(index + 1)
            validation.add(f"{column}2:{column}{list_rows}")
            sheet.add_data_validation(validation)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
