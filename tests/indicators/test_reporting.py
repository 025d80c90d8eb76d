"""Who reports what, how often, and what coverage and missing reports make of it."""

import pytest
from django.core.exceptions import ValidationError

from indicators.engine import as_of_mid_term, as_of_year, term_progress
from indicators.models import Combine, Frequency, Judgement, Level, Measure, Result
from indicators.reporting import double_counts, report_refusal, targets_reported_by
from indicators.selectors import missing_results, units_missing_results
from tests.factories import (
    make_result,
    make_target,
    make_term,
    make_tree,
    make_unit,
    make_user,
)
from units import roles
from units.models import Kind

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    """A bloc, a grassroots committee with one cell, a grassroots cell."""
    root = make_unit("Đảng bộ Khối", kind=Kind.BLOC, sector="")
    committee = make_unit("Đảng bộ cơ sở A", parent=root, kind=Kind.GRASSROOTS_COMMITTEE)
    cell = make_unit("Chi bộ 1", parent=committee, kind=Kind.CELL)
    small = make_unit("Chi bộ cơ sở B", parent=root, kind=Kind.GRASSROOTS_CELL)
    term = make_term(root)
    return term, root, committee, cell, small


def _rating(term):
    return make_target(
        term, code="7", measure=Measure.FLAG, combine=Combine.LATEST, in_percent=True,
        judgement=Judgement.FINAL, term_target=90,
    )  # fmt: skip


def test_units_of_the_level_report_a_target_and_counts_may_come_from_below(tree):
    term, root, committee, cell, small = tree
    admissions = make_target(term, code="1")  # a count of grassroots organisations
    assert report_refusal(target=admissions, unit=committee) is None
    assert report_refusal(target=admissions, unit=small) is None
    assert report_refusal(target=admissions, unit=cell) is None  # adds up below the level
    refusal = report_refusal(target=admissions, unit=root)
    assert refusal == (
        "Chỉ tiêu 1 do tổ chức cơ sở đảng và các đơn vị trực thuộc báo cáo; "
        "Đảng bộ Khối không báo cáo chỉ tiêu này."
    )


def test_a_yes_no_target_is_reported_only_at_its_level(tree):
    """A rating entered at a cell or at the committee is refused, naming who reports it."""
    term, root, committee, cell, small = tree
    rating = _rating(term)
    assert report_refusal(target=rating, unit=committee) is None
    assert report_refusal(target=rating, unit=small) is None
    for unit in (cell, root):
        assert report_refusal(target=rating, unit=unit) == (
            f"Chỉ tiêu 7 chỉ do tổ chức cơ sở đảng báo cáo; {unit} không báo cáo chỉ tiêu này."
        )
    wrong = Result(target=rating, unit=cell, year=2021, flag=True)
    with pytest.raises(ValidationError) as refused:
        wrong.full_clean()
    assert "chỉ do tổ chức cơ sở đảng báo cáo" in refused.value.message_dict["unit"][0]


def test_a_committee_level_target_only_at_the_committee(tree):
    term, root, committee, _cell, _small = tree
    classes = make_target(term, code="2", level=Level.COMMITTEE)
    assert report_refusal(target=classes, unit=root) is None
    assert report_refusal(target=classes, unit=committee) == (
        "Chỉ tiêu 2 chỉ do chính cấp ủy (Đảng bộ Khối) báo cáo; "
        "Đảng bộ cơ sở A không báo cáo chỉ tiêu này."
    )


def test_the_entry_form_lists_only_the_targets_a_unit_reports(tree):
    term, root, committee, cell, _small = tree
    admissions = make_target(term, code="1")
    rating = make_target(
        term, code="7", measure=Measure.FLAG, combine=Combine.LATEST, in_percent=True,
        judgement=Judgement.FINAL, term_target=90,
    )  # fmt: skip
    classes = make_target(term, code="2", level=Level.COMMITTEE)
    assert targets_reported_by(term=term, unit=committee) == [admissions, rating]
    assert targets_reported_by(term=term, unit=cell) == [admissions]
    assert targets_reported_by(term=term, unit=root) == [classes]


def test_possible_double_counts_are_found(tree):
    """Đảng bộ cơ sở A and its Chi bộ 1 both entered admissions for 2022."""
    term, _root, committee, cell, small = tree
    admissions = make_target(term, code="1")
    make_result(admissions, committee, 2022, value=5)
    make_result(admissions, cell, 2022, value=3)
    make_result(admissions, committee, 2021, value=5)
    make_result(admissions, small, 2022, value=2)
    flagged = list(double_counts(term=term, scope=term.root_unit, year=2022))
    assert [(r.unit, r.year) for r in flagged] == [(committee, 2022)]
    assert list(double_counts(term=term, scope=term.root_unit, year=2021)) == []


# Coverage follows the reporting frequency --------------------------------------


