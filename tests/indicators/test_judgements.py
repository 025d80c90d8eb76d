"""Judgements a committee can sign: plans, every-year targets, percent targets, 0/0.

Each case is computed by hand in its docstring or comments.
"""

from decimal import Decimal

import pytest

from indicators.demo import demo_load
from indicators.engine import (
    Status,
    as_of_mid_term,
    as_of_year,
    target_breakdown,
    term_progress,
)
from indicators.models import Combine, Direction, Judgement, Level, Measure, Target, Term
from reports.templatetags.progress import actual, completion
from tests.factories import make_quota, make_result, make_target, make_term, make_tree
from units.models import Unit

pytestmark = pytest.mark.django_db


def progress_of(target, *, as_of=None, scope=None):
    term = target.term
    result = term_progress(term=term, as_of=as_of or as_of_mid_term(term), scope=scope)
    return result.for_target(target.pk)


# Plans -----------------------------------------------------------------------


def test_a_flow_planned_by_yearly_quotas_is_expected_in_full_at_the_end():
    """Quotas of 9 a year for 2021–2025: plan 45; 36 expected at 2024, 45 at the end."""
    root, (a,) = make_tree(1)
    term = make_term(root)
    target = make_target(term, term_target=3200)
    for year in term.years:
        make_quota(target, a, 9, year=year)
    for year, value in ((2021, 8), (2022, 10), (2023, 6), (2024, 6)):
        make_result(target, a, year, value=value)
    at_2024 = progress_of(target, as_of=as_of_year(term, 2024), scope=a)
    assert (at_2024.actual, at_2024.expected, at_2024.planned) == (30, 36, 45)
    assert at_2024.status == Status.NOT_YET_MET
    assert completion(at_2024) == "đạt 83%"  # 30 ÷ 36 = 83,3%
    at_end = progress_of(target, as_of=as_of_year(term, 2025), scope=a)
    assert (at_end.actual, at_end.expected, at_end.planned) == (30, 45, 45)
    assert at_end.status == Status.NOT_MET
    assert completion(at_end) == "đạt 67%"  # 30 ÷ 45 = 66,7%
    mid = progress_of(target, scope=a)
    assert mid.expected == Decimal("22.5")  # 9 + 9 + 9 × 0,5
    assert mid.planned == 45


def test_a_yearly_resolution_figure_plans_the_term_as_the_sum_of_its_years():
    """600 a year over five years: the plan for the term is 3.000."""
    root, _units = make_tree(1)
    term = make_term(root)
    target = make_target(
        term, term_target=None, yearly_target=600, level=Level.COMMITTEE,
        judgement=Judgement.FINAL,
    )  # fmt: skip
    term.targets.get(pk=target.pk).year_values.create(year=2025, value=800)
    make_result(target, root, 2021, value=900)
    row = progress_of(target)
    assert row.planned == 3200  # 600 × 4 + 800
    assert row.expected == 3200  # judged against the final figure
    assert row.status == Status.NOT_YET_MET


def test_demo_cs001_admissions_at_2024_and_at_the_end():
    """Demo unit CS001: 30 admitted against quotas of 9 a year (45 for the term).

    Before this rule the end of term read "333% Vượt" (30 ÷ the last year's 9).
    """
    demo_load(password="demo-password-for-tests")
    term = Term.objects.get(root_unit__code="KHOI")
    admissions = Target.objects.get(term=term, code="1")
    cs001 = Unit.objects.get(code="CS001")
    quotas = list(admissions.quotas.filter(unit=cs001).values_list("value", flat=True))
    assert quotas == [9] * 5
    at_2024 = progress_of(admissions, as_of=as_of_year(term, 2024), scope=cs001)
    assert (at_2024.actual, at_2024.expected, at_2024.planned) == (30, 36, 45)
    assert (completion(at_2024), at_2024.status) == ("đạt 83%", Status.NOT_YET_MET)
    at_end = progress_of(admissions, as_of=as_of_year(term, 2025), scope=cs001)
    assert (at_end.actual, at_end.expected, at_end.planned) == (30, 45, 45)
    assert (completion(at_end), at_end.status) == ("đạt 67%", Status.NOT_MET)
    # The target page's unit table shows the same plan for the term and expected figure.
    rows = target_breakdown(term=term, target=admissions, as_of=as_of_year(term, 2024))
    row = next(entry.progress for entry in rows if entry.unit == cs001)
    assert (row.planned, row.expected) == (45, 36)


