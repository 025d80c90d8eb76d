"""Writes that touch many rows, and the checks every write goes through."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from indicators.bulk import BATCH, results_create
from indicators.models import (
    Measure,
    Result,
    Target,
    Term,
    UnitYear,
    YearState,
    unit_absent,
)
from indicators.rollup import rollup_batch, rollup_touched
from units.events import day_text
from units.models import Unit, User, path_ids
from units.selectors import load_places, path_in_year, stood_in, unit_scope_for


def results_after_end(units: list[Unit], when) -> list[str]:
    """Why units may not end on `when`: results entered for a year after their last.

    A unit ended on 01/07/2024 existed for part of 2024 and keeps its 2024
    results; ended on 01/01/2024, it cannot have any for 2024 (one query).
    """
    last_year = (when - timedelta(days=1)).year
    rows = (
        Result.objects.filter(unit__in=units, year__gt=last_year)
        .values_list("unit__name", "year")
        .order_by("unit__path", "year")
        .distinct()
    )
    return [
        _("%(unit)s has results for %(year)s, after it ends on %(date)s.")
        % {"unit": name, "year": year, "date": day_text(when)}
        for name, year in rows
    ]


def user_unit_ended(user: User) -> str | None:
    """Why `user` may no longer write any result: the unit they belong to has ended.

    A clerk of a dissolved (merged, split) unit loses write access from its end
    date and keeps reading its past years; None for everyone else.
    """
    unit = user.unit if user.unit_id is not None else None
    if unit is None or unit.ended_on is None or unit.ended_on > timezone.localdate():
        return None
    return _(
        "%(unit)s ended on %(date)s: its results can still be read but no longer "
        "entered or changed."
    ) % {"unit": unit, "date": day_text(unit.ended_on)}


def results_closed(*, user: User, unit: Unit, year: int) -> str | None:
    """Why `user` may not write the results of `unit` for `year`, else None.

    Nobody enters results for a year the unit did not exist in (the model
    refuses them too), and a user whose own unit has ended writes nothing.
    """
    if not unit.holds_year(year):
        if unit.ended_on is not None and year >= unit.ended_on.year:
            message = _("%(unit)s ended on %(date)s: there are no results to enter for %(year)s.")
            return message % {"unit": unit, "date": day_text(unit.ended_on), "year": year}
        return unit_absent(unit, year)
    if ended := user_unit_ended(user):
        return ended
    return outside_scope_then(user=user, unit=unit, year=year)


def outside_scope_then(*, user: User, unit: Unit, year: int) -> str | None:
    """Why `user` may not write `unit`'s year: it is no longer in the user's subtree
    (its past years there are read, not changed) or was not in it that year."""
    scope = unit_scope_for(user)
    if scope is None:
        return None
    if not unit.is_in(scope):
        return _(
            "%(unit)s is no longer part of %(scope)s: its results of %(year)s can be read "
            "but not changed."
        ) % {"unit": unit, "scope": scope, "year": year}
    if not stood_in(scope, unit, year):
        return _(
            "In %(year)s %(unit)s was not part of %(scope)s: its results of that year are "
            "entered where it stood then."
        ) % {"unit": unit, "scope": scope, "year": year}
    return None


def _lineage_ids(unit: Unit, year: int) -> list[int]:
    """The ids of the unit and the units above it in the tree of `year` (its end)."""
    return path_ids(path_in_year(unit, year))


def unit_year_locked(*, unit: Unit, year: int) -> bool:
    """Whether the results of `unit` for `year` are locked against clerks.

    A year approved for a unit or for any unit above it in that year's tree locks
    the unit: a unit moved since stays locked by its old branch's approval.
    """
    return bool(_locked(_lineages([(unit, year)])))


Lineages = dict[tuple[int, int], list[int]]


def _lineages(places: Iterable[tuple[Unit, int]]) -> Lineages:
    """{(unit id, year): the ids of its lineage in that year's tree}, one query."""
    places = list(places)
    load_places([unit for unit, _year in places])
    return {(unit.pk, year): _lineage_ids(unit, year) for unit, year in places}


def _locked(lineages: Lineages) -> set[tuple[int, int]]:
    """The (unit id, year) keys of `lineages` approved at the unit or above it (one query)."""
    approved = set(
        UnitYear.objects.filter(
            unit_id__in={pk for lineage in lineages.values() for pk in lineage},
            year__in={year for _unit, year in lineages},
            state=YearState.APPROVED,
        ).values_list("unit_id", "year")
    )
    return {
        (unit_pk, year)
        for (unit_pk, year), lineage in lineages.items()
        if any((pk, year) in approved for pk in lineage)
    }


def locked_unit_years(*, units: list[Unit], years: list[int]) -> set[tuple[int, int]]:
    """(unit id, year) pairs locked by an approval at the unit or above it in that
    year's tree (`unit_year_locked`), in two queries (one for the placements)."""
    return _locked(_lineages((unit, year) for unit in units for year in years))


class YearLocked(Exception):
    """The (unit, year) is approved: results cannot change until a reviewer reopens it."""


class StaleResult(Exception):
    """Someone else saved the result after this form was opened."""


class StaleResults(StaleResult):
    """Rows saved by someone else after the user saw them (a form, an import's preview).

    `results` are the stored rows as they are now; the other save stands.
    """

    def __init__(self, results: list[Result]) -> None:
        super().__init__(results)
        self.results = results


# The guarded write: every write of results goes through here -----------------------
#
# Lock protocol. An approval of (unit U, year) locks the results of U's subtree in
# that year's tree. A writer share-locks the Unit rows of the lineage (ancestors and
# itself, in the tree of the year it writes) of every unit it writes into, then reads
# the approvals; an approval exclusive-locks the Unit rows it approves
# (`units_lock_for_approval`) before it reads or changes a UnitYear. Writers into one
# subtree never wait for each other (share locks); an approval waits for the writers
# below it to commit, and a writer that comes after it waits for the approval to
# commit and then sees it (PostgreSQL's READ COMMITTED takes a new snapshot for each
# statement). So the lock check and the write are one atomic step (`results_guard`).
# SQLite has one writer at a time and needs no locks.


def _row_locks_supported() -> bool:
    return connection.features.has_select_for_update


def units_lock_for_approval(*, units: list[Unit]) -> None:
    """Lock `units` against writers of their subtrees, until the transaction ends.

    The approval transaction calls this before it reads or changes a UnitYear's
    state: writers already inside these subtrees finish first, later ones wait
    and then see the new state.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("units_lock_for_approval needs a transaction")
    ids = sorted({unit.pk for unit in units})
    if ids and _row_locks_supported():
        # In path order, as writers lock them, so two approvals cannot deadlock.
        list(
            Unit.objects.select_for_update()
            .filter(pk__in=ids)
            .order_by("path")
            .values_list("pk", flat=True)
        )


def _share_lock(lineages: Lineages) -> None:
    """Share-lock the units of `lineages`: for each place written, the unit and the units
    above it in that year's tree, those whose approval would lock it (see the protocol
    above); inside a transaction."""
    ids = sorted({pk for lineage in lineages.values() for pk in lineage})
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {Unit._meta.db_table} WHERE id = ANY(%s) ORDER BY path FOR SHARE",
            [ids],
        )


def results_guard(*, user: User, places: Iterable[tuple[Unit, int]]) -> None:
    """Lock the units of `places` (unit, year) for writing; YearLocked when one is approved.

    Call inside the transaction that writes; superusers may write into approved years.
    """
    places = {(unit.pk, year): unit for unit, year in places}
    locks = _row_locks_supported()
    if not places or (user.is_superuser and not locks):
        return
    # Each place's lineage, read once for the locks and the approvals.
    lineages = _lineages((unit, year) for (_pk, year), unit in places.items())
    if locks:
        _share_lock(lineages)
    if user.is_superuser:
        return
    locked = _locked(lineages)
    if locked:
        raise YearLocked(sorted(locked))


@dataclass
class ResultChange:
    """One row to write: `result` as it should be stored (no pk: a new row).

    `seen_version` is the version the user saw (0: there was no row); None
    checks nothing. `delete` removes the stored row.
    """

    result: Result
    seen_version: int | None = None
    delete: bool = False


@dataclass
class WriteReport:
    created: int = 0
    updated: int = 0
    deleted: int = 0


def results_write(*, changes: list[ResultChange], user: User) -> WriteReport:
    """Write results in one transaction, refusing approved years and lost updates.

    The stored rows are locked, the years checked (YearLocked) and the versions
    compared with what the user saw (StaleResults, naming the rows saved since)
    before anything is written. Versions advance, history rows are written for
    every change and the roll-up is rebuilt once.
    """
    report = WriteReport()
    if not changes:
        return report
    with transaction.atomic(), rollup_batch():
        stored_ids = sorted(change.result.pk for change in changes if change.result.pk)
        stored: dict[int, Result] = {}
        for start in range(0, len(stored_ids), 10_000):
            chunk = stored_ids[start : start + 10_000]
            query = Result.objects.filter(pk__in=chunk).select_related("unit").order_by("pk")
            if _row_locks_supported():
                query = query.select_for_update(of=("self",))
            stored.update((result.pk, result) for result in query)
        places = {(change.result.unit, change.result.year) for change in changes}
        places |= {(result.unit, result.year) for result in stored.values()}
        results_guard(user=user, places=places)
        stale = [
            stored[change.result.pk]
            for change in changes
            if change.result.pk in stored
            and change.seen_version is not None
            and stored[change.result.pk].version != change.seen_version
        ]
        new = [change for change in changes if change.result.pk is None and not change.delete]
        if stale:
            raise StaleResults(stale + _existing(new))
        now = timezone.now()
        to_delete = [change.result for change in changes if change.delete and change.result.pk]
        to_update = []
        for change in changes:
            result = change.result
            if change.delete or result.pk is None:
                continue
            if result.pk not in stored:
                raise StaleResults([result])  # deleted by someone else meanwhile
            result.version = stored[result.pk].version + 1
            result.updated_by = user
            result.updated_at = now
            to_update.append(result)
        to_create = [change.result for change in new]
        for result in to_create:
            result.created_by = result.created_by or user
            result.updated_by = user
            result.version = 1
        for result in to_delete:
            result.delete()  # one by one: the history and the roll-up hear of each
        if to_update:
            bulk_update_with_history(
                to_update, Result, UPDATED_FIELDS, batch_size=BATCH, default_user=user
            )
        if to_create:
            try:
                with transaction.atomic():
                    results_create(to_create, user=user)
            except IntegrityError as error:
                # Created by another save between our check and our write.
                raise StaleResults(_existing(new) or [change.result for change in new]) from error
        # The old (target, branch) of a moved row is rebuilt too.
        rollup_touched([*to_update, *to_create, *stored.values()])
        report.created, report.updated, report.deleted = (
            len(to_create),
            len(to_update),
            len(to_delete),
        )
    return report


def _existing(new: list[ResultChange]) -> list[Result]:
    """The stored rows that have the keys of `new` rows (made since the user looked)."""
    if not new:
        return []
    keys = {(c.result.target_id, c.result.unit_id, c.result.year) for c in new}
    found = []
    unit_ids = sorted({unit for _target, unit, _year in keys})
    for start in range(0, len(unit_ids), 500):  # SQLite's limit on query parameters
        found += [
            result
            for result in Result.objects.filter(
                unit_id__in=unit_ids[start : start + 500],
                target_id__in={target for target, _unit, _year in keys},
                year__in={year for _target, _unit, year in keys},
            ).select_related("target", "unit")
            if (result.target_id, result.unit_id, result.year) in keys
        ]
    return found


def result_save(*, result: Result, user: User, expected_version: int | None = None) -> Result:
    """Save one result as `user`: refuses locked years and lost updates.

    `expected_version` is the version the user's form was opened on; when it
    is no longer the stored one, the other save stands and StaleResult is raised.
    Superusers may write into an approved year; nobody else may.
    """
    results_write(
        changes=[
            ResultChange(
                result=result,
                seen_version=expected_version if result.pk else 0,
            )
        ],
        user=user,
    )
    return result


def result_delete(*, results: Iterable[Result], user: User) -> int:
    """Delete results as `user`, refusing approved years (YearLocked); returns how many."""
    return results_write(
        changes=[ResultChange(result=result, delete=True) for result in results], user=user
    ).deleted


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
UPDATED_FIELDS = [*ENTERED_FIELDS, "version", "updated_by", "updated_at"]
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
        results_guard(user=user, places=[(unit, year)])
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
        changes: list[ResultChange] = []
        may_delete = user.has_perm("indicators.delete_result")
        for row in rows:
            current = existing.get(row.target.pk)
            if row.delete and current is not None:
                if may_delete:
                    changes.append(
                        ResultChange(result=current, seen_version=row.version, delete=True)
                    )
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
            changes.append(ResultChange(result=result, seen_version=row.version))
        if errors:
            raise ResultsInvalid(errors)
        try:
            written = results_write(changes=changes, user=user)
        except StaleResults as stale_results:
            raise StaleYear([result.target for result in stale_results.results]) from None
        report.created, report.updated, report.deleted = (
            written.created,
            written.updated,
            written.deleted,
        )
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


@dataclass(frozen=True)
class PreviewRow:
    """One row an import would write, as the preview shows it."""

    row: int
    new: bool
    target: str
    unit: str
    year: int
    before: object
    after: object


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    # The first rows that would be written, and (after a preview) the versions seen.
    preview: list[PreviewRow] = field(default_factory=list)
    seen: dict[tuple[int, int, int], int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def results_import(
    *,
    rows: Iterable[dict],
    user: User,
    term: Term,
    dry_run: bool = False,
    seen: dict[tuple[int, int, int], int] | None = None,
) -> ImportReport:
    """Import results from dicts keyed by the raw export's headers: see `indicators.imports`."""
    from indicators.imports import results_import as import_rows

    return import_rows(rows=rows, user=user, term=term, dry_run=dry_run, seen=seen)
