"""Committees through time: a term belongs to the committee that adopted it. When the
committee ends (merged into a successor), its term keeps the organisations it had on its
last day, stays readable to its users and to the successor's, and the successor's own
term counts the organisations it received."""

import re
from datetime import date

import pytest

from indicators.demo import demo_load
from indicators.demo_2025 import DECISION_NUMBER, SUCCESSOR_CODE
from indicators.engine import as_of_mid_term, as_of_points, as_of_year, term_progress
from indicators.models import Combine, Judgement, Level, Measure, Result, Term, UnitYear, YearState
from tests.factories import make_quota, make_result, make_target, make_term, make_unit, make_user
from tests.indicators.test_rollup import assert_rollup_exact
from tests.indicators.test_year_tree import TARGET_KINDS, figure, figures_up_to
from units import roles
from units.events import unit_merge, unit_move
from units.models import GRASSROOTS_KINDS, EndReason, EventKind, Kind, Unit, UnitEvent, User
from units.selectors import units_of_year

pytestmark = pytest.mark.django_db

DECISION = {"decision_number": "150-QĐ/TU", "decision_date": date(2025, 6, 20)}
MERGED_ON = date(2025, 7, 1)


def bloc(name):
    return make_unit(name, kind=Kind.BLOC, sector="")


def grassroots(parent, cells=0):
    kind = Kind.GRASSROOTS_COMMITTEE if cells else Kind.GRASSROOTS_CELL
    unit = make_unit(parent=parent, kind=kind)
    for _cell in range(cells):
        make_unit(parent=unit, kind=Kind.CELL)
    return unit


@pytest.fixture
def blocs():
    """Bloc A (three organisations, one with two cells) with a 2020–2025 term whose results
    run to 2025, its own included; bloc B with one organisation."""
    old = bloc("Đảng bộ Khối A")
    organisations = [grassroots(old, cells=2), grassroots(old), grassroots(old)]
    other = bloc("Đảng bộ Khối B")
    other_organisation = grassroots(other)
    term = make_term(old)
    targets = [make_target(term, **kind) for kind in TARGET_KINDS]
    committee_count = make_target(term, level=Level.COMMITTEE, judgement=Judgement.EVERY_YEAR,
                                  term_target=None, yearly_target=10)  # fmt: skip
    committee_stock = make_target(term, level=Level.COMMITTEE, combine=Combine.LATEST,
                                  judgement=Judgement.FINAL, term_target=5)  # fmt: skip
    cells = list(Unit.objects.filter(kind=Kind.CELL, path__startswith=old.path))
    units = [*organisations, *cells]
    seed = 0
    for year in range(2021, 2026):
        for target, kind in zip(targets, TARGET_KINDS, strict=True):
            for unit in units:
                seed += 1
                if kind.get("measure") == Measure.FLAG and unit.kind == Kind.CELL:
                    continue
                if seed % 3:
                    make_result(target, unit, year, **figure(kind, seed))
        make_result(committee_count, old, year, value=8 + year % 4)
        if year in (2022, 2024):
            make_result(committee_stock, old, year, value=year - 2020)
    make_quota(targets[0], organisations[0], 12)
    return {
        "old": old,
        "other": other,
        "other_organisation": other_organisation,
        "term": term,
        "organisations": organisations,
    }


def merge_into_new(blocs):
    new = Unit.objects.create(
        name="Đảng bộ các cơ quan tỉnh", code="CQT", kind=Kind.BLOC, founded_on=MERGED_ON
    )
    unit_merge(units=[blocs["old"], blocs["other"]], into=new, when=MERGED_ON, **DECISION)
    return Unit.objects.get(pk=new.pk)


def test_the_old_terms_figures_stay_those_before_the_merger(blocs):
    """Every figure of every as-of point (2025 included), at the committee and at each
    organisation, with each breakdown and each year's missing reports, is the same
    after the committee merged into a successor on 01/07/2025 as before."""
    term = blocs["term"]
    scopes = [blocs["old"], *blocs["organisations"]]
    before = figures_up_to(term, 2025, scopes)
    merge_into_new(blocs)
    term.refresh_from_db()
    scopes = [Unit.objects.get(pk=unit.pk) for unit in scopes]
    after = figures_up_to(term, 2025, scopes)
    assert after.keys() == before.keys()
    assert [key for key in before if after[key] != before[key]] == []
    assert_rollup_exact(term, scopes=scopes)


