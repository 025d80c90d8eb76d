"""The units of each year's tree, kept counted (`indicators.unit_counts`): the counts
the engine reads equal a count of the placements themselves after every kind of
change of the tree, and they follow the terms' years."""

from datetime import date

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.engine import _units_by_kind, as_of_year, term_progress
from indicators.models import Combine, Judgement, Level, Measure, UnitCount
from tests.factories import make_result, make_target, make_term, make_tree, make_unit
from units.events import EventRefused, NewUnit, unit_dissolve, unit_merge, unit_move
from units.models import Kind, Unit, tree_batch

pytestmark = pytest.mark.django_db

DECISION = {"decision_number": "27-QĐ/ĐUK"}


def counted(term, scope, *, by_branch, scan):
    """{branch: {year: {kind: n}}}, the zeros left out."""
    counts = _units_by_kind(term, scope, term.years, by_branch=by_branch, scan=scan)
    return {
        branch: {
            year: {kind: n for kind, n in kinds.items() if n}
            for year, kinds in years.items()
            if any(kinds.values())
        }
        for branch, years in counts.items()
        if any(any(kinds.values()) for kinds in years.values())
    }


def assert_counts_exact(term, scopes):
    for scope in scopes:
        for by_branch in (False, True):
            kept = counted(term, scope, by_branch=by_branch, scan=False)
            assert kept == counted(term, scope, by_branch=by_branch, scan=True), (
                scope,
                by_branch,
            )


def test_the_counts_of_a_move_a_dissolution_and_a_new_unit_follow_the_years():
    root, (first, second) = make_tree(2, cells=2)
    term = make_term(root)
    cell = Unit.objects.filter(parent=first).first()
    unit_move(unit=cell, parent=second, when=date(2023, 7, 1), **DECISION)
    gone = Unit.objects.filter(parent=second).first()
    unit_dissolve(unit=gone, when=date(2024, 3, 1), **DECISION)
    Unit.objects.create(
        name="Chi bộ mới", code="MOI", parent=first, kind=Kind.CELL, founded_on=date(2025, 2, 1)
    )
    scope_counts = counted(term, first, by_branch=False, scan=False)[""]
    # The organisation and its cells: 2 cells up to 2022, 1 from the move's year,
    # 2 again from the year a new one was founded.
    assert scope_counts[2022] == {Kind.GRASSROOTS_COMMITTEE: 1, Kind.CELL: 2}
    assert scope_counts[2023] == {Kind.GRASSROOTS_COMMITTEE: 1, Kind.CELL: 1}
    assert scope_counts[2025] == {Kind.GRASSROOTS_COMMITTEE: 1, Kind.CELL: 2}
    second_counts = counted(term, second, by_branch=False, scan=False)[""]
    assert second_counts[2023] == {Kind.GRASSROOTS_COMMITTEE: 1, Kind.CELL: 3}
    # Dissolved on 01/03/2024: it existed for part of 2024, not at its end.
    assert second_counts[2024] == {Kind.GRASSROOTS_COMMITTEE: 1, Kind.CELL: 2}
    # The committee at the top counts as the term's top, not among its units.
    branches = counted(term, root, by_branch=True, scan=False)
    assert "" not in branches
    assert branches[second.path[-6:]][2025] == {Kind.GRASSROOTS_COMMITTEE: 1, Kind.CELL: 2}
    assert_counts_exact(term, [root, first, second, cell])


