"""Starting the next term from this one."""

import pytest

from indicators.models import (
    Frequency,
    Level,
    Programme,
    Result,
    Target,
    TargetYear,
    Term,
    UnitQuota,
)
from onboarding.terms import NewTerm, term_copy
from tests.factories import (
    make_quota,
    make_result,
    make_root,
    make_target,
    make_term,
    make_unit,
    make_user,
)
from units import roles
from units.models import Kind

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return make_user("quantri", role=roles.ADMINISTRATOR, is_staff=True)


@pytest.fixture
def old_term():
    root = make_root()
    unit = make_unit(parent=root, kind=Kind.GRASSROOTS_COMMITTEE)
    term = make_term(root)
    programme = Programme.objects.create(term=term, name="Chương trình 1", order=1)
    target = make_target(term, code="1", term_target=3200, yearly_target=600)
    make_target(
        term,
        code="CT1",
        programme=programme,
        term_target=80,
        frequency=Frequency.WHEN_IT_HAPPENS,
        level=Level.CELL,
    )
    TargetYear.objects.create(target=target, year=2021, value=550)
    TargetYear.objects.create(target=target, year=2025, value=700)
    make_quota(target, unit, 120, 2022)
    make_quota(target, unit, 640)
    make_result(target, unit, 2022, value=130)
    return term


def test_copy_takes_programmes_and_targets_with_new_years_but_no_results(admin, old_term):
    """The new term has the targets and programmes; years move; results and quotas stay."""
    new = term_copy(
        term=old_term,
        user=admin,
        new=NewTerm(
            name="Nghị quyết 2025–2030",
            root_unit=old_term.root_unit,
            congress_number=21,
            start_year=2025,
            end_year=2030,
        ),
    )
    assert sorted(new.targets.values_list("code", "term_target", "level", "frequency")) == [
        ("1", 3200, Level.GRASSROOTS, Frequency.EVERY_YEAR),
        ("CT1", 80, Level.CELL, Frequency.WHEN_IT_HAPPENS),
    ]
    assert new.programmes.get().targets.get().code == "CT1"
    assert sorted(TargetYear.objects.filter(target__term=new).values_list("year", "value")) == [
        (2026, 550),
        (2030, 700),
    ]
    assert not Result.objects.filter(target__term=new).exists()
    assert not UnitQuota.objects.filter(target__term=new).exists()
    assert Target.objects.filter(term=old_term).count() == 2, "the old term is untouched"


def test_copy_with_quotas_moves_them_to_the_new_years(admin, old_term):
    """Asked for, quotas come along under the new years."""
    new = term_copy(
        term=old_term,
        user=admin,
        with_quotas=True,
        new=NewTerm(
            name="Mới",
            root_unit=old_term.root_unit,
            congress_number=21,
            start_year=2025,
            end_year=2030,
        ),
    )
    assert sorted(
        UnitQuota.objects.filter(target__term=new).values_list("year", "value"), key=str
    ) == sorted([(2027, 120), (None, 640)], key=str)


def test_the_page_copies_under_a_chosen_committee(client, admin, old_term):
    """The form creates the term under the chosen committee and opens its targets."""
    client.force_login(admin)
    new_root = make_root("Đảng ủy Khối mới")
    page = client.get(f"/admin/setup/terms/{old_term.pk}/copy/")
    assert page.context["form"].initial["start_year"] == 2025
    response = client.post(
        f"/admin/setup/terms/{old_term.pk}/copy/",
        {
            "name": "Nghị quyết 2025–2030",
            "root_unit": new_root.pk,
            "congress_number": 1,
            "start_year": 2025,
            "end_year": 2030,
        },
    )
    new = Term.objects.get(root_unit=new_root)
    assert response["Location"] == f"/admin/setup/terms/{new.pk}/targets/"
    assert new.targets.count() == 2


def test_a_second_term_starting_the_same_year_is_refused(client, admin, old_term):
    """The committee already has a term from 2020: the form says so, nothing is created."""
    client.force_login(admin)
    response = client.post(
        f"/admin/setup/terms/{old_term.pk}/copy/",
        {
            "name": "Trùng",
            "root_unit": old_term.root_unit.pk,
            "congress_number": 21,
            "start_year": 2020,
            "end_year": 2025,
        },
    )
    assert response.status_code == 200
    assert "đã có nhiệm kỳ" in response.text
    assert Term.objects.count() == 1


def test_a_subtree_administrator_cannot_copy_the_committees_term(client, old_term):
    """The committee's term is outside a grassroots administrator's subtree."""
    unit = old_term.root_unit.children.get()
    client.force_login(make_user("bithu", unit=unit, role=roles.ADMINISTRATOR, is_staff=True))
    assert client.get(f"/admin/setup/terms/{old_term.pk}/copy/").status_code == 404
