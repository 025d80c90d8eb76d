"""Authentication backends: django-axes in front of every login."""

from axes.backends import AxesStandaloneBackend
from django.conf import settings


class LockoutBackend(AxesStandaloneBackend):
    """Refuses logins of a locked-out username or IP address.

    Django's test client logs in without a request (`Client.login`), which axes
    cannot tie to an address; only under the tests is such a call let through
    to the next backend. Every web login (the app's and the admin's) passes its
    request and is checked.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None and settings.TESTING:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
