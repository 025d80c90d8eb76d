"""The aggregation rules of DOMAIN.md, each on a small hand-computed case."""

from decimal import Decimal

import pytest

from indicators.engine import (
    InvalidAsOf,
    Status,
    as_of_mid_term,
    as_of_points,
    as_of_year,
    parse_as_of,
    target_breakdown,
    target_breakdown_progress,
    term_progress,
)
from indicators.models import Combine, Direction, Judgement, Level, Measure
from tests.factories import (
    make_quota,
    make_result,
    make_target,
    make_term,
    make_tree,
    make_unit,
)
from units.models import Kind

pytestmark = pytest.mark.django_db


def progress_of(target, *, as_of=None, scope=None):
    term = target.term
    result = term_progress(term=term, as_of=as_of or as_of_mid_term(term), scope=scope)
    return result.for_target(target.pk)


def test_mid_term_point_of_a_five_year_term():
    """A 2020–2025 term is 2,5 years in at mid-term: 2021, 2022 and half of 2023."""
    root, _units = make_tree(1)
    term = make_term(root)
    mid = as_of_mid_term(term)
    assert (mid.year, mid.elapsed) == (2023, Decimal("2.5"))
    assert [mid.weight(year) for year in (2021, 2022, 2023)] == [1, 1, Decimal("0.5")]
    assert as_of_year(term, 2024).elapsed == 4
    assert [point.key for point in as_of_points(term)] == [
        "2021", "2022", "mid", "2023", "2024", "2025",
    ]  # fmt: skip
    assert parse_as_of(term, "end").is_end
    for wrong in ("2019", "2026", "abc", "20x1", "-1"):
        with pytest.raises(InvalidAsOf):
            parse_as_of(term, wrong)


def test_ratios_pool_numerators_and_denominators():
    """1/2 and 90/100 pool to 91/102 (89,2%), not the 70% of averaged percentages."""
    root, (a, b) = make_tree(2)
    term = make_term(root)
    target = make_target(term, measure=Measure.RATIO, combine=Combine.SUM, term_target=80)
    make_result(target, a, 2021, numerator=1, denominator=2)
    make_result(target, b, 2021, numerator=90, denominator=100)
    row = progress_of(target, as_of=as_of_year(term, 2021))
    assert (row.numerator, row.denominator) == (91, 102)
    assert row.actual == Decimal(9100) / 102
    assert row.status == Status.EXCEEDED


def test_flags_roll_up_as_units_saying_yes_over_units_in_scope():
    """Two of three organisations say yes: 2/3, 66,7%; cells are not counted."""
    root, (a, b, c) = make_tree(3)
    make_unit(parent=a, kind=Kind.CELL)
    term = make_term(root)
    share = make_target(
        term, measure=Measure.FLAG, combine=Combine.LATEST, judgement=Judgement.FINAL,
        in_percent=True, term_target=60,
    )  # fmt: skip
    count = make_target(
        term, measure=Measure.FLAG, combine=Combine.LATEST, judgement=Judgement.FINAL,
        term_target=3,
    )  # fmt: skip
    for target in (share, count):
        make_result(target, a, 2021, flag=True)
        make_result(target, b, 2021, flag=True)
        make_result(target, c, 2021, flag=False)
    row = progress_of(share)
    assert (row.numerator, row.denominator) == (2, 3)
    assert row.actual == Decimal(200) / 3
    assert row.status == Status.EXCEEDED
    absolute = progress_of(count)
    assert absolute.actual == 2
    assert absolute.expected == 3
    assert absolute.status == Status.NOT_YET_MET


def test_sum_adds_the_years_and_latest_takes_each_units_last_year():
    root, (a, b) = make_tree(2)
    term = make_term(root)
    flow = make_target(term, combine=Combine.SUM, term_target=100)
    stock = make_target(term, combine=Combine.LATEST, judgement=Judgement.FINAL, term_target=20)
    make_result(flow, a, 2021, value=10)
    make_result(flow, a, 2022, value=20)
    make_result(flow, b, 2022, value=5)
    make_result(stock, a, 2021, value=5)
    make_result(stock, a, 2022, value=7)
    make_result(stock, b, 2021, value=3)  # b did not report in 2022: its 2021 figure stands
    assert progress_of(flow, as_of=as_of_year(term, 2022)).actual == 35
    assert progress_of(flow, as_of=as_of_year(term, 2021)).actual == 10
    assert progress_of(stock, as_of=as_of_year(term, 2022)).actual == 10
    assert progress_of(stock, as_of=as_of_year(term, 2021)).actual == 8
    series = progress_of(stock, as_of=as_of_year(term, 2022)).years
    assert [(point.year, point.actual) for point in series] == [(2021, 8), (2022, 10)]


