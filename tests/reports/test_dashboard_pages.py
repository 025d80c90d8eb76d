"""The dashboard's pages: overview cards, target detail, unit scorecard, completeness."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.demo import demo_load
from indicators.engine import parse_as_of, target_breakdown, term_progress
from indicators.models import Frequency, Level, Measure, Target, Term
from reports.templatetags.progress import num
from tests.factories import (
    log_in,
    make_quota,
    make_result,
    make_root,
    make_target,
    make_term,
    make_tree,
    make_unit,
    make_user,
)
from units import roles
from units.events import unit_dissolve, unit_move
from units.models import Kind, Sector, Unit
from units.selectors import term_tree_children

pytestmark = pytest.mark.django_db

PASSWORD = "demo-password-for-tests"


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def card_of(response, code: str) -> str:
    match = re.search(
        rf'<article [^>]*data-target-card="{re.escape(code)}">(.*?)</article>', response.text, re.S
    )
    assert match, code
    return match.group(1)


def unit_rows(response) -> list[str]:
    """The unit table's rows, each as its text."""
    return [
        text_of(row)
        for row in re.findall(r"<tr [^>]*data-unit=\"[^\"]+\"[^>]*>(.*?)</tr>", response.text, re.S)
    ]


@pytest.fixture
def demo(client):
    demo_load(password=PASSWORD)
    log_in(client, "lanhdao", PASSWORD)
    return client


@pytest.fixture
def admissions():
    return Target.objects.get(code="1")


# Overview -----------------------------------------------------------------


def test_overview_has_a_card_per_target_with_bar_badge_and_trend(demo):
    """Each card shows actual vs expected with the unit of measure, completion,
    a progress bar, a status badge with text and a per-year chart."""
    response = demo.get("/")
    card = card_of(response, "1")
    assert "2.078" in text_of(card)
    assert "/ 1.600 đảng viên" in text_of(card)
    assert "đạt 130% (vượt 30%)" in text_of(card)
    assert 'role="progressbar"' in card
    assert 'aria-valuenow="100.0"' in card
    assert '<span class="badge exceeded" data-col="status">Vượt</span>' in card
    assert '<svg class="trend"' in card
    assert "2021: 820" in card  # the trend chart's accessible label
    assert "Chưa đạt" in text_of(card_of(response, "10"))
    assert "111/121 (91,7%)" in text_of(card_of(response, "4"))
    targets = Target.objects.filter(term__start_year=2020)
    assert len(re.findall(r"data-target-card=", response.text)) == targets.count()


def test_overview_controls_are_plain_get_parameters(demo):
    """Term, as-of point and unit are GET fields; no script or stylesheet from a CDN."""
    response = demo.get("/")
    html = response.text
    assert '<form method="get" class="controls"' in html
    assert 'name="as_of"' in html
    assert '<option value="mid" selected>Giữa nhiệm kỳ (2,5 năm)</option>' in html
    assert '<option value="2025">Cuối nhiệm kỳ (2025)</option>' in html
    assert 'name="unit"' in html
    # The unit control offers the grassroots organisations, not the 1.000+ cells.
    # Those of the committee's last day (it merged into its successor in 2025), and the
    # two that ended in 2024 (one merged into another, one dissolved) still below it.
    assert html.count("<option value=") == 6 + 1 + 119 + 2
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_overview_for_one_unit_is_judged_against_its_quotas(demo, admissions):
    """?unit= narrows to one organisation: its own figure against its quota."""
    term = admissions.term
    unit = Unit.objects.filter(parent=term.root_unit, quotas__target=admissions).first()
    progress = term_progress(term=term, as_of=parse_as_of(term, "mid"), scope=unit)
    row = progress.for_target(admissions.pk)
    response = demo.get(f"/?unit={unit.pk}")
    assert response.status_code == 200
    card = text_of(card_of(response, "1"))
    assert num(row.actual) in card
    assert f"/ {num(row.expected)} đảng viên" in card
    assert f"<strong>{unit.name}</strong>" in response.text
    assert f"{progress.headline.met}/{progress.headline.total}" in text_of(response.text)


