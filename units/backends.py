"""Authentication backend: the session's user comes with their unit and their
permissions in one query.

Every page reads the user's unit (`unit_scope_for`) and the menu shows links by
permission; Django's own backend would spend three queries on that (the user,
their own permissions, their groups' permissions) on every page.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import F, Func, OuterRef, Q, Subquery, TextField, Value
from django.db.models.functions import Concat

SEPARATOR = " "


class _JoinedCodes(Func):
    """All the rows' codes as one string (an aggregate written as a plain function,
    so that the subquery is not grouped)."""

    function = "STRING_AGG"
    template = f"%(function)s(%(expressions)s, '{SEPARATOR}')"
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


def _permission_codes():
    """The codes `app_label.codename` of the outer user's own and groups' permissions."""
    return Subquery(
        Permission.objects.filter(Q(user=OuterRef("pk")) | Q(group__user=OuterRef("pk")))
        .order_by()
        .annotate(
            codes=_JoinedCodes(
                Concat(F("content_type__app_label"), Value("."), F("codename")),
                output_field=TextField(),
            )
        )
        .values("codes")[:1]
    )


class UnitModelBackend(ModelBackend):
    def get_user(self, user_id):
        model = get_user_model()
        user = (
            model._default_manager.select_related("unit")
            .annotate(permission_codes=_permission_codes())
            .filter(pk=user_id)
            .first()
        )
        if user is None or not self.user_can_authenticate(user):
            return None
        if user.is_active and not user.is_superuser:
            # What ModelBackend.get_all_permissions would compute, read in the same query.
            user._perm_cache = set(filter(None, (user.permission_codes or "").split(SEPARATOR)))
        return user