def test_prorated_sum_at_mid_term_uses_term_target_times_elapsed_share():
    """Seed check: 2.078 admitted against 3.200 × 2,5 ÷ 5 = 1.600: 129,9%."""
    root, (a, b) = make_tree(2)
    term = make_term(root)
    target = make_target(term, term_target=3200)
    make_result(target, a, 2021, value=800)
    make_result(target, b, 2022, value=900)
    make_result(target, a, 2023, value=378)
    make_result(target, a, 2024, value=999)  # after the as-of point: not counted
    row = progress_of(target)
    assert row.actual == 2078
    assert row.expected == 1600
    assert round(row.completion * 1000) == 1299
    assert row.status == Status.EXCEEDED


def test_prorated_sum_from_yearly_targets_weights_the_partial_year():
    root, (a,) = make_tree(1)
    term = make_term(root)
    target = make_target(term, term_target=None, yearly_target=10)
    make_result(target, a, 2021, value=10)
    row = progress_of(target)
    assert row.expected == Decimal(25)  # 10 + 10 + 10 × 0,5
    assert row.status == Status.NOT_YET_MET
    assert row.completion == Decimal("0.4")


def test_every_year_must_pass():
    """>600 a year: a short year fails the target even if the total is ahead."""
    root, (_a,) = make_tree(1)
    term = make_term(root)
    target = make_target(
        term, judgement=Judgement.EVERY_YEAR, term_target=None, yearly_target=600,
        level=Level.COMMITTEE,
    )  # fmt: skip
    make_result(target, root, 2021, value=1500)
    make_result(target, root, 2022, value=1528)
    make_result(target, root, 2023, value=700)
    row = progress_of(target)
    assert row.actual == 3728
    assert row.expected == 1500  # 600 + 600 + 300 for half of 2023
    assert row.status == Status.EXCEEDED
    # 2023 is still running at mid-term: shown, not judged.
    assert [point.passed for point in row.years] == [True, True, None]
    # The completion is the weakest finished year's: 1.500 of 600 in 2021.
    assert (row.weakest_year, row.completion) == (2021, Decimal("2.5"))
    assert (row.reported, row.in_scope) == (1, 1)

    make_result(target, root, 2024, value=500)
    make_result(target, root, 2025, value=9000)
    at_end = progress_of(target, as_of=as_of_year(term, 2025))
    assert at_end.actual > at_end.expected
    assert at_end.status == Status.NOT_MET
    assert progress_of(target, as_of=as_of_year(term, 2024)).status == Status.NOT_YET_MET


def test_lower_is_better():
    root, (a, b) = make_tree(2)
    term = make_term(root)
    target = make_target(
        term, direction=Direction.AT_MOST, judgement=Judgement.FINAL, term_target=5
    )
    make_result(target, a, 2021, value=3)
    row = progress_of(target)
    assert row.status == Status.EXCEEDED
    assert row.completion == Decimal(5) / 3
    make_result(target, b, 2021, value=2)
    assert progress_of(target).status == Status.MET
    make_result(target, b, 2022, value=1)
    assert progress_of(target).status == Status.NOT_YET_MET
    assert progress_of(target, as_of=as_of_year(term, 2025)).status == Status.NOT_MET


def test_none_may_fail_is_judged_every_year():
    """ "No organisation failed its tasks": one failure in 2022 keeps it unmet."""
    root, (a, b) = make_tree(2)
    term = make_term(root)
    target = make_target(
        term, measure=Measure.FLAG, combine=Combine.LATEST, judgement=Judgement.EVERY_YEAR,
        direction=Direction.AT_MOST, term_target=None, yearly_target=0,
    )  # fmt: skip
    for unit in (a, b):
        make_result(target, unit, 2021, flag=False)
    make_result(target, a, 2022, flag=True)
    make_result(target, b, 2022, flag=False)
    assert progress_of(target, as_of=as_of_year(term, 2021)).status == Status.MET
    row = progress_of(target)
    assert row.actual == 1
    assert row.status == Status.NOT_YET_MET
    assert row.completion is None


def test_zero_denominators_give_no_figure_rather_than_an_error():
    """0/0 is "not applicable": no figure, no error."""
    root, (a, b) = make_tree(2)
    term = make_term(root)
    target = make_target(term, measure=Measure.RATIO, term_target=90)
    make_result(target, a, 2021, numerator=0, denominator=0)
    row = progress_of(target)
    assert row.actual is None
    assert row.status == Status.NOT_APPLICABLE
    make_result(target, b, 2021, numerator=3, denominator=4)
    assert progress_of(target).actual == 75


