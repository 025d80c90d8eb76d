"""The dashboard pages: they render what the progress engine returns, and nothing more.

Every page reads the same GET parameters (`term`, `unit`, `as_of`), so every
view has a shareable URL, and is confined to the logged-in user's subtree
(`unit_scope_for`). A wrong or stale parameter is a message or a 404.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_tables2 import RequestConfig

from config.routers import replica_reads
from indicators.engine import (
    as_of_points,
    target_breakdown_progress,
    term_progress,
)
from indicators.models import Target
from indicators.reporting import double_counts
from indicators.selectors import missing_results, units_missing_results
from reports.filters import UnitBreakdownFilter
from reports.selection import Selection, select
from reports.tables import UnitBreakdownTable, breakdown_rows
from units.models import STEP, Unit
from units.selectors import term_tree_children, term_tree_path_of, term_tree_units, unit_scope_for
from units.text import whole_number
from units.timeline import unit_timeline

UNITS_PER_PAGE = 25
MAX_PER_PAGE = 500
# The unit table's own parameters, dropped when moving to another unit.
FILTERS = ("sector", "kind", "status", "not_reported", "sort", "page")


def _scope_choices(selection: Selection) -> list[Unit]:
    """Units offered by the scope control: the top and the units directly below it,
    the scope's ancestors and the units directly below the scope (one query)."""
    top, scope = selection.top, selection.scope
    ancestors = [scope.path[:end] for end in range(len(top.path), len(scope.path) + 1, STEP)]
    committee = selection.term.root_unit
    # An ended committee's term offers the units of its last day, wherever they are now.
    offered = (
        Unit.objects.filter(path__startswith=top.path)
        if committee.ended_on is None
        else term_tree_units(top, committee)
    )
    # In the order of the term's tree, each unit under its parent (the organisations
    # an ended committee had are under it there, wherever they are now).
    units = list(
        offered.filter(
            Q(depth__lte=top.depth + 1) | Q(path__in=ancestors) | Q(parent=scope) | Q(pk=top.pk)
        )
        .annotate(tree_path=term_tree_path_of(top, committee))
        .order_by("tree_path")
        .only("pk", "name", "path", "depth")
    )
    for unit in units:
        unit.indent = "\u00a0\u00a0" * ((len(unit.tree_path) - len(top.path)) // STEP)
    return units


def _way_up(selection: Selection, scope_choices: list[Unit]) -> list[Unit]:
    """The scope's ancestors from the units offered, by their paths in the term's tree
    (no query): an ended committee's organisations sit under it there, not under its
    successor. A scope that stood elsewhere in the as-of year (a unit moved since)
    goes up that year's tree (`Selection.ancestors`)."""
    if selection.path_then:
        return selection.ancestors
    scope = selection.scope
    path = next((u.tree_path for u in scope_choices if u.pk == scope.pk), scope.path)
    return [u for u in scope_choices if path.startswith(u.tree_path)][:-1]


def _base_context(selection: Selection) -> dict:
    return {
        "selection": selection,
        "term": selection.term,
        "terms": selection.terms,
        "scope": selection.scope,
        "as_of": selection.as_of,
        "as_of_points": as_of_points(selection.term),
        "errors": selection.errors,
    }


def _empty(request):
    return render(request, "reports/empty.html", {"allowed": unit_scope_for(request.user)})


@login_required
@replica_reads
def dashboard(request):
    """The overview: headline, programmes and one card per target."""
    selection = select(request)
    if selection is None:
        return _empty(request)
    progress = term_progress(term=selection.term, as_of=selection.as_of, scope=selection.scope)
    scope_choices = _scope_choices(selection)
    context = _base_context(selection) | {
        "progress": progress,
        "scope_choices": scope_choices,
        "ancestors": _way_up(selection, scope_choices),
    }
    return render(request, "reports/dashboard.html", context)


@login_required
@replica_reads
def target_detail(request, pk: int):
    """One target: its definition, its years, and every unit directly below the scope."""
    target = (
        Target.objects.select_related("term__root_unit", "programme")
        .prefetch_related("year_values")
        .filter(pk=pk)
        .first()
    )
    if target is None:
        raise Http404(_("This target does not exist."))
    selection = select(request, term=target.term)
    detail = target_breakdown_progress(
        term=selection.term, target=target, as_of=selection.as_of, scope=selection.scope
    )
    # Every filter works on the engine's rows (no query), before sorting and paging.
    filters = UnitBreakdownFilter(request.GET, queryset=Unit.objects.none())
    rows = []
    if filters.is_valid():
        chosen = filters.form.cleaned_data
        rows = breakdown_rows(
            detail.units,
            sector=chosen.get("sector") or None,
            kind=chosen.get("kind") or None,
            status=chosen.get("status") or None,
            not_reported=bool(chosen.get("not_reported")),
            drill_url=lambda unit: _with_params(request.GET, *FILTERS, unit=unit.pk),
        )
    else:
        selection.errors.append(_("Some filters were not understood; they are shown below."))
    table = UnitBreakdownTable(rows, target=target, as_of=selection.as_of)
    per_page = request.GET.get("per_page")
    if per_page is not None and not 1 <= (whole_number(per_page) or 0) <= MAX_PER_PAGE:
        raise BadRequest(
            _("The number of rows per page must be from 1 to %(max)s.") % {"max": MAX_PER_PAGE}
        )
    RequestConfig(request, paginate={"per_page": UNITS_PER_PAGE}).configure(table)
    context = _base_context(selection) | {
        "target": target,
        "progress": detail.progress,
        "table": table,
        "filter": filters,
        "units_below": len(detail.units),
        "breakdown": detail.units,
        "keep_params": _kept(request, "term", "unit", "as_of", "sort"),
        "keep_filters": _kept(request, "sector", "kind", "status", "not_reported", "sort"),
        "ancestors": selection.ancestors,
    }
    return render(request, "reports/target_detail.html", context)


@login_required
@replica_reads
def unit_scorecard(request, pk: int):
    """Every target for one unit and its subtree, with links up and down the tree, and
    the unit's timeline (founded, moved, ended) when there is one."""
    selection = select(request, unit_pk=pk)
    if selection is None:
        raise Http404(_("There is no term to show yet."))
    progress = term_progress(term=selection.term, as_of=selection.as_of, scope=selection.scope)
    # The committee's own page lists the units of its term's tree: after it ended, those
    # it had on its last day (now under its successor).
    below = (
        term_tree_children(selection.scope)
        if selection.scope.pk == selection.term.root_unit_id
        else Unit.objects.filter(parent=selection.scope)
    )
    children = list(below.order_by("order", "name"))
    context = _base_context(selection) | {
        "progress": progress,
        "children": children,
        "ancestors": selection.ancestors,
        "timeline": unit_timeline(selection.scope),
    }
    return render(request, "reports/unit_scorecard.html", context)


# Possible double counts listed on the missing-reports page, at most.
DOUBLE_COUNTS_SHOWN = 50


@login_required
@replica_reads
def completeness(request):
    """Which units have not yet entered which targets for a year."""
    selection = select(request)
    if selection is None:
        return _empty(request)
    term = selection.term
    year = term.current_year
    raw = request.GET.get("year", "").strip()
    if raw:
        if whole_number(raw) in term.years:
            year = whole_number(raw)
        else:
            selection.errors.append(
                _("The year must be within the term, from %(first)s to %(last)s.")
                % {"first": term.years[0], "last": term.years[-1]}
            )
    targets = list(term.targets.order_by("order", "pk"))
    units = units_missing_results(term=term, scope=selection.scope, year=year, targets=targets)
    page = Paginator(units, UNITS_PER_PAGE).get_page(request.GET.get("page"))
    missing = missing_results(term=term, units=list(page), year=year, targets=targets)
    context = _base_context(selection) | {
        "year": year,
        "years": list(term.years),
        "page": page,
        "rows": [(unit, missing[unit.pk]) for unit in page],
        "has_targets": bool(targets),
        "double_counts": list(
            double_counts(term=term, scope=selection.scope, year=year)[:DOUBLE_COUNTS_SHOWN]
        ),
        "scope_choices": _scope_choices(selection),
        "ancestors": selection.ancestors,
    }
    return render(request, "reports/completeness.html", context)


def _kept(request, *names: str) -> list[tuple[str, str]]:
    """GET parameters to carry over as hidden fields of another form."""
    return [(name, request.GET[name]) for name in names if request.GET.get(name)]


def _with_params(params: QueryDict, *dropped: str, **changes) -> str:
    """`?...` without the `dropped` parameters and with some changed."""
    query = params.copy()
    for name in dropped:
        query.pop(name, None)
    for name, value in changes.items():
        query.pop(name, None)
        if value is not None:
            query[name] = str(value)
    return "?" + query.urlencode() if query else "?"
