"""Charts a leader reads instead of a table: what is drawn, named and counted.

The headline by status on `/`, the units of a target compared on its page, a
year under every bar of the per-year charts, and a key wherever a colour means
something. They are drawn from the engine's rows already computed for the page
(the pinned query counts of tests/reports/test_dashboard_pages.py still hold).
"""

import re

import pytest

from indicators.demo import demo_load
from indicators.engine import Status, parse_as_of, term_progress
from indicators.models import Target, Term
from tests.factories import (
    log_in,
    make_quota,
    make_result,
    make_target,
    make_term,
    make_tree,
    make_user,
)
from units import roles

pytestmark = pytest.mark.django_db

PASSWORD = "demo-password-for-tests"


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def status_charts(html: str) -> list[str]:
    return re.findall(
        r'<figure class="status-chart" data-chart="status">(.*?)</figure>', html, re.S
    )


def chart_in(html: str, testid: str) -> str:
    """The status chart of the element marked `testid` (a tally card, a section)."""
    match = re.search(
        rf'data-testid="{testid}">.*?<figure class="status-chart" data-chart="status">'
        r"(.*?)</figure>",
        html,
        re.S,
    )
    assert match, testid
    return match.group(1)


def key_of(chart: str) -> dict[str, int]:
    """The chart's key as read: each colour's name and its count."""
    return {
        label: int(count)
        for label, count in re.findall(r"</span>([^<:]+): <strong>(\d+)</strong></li>", chart)
    }


def segments_of(chart: str) -> list[tuple[str, float, str]]:
    """The bar's segments: colour, width in percent of the bar, and the count written in it."""
    found = []
    for css, width, count in re.findall(
        r'<rect class="seg ([\w-]+)" x="[\d.]+%" y="0" width="([\d.]+)%" height="28">'
        r"<title>[^<]*: (\d+)</title>",
        chart,
    ):
        found.append((css, float(width), count))
    return found


@pytest.fixture
def demo(client):
    demo_load(password=PASSWORD)
    log_in(client, "lanhdao", PASSWORD)
    return client


def test_the_overview_draws_the_headline_by_status(demo):
    """9 headline targets met, 1 not yet met, none without data; the programme's 4 and 1."""
    response = demo.get("/")
    chart = chart_in(response.text, "headline")
    assert key_of(chart) == {"Đạt và vượt": 9, "Chưa đạt": 1, "Thiếu số liệu": 0}
    assert segments_of(chart) == [("met", 90.0, "9"), ("not-yet-met", 10.0, "1")]
    assert '<text class="count met" x="45.00%" y="19">9</text>' in chart
    assert 'aria-label="Đạt và vượt: 9; Chưa đạt: 1; Thiếu số liệu: 0"' in chart
    assert key_of(chart_in(response.text, "programme")) == {
        "Đạt và vượt": 4,
        "Chưa đạt": 1,
        "Thiếu số liệu": 0,
    }


def test_the_headline_chart_counts_what_the_engine_judged_at_the_end(demo):
    """At the end of the term the lagging group reads "Không đạt", and the targets lacking
    data (the headline's "thiếu số liệu") are drawn apart; the counts are the engine's."""
    term = Term.objects.get(start_year=2020)
    progress = term_progress(term=term, as_of=parse_as_of(term, "end"), scope=term.root_unit)
    not_met = [
        row
        for row in progress.headline_targets
        if row.status == Status.NOT_MET and not row.lacks_data
    ]
    response = demo.get("/?as_of=end")
    drawn = key_of(chart_in(response.text, "headline"))
    assert progress.headline.lacking > 0  # the demo leaves 2024 and 2025 partly empty
    # As the line above the chart says: "3/10 …; 4 chỉ tiêu thiếu số liệu".
    assert drawn == {
        "Đạt và vượt": progress.headline.met,
        "Không đạt": len(not_met),
        "Thiếu số liệu": progress.headline.lacking,
    }
    assert "Chưa đạt" not in drawn  # no target is "not yet" met once the term is over
    assert sum(drawn.values()) == progress.headline.total


def test_every_card_chart_labels_its_years_and_the_colours_are_explained(demo):
    """Each card's bars carry their year; one key names green, amber, grey and the dashes."""
    response = demo.get("/")
    card = re.search(r'data-target-card="1">(.*?)</article>', response.text, re.S).group(1)
    chart = re.search(r'<svg class="trend".*?</svg>', card, re.S).group(0)
    assert re.findall(r'<text class="year"[^>]*>(\d+)</text>', chart) == ["2021", "2022", "2023"]
    cards = re.findall(r"<article .*?</article>", response.text, re.S)
    charts = [c for c in cards if '<svg class="trend"' in c]
    assert len(charts) == 15
    assert all('<text class="year"' in c for c in charts)
    key = text_of(re.search(r'data-testid="trend-key">(.*?)</p>', response.text, re.S).group(1))
    assert key == (
        "Cột trên mỗi thẻ là kết quả từng năm: đạt chỉ tiêu năm · chưa đạt chỉ tiêu năm · "
        "năm không đánh giá riêng (năm đang thực hiện, hoặc chỉ tiêu tính theo cả nhiệm kỳ) · "
        "mức phải đạt của năm"
    )
    for css in ("passed", "failed", "unjudged"):
        assert f'<span class="key {css}"></span>' in response.text


