"""The entry form: one unit's year, every target of the term on one page.

Confined to the user's subtree (`unit_scope_for`: another unit is a 404);
read-only for whoever may not enter results, in a locked (approved) year, for a
year after the unit ended and for a user whose own unit has ended.
Saving goes through `services.results_save_year`: all lines or none.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from indicators.forms import EntryPickForm, entry_lines
from indicators.models import Result, Term, UnitQuota, UnitYear, YearState
from indicators.reporting import double_counted_targets, targets_reported_by
from indicators.selectors import terms_holding, terms_visible_to
from indicators.services import (
    ResultsInvalid,
    StaleYear,
    YearLocked,
    results_closed,
    results_save_year,
    unit_year_locked,
)
from indicators.workflow import (
    WorkflowRefused,
    unit_year_approve,
    unit_year_return,
    unit_year_submit,
)
from units.models import Unit
from units.selectors import placed_under, stood_in, unit_scope_for
from units.text import whole_number

ENTER_PERMISSIONS = ["indicators.add_result", "indicators.change_result"]
SUBMIT_PERMISSIONS = ["indicators.add_unityear", "indicators.change_unityear"]
REVIEW_PERMISSION = "indicators.approve_unityear"
REVIEW_LIST_SIZE = 200


def _units_in_scope(user):
    scope = unit_scope_for(user)
    return Unit.objects.all() if scope is None else Unit.objects.subtree(scope)


def _unit_of_year(user, unit_id: int, year: int) -> Unit:
    """The unit, if it stood in the user's subtree at the end of `year`; else a 404.

    After a move the old branch still opens the unit's years before the move
    (to read them) and the new branch only the years since.
    """
    scope = unit_scope_for(user)
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None or (scope is not None and not stood_in(scope, unit, year)):
        raise Http404(_("This unit does not exist or is outside your scope."))
    return unit


def _term_for(request, unit: Unit, year: int) -> Term:
    """The term whose committee holds the unit (or, having ended, had it on its last day)
    and whose years hold `year` (or `?term=`)."""
    terms = terms_holding(unit)
    raw = request.GET.get("term", "").strip()
    if raw:
        if whole_number(raw) is None:
            raise Http404(_("“%(value)s” is not a valid number.") % {"value": raw})
        term = terms.filter(pk=whole_number(raw)).first()
    else:
        term = next((term for term in terms if year in term.years), None)
    if term is None or year not in term.years:
        raise Http404(_("No term of this unit has results for this year."))
    return term


def _by_target(results) -> dict[int, Result]:
    return {result.target_id: result for result in results}


def _quotas(*, unit: Unit, term: Term, year: int) -> dict[int, UnitQuota]:
    """The unit's quota of each target for the year, else for the whole term (one query)."""
    quotas: dict[int, UnitQuota] = {}
    for quota in UnitQuota.objects.filter(unit=unit, target__term=term).filter(
        Q(year=year) | Q(year__isnull=True)
    ):
        if quota.target_id not in quotas or quota.year is not None:
            quotas[quota.target_id] = quota
    return quotas


@login_required
def entry_form(request, unit_id: int, year: int):
    unit = _unit_of_year(request.user, unit_id, year)
    term = _term_for(request, unit, year)
    # Only the targets this unit reports (indicators.reporting).
    targets = targets_reported_by(term=term, unit=unit)
    this_year = Result.objects.filter(unit=unit, year=year, target__term=term)
    last_year = _by_target(Result.objects.filter(unit=unit, year=year - 1, target__term=term))
    quotas = _quotas(unit=unit, term=term, year=year)
    locked = not request.user.is_superuser and unit_year_locked(unit=unit, year=year)
    may_enter = request.user.has_perms(ENTER_PERMISSIONS)
    closed = results_closed(user=request.user, unit=unit, year=year) if may_enter else None
    editable = may_enter and not locked and not closed
    errors: list[str] = []
    status = 200

    def lines(data=None):
        return entry_lines(
            targets=targets,
            results=_by_target(this_year.all()),
            last_year=last_year,
            quotas=quotas,
            data=data,
        )

    if request.method == "POST":
        if not editable:
            if locked:
                errors.append(_("This year is approved and locked: nothing was saved."))
            elif closed:
                errors.append(_("%(reason)s Nothing was saved.") % {"reason": closed})
            else:
                errors.append(
                    _("You may read these results but not enter them: nothing was saved.")
                )
            status = 403
            entry = lines()
        else:
            entry = lines(request.POST)
            if all(line.form.is_valid() for line in entry):
                try:
                    report = results_save_year(
                        unit=unit,
                        year=year,
                        rows=[line.form.to_row() for line in entry],
                        user=request.user,
                    )
                except YearLocked:
                    locked, editable = True, False
                    errors.append(_("This year is approved and locked: nothing was saved."))
                    status = 403
                    entry = lines()
                except StaleYear as stale:
                    entry = _stale_lines(request, lines, stale)
                    errors.append(
                        _(
                            "Someone else saved %(targets)s after you opened this page, so "
                            "nothing was saved. Their figures are shown beside yours: check "
                            "them and save again."
                        )
                        % {"targets": ", ".join(f"“{t}”" for t in stale.targets)}
                    )
                    status = 409
                except ResultsInvalid as invalid:
                    by_target = {line.target.pk: line.form for line in entry}
                    for target_pk, error in invalid.errors.items():
                        by_target[target_pk].add_service_errors(error)
                    errors.append(_("Nothing was saved: correct the lines marked below."))
                    status = 400
                else:
                    if report.changed:
                        messages.success(
                            request,
                            _("Saved: %(count)s results changed.") % {"count": report.changed},
                        )
                    else:
                        messages.info(request, _("Nothing to save: no figure was changed."))
                    return redirect(request.get_full_path())
            else:
                errors.append(_("Nothing was saved: correct the lines marked below."))
                status = 400
    else:
        entry = lines()

    unit_year = _unit_year(unit=unit, year=year)
    return render(
        request,
        "indicators/entry_form.html",
        {
            "unit": unit,
            "year": year,
            "term": term,
            "lines": entry,
            "locked": locked,
            "closed": closed,
            "may_enter": may_enter,
            "editable": editable,
            "errors": errors,
            "previous_year": year - 1,
            "double_counted": double_counted_targets(term=term, unit=unit, year=year),
            "years": list(term.years),
            "unit_year": unit_year,
            # Locked by an approval above the unit: its own year is no longer its to send.
            "approved_above": locked and unit_year.state != YearState.APPROVED,
            "may_submit": request.user.has_perms(SUBMIT_PERMISSIONS) and not closed,
            "may_review": request.user.has_perm(REVIEW_PERMISSION),
        },
        status=status,
    )


