"""Sessions end after SESSION_COOKIE_AGE seconds without a request (the idle timeout).

Django's SESSION_SAVE_EVERY_REQUEST would write the session on every page (an
UPDATE in its own transaction); pushing the expiry forward at most once a
minute keeps the timeout, to the minute, without that write on every page.
"""

import time

from django.http import HttpRequest, HttpResponse

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
