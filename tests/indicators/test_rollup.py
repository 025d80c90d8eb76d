"""The roll-up the engine reads near the top is never stale: it equals the results' sums."""

import pytest

from indicators.demo import demo_load
from indicators.engine import _result_sums, as_of_mid_term, as_of_year
from indicators.models import Combine, Judgement, Measure, Result
from tests.factories import make_result, make_target, make_term, make_tree, make_unit
from units.models import Kind, Unit

pytestmark = pytest.mark.django_db


def assert_rollup_exact(term, scopes=None):
    scopes = scopes or [term.root_unit, *Unit.objects.filter(parent=term.root_unit)]
    for as_of in (
        as_of_year(term, term.years[0]),
        as_of_mid_term(term),
        as_of_year(term, term.end_year),
    ):
        for scope in scopes:
            for by_branch in (False, True):
                kwargs = {"term": term, "scope": scope, "as_of": as_of, "by_branch": by_branch}
                rolled = _result_sums(**kwargs, use_rollup=True)
                scanned = _result_sums(**kwargs, use_rollup=False)
                assert rolled == scanned, (scope, as_of, by_branch)


def test_demo_rollup_equals_the_results():
    report = demo_load(password="demo-password-for-tests")
    assert_rollup_exact(report.term)


def test_rollup_follows_every_kind_of_write():
    root, (a, b) = make_tree(2, cells=2)
    term = make_term(root)
    flow = make_target(term)
    stock = make_target(
        term, measure=Measure.FLAG, combine=Combine.LATEST, judgement=Judgement.FINAL,
        in_percent=True, term_target=50,
    )  # fmt: skip
    cell = Unit.objects.filter(parent=a).first()
    result = make_result(flow, cell, 2021, value=3)
    make_result(flow, root, 2022, value=4)
    make_result(stock, cell, 2021, flag=True)
    make_result(stock, cell, 2023, flag=False)
    make_result(stock, b, 2022, flag=True)
    assert_rollup_exact(term)

    result.value = 9  # an edit
    result.save()
    assert_rollup_exact(term)

    result.unit = b  # a result moved to another branch
    result.save()
    assert_rollup_exact(term)

    Result.objects.filter(target=stock, year=2023).delete()  # a delete
    assert_rollup_exact(term)

    cell.is_active = False  # a unit leaves
    cell.save()
    assert_rollup_exact(term)

    cell.parent = b  # a unit moves to another organisation
    cell.save()
    assert_rollup_exact(term)

    b.kind = Kind.GRASSROOTS_CELL  # a unit changes kind
    b.save()
    deep = make_unit(parent=cell, kind=Kind.CELL)
    make_result(flow, deep, 2021, value=2)
    assert_rollup_exact(term, scopes=[root, a, b, cell])


def test_rollup_follows_the_committee_moving_and_units_leaving_it():
    """A bloc reorganised under a new parent, a unit moved out of the committee."""
    root, (a, b) = make_tree(2, cells=1)
    term = make_term(root)
    target = make_target(term)
    make_result(target, a, 2021, value=5)
    make_result(target, b, 2021, value=7)
    make_result(target, root, 2021, value=1)

    province = make_unit(kind=Kind.BLOC)
    root.parent = province
    root.save()
    term.root_unit.refresh_from_db()
    assert_rollup_exact(term)
    mid = as_of_mid_term(term)
    assert _result_sums(term=term, scope=term.root_unit, as_of=mid)[""][target.pk]

    b.parent = province  # b leaves the committee; its results stay where they were
    b.save()
    term.root_unit.refresh_from_db()
    assert_rollup_exact(term)
    totals = _result_sums(term=term, scope=term.root_unit, as_of=mid)[""][target.pk][2021]
    assert sum(sums.value for sums in totals.values()) == 6
