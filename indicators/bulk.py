"""New results in bulk at COPY speed on PostgreSQL, with their history rows.

`bulk_create_with_history` writes INSERTs of a thousand rows, each value of each
row passed through its field's methods and the statement built in Python, then
builds one historical model instance per row and does it again: most of an
import's time. On PostgreSQL the same rows go in with two COPYs instead. The ids
are drawn from the results' sequence first, so that the history rows, which carry
their result's id, are written beside them. Elsewhere (SQLite) it is
`bulk_create_with_history` itself.

The rows are the same either way (`tests/indicators/test_bulk.py` compares them
column for column): the stored values, `created_at`/`updated_at` set now, one
history row per result ("+", the user, the time, no change reason). A result
whose key is taken raises IntegrityError, as `bulk_create` does.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from django.db import connection
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from indicators.models import Result
from units.models import User

BATCH = 1000


def results_create(results: list[Result], *, user: User) -> None:
    """Insert `results` (new, without ids) and their history rows; sets their ids."""
    if not results:
        return
    if connection.vendor != "postgresql":
        bulk_create_with_history(results, Result, batch_size=BATCH, default_user=user)
        return
    now = timezone.now()
    _take_ids(results)
    fields = Result._meta.concrete_fields
    buffer = io.StringIO()
    for result in results:
        # What `pre_save` does on an insert: the two timestamps, set on the object too.
        result.created_at = now
        result.updated_at = now
        buffer.write("\t".join(_text(getattr(result, field.attname)) for field in fields))
        buffer.write("\n")
    _copy(Result, [field.column for field in fields], buffer)

    history = Result.history.model
    tracked = [field.attname for field in history.tracked_fields]
    extra = {
        "history_date": _text(now),
        "history_change_reason": _text(None),
        "history_type": "+",
        "history_user_id": _text(user.pk if user is not None else None),
    }
    columns = [history._meta.get_field(name).column for name in tracked]
    columns += [history._meta.get_field(name.removesuffix("_id")).column for name in extra]
    tail = "\t".join(extra.values())
    buffer = io.StringIO()
    for result in results:
        buffer.write("\t".join(_text(getattr(result, name)) for name in tracked))
        buffer.write("\t" + tail + "\n")
    _copy(history, columns, buffer)
    for result in results:
        result._state.adding = False
        result._state.db = connection.alias


def _take_ids(results: list[Result]) -> None:
    """Draw one id per result from the table's sequence, in one query."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [Result._meta.db_table, Result._meta.pk.column, len(results)],
        )
        for result, (pk,) in zip(results, cursor.fetchall(), strict=True):
            result.pk = pk


def _copy(model, columns: list[str], buffer: io.StringIO) -> None:
    quote = connection.ops.quote_name
    buffer.seek(0)
    sql = (
        f"COPY {quote(model._meta.db_table)} ({', '.join(quote(column) for column in columns)})"
        " FROM STDIN"
    )
    with connection.cursor() as cursor, connection.wrap_database_errors:
        # The driver's own cursor: Django's wrapper has no COPY; errors still come out
        # as Django's (IntegrityError for a key already taken).
        cursor.cursor.copy_expert(sql, buffer)


def _text(value) -> str:
    """A value in COPY's text format: \\N for NULL, t/f, ISO dates, escaped text."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, date):  # a datetime too
        return value.isoformat()
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )
