"""gunicorn's settings for `make serve` (read with `-c config/gunicorn.conf.py`).

gunicorn names itself in a `Server:` header on every response; the header only
tells an attacker what to look up, so responses go without it.
"""

from gunicorn.http import wsgi


class ResponseWithoutServer(wsgi.Response):
    def default_headers(self) -> list[str]:
        return [line for line in super().default_headers() if not line.startswith("Server:")]


# gunicorn builds each response through the module's `Response`.
wsgi.Response = ResponseWithoutServer
