"""Synthetic terms for benchmarks: bulk inserts, and COPY on PostgreSQL."""

from __future__ import annotations

import csv
import io
import random
import time
import uuid
from dataclasses import dataclass
from datetime import date
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
    UnitCount,
    UnitQuota,
)
from indicators.rollup import rollup_refresh_term
from units.models import (
    EndReason,
    EventKind,
    Kind,
    Sector,
    Unit,
    UnitEvent,
    UnitPeriod,
    path_step,
    units_touched,
)

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


@dataclass
class Reorganisation:
    """What `synthetic_reorganise` recorded."""

    moves: int = 0
    mergers: int = 0
    placements: int = 0


def _chunks(items: list, size: int = 5000):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def synthetic_reorganise(
    *, term: Term, grassroots: list[Unit], cells: list[Unit], share: float, rng: random.Random
) -> Reorganisation:
    """In each reporting year, on 1 July, `share` of the cells move to another grassroots
    organisation and `share` of the grassroots organisations merge into another (their
    cells with them), recorded in bulk as `units.events` records them one at a time.

    A move closes the cell's open placement on the date (it holds the years before)
    and opens one under the new organisation; a merger ends the organisation on the
    date (its last placement holds that year: it existed for part of it), names its
    successor, moves its cells and records the events of both and of the cells. Cells
    never end, so their results stay theirs; an organisation's quotas for the years
    after its end go to its successor (the plans' totals stay). Run before the
    roll-up is built.
    """
    done = Reorganisation()
    if share <= 0:
        return done
    parent_of = {cell.pk: cell.parent_id for cell in cells}
    path_of = {unit.pk: unit.path for unit in grassroots}
    alive = [unit.pk for unit in grassroots]
    ended: dict[int, tuple[date, int, str]] = {}
    for number, year in enumerate(term.years, start=1):
        when = date(year, 7, 1)
        decision = f"{number:02d}-QĐ/TH-{year}"
        moved: dict[int, int] = {}  # cell -> its new organisation
        events: list[UnitEvent] = []
        merged_into: list[tuple[UnitEvent, int]] = []
        count = min(round(len(alive) * share), len(alive) - 1)
        sources = rng.sample(alive, max(0, count))
        alive = [pk for pk in alive if pk not in set(sources)]
        for source in sources:
            into = rng.choice(alive)
            ended[source] = (when, into, decision)
            events.append(UnitEvent(unit_id=source, kind=EventKind.MERGE, date=when,
                                    decision_number=decision, to_unit_id=into))  # fmt: skip
            result = UnitEvent(unit_id=into, kind=EventKind.MERGE, date=when,
                               decision_number=decision)  # fmt: skip
            events.append(result)
            merged_into.append((result, source))
            for cell, parent in parent_of.items():
                if parent == source:
                    moved[cell] = into
        staying = [cell for cell in parent_of if cell not in moved]
        for cell in rng.sample(staying, round(len(staying) * share)):
            into = rng.choice(alive)
            if into != parent_of[cell]:
                moved[cell] = into
        for cell, into in moved.items():
            events.append(UnitEvent(unit_id=cell, kind=EventKind.MOVE, date=when,
                                    decision_number=decision, from_unit_id=parent_of[cell],
                                    to_unit_id=into))  # fmt: skip
        # Placements: the moved cells' close (they hold the years before), the merged
        # organisations' last one closes (it holds this year), new ones open.
        for chunk in _chunks(list(moved)):
            UnitPeriod.objects.filter(unit_id__in=chunk, end__isnull=True).update(
                end=when, last_year=year - 1
            )
        for chunk in _chunks(sources):
            UnitPeriod.objects.filter(unit_id__in=chunk, end__isnull=True).update(
                end=when, last_year=year
            )
        UnitPeriod.objects.bulk_create(
            (
                UnitPeriod(unit_id=cell, parent_id=into, start=when, first_year=year,
                           path=path_of[into] + path_step(cell))
                for cell, into in moved.items()
            ),
            batch_size=2000,
        )  # fmt: skip
        UnitEvent.objects.bulk_create(events, batch_size=2000)
        UnitEvent.others.through.objects.bulk_create(
            UnitEvent.others.through(unitevent_id=event.pk, unit_id=source)
            for event, source in merged_into
        )
        _quotas_to_successors({source: ended[source][1] for source in sources}, after=year)
        for cell, into in moved.items():
            parent_of[cell] = into
        done.moves += len(moved)
        done.mergers += len(sources)
        done.placements += len(moved)
    # Today's tree: each cell under its last organisation, the merged ones ended.
    by_pk = {cell.pk: cell for cell in cells}
    changed = []
    for pk, parent in parent_of.items():
        cell = by_pk[pk]
        if cell.parent_id != parent:
            cell.parent_id = parent
            cell.path = path_of[parent] + path_step(pk)
            changed.append(cell)
    Unit.objects.bulk_update(changed, ["parent", "path"], batch_size=2000)
    gone = [unit for unit in grassroots if unit.pk in ended]
    for unit in gone:
        when, into, decision = ended[unit.pk]
        unit.ended_on, unit.end_year, unit.end_reason = when, when.year, EndReason.MERGED
        unit.end_decision_number, unit.is_active = decision, False
    Unit.objects.bulk_update(
        gone,
        ["ended_on", "end_year", "end_reason", "end_decision_number", "is_active"],
        batch_size=2000,
    )
    Unit.successors.through.objects.bulk_create(
        Unit.successors.through(from_unit_id=unit.pk, to_unit_id=ended[unit.pk][1]) for unit in gone
    )
    units_touched()  # bulk writes send no signals: the unit counts are rebuilt
    return done


def _quotas_to_successors(successor_of: dict[int, int], *, after: int) -> None:
    """The quotas of merged organisations for the years after `after` go to their successors."""
    if not successor_of:
        return
    later = list(
        UnitQuota.objects.filter(unit_id__in=list(successor_of), year__gt=after).values_list(
            "pk", "target_id", "unit_id", "year", "value"
        )
    )
    added: dict[tuple[int, int, int], Decimal] = {}
    for _pk, target, unit, year, value in later:
        key = (target, successor_of[unit], year)
        added[key] = added.get(key, Decimal(0)) + value
    receiving = list(
        UnitQuota.objects.filter(unit_id__in=set(successor_of.values()), year__gt=after)
    )
    for quota in receiving:
        quota.value += added.pop((quota.target_id, quota.unit_id, quota.year), Decimal(0))
    UnitQuota.objects.bulk_update(receiving, ["value"], batch_size=2000)
    UnitQuota.objects.bulk_create(
        UnitQuota(target_id=target, unit_id=unit, year=year, value=value)
        for (target, unit, year), value in added.items()
    )
    UnitQuota.objects.filter(pk__in=[row[0] for row in later]).delete()


@transaction.atomic
def synthetic_make(
    *, cells: int, targets: int, years: int, seed: int = 1, reorganise: float = 0.0
) -> SyntheticReport:
    """A term with `cells` cells reporting `targets` targets over `years` years; with
    `reorganise`, that share of the units moves or merges each year (see
    `synthetic_reorganise`)."""
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
    synthetic_reorganise(term=term, grassroots=grassroots, cells=leaves, share=reorganise, rng=rng)
    rollup_refresh_term(term)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Result, ResultRollup, Unit, UnitCount, UnitPeriod, UnitQuota):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return SyntheticReport(
        term=term,
        units=1 + len(grassroots) + len(leaves),
        targets=len(made),
        results=results,
        seconds=time.perf_counter() - started,
    )