def test_a_term_without_targets_says_what_to_do(client):
    """An empty term is not an empty page: it says to add targets."""
    root, _units = make_tree(2)
    make_term(root)
    client.force_login(make_user("lanhdao", role=roles.LEADER))
    response = client.get("/")
    assert response.status_code == 200
    assert "Nhiệm kỳ này chưa có chỉ tiêu" in text_of(response.text)


def test_english_switch_changes_words_and_number_format(demo):
    """With English chosen, the same figures read the English way."""
    demo.post("/i18n/setlang/", {"language": "en", "next": "/"})
    text = text_of(demo.get("/").text)
    assert "achieved 130% (exceeded by 30%)" in text
    assert "2,078" in text


# Target detail --------------------------------------------------------------


def test_target_detail_shows_definition_years_and_units(demo, admissions):
    """The definition, the series against the yearly targets and the unit table."""
    response = demo.get(f"/targets/{admissions.pk}/")
    assert response.status_code == 200
    text = text_of(response.text)
    assert "Kết nạp đảng viên mới" in text
    definition = re.search(r'<section class="card definition">(.*?)</section>', response.text, re.S)
    assert "Chỉ tiêu cả nhiệm kỳ 3.200" in text_of(definition.group(1))
    assert "2.078" in text
    assert "đạt 130% (vượt 30%)" in text
    years = re.search(r'data-testid="years">(.*?)</table>', response.text, re.S).group(1)
    assert '<td class="title">2021</td>' in years
    assert "820" in years
    assert '<svg class="trend detailed"' in response.text
    assert "121 đơn vị" in text
    assert len(unit_rows(response)) == 25  # one page


def test_target_detail_lists_lagging_units_first(demo):
    """By default the units that lag come first, the worst at the top; met units last."""
    standard = Target.objects.get(code="5")  # 62/121 reached the cultural standard
    term = standard.term
    breakdown = target_breakdown(term=term, target=standard, as_of=parse_as_of(term, "mid"))
    lagging = [e for e in breakdown if e.progress.status == "not_yet_met"]
    assert len(lagging) == 59
    response = demo.get(f"/targets/{standard.pk}/")
    assert "62/121 (51,2%)" in text_of(response.text)
    rows = unit_rows(response)
    assert all("Chưa đạt" in row for row in rows)
    last_page = unit_rows(demo.get(f"/targets/{standard.pk}/?page=5"))
    assert all("Vượt" in row for row in last_page)


def test_target_detail_sorts_and_pages(demo, admissions):
    """Sorting by actual puts the largest figure first; page 2 holds the next units."""
    term = admissions.term
    breakdown = target_breakdown(term=term, target=admissions, as_of=parse_as_of(term, "mid"))
    best = max(breakdown, key=lambda e: e.progress.actual)
    rows = unit_rows(demo.get(f"/targets/{admissions.pk}/?sort=-actual"))
    assert best.unit.name in rows[0]
    assert num(best.progress.actual) in rows[0]
    second = unit_rows(demo.get(f"/targets/{admissions.pk}/?sort=-actual&page=2"))
    assert len(second) == 25
    assert not set(second) & set(rows)


def test_target_detail_filters_by_sector_kind_and_status(demo, admissions):
    """Sector and kind filter the units; status filters on the engine's status."""
    response = demo.get(f"/targets/{admissions.pk}/?sector=enterprise")
    assert "35 đơn vị" in text_of(response.text)
    term = admissions.term
    breakdown = target_breakdown(term=term, target=admissions, as_of=parse_as_of(term, "mid"))
    exceeded = [e for e in breakdown if e.progress.status == "exceeded"]
    response = demo.get(f"/targets/{admissions.pk}/?status=exceeded")
    assert f"{len(exceeded)} đơn vị" in text_of(response.text)
    assert all("Vượt" in row for row in unit_rows(response))
    committees = (
        term_tree_children(term.root_unit)
        .filter(kind=Kind.GRASSROOTS_COMMITTEE, sector=Sector.AGENCY)
        .count()
    )
    response = demo.get(
        f"/targets/{admissions.pk}/?kind=grassroots_committee&sector=agency&sort=name"
    )
    assert f"{committees} đơn vị" in text_of(response.text)


