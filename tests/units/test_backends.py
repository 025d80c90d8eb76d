"""The session's user arrives with their permissions read in the same query."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission

from tests.factories import make_root, make_user
from units import roles
from units.backends import UnitModelBackend

pytestmark = pytest.mark.django_db


def test_permissions_read_with_the_user_are_django_own(django_assert_num_queries):
    """Own and group permissions, duplicates merged: exactly ModelBackend's answer."""
    root = make_root()
    clerk = make_user("vanthu", unit=root, role=roles.CLERK)
    clerk.user_permissions.add(
        Permission.objects.get(codename="view_unit"),  # also held through the group
        Permission.objects.get(codename="delete_unityear"),  # held only by this user
    )
    expected = ModelBackend().get_all_permissions(clerk)
    assert "indicators.delete_unityear" in expected
    assert "indicators.add_result" in expected

    with django_assert_num_queries(1):
        user = UnitModelBackend().get_user(clerk.pk)
        assert user.unit == root
        assert user.get_all_permissions() == expected
        assert user.has_perm("indicators.add_result")
        assert not user.has_perm("indicators.approve_unityear")


def test_a_user_without_permissions_has_none():
    nobody = make_user("khach")
    user = UnitModelBackend().get_user(nobody.pk)
    assert user.get_all_permissions() == set()
    assert not user.has_perm("indicators.view_result")


def test_an_inactive_user_is_not_loaded():
    gone = make_user("danghi", is_active=False)
    assert UnitModelBackend().get_user(gone.pk) is None
