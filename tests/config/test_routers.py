"""Dashboard reads go to the replica when one is configured; nothing else does."""

import pytest
from django.contrib.sessions.models import Session
from django.test import RequestFactory

from config.routers import ReplicaRouter, dashboard_reads, replica_reads
from indicators.models import Result, ResultRollup, Target
from reports import export_views, views
from units.models import Unit, User

router = ReplicaRouter()


@pytest.fixture
def with_replica(monkeypatch):
    monkeypatch.setattr("config.routers.replica_configured", lambda: True)


@pytest.mark.parametrize("model", [Result, ResultRollup, Target, Unit])
def test_dashboard_reads_of_figures_go_to_the_replica(with_replica, model):
    """Inside a dashboard view the tree, targets, results and roll-up are read on the replica."""
    with dashboard_reads():
        assert router.db_for_read(model) == "replica"
    assert router.db_for_read(model) is None  # outside: the default database


@pytest.mark.parametrize("model", [User, Session])
def test_logins_and_sessions_stay_on_the_primary(with_replica, model):
    """A user is read where their session was written, even on a dashboard page."""
    with dashboard_reads():
        assert router.db_for_read(model) is None


def test_without_a_replica_everything_reads_the_default_database(settings):
    """With no DATABASE_REPLICA_URL the router changes nothing."""
    assert "replica" not in settings.DATABASES
    with dashboard_reads():
        assert router.db_for_read(Result) is None


def test_writes_and_migrations_only_touch_the_primary(with_replica):
    """Every write goes to the primary, even inside a dashboard view; only it is migrated."""
    with dashboard_reads():
        assert router.db_for_write(Result) == "default"
    assert router.allow_migrate("default", "indicators")
    assert not router.allow_migrate("replica", "indicators")


def test_only_get_requests_of_dashboard_views_read_the_replica(with_replica):
    """A GET of a dashboard view reads the replica; a POST to it does not."""
    seen = []

    @replica_reads
    def view(request):
        seen.append(router.db_for_read(Result))
        return None

    factory = RequestFactory()
    view(factory.get("/"))
    view(factory.post("/"))
    assert seen == ["replica", None]


@pytest.mark.parametrize(
    "view",
    [
        views.dashboard,
        views.target_detail,
        views.unit_scorecard,
        views.completeness,
        export_views.summary,
        export_views.target,
        export_views.results,
        export_views.print_summary,
    ],
)
def test_every_dashboard_page_and_export_reads_the_replica(view):
    """Each read-only page and export is marked for the replica."""
    assert getattr(view, "replica_reads", False)