def test_has_not_reported_filter(client):
    """ "Has not reported" keeps the units without a result for the target so far.

    A sum target counts a unit as reported once it reported in any year up to the
    as-of point (docs/domain.md, coverage): an earlier year's figure is a report.
    """
    root, units = make_tree(3)
    term = make_term(root)
    target = make_target(term, term_target=30)
    make_result(target, units[0], 2023, value=5)  # the mid-term year
    make_result(target, units[1], 2021, value=5)  # an earlier year only
    client.force_login(make_user("lanhdao", role=roles.LEADER))
    rows = unit_rows(client.get(f"/targets/{target.pk}/?not_reported=on&sort=name"))
    assert len(rows) == 1
    assert rows[0].startswith(units[2].name + " ")
    assert len(unit_rows(client.get(f"/targets/{target.pk}/"))) == 3


def test_target_units_link_down_to_their_own_units(demo, admissions):
    """A unit in the table opens the same target one level down."""
    response = demo.get(f"/targets/{admissions.pk}/?kind=grassroots_committee&as_of=2022")
    code = re.search(r'<tr [^>]*data-unit="([^"]+)"', response.text).group(1)
    unit = Unit.objects.get(code=code)
    # Drilling down keeps the as-of point and drops the table's filters.
    assert f'href="?as_of=2022&amp;unit={unit.pk}"' in response.text
    below = demo.get(f"/targets/{admissions.pk}/?unit={unit.pk}")
    assert below.status_code == 200
    assert len(unit_rows(below)) == Unit.objects.filter(parent=unit).count()


@pytest.mark.parametrize(
    "query",
    ["?status=zzz", "?page=abc", "?page=999", "?sort=nonsense", "?kind=x&sector=y", "?as_of=2031"],
)
def test_target_detail_bad_parameters_are_not_errors(demo, admissions, query):
    """Wrong filters, pages or sorts give the page (with a message where relevant)."""
    response = demo.get(f"/targets/{admissions.pk}/{query}")
    assert response.status_code == 200
    if "as_of" in query:
        assert "Thời điểm đánh giá phải là một năm" in text_of(response.text)


def test_target_detail_unknown_or_foreign_is_404(demo, admissions, client):
    """An unknown target, a unit outside the scope or a text id is a 404."""
    assert demo.get("/targets/999999/").status_code == 404
    assert demo.get(f"/targets/{admissions.pk}/?unit=abc").status_code == 404
    assert demo.get(f"/targets/{admissions.pk}/?unit=999999").status_code == 404
    other_root, _units = make_tree(1)
    other = make_target(make_term(other_root, start_year=2010, end_year=2015))
    log_in(client, "nhaplieu", PASSWORD)
    assert client.get(f"/targets/{other.pk}/").status_code == 404
    root = Unit.objects.get(code="KHOI")
    assert client.get(f"/targets/{admissions.pk}/?unit={root.pk}").status_code == 404


# Unit scorecard ---------------------------------------------------------------


def test_unit_scorecard_lists_every_target_with_links_up_and_down(demo):
    """A grassroots committee's scorecard: every target, its parent and its cells."""
    root = Unit.objects.get(code="KHOI")
    # The bloc ended in 2025: its organisations as it had them on its last day.
    unit = term_tree_children(root).filter(kind=Kind.GRASSROOTS_COMMITTEE).first()
    response = demo.get(f"/units/{unit.pk}/")
    assert response.status_code == 200
    targets = Target.objects.filter(term__start_year=2020)
    assert response.text.count("<tr data-target=") == targets.count()
    assert f'href="/units/{root.pk}/' in response.text
    for cell in Unit.objects.filter(parent=unit):
        assert f'href="/units/{cell.pk}/' in response.text
    term = Term.objects.get(start_year=2020)
    row = term_progress(term=term, as_of=parse_as_of(term, "mid"), scope=unit).for_target(
        Target.objects.get(code="1").pk
    )
    admitted = re.search(r'<tr data-target="1">(.*?)</tr>', response.text, re.S).group(1)
    assert num(row.actual) in text_of(admitted)
    assert num(row.expected) in text_of(admitted)


