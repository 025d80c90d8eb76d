from __future__ import annotations

from django.db.models import Q

from units import roles
from units.models import Unit, User

# Matches no unit: the scope of a user who may see none.
NO_UNIT = Unit(name="—", path="!")


def unit_scope_for(user: User) -> Unit | None:
    """The subtree a user is confined to; None for whoever may see every unit.

    Superusers, and administrators and leaders attached to no unit, see the
    whole tree; a user attached to a unit sees that unit's subtree; anyone else
    sees nothing.
    """
    if not user.is_authenticated or not user.is_active:
        return NO_UNIT
    if user.is_superuser:
        return None
    if user.unit_id is not None:
        return user.unit
    if user.groups.filter(name__in=[roles.ADMINISTRATOR, roles.LEADER]).exists():
        return None
    return NO_UNIT


def in_scope(scope: Unit, lookup: str) -> Q:
    """Rows whose unit at `lookup` (e.g. "unit__path") lies in the scope's subtree."""
    return Q(**{f"{lookup}__startswith": scope.path})


def around_scope(scope: Unit, lookup: str) -> Q:
    """Rows whose unit at `lookup` lies in the scope's subtree or above it.

    Terms and their targets belong to a committee: a user below it reads them,
    since their own results are entered against them.
    """
    ancestors = scope.lineage
    return Q(**{f"{lookup}__in": ancestors}) | in_scope(scope, lookup)
