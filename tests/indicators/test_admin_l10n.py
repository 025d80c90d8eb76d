"""The admin in Vietnamese: numbers as the entry form reads them, years as digits."""

import re
from decimal import Decimal

import pytest
from django.utils import translation

from indicators.models import Result, UnitQuota
from tests.factories import make_quota, make_result, make_target, make_term, make_tree, make_user
from units.numbers import number_from_text, number_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(client):
    root, (unit, _other) = make_tree(2)
    term = make_term(root)
    count = make_target(term, name="Kết nạp đảng viên", term_target=3200)
    client.force_login(make_user("quantri", is_staff=True, is_superuser=True))
    return {"root": root, "unit": unit, "term": term, "count": count}


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text))


@pytest.mark.parametrize(
    ("typed", "number"),
    [("2.078", "2078"), ("12,5", "12.5"), ("2.078,5", "2078.5"), ("3200", "3200"),
     ("12.5", "12.5"), ("1 234", "1234"), ("abc", None), ("1,2,3", None), ("", None)],
)  # fmt: skip
def test_numbers_are_read_the_vietnamese_way(typed, number):
    with translation.override("vi"):
        read = number_from_text(typed)
    assert read == (Decimal(number) if number else None)


def test_whole_numbers_show_without_decimals():
    with translation.override("vi"):
        assert [number_text(v) for v in (3200, 9, 12.5, 2078)] == ["3.200", "9", "12,5", "2.078"]


def test_the_admin_accepts_a_quota_typed_as_on_the_entry_form(client, entry):
    """A quota of "12,5" and a result of "2.078" are saved as 12.5 and 2078."""
    response = client.post(
        "/admin/indicators/unitquota/add/",
        {"target": entry["count"].pk, "unit": entry["unit"].pk, "year": 2021, "value": "12,5"},
    )
    assert response.status_code == 302, text_of(response)
    assert str(UnitQuota.objects.get().value) == "12.50"
    response = client.post(
        "/admin/indicators/result/add/",
        {"target": entry["count"].pk, "unit": entry["unit"].pk, "year": 2021,
         "value": "2.078", "note": "", "evidence": "", "flag": "unknown"},
    )  # fmt: skip
    assert response.status_code == 302, text_of(response)
    assert Result.objects.get().value == 2078


def test_the_admin_shows_years_as_digits_and_figures_the_vietnamese_way(client, entry):
    result = make_result(entry["count"], entry["unit"], 2021, value=3728)
    quota = make_quota(entry["count"], entry["unit"], 9, year=2022)
    listing = text_of(client.get("/admin/indicators/result/"))
    assert " 2021 " in listing
    assert "2.021" not in listing
    assert "3.728" in listing
    form = client.get(f"/admin/indicators/result/{result.pk}/change/").text
    assert 'value="3.728"' in form
    quotas = text_of(client.get("/admin/indicators/unitquota/"))
    assert " 9 " in quotas
    assert "9,00" not in quotas
    assert 'value="9"' in client.get(f"/admin/indicators/unitquota/{quota.pk}/change/").text
    term = client.get(f"/admin/indicators/term/{entry['term'].pk}/change/").text
    assert 'value="3.200"' in term