def test_root_scorecard_shows_the_article_figures(demo):
    """The committee's own scorecard is the resolution against its targets."""
    root = Unit.objects.get(code="KHOI")
    response = demo.get(f"/units/{root.pk}/?as_of=mid")
    text = text_of(response.text)
    assert "9/10" in text
    assert "1.063/1.117 (95,2%)" in text


def _moved_and_dissolved(moves: int = 1):
    """A cell founded in 2018 under Đảng bộ X, moved to Đảng bộ Y in 01/2023 (and back
    and forth `moves` times in all), then dissolved in 07/2025 under a numbered decision."""
    root = make_root()
    old, new = (
        make_unit(name, parent=root, kind=Kind.GRASSROOTS_COMMITTEE)
        for name in ("Đảng bộ X", "Đảng bộ Y")
    )
    cell = make_unit("Chi bộ Kho vận", parent=old, kind=Kind.CELL)
    cell.founded_on = date(2018, 3, 1)
    cell.save()
    term = make_term(root)
    make_result(make_target(term, level=Level.GRASSROOTS), cell, 2022, value=3)
    for number in range(moves):
        unit_move(
            unit=cell,
            parent=(new, old)[number % 2],
            when=date(2023, 1 + number, 1),
            decision_number=f"{12 + number}-QĐ/ĐUK",
        )
    unit_dissolve(unit=cell, when=date(2025, 7, 1), decision_number="40-QĐ/ĐUK")
    return root, cell


def test_scorecard_shows_the_units_timeline(client):
    """A moved, then dissolved unit's scorecard tells its story in one line; others have none."""
    root, cell = _moved_and_dissolved()
    client.force_login(make_user("lanhdao", unit=root, role=roles.LEADER))
    response = client.get(f"/units/{cell.pk}/")
    assert response.status_code == 200
    timeline = re.search(r'data-testid="timeline">(.*?)</p>', response.text, re.S)
    assert timeline, "no timeline on the scorecard"
    assert text_of(timeline.group(1)) == (
        "Quá trình: thành lập 2018 · chuyển từ Đảng bộ X sang Đảng bộ Y 01/2023 "
        "theo QĐ số 12-QĐ/ĐUK · giải thể 07/2025 theo QĐ số 40-QĐ/ĐUK"
    )
    # Nothing happened to the committee: no empty line.
    assert 'data-testid="timeline"' not in client.get(f"/units/{root.pk}/").text


def test_scorecard_timeline_query_count_does_not_grow(client, django_assert_max_num_queries):
    """The timeline costs the same two queries for one event or five."""
    sizes = []
    for moves in (1, 4):
        root, cell = _moved_and_dissolved(moves)
        client.force_login(make_user(f"lanhdao{moves}", unit=root, role=roles.LEADER))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/units/{cell.pk}/").text.count(" · chuyển từ ") == moves
        sizes.append(len(queries))
    assert sizes[0] == sizes[1], sizes
    with django_assert_max_num_queries(MAX_QUERIES["scorecard"] + 2):
        client.get(f"/units/{cell.pk}/")


# Completeness -----------------------------------------------------------------


@pytest.fixture
def reporting_tree():
    """Three organisations and the committee; two grassroots targets and a committee one."""
    root, units = make_tree(3)
    term = make_term(root)
    grassroots = [make_target(term, level=Level.GRASSROOTS) for _number in range(2)]
    committee = make_target(term, level=Level.COMMITTEE)
    make_result(grassroots[0], units[0], 2022, value=1)
    make_result(grassroots[1], units[0], 2022, value=1)
    make_result(grassroots[0], units[1], 2022, value=1)
    make_result(grassroots[0], units[2], 2021, value=1)  # another year
    return root, units, term, grassroots, committee