def test_missing_reports_show_in_coverage_and_no_data():
    root, (a, b, _c) = make_tree(3)
    term = make_term(root)
    reported = make_target(term)
    silent = make_target(term)
    make_result(reported, a, 2023, value=4)
    make_result(reported, b, 2023, value=6)
    row = progress_of(reported)
    assert (row.reported, row.in_scope) == (2, 3)
    assert row.coverage == Decimal(2) / 3
    empty = progress_of(silent)
    assert empty.status == Status.NO_DATA
    assert empty.actual is None
    assert (empty.reported, empty.in_scope) == (0, 3)


def test_results_entered_at_the_root_count_in_the_root_scope_only():
    root, (a, _b) = make_tree(2)
    term = make_term(root)
    target = make_target(term)
    make_quota(target, a, 10)
    make_result(target, root, 2021, value=5)
    make_result(target, a, 2021, value=10)
    assert progress_of(target).actual == 15
    below = progress_of(target, scope=a)
    assert below.actual == 10
    assert below.expected == 5  # the unit's term quota of 10, pro-rated to 2,5 of 5 years


def test_unit_scope_uses_quotas_and_percentages_apply_everywhere():
    root, (a, b) = make_tree(2)
    cell = make_unit(parent=a, kind=Kind.CELL)
    term = make_term(root)
    admissions = make_target(term, term_target=3200)
    share = make_target(term, measure=Measure.RATIO, combine=Combine.LATEST, term_target=90)
    for year, quota in ((2021, 10), (2022, 12), (2023, 8)):
        make_quota(admissions, a, quota, year=year)
    make_quota(admissions, cell, 99, year=2021)  # the unit's own quotas take precedence
    make_result(admissions, a, 2021, value=9)
    make_result(admissions, cell, 2022, value=20)
    make_result(share, a, 2022, numerator=9, denominator=10)
    row = progress_of(admissions, scope=a)
    assert row.actual == 29
    assert row.expected == 26  # 10 + 12 + 8 × 0,5
    assert row.status == Status.EXCEEDED
    assert progress_of(share, scope=a).expected == 90
    no_quota = progress_of(admissions, scope=b)
    assert no_quota.status == Status.NO_TARGET
    tally = term_progress(term=term, as_of=as_of_mid_term(term), scope=b).headline
    assert (tally.met, tally.total) == (0, 1)


def test_stock_prorated_from_a_baseline():
    root, (a,) = make_tree(1)
    term = make_term(root)
    target = make_target(term, combine=Combine.LATEST, term_target=40, baseline=20)
    make_result(target, a, 2022, value=31)
    assert progress_of(target).expected == 30  # 20 + (40 − 20) × 2,5 ÷ 5
    assert progress_of(target, as_of=as_of_year(term, 2025)).expected == 40


def test_units_that_left_keep_counting_where_they_reported():
    root, (a, _b) = make_tree(2)
    gone = make_unit(parent=root, kind=Kind.GRASSROOTS_CELL, is_active=False)
    make_unit(parent=root, kind=Kind.GRASSROOTS_CELL, is_active=False)  # never reported
    term = make_term(root)
    target = make_target(
        term, measure=Measure.FLAG, combine=Combine.LATEST, judgement=Judgement.FINAL,
        in_percent=True, term_target=50,
    )  # fmt: skip
    make_result(target, gone, 2021, flag=True)
    make_result(target, a, 2021, flag=False)
    row = progress_of(target)
    assert (row.numerator, row.denominator) == (1, 3)


def test_headline_and_programme_counts():
    root, (a,) = make_tree(1)
    term = make_term(root)
    programme = term.programmes.create(name="Chương trình")
    met = make_target(term, term_target=10)
    make_target(term, term_target=10)  # no data: judged, not met
    in_programme = make_target(term, term_target=10, is_headline=False, programme=programme)
    make_result(met, a, 2021, value=10)
    make_result(in_programme, a, 2021, value=10)
    progress = term_progress(term=term, as_of=as_of_mid_term(term))
    assert (progress.headline.met, progress.headline.total) == (1, 2)
    [entry] = progress.programmes
    assert (entry.tally.met, entry.tally.total) == (1, 1)


def build_sized_term(grassroots: int, cells: int, targets: int, years: int):
    root, units = make_tree(grassroots, cells)
    term = make_term(root)
    kinds = [
        {},
        {"measure": Measure.RATIO},
        {"measure": Measure.FLAG, "combine": Combine.LATEST, "judgement": Judgement.FINAL},
    ]
    for number in range(targets):
        target = make_target(term, **kinds[number % 3])
        for unit in units:
            for year in range(2021, 2021 + years):
                figure = [{"value": 3}, {"numerator": 1, "denominator": 2}, {"flag": True}]
                make_result(target, unit, year, **figure[number % 3])
            make_quota(target, unit, 5)
    return term, units