def test_the_old_term_counts_the_organisations_it_had_on_its_last_day(blocs):
    old, organisations = blocs["old"], blocs["organisations"]
    new = merge_into_new(blocs)
    old.refresh_from_db()
    assert old.end_year == 2025
    assert list(old.successors.all()) == [new]
    # Plainly, 2025's tree holds nothing under the old committee...
    assert list(units_of_year(old, 2025)) == []
    # ... but its term reads the tree of its last day, 30/06/2025, bloc B's units left out.
    cells = list(Unit.objects.filter(parent=organisations[0]))
    assert set(units_of_year(old, 2025, old)) == {old, *organisations, *cells}
    term = blocs["term"]
    rating = term.targets.get(level=Level.GRASSROOTS, measure=Measure.FLAG)
    row = term_progress(term=term, as_of=as_of_year(term, 2025)).for_target(rating.pk)
    assert row.in_scope == 3


def test_a_result_of_the_old_term_is_still_entered_after_the_merger(blocs, client):
    """2025 is reported in early 2026: the organisation's clerk enters it in the old term."""
    term, organisation = blocs["term"], blocs["organisations"][1]
    target = term.targets.order_by("pk").first()
    Result.objects.filter(unit=organisation, year=2025).delete()
    merge_into_new(blocs)
    clerk = make_user("nhaplieu", unit=organisation, role=roles.CLERK)
    client.force_login(clerk)
    url = f"/entry/{organisation.pk}/2025/"
    assert client.get(url).status_code == 200
    data = {f"t{pk}-version": 0 for pk in term.targets.values_list("pk", flat=True)}
    response = client.post(url, {**data, f"t{target.pk}-value": 9})
    assert response.status_code == 302
    assert Result.objects.get(target=target, unit=organisation, year=2025).value == 9
    assert_rollup_exact(term)


def test_the_successors_term_counts_the_organisations_it_received(blocs):
    new = merge_into_new(blocs)
    term = make_term(new, start_year=2025, end_year=2030)
    rating = make_target(term, **TARGET_KINDS[3])
    received = list(Unit.objects.filter(parent=new))
    assert len(received) == 4  # three from bloc A, one from bloc B
    for unit in received[:3]:
        make_result(rating, unit, 2026, flag=True)
    row = term_progress(term=term, as_of=as_of_year(term, 2026)).for_target(rating.pk)
    assert (row.numerator, row.denominator, row.in_scope) == (3, 4, 4)
    assert next(point.year for point in as_of_points(term)) == 2026
    assert_rollup_exact(term)


def scorecard_status(client, term, unit=None):
    query = f"?term={term.pk}&as_of=2025" + (f"&unit={unit.pk}" if unit else "")
    return client.get(f"/{query}").status_code


def test_the_old_term_stays_readable_to_its_users_and_the_successors(blocs, client):
    term, old = blocs["term"], blocs["old"]
    organisation = blocs["organisations"][0]
    new = merge_into_new(blocs)
    unrelated = bloc("Đảng bộ Khối C")
    readers = {
        "lanhdao_cu": make_user("lanhdao_cu", unit=old, role=roles.LEADER),
        "lanhdao_moi": make_user("lanhdao_moi", unit=new, role=roles.LEADER),
        "nhaplieu": make_user("nhaplieu", unit=organisation, role=roles.CLERK),
    }
    for username, user in readers.items():
        client.force_login(user)
        assert scorecard_status(client, term) == 200, username
    # The successor's leader opens each organisation the old committee had.
    client.force_login(readers["lanhdao_moi"])
    assert scorecard_status(client, term, organisation) == 200
    response = client.get(f"/units/{organisation.pk}/?term={term.pk}&as_of=2025")
    assert response.status_code == 200
    # The old committee's leader still lands on its term.
    client.force_login(readers["lanhdao_cu"])
    assert "nhiệm kỳ 2020–2025" in re.sub(r"\s+", " ", client.get("/").content.decode())
    # Staff of a unit that never had anything to do with it: no.
    client.force_login(make_user("lanhdao_c", unit=unrelated, role=roles.LEADER))
    assert scorecard_status(client, term) == 404
    client.force_login(readers["nhaplieu"])
    # Bloc B's organisation, received by the successor too, is not in the old term.
    client.force_login(readers["lanhdao_moi"])
    assert scorecard_status(client, term, blocs["other_organisation"]) == 404