def test_a_change_of_kind_or_a_unit_taken_out_is_counted_in_every_year():
    root, (first, second) = make_tree(2, cells=1)
    term = make_term(root)
    target = make_target(
        term, measure=Measure.FLAG, combine=Combine.LATEST, level=Level.GRASSROOTS,
        judgement=Judgement.EVERY_YEAR, in_percent=True, term_target=None, yearly_target=50,
    )  # fmt: skip
    make_result(target, first, 2021, flag=True)
    row = term_progress(term=term, as_of=as_of_year(term, 2021)).for_target(target.pk)
    assert (row.reported, row.in_scope) == (1, 2)  # 1 of 2 organisations
    second.is_active = False
    second.save()
    row = term_progress(term=term, as_of=as_of_year(term, 2021)).for_target(target.pk)
    assert (row.reported, row.in_scope) == (1, 1)
    first.kind = Kind.CELL
    first.save()
    # Now a cell beside the two cells (the one under the organisation taken out too).
    assert counted(term, root, by_branch=False, scan=False)[""][2021] == {Kind.CELL: 3}
    assert_counts_exact(term, [root, first, second])


def test_the_counts_cover_the_years_a_term_gains():
    root, _organisations = make_tree(1, cells=1)
    term = make_term(root, start_year=2020, end_year=2025)
    assert not UnitCount.objects.filter(year=2026).exists()
    term.end_year = 2026
    term.save()
    assert UnitCount.objects.filter(year=2026).exists()
    assert_counts_exact(term, [root])


def test_a_batch_rebuilds_once_at_its_end_and_a_preview_leaves_them_as_they_were():
    root, (first, second) = make_tree(2, cells=1)
    term = make_term(root)
    rows = sorted(UnitCount.objects.values_list("year", "path", "kind", "own", "n"))
    unit_merge(units=[first, second], into=NewUnit(name="Hợp nhất", code="HN"),
               when=date(2022, 1, 1), preview=True, **DECISION)  # fmt: skip
    assert sorted(UnitCount.objects.values_list("year", "path", "kind", "own", "n")) == rows
    with tree_batch():
        extra = make_unit(parent=first, kind=Kind.CELL)
        extra.founded_on = date(2019, 1, 1)
        extra.save()
        # Not yet rebuilt inside the batch.
        assert sorted(UnitCount.objects.values_list("year", "path", "kind", "own", "n")) == rows
    assert counted(term, first, by_branch=False, scan=False)[""][2021][Kind.CELL] == 2
    assert_counts_exact(term, [root, first, second])


EVENTS = st.lists(
    st.tuples(
        st.sampled_from(["move", "move_organisation", "dissolve", "merge", "kind", "inactive"]),
        st.integers(0, 5),
        st.integers(0, 2),
        st.integers(2021, 2025),
        st.integers(1, 12),
    ),
    max_size=6,
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(events=EVENTS)
def test_the_kept_counts_equal_a_count_of_the_placements_after_any_events(events):
    with transaction.atomic():
        root, organisations = make_tree(3, cells=2)
        middle = make_unit(parent=root, kind=Kind.GRASSROOTS_COMMITTEE)
        cells = list(Unit.objects.filter(kind=Kind.CELL, path__startswith=root.path))
        term = make_term(root)
        for kind, index, to_index, year, month in events:
            when = date(year, month, 1)
            cell = Unit.objects.get(pk=cells[index].pk)
            target = Unit.objects.get(pk=organisations[to_index].pk)
            try:
                if kind == "move":
                    unit_move(unit=cell, parent=target, when=when, **DECISION)
                elif kind == "move_organisation":
                    unit_move(unit=target, parent=middle, when=when, **DECISION)
                elif kind == "dissolve":
                    unit_dissolve(unit=cell, when=when, **DECISION)
                elif kind == "merge":
                    others = [o for o in organisations if o.pk != target.pk][:1]
                    unit_merge(units=[target, *others], into=middle, when=when, **DECISION)
                elif kind == "kind":
                    cell.kind = Kind.GRASSROOTS_CELL if cell.kind == Kind.CELL else Kind.CELL
                    cell.save()
                else:
                    cell.is_active = not cell.is_active
                    cell.save()
            except EventRefused:
                continue  # out of order, already there or ended
        units = Unit.objects.filter(path__startswith=root.path)
        assert_counts_exact(term, list(units))
        transaction.set_rollback(True)