def test_completeness_lists_who_has_not_entered_what(client, reporting_tree):
    """Per unit: how many of its targets are missing for the year, and which."""
    root, units, _term, grassroots, committee = reporting_tree
    client.force_login(make_user("lanhdao", role=roles.LEADER))
    response = client.get("/completeness/?year=2022")
    assert response.status_code == 200
    assert "3 đơn vị chưa nhập đủ chỉ tiêu năm 2022" in text_of(response.text)
    rows = {
        code: text_of(row)
        for code, row in re.findall(r'<tr data-unit="([^"]+)">(.*?)</tr>', response.text, re.S)
    }
    assert units[0].code not in rows
    assert "1/2" in rows[units[1].code]
    assert grassroots[1].code in rows[units[1].code]
    assert "2/2" in rows[units[2].code]
    assert "1/1" in rows[root.code]
    assert committee.code in rows[root.code]


def test_completeness_follows_each_targets_reporting_frequency(client):
    """An every-year stock needs the year's own entry; "when it happens" is never missing."""
    root, units = make_tree(1)
    term = make_term(root)
    stock = make_target(term, measure=Measure.FLAG, combine="latest", term_target=1)
    flow = make_target(term)
    happening = make_target(
        term, measure=Measure.FLAG, combine="latest", term_target=1,
        frequency=Frequency.WHEN_IT_HAPPENS,
    )  # fmt: skip
    make_result(stock, units[0], 2021, flag=True)
    make_result(flow, units[0], 2021, value=4)
    client.force_login(make_user("lanhdao", role=roles.LEADER))
    response = client.get("/completeness/?year=2022")
    row = text_of(re.search(r'<tr data-unit="[^"]+">(.*?)</tr>', response.text, re.S).group(1))
    assert "2/2" in row
    assert flow.code in row.split(" ")
    assert stock.code in row.split(" ")
    assert happening.code not in row.split(" ")


def test_completeness_flags_possible_double_counts(client):
    """A grassroots committee and its cell both entered admissions for 2022."""
    root, (committee,) = make_tree(1, cells=1)
    cell = committee.children.get()
    term = make_term(root)
    admissions = make_target(term)
    make_result(admissions, committee, 2022, value=5)
    make_result(admissions, cell, 2022, value=3)
    client.force_login(make_user("lanhdao", role=roles.LEADER))
    section = client.get("/completeness/?year=2022").text.split('data-testid="double-counts"')
    assert len(section) == 2
    assert f'data-unit="{committee.code}"' in section[1]
    assert f'data-unit="{cell.code}"' not in section[1]
    assert 'data-testid="double-counts"' not in client.get("/completeness/?year=2021").text


def test_completeness_is_scoped_to_the_users_unit(client, reporting_tree):
    """A clerk sees only their own organisation's gaps."""
    _root, units, *_rest = reporting_tree
    client.force_login(make_user("clerk", unit=units[2], role=roles.CLERK))
    response = client.get("/completeness/?year=2022")
    codes = re.findall(r'<tr data-unit="([^"]+)">', response.text)
    assert codes == [units[2].code]


@pytest.mark.parametrize("year", ["2019", "2031", "abc"])
def test_completeness_year_outside_the_term_is_a_message(client, reporting_tree, year):
    """A year outside the term is explained, not an error."""
    client.force_login(make_user("lanhdao", role=roles.LEADER))
    response = client.get(f"/completeness/?year={year}")
    assert response.status_code == 200
    assert "Năm phải nằm trong nhiệm kỳ, từ 2021 đến 2025" in text_of(response.text)


