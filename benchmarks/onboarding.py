"""Setting up a committee at scale: the tree import and the quota import against COPY.

`measure_onboarding()` imports `units` units through `onboarding.tree` and
`quota_cells` quota cells through `onboarding.quotas`, each timed against a
COPY FROM of the same rows into a scratch table (a temporary table of text
columns: no WAL, index, constraint or history, the floor of any import;
PostgreSQL only, "n/a" elsewhere), and traces the peak memory of each preview
(the plan, which reads the whole file and writes nothing).
"""

from __future__ import annotations

import io
import time
import tracemalloc
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection

from indicators.models import Measure, Target, Term
from onboarding.quotas import COLUMN as QUOTA_COLUMN
from onboarding.quotas import quotas_import, quotas_plan
from onboarding.tree import tree_import, tree_plan
from units.models import Kind, Unit

GROUPS = 200  # grassroots committees; the other units are their cells
YEARS = 5


@dataclass
class Line:
    name: str
    rows: int
    app_rows_per_s: float
    copy_rows_per_s: float | None
    preview_peak_mb: float

    def __str__(self) -> str:
        copy = "n/a" if self.copy_rows_per_s is None else f"{self.copy_rows_per_s:,.0f}"
        ratio = (
            "n/a"
            if self.copy_rows_per_s is None
            else f"{self.app_rows_per_s / self.copy_rows_per_s:.3f}×"
        )
        return (
            f"onboarding {self.name}: {self.rows:,} rows, {self.app_rows_per_s:,.0f} rows/s "
            f"(COPY {copy} rows/s, {ratio}), preview peak {self.preview_peak_mb:.1f} MB"
        )


def _tree_rows(units: int, token: str) -> list[dict]:
    rows = [{"code": f"{token}", "name": "Đảng bộ Khối (bench)", "parent": "", "kind": Kind.BLOC}]
    groups = max(1, min(GROUPS, units // 10))
    for group in range(groups):
        rows.append(
            {
                "code": f"{token}-{group}",
                "name": f"Đảng bộ {group}",
                "parent": token,
                "kind": Kind.GRASSROOTS_COMMITTEE,
            }
        )
    for cell in range(units - groups):
        group = cell % groups
        rows.append(
            {
                "code": f"{token}-{group}-{cell}",
                "name": f"Chi bộ {cell}",
                "parent": f"{token}-{group}",
                "kind": Kind.CELL,
            }
        )
    # Cells first: parents come later in the file, as the import allows.
    return rows[::-1]


def _peak_mb(function) -> tuple[object, float]:
    tracemalloc.start()
    try:
        result = function()
        return result, tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def _copy_rate(columns: list[str], rows: list[list]) -> float | None:
    """Rows per second of COPY FROM of `rows` into a scratch table of text columns."""
    if connection.vendor != "postgresql":
        return None
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if value is None else str(value) for value in row) + "\n")
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_copy (" + ", ".join(f"{name} text" for name in columns) + ")"
        )
        buffer.seek(0)
        started = time.perf_counter()
        cursor.cursor.copy_expert("COPY bench_copy FROM STDIN", buffer)
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_copy")
    return len(rows) / elapsed


def measure_onboarding(*, units: int = 10_000, quota_cells: int = 300_000) -> list[Line]:
    user, _created = get_user_model().objects.get_or_create(
        username="bench-onboarding", defaults={"is_superuser": True, "is_staff": True}
    )
    token = f"B{int(time.time()) % 100000}"
    lines = []

    rows = _tree_rows(units, token)
    _plan, peak = _peak_mb(lambda: tree_plan(rows=rows, user=user))
    started = time.perf_counter()
    plan = tree_import(rows=rows, user=user)
    elapsed = time.perf_counter() - started
    if not plan.ok:
        raise RuntimeError(f"tree import refused: {plan.errors[:3]}")
    copy = _copy_rate(
        ["code", "name", "parent", "kind"],
        [[row["code"], row["name"], row["parent"], row["kind"]] for row in rows],
    )
    lines.append(Line("tree", len(rows), len(rows) / elapsed, copy, peak))

    root = Unit.objects.get(code=token)
    term = Term.objects.create(
        name="Bench", root_unit=root, congress_number=1, start_year=2025, end_year=2025 + YEARS
    )
    unit_codes = list(
        Unit.objects.descendants(root).order_by("path").values_list("code", flat=True)
    )
    per_target = len(unit_codes) * YEARS
    targets = max(1, -(-quota_cells // per_target))
    for number in range(targets):
        Target.objects.create(
            term=term,
            code=str(number + 1),
            name=f"Chỉ tiêu {number + 1}",
            unit_label="người",
            measure=Measure.COUNT,
            term_target=1000,
        )
    # Keyed by the headers, as a file is ("Unit" alone is the units' name column).
    target_header, unit_header = (str(QUOTA_COLUMN[name].header) for name in ("target", "unit"))
    quota_rows = []
    copy_rows = []
    for number in range(targets):
        for code in unit_codes:
            if len(copy_rows) >= quota_cells:
                break
            row = {target_header: str(number + 1), unit_header: code}
            for year in term.years:
                if len(copy_rows) < quota_cells:
                    row[str(year)] = 5
                    copy_rows.append([str(number + 1), code, year, 5])
            quota_rows.append(row)
    _plan, peak = _peak_mb(lambda: quotas_plan(rows=quota_rows, user=user, term=term))
    started = time.perf_counter()
    plan = quotas_import(rows=quota_rows, user=user, term=term)
    elapsed = time.perf_counter() - started
    if not plan.ok:
        raise RuntimeError(f"quota import refused: {plan.errors[:3]}")
    copy = _copy_rate(["target", "unit", "year", "value"], copy_rows)
    lines.append(Line("quotas", len(copy_rows), len(copy_rows) / elapsed, copy, peak))
    return lines
