"""The raw-results CSV through PostgreSQL's COPY: the same rows, at the database's speed.

`results_csv_copy_chunks` writes exactly what `exports.csv_chunks` writes for
`exports.results_table` (the same cells: headers, BOM, numbers as plain numbers, text
neutralised against formula injection, times in the local time zone; lines end
with \n rather than \r\n), but lets PostgreSQL format the rows. The rows come from the same selector
(`indicators.selectors.results_for_export`), one COPY per target, so memory
holds one target's rows at most and the order is the selector's.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.conf import settings
from django.db import connection

from indicators.models import Term
from indicators.selectors import RESULT_EXPORT_FIELDS, results_for_export
from reports.exports import BOM, FORMULA_STARTS
from units.models import Unit

COLUMNS = [f"c{number}" for number in range(1, len(RESULT_EXPORT_FIELDS) + 1)]
TEXT_COLUMNS = {"c1", "c2", "c3", "c4", "c11", "c12", "c14", "c16"}
BOOLEAN_COLUMNS = {"c9", "c10"}
TIME_COLUMNS = {"c13", "c15"}


def is_available() -> bool:
    return connection.vendor == "postgresql"


def _neutralised(column: str) -> str:
    starts = ", ".join(
        "E'\\t'" if start == "\t" else "E'\\r'" if start == "\r" else f"'{start}'"
        for start in FORMULA_STARTS
    )
    # Empty text is written as an empty field, as csv.writer does (not as "").
    text = f"NULLIF({column}, '')"
    return f"CASE WHEN LEFT({text}, 1) IN ({starts}) THEN '''' || {text} ELSE {text} END"


def _formatted(column: str) -> str:
    if column in TEXT_COLUMNS:
        return _neutralised(column)
    if column in BOOLEAN_COLUMNS:
        return f"CASE WHEN {column} IS NULL THEN NULL WHEN {column} THEN 1 ELSE 0 END"
    if column in TIME_COLUMNS:
        return f"TO_CHAR({column} AT TIME ZONE %s, 'YYYY-MM-DD HH24:MI:SS')"
    return column


def _copy_sql(queryset) -> str:
    inner, params = queryset.query.sql_with_params()
    columns = ", ".join(_formatted(column) for column in COLUMNS)
    time_zones = [settings.TIME_ZONE] * len(TIME_COLUMNS)
    sql = f"SELECT {columns} FROM ({inner}) AS rows_out({', '.join(COLUMNS)})"
    with connection.cursor() as cursor:
        # COPY takes no parameters: let the driver quote them into the statement.
        statement = cursor.cursor.mogrify(sql, [*time_zones, *params]).decode()
    return f"COPY ({statement}) TO STDOUT WITH (FORMAT csv)"


def results_csv_copy_chunks(
    *,
    term: Term,
    scope: Unit,
    headers: list[str],
    allowed: Unit | None = None,
    up_to_year: int | None = None,
    year: int | None = None,
    target_id: int | None = None,
) -> Iterator[str]:
    """The raw-results CSV, BOM and headers first, one chunk per target."""
    line = io.StringIO()
    # COPY ends lines with \n; so does the header line (csv.writer would use \r\n).
    csv.writer(line, lineterminator="\n").writerow(headers)
    yield BOM + line.getvalue()
    targets = term.targets.order_by("order", "pk").values_list("pk", flat=True)
    if target_id is not None:
        targets = targets.filter(pk=target_id)
    for pk in list(targets):
        queryset = results_for_export(
            term=term,
            scope=scope,
            allowed=allowed,
            up_to_year=up_to_year,
            year=year,
            target_id=pk,
        )
        buffer = io.StringIO()
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(_copy_sql(queryset), buffer)
        if chunk := buffer.getvalue():
            yield chunk