def test_the_demo_has_the_2025_reorganisation_with_the_seed_figures():
    """The demo's bloc merged into its successor on 01/07/2025 by a recorded decision; the
    successor holds its 121 organisations and starts the 2025–2030 term with them; the
    bloc's term still reads 111/121 and 62/121, at mid-term and at its end."""
    term = Term.objects.get(pk=demo_load(password="demo-password-for-tests").term.pk)
    bloc_unit = term.root_unit
    successor = Unit.objects.get(code=SUCCESSOR_CODE)
    assert (bloc_unit.ended_on, bloc_unit.end_reason) == (date(2025, 7, 1), EndReason.MERGED)
    assert bloc_unit.end_decision_number == DECISION_NUMBER
    assert list(bloc_unit.successors.all()) == [successor]
    assert UnitEvent.objects.filter(unit=bloc_unit, kind=EventKind.MERGE).exists()
    # 121 organisations less the one merged into another and the one dissolved in 2024
    # (indicators/demo_events.py).
    received = Unit.objects.filter(parent=successor)
    assert received.filter(kind__in=GRASSROOTS_KINDS).count() == 119
    rows = {
        row.target.code: row for row in term_progress(term=term, as_of=as_of_mid_term(term)).targets
    }
    assert (rows["4"].numerator, rows["4"].denominator) == (111, 121)
    assert (rows["5"].numerator, rows["5"].denominator) == (62, 121)
    end = {
        row.target.code: row
        for row in term_progress(term=term, as_of=as_of_year(term, 2025)).targets
    }
    assert (end["4"].denominator, end["5"].denominator) == (119, 119)
    new_term = Term.objects.get(root_unit=successor)
    assert (new_term.start_year, new_term.end_year, new_term.is_illustrative) == (2025, 2030, True)
    assert set(new_term.targets.values_list("code", flat=True)) == {"N1", "N2", "N3", "N7", "N8"}
    progress = term_progress(term=new_term, as_of=as_of_year(new_term, 2026))
    rating = progress.for_target(new_term.targets.get(code="N7").pk)
    assert (rating.reported, rating.in_scope) == (0, 119)
    assert_rollup_exact(term)


def test_the_successors_staff_act_on_the_years_before_it_existed(blocs, client):
    """A successor stands where its predecessors stood for the years before it was
    founded: its reviewer opens and may approve an organisation's 2023, which was the
    old committee's; staff of an organisation it received never see a sibling's."""
    from indicators.services import outside_scope_then

    new = merge_into_new(blocs)
    organisation = Unit.objects.get(pk=blocs["organisations"][1].pk)
    reviewer = make_user("kiemduyet_cqt", unit=new, role=roles.REVIEWER)
    assert outside_scope_then(user=reviewer, unit=organisation, year=2023) is None
    client.force_login(reviewer)
    assert client.get(f"/entry/{organisation.pk}/2023/").status_code == 200
    sibling_clerk = make_user("nhaplieu_b", unit=blocs["other_organisation"], role=roles.CLERK)
    client.force_login(sibling_clerk)
    assert client.get(f"/entry/{organisation.pk}/2023/").status_code == 404


