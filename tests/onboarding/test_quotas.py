"""Unit quotas: the grid page of a target and the term's quota file."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from indicators.models import Combine, Level, Measure, TargetYear, UnitQuota
from onboarding.quotas import quota_grid, quotas_export_rows, quotas_import
from tests.factories import make_quota, make_root, make_target, make_term, make_unit, make_user
from units import roles
from units.models import Kind

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return make_user("quantri", role=roles.ADMINISTRATOR, is_staff=True)


@pytest.fixture
def setup():
    root = make_root()
    units = [
        make_unit(f"Đảng bộ {n}", parent=root, kind=Kind.GRASSROOTS_COMMITTEE) for n in range(3)
    ]
    make_unit("Chi bộ", parent=units[0], kind=Kind.CELL)
    term = make_term(root)
    target = make_target(term, code="1", term_target=3200, yearly_target=600)
    TargetYear.objects.create(target=target, year=2022, value=700)
    return term, target, units


def snapshot():
    return sorted(
        UnitQuota.objects.values_list("target__code", "unit__code", "year", "value"), key=str
    )


def test_the_grid_shows_totals_against_the_resolution_and_what_is_left(
    client, admin, setup, django_assert_max_num_queries
):
    """Assigned, the resolution's figure and "còn lại chưa giao" per column; the whole
    term counts yearly quotas of units without a term quota."""
    _term, target, units = setup
    make_quota(target, units[0], 200, 2022)
    make_quota(target, units[1], 300, 2022)
    make_quota(target, units[2], 1000)
    client.force_login(admin)
    with django_assert_max_num_queries(13):
        response = client.get(f"/admin/setup/targets/{target.pk}/quotas/")
    grid = response.context["grid"]
    assert [row.unit for row in grid.rows] == units, "grassroots organisations, not cells"
    totals = {total.column: total for total in grid.totals}
    assert (totals[2022].assigned, totals[2022].planned, totals[2022].remaining) == (500, 700, 200)
    assert (totals[2021].planned, totals[2021].remaining) == (600, 600)
    # The whole term counts a unit's term quota, else the sum of its years: 1000 + 200 + 300.
    assert (totals[None].assigned, totals[None].planned, totals[None].remaining) == (
        1500,
        3200,
        1700,
    )
    assert "Còn lại chưa giao" in response.text
    assert "1.700" in response.text
    assert "None" not in response.text, "blank cells stay blank"


def test_the_whole_term_of_a_level_counts_each_units_last_year(admin, setup):
    """A stock (units reaching a standard) is a level: 2 then 3 units plan 3, not 5."""
    term, _target, units = setup
    stock = make_target(term, code="5", combine=Combine.LATEST, term_target=None, yearly_target=8)
    make_quota(stock, units[0], 2, 2021)
    make_quota(stock, units[0], 3, 2022)
    make_quota(stock, units[1], 4)
    totals = {total.column: total for total in quota_grid(target=stock, user=admin).totals}
    assert (totals[None].assigned, totals[None].planned, totals[None].remaining) == (7, 8, 1)
    assert (totals[2022].assigned, totals[2022].planned) == (3, 8)


def test_the_grid_page_queries_do_not_grow_with_units(
    client, admin, setup, django_assert_max_num_queries
):
    """Thirty more units cost no more queries."""
    term, target, _units = setup
    for _number in range(30):
        make_quota(target, make_unit(parent=term.root_unit), 5, 2021)
    client.force_login(admin)
    with django_assert_max_num_queries(13):
        client.get(f"/admin/setup/targets/{target.pk}/quotas/")


def test_saving_the_grid_creates_changes_and_removes_in_one_go(client, admin, setup):
    """Typed cells are saved; a cleared cell removes its quota."""
    _term, target, units = setup
    make_quota(target, units[0], 200, 2022)
    make_quota(target, units[1], 300, 2022)
    client.force_login(admin)
    response = client.post(
        f"/admin/setup/targets/{target.pk}/quotas/",
        {
            f"q-{units[0].pk}-2022": "250",
            f"q-{units[1].pk}-2022": "",
            f"q-{units[2].pk}-term": "1.200",
        },
    )
    assert response.status_code == 302
    assert snapshot() == sorted(
        [("1", units[0].code, 2022, 250), ("1", units[2].code, None, 1200)], key=str
    )


def test_a_bad_cell_saves_nothing_and_keeps_what_was_typed(client, admin, setup):
    """One refused cell: no cell is saved, and the form shows the typed values again."""
    _term, target, units = setup
    make_quota(target, units[0], 200, 2022)
    before = snapshot()
    client.force_login(admin)
    response = client.post(
        f"/admin/setup/targets/{target.pk}/quotas/",
        {f"q-{units[0].pk}-2022": "999", f"q-{units[1].pk}-2023": "-4"},
    )
    assert response.status_code == 200
    assert snapshot() == before
    assert 'value="-4"' in response.text
    assert 'value="999"' in response.text
    # The wrong box is marked, its message beside it (not only in a tooltip).
    wrong = response.text.split(f'name="q-{units[1].pk}-2023"')[1].split("</td>")[0]
    assert 'aria-invalid="true"' in wrong
    assert "Chỉ tiêu giao không được âm." in wrong


def test_a_percentage_quota_over_100_is_refused(client, admin, setup):
    """A quota of a target in percent cannot exceed 100."""
    term, _target, units = setup
    ratio = make_target(term, code="2", measure=Measure.RATIO, term_target=90)
    client.force_login(admin)
    response = client.post(
        f"/admin/setup/targets/{ratio.pk}/quotas/", {f"q-{units[0].pk}-2022": "120"}
    )
    assert response.status_code == 200
    assert not UnitQuota.objects.exists()


def test_reimporting_the_quota_export_changes_nothing(admin, setup):
    """Export → import: nothing new, changed or removed."""
    term, target, units = setup
    make_quota(target, units[0], 200, 2022)
    make_quota(target, units[2], "12.5")
    before = snapshot()
    with translation.override("vi"):
        headers, lines = quotas_export_rows(term=term, user=admin)
        plan = quotas_import(
            rows=[dict(zip(headers, line, strict=True)) for line in lines], user=admin, term=term
        )
    assert plan.ok, [str(error) for error in plan.errors]
    assert (plan.created, plan.updated, plan.deleted, plan.unchanged) == (0, 0, 0, 2)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        ({"Mã chỉ tiêu": "9", "Mã đơn vị": "{unit}", "2022": 5}, "Mã chỉ tiêu", "“9”"),
        ({"Mã chỉ tiêu": "1", "Mã đơn vị": "NOPE", "2022": 5}, "Mã đơn vị", "NOPE"),
        ({"Mã chỉ tiêu": "1", "Mã đơn vị": "{unit}", "2022": "năm"}, "2022", "năm"),
        ({"Mã chỉ tiêu": "1", "Mã đơn vị": "{unit}", "Cả nhiệm kỳ": -1}, "Cả nhiệm kỳ", "âm"),
        ({"Mã chỉ tiêu": "1", "Mã đơn vị": "{first}", "2022": 5}, "Mã đơn vị", "dòng 2"),
    ],
    ids=["unknown-target", "unknown-unit", "not-a-number", "negative", "duplicate"],
)
def test_quota_file_errors_name_row_and_column_and_save_nothing(admin, setup, row, column, words):
    """Each refused cell is named by row and column in Vietnamese; nothing is written."""
    term, target, units = setup
    make_quota(target, units[0], 200, 2022)
    before = snapshot()
    row = {
        key: value.format(unit=units[1].code, first=units[0].code)
        if isinstance(value, str)
        else value
        for key, value in row.items()
    }
    first = {"Mã chỉ tiêu": "1", "Mã đơn vị": units[0].code, "2022": 300}
    with translation.override("vi"):
        plan = quotas_import(rows=[first, row], user=admin, term=term)
        texts = [str(error) for error in plan.errors]
    assert any("Dòng 3" in text and f"“{column}”" in text and words in text for text in texts), (
        texts
    )
    assert snapshot() == before


def test_a_subtree_administrator_gives_quotas_only_inside_it(client, setup):
    """A grassroots administrator cannot give quotas for the committee's term, file or
    grid; for their own committee's term, only to units of their subtree."""
    term, target, units = setup
    user = make_user("bithu", unit=units[0], role=roles.ADMINISTRATOR, is_staff=True)
    with translation.override("vi"):
        plan = quotas_import(
            rows=[{"Mã chỉ tiêu": "1", "Mã đơn vị": units[0].children.get().code, "2022": 5}],
            user=user,
            term=term,
        )
        assert [str(error) for error in plan.errors] == ["Nhiệm kỳ này ngoài phạm vi của bạn."]
    client.force_login(user)
    assert client.get(f"/admin/setup/targets/{target.pk}/quotas/").status_code == 404
    assert client.post(f"/admin/setup/targets/{target.pk}/quotas/", {}).status_code == 404

    own_term = make_term(units[0])
    own_target = make_target(own_term, code="1", term_target=50, level=Level.CELL)
    cell = units[0].children.get()
    with translation.override("vi"):
        plan = quotas_import(
            rows=[
                {"Mã chỉ tiêu": "1", "Mã đơn vị": cell.code, "2022": 5},
                {"Mã chỉ tiêu": "1", "Mã đơn vị": units[1].code, "2022": 5},
            ],
            user=user,
            term=own_term,
        )
        assert [str(error) for error in plan.errors] == [
            f"Dòng 3, cột “Mã đơn vị”: Không có đơn vị nào mã “{units[1].code}” "
            "trong phạm vi của bạn."
        ]
    assert not UnitQuota.objects.exists()
    plan = quotas_import(
        rows=[{"Mã chỉ tiêu": "1", "Mã đơn vị": cell.code, "2022": 5}], user=user, term=own_term
    )
    assert plan.ok
    assert list(UnitQuota.objects.values_list("target", "unit", "value")) == [
        (own_target.pk, cell.pk, 5)
    ]


