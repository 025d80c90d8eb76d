"""Writes that touch many rows, and the checks every write goes through."""

from __future__ import annotations

from django.db import transaction

from indicators.models import Result, UnitYear, YearState
from units.models import STEP, Unit, User


def unit_year_locked(*, unit: Unit, year: int) -> bool:
    """Whether the results of `unit` for `year` are locked against clerks.

    A year approved for a unit or for any unit above it locks the unit.
    """
    prefixes = [unit.path[:end] for end in range(STEP, len(unit.path) + 1, STEP)]
    return UnitYear.objects.filter(
        unit__path__in=prefixes, year=year, state=YearState.APPROVED
    ).exists()


def locked_unit_years(*, units: list[Unit], years: list[int]) -> set[tuple[int, int]]:
    """(unit id, year) pairs locked by an approval at the unit or above it, in one query."""
    prefixes = {unit.path[:end] for unit in units for end in range(STEP, len(unit.path) + 1, STEP)}
    approved = set(
        UnitYear.objects.filter(
            unit__path__in=prefixes, year__in=years, state=YearState.APPROVED
        ).values_list("unit__path", "year")
    )
    return {
        (unit.pk, year)
        for unit in units
        for year in years
        if any((unit.path[:end], year) in approved for end in range(STEP, len(unit.path) + 1, STEP))
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