# Every-year targets ---------------------------------------------------------------


def every_year_target(term, **fields):
    defaults = {
        "judgement": Judgement.EVERY_YEAR,
        "term_target": None,
        "yearly_target": 600,
        "level": Level.COMMITTEE,
    }
    return make_target(term, **(defaults | fields))


def test_finished_years_without_a_figure_mean_the_target_cannot_be_met():
    """>600 a year, 1.500 and 1.528 in 2021–2022, nothing after: "thiếu số liệu năm …"."""
    root, _units = make_tree(1)
    term = make_term(root)
    target = every_year_target(term)
    make_result(target, root, 2021, value=1500)
    make_result(target, root, 2022, value=1528)
    make_result(target, root, 2023, value=700)
    at_end = progress_of(target, as_of=as_of_year(term, 2025))
    assert at_end.missing_years == (2024, 2025)
    assert at_end.status == Status.NOT_MET
    assert completion(at_end) == "thiếu số liệu năm 2024, 2025"
    at_2024 = progress_of(target, as_of=as_of_year(term, 2024))
    assert (at_2024.status, completion(at_2024)) == (Status.NOT_YET_MET, "thiếu số liệu năm 2024")
    # At mid-term 2023 is still running: neither missing nor judged.
    mid = progress_of(target)
    assert mid.missing_years == ()
    assert mid.status == Status.EXCEEDED
    assert completion(mid) == "năm 2021 đạt 250% (vượt 150%)"  # 1.500 ÷ 600


def test_demo_target_2_at_the_end_lacks_2024_and_2025():
    demo_load(password="demo-password-for-tests")
    term = Term.objects.get(root_unit__code="KHOI")
    progress = term_progress(term=term, as_of=as_of_year(term, 2025))
    trained = next(row for row in progress.targets if row.target.code == "2")
    assert trained.actual == 3728
    assert trained.status == Status.NOT_MET
    assert completion(trained) == "thiếu số liệu năm 2024, 2025"
    assert progress.headline.lacking >= 1


def test_a_failed_year_is_named_even_when_the_total_is_ahead():
    """570 in 2023 against 600: "năm 2023 đạt 95%", whatever the other years gave."""
    root, _units = make_tree(1)
    term = make_term(root)
    target = every_year_target(term)
    for year, value in ((2021, 1500), (2022, 900), (2023, 570), (2024, 700), (2025, 650)):
        make_result(target, root, year, value=value)
    row = progress_of(target, as_of=as_of_year(term, 2025))
    assert row.actual > row.expected  # 4.320 against 3.000
    assert row.status == Status.NOT_MET
    assert (row.weakest_year, row.completion) == (2023, Decimal("0.95"))
    assert completion(row) == "năm 2023 đạt 95%"
    assert "vượt" not in completion(row)


def test_every_year_level_is_judged_on_the_last_finished_year():
    """90% of units each year: 2/2 in 2021, 1/2 in 2022 fails; 2023 running at mid-term."""
    root, (a, b) = make_tree(2)
    term = make_term(root)
    target = make_target(
        term, measure=Measure.FLAG, combine=Combine.LATEST, judgement=Judgement.EVERY_YEAR,
        in_percent=True, term_target=None, yearly_target=90,
    )  # fmt: skip
    for unit in (a, b):
        make_result(target, unit, 2021, flag=True)
    make_result(target, a, 2022, flag=True)
    make_result(target, b, 2022, flag=False)
    make_result(target, b, 2023, flag=True)
    row = progress_of(target)
    assert row.status == Status.NOT_YET_MET
    assert completion(row) == "năm 2022: 50% / yêu cầu ≥ 90%"


