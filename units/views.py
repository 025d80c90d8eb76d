"""The site's error page for uncaught exceptions (handler500).

While the database is down or restarting, every request fails with a
connection error: that is a 503 page saying to try again shortly, not the 500
page, which says something is broken.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.views import defaults

RETRY_AFTER_SECONDS = 30


def database_unavailable(error: BaseException | None) -> bool:
    """A connection the database refused, dropped or closed (not a failed statement)."""
    return isinstance(error, OperationalError | InterfaceError)


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls handler500 while handling the exception, so it is still at hand.
    if database_unavailable(sys.exc_info()[1]):
        # Rendered without the request: its context processors may need the database.
        content = loader.get_template("503.html").render()
        response = HttpResponse(content, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return defaults.server_error(request)
