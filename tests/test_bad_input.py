"""Digits that are not plain 0–9 ("²", "٣") are a message or a 404, never a 500."""

import pytest
from django.contrib.auth import get_user_model

from indicators.demo import demo_load
from units.models import Unit
from units.text import whole_number

pytestmark = pytest.mark.django_db

ODD = ["²", "٣", "1²", " 7 "]


def test_whole_number_reads_only_plain_digits():
    assert [whole_number(text) for text in ["2023", " 7 ", "", None, "²", "٣", "-1", "1.0"]] == [
        2023, 7, None, None, None, None, None, None,
    ]  # fmt: skip


@pytest.mark.parametrize("odd", ODD)
def test_odd_digits_in_parameters_never_break_a_page(client, odd):
    demo_load(password="demo-password-for-tests")
    clerk_unit = Unit.objects.get(users__username="nhaplieu")
    for username in ("quantri", "nhaplieu"):
        client.force_login(get_user_model().objects.get(username=username))
        urls = [
            f"/?as_of={odd}",
            f"/?term={odd}",
            f"/?unit={odd}",
            f"/completeness/?year={odd}",
            f"/exports/summary.csv?as_of={odd}",
            f"/exports/results.csv?year={odd}",
            f"/exports/results.csv?target={odd}",
            f"/reports/print/?term={odd}",
            f"/entry/{clerk_unit.pk}/2022/?term={odd}",
            f"/admin/indicators/result/?in_unit={odd}",
        ]
        for url in urls:
            status = client.get(url).status_code
            assert status in (200, 302, 404), (username, url, status)
