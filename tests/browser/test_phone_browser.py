"""Every page a user reads fits a 390 px phone screen: no sideways scrolling."""

import os
from pathlib import Path

import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
SHOTS = os.environ.get("PHONE_SHOTS")  # a folder for screenshots, when set


def _pages(base_url: str) -> dict[str, str]:
    from indicators.models import Target
    from units.models import User

    target = Target.objects.order_by("term__start_year", "order").first()
    clerk_unit = User.objects.get(username="nhaplieu").unit
    return {
        "overview": f"{base_url}/",
        "target": f"{base_url}/targets/{target.pk}/",
        "scorecard": f"{base_url}/units/{clerk_unit.pk}/",
        "missing-reports": f"{base_url}/completeness/",
        "entry": f"{base_url}/entry/{clerk_unit.pk}/2022/",
        "print": f"{base_url}/reports/print/",
    }


# The page's width, or the widest inner box that scrolls sideways (a table in a
# scrolling wrapper makes the user scroll sideways as much as the page would).
WIDEST = """() => {
  let widest = document.documentElement.scrollWidth;
  for (const element of document.querySelectorAll("body *")) {
    const overflow = getComputedStyle(element).overflowX;
    if ((overflow === "auto" || overflow === "scroll")
        && element.scrollWidth > element.clientWidth + 1) {
      widest = Math.max(widest, element.scrollWidth - element.clientWidth + innerWidth);
    }
  }
  return widest;
}"""


def _overflow(page) -> int:
    return page.evaluate(WIDEST)


def test_no_table_scrolls_sideways_on_a_desktop(browser, demo_site):
    """At 1366 px every page's tables fit: no column cut off behind a scroll bar."""
    context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, demo_site, "nhaplieu")
        too_wide = {}
        for name, url in _pages(demo_site).items():
            page.goto(url)
            if (width := _overflow(page)) > 1366:
                too_wide[name] = width
        assert too_wide == {}
    finally:
        context.close()


def test_the_term_form_fits_a_desktop_screen(browser, demo_site):
    """Defect 7: the admin's term form (its targets inline) is no wider than 1366 px."""
    from indicators.models import Term

    context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, demo_site, "quantri")
        term = Term.objects.get(start_year=2020)
        response = page.goto(f"{demo_site}/admin/indicators/term/{term.pk}/change/")
        assert response.status == 200
        assert page.locator(".inline-group").count()
        assert _overflow(page) <= 1366
    finally:
        context.close()


@pytest.mark.parametrize("username", ["lanhdao", "nhaplieu"])
def test_no_page_scrolls_sideways_on_a_phone(browser, demo_site, username):
    """At 390 x 844 no page is wider than the screen, for a leader and a clerk."""
    context = browser.new_context(locale="vi-VN", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, demo_site, username)
        too_wide = {}
        for name, url in _pages(demo_site).items():
            response = page.goto(url)
            assert response.status < 400, (name, response.status)
            width = _overflow(page)
            if SHOTS:
                Path(SHOTS).mkdir(parents=True, exist_ok=True)
                page.screenshot(path=f"{SHOTS}/{username}-{name}-390.png", full_page=True)
            if width > PHONE["width"]:
                too_wide[name] = width
        if SHOTS:
            page.set_viewport_size({"width": 1366, "height": 900})
            for name, url in _pages(demo_site).items():
                page.goto(url)
                page.screenshot(path=f"{SHOTS}/{username}-{name}-1366.png", full_page=True)
        assert too_wide == {}
    finally:
        context.close()


def test_status_badges_are_whole_on_a_phone(browser, demo_site):
    """Each status badge on the overview lies inside the screen, not cut at its edge."""
    context = browser.new_context(locale="vi-VN", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, demo_site)
        badges = page.locator("table.progress .badge")
        assert badges.count() >= 10
        for index in range(badges.count()):
            box = badges.nth(index).bounding_box()
            assert box["x"] >= 0, box
            assert box["x"] + box["width"] <= PHONE["width"], box
    finally:
        context.close()


# The rendered height of each chart's words and figures, in CSS pixels.
CHART_TEXT = """(selector) => Array.from(document.querySelectorAll(selector)).map(
  (element) => ({text: element.textContent.trim(), height: element.getBoundingClientRect().height,
                 right: element.getBoundingClientRect().right}))"""


def test_charts_are_readable_on_a_phone(browser, demo_site):
    """At 390 px the charts' years, counts and keys are drawn at 11 px or more, on screen."""
    from indicators.models import Target

    context = browser.new_context(locale="vi-VN", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, demo_site)
        target = Target.objects.get(code="CT1.4")
        seen = {}
        for url, selectors in (
            ("/", ["svg.trend text.year", "svg.status-bar text.count", "ul.chart-key li"]),
            (
                f"/targets/{target.pk}/",
                [
                    "svg.trend text.year",
                    "svg.status-bar text.count",
                    ".unit-bars .unit-name",
                    ".unit-bars .unit-value",
                ],
            ),
        ):
            page.goto(demo_site + url)
            for selector in selectors:
                drawn = page.evaluate(CHART_TEXT, selector)
                assert drawn, (url, selector)
                seen[url, selector] = drawn
        small = {
            key: [d for d in drawn if d["height"] < 11 or d["right"] > PHONE["width"]]
            for key, drawn in seen.items()
        }
        assert not any(small.values()), small
        years = [d["text"] for d in seen["/", "svg.trend text.year"]]
        assert years[:3] == ["2021", "2022", "2023"]
    finally:
        context.close()
