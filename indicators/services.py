"""Writes that touch many rows, and the checks every write goes through."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import tablib
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from indicators.models import Measure, Result, Target, Term, UnitYear, YearState
from indicators.rollup import rollup_batch
from units.models import Unit, User


def unit_year_locked(*, unit: Unit, year: int) -> bool:
    """Whether the results of `unit` for `year` are locked against clerks.

    A year approved for a unit or for any unit above it locks the unit.
    """
    prefixes = unit.lineage
    return UnitYear.objects.filter(
        unit__path__in=prefixes, year=year, state=YearState.APPROVED
    ).exists()


def locked_unit_years(*, units: list[Unit], years: list[int]) -> set[tuple[int, int]]:
    """(unit id, year) pairs locked by an approval at the unit or above it, in one query."""
    prefixes = {path for unit in units for path in unit.lineage}
    approved = set(
        UnitYear.objects.filter(
            unit__path__in=prefixes, year__in=years, state=YearState.APPROVED
        ).values_list("unit__path", "year")
    )
    return {
        (unit.pk, year)
        for unit in units
        for year in years
        if any((path, year) in approved for path in unit.lineage)
    }


class YearLocked(Exception):
    """The (unit, year) is approved: results cannot change until a reviewer reopens it."""


class StaleResult(Exception):
    """Someone else saved the result after this form was opened."""


def result_save(*, result: Result, user: User, expected_version: int | None = None) -> Result:
    """Save one result as `user`: refuses locked years and lost updates.

    `expected_version` is the version the user's form was opened on; when it
    is no longer the stored one, the other save stands and StaleResult is raised.
    Superusers may write into an approved year; nobody else may.
    """
    with transaction.atomic():
        if result.pk is not None:
            current = (
                Result.objects.select_for_update()
                .filter(pk=result.pk)
                .values_list("version", flat=True)
                .first()
            )
            if current is not None:
                if expected_version is not None and current != expected_version:
                    raise StaleResult(result)
                result.version = current + 1
        if not user.is_superuser and unit_year_locked(unit=result.unit, year=result.year):
            raise YearLocked(result)
        if result.created_by_id is None:
            result.created_by = user
        result.updated_by = user
        result.save()
    return result


# The entry form: every target of one unit's year, saved together --------------


@dataclass
class ResultRow:
    """One target's line of the entry form, as the user left it.

    `version` is the stored version the form was opened on, 0 when the unit had
    no result for the target then. `delete` asks to remove the stored result.
    """

    target: Target
    value: int | None = None
    numerator: int | None = None
    denominator: int | None = None
    flag: bool | None = None
    is_estimate: bool = False
    note: str = ""
    evidence: str = ""
    version: int = 0
    delete: bool = False

    @property
    def is_blank(self) -> bool:
        return (
            all(getattr(self, name) is None for name in FIGURE_FIELDS)
            and not self.note
            and not self.evidence
            and not self.is_estimate
        )


FIGURE_FIELDS = ("value", "numerator", "denominator", "flag")
ENTERED_FIELDS = (*FIGURE_FIELDS, "is_estimate", "note", "evidence")
MEASURE_FIELD = {Measure.COUNT: "value", Measure.RATIO: "numerator", Measure.FLAG: "flag"}


class ResultsInvalid(Exception):
    """Some lines of the form are wrong: `errors` maps a target's id to its ValidationError."""

    def __init__(self, errors: dict[int, ValidationError]) -> None:
        super().__init__(errors)
        self.errors = errors


class StaleYear(StaleResult):
    """Results of the form were saved by someone else after it was opened."""

    def __init__(self, targets: list[Target]) -> None:
        super().__init__(targets)
        self.targets = targets


@dataclass
class YearSaveReport:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted


