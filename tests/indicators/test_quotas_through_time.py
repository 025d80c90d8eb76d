"""Quotas read the tree of their year: a quota for a year counts where its unit stood."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from indicators.engine import parse_as_of, target_breakdown_progress, term_progress
from tests.factories import make_quota, make_root, make_target, make_term, make_unit
from units.events import unit_move
from units.models import Kind

pytestmark = pytest.mark.django_db


@pytest.fixture
def moved():
    root = make_root()
    old = make_unit("Đảng bộ X", parent=root, kind=Kind.GRASSROOTS_COMMITTEE)
    new = make_unit("Đảng bộ Y", parent=root, kind=Kind.GRASSROOTS_COMMITTEE)
    cell = make_unit("Chi bộ Kho vận", parent=old, kind=Kind.CELL)
    term = make_term(root)
    yearly = make_target(term, code="1")
    whole = make_target(term, code="2")
    for year in term.years:
        make_quota(yearly, cell, 3, year=year)
    make_quota(whole, cell, 10)
    unit_move(unit=cell, parent=new, when=date(2023, 1, 15), decision_number="12-QĐ/ĐUK")
    return {"root": root, "old": old, "new": new, "term": term, "yearly": yearly, "whole": whole}


def planned_by_branch(moved, target, as_of: str) -> dict[str, Decimal | None]:
    term = moved["term"]
    breakdown = target_breakdown_progress(
        term=term, target=target, as_of=parse_as_of(term, as_of), scope=moved["root"]
    )
    return {row.unit.name: row.progress.planned for row in breakdown.units}


def test_a_yearly_quota_counts_where_its_unit_stood_that_year(moved):
    """2021–2022 (3 + 3) stay X's after the move in 2023; 2023–2025 (3 × 3) are Y's."""
    assert planned_by_branch(moved, moved["yearly"], "2025") == {
        "Đảng bộ X": Decimal(6),
        "Đảng bộ Y": Decimal(9),
    }
    term = moved["term"]
    x = term_progress(term=term, as_of=parse_as_of(term, "2025"), scope=moved["old"])
    assert next(t for t in x.targets if t.target.code == "1").planned == Decimal(6)


def test_a_quota_for_the_whole_term_goes_with_its_unit(moved):
    planned = planned_by_branch(moved, moved["whole"], "2025")
    assert planned["Đảng bộ Y"] == Decimal(10)
    assert planned["Đảng bộ X"] is None
