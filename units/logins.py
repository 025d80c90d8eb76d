"""How django-axes counts failed logins here.

Axes locks a username after AXES_FAILURE_LIMIT failures and, separately, an
address. On a successful login its database handler deletes every attempt
matching *either* parameter, so one good login from an address wiped the
failures recorded there against other accounts: an attacker holding one
account could guess another's password forever. Here a success clears only the
failures of the account that logged in.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.http import HttpRequest


class OwnFailuresHandler(AxesDatabaseHandler):
    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _deleted = AccessAttempt.objects.filter(username=username).delete()
        return count
