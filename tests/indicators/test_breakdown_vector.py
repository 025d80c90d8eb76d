"""The breakdown judges every unit at once (`engine._units_progress`); what it gives
each unit is exactly what the rule, `target_progress`, gives it one unit at a time.

Generated targets of every kind (counts, quotas, every-year, percentages, yes/no,
ratios; at least or at most; pro-rated, every year or final; any level and
frequency, with or without a baseline and year values), random quotas, results,
moves and dissolutions, every as-of point, from the committee and from below it.
"""

from datetime import date
from decimal import Decimal
from unittest import mock

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators import engine
from indicators.engine import as_of_points, target_breakdown_progress
from indicators.models import Combine, Direction, Frequency, Judgement, Level, Measure, Result
from tests.factories import make_quota, make_target, make_term, make_tree, make_unit
from units.events import EventRefused, unit_dissolve, unit_move
from units.models import Kind, Unit

pytestmark = pytest.mark.django_db

DECISION = {"decision_number": "27-QĐ/ĐUK"}
figures = st.one_of(st.none(), st.integers(0, 60))

targets = st.fixed_dictionaries(
    {
        "measure": st.sampled_from(list(Measure)),
        "combine": st.sampled_from(list(Combine)),
        "judgement": st.sampled_from(list(Judgement)),
        "direction": st.sampled_from(list(Direction)),
        "in_percent": st.booleans(),
        "level": st.sampled_from(list(Level)),
        "frequency": st.sampled_from(list(Frequency)),
        "term_target": figures,
        "yearly_target": figures,
        "baseline": st.one_of(st.none(), st.integers(0, 30)),
        # (year offset, value): the resolution's figure for some years.
        "year_values": st.lists(st.tuples(st.integers(0, 4), st.integers(0, 60)), max_size=3),
    }
)
scenarios = st.fixed_dictionaries(
    {
        "length": st.integers(2, 5),
        "target": targets,
        # (unit index, year offset or None for the term, value in halves)
        "quotas": st.lists(
            st.tuples(
                st.integers(0, 9), st.one_of(st.none(), st.integers(0, 4)), st.integers(0, 40)
            ),
            max_size=8,
        ),
        # (unit index, year offset, seed)
        "results": st.lists(
            st.tuples(st.integers(0, 9), st.integers(0, 4), st.integers(0, 12)), max_size=24
        ),
        # (move or dissolve, unit index, where to, year offset, month)
        "events": st.lists(
            st.tuples(
                st.sampled_from(["move", "dissolve"]),
                st.integers(0, 9),
                st.integers(0, 3),
                st.integers(1, 4),
                st.integers(1, 12),
            ),
            max_size=3,
        ),
        "inactive": st.booleans(),
    }
)


def make_kind(term, kind: dict):
    fields = dict(kind)
    year_values = fields.pop("year_values")
    if fields["measure"] == Measure.FLAG:
        fields["combine"] = Combine.LATEST
    if fields["measure"] == Measure.RATIO:
        fields["in_percent"] = True
    if fields["measure"] == Measure.COUNT:
        fields["in_percent"] = False
    if fields["term_target"] is None and fields["yearly_target"] is None:
        fields["yearly_target"] = 10
    target = make_target(term, **fields)
    for offset, value in year_values:
        target.year_values.update_or_create(
            year=term.years[offset % len(term.years)], defaults={"value": Decimal(value)}
        )
    return target


def result_of(target, seed: int) -> dict:
    if target.measure == Measure.COUNT:
        return {"value": seed}
    if target.measure == Measure.RATIO:
        return {"numerator": seed // 3, "denominator": seed // 2}
    return {"flag": seed % 3 != 0}


def checked(seen: list):
    """`_units_progress` that also asks the rule, unit by unit, and insists on equality
    down to each Decimal's digits."""
    vectorised = engine._units_progress

    def judge(target, **inputs):
        fast = vectorised(target, **inputs)
        slow = engine._units_progress_one_by_one(target, **inputs)
        assert fast == slow
        assert [repr(row) for row in fast] == [repr(row) for row in slow]
        seen.append(len(fast))
        return fast

    return judge


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=scenarios)
def test_the_vectorised_breakdown_equals_the_rule_unit_by_unit(case):
    with transaction.atomic():
        root, organisations = make_tree(3, cells=2)
        # A grassroots cell straight under the committee, sometimes inactive.
        organisations.append(
            make_unit(parent=root, kind=Kind.GRASSROOTS_CELL, is_active=not case["inactive"])
        )
        cells = list(Unit.objects.filter(kind=Kind.CELL, path__startswith=root.path))
        units = [*organisations, *cells]
        term = make_term(root, start_year=2020, end_year=2020 + case["length"])
        years = list(term.years)
        target = make_kind(term, case["target"])
        for unit_index, offset, value in case["quotas"]:
            year = None if offset is None else years[offset % len(years)]
            unit = units[unit_index]
            if not target.quotas.filter(unit=unit, year=year).exists():
                make_quota(target, unit, Decimal(value) / 2, year=year)
        for unit_index, offset, seed in case["results"]:
            unit, year = units[unit_index], years[offset % len(years)]
            if not Result.objects.filter(target=target, unit=unit, year=year).exists():
                Result.objects.create(
                    target=target, unit=unit, year=year, **result_of(target, seed)
                )
        for kind, unit_index, to_index, offset, month in case["events"]:
            unit = Unit.objects.get(pk=units[unit_index].pk)
            when = date(years[offset % len(years)], month, 1)
            try:
                if kind == "move":
                    unit_move(unit=unit, parent=organisations[to_index], when=when, **DECISION)
                else:
                    unit_dissolve(unit=unit, when=when, **DECISION)
            except EventRefused:
                continue
        target = term.targets.prefetch_related("year_values").get(pk=target.pk)
        seen: list[int] = []
        with mock.patch.object(engine, "_units_progress", checked(seen)):
            for point in as_of_points(term):
                for scope in (root, organisations[0]):
                    target_breakdown_progress(term=term, target=target, as_of=point, scope=scope)
        assert max(seen) >= 1
        transaction.set_rollback(True)
