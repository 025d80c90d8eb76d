"""Dashboard pages read a real second PostgreSQL cluster when it is configured.

The bench's replica (benchmarks/replica.py) is started here at a tiny size: the
overview then shows what the replica holds, while the entry form, which must
see what was just saved, reads the primary.
"""

import re

import dj_database_url
import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from benchmarks.replica import ReplicaUnavailable, copy_database, replica_cluster
from indicators.models import Result
from indicators.rollup import rollup_refresh_term
from tests.factories import (
    make_result,
    make_target,
    make_term,
    make_tree,
    make_user,
    restore_role_groups,
)
from units import roles

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL replica"),
]


def _database_url() -> str:
    config = connection.settings_dict
    return (
        f"postgres://{config['USER']}:{config['PASSWORD'] or ''}@{config['HOST'] or '127.0.0.1'}"
        f":{config['PORT'] or 5432}/{config['NAME']}"
    )


@pytest.fixture
def attach(monkeypatch, settings):
    """Attach a database as `replica` for this test's thread, as DATABASE_REPLICA_URL would
    at start-up (outside `settings.DATABASES`, which Django's test case guards)."""
    from django.db.utils import load_backend

    attached = []

    def attach(url: str) -> None:
        config = connections.configure_settings(
            {"default": dict(settings.DATABASES["default"]), "replica": dj_database_url.parse(url)}
        )["replica"]
        wrapper = load_backend(config["ENGINE"]).DatabaseWrapper(config, "replica")
        connections._connections.replica = wrapper
        attached.append(wrapper)
        monkeypatch.setattr("config.routers.replica_configured", lambda: True)

    yield attach
    for wrapper in attached:
        wrapper.close()
        del connections._connections.replica


def _admissions(html: str) -> str:
    row = re.search(r'<tr[^>]*data-target="1".*?</tr>', html, re.S)
    assert row, "the overview lists target 1"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row.group(0)))


def test_the_overview_reads_the_replica_and_the_entry_form_the_primary(client, attach):
    restore_role_groups()  # an earlier transactional test may have flushed them
    root, (unit, other) = make_tree(2)
    term = make_term(root)
    target = make_target(term, code="1", name="Kết nạp đảng viên mới")
    stored = make_result(target, unit, 2021, value=1234)
    make_result(target, other, 2021, value=100)
    leader = make_user("lanhdao", unit=root, role=roles.LEADER)
    clerk = make_user("nhaplieu", unit=unit, role=roles.CLERK, is_staff=True)
    try:
        with replica_cluster() as cluster:
            attach(copy_database(_database_url(), cluster, "replica_test"))
            # A correction reaches the primary; the replica still holds the copy.
            Result.objects.filter(pk=stored.pk).update(value=2000)
            rollup_refresh_term(term)

            client.force_login(leader)
            with CaptureQueriesContext(connections["replica"]) as on_replica:
                overview = client.get(f"/?term={term.pk}&as_of=2021")
            assert overview.status_code == 200
            assert len(on_replica) >= 3  # the tree, the targets and the roll-up
            assert "1.334" in _admissions(overview.text)  # the replica's 1.234 + 100
            assert "2.100" not in _admissions(overview.text)

            client.force_login(clerk)
            with CaptureQueriesContext(connections["replica"]) as on_replica:
                form = client.get(f"/entry/{unit.pk}/2021/")
            assert form.status_code == 200
            assert len(on_replica) == 0
            assert "2.000" in form.text or 'value="2000"' in form.text
    except ReplicaUnavailable as error:
        pytest.skip(f"no second cluster on this machine: {error}")
