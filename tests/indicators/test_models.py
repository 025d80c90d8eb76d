"""The database refuses inconsistent facts, whatever path they come by."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from indicators.models import MAX_COUNT, MAX_RATIO_PART, Measure, Result, to_roman
from tests.factories import (
    make_result,
    make_target,
    make_term,
    make_tree,
    make_unit,
    make_user,
)
from units import roles

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


@pytest.mark.parametrize(
    "figure",
    [
        {"value": MAX_COUNT + 1},
        {"value": 9_223_372_036_854_775_360},
        {"numerator": 1, "denominator": MAX_RATIO_PART + 1},
    ],
)
def test_database_refuses_absurd_figures(setting, figure):
    """A figure above its measure's bound cannot be stored, whatever path it comes by."""
    term, unit = setting
    target = make_target(term, measure=Measure.RATIO if "numerator" in figure else Measure.COUNT)
    with pytest.raises(IntegrityError), transaction.atomic():
        Result.objects.create(target=target, unit=unit, year=2021, **figure)


def test_clean_refuses_an_absurd_figure_in_vietnamese(setting):
    """The message names the bound, written the Vietnamese way."""
    term, unit = setting
    result = Result(target=make_target(term), unit=unit, year=2021, value=MAX_COUNT + 1)
    with pytest.raises(ValidationError) as error:
        result.clean()
    assert error.value.message_dict["value"] == ["Con số quá lớn: tối đa 1.000.000.000.000."]


def test_figures_at_their_bounds_add_up_without_overflow(setting, client):
    """Many results at the largest figure: the roll-up and the overview still add them."""
    term, unit = setting
    target = make_target(term, term_target=1)
    units = [unit, *(make_unit(parent=term.root_unit) for _number in range(4))]
    for each in units:
        for year in term.years:
            make_result(target, each, year, value=MAX_COUNT)
    client.force_login(make_user("lanhdao", role=roles.LEADER))
    response = client.get(f"/?as_of=end&term={term.pk}")
    assert response.status_code == 200
    total = len(units) * len(term.years) * MAX_COUNT
    assert f"{total:,}".replace(",", ".") in response.content.decode()
