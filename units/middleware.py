"""The app's middleware: the idle timeout, bad input refused with a 400, security headers.

Sessions end after SESSION_COOKIE_AGE seconds without a request (the idle timeout).

Django's SESSION_SAVE_EVERY_REQUEST would write the session on every page (an
UPDATE in its own transaction); pushing the expiry forward at most once a
minute keeps the timeout, to the minute, without that write on every page.
"""

import logging
import re
import time

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import DataError
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.views.defaults import bad_request

logger = logging.getLogger(__name__)

REFRESH_SECONDS = 60
SEEN_AT = "_seen_at"


class IdleTimeoutMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            if now - request.session.get(SEEN_AT, 0) >= REFRESH_SECONDS:
                # A changed session is saved with a fresh expiry.
                request.session[SEEN_AT] = now
        return self.get_response(request)


# Messages of the exceptions that malformed input raises deep inside Django or a
# database driver, rather than in a form: an id that is not a number, a number
# too long for int(), a NUL byte PostgreSQL cannot store.
BAD_INPUT_MESSAGES = re.compile(
    r"expected a number but got|invalid literal for int|Exceeds the limit \(\d+ digits\)"
    r"|cannot contain NUL|NUL \(0x00\)",
)


def is_bad_input(error: BaseException) -> bool:
    if isinstance(error, OverflowError | DataError):
        # An id beyond a 64-bit integer (SQLite), a value out of range (PostgreSQL).
        return True
    return isinstance(error, ValueError) and bool(BAD_INPUT_MESSAGES.search(str(error)))


TO_FIELD = "_to_field"


class BadInputMiddleware:
    """Malformed input that slipped past the forms is a 400 page, not a 500.

    Views and forms check what they read; this is the net under them for a
    parameter Django itself converts (an admin action's ids, a filter, an
    autocomplete term): the request is refused, nothing is written (the
    failing statement ends its transaction) and the log says what happened.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not (is_bad_input(exception) or self.names_no_field(request, exception)):
            return None
        logger.warning("Bad input refused on %s: %s", request.path, exception)
        return bad_request(request, exception)

    @staticmethod
    def names_no_field(request: HttpRequest, exception: Exception) -> bool:
        # The admin refuses a `_to_field` naming a field it does not allow, but
        # an empty one slips through to a lookup of the field "".
        return isinstance(exception, FieldDoesNotExist) and (
            TO_FIELD in request.GET or TO_FIELD in request.POST
        )


class SecurityHeadersMiddleware:
    """A Content-Security-Policy on every response; nothing a logged-in user sees is cached.

    Pages and exports carry a unit's figures: `Cache-Control: private, no-store`
    keeps them out of shared caches and off the disk of a shared computer.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
