"""The set-up hub at /admin/setup/: the steps, each term's imports and quota grids."""

import pytest

from tests.factories import make_root, make_target, make_term, make_unit, make_user
from units import roles
from units.models import Kind

pytestmark = pytest.mark.django_db


def test_the_hub_lists_each_terms_targets_in_a_fixed_number_of_queries(
    client, django_assert_max_num_queries
):
    """Three terms of ten targets cost no more queries than one; each target has its grid."""
    root = make_root()
    make_unit(parent=root, kind=Kind.GRASSROOTS_COMMITTEE)
    client.force_login(make_user("quantri", role=roles.ADMINISTRATOR, is_staff=True))
    for start in (2010, 2015, 2020):
        term = make_term(root, start_year=start, end_year=start + 5)
        for number in range(10):
            make_target(term, code=f"{start}-{number}")
    with django_assert_max_num_queries(10):
        response = client.get("/admin/setup/")
    assert "Hiện có 2 đơn vị." in response.text
    assert response.text.count("10 chỉ tiêu.") == 3
    assert f'href="/admin/setup/targets/{term.targets.first().pk}/quotas/"' in response.text
    assert "None" not in response.text


def test_a_subtree_administrator_sees_only_their_units_and_terms(client):
    """The hub counts the user's subtree and lists only the terms of committees inside it."""
    root = make_root()
    mine = make_unit(parent=root, kind=Kind.GRASSROOTS_COMMITTEE)
    make_unit(parent=mine, kind=Kind.CELL)
    make_term(root)
    own = make_term(mine)
    client.force_login(make_user("bithu", unit=mine, role=roles.ADMINISTRATOR, is_staff=True))
    response = client.get("/admin/setup/")
    assert "Hiện có 2 đơn vị." in response.text
    assert [term.pk for term in response.context["terms"]] == [own.pk]
