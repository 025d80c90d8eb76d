"""Malformed requests are a 4xx with a message, never a 500; SQLite saves queue, never fail."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection

from indicators.demo import demo_load
from indicators.models import Result, UnitYear

pytestmark = pytest.mark.django_db

HUGE = "9" * 20
ENORMOUS = "9" * 4400  # beyond int()'s 4.300 digits
BAD_REQUEST = "Yêu cầu không hợp lệ"


@pytest.fixture
def demo(client):
    demo_load(password="demo-password-for-tests")
    client.raise_request_exception = False
    return {
        "result": Result.objects.select_related("unit")
        .filter(unit__users__username="nhaplieu")
        .order_by("pk")
        .first(),
    }


def assert_refused(response, where) -> None:
    """A 400 page, or the form again with its error (PostgreSQL reads a 20-digit id as
    no such row; SQLite cannot even look it up)."""
    assert response.status_code in (200, 400), where
    text = response.content.decode()
    assert (BAD_REQUEST if response.status_code == 400 else "errorlist") in text, where


def log_in_as(client, username: str):
    client.force_login(get_user_model().objects.get(username=username))


def test_a_wrong_number_of_rows_per_page_is_a_400(client, demo):
    """`?per_page=-1` on a target's page is refused with the bad-request page."""
    log_in_as(client, "lanhdao")
    url = f"/targets/{demo['result'].target_id}/"
    for per_page in ["-1", "0", "abc", "100000", ENORMOUS]:
        response = client.get(url, {"per_page": per_page})
        assert response.status_code == 400, per_page
        assert BAD_REQUEST in response.content.decode()
    assert client.get(url, {"per_page": "50"}).status_code == 200


def test_a_malformed_history_version_is_not_found(client, demo):
    """`history/abc/` and its kin are 404s, like a version that does not exist."""
    log_in_as(client, "quantri")
    for version in ["abc", "1.0", "%20", HUGE, ENORMOUS]:
        response = client.get(f"/admin/indicators/result/{demo['result'].pk}/history/{version}/")
        assert response.status_code == 404, version


@pytest.mark.parametrize("username", ["quantri", "nhaplieu"])
def test_admin_forms_with_malformed_ids_are_refused(client, demo, username):
    """A result form posted with `target=abc` or a 20-digit id is a 400; nothing is saved."""
    log_in_as(client, username)
    before = list(Result.objects.order_by("pk").values_list("pk", "version"))
    for fields in [
        {"target": "abc", "unit": "abc"},
        {"target": HUGE, "unit": HUGE},
        {"target": "1", "unit": ENORMOUS},
    ]:
        data = {"year": "2022", "value": "1", "note": "", "evidence": "", **fields}
        for url, posted in [
            ("/admin/indicators/result/add/", data),
            (
                f"/admin/indicators/result/{demo['result'].pk}/change/",
                {**data, "opened_version": demo["result"].version},
            ),
        ]:
            assert_refused(client.post(url, posted), fields)
    assert list(Result.objects.order_by("pk").values_list("pk", "version")) == before


def test_admin_actions_with_malformed_selections_are_refused(client, demo):
    """An action on `_selected_action=abc`, empty or huge is a 400 and changes nothing."""
    log_in_as(client, "quantri")
    states = list(UnitYear.objects.order_by("pk").values_list("state", flat=True))
    before = Result.objects.count()
    for url, action in [
        ("/admin/indicators/unityear/", "submit"),
        ("/admin/indicators/unityear/", "approve"),
        ("/admin/indicators/result/", "delete_selected"),
    ]:
        for selected in ["abc", "", HUGE, ENORMOUS]:
            response = client.post(url, {"action": action, "_selected_action": selected})
            if response.status_code == 302:  # PostgreSQL: no such row, "no items selected"
                response = client.get(response["Location"])
                assert "Không có mục nào" in response.content.decode() or "chọn" in (
                    response.content.decode()
                ), (action, selected)
            else:
                assert response.status_code == 400, (action, selected)
                assert BAD_REQUEST in response.content.decode()
    assert list(UnitYear.objects.order_by("pk").values_list("state", flat=True)) == states
    assert Result.objects.count() == before


@pytest.mark.parametrize("username", ["quantri", "nhaplieu"])
def test_nul_bytes_in_filters_and_searches_never_break_a_page(client, demo, username):
    """PostgreSQL cannot hold a NUL byte: such a filter or term is a 400 or no match."""
    log_in_as(client, username)
    for url in [
        "/admin/indicators/result/?kind__exact=%00",
        "/admin/units/unit/?kind__exact=%00",
        "/admin/indicators/result/?unit__code=a%00b",
        "/admin/indicators/result/?q=%00",
        "/admin/indicators/unityear/?q=a%00",
        "/admin/autocomplete/?app_label=indicators&model_name=result&field_name=unit&term=%00",
        "/admin/autocomplete/?app_label=indicators&model_name=result&field_name=target&term=a%00",
        "/?as_of=%00",
        "/entry/?unit=%00",
    ]:
        response = client.get(url)
        assert response.status_code in (200, 302, 400, 404), url
        if response.status_code == 400:
            assert BAD_REQUEST in response.content.decode()


def test_numbers_of_thousands_of_digits_are_refused(client, demo):
    """A parameter of 4.400 digits is a wrong parameter (4xx), not an int() crash."""
    log_in_as(client, "quantri")
    for url in [
        f"/?term={ENORMOUS}",
        f"/?unit={ENORMOUS}",
        f"/exports/results.csv?year={ENORMOUS}",
        f"/exports/results.csv?target={ENORMOUS}",
        f"/reports/print/?term={ENORMOUS}",
        f"/targets/{ENORMOUS}/",
        f"/entry/{ENORMOUS}/2022/",
        f"/admin/indicators/result/{ENORMOUS}/change/",
    ]:
        response = client.get(url)
        assert 300 <= response.status_code < 500, (url[:60], response.status_code)
    # In an admin filter, a number no unit or year has matches nothing.
    for url in [
        f"/admin/indicators/result/?in_unit={ENORMOUS}",
        f"/admin/indicators/result/?year__exact={ENORMOUS}",
    ]:
        assert client.get(url).status_code in (200, 302), url[:60]
    # An as-of point or a year that is no year of the term: the page says so.
    for url in [f"/?as_of={ENORMOUS}", f"/completeness/?year={ENORMOUS}"]:
        response = client.get(url)
        assert response.status_code == 200
        assert response.context["errors"], url[:40]


def test_the_default_sqlite_database_uses_those_options():
    """`make run` (no DATABASE_URL) gets the immediate transactions and the busy timeout."""
    if connection.vendor != "sqlite":
        pytest.skip("the suite runs on PostgreSQL")
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
