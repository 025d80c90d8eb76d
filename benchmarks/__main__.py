"""`python -m benchmarks [S L Lr XL Sr] [--repeat N] [--http-seconds S] [--no-replica]`: the
figures on PostgreSQL.

Uses DATABASE_URL, or a database `nqtracker_bench` on the local PostgreSQL
(created if missing). It empties that database's data between sizes, and
measures each size in a Python process of its own: in one process the size
measured second ran up to a third slower than the same size measured first,
whichever it was, which made L and Lr trade places with the order. After the
last size it serves that size's data with gunicorn (`--port`, 3 workers) and
drives four pages with 1 and 20 logged-in clients (`--clients`) for
`--http-seconds` each (0 skips it). Unless `--no-replica`, it starts a second
local cluster first (benchmarks/replica.py), copies the last size into it and
times the overview and a target page with their reads there and on the primary.
"""

import argparse
import contextlib
import os
import pickle
import subprocess
import sys
import tempfile

DEFAULT_URL = "postgres://root@127.0.0.1:5432/nqtracker_bench"
REPLICA_DATABASE = "nqtracker_bench"


def ensure_database(url: str) -> None:
    import dj_database_url
    import psycopg2

    config = dj_database_url.parse(url)
    connection = psycopg2.connect(
        dbname="postgres",
        user=config["USER"],
        password=config["PASSWORD"],
        host=config["HOST"],
        port=config["PORT"] or 5432,
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{config["NAME"]}"')
    connection.close()


def empty_data() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE indicators_result, indicators_resultrollup, indicators_unitquota, "
            "indicators_target, indicators_term, units_unit RESTART IDENTITY CASCADE"
        )


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument(
        "sizes",
        nargs="*",
        help="S, L, XL and the reorganising Sr, Lr (default: S, Lr and L)",
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--http-seconds", type=float, default=30)
    parser.add_argument("--clients", default="1,20", help="client counts, comma-separated")
    parser.add_argument("--port", type=int, default=8116, help="gunicorn's port")
    parser.add_argument(
        "--no-replica", action="store_true", help="skip the read replica (a second cluster)"
    )
    # Internal: measure the one size given and write its report to this file.
    parser.add_argument("--report-to", help=argparse.SUPPRESS)
    args = parser.parse_args()
    # Lr before L: the ratio line, the HTTP load and the replica stay those of L.
    sizes = args.sizes or ["S", "Lr", "L"]
    if set(sizes) - {"S", "L", "XL", "Sr", "Lr"}:
        parser.error("sizes are S, L, XL, Sr and Lr")

    url = os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        print("The benchmarks compare against PostgreSQL's COPY: set a postgres DATABASE_URL.")
        return 2
    # Development settings keep static files simple; queries are not logged (DEBUG off below).
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    ensure_database(url)
    # The read replica: a second local cluster, started before Django reads its settings.
    from benchmarks.replica import ReplicaUnavailable, replica_cluster

    stack = contextlib.ExitStack()
    cluster = None
    if not args.no_replica and not args.report_to:
        try:
            cluster = stack.enter_context(replica_cluster())
            os.environ["DATABASE_REPLICA_URL"] = cluster.url(REPLICA_DATABASE)
        except ReplicaUnavailable as error:
            print(f"no replica: {error}", file=sys.stderr)
    with stack:
        return _measure(args, sizes, url, cluster)


def _measure(args, sizes: list[str], url: str, cluster) -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)

    from benchmarks.replica import reads_on_primary
    from benchmarks.run import SIZES, format_reports, measure_size

    if args.report_to:
        # A size measured for the process that started this one (below).
        with reads_on_primary():
            empty_data()
            report = measure_size(SIZES[sizes[0]], repeat=args.repeat)
        with open(args.report_to, "wb") as file:
            pickle.dump(report, file)
        return 0
    reports = []
    # The sizes are measured on the primary; the replica holds nothing until the
    # last size is copied into it below.
    for name in sizes:
        print(f"size {name}: generating and measuring…", file=sys.stderr, flush=True)
        reports.append(_measure_apart(name, args.repeat))
        # Each size's table as soon as it is measured: a later failure loses nothing.
        print(format_reports(reports[-1:], []), file=sys.stderr, flush=True)
    load = []
    if args.http_seconds > 0:
        from benchmarks.run import measure_http

        clients = [int(number) for number in args.clients.split(",") if number.strip()]
        print(f"http: {clients} clients, {args.http_seconds:g} s each…", file=sys.stderr)
        load = measure_http(
            database_url=url, port=args.port, clients=clients, seconds=args.http_seconds
        )
    print(format_reports(reports, load))
    if cluster is not None:
        from benchmarks.replica import measure_replica

        print(f"replica: copying size {sizes[-1]} to a second cluster…", file=sys.stderr)
        for line in measure_replica(
            primary_url=url, cluster=cluster, database=REPLICA_DATABASE, repeat=args.repeat
        ):
            print(line)
    # Setting up a committee: 10.000 units and 300.000 quota cells (benchmarks/onboarding.py).
    from benchmarks.onboarding import measure_onboarding

    empty_data()
    with reads_on_primary():
        print("\n".join(str(line) for line in measure_onboarding()))
    return 0


def _measure_apart(name: str, repeat: int):
    """One size, measured by a new Python process (its data stays in the database)."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "report.pickle")
        command = [sys.executable, "-m", "benchmarks", name, "--repeat", str(repeat)]
        subprocess.run([*command, "--report-to", path], check=True)
        with open(path, "rb") as file:
            return pickle.load(file)


if __name__ == "__main__":
    sys.exit(main())