def results_save_year(
    *, unit: Unit, year: int, rows: list[ResultRow], user: User
) -> YearSaveReport:
    """Save a unit's year from the entry form: every line or none.

    Checks everything before writing anything: the year must not be locked
    (YearLocked), no line may have been saved by someone else since the form was
    opened (StaleYear, naming the targets; their save stands), and every line
    must be valid (ResultsInvalid, per target and field). Then saves all lines in
    one transaction. A blank line leaves no result; a blank line whose result
    exists is refused unless `delete` is set, so a figure is never lost by
    clearing a box by mistake. Unchanged lines are not rewritten.
    """
    report = YearSaveReport()
    with transaction.atomic():
        if not user.is_superuser and unit_year_locked(unit=unit, year=year):
            raise YearLocked(unit, year)
        existing = {
            result.target_id: result
            for result in Result.objects.select_for_update().filter(
                unit=unit, year=year, target__in=[row.target.pk for row in rows]
            )
        }
        stale = [
            row.target
            for row in rows
            if (existing[row.target.pk].version if row.target.pk in existing else 0) != row.version
        ]
        if stale:
            raise StaleYear(stale)
        errors: dict[int, ValidationError] = {}
        to_save: list[Result] = []
        to_delete: list[Result] = []
        may_delete = user.has_perm("indicators.delete_result")
        for row in rows:
            current = existing.get(row.target.pk)
            if row.delete and current is not None:
                if may_delete:
                    to_delete.append(current)
                else:
                    errors[row.target.pk] = ValidationError(
                        {MEASURE_FIELD[row.target.measure]: _("You may not delete results.")}
                    )
                continue
            if row.is_blank or row.delete:
                if current is not None:
                    errors[row.target.pk] = ValidationError(
                        {
                            MEASURE_FIELD[row.target.measure]: _(
                                "To delete this result tick “Delete”; otherwise enter the figure."
                            )
                        }
                    )
                continue
            result = current or Result(target=row.target, unit=unit, year=year)
            if current is not None and all(
                getattr(current, name) == getattr(row, name) for name in ENTERED_FIELDS
            ):
                report.unchanged += 1
                continue
            for name in ENTERED_FIELDS:
                setattr(result, name, getattr(row, name))
            try:
                result.clean_fields(exclude=["target", "unit", "created_by", "updated_by"])
                result.clean()
            except ValidationError as error:
                errors[row.target.pk] = error
                continue
            to_save.append(result)
        if errors:
            raise ResultsInvalid(errors)
        with rollup_batch():
            for result in to_delete:
                result.delete()
                report.deleted += 1
            for result in to_save:
                if result.pk is None:
                    result.created_by = user
                    report.created += 1
                else:
                    result.version += 1
                    report.updated += 1
                result.updated_by = user
                try:
                    with transaction.atomic():
                        result.save()
                except IntegrityError as error:
                    # Another save created the same result between our read and write.
                    raise StaleYear([result.target]) from error
    return report


# Import of results from a file ---------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One refused cell: the data row's number (1 = first row under the headers),
    the column and the message."""

    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        if self.column:
            return _("Row %(row)s, column “%(column)s”: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def results_import(
    *, rows: Iterable[dict], user: User, term: Term, dry_run: bool = False
) -> ImportReport:
    """Import results given as dicts keyed by the raw-results export's column headers.

    All or nothing: one wrong row (unknown target or unit, a unit outside the
    user's scope, a locked year, a figure Result.clean() refuses) and nothing is
    saved; the report then lists every wrong row and column. Rows equal to the
    stored results are skipped, so re-importing an export changes nothing.
    """
    from indicators.resources import ServiceResultResource, import_report

    rows = list(rows)
    headers: list[str] = []
    for row in rows:
        headers.extend(key for key in row if key not in headers)
    dataset = tablib.Dataset(*[[row.get(key) for key in headers] for row in rows], headers=headers)
    resource = ServiceResultResource(term=term, user=user)
    result = resource.import_data(
        dataset,
        dry_run=dry_run,
        use_transactions=True,
        rollback_on_validation_errors=True,
        user=user,
    )
    return import_report(result)
