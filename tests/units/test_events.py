"""Recorded reorganisations: each kind of event, its preview and every rule it checks."""

from datetime import date
from importlib import import_module

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import translation

from indicators.models import Result
from tests.factories import make_result, make_target, make_term, make_tree, make_unit
from units.events import (
    EventRefused,
    NewUnit,
    unit_dissolve,
    unit_merge,
    unit_move,
    unit_rename,
    unit_split,
)
from units.models import EndReason, EventKind, Kind, Unit, UnitPeriod

pytestmark = pytest.mark.django_db

DECISION = {"decision_number": "15-QĐ/ĐUK", "decision_date": date(2021, 12, 20)}


def placements(unit):
    return list(
        UnitPeriod.objects.filter(unit=unit)
        .order_by("start")
        .values_list("parent_id", "start", "end", "path", "first_year", "last_year")
    )


def refusal(call) -> str:
    with translation.override("en"), pytest.raises(EventRefused) as caught:
        call()
    return " ".join(caught.value.messages)


def test_a_new_unit_has_one_open_placement_and_a_correction_keeps_it_open():
    _root, (a, b) = make_tree(2)
    cell = make_unit(parent=a, kind=Kind.CELL)
    assert placements(cell) == [(a.pk, date(1900, 1, 1), None, cell.path, 1900, None)]
    cell.parent = b  # an undated change in the admin or the tree import corrects
    cell.save()
    assert placements(cell) == [(b.pk, date(1900, 1, 1), None, cell.path, 1900, None)]
    assert cell.path.startswith(b.path)


def test_the_data_migration_gives_every_unit_its_current_place():
    _root, (a, _b) = make_tree(2, cells=1)
    UnitPeriod.objects.all().delete()
    migration = import_module("units.migrations.0005_unit_periods_from_tree")
    migration.periods_from_tree(apps, None)
    assert UnitPeriod.objects.count() == Unit.objects.count()
    cell = a.children.get()
    assert placements(cell) == [(a.pk, date(1900, 1, 1), None, cell.path, 1900, None)]


def test_a_move_opens_new_placements_for_the_unit_and_its_subtree():
    _root, (x, y) = make_tree(2)
    moved = make_unit(parent=x, kind=Kind.GRASSROOTS_COMMITTEE)
    cell = make_unit(parent=moved, kind=Kind.CELL)
    old_cell_path = cell.path
    outcome = unit_move(unit=moved, parent=y, when=date(2023, 1, 15), **DECISION)
    moved.refresh_from_db()
    cell.refresh_from_db()
    assert moved.parent == y
    assert cell.path.startswith(y.path)
    assert placements(cell) == [
        (moved.pk, date(1900, 1, 1), date(2023, 1, 15), old_cell_path, 1900, 2022),
        (moved.pk, date(2023, 1, 15), None, cell.path, 2023, None),
    ]
    assert [p[0] for p in placements(moved)] == [x.pk, y.pk]
    event = moved.events.get()
    assert (event.kind, event.from_unit, event.to_unit) == (EventKind.MOVE, x, y)
    assert event.decision_number == "15-QĐ/ĐUK"
    assert str(moved) in outcome.lines[0]
    assert "15/01/2023" in outcome.lines[0]


def test_a_preview_says_what_changes_and_writes_nothing():
    _root, (x, y) = make_tree(2)
    moved = make_unit(parent=x, kind=Kind.GRASSROOTS_CELL)
    before = placements(moved)
    outcome = unit_move(unit=moved, parent=y, when=date(2023, 1, 15), preview=True, **DECISION)
    assert outcome.previewed
    assert str(y) in outcome.lines[0]
    moved.refresh_from_db()
    assert moved.parent == x
    assert placements(moved) == before
    assert not moved.events.exists()


def test_a_move_is_refused_under_itself_out_of_order_or_without_a_decision():
    _root, (x, y) = make_tree(2)
    moved = make_unit(parent=x, kind=Kind.GRASSROOTS_COMMITTEE)
    cell = make_unit(parent=moved, kind=Kind.CELL)
    assert "under itself" in refusal(
        lambda: unit_move(unit=moved, parent=cell, when=date(2023, 1, 1), **DECISION)
    )
    assert "number of the decision" in refusal(
        lambda: unit_move(unit=moved, parent=y, when=date(2023, 1, 1), decision_number=" ")
    )
    assert "already under" in refusal(
        lambda: unit_move(unit=moved, parent=x, when=date(2023, 1, 1), **DECISION)
    )
    unit_move(unit=moved, parent=y, when=date(2023, 6, 1), **DECISION)
    # Two places at once: an earlier move recorded after a later one.
    assert "earlier change" in refusal(
        lambda: unit_move(unit=moved, parent=x, when=date(2022, 6, 1), **DECISION)
    )
    assert Unit.objects.get(pk=moved.pk).parent == y


