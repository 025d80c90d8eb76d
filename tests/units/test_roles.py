"""The four roles, as the migrations leave them: who may do what."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from tests.factories import make_root, make_tree, make_user
from units import roles
from units.roles import sync_roles

pytestmark = pytest.mark.django_db


def permissions_of(role: str) -> set[str]:
    return {
        f"{permission.content_type.app_label}.{permission.codename}"
        for permission in Group.objects.get(name=role).permissions.select_related("content_type")
    }


def test_a_leader_reads_everything_and_may_change_nothing():
    """Leaders hold view permissions only."""
    granted = permissions_of(roles.LEADER)
    assert "indicators.view_result" in granted
    assert "indicators.view_unityear" in granted
    assert all(codename.split(".")[1].startswith("view_") for codename in granted)


def test_a_clerk_enters_results_and_submits_years_but_approves_nothing():
    """Clerks enter and submit; no users, groups, targets, quotas or approval."""
    granted = permissions_of(roles.CLERK)
    assert {
        "indicators.add_result",
        "indicators.change_result",
        "indicators.view_unityear",
        "indicators.add_unityear",
        "indicators.change_unityear",
    } <= granted
    assert "indicators.approve_unityear" not in granted
    for forbidden in (
        "units.view_user",
        "units.change_user",
        "auth.view_group",
        "indicators.change_target",
        "indicators.change_unitquota",
        "units.change_unit",
    ):
        assert forbidden not in granted


def test_a_reviewer_approves_and_an_administrator_manages():
    """Reviewers approve; administrators also manage users, targets and lockouts."""
    assert "indicators.approve_unityear" in permissions_of(roles.REVIEWER)
    assert "units.change_user" not in permissions_of(roles.REVIEWER)
    administrator = permissions_of(roles.ADMINISTRATOR)
    assert {
        "indicators.approve_unityear",
        "indicators.change_target",
        "units.change_user",
        "axes.delete_accessattempt",
    } <= administrator


def test_user_permissions_follow_the_group():
    """A user's permissions are their group's."""
    clerk = make_user("nhaplieu", unit=make_root(), role=roles.CLERK, is_staff=True)
    assert clerk.has_perm("indicators.change_result")
    assert not clerk.has_perm("indicators.approve_unityear")


def test_syncing_the_roles_again_changes_nothing():
    """Running sync_roles again, as a later migration does, is idempotent."""
    before = {role: permissions_of(role) for role in roles.ROLES}
    # As a migration runs it: on the historical models.
    sync_roles(MigrationLoader(connection).project_state().apps, strict=True)
    assert {role: permissions_of(role) for role in roles.ROLES} == before


def test_an_administrator_of_a_unit_cannot_free_an_account_from_its_unit(client):
    """Clearing the unit would lift the account's scope: the admin form refuses it."""
    _root, (unit,) = make_tree(1)
    admin_user = make_user("quantri-cs", unit=unit, role=roles.ADMINISTRATOR, is_staff=True)
    client.force_login(admin_user)
    url = f"/admin/units/user/{admin_user.pk}/change/"
    data = {
        "username": admin_user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "is_staff": "on",
        "groups": [group.pk for group in admin_user.groups.all()],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "01/01/2026",
        "date_joined_1": "08:00:00",
        "unit": "",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["unit"]
    data["unit"] = str(unit.pk)
    assert client.post(url, data).status_code == 302  # the same form with the unit saves
    admin_user.refresh_from_db()
    assert admin_user.unit == unit
