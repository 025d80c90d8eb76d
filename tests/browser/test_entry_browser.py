"""A clerk enters a year of their unit through the entry form and sees the dashboard change."""

import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_clerk_enters_admissions_and_the_dashboard_follows(page, demo_site):
    """The demo clerk's organisation admitted 1.000 more in 2022: the overview says so."""
    from indicators.models import Result
    from units.models import User

    clerk_unit = User.objects.get(username="nhaplieu").unit
    admitted = dict(
        Result.objects.filter(unit=clerk_unit, target__code="1").values_list("year", "value")
    )
    expected = admitted[2021] + (admitted[2022] + 1000) + admitted[2023]
    assert expected > 1000

    # The clerk's organisation moved to the successor in 2025, whose new term `/` opens
    # first: the seed's term is picked by its id, as the term control does.
    term = Result.objects.filter(unit=clerk_unit, target__code="1").first().target.term
    overview = f"{demo_site}/?term={term.pk}"
    log_in(page, demo_site, "nhaplieu")
    page.goto(overview)
    before = page.locator('tr[data-target="1"]').inner_text()
    assert f"{expected:,}".replace(",", ".") not in before

    page.goto(f"{demo_site}/entry/{clerk_unit.pk}/2022/")
    line = page.locator('tr[data-target="1"]')
    assert line.get_by_test_id("last-year").inner_text().strip() == str(admitted[2021])
    box = line.locator("input[name$='-value']")
    assert box.input_value() == str(admitted[2022])
    box.fill(str(admitted[2022] + 1000))
    save = page.get_by_test_id("save")
    # A styled button (the app's dark red, white text), not the browser's grey one.
    assert _colours(save) == ("rgb(139, 26, 26)", "rgb(255, 255, 255)")
    save.click()
    message = page.get_by_test_id("message")
    assert "Đã lưu: 1 kết quả thay đổi." in message.inner_text()
    # "Đã lưu" is a success: green, not the yellow of a warning.
    assert _colours(message) == ("rgb(232, 245, 236)", "rgb(11, 90, 44)")

    page.goto(overview)
    after = page.locator('tr[data-target="1"]').inner_text()
    assert f"{expected:,}".replace(",", ".") in after


def _colours(locator) -> tuple[str, str]:
    """The background and text colours the user sees."""
    style = (
        "(element) => [getComputedStyle(element).backgroundColor, getComputedStyle(element).color]"
    )
    return tuple(locator.evaluate(style))
