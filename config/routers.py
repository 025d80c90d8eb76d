"""Dashboard reads on a read replica, when one is configured (`DATABASE_REPLICA_URL`).

Views that only show figures run inside `dashboard_reads()` (the `replica_reads`
decorator): there, reads of the tree, targets, results and roll-up go to the
`replica` database. Everything else stays on `default`: every write, sessions
and logins (a user is always read where their session was written), and every
read outside a dashboard view, such as the entry form that must see what was
just saved. A replica lags its primary by a moment: a page may show a figure
saved a second ago a second later.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.conf import settings

REPLICA = "replica"
# Apps whose tables the dashboard reads; the user model lives in `units` but is
# read where the session lives.
DASHBOARD_APPS = frozenset({"units", "indicators"})

_dashboard = ContextVar("dashboard_reads", default=False)


@contextmanager
def dashboard_reads() -> Iterator[None]:
    token = _dashboard.set(True)
    try:
        yield
    finally:
        _dashboard.reset(token)


def replica_reads(view):
    """Run a read-only dashboard view with its reads on the replica."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in {"GET", "HEAD"}:
            return view(request, *args, **kwargs)
        with dashboard_reads():
            return view(request, *args, **kwargs)

    wrapped.replica_reads = True
    return wrapped


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if (
            _dashboard.get()
            and replica_configured()
            and model._meta.app_label in DASHBOARD_APPS
            and model._meta.label != settings.AUTH_USER_MODEL
        ):
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
