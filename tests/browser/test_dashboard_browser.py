"""A leader reads the dashboard in a real browser: overview, controls, a target's units."""

import re

import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def unit_rows(page):
    return page.locator("[data-testid=unit-table] tbody tr[data-unit]")


def test_overview_controls_change_the_figures(page, demo_site):
    """The overview shows the article's figures; as-of and unit controls change them."""
    from indicators.engine import parse_as_of, term_progress
    from indicators.models import Term
    from reports.templatetags.progress import num
    from units.models import Kind, Unit

    log_in(page, demo_site)
    assert page.get_by_test_id("headline").inner_text().startswith("9/10")
    assert page.get_by_test_id("programme").inner_text().startswith("4/5")
    admissions = page.locator('[data-target-card="1"]')
    assert "2.078" in admissions.inner_text()
    assert "đạt 130% (vượt 30%)" in admissions.inner_text()
    assert admissions.locator(".badge").inner_text() == "Vượt"
    assert admissions.locator("svg.trend").count() == 1
    assert "111/121" in page.locator('[data-target-card="4"]').inner_text()

    page.select_option("select[name=as_of]", "2022")
    page.wait_for_url("**as_of=2022**")
    assert "1.670" in page.locator('[data-target-card="1"]').inner_text()
    assert "Năm 2022" in page.locator("select[name=as_of]").inner_text()

    term = Term.objects.get(start_year=2020)
    unit = Unit.objects.filter(parent=term.root_unit, kind=Kind.GRASSROOTS_COMMITTEE).first()
    page.select_option("select[name=unit]", str(unit.pk))
    page.wait_for_url(re.compile(rf".*unit={unit.pk}.*"))
    assert page.locator(".crumbs strong").inner_text() == unit.name
    assert "as_of=2022" in page.url  # the other controls are kept
    row = term_progress(term=term, as_of=parse_as_of(term, "2022"), scope=unit).targets[0]
    card = page.locator('[data-target-card="1"]').inner_text()
    assert num(row.actual) in card
    assert num(row.expected) in card


def test_target_detail_sorts_and_filters_its_units(page, demo_site):
    """From a card to the target's units: lagging first, sortable, filterable."""
    from indicators.engine import parse_as_of, target_breakdown
    from indicators.models import Target
    from units.models import Sector

    log_in(page, demo_site)
    page.locator('[data-target-card="5"] a.name').click()
    page.wait_for_url("**/targets/**")
    assert "62/121 (51,2%)" in page.get_by_test_id("target-progress").inner_text()
    assert "121 đơn vị" in page.locator(".units-section").inner_text()
    assert unit_rows(page).count() == 25
    assert "Chưa đạt" in unit_rows(page).first.inner_text()  # lagging first

    page.locator("[data-testid=unit-table] thead").get_by_role("link", name="Thực hiện").click()
    page.wait_for_url("**sort=actual**")
    page.locator("[data-testid=unit-table] thead").get_by_role("link", name="Thực hiện").click()
    page.wait_for_url("**sort=-actual**")
    assert "1/1 (100%)" in unit_rows(page).first.inner_text()

    page.select_option("select[name=status]", "exceeded")
    page.select_option("select[name=sector]", "enterprise")
    page.get_by_role("button", name="Lọc").click()
    page.wait_for_url("**status=exceeded**")
    target = Target.objects.get(code="5")
    breakdown = target_breakdown(
        term=target.term, target=target, as_of=parse_as_of(target.term, "mid")
    )
    expected = [
        entry
        for entry in breakdown
        if entry.progress.status == "exceeded" and entry.unit.sector == Sector.ENTERPRISE
    ]
    assert 0 < len(expected) < 35
    assert f"{len(expected)} đơn vị" in page.locator(".units-section").inner_text()
    texts = unit_rows(page).all_inner_texts()
    assert len(texts) == min(len(expected), 25)
    assert all("Vượt" in text and "Doanh nghiệp" in text for text in texts)
    assert "sort=-actual" in page.url  # sorting survives filtering

    page.get_by_role("link", name="Bỏ lọc").click()
    page.wait_for_url(lambda url: "status=" not in url)
    assert "121 đơn vị" in page.locator(".units-section").inner_text()


def test_scorecard_and_completeness_pages(page, demo_site):
    """A unit's scorecard links down the tree; the completeness page lists who is missing."""
    from units.models import Unit

    log_in(page, demo_site)
    page.get_by_role("link", name="Bảng kết quả của đơn vị").click()
    page.wait_for_url("**/units/**")
    assert page.locator("tr[data-target]").count() == 15
    from units.selectors import term_tree_children

    # The demo's bloc, ended in 2025: the organisations it had on its last day.
    root = Unit.objects.get(code="KHOI")
    first = term_tree_children(root).order_by("order", "name").first()
    page.get_by_test_id("children").get_by_role("link", name=first.name, exact=True).click()
    page.wait_for_url(f"**/units/{first.pk}/**")
    assert page.locator("h1").inner_text() == first.name
    assert page.locator(".crumbs a").first.inner_text() == root.name

    page.goto(f"{demo_site}/completeness/?year=2025")
    assert (
        "đơn vị chưa nhập đủ chỉ tiêu năm 2025" in page.get_by_test_id("missing-count").inner_text()
    )
    assert page.locator("[data-testid=completeness] tbody tr").count() == 25