def _stale_lines(request, lines, stale: StaleYear):
    """The user's input again, on the current versions; stale lines show the other save."""
    current = lines()
    data = request.POST.copy()
    for line in current:
        data[f"{line.form.prefix}-version"] = line.form.fields["version"].initial
    entry = lines(data)
    stale_pks = {target.pk for target in stale.targets}
    for line, fresh in zip(entry, current, strict=True):
        line.form.is_valid()
        if line.target.pk in stale_pks:
            line.stale = True
            line.saved_meanwhile = fresh.form.result
    return entry


@login_required
def entry_pick(request):
    """Choose a unit of one's subtree and a year, then go to its entry form."""
    scope = unit_scope_for(request.user)
    units = list(_units_in_scope(request.user).active().order_by("path"))
    terms = list(terms_visible_to(scope))
    years = sorted({year for term in terms for year in term.years})
    current = max((term.current_year for term in terms), default=None)
    form = EntryPickForm(request.GET or None, units=units, years=years, initial={"year": current})
    if units and form.is_valid():
        return redirect(
            reverse(
                "entry:form",
                args=[form.cleaned_data["unit"], form.cleaned_data["year"]],
            )
        )
    return render(request, "indicators/entry_pick.html", {"form": form, "has_units": bool(units)})


def _unit_year(*, unit: Unit, year: int) -> UnitYear:
    """The year's workflow row, or an unsaved draft when nothing happened to it yet."""
    found = UnitYear.objects.filter(unit=unit, year=year).first()
    return found or UnitYear(unit=unit, year=year, state=YearState.DRAFT)


@login_required
@require_POST
def entry_year_state(request, unit_id: int, year: int):
    """Move the year along its workflow from the entry form: submit, approve, return."""
    unit = _unit_of_year(request.user, unit_id, year)
    term = _term_for(request, unit, year)
    action = request.POST.get("action", "")
    moves = {
        "submit": (SUBMIT_PERMISSIONS, _("Sent for review.")),
        "approve": ([REVIEW_PERMISSION], _("Approved: the year's results are locked.")),
        "return": ([REVIEW_PERMISSION], _("Returned to the unit for correction.")),
    }
    if action not in moves:
        raise Http404(_("Unknown action."))
    permissions, done = moves[action]
    if not request.user.has_perms(permissions):
        raise PermissionDenied
    if action == "submit" and (closed := results_closed(user=request.user, unit=unit, year=year)):
        messages.error(request, closed)
        return redirect(f"{reverse('entry:form', args=[unit.pk, year])}?term={term.pk}")
    try:
        if action == "submit":
            unit_year_submit(unit=unit, year=year, user=request.user)
        elif action == "approve":
            unit_year_approve(unit=unit, year=year, user=request.user)
        else:
            unit_year_return(
                unit=unit, year=year, user=request.user, reason=request.POST.get("reason", "")
            )
    except WorkflowRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, done)
    return redirect(f"{reverse('entry:form', args=[unit.pk, year])}?term={term.pk}")


@login_required
def entry_review_list(request):
    """The years waiting for review in the reviewer's subtree, oldest first."""
    if not request.user.has_perm(REVIEW_PERMISSION):
        raise PermissionDenied
    scope = unit_scope_for(request.user)
    waiting = UnitYear.objects.filter(state=YearState.SUBMITTED).select_related(
        "unit", "updated_by"
    )
    if scope is not None:
        # The years the reviewer may act on: units of their subtree today, for the
        # years they stood in it (a moved unit's earlier years are the old branch's).
        waiting = waiting.filter(unit__path__startswith=scope.path).filter(placed_under(scope))
    waiting = list(waiting.order_by("updated_at", "unit__path")[:REVIEW_LIST_SIZE])
    return render(request, "indicators/review_list.html", {"waiting": waiting})
