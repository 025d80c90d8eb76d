"""The workflow of a unit's year: a clerk submits it, a reviewer approves or returns it.

Each move locks the unit (as every approval does) and the year's row, reads the
state, and records who moved it; a move from the wrong state changes nothing.
No admin record has to exist first: submitting a year creates its row.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from indicators.models import UnitYear, YearState
from indicators.services import results_closed, unit_year_locked, units_lock_for_approval
from units.models import Unit, User


class WorkflowRefused(Exception):
    """The year is not in a state this move applies to; the message says why."""


def _locked_unit_year(*, unit: Unit, year: int, user: User) -> UnitYear:
    # A year the unit did not exist in, or a user whose own unit has ended, moves
    # nothing: the same rule as every write of results.
    if refusal := results_closed(user=user, unit=unit, year=year):
        raise WorkflowRefused(refusal)
    units_lock_for_approval(units=[unit])
    unit_year = UnitYear.objects.select_for_update().filter(unit=unit, year=year).first()
    return unit_year or UnitYear(unit=unit, year=year, state=YearState.DRAFT)


def _move(unit_year: UnitYear, *, to_state: str, user: User, reason: str = "") -> UnitYear:
    unit_year.state = to_state
    unit_year.updated_by = user
    if reason:
        unit_year.reopen_reason = reason
        unit_year._change_reason = reason
    unit_year.full_clean()
    unit_year.save()
    return unit_year


def unit_year_submit(*, unit: Unit, year: int, user: User) -> UnitYear:
    """Send a draft year for review."""
    with transaction.atomic():
        unit_year = _locked_unit_year(unit=unit, year=year, user=user)
        if unit_year.state != YearState.DRAFT:
            raise WorkflowRefused(_("This year has already been sent for review."))
        if unit_year_locked(unit=unit, year=year):
            # Approved above it (its organisation's year, or its old branch's).
            raise WorkflowRefused(
                _("This year is already approved at a level above: it is locked.")
            )
        return _move(unit_year, to_state=YearState.SUBMITTED, user=user)


def unit_year_approve(*, unit: Unit, year: int, user: User) -> UnitYear:
    """Approve a submitted year, which locks its results."""
    with transaction.atomic():
        unit_year = _locked_unit_year(unit=unit, year=year, user=user)
        if unit_year.state != YearState.SUBMITTED:
            raise WorkflowRefused(_("Only a year sent for review can be approved."))
        return _move(unit_year, to_state=YearState.APPROVED, user=user)


def unit_year_return(*, unit: Unit, year: int, user: User, reason: str) -> UnitYear:
    """Send a submitted (or approved) year back to the clerk, saying why."""
    reason = reason.strip()
    if not reason:
        raise WorkflowRefused(_("Say why the year is returned."))
    with transaction.atomic():
        unit_year = _locked_unit_year(unit=unit, year=year, user=user)
        if unit_year.state not in (YearState.SUBMITTED, YearState.APPROVED):
            raise WorkflowRefused(_("Only a year sent for review can be returned."))
        return _move(unit_year, to_state=YearState.DRAFT, user=user, reason=reason)
