"""The admin page that records a reorganisation: preview, confirm, refusals, scope."""

import pytest

from tests.factories import make_tree, make_unit, make_user
from units import roles
from units.models import Kind, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    root, (x, y) = make_tree(2)
    for unit in (x, y):
        unit.kind = Kind.GRASSROOTS_COMMITTEE
        unit.save()
    cell = make_unit("Chi bộ Kho bạc", parent=x, kind=Kind.CELL)
    return root, x, y, cell


def post(client, unit, **data):
    form = {"event": "move", "when": "01/02/2023", "decision_number": "12-QĐ/ĐUK", **data}
    return client.post(f"/admin/units/unit/{unit.pk}/reorganise/", form)


def test_a_move_is_previewed_in_vietnamese_then_confirmed(client, tree):
    _root, x, y, cell = tree
    client.force_login(make_user("quantri", role=roles.ADMINISTRATOR, is_staff=True))
    page = client.get(f"/admin/units/unit/{cell.pk}/change/").content.decode()
    assert "Ghi nhận thay đổi tổ chức" in page
    preview = post(client, cell, parent=y.pk, preview="1").content.decode()
    assert f"{cell} chuyển từ {x} sang {y}" in preview
    assert Unit.objects.get(pk=cell.pk).parent == x  # nothing saved yet
    response = post(client, cell, parent=y.pk, confirm="1")
    assert response.status_code == 302
    assert Unit.objects.get(pk=cell.pk).parent == y
    page = client.get(f"/admin/units/unit/{cell.pk}/change/").content.decode()
    assert f"chuyển từ {x} sang {y} 02/2023 theo QĐ số 12-QĐ/ĐUK" in page


def test_a_refused_event_lists_why_and_saves_nothing(client, tree):
    _root, x, _y, cell = tree
    client.force_login(make_user("quantri", role=roles.ADMINISTRATOR, is_staff=True))
    page = post(client, x, event="dissolve", confirm="1").content.decode()
    assert "vẫn còn đơn vị trực thuộc" in page
    assert Unit.objects.get(pk=x.pk).ended_on is None
    page = post(client, cell, event="move", when="31/02/2023", preview="1")
    assert page.status_code == 200


def test_a_unit_outside_the_scope_is_not_found(client, tree):
    _root, x, y, cell = tree
    client.force_login(make_user("quantri_y", unit=y, role=roles.ADMINISTRATOR, is_staff=True))
    assert client.get(f"/admin/units/unit/{cell.pk}/reorganise/").status_code in (302, 404)
    assert post(client, cell, parent=y.pk, confirm="1").status_code in (302, 404)
    assert Unit.objects.get(pk=cell.pk).parent == x
    assert Unit.objects.get(pk=cell.pk).ended_on is None


@pytest.mark.parametrize(
    "data",
    [
        {"when": "99/99/99999", "decision_number": "x"},
        {"when": "01/01/2023", "decision_number": "a\x00b", "parent": "999999999999999999999"},
        {"event": "merge", "merge_with": ["abc"], "new_units": "no semicolon"},
        {"event": "merge", "new_units": "HN1; Chi bộ hợp nhất\nHN2; Khác"},
        {"event": "split", "new_units": "S1; Một"},
        {"event": "nothing"},
    ],
)
def test_bad_input_is_a_message_never_an_error_page(client, tree, data):
    _root, x, _y, cell = tree
    client.force_login(make_user("quantri", role=roles.ADMINISTRATOR, is_staff=True))
    response = post(client, cell, preview="1", **data)
    assert response.status_code == 200
    assert Unit.objects.get(pk=cell.pk).parent == x
