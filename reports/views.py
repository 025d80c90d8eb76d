"""The dashboard: renders what the progress engine returns, and nothing more."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from indicators.engine import InvalidAsOf, as_of_mid_term, as_of_points, parse_as_of, term_progress
from indicators.selectors import terms_visible_to
from units.models import STEP, Unit
from units.selectors import unit_scope_for


def _int_param(request, name: str) -> int | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404(_("“%(value)s” is not a valid number.") % {"value": raw})
    return int(raw)


@login_required
def dashboard(request, pk: int | None = None):
    allowed = unit_scope_for(request.user)
    terms = terms_visible_to(allowed)
    term_id = _int_param(request, "term")
    term = (terms.filter(pk=term_id) if term_id else terms).first()
    if term is None:
        if term_id:
            raise Http404(_("This term does not exist or is not yours to see."))
        return render(request, "reports/empty.html", {"allowed": allowed})

    unit_id = pk or _int_param(request, "unit")
    default_scope = allowed if allowed is not None and allowed.is_in(term.root_unit) else None
    scope = default_scope or term.root_unit
    if unit_id:
        scope = Unit.objects.filter(pk=unit_id, path__startswith=(allowed or term.root_unit).path)
        scope = scope.filter(path__startswith=term.root_unit.path).first()
        if scope is None:
            raise Http404(_("This unit does not exist or is outside your scope."))

    error = None
    try:
        as_of = parse_as_of(term, request.GET.get("as_of"))
    except InvalidAsOf:
        error = _("The as-of point must be a year from %(first)s to %(last)s, or the mid-term.") % {
            "first": term.years[0],
            "last": term.years[-1],
        }
        as_of = as_of_mid_term(term)

    progress = term_progress(term=term, as_of=as_of, scope=scope)
    ancestors = Unit.objects.filter(
        path__in=[scope.path[:end] for end in range(STEP, len(scope.path), STEP)],
        path__startswith=(allowed or term.root_unit).path,
    )
    return render(
        request,
        "reports/dashboard.html",
        {
            "progress": progress,
            "terms": terms,
            "as_of_points": as_of_points(term),
            "ancestors": ancestors,
            "error": error,
        },
    )
