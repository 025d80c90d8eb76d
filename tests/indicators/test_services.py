"""Every write goes through result_save: approved years and lost updates are refused."""

import pytest

from indicators.models import Result, UnitYear, YearState
from indicators.services import StaleResult, YearLocked, result_save, unit_year_locked
from tests.factories import make_result, make_target, make_term, make_tree, make_unit, make_user
from units import roles
from units.models import Kind

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    root, (unit, other) = make_tree(2)
    cell = make_unit(parent=unit, kind=Kind.CELL)
    term = make_term(root)
    target = make_target(term)
    clerk = make_user("nhaplieu", unit=unit, role=roles.CLERK)
    return {"unit": unit, "other": other, "cell": cell, "target": target, "clerk": clerk}


def test_an_approved_year_locks_the_unit_and_its_cells(setting):
    UnitYear.objects.create(unit=setting["unit"], year=2021, state=YearState.APPROVED)
    assert unit_year_locked(unit=setting["cell"], year=2021)
    assert not unit_year_locked(unit=setting["cell"], year=2022)
    assert not unit_year_locked(unit=setting["other"], year=2021)
    with pytest.raises(YearLocked):
        result_save(
            result=Result(target=setting["target"], unit=setting["cell"], year=2021, value=3),
            user=setting["clerk"],
        )
    assert Result.objects.count() == 0


def test_a_stale_form_is_refused_and_the_newer_value_kept(setting):
    result = make_result(setting["target"], setting["unit"], 2021, value=5)
    opened_on = result.version
    first = Result.objects.get(pk=result.pk)
    first.value = 6
    result_save(result=first, user=setting["clerk"], expected_version=opened_on)
    second = Result.objects.get(pk=result.pk)
    second.value = 7
    with pytest.raises(StaleResult):
        result_save(result=second, user=setting["clerk"], expected_version=opened_on)
    stored = Result.objects.get(pk=result.pk)
    assert (stored.value, stored.version, stored.updated_by) == (6, 2, setting["clerk"])