def test_an_every_year_rating_needs_that_years_own_entry():
    """Ratings of 2021 and 2022 entered, none for 2023: 2023 is not "reported" by 2021's."""
    root, (a, b) = make_tree(2)
    term = make_term(root)
    rating = make_target(
        term, measure=Measure.FLAG, combine=Combine.LATEST, judgement=Judgement.EVERY_YEAR,
        in_percent=True, term_target=None, yearly_target=90,
    )  # fmt: skip
    happening = make_target(
        term, measure=Measure.FLAG, combine=Combine.LATEST, judgement=Judgement.FINAL,
        in_percent=True, term_target=50, frequency=Frequency.WHEN_IT_HAPPENS,
    )  # fmt: skip
    for year in (2021, 2022):
        for unit in (a, b):
            make_result(rating, unit, year, flag=True)
    make_result(happening, a, 2021, flag=True)
    targets = [rating, happening]
    assert list(units_missing_results(term=term, scope=root, year=2022, targets=targets)) == []
    missing = list(units_missing_results(term=term, scope=root, year=2023, targets=targets))
    assert missing == [a, b]
    assert missing_results(term=term, units=[a], year=2023, targets=targets) == {a.pk: [rating]}
    # At mid-term 2023 is still running: coverage is 2022's, 2/2.
    mid = term_progress(term=term, as_of=as_of_mid_term(term)).for_target(rating.pk)
    assert (mid.reported, mid.in_scope) == (2, 2)
    at_2023 = term_progress(term=term, as_of=as_of_year(term, 2023)).for_target(rating.pk)
    assert (at_2023.reported, at_2023.in_scope) == (0, 2)
    assert at_2023.missing_years == (2023,)
    # "When it happens": never missing; covered by any entry so far.
    happened = term_progress(term=term, as_of=as_of_year(term, 2023)).for_target(happening.pk)
    assert (happened.reported, happened.in_scope) == (1, 2)


def test_a_flows_coverage_counts_the_years_to_the_as_of_point():
    """105 admitted in 2021–2022 by two of three units, nothing yet in 2023: 2/3, not 0/3."""
    root, (a, b, _c) = make_tree(3)
    term = make_term(root)
    admissions = make_target(term, term_target=300)
    make_result(admissions, a, 2021, value=50)
    make_result(admissions, b, 2022, value=55)
    row = term_progress(term=term, as_of=as_of_mid_term(term)).for_target(admissions.pk)
    assert row.actual == 105
    assert (row.reported, row.in_scope) == (2, 3)


def test_a_unit_that_reported_keeps_counting_for_that_year_after_it_is_dissolved():
    """121/121 in 2021 stays so after one organisation is deactivated (here 3/3)."""
    root, (a, b, c) = make_tree(3)
    term = make_term(root)
    rating = make_target(
        term, measure=Measure.FLAG, combine=Combine.LATEST, judgement=Judgement.EVERY_YEAR,
        in_percent=True, term_target=None, yearly_target=90,
    )  # fmt: skip
    for unit in (a, b, c):
        make_result(rating, unit, 2021, flag=True)
    c.is_active = False
    c.save()
    row = term_progress(term=term, as_of=as_of_year(term, 2021)).for_target(rating.pk)
    assert (row.reported, row.in_scope) == (3, 3)
    assert (row.numerator, row.denominator) == (3, 3)


def test_the_headline_says_how_many_targets_lack_data():
    root, (a,) = make_tree(1)
    term = make_term(root)
    met = make_target(term, term_target=10)
    make_target(term, term_target=10)  # nothing entered
    make_result(met, a, 2021, value=10)
    headline = term_progress(term=term, as_of=as_of_mid_term(term)).headline
    assert (headline.met, headline.total, headline.lacking) == (1, 2, 1)


def test_a_new_unit_below_the_level_is_refused_a_rating():
    root, (grassroots,) = make_tree(1, cells=1)
    cell = grassroots.children.get()
    term = make_term(root)
    rating = make_target(
        term, measure=Measure.FLAG, combine=Combine.LATEST, judgement=Judgement.FINAL,
        in_percent=True, term_target=90,
    )  # fmt: skip
    assert report_refusal(target=rating, unit=cell) is not None
    assert report_refusal(target=rating, unit=make_unit(parent=root)) is None


def test_the_admin_refuses_a_rating_saved_at_a_cell_naming_who_reports_it(client, tree):
    term, _root, _committee, cell, _small = tree
    rating = _rating(term)
    client.force_login(make_user("quantri", role=roles.ADMINISTRATOR, is_staff=True))
    response = client.post(
        "/admin/indicators/result/add/",
        {"target": rating.pk, "unit": cell.pk, "year": 2021, "flag": "true"},
    )
    assert response.status_code == 200  # the form again, with the message
    assert "chỉ do tổ chức cơ sở đảng báo cáo" in response.content.decode()
    assert not Result.objects.exists()


def test_the_entry_form_of_a_cell_neither_offers_nor_saves_a_rating(client, tree):
    term, _root, _committee, cell, _small = tree
    rating = _rating(term)
    admissions = make_target(term, code="1")
    client.force_login(make_user("nhaplieu", unit=cell, role=roles.CLERK))
    url = f"/entry/{cell.pk}/2021/"
    page = client.get(url).content.decode()
    assert f'name="t{admissions.pk}-value"' in page
    assert f'name="t{rating.pk}-flag"' not in page
    client.post(
        url,
        {
            f"t{admissions.pk}-value": "3", f"t{admissions.pk}-version": "0",
            f"t{rating.pk}-flag": "1", f"t{rating.pk}-version": "0",
        },
    )  # fmt: skip
    assert list(Result.objects.values_list("target__code", "value")) == [("1", 3)]
