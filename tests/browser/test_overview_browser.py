"""A leader logs in and reads the mid-term review in a real browser."""

import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_leader_reads_the_mid_term_review(page, demo_site):
    log_in(page, demo_site)
    assert page.get_by_test_id("headline").inner_text().startswith("9/10")
    admissions = page.locator('tr[data-target="1"]').inner_text()
    assert "2.078" in admissions
    assert "đạt 130% (vượt 30%)" in admissions
    page.select_option("select[name=as_of]", "2022")
    page.wait_for_url("**as_of=2022**")
    assert "1.670" in page.locator('tr[data-target="1"]').inner_text()