def test_completeness_when_all_is_in(client):
    """When every unit has entered every target the page says so."""
    root, units = make_tree(1)
    term = make_term(root)
    target = make_target(term)
    make_result(target, units[0], 2022, value=3)
    client.force_login(make_user("lanhdao", role=roles.LEADER))
    assert 'data-testid="complete"' in client.get("/completeness/?year=2022").text


# Query counts -------------------------------------------------------------------


def _tree_with_results(grassroots: int, targets: int, *, start: int):
    root, units = make_tree(grassroots, cells=1)
    term = make_term(root, start_year=start, end_year=start + 5)
    made = []
    for number in range(targets):
        measure = Measure.FLAG if number % 3 == 2 else Measure.COUNT
        target = make_target(
            term, measure=measure, **({"combine": "latest"} if measure == Measure.FLAG else {})
        )
        made.append(target)
        for unit in units:
            figure = {"flag": True} if measure == Measure.FLAG else {"value": 2}
            make_result(target, unit, start + 1, **figure)
            make_quota(target, unit, 4)
    make_unit(parent=units[0], kind=Kind.CELL, is_active=False)
    return root, units, term, made


# The queries of each page, session (with the idle timeout's first write) and user
# included (the engine's own are 4 to 5 for term_progress, 3 for the target page).
MAX_QUERIES = {
    "overview": 11,
    "overview_unit": 13,
    "target": 11,
    "target_unit": 13,
    "target_filtered": 11,
    "scorecard": 14,
    "completeness": 12,
}


@pytest.mark.parametrize("page", list(MAX_QUERIES))
def test_each_page_query_count_does_not_grow(client, django_assert_max_num_queries, page):
    """Each page runs the same, pinned number of queries for 2 units × 2 targets and 12 × 8."""
    sizes = []
    for grassroots, targets in ((2, 2), (12, 8)):
        root, units, term, made = _tree_with_results(grassroots, targets, start=2000 + grassroots)
        user = make_user(f"lanhdao{grassroots}", unit=root, role=roles.LEADER)
        client.force_login(user)
        url = {
            "overview": f"/?term={term.pk}",
            "overview_unit": f"/?term={term.pk}&unit={units[0].pk}",
            "target": f"/targets/{made[0].pk}/",
            "target_unit": f"/targets/{made[0].pk}/?unit={units[0].pk}",
            "target_filtered": f"/targets/{made[0].pk}/?status=not_yet_met&sector=agency",
            "scorecard": f"/units/{units[0].pk}/",
            "completeness": f"/completeness/?term={term.pk}&year={term.start_year + 2}",
        }[page]
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        sizes.append(len(queries))
    assert sizes[0] == sizes[1], sizes
    with django_assert_max_num_queries(MAX_QUERIES[page]):
        client.get(url)


@pytest.mark.parametrize("filtered", ["", "?status=not_yet_met&sector=agency&sort=-completion"])
def test_target_page_takes_at_most_eight_queries_at_any_size(
    client, django_assert_max_num_queries, filtered
):
    """The target page and its unit table: 8 queries for 2 units and for 40, filtered or not."""
    for grassroots, targets in ((2, 2), (40, 3)):
        root, _units, _term, made = _tree_with_results(grassroots, targets, start=2000 + grassroots)
        client.force_login(make_user(f"lanhdao{grassroots}", unit=root, role=roles.LEADER))
        url = f"/targets/{made[0].pk}/{filtered}"
        assert client.get(url).status_code == 200  # the session's first write
        with django_assert_max_num_queries(8):
            assert client.get(url).status_code == 200


BAD_QUERIES = [
    "?as_of=abc",
    "?as_of=2019",
    "?as_of=-1",
    "?unit=abc",
    "?unit=999999",
    "?term=abc",
    "?term=999999",
    "?year=abc",
    "?year=1800",
    "?page=abc",
    "?page=-3",
    "?sort=drop table",
    "?status=%00",
    "?not_reported=maybe",
    "?sector=" + "x" * 300,
]


