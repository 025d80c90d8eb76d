"""The database refuses inconsistent facts, whatever path they come by."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from indicators.models import Measure, Result, to_roman
from tests.factories import make_result, make_target, make_term, make_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    root, (unit,) = make_tree(1)
    term = make_term(root)
    return term, unit


@pytest.mark.parametrize(
    "figure",
    [
        {"value": -1},
        {"numerator": 3, "denominator": 2},
        {"numerator": -1, "denominator": 2},
        {"value": 1, "flag": True},
        {},
    ],
)
def test_database_refuses_inconsistent_results(setting, figure):
    term, unit = setting
    target = make_target(term)
    with pytest.raises(IntegrityError), transaction.atomic():
        Result.objects.create(target=target, unit=unit, year=2021, **figure)


def test_database_refuses_a_second_result_for_the_same_unit_and_year(setting):
    term, unit = setting
    target = make_target(term)
    make_result(target, unit, 2021, value=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_result(target, unit, 2021, value=2)


def test_clean_names_the_field_at_fault(setting):
    term, unit = setting
    ratio = make_target(term, measure=Measure.RATIO, term_target=90)
    result = Result(target=ratio, unit=unit, year=2026, value=3)
    with pytest.raises(ValidationError) as error:
        result.full_clean()
    assert set(error.value.message_dict) >= {"year", "numerator", "denominator", "value"}


def test_targets_refuse_impossible_settings(setting):
    term, _unit = setting
    target = make_target(term, measure=Measure.FLAG, term_target=120, in_percent=True,
                         combine="latest")  # fmt: skip
    target.combine = "sum"
    with pytest.raises(ValidationError) as error:
        target.full_clean()
    assert set(error.value.message_dict) >= {"combine", "term_target"}


def test_congress_number_in_roman_numerals():
    assert [to_roman(n) for n in (13, 20, 14, 9, 40)] == ["XIII", "XX", "XIV", "IX", "XL"]