def crumbs(client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200
    trail = re.search(r'<nav[^>]*class="[^"]*crumbs[^"]*"[^>]*>(.*?)</nav>', page.text, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", trail.group(1)))


def test_the_ended_blocs_pages_go_up_the_tree_of_the_as_of_year(client):
    """The demo's cell moved from Đảng bộ cơ quan số 092 to số 097 on 01/04/2023, and the
    bloc ended in 2025: its leader, opening the cell as of 2022, goes up through 092,
    as of 2024 through 097, on the overview and on the cell's scorecard."""
    demo_load(password="demo-password-for-tests")
    cell = Unit.objects.get(code="CS092-05")
    client.force_login(User.objects.get(username="lanhdao"))
    for url in (f"/?unit={cell.pk}&as_of=2022", f"/units/{cell.pk}/?as_of=2022"):
        trail = crumbs(client, url)
        assert "Đảng bộ cơ quan số 092" in trail.split("›")[-2], trail
        assert "số 097" not in trail
    for url in (f"/?unit={cell.pk}&as_of=2024", f"/units/{cell.pk}/?as_of=2024"):
        assert "Đảng bộ cơ quan số 097" in crumbs(client, url).split("›")[-2]


def test_the_ended_blocs_unit_control_lists_its_tree_in_order(client):
    """The bloc first, then its organisations in the order of its tree, each once: those
    it had on its last day (now under its successor) and those that ended before it."""
    demo_load(password="demo-password-for-tests")
    client.force_login(User.objects.get(username="lanhdao"))
    page = client.get("/").text
    control = re.search(r'<select name="unit"[^>]*>(.*?)</select>', page, re.S).group(1)
    labels = re.findall(r"<option[^>]*>(.*?)</option>", control)
    assert not labels[0].startswith("\u00a0")
    assert all(label.startswith("\u00a0\u00a0") for label in labels[1:])
    numbers = [int(re.search(r"số (\d+)", label).group(1)) for label in labels[1:]]
    assert numbers == sorted(numbers)
    assert len(numbers) == len(set(numbers)) == 121


def test_the_ended_blocs_overview_of_an_organisation_goes_up_through_the_bloc(client):
    """An organisation the demo's bloc had on its last day (now under the successor):
    the bloc's leader opening it on the overview goes up through the bloc, as on the
    organisation's scorecard."""
    demo_load(password="demo-password-for-tests")
    organisation = Unit.objects.get(code="CS097")
    client.force_login(User.objects.get(username="lanhdao"))
    for url in (f"/?unit={organisation.pk}", f"/units/{organisation.pk}/"):
        assert "Đảng bộ Khối" in crumbs(client, url).split("›")[0]


def test_an_ended_committees_pages_read_its_own_tree_through_a_move(blocs, client):
    """Bloc A's own tree (not the demo's): a cell moved between two of its organisations
    on 01/04/2023, then the bloc merged into a successor. Its leader, opening the cell,
    goes up through the first organisation as of 2022 and through the second as of
    2024; the unit control lists the bloc's organisations in the order of its tree."""
    old, term = blocs["old"], blocs["term"]
    first, second, third = blocs["organisations"]
    cell = Unit.objects.filter(parent=first).order_by("pk").first()
    unit_move(unit=cell, parent=second, when=date(2023, 4, 1), decision_number="12-QĐ/ĐUK")
    merge_into_new(blocs)
    client.force_login(make_user("lanhdao_a", unit=old, role=roles.LEADER))
    for as_of, parent in ((2022, first), (2024, second)):
        for url in (f"/?term={term.pk}&unit={cell.pk}&as_of={as_of}",
                    f"/units/{cell.pk}/?term={term.pk}&as_of={as_of}"):  # fmt: skip
            trail = crumbs(client, url).split("›")
            assert old.name in trail[0], (url, trail)
            assert parent.name in trail[-2], (url, trail)
    page = client.get(f"/?term={term.pk}").text
    control = re.search(r'<select name="unit"[^>]*>(.*?)</select>', page, re.S).group(1)
    labels = [label.strip() for label in re.findall(r"<option[^>]*>(.*?)</option>", control)]
    assert [label.replace("\u00a0", "") for label in labels] == [
        old.name,
        first.name,
        second.name,
        third.name,
    ]


def test_an_organisation_sends_a_year_of_the_ended_committees_term_for_review(blocs, client):
    """After the merger the organisation stands under the successor, whose term starts
    in 2026: its 2023, a year of the old bloc's term, still goes through the workflow."""
    organisation = blocs["organisations"][1]
    new = merge_into_new(blocs)
    clerk = make_user("nhaplieu_a", unit=organisation, role=roles.CLERK)
    reviewer = make_user("kiemduyet_moi", unit=new, role=roles.REVIEWER)
    term = blocs["term"]
    client.force_login(clerk)
    state = f"/entry/{organisation.pk}/2023/state/?term={term.pk}"
    page = client.post(state, {"action": "submit"}, follow=True).text
    assert "Đã gửi duyệt." in page
    client.force_login(reviewer)
    page = client.post(state, {"action": "approve"}, follow=True).text
    assert "Đã duyệt: số liệu của năm đã được khóa." in page
    assert UnitYear.objects.get(unit=organisation, year=2023).state == YearState.APPROVED
