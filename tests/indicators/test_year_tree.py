"""Figures of year Y read the tree as it stood in Y: a later reorganisation changes no
past figure, and each unit counts where it stood each year."""

from datetime import date

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.demo import ROOT_CODE, demo_load
from indicators.demo_2025 import demo_reorganisation_undo
from indicators.engine import (
    as_of_mid_term,
    as_of_points,
    as_of_year,
    target_breakdown_progress,
    term_progress,
)
from indicators.models import Combine, Judgement, Level, Measure, Result
from indicators.selectors import units_missing_results
from reports.exports import csv_chunks, summary_table
from tests.factories import make_result, make_target, make_term, make_tree, make_unit
from tests.indicators.test_rollup import assert_rollup_exact
from units.events import EventRefused, unit_dissolve, unit_move
from units.models import Kind, Unit
from units.selectors import units_of_year

pytestmark = pytest.mark.django_db

DECISION = {"decision_number": "27-QĐ/ĐUK"}


def flag_target(term, **fields):
    return make_target(
        term, measure=Measure.FLAG, combine=Combine.LATEST, judgement=Judgement.EVERY_YEAR,
        in_percent=True, term_target=None, yearly_target=90, **fields,
    )  # fmt: skip


def by_unit(term, target, year, scope=None):
    detail = target_breakdown_progress(
        term=term, target=target, as_of=as_of_year(term, year), scope=scope
    )
    return {row.unit.pk: row.progress for row in detail.units}


def test_a_moved_unit_counts_under_its_old_branch_before_the_move_and_the_new_after():
    root, (x, y) = make_tree(2)
    for unit in (x, y):
        unit.kind = Kind.GRASSROOTS_COMMITTEE
        unit.save()
    cell = make_unit(parent=x, kind=Kind.CELL)
    term = make_term(root)
    admitted = make_target(term)
    make_result(admitted, cell, 2021, value=5)
    make_result(admitted, cell, 2024, value=7)
    unit_move(unit=cell, parent=y, when=date(2023, 3, 1), **DECISION)
    assert by_unit(term, admitted, 2022)[x.pk].actual == 5
    assert by_unit(term, admitted, 2022)[y.pk].actual is None
    after = by_unit(term, admitted, 2024)
    assert (after[x.pk].actual, after[y.pk].actual) == (5, 7)
    # The committee's figure is the same whatever the branches.
    assert (
        term_progress(term=term, as_of=as_of_year(term, 2024)).for_target(admitted.pk).actual == 12
    )
    # Each branch's scorecard: the old one keeps 2021, the new one has 2024.
    assert (
        term_progress(term=term, as_of=as_of_year(term, 2024), scope=x)
        .for_target(admitted.pk)
        .actual
        == 5
    )
    # The year's tree: the cell is X's in 2022 and Y's in 2023.
    assert list(units_of_year(x, 2022)) == [x, cell]
    assert list(units_of_year(y, 2023)) == [y, cell]
    assert_rollup_exact(term, scopes=[root, x, y])


def test_a_stock_follows_its_unit_when_it_reports_from_its_new_place():
    root, (x, y) = make_tree(2)
    cell = make_unit(parent=x, kind=Kind.CELL)
    for unit in (x, y):
        unit.kind = Kind.GRASSROOTS_COMMITTEE
        unit.save()
    term = make_term(root)
    stock = make_target(term, combine=Combine.LATEST, judgement=Judgement.FINAL, term_target=9)
    make_result(stock, cell, 2021, value=4)
    unit_move(unit=cell, parent=y, when=date(2022, 6, 1), **DECISION)
    make_result(stock, cell, 2023, value=6)
    in_2021, in_2023 = by_unit(term, stock, 2021), by_unit(term, stock, 2023)
    assert (in_2021[x.pk].actual, in_2021[y.pk].actual) == (4, None)
    assert in_2023[x.pk].actual in (None, 0)
    assert in_2023[y.pk].actual == 6
    assert term_progress(term=term, as_of=as_of_year(term, 2023)).for_target(stock.pk).actual == 6
    assert_rollup_exact(term, scopes=[root, x, y])