def test_no_parameter_gives_a_server_error(demo, admissions):
    """Every page answers 200 (with a message) or 404 to any wrong parameter."""
    root = Unit.objects.get(code="KHOI")
    cell = Unit.objects.filter(kind=Kind.CELL).first()
    pages = [
        "/",
        f"/targets/{admissions.pk}/",
        f"/targets/{admissions.pk}/?unit={cell.pk}&",
        f"/units/{root.pk}/",
        f"/units/{cell.pk}/",
        "/completeness/",
    ]
    for page in pages:
        for query in BAD_QUERIES:
            url = page + (query[1:] if page.endswith("&") else query)
            status = demo.get(url).status_code
            assert status in {200, 404}, (url, status)
    assert demo.get("/units/999999/").status_code == 404
    assert demo.get("/targets/abc/").status_code == 404


def test_a_clerk_sees_every_page_for_their_subtree_only(client):
    """A unit's staff get the same pages, confined to their unit and the units below it."""
    demo_load(password=PASSWORD)
    admissions = Target.objects.get(code="1")
    log_in(client, "nhaplieu", PASSWORD)
    mine = Unit.objects.get(users__username="nhaplieu")
    below = list(Unit.objects.filter(parent=mine))
    overview = client.get("/")
    options = re.findall(r'<option value="(\d+)"', overview.text.split('name="unit"')[1])
    assert sorted(map(int, options)) == sorted([mine.pk] + [unit.pk for unit in below])
    detail = client.get(f"/targets/{admissions.pk}/")
    assert len(unit_rows(detail)) == len(below)
    assert f"<strong>{mine.name}</strong>" in detail.text
    completeness = client.get("/completeness/?year=2025")
    for code in re.findall(r'<tr data-unit="([^"]+)">', completeness.text):
        assert Unit.objects.get(code=code).is_in(mine)
    assert client.get(f"/units/{mine.parent_id}/").status_code == 404
    assert client.get(f"/completeness/?unit={mine.parent_id}").status_code == 404


@pytest.mark.parametrize("url", ["/", "/targets/1/", "/units/1/", "/completeness/?year=2023"])
def test_every_page_needs_a_login(client, url):
    """Anonymous visitors are sent to the login page."""
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def _tbody(html: str) -> str:
    body = re.search(r"<tbody[^>]*>(.*?)</tbody>", html, re.S).group(1)
    return re.sub(r">\s+<", "><", body.strip())


@pytest.mark.parametrize("code", ["1", "5", "9"])
def test_the_unit_table_renders_its_page_as_django_tables2_would(demo, code):
    """The page's rows are rendered in Python (`UnitBreakdownTable.page_rows`): cell for
    cell and attribute for attribute what django-tables2's own template gives."""
    from django.test import RequestFactory
    from django_tables2 import RequestConfig

    from indicators.engine import target_breakdown_progress
    from reports.tables import UnitBreakdownTable, breakdown_rows

    target = Target.objects.prefetch_related("year_values").get(code=code)
    term = target.term
    first = term_tree_children(term.root_unit).order_by("name").first()
    Unit.objects.filter(pk=first.pk).update(is_active=False)
    as_of = parse_as_of(term, "mid")
    units = target_breakdown_progress(term=term, target=target, as_of=as_of).units
    rows = breakdown_rows(units, drill_url=lambda unit: f"?unit={unit.pk}&x=<&>")
    for query in ({}, {"page": 2}, {"sort": "name"}, {"sort": "-sector", "page": 5}):
        request = RequestFactory().get("/", query)
        rendered = []
        for template in (None, "django_tables2/table.html"):
            table = UnitBreakdownTable(list(rows), target=target, as_of=as_of)
            if template:
                table.template_name = template
            RequestConfig(request, paginate={"per_page": 25}).configure(table)
            rendered.append(_tbody(table.as_html(request)))
        assert rendered[0] == rendered[1], query
        if query == {"sort": "name"}:
            assert f'data-unit="{first.code}"' in rendered[0]
            assert "<small>" in rendered[0]  # "(inactive)"
        assert rendered[0].count("<tr ") == (21 if query.get("page") == 5 else 25)