def test_the_target_page_keys_its_year_chart_with_the_grey_bars(demo):
    """The target page's year chart: every bar under its year, grey explained."""
    target = Target.objects.get(code="1")
    response = demo.get(f"/targets/{target.pk}/")
    figure = re.search(r'<figure class="chart">(.*?)</figure>', response.text, re.S).group(1)
    assert re.findall(r'<text class="year"[^>]*>(\d+)</text>', figure) == ["2021", "2022", "2023"]
    assert "năm không đánh giá riêng" in text_of(figure)


@pytest.fixture
def three_units(client):
    """Three organisations with a term quota of 10: 5 entered (met at mid-term, 5 expected),
    2 entered (40%), nothing entered."""
    root, units = make_tree(3)
    term = make_term(root)
    target = make_target(term, name="Kết nạp đảng viên mới")
    for unit in units:
        make_quota(target, unit, 10)
    make_result(target, units[0], 2021, value=5)
    make_result(target, units[1], 2022, value=2)
    client.force_login(make_user("lanhdao", unit=root, role=roles.LEADER))
    return target, units


def test_the_target_page_compares_its_units(client, three_units):
    """Every unit (up to 12) with its bar, lagging first: 40%, no data, then met."""
    target, (met, lagging, silent) = three_units
    response = client.get(f"/targets/{target.pk}/")
    section = re.search(r'data-testid="units-compared">(.*?)</section>', response.text, re.S)
    html = section.group(1)
    assert key_of(status_charts(html)[0]) == {"Đạt và vượt": 1, "Chưa đạt": 1, "Thiếu số liệu": 1}
    items = re.findall(r'<li data-unit="([^"]+)">(.*?)</li>', html, re.S)
    assert [code for code, _item in items] == [lagging.code, silent.code, met.code]
    texts = [text_of(item) for _code, item in items]
    assert texts == [
        f"{lagging.name} đạt 40%",
        f"{silent.name} Chưa có số liệu",
        f"{met.name} đạt 100%",
    ]
    bars = {
        code: re.findall(r'<rect class="seg ([\w-]+)" x="0" y="2" width="([\d.]+)%"', item)
        for code, item in items
    }
    # A bar is full at 150% of what is expected; the mark stands at 100%.
    assert bars == {
        lagging.code: [("not-yet-met", "26.67")],
        silent.code: [],
        met.code: [("met", "66.67")],
    }
    assert html.count('<line class="goal" x1="66.67%"') == 2
    assert "Tất cả đơn vị, đơn vị chậm xếp trước" in text_of(html)
    assert "mức cần đạt đến thời điểm đánh giá (100%; thanh đầy ở 150%)" in text_of(html)


def test_many_units_show_only_the_laggards(demo):
    """Beyond 12 units: the 10 lagging most, out of those not meeting the target, lowest
    level first (a percentage target has no completion: its level orders it), as the table."""
    target = Target.objects.get(code="CT1.4")
    response = demo.get(f"/targets/{target.pk}/")
    html = re.search(r'data-testid="units-compared">(.*?)</section>', response.text, re.S).group(1)
    drawn = key_of(status_charts(html)[0])
    assert sum(drawn.values()) == 121
    items = re.findall(r'<li data-unit="[^"]+">(.*?)</li>', html, re.S)
    assert len(items) == 10
    assert f"10 đơn vị chậm nhất trong số {drawn['Chưa đạt']} đơn vị chưa đạt" in text_of(html)
    levels = [
        float(re.search(r"(\d+,\d|\d+)%", text_of(item)).group(1).replace(",", "."))
        for item in items
    ]
    assert levels == sorted(levels)
    assert all("/ yêu cầu ≥ 100%" in text_of(item) for item in items)
    # The table below starts with the same units, in the same order.
    table = re.findall(r'<tr [^>]*data-unit="([^"]+)"', response.text)
    charted = re.findall(r'<li data-unit="([^"]+)">', html)
    assert table[:10] == charted


def test_units_all_meeting_the_target_draw_no_list(demo):
    """When every unit meets the target, the bar says so and no list of laggards is drawn."""
    target = Target.objects.get(code="1")
    response = demo.get(f"/targets/{target.pk}/")
    html = re.search(r'data-testid="units-compared">(.*?)</section>', response.text, re.S).group(1)
    assert key_of(status_charts(html)[0]) == {"Đạt và vượt": 121, "Chưa đạt": 0, "Thiếu số liệu": 0}
    assert 'data-chart="units"' not in html