def test_dissolve_ends_the_unit_and_closes_its_placement():
    _root, (a, _b) = make_tree(2)
    unit_dissolve(unit=a, when=date(2024, 7, 1), **DECISION)
    a.refresh_from_db()
    assert (a.ended_on, a.end_year, a.end_reason, a.is_active) == (
        date(2024, 7, 1), 2024, EndReason.DISSOLVED, False,
    )  # fmt: skip
    # Dissolved in July: it existed for part of 2024, so its last placement holds 2024.
    assert placements(a)[-1][2:] == (date(2024, 7, 1), a.path, 1900, 2024)
    assert "can no longer change" in refusal(
        lambda: unit_rename(unit=a, name="Tên mới", when=date(2025, 1, 1), **DECISION)
    )


def test_dissolve_is_refused_while_units_stay_below_it():
    _root, (a,) = make_tree(1, cells=1)
    message = refusal(lambda: unit_dissolve(unit=a, when=date(2024, 1, 1), **DECISION))
    assert "still has units below it" in message
    assert Unit.objects.get(pk=a.pk).ended_on is None


def test_no_results_after_the_end_unless_the_year_was_partly_before():
    root, (a, b) = make_tree(2)
    term = make_term(root)
    target = make_target(term)
    make_result(target, a, 2024, value=3)
    make_result(target, b, 2024, value=3)
    message = refusal(lambda: unit_dissolve(unit=a, when=date(2024, 1, 1), **DECISION))
    assert "has results for 2024" in message
    unit_dissolve(unit=b, when=date(2024, 7, 1), **DECISION)  # 2024 was partly before
    b.refresh_from_db()
    late = Result(target=target, unit=b, year=2025, value=1)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        late.full_clean()
    assert "did not exist in 2025" in " ".join(caught.value.messages)


def test_merge_ends_both_units_and_moves_their_units_under_the_new_one():
    root, (a, b) = make_tree(2, cells=1)
    cell = a.children.get()
    unit_merge(
        units=[a, b],
        into=NewUnit(name="Đảng bộ hợp nhất", code="HN01"),
        when=date(2025, 7, 1),
        **DECISION,
    )
    merged = Unit.objects.get(code="HN01")
    assert (merged.parent, merged.founded_on, merged.kind) == (root, date(2025, 7, 1), a.kind)
    for unit in (a, b):
        unit.refresh_from_db()
        assert unit.end_reason == EndReason.MERGED
        assert list(unit.successors.all()) == [merged]
    cell.refresh_from_db()
    assert cell.parent == merged
    assert cell.path.startswith(merged.path)
    assert [p[0] for p in placements(cell)] == [a.pk, merged.pk]
    assert placements(merged) == [(root.pk, date(2025, 7, 1), None, merged.path, 2025, None)]
    assert set(merged.events.get().others.all()) == {a, b}


def test_merge_into_an_existing_unit():
    _root, (a, b) = make_tree(2)
    unit_merge(units=[a], into=b, when=date(2024, 3, 1), **DECISION)
    a.refresh_from_db()
    assert (a.end_reason, list(a.successors.all())) == (EndReason.MERGED, [b])
    assert "merged into itself" in refusal(
        lambda: unit_merge(units=[b], into=b, when=date(2024, 4, 1), **DECISION)
    )


def test_split_needs_a_place_for_every_unit_below_and_creates_the_successors():
    root, (a,) = make_tree(1, cells=2)
    first, second = a.children.order_by("pk")
    parts = [NewUnit(name="Đảng bộ B", code="B"), NewUnit(name="Đảng bộ C", code="C")]
    message = refusal(lambda: unit_split(unit=a, into=parts, when=date(2023, 1, 1), **DECISION))
    assert "Say which new unit" in message
    assert not Unit.objects.filter(code="B").exists()
    unit_split(
        unit=a, into=parts, when=date(2023, 1, 1), children={first.pk: 0, second.pk: 1},
        **DECISION,
    )  # fmt: skip
    b, c = Unit.objects.get(code="B"), Unit.objects.get(code="C")
    a.refresh_from_db()
    assert a.end_reason == EndReason.SPLIT
    assert set(a.successors.all()) == {b, c}
    assert Unit.objects.get(pk=first.pk).parent == b
    assert Unit.objects.get(pk=second.pk).parent == c
    assert b.parent == root
    assert b.events.get().from_unit == a


def test_rename_keeps_the_unit_and_records_the_old_name():
    _root, (a,) = make_tree(1)
    old = a.name
    unit_rename(unit=a, name="Đảng bộ mới", when=date(2022, 3, 1), **DECISION)
    a.refresh_from_db()
    assert a.name == "Đảng bộ mới"
    assert a.ended_on is None
    assert a.events.get().old_name == old
    assert "current one" in refusal(
        lambda: unit_rename(unit=a, name="Đảng bộ mới", when=date(2022, 4, 1), **DECISION)
    )


def test_a_founding_date_given_later_starts_the_first_placement():
    root, (a,) = make_tree(1)
    a.founded_on = date(2018, 3, 1)
    a.save()
    assert placements(a) == [(root.pk, date(2018, 3, 1), None, a.path, 2018, None)]
    term = make_term(root)
    target = make_target(term)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        Result(target=target, unit=a, year=2017, value=1).full_clean()
    assert "did not exist in 2017" in " ".join(caught.value.messages)