def test_a_dissolved_unit_counts_in_the_years_it_existed_only():
    """Dissolved in 2024 without reporting: 2021–2023 still count it, 2024 does not."""
    root, (a, b, c) = make_tree(3)
    term = make_term(root)
    rating = flag_target(term)
    for year in (2021, 2022, 2023, 2024):
        make_result(rating, a, year, flag=True)
        make_result(rating, b, year, flag=True)
    make_result(rating, c, 2021, flag=True)
    before = {
        year: term_progress(term=term, as_of=as_of_year(term, year)).for_target(rating.pk)
        for year in (2021, 2022, 2023)
    }
    unit_dissolve(unit=c, when=date(2024, 1, 1), **DECISION)
    for year, row in before.items():
        assert term_progress(term=term, as_of=as_of_year(term, year)).for_target(rating.pk) == row
    assert before[2022].in_scope == 3
    in_2024 = term_progress(term=term, as_of=as_of_year(term, 2024)).for_target(rating.pk)
    assert (in_2024.numerator, in_2024.denominator, in_2024.in_scope) == (2, 2, 2)
    # It owed 2022's rating, not 2024's.
    owed = {
        year: set(units_missing_results(term=term, scope=root, year=year, targets=[rating]))
        for year in (2022, 2024)
    }
    assert owed == {2022: {c}, 2024: set()}
    assert_rollup_exact(term)


def test_a_unit_dissolved_during_a_year_it_reported_counts_that_year_then_leaves():
    root, (a, b) = make_tree(2)
    term = make_term(root)
    rating = flag_target(term)
    for unit in (a, b):
        make_result(rating, unit, 2023, flag=True)
    make_result(rating, a, 2024, flag=True)
    make_result(rating, b, 2024, flag=True)
    unit_dissolve(unit=b, when=date(2024, 9, 1), **DECISION)
    row = term_progress(term=term, as_of=as_of_year(term, 2024)).for_target(rating.pk)
    assert (row.numerator, row.denominator, row.reported, row.in_scope) == (2, 2, 2, 2)
    make_result(rating, a, 2025, flag=False)
    row = term_progress(term=term, as_of=as_of_year(term, 2025)).for_target(rating.pk)
    assert (row.numerator, row.denominator) == (0, 1)
    assert_rollup_exact(term)


def overview_tables(term):
    """Every overview table a meeting reads up to mid-term, as the CSV file it downloads,
    and each grassroots organisation's rows of every target."""
    points = [as_of_year(term, 2021), as_of_year(term, 2022), as_of_mid_term(term)]
    tables = {}
    for point in points:
        progress = term_progress(term=term, as_of=point)
        tables[point.key] = "".join(csv_chunks(summary_table(progress)))
        for target in term.targets.prefetch_related("year_values"):
            detail = target_breakdown_progress(term=term, target=target, as_of=point)
            if point.is_mid_term:
                continue  # the running year 2023 holds the move
            tables[point.key, target.code] = (
                detail.progress,
                sorted((row.unit.code, row.progress) for row in detail.units),
            )
    return tables


def test_demo_past_figures_are_unchanged_by_a_later_move_and_dissolution():
    """The issue's acceptance: dissolve one grassroots organisation in 2024 and move
    another unit in 2023; 2021–2022, the mid-term review and 111/121, 62/121 stay."""
    term = demo_load(password="demo-password-for-tests").term
    # Events are recorded in date order: these come before the demo's 2025 reorganisation.
    demo_reorganisation_undo(ROOT_CODE)
    before = overview_tables(term)
    root = term.root_unit
    dissolved = Unit.objects.filter(parent=root, kind=Kind.GRASSROOTS_CELL).order_by("code").first()
    unit_dissolve(unit=dissolved, when=date(2024, 7, 1), **DECISION)
    moved = Unit.objects.filter(kind=Kind.CELL, parent__parent=root).order_by("code").first()
    receiving = (
        Unit.objects.filter(parent=root, kind=Kind.GRASSROOTS_COMMITTEE)
        .exclude(pk=moved.parent_id)
        .order_by("code")
        .last()
    )
    unit_move(unit=moved, parent=receiving, when=date(2023, 2, 1), **DECISION)
    after = overview_tables(term)
    assert after == before
    progress = term_progress(term=term, as_of=as_of_mid_term(term))
    flags = [row for row in progress.targets if row.target.measure == Measure.FLAG]
    assert {(row.numerator, row.denominator) for row in flags} >= {(111, 121), (62, 121)}
    assert_rollup_exact(term)


# Property: random events after year Y leave every figure of a year ≤ Y equal. ---------

TARGET_KINDS = [
    {},
    {"combine": Combine.LATEST, "judgement": Judgement.FINAL, "term_target": 9},
    {"measure": Measure.RATIO, "combine": Combine.SUM, "in_percent": True, "term_target": 80},
    {
        "measure": Measure.FLAG, "combine": Combine.LATEST, "judgement": Judgement.EVERY_YEAR,
        "in_percent": True, "term_target": None, "yearly_target": 50,
    },
    {
        "measure": Measure.FLAG, "combine": Combine.LATEST, "judgement": Judgement.FINAL,
        "in_percent": True, "term_target": 50, "level": Level.ORGANISATION,
    },
]  # fmt: skip

