"""A read replica on this machine: a second PostgreSQL cluster started for the bench.

A streaming standby of the machine's PostgreSQL would need a replication line in
its `pg_hba.conf`, which the bench does not change. So it starts a cluster of its
own (initdb in a temporary folder, run as the `postgres` system user when the
bench runs as root, on a free port) and copies the bench database into it with
`pg_dump`: the replica then holds the rows a standby would, and the dashboard's
reads are measured there through `config/routers.py`, as `DATABASE_REPLICA_URL`
sends them in production.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import dj_database_url

# The replica cluster's superuser (trust authentication on 127.0.0.1 only).
SUPERUSER = "postgres"
# PostgreSQL refuses to run as root; as root its programs run as this system user.
SYSTEM_USER = "postgres"


class ReplicaUnavailable(RuntimeError):
    """This machine cannot start a second cluster (no initdb, or it failed)."""


def _bindir() -> Path:
    try:
        found = subprocess.run(
            ["pg_config", "--bindir"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError) as error:
        raise ReplicaUnavailable("pg_config is missing") from error
    if not (Path(found) / "initdb").exists():
        raise ReplicaUnavailable(f"no initdb in {found}")
    return Path(found)


def _as_cluster_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    if shutil.which("runuser") is None:
        raise ReplicaUnavailable("running as root without runuser")
    return ["runuser", "-u", SYSTEM_USER, "--", *command]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Cluster:
    folder: Path
    port: int
    bindir: Path

    def url(self, database: str) -> str:
        return f"postgres://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def run(self, program: str, *arguments: str) -> None:
        command = _as_cluster_user([str(self.bindir / program), *arguments])
        try:
            subprocess.run(command, check=True, capture_output=True, text=True)
        except subprocess.CalledProcessError as error:
            raise ReplicaUnavailable(f"{program}: {error.stderr.strip()}") from error


@contextmanager
def replica_cluster() -> Iterator[Cluster]:
    """A fresh cluster on a free port of 127.0.0.1, stopped and removed on exit."""
    folder = Path(tempfile.mkdtemp(prefix="nqtracker-replica-"))
    if os.geteuid() == 0:
        shutil.chown(folder, user=SYSTEM_USER)
    cluster = Cluster(folder=folder, port=_free_port(), bindir=_bindir())
    data = str(folder / "data")
    try:
        cluster.run("initdb", "-D", data, "-U", SUPERUSER, "--auth=trust", "-E", "UTF8")
        options = f"-p {cluster.port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        cluster.run("pg_ctl", "-D", data, "-o", options, "-l", str(folder / "log"), "-w", "start")
        yield cluster
    finally:
        with suppress(ReplicaUnavailable):  # never started
            cluster.run("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def copy_database(primary_url: str, cluster: Cluster, name: str) -> str:
    """Copy the primary's database into a new database `name` of the cluster: its URL."""
    primary = dj_database_url.parse(primary_url)
    cluster.run("createdb", "-h", "127.0.0.1", "-p", str(cluster.port), "-U", SUPERUSER, name)
    source = [
        "pg_dump", "--no-owner", "--no-privileges", "-h", primary["HOST"] or "127.0.0.1",
        "-p", str(primary["PORT"] or 5432), "-U", primary["USER"], primary["NAME"],
    ]  # fmt: skip
    target = ["psql", "-q", "-v", "ON_ERROR_STOP=1", cluster.url(name)]
    environment = {**os.environ, "PGPASSWORD": primary["PASSWORD"] or ""}
    with subprocess.Popen(source, stdout=subprocess.PIPE, env=environment) as dump:
        loaded = subprocess.run(target, stdin=dump.stdout, capture_output=True, text=True)
    if dump.returncode or loaded.returncode:
        raise ReplicaUnavailable(f"copy failed: {loaded.stderr.strip()[:500]}")
    return cluster.url(name)


@contextmanager
def reads_on_primary() -> Iterator[None]:
    """Dashboard reads as without a replica, to compare (the router sends none there)."""
    from config import routers

    configured = routers.replica_configured
    routers.replica_configured = lambda: False
    try:
        yield
    finally:
        routers.replica_configured = configured


@dataclass
class ReplicaPage:
    name: str
    primary_ms: float
    replica_ms: float
    queries: int
    on_replica: int

    def __str__(self) -> str:
        return (
            f"replica {self.name:<12} primary {self.primary_ms:>9,.1f} ms  replica "
            f"{self.replica_ms:>9,.1f} ms  {self.on_replica}/{self.queries} queries on the replica"
        )


def measure_replica(*, primary_url: str, cluster: Cluster, database: str, repeat: int) -> list:
    """Copy the bench database to the replica, then time the overview and a target page
    with their reads on the primary and on the replica, and count where queries went."""
    import time

    from django.contrib.auth import get_user_model
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from benchmarks.run import _get, median_ms
    from indicators.models import Target, Term

    started = time.perf_counter()
    copy_database(primary_url, cluster, database)
    copied = time.perf_counter() - started
    term = Term.objects.order_by("-pk").first()
    target = Target.objects.filter(term=term).order_by("order").first()
    client = Client()
    client.force_login(get_user_model().objects.get(username="bench"))
    lines: list = [f"replica: a second cluster on port {cluster.port}, copied in {copied:.1f} s"]
    for name, url in (
        ("overview", f"/?term={term.pk}&as_of=mid"),
        ("target_page", f"/targets/{target.pk}/?term={term.pk}&as_of=mid"),
    ):
        fetch = _get(client, url)
        with reads_on_primary():
            primary_ms = median_ms(fetch, repeat)
        replica_ms = median_ms(fetch, repeat)
        with (
            CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary,
            CaptureQueriesContext(connections["replica"]) as on_replica,
        ):
            fetch()
        lines.append(
            ReplicaPage(
                name=name,
                primary_ms=primary_ms,
                replica_ms=replica_ms,
                queries=len(on_primary) + len(on_replica),
                on_replica=len(on_replica),
            )
        )
    return lines
