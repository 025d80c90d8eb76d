"""`make run`'s SQLite: concurrent saves queue for the write lock instead of failing."""

import tempfile
import threading
from pathlib import Path

from django.conf import settings
from django.db import connections


def test_concurrent_saves_on_sqlite_queue_instead_of_failing(django_db_blocker):
    """8 writers reading then writing one row at once on `make run`'s SQLite: none fails.

    Each transaction takes the write lock when it begins (IMMEDIATE) and waits for
    it (busy timeout), so none reads a row another is about to change.
    """
    options = settings.SQLITE_OPTIONS
    with django_db_blocker.unblock(), tempfile.TemporaryDirectory() as folder:
        alias = "concurrency"
        connections.settings[alias] = connections.configure_settings(
            {
                "default": {
                    "ENGINE": "django.db.backends.sqlite3",
                    "NAME": str(Path(folder) / "db.sqlite3"),
                    "OPTIONS": options,
                }
            }
        )["default"]
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("CREATE TABLE counter (n INTEGER)")
                cursor.execute("INSERT INTO counter VALUES (0)")
            errors, barrier = [], threading.Barrier(8)

            def save() -> None:
                from django.db import transaction

                barrier.wait()
                try:
                    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
                        cursor.execute("SELECT n FROM counter")
                        (number,) = cursor.fetchone()
                        threading.Event().wait(0.02)
                        cursor.execute("UPDATE counter SET n = %s", [number + 1])
                except Exception as error:  # counted, asserted below
                    errors.append(error)
                finally:
                    connections[alias].close()

            threads = [threading.Thread(target=save) for _number in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT n FROM counter")
                assert cursor.fetchone()[0] == 8
                cursor.execute("PRAGMA journal_mode")
                assert cursor.fetchone()[0] == "wal"
            assert errors == []
        finally:
            connections[alias].close()
            del connections.settings[alias]