events = st.lists(
    st.tuples(
        st.sampled_from(["move", "dissolve"]),
        st.integers(0, 5),  # which cell
        st.integers(0, 2),  # where to (a move)
        st.integers(1, 3),  # years after Y
        st.integers(1, 12),  # month
    ),
    max_size=4,
)
scenario = st.fixed_dictionaries(
    {
        "year": st.sampled_from([2021, 2022, 2023]),
        "results": st.lists(
            st.tuples(
                st.integers(0, len(TARGET_KINDS) - 1),
                st.integers(0, 8),  # unit: 3 organisations then 6 cells
                st.integers(2021, 2025),
                st.integers(0, 9),
            ),
            max_size=25,
        ),
        "events": events,
    }
)


def figures_up_to(term, year, scopes):
    figures = {}
    for point in as_of_points(term):
        if point.year > year:
            continue
        for scope in scopes:
            figures[point.key, scope.pk] = term_progress(term=term, as_of=point, scope=scope)
            for target in term.targets.prefetch_related("year_values"):
                detail = target_breakdown_progress(
                    term=term, target=target, as_of=point, scope=scope
                )
                figures[point.key, scope.pk, target.pk] = (
                    detail.progress,
                    sorted((row.unit.pk, row.progress) for row in detail.units),
                )
        for unit in scopes:
            figures["missing", point.key, unit.pk] = sorted(
                u.pk
                for u in units_missing_results(
                    term=term, scope=unit, year=point.year, targets=list(term.targets.all())
                )
            )
    return figures


def figure(kind, seed):
    measure = kind.get("measure", Measure.COUNT)
    if measure == Measure.FLAG:
        return {"flag": seed % 2 == 0}
    if measure == Measure.RATIO:
        return {"numerator": seed % 4, "denominator": 3 + seed % 2}
    return {"value": seed}


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=scenario)
def test_events_after_a_year_leave_every_figure_of_that_year_and_before_equal(case):
    with transaction.atomic():
        root, organisations = make_tree(3, cells=2)
        cells = list(Unit.objects.filter(kind=Kind.CELL, path__startswith=root.path))
        units = [*organisations, *cells]
        term = make_term(root)
        targets = [make_target(term, **kind) for kind in TARGET_KINDS]
        for target_index, unit_index, year, seed in case["results"]:
            target, unit = targets[target_index], units[unit_index]
            measure = TARGET_KINDS[target_index].get("measure", Measure.COUNT)
            if measure == Measure.FLAG and unit.kind == Kind.CELL:
                continue  # a yes/no is reported at its level only
            if Result.objects.filter(target=target, unit=unit, year=year).exists():
                continue
            make_result(target, unit, year, **figure(TARGET_KINDS[target_index], seed))
        scopes = [root, *organisations]
        before = figures_up_to(term, case["year"], scopes)
        for kind, cell_index, to_index, later, month in case["events"]:
            cell = Unit.objects.get(pk=cells[cell_index].pk)
            when = date(case["year"] + later, month, 1)
            try:
                if kind == "move":
                    unit_move(unit=cell, parent=organisations[to_index], when=when, **DECISION)
                else:
                    unit_dissolve(unit=cell, when=when, **DECISION)
            except EventRefused:
                continue  # out of order, already there, ended, or results after the end
        assert figures_up_to(term, case["year"], scopes) == before
        assert_rollup_exact(term, scopes=scopes)
        transaction.set_rollback(True)


def test_the_import_refuses_a_result_for_a_year_after_the_unit_ended():
    from indicators.services import results_import
    from tests.factories import make_user
    from units import roles

    root, (a, b) = make_tree(2)
    term = make_term(root)
    target = make_target(term, code="T1")
    unit_dissolve(unit=a, when=date(2023, 1, 1), **DECISION)
    rows = [
        {"Mã chỉ tiêu": "T1", "Mã đơn vị": code, "Năm": "2023", "Giá trị": "4"}
        for code in (a.code, b.code)
    ]
    user = make_user("quantri", role=roles.ADMINISTRATOR)
    report = results_import(rows=rows, user=user, term=term)
    assert [(error.row, error.message) for error in report.errors] == [
        (1, f"{a} không tồn tại trong năm 2023.")
    ]
    assert not Result.objects.filter(target=target).exists()
