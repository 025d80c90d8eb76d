"""Synthetic terms for benchmarks: bulk inserts, and COPY on PostgreSQL."""

from __future__ import annotations

import csv
import io
import random
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from indicators.models import (
    Combine,
    Direction,
    Judgement,
    Level,
    Measure,
    Result,
    ResultRollup,
    Target,
    Term,
    UnitQuota,
)
from indicators.rollup import rollup_refresh_term
from units.models import Kind, Sector, Unit, UnitPeriod, path_step

CELLS_PER_GRASSROOTS = 10
RESULT_COLUMNS = [
    "target_id", "unit_id", "year", "value", "numerator", "denominator", "flag",
    "is_estimate", "note", "evidence", "created_at", "updated_at", "version",
]  # fmt: skip
TARGET_KINDS = [
    {"measure": Measure.COUNT, "combine": Combine.SUM, "judgement": Judgement.PRORATED,
     "level": Level.CELL, "in_percent": False, "term_target": Decimal(1000)},
    {"measure": Measure.RATIO, "combine": Combine.LATEST, "judgement": Judgement.EVERY_YEAR,
     "level": Level.CELL, "in_percent": True, "yearly_target": Decimal(90)},
    {"measure": Measure.FLAG, "combine": Combine.LATEST, "judgement": Judgement.FINAL,
     "level": Level.CELL, "in_percent": True, "term_target": Decimal(80)},
]  # fmt: skip


@dataclass
class SyntheticReport:
    term: Term
    units: int
    targets: int
    results: int
    seconds: float


def _units(*, cells: int, token: str) -> tuple[Unit, list[Unit], list[Unit]]:
    root = Unit.objects.create(name=f"Khối tổng hợp {token}", code=f"SYN{token}", kind=Kind.BLOC)
    grassroots_count = max(1, -(-cells // CELLS_PER_GRASSROOTS))
    sectors = list(Sector)
    grassroots = Unit.objects.bulk_create(
        Unit(
            name=f"Đảng bộ tổng hợp {number}",
            code=f"SYN{token}-{number}",
            kind=Kind.GRASSROOTS_COMMITTEE,
            sector=sectors[number % len(sectors)],
            parent=root,
            path=f"~{token}-{number}",
            order=number,
        )
        for number in range(grassroots_count)
    )
    for unit in grassroots:
        unit.path = root.path + path_step(unit.pk)
        unit.depth = 2
    Unit.objects.bulk_update(grassroots, ["path", "depth"], batch_size=2000)
    leaves = Unit.objects.bulk_create(
        Unit(
            name=f"Chi bộ tổng hợp {number}",
            code=f"SYN{token}-{number % grassroots_count}-{number}",
            kind=Kind.CELL,
            sector=grassroots[number % grassroots_count].sector,
            parent=grassroots[number % grassroots_count],
            path=f"~{token}-c{number}",
            order=number,
        )
        for number in range(cells)
    )
    by_id = {unit.pk: unit for unit in grassroots}
    for unit in leaves:
        unit.path = by_id[unit.parent_id].path + path_step(unit.pk)
        unit.depth = 3
    Unit.objects.bulk_update(leaves, ["path", "depth"], batch_size=2000)
    UnitPeriod.open_for([*grassroots, *leaves])
    return root, grassroots, leaves


def _result_rows(targets: list[Target], cells: list[Unit], years: list[int], rng: random.Random):
    now = timezone.now().isoformat()
    for target in targets:
        for unit in cells:
            for year in years:
                value = numerator = denominator = flag = None
                if target.measure == Measure.COUNT:
                    value = rng.randint(0, 6)
                elif target.measure == Measure.RATIO:
                    denominator = rng.randint(5, 40)
                    numerator = rng.randint(denominator * 8 // 10, denominator)
                else:
                    flag = rng.random() < 0.85
                yield (target.pk, unit.pk, year, value, numerator, denominator, flag, False,
                       "", "", now, now, 1)  # fmt: skip


def _insert_results(rows) -> int:
    count = 0
    if connection.vendor == "postgresql":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for row in rows:
            writer.writerow([r"\N" if cell is None else cell for cell in row])
            count += 1
            if count % 200_000 == 0:
                copy_flush(buffer)
        copy_flush(buffer)
        return count
    batch = []
    for row in rows:
        batch.append(Result(**dict(zip(RESULT_COLUMNS, row, strict=True))))
        count += 1
        if len(batch) == 5000:
            Result.objects.bulk_create(batch)
            batch = []
    Result.objects.bulk_create(batch)
    return count


def copy_flush(buffer: io.StringIO) -> None:
    """COPY what the buffer holds into the results table, then empty it."""
    buffer.seek(0)
    table = connection.ops.quote_name(Result._meta.db_table)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {table} ({', '.join(RESULT_COLUMNS)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')",
            buffer,
        )
    buffer.seek(0)
    buffer.truncate()


@transaction.atomic
def synthetic_make(*, cells: int, targets: int, years: int, seed: int = 1) -> SyntheticReport:
    """A term with `cells` cells reporting `targets` targets over `years` years."""
    started = time.perf_counter()
    rng = random.Random(seed)
    token = uuid.uuid4().hex[:6]
    root, grassroots, leaves = _units(cells=cells, token=token)
    term = Term.objects.create(
        name=f"Nhiệm kỳ tổng hợp {token}",
        root_unit=root,
        congress_number=1,
        start_year=2020,
        end_year=2025,
        is_illustrative=True,
    )
    made = Target.objects.bulk_create(
        Target(
            term=term,
            code=str(number + 1),
            order=number,
            name=f"Chỉ tiêu tổng hợp {number + 1}",
            unit_label="đơn vị",
            direction=Direction.AT_LEAST,
            is_headline=number < 10,
            **TARGET_KINDS[number % len(TARGET_KINDS)],
        )
        for number in range(targets)
    )
    reporting_years = list(term.years)[:years]
    UnitQuota.objects.bulk_create(
        UnitQuota(target=target, unit=unit, year=year, value=Decimal(rng.randint(10, 60)))
        for target in made
        if target.measure == Measure.COUNT
        for unit in grassroots
        for year in reporting_years
    )
    results = _insert_results(_result_rows(made, leaves, reporting_years, rng))
    rollup_refresh_term(term)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Result, ResultRollup, Unit):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return SyntheticReport(
        term=term,
        units=1 + len(grassroots) + len(leaves),
        targets=len(made),
        results=results,
        seconds=time.perf_counter() - started,
    )
