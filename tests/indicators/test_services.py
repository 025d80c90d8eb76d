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


def test_a_delete_in_an_approved_year_is_refused(setting):
    """Deleting through the guarded write refuses an approved year and keeps the row."""
    from indicators.services import result_delete

    result = make_result(setting["target"], setting["cell"], 2021, value=5)
    UnitYear.objects.create(unit=setting["unit"], year=2021, state=YearState.APPROVED)
    with pytest.raises(YearLocked):
        result_delete(results=[result], user=setting["clerk"])
    assert Result.objects.filter(pk=result.pk).exists()


def test_a_guarded_write_names_rows_saved_since_they_were_seen(setting):
    """Rows changed or created after the user saw them are refused and named; nothing is written."""
    from indicators.services import ResultChange, StaleResults, results_write

    changed = make_result(setting["target"], setting["unit"], 2021, value=5)
    Result.objects.filter(pk=changed.pk).update(version=2, value=6)
    made_meanwhile = make_result(setting["target"], setting["cell"], 2021, value=1)
    mine = Result.objects.get(pk=changed.pk)
    mine.value = 70
    with pytest.raises(StaleResults) as refused:
        results_write(
            changes=[
                ResultChange(result=mine, seen_version=1),
                ResultChange(
                    result=Result(
                        target=setting["target"], unit=setting["cell"], year=2021, value=9
                    ),
                    seen_version=0,
                ),
            ],
            user=setting["clerk"],
        )
    assert {result.pk for result in refused.value.results} == {changed.pk, made_meanwhile.pk}
    assert sorted(Result.objects.values_list("value", flat=True)) == [1, 6]


def test_a_guarded_write_advances_versions_and_writes_history(setting):
    """Each written row gets the next version and a history row by the user."""
    from indicators.services import ResultChange, results_write

    stored = make_result(setting["target"], setting["unit"], 2021, value=5)
    stored.value = 8
    report = results_write(
        changes=[
            ResultChange(result=stored, seen_version=1),
            ResultChange(
                result=Result(target=setting["target"], unit=setting["cell"], year=2021, value=9),
                seen_version=0,
            ),
        ],
        user=setting["clerk"],
    )
    assert (report.created, report.updated) == (1, 1)
    stored.refresh_from_db()
    assert (stored.value, stored.version, stored.updated_by) == (8, 2, setting["clerk"])
    newest = stored.history.first()
    assert (newest.value, newest.version, newest.history_user) == (8, 2, setting["clerk"])
    created = Result.objects.get(unit=setting["cell"])
    assert (created.version, created.created_by) == (1, setting["clerk"])
    assert created.history.get().history_user == setting["clerk"]
