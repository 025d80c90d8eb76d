"""The unit tree is a materialised path: a subtree is one indexed query."""

import pytest
from django.core.exceptions import ValidationError

from tests.factories import make_root, make_unit
from units.models import Kind, Unit

pytestmark = pytest.mark.django_db


def test_subtree_is_one_query_whatever_the_depth(django_assert_num_queries):
    root = make_root()
    parent = root
    for _depth in range(6):
        parent = make_unit(parent=parent, kind=Kind.CELL)
    make_unit(parent=root)
    with django_assert_num_queries(1):
        assert len(Unit.objects.subtree(root)) == 8
    assert parent.depth == 7
    assert next(iter(Unit.objects.ancestors(parent))) == root


def test_moving_a_unit_moves_its_subtree():
    root = make_root()
    old, new = make_unit(parent=root), make_unit(parent=root)
    child = make_unit(parent=old, kind=Kind.CELL)
    grandchild = make_unit(parent=child, kind=Kind.CELL)
    child.parent = new
    child.save()
    grandchild.refresh_from_db()
    assert grandchild.is_in(new)
    assert not grandchild.is_in(old)
    assert grandchild.depth == 4
    assert set(Unit.objects.subtree(new)) == {new, child, grandchild}


def test_a_unit_cannot_move_under_itself():
    root = make_root()
    unit = make_unit(parent=root)
    child = make_unit(parent=unit, kind=Kind.CELL)
    unit.parent = child
    with pytest.raises(ValidationError, match="trực thuộc chính nó"):
        unit.full_clean()