# Phrases never contradict the status -------------------------------------------


def test_a_percent_target_shows_the_level_against_the_level_required():
    """5/6 = 83,3% against ≥ 90%: no "đạt 93%" beside "Không đạt"."""
    root, (a,) = make_tree(1)
    term = make_term(root)
    target = make_target(term, measure=Measure.RATIO, combine=Combine.LATEST, term_target=90)
    make_result(target, a, 2025, numerator=5, denominator=6)
    row = progress_of(target, as_of=as_of_year(term, 2025))
    assert row.status == Status.NOT_MET
    assert row.completion is None
    assert completion(row) == "83,3% / yêu cầu ≥ 90%"
    assert row.status.label == "Không đạt"
    assert progress_of(target, as_of=as_of_year(term, 2024)).status.label == "Chưa có số liệu"


def test_a_level_reads_the_same_in_the_figure_and_the_phrase():
    """1.063/1.117 is 95,17%: "(95,2%)" and "95,2% / yêu cầu ≥ 100%", not 95,1% beside
    95,2%; but 8.999/10.000 against ≥ 90% reads 89,9% twice, never 90,0%."""
    root, (a,) = make_tree(1)
    term = make_term(root)
    target = make_target(term, measure=Measure.RATIO, combine=Combine.LATEST, term_target=100)
    make_result(target, a, 2025, numerator=1063, denominator=1117)
    row = progress_of(target, as_of=as_of_year(term, 2025))
    assert row.status == Status.NOT_MET
    assert actual(row) == "1.063/1.117 (95,2%)"
    assert completion(row) == "95,2% / yêu cầu ≥ 100%"
    near = make_target(term, measure=Measure.RATIO, combine=Combine.LATEST, term_target=90)
    make_result(near, a, 2025, numerator=8999, denominator=10000)
    row = progress_of(near, as_of=as_of_year(term, 2025))
    assert row.status == Status.NOT_MET
    assert actual(row) == "8.999/10.000 (89,9%)"
    assert completion(row) == "89,9% / yêu cầu ≥ 90%"


def test_a_near_miss_is_never_rounded_up_to_met():
    """899 of 900 expected is 99,9%: shown as "đạt 99%", not "đạt 100%" beside "Chưa đạt"."""
    root, (a,) = make_tree(1)
    term = make_term(root)
    target = make_target(term, term_target=1800)
    make_result(target, a, 2021, value=899)
    row = progress_of(target, as_of=as_of_mid_term(term))
    assert row.expected == 900
    assert row.status == Status.NOT_YET_MET
    assert completion(row) == "đạt 99%"


def test_exceeded_only_is_worded_exceeded():
    root, (a,) = make_tree(1)
    term = make_term(root)
    target = make_target(term, direction=Direction.AT_MOST, judgement=Judgement.FINAL,
                         term_target=5)  # fmt: skip
    make_result(target, a, 2021, value=4)
    row = progress_of(target)
    assert (row.status, completion(row)) == (Status.EXCEEDED, "đạt 125% (vượt 25%)")
    make_result(target, a, 2022, value=2)
    row = progress_of(target)
    assert (row.status, completion(row)) == (Status.NOT_YET_MET, "đạt 83%")  # 5 ÷ 6


# 0/0 -------------------------------------------------------------------------------


def test_zero_over_zero_is_not_applicable_and_adds_nothing():
    """0/0 is reported ("không áp dụng"); beside 3/4 it adds nothing: 75%."""
    root, (a, b) = make_tree(2)
    term = make_term(root)
    target = make_target(term, measure=Measure.RATIO, combine=Combine.SUM, term_target=50)
    make_result(target, a, 2021, numerator=0, denominator=0)
    row = progress_of(target)
    assert row.status == Status.NOT_APPLICABLE
    assert completion(row) == "không áp dụng"
    assert row.reported == 1
    make_result(target, b, 2021, numerator=3, denominator=4)
    row = progress_of(target)
    assert (row.actual, row.numerator, row.denominator) == (75, 3, 4)
    assert row.reported == 2
