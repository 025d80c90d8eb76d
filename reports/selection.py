"""What a request's GET parameters pick: term, unit and as-of point, within the user's scope.

Every page and every export reads `term`, `unit` and `as_of` through `select`,
so they agree on what a user may see and on what a wrong parameter means.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import Http404
from django.utils.translation import gettext as _

from indicators.engine import AsOf, InvalidAsOf, as_of_mid_term, parse_as_of
from indicators.models import Term
from indicators.selectors import terms_visible_to
from units.models import Unit, path_ids
from units.selectors import in_term_tree, read_from, term_tree_path, unit_scope_for
from units.text import whole_number


@dataclass
class Selection:
    """What the GET parameters picked, checked against what the user may see."""

    term: Term
    terms: list[Term]
    top: Unit  # the highest unit the user may see in this term
    scope: Unit
    as_of: AsOf
    errors: list[str] = field(default_factory=list)
    as_of_given: bool = False  # whether the request named an as-of point
    # The scope's path in the as-of year, when it stood elsewhere then (a moved unit).
    path_then: str = ""

    @property
    def ancestors(self) -> list[Unit]:
        """The scope's ancestors the user may see, top first (one query; two for a unit
        that has left the term's committee since it ended)."""
        # The chain of the as-of year when the scope stood elsewhere then (a unit moved
        # since), else of the term's tree. Each path step is a unit's id: from the top's
        # step to the scope's parent's.
        ids = path_ids(self.path_then or term_tree_path(self.scope, self.term.root_unit))
        first = ids.index(self.top.pk) if self.top.pk in ids else len(ids) - 1
        ids = ids[first:-1]
        units = Unit.objects.in_bulk(ids)
        return [units[pk] for pk in ids if pk in units]


def int_param(request, name: str) -> int | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    number = whole_number(raw)
    if number is None:
        raise Http404(_("“%(value)s” is not a valid number.") % {"value": raw})
    return number


def select(request, *, unit_pk: int | None = None, term: Term | None = None) -> Selection | None:
    """Read `term`, `unit` and `as_of`; None when there is no term to show yet."""
    allowed = unit_scope_for(request.user)
    terms = list(terms_visible_to(allowed))
    if term is None:
        term_id = int_param(request, "term")
        term = next((t for t in terms if t.pk == term_id), None) if term_id else None
        if term_id and term is None:
            raise Http404(_("This term does not exist or is not yours to see."))
        term = term or (terms[0] if terms else None)
        if term is None:
            return None
    elif term not in terms:
        raise Http404(_("This term does not exist or is not yours to see."))

    committee = term.root_unit
    # The user's own unit, when it lies in the term's tree (also one the committee had
    # on its last day, if it has ended), else the committee (a successor's users).
    top = (
        allowed
        if allowed is not None and in_term_tree(allowed, committee, committee)
        else committee
    )
    errors = []
    try:
        as_of = parse_as_of(term, request.GET.get("as_of"))
    except InvalidAsOf:
        errors.append(
            _("The as-of point must be a year from %(first)s to %(last)s, or the mid-term.")
            % {"first": term.years[0], "last": term.years[-1]}
        )
        as_of = as_of_mid_term(term)

    scope, path_then = top, ""
    unit_id = unit_pk or int_param(request, "unit")
    if unit_id and unit_id != top.pk:
        scope = Unit.objects.filter(pk=unit_id).first()
        if scope is not None:
            path_then = read_from(top, scope, as_of.year, committee, own=top is allowed)
        if scope is None or path_then is None:
            raise Http404(_("This unit does not exist or is outside your scope."))
    return Selection(
        term=term,
        terms=terms,
        top=top,
        scope=scope,
        as_of=as_of,
        errors=errors,
        as_of_given=bool(request.GET.get("as_of", "").strip()),
        path_then=path_then,
    )
