"""Authentication backend: the session's user comes with their unit in one query.

Every page reads the user's unit (`unit_scope_for`); loading both together saves
a query per page for whoever is attached to a unit.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UnitModelBackend(ModelBackend):
    def get_user(self, user_id):
        model = get_user_model()
        user = model._default_manager.select_related("unit").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