def test_the_quota_page_imports_a_csv_file_after_a_preview(client, admin, setup):
    """Upload → preview (nothing written) → confirm writes the quotas."""
    term, _target, units = setup
    client.force_login(admin)
    content = (
        "Mã chỉ tiêu,Mã đơn vị,Đơn vị,2021,2022,Cả nhiệm kỳ\n"
        f"1,{units[0].code},x,100,120,\n1,{units[1].code},x,,,640\n"
    ).encode()
    with_preview = client.post(
        f"/admin/setup/terms/{term.pk}/quotas/", {"file": SimpleUploadedFile("q.csv", content)}
    )
    assert "3 mới, 0 thay đổi, 0 bỏ, 0 không đổi" in with_preview.text
    assert not UnitQuota.objects.exists()
    client.post(
        f"/admin/setup/terms/{term.pk}/quotas/",
        {"token": with_preview.context["token"], "confirm": "1"},
    )
    assert UnitQuota.objects.count() == 3
    assert sorted(
        UnitQuota.history.filter(history_type="+", history_user=admin).values_list(
            "unit__code", "year", "value"
        ),
        key=str,
    ) == sorted(
        [(units[0].code, 2021, 100), (units[0].code, 2022, 120), (units[1].code, None, 640)],
        key=str,
    ), "each new quota has its history row, by the importer"
    template = client.get(f"/admin/setup/terms/{term.pk}/quotas/template.xlsx")
    assert template.status_code == 200
