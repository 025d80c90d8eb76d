"""Named read entry points of the indicators app."""

from __future__ import annotations

from django.db.models import QuerySet

from indicators.models import Term
from units.models import Unit


def terms_visible_to(scope: Unit | None) -> QuerySet[Term]:
    """Terms whose committee holds the user's scope (every term for whoever sees all)."""
    terms = Term.objects.select_related("root_unit")
    if scope is None:
        return terms
    # The term's committee is the scope itself or one of its ancestors.
    prefixes = [scope.path[:end] for end in range(6, len(scope.path) + 1, 6)]
    return terms.filter(root_unit__path__in=prefixes)
