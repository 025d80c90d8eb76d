"""Data entry in the admin: bad results are form errors, never a 500 or a half save."""

import pytest

from indicators.models import Measure, Result
from tests.factories import make_result, make_target, make_term, make_tree, make_unit, make_user
from units import roles
from units.models import Kind

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(client):
    root, (unit, other) = make_tree(2)
    term = make_term(root)
    count = make_target(term, name="Kết nạp đảng viên")
    ratio = make_target(term, measure=Measure.RATIO, term_target=90)
    admin = make_user("quantri", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return {"root": root, "unit": unit, "other": other, "count": count, "ratio": ratio}


def post_result(client, **fields):
    data = {"year": 2021, "note": "", "evidence": "", "flag": "unknown"}
    data.update({key: value.pk if hasattr(value, "pk") else value for key, value in fields.items()})
    return client.post("/admin/indicators/result/add/", data)


def test_a_valid_result_is_saved_with_who_entered_it(client, entry):
    response = post_result(client, target=entry["count"], unit=entry["unit"], value=12)
    assert response.status_code == 302
    result = Result.objects.get()
    assert result.value == 12
    assert result.created_by.username == "quantri"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"value": -5}, "âm"),
        ({"value": 3, "numerator": 1}, "để trống"),
        ({"value": 3, "year": 2030}, "2021"),
    ],
)
def test_bad_results_are_form_errors(client, entry, fields, message):
    response = post_result(client, target=entry["count"], unit=entry["unit"], **fields)
    assert response.status_code == 200
    assert "errorlist" in response.text
    assert message in response.text
    assert Result.objects.count() == 0


def test_a_duplicate_result_is_a_form_error(client, entry):
    make_result(entry["count"], entry["unit"], 2021, value=1)
    response = post_result(client, target=entry["count"], unit=entry["unit"], value=9)
    assert response.status_code == 200
    assert "errorlist" in response.text
    assert Result.objects.get().value == 1


def test_numerator_above_denominator_is_a_form_error(client, entry):
    response = post_result(
        client, target=entry["ratio"], unit=entry["unit"], numerator=5, denominator=4
    )
    assert response.status_code == 200
    assert "Tử số không được lớn hơn mẫu số" in response.text
    assert Result.objects.count() == 0


def test_a_clerk_sees_only_their_subtree(client, entry):
    cell = make_unit(parent=entry["unit"], kind=Kind.CELL)
    make_result(entry["count"], cell, 2021, value=4)
    make_result(entry["count"], entry["other"], 2021, value=7)
    clerk = make_user("nhaplieu", unit=entry["unit"], role=roles.CLERK, is_staff=True)
    client.force_login(clerk)
    response = client.get("/admin/indicators/result/")
    assert response.status_code == 200
    assert cell.name in response.text
    assert entry["other"].name not in response.text
    other_result = Result.objects.get(unit=entry["other"])
    assert client.get(f"/admin/indicators/result/{other_result.pk}/change/").status_code in (
        302,
        404,
    )


def test_admin_lists_stay_at_a_fixed_number_of_queries(
    client, entry, django_assert_max_num_queries
):
    for year in (2021, 2022, 2023):
        for unit in (entry["unit"], entry["other"]):
            make_result(entry["count"], unit, year, value=year - 2000)
    with django_assert_max_num_queries(12):
        assert client.get("/admin/indicators/result/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/admin/units/unit/").status_code == 200
    with django_assert_max_num_queries(14):
        assert (
            client.get(f"/admin/indicators/term/{entry['count'].term_id}/change/").status_code
            == 200
        )
