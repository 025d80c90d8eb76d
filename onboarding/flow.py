"""What every set-up import does the same way: its plan, its rows, its errors.

An import (the tree, a term's targets, its quotas) first plans: it reads the
whole file, checks every row and collects each refused cell as a `RowError`
naming the row and the column, and writes nothing. Only a plan without errors
is applied, in one transaction. The pieces below are that flow, written once:
`ImportPlan` (the errors, `ok`), `plan_rows` (the file's rows, or why it
cannot be read at all), `RowReader` (one row's cells, each refusal an error)
and the scope check of a term's imports.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.models import Term
from indicators.services import RowError
from onboarding.sheets import Column, SheetRow, cell_text, sheet_read
from units.models import User
from units.selectors import unit_scope_for


@dataclass
class ImportPlan:
    """What an import will do (or did); with any error it does nothing."""

    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def refuse(self, message: str) -> None:
        """An error of the whole file (no row, no column)."""
        self.errors.append(RowError(row=None, column="", message=str(message)))

    def sort_errors(self) -> None:
        """The whole file's errors first, then by row and column, as the file reads."""
        self.errors.sort(key=lambda error: (error.row or 0, error.column))


def plan_rows(
    plan: ImportPlan, rows: Iterable[dict], *, columns: list[Column], required: Iterable[str]
) -> list[SheetRow]:
    """The file's non-empty rows; none, with the reason in `plan`, when a required
    column is missing or the file has no rows."""
    read, errors = sheet_read(rows, columns=columns, required=required)
    plan.errors.extend(errors)
    if plan.ok and not read:
        plan.refuse(_("The file has no rows."))
    return read if plan.ok else []


def repeated_code(*, row: int, column: str, code: str, first: int) -> RowError:
    return RowError(
        row=row,
        column=column,
        message=_("The code “%(code)s” is already in row %(row)s.") % {"code": code, "row": first},
    )


NEGATIVE_ORDER = gettext_lazy("Enter a number of 0 or more.")


def not_negative(number: Decimal | int | None, message: str) -> Decimal | int | None:
    """`number`, or ValueError(`message`, a lazy text: translated only then) when it is
    below zero."""
    if number is not None and number < 0:
        raise ValueError(str(message))
    return number


class RowReader:
    """The cells of one row, by field name; each cell that cannot be read becomes an
    error naming the row and the column (in `errors`), and reads as `default`."""

    def __init__(self, row: SheetRow, columns: dict[str, Column]) -> None:
        self.number = row.number
        self.values = row.values
        self.columns = columns
        self.errors: list[RowError] = []

    def refuse(self, name: str, message: str) -> None:
        """An error in the cell of field `name` (or of the header `name`, for a
        column of the file's own, like a year)."""
        column = self.columns.get(name)
        self.errors.append(
            RowError(
                row=self.number,
                column=str(column.header) if column else str(name),
                message=str(message),
            )
        )

    def read(self, name: str, reader: Callable[[Any], Any] = cell_text, *, default=None):
        try:
            return reader(self.values.get(name))
        except ValueError as error:
            self.refuse(name, str(error))
            return default

    def text(self, name: str, *, required: bool = False, longest: int | None = None) -> str:
        text = cell_text(self.values.get(name))
        if required and not text:
            self.refuse(name, _("This cell cannot be empty."))
        if longest is not None and len(text) > longest:
            self.refuse(
                name,
                _("At most %(count)s characters; this has %(length)s.")
                % {"count": longest, "length": len(text)},
            )
        return text

    def headed(self, names: dict[str, Any], reader: Callable[[Any], Any]) -> dict[Any, Any]:
        """The cells of the columns whose header is one of `names` (casefolded header ->
        key, e.g. a year), each read by `reader`, by key."""
        found = {}
        for header, raw in self.values.items():
            spelled = str(header).strip().casefold()
            if spelled not in names:
                continue
            try:
                found[names[spelled]] = reader(raw)
            except ValueError as error:
                self.refuse(str(header), str(error))
        return found


# A term's imports ------------------------------------------------------------------


def may_manage_term(*, user: User, term: Term) -> bool:
    """Whether `user` may set up `term`'s targets and quotas: it is inside their subtree."""
    scope = unit_scope_for(user)
    return scope is None or term.root_unit.is_in(scope)


def term_plan_start(plan: ImportPlan, *, user: User, term: Term) -> bool:
    """Refuse (in `plan`) a term outside the user's subtree; whether to go on."""
    if not may_manage_term(user=user, term=term):
        plan.refuse(_("This term is outside your subtree."))
    return plan.ok