@pytest.mark.parametrize("scope_index", [None, 0])
def test_engine_runs_a_fixed_number_of_queries(django_assert_num_queries, scope_index):
    """Whatever the number of units, years and targets: 4 queries (5 below the root)."""
    small, small_units = build_sized_term(grassroots=2, cells=1, targets=3, years=1)
    large, large_units = build_sized_term(grassroots=6, cells=3, targets=7, years=3)
    expected_queries = 4 if scope_index is None else 5
    for term, units in ((small, small_units), (large, large_units)):
        scope = None if scope_index is None else units[scope_index]
        term = type(term).objects.select_related("root_unit").get(pk=term.pk)
        with django_assert_num_queries(expected_queries):
            term_progress(term=term, as_of=as_of_year(term, 2023), scope=scope)


def test_breakdown_judges_each_unit_below_the_scope_against_its_quotas():
    root, (a, b, c) = make_tree(3)
    cell = make_unit(parent=a, kind=Kind.CELL)
    term = make_term(root)
    target = make_target(term, term_target=3200)
    make_quota(target, a, 10)
    make_quota(target, b, 2)
    make_result(target, a, 2021, value=3)
    make_result(target, cell, 2022, value=4)
    make_result(target, b, 2021, value=1)
    make_result(target, root, 2021, value=50)  # the committee's own: in no unit's row
    rows = {
        row.unit: row.progress
        for row in target_breakdown(term=term, target=target, as_of=as_of_mid_term(term))
    }
    assert list(rows) == [a, b, c]
    assert (rows[a].actual, rows[a].expected, rows[a].status) == (7, 5, Status.EXCEEDED)
    assert (rows[b].actual, rows[b].expected, rows[b].status) == (1, 1, Status.MET)
    assert rows[c].status == Status.NO_TARGET
    # A flow's coverage counts the years so far: a reported in 2021.
    assert (rows[a].reported, rows[a].in_scope) == (1, 1)
    below = target_breakdown(term=term, target=target, as_of=as_of_mid_term(term), scope=a)
    assert [(row.unit, row.progress.actual) for row in below] == [(cell, 4)]


def test_breakdown_runs_a_fixed_number_of_queries(django_assert_num_queries):
    """Units below with their counts, quotas, results: three queries at any size."""
    for size in (2, 9):
        term, _units = build_sized_term(grassroots=size, cells=2, targets=3, years=2)
        term = type(term).objects.select_related("root_unit").get(pk=term.pk)
        for target in term.targets.prefetch_related("year_values"):
            with django_assert_num_queries(3):
                target_breakdown(term=term, target=target, as_of=as_of_year(term, 2022))


@pytest.mark.parametrize("scope_index", [None, 0])
def test_breakdown_gives_the_scope_the_figures_of_the_overview(scope_index):
    """The target page's own figures, added up from its units, are the overview's."""
    term, units = build_sized_term(grassroots=3, cells=2, targets=3, years=3)
    root = term.root_unit
    gone = make_unit(parent=units[1], kind=Kind.CELL, is_active=False)
    figures = {
        Measure.COUNT: {"value": 7},
        Measure.RATIO: {"numerator": 2, "denominator": 3},
        Measure.FLAG: {"flag": False},
    }
    for target in term.targets.all():
        make_result(target, root, 2021, **figures[target.measure])
        make_result(target, gone, 2022, **figures[target.measure])
    scope = None if scope_index is None else units[scope_index]
    term = type(term).objects.select_related("root_unit").get(pk=term.pk)
    for as_of in (as_of_mid_term(term), as_of_year(term, 2025)):
        overview = term_progress(term=term, as_of=as_of, scope=scope)
        for target in term.targets.prefetch_related("year_values"):
            detail = target_breakdown_progress(term=term, target=target, as_of=as_of, scope=scope)
            assert detail.progress == overview.for_target(target.pk)


def test_coverage_counts_the_active_units_it_is_measured_against():
    """A unit that left counts where it reported: in the reports and in the units of the level."""
    root, (a,) = make_tree(1)
    gone = make_unit(parent=root, kind=Kind.GRASSROOTS_CELL, is_active=False)
    term = make_term(root)
    flow = make_target(term)
    stock = make_target(term, combine=Combine.LATEST, judgement=Judgement.FINAL)
    for target in (flow, stock):
        make_result(target, a, 2022, value=1)
        make_result(target, gone, 2022, value=1)
    for target in (flow, stock):
        row = progress_of(target)
        assert row.actual == 2  # its figures still count
        assert (row.reported, row.in_scope) == (2, 2)
