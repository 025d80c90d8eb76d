"""The entry form of a unit's year: one page, every target, saved all together or not at all."""

import re

import pytest

from indicators.models import Measure, Result, UnitYear, YearState
from tests.factories import (
    make_quota,
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


def page_text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def row_of(response, code: str) -> str:
    match = re.search(rf'<tr data-target="{re.escape(code)}"[^>]*>(.*?)</tr>', response.text, re.S)
    assert match, code
    return match.group(1)


@pytest.fixture
def setting(client):
    root, (unit, other) = make_tree(2)
    cell = make_unit(parent=unit, kind=Kind.CELL)
    term = make_term(root)
    admitted = make_target(term, code="1", name="Kết nạp đảng viên mới")
    trained = make_target(term, code="2", name="Bồi dưỡng", measure=Measure.RATIO)
    rules = make_target(
        term, code="3", name="Ban hành quy chế", measure=Measure.FLAG, combine="latest"
    )
    clerk = make_user("nhaplieu", unit=unit, role=roles.CLERK)
    client.force_login(clerk)
    return {
        "root": root,
        "unit": unit,
        "other": other,
        "cell": cell,
        "term": term,
        "admitted": admitted,
        "trained": trained,
        "rules": rules,
        "clerk": clerk,
        "url": f"/entry/{unit.pk}/2022/",
    }


def form_data(setting, **lines) -> dict:
    """POST data for the form: `lines` maps a target key to its fields (version 0 if new)."""
    data = {}
    for key in ("admitted", "trained", "rules"):
        target = setting[key]
        fields = {"version": 0, **lines.get(key, {})}
        for name, value in fields.items():
            data[f"t{target.pk}-{name}"] = value
    return data


def test_the_form_lists_every_target_with_last_year_and_the_quota(client, setting):
    """Each target has its inputs, last year's figure as entered and the unit's quota."""
    make_result(setting["admitted"], setting["unit"], 2021, value=1234)
    make_result(setting["trained"], setting["unit"], 2021, numerator=9, denominator=12)
    make_result(setting["rules"], setting["unit"], 2021, flag=True)
    make_quota(setting["admitted"], setting["unit"], 40)  # whole term
    make_quota(setting["admitted"], setting["unit"], 45, year=2022)
    response = client.get(setting["url"])
    assert response.status_code == 200
    admitted = row_of(response, "1")
    assert f'name="t{setting["admitted"].pk}-value"' in admitted
    assert re.search(r'data-testid="last-year"[^>]*>1\.234</td>', admitted)
    assert re.search(r'data-testid="quota"[^>]*>45</td>', admitted)  # the year's, not the term's
    trained = row_of(response, "2")
    assert f'name="t{setting["trained"].pk}-numerator"' in trained
    assert f'name="t{setting["trained"].pk}-denominator"' in trained
    assert "9/12" in trained
    rules = row_of(response, "3")
    assert f'<select name="t{setting["rules"].pk}-flag"' in rules
    assert "Có" in rules


def test_saving_a_year_writes_every_line_in_one_go(client, setting):
    """Filled lines become results entered by the clerk; an empty line stays empty."""
    response = client.post(
        setting["url"],
        form_data(
            setting,
            admitted={"value": "2.078", "note": "Ước", "is_estimate": "on"},
            trained={"numerator": "10", "denominator": "12"},
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == setting["url"]
    admitted = Result.objects.get(target=setting["admitted"], unit=setting["unit"], year=2022)
    assert (admitted.value, admitted.is_estimate, admitted.note) == (2078, True, "Ước")
    assert admitted.created_by == setting["clerk"] == admitted.updated_by
    trained = Result.objects.get(target=setting["trained"])
    assert (trained.numerator, trained.denominator) == (10, 12)
    assert not Result.objects.filter(target=setting["rules"]).exists()
    assert "Đã lưu: 2 kết quả thay đổi." in page_text(client.get(setting["url"]))


def test_an_update_raises_the_version_and_unchanged_lines_stay(client, setting):
    """Changing one line rewrites only that line."""
    admitted = make_result(setting["admitted"], setting["unit"], 2022, value=5)
    rules = make_result(setting["rules"], setting["unit"], 2022, flag=False)
    response = client.post(
        setting["url"],
        form_data(
            setting,
            admitted={"value": "7", "version": 1},
            rules={"flag": "0", "version": 1},
        ),
    )
    assert response.status_code == 302
    admitted.refresh_from_db()
    rules.refresh_from_db()
    assert (admitted.value, admitted.version) == (7, 2)
    assert rules.version == 1


def test_wrong_figures_are_vietnamese_errors_next_to_their_field_and_nothing_is_saved(
    client, setting
):
    """A numerator above its denominator and a word for a number: both named, no line saved."""
    response = client.post(
        setting["url"],
        form_data(
            setting,
            admitted={"value": "12"},
            trained={"numerator": "13", "denominator": "12"},
            rules={"flag": "1", "note": "x"},
        ),
    )
    assert response.status_code == 400
    assert "Tử số không được lớn hơn mẫu số." in page_text(response)
    assert "Tử số không được lớn hơn mẫu số." in row_of(response, "2")
    assert Result.objects.count() == 0

    response = client.post(setting["url"], form_data(setting, admitted={"value": "mười"}))
    assert response.status_code == 400
    assert "Nhập một số nguyên." in page_text_of_row(response, "1")
    assert Result.objects.count() == 0


def test_a_ratio_needs_both_parts(client, setting):
    response = client.post(setting["url"], form_data(setting, trained={"numerator": "3"}))
    assert response.status_code == 400
    assert "Nhập mẫu số." in page_text(response)
    assert Result.objects.count() == 0


def test_clearing_a_saved_figure_needs_the_delete_box(client, setting):
    """A cleared box is refused (the figure stays); ticking “Xóa” deletes the result."""
    make_result(setting["admitted"], setting["unit"], 2022, value=5)
    response = client.post(setting["url"], form_data(setting, admitted={"version": 1}))
    assert response.status_code == 400
    assert "Xóa" in page_text(response)
    assert Result.objects.get(target=setting["admitted"]).value == 5
    response = client.post(
        setting["url"], form_data(setting, admitted={"version": 1, "delete": "on"})
    )
    assert response.status_code == 302
    assert not Result.objects.filter(target=setting["admitted"]).exists()


def test_a_stale_form_is_refused_and_the_newer_value_kept(client, setting):
    """Opened on version 1, saved by someone else meanwhile: refused, naming the target."""
    result = make_result(setting["admitted"], setting["unit"], 2022, value=5)
    opened = client.get(setting["url"])
    assert f'name="t{setting["admitted"].pk}-version" value="1"' in opened.text
    # Someone else saves the line first.
    result.value = 6
    result.version = 2
    result.save()
    response = client.post(
        setting["url"],
        form_data(
            setting,
            admitted={"value": "9", "version": 1},
            trained={"numerator": "1", "denominator": "2"},
        ),
    )
    assert response.status_code == 409
    text = page_text(response)
    assert "Kết nạp đảng viên mới" in text
    assert "không có gì được lưu" in text
    result.refresh_from_db()
    assert (result.value, result.version) == (6, 2)
    assert not Result.objects.filter(target=setting["trained"]).exists()
    # The page now carries the current version: saving again is a conscious overwrite.
    assert f'name="t{setting["admitted"].pk}-version" value="2"' in response.text
    assert "Người khác vừa lưu: 6" in page_text_of_row(response, "1")
    assert 'value="9"' in row_of(response, "1")  # the user's figure is still in the box


def page_text_of_row(response, code):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row_of(response, code)))


def test_a_result_created_meanwhile_makes_the_form_stale(client, setting):
    """A line that was empty when the form opened but saved since is not overwritten."""
    client.get(setting["url"])
    make_result(setting["admitted"], setting["unit"], 2022, value=6)
    response = client.post(setting["url"], form_data(setting, admitted={"value": "9"}))
    assert response.status_code == 409
    assert Result.objects.get(target=setting["admitted"]).value == 6


def test_an_approved_year_is_read_only_and_refuses_a_clerks_save(client, setting):
    """The page says the year is locked and shows no inputs; a POST changes nothing."""
    make_result(setting["admitted"], setting["unit"], 2022, value=5)
    UnitYear.objects.create(unit=setting["root"], year=2022, state=YearState.APPROVED)
    response = client.get(setting["url"])
    assert response.status_code == 200
    assert "khóa" in page_text(response)
    assert f'name="t{setting["admitted"].pk}-value"' not in response.text
    assert '<span data-testid="figure">5</span>' in row_of(response, "1")
    response = client.post(
        setting["url"], form_data(setting, admitted={"value": "9", "version": 1})
    )
    assert response.status_code == 403
    assert "không có gì được lưu" in page_text(response)
    assert Result.objects.get(target=setting["admitted"]).value == 5


def test_a_leader_reads_but_cannot_save(client, setting):
    leader = make_user("lanhdao", unit=setting["root"], role=roles.LEADER)
    client.force_login(leader)
    response = client.get(setting["url"])
    assert response.status_code == 200
    assert f'name="t{setting["admitted"].pk}-value"' not in response.text
    response = client.post(setting["url"], form_data(setting, admitted={"value": "9"}))
    assert response.status_code == 403
    assert Result.objects.count() == 0


def test_a_cell_of_the_unit_is_open_and_another_unit_is_a_404(client, setting):
    assert client.get(f"/entry/{setting['cell'].pk}/2022/").status_code == 200
    assert client.get(f"/entry/{setting['other'].pk}/2022/").status_code == 404
    response = client.post(
        f"/entry/{setting['other'].pk}/2022/", form_data(setting, admitted={"value": "3"})
    )
    assert response.status_code == 404
    assert Result.objects.count() == 0


@pytest.mark.parametrize(
    "path", ["/entry/{unit}/2019/", "/entry/{unit}/2030/", "/entry/999999/2022/",
             "/entry/{unit}/2022/?term=abc", "/entry/{unit}/2022/?term=999999"],
)  # fmt: skip
def test_a_year_outside_the_term_or_an_unknown_unit_is_a_404(client, setting, path):
    assert client.get(path.format(unit=setting["unit"].pk)).status_code == 404


def test_login_is_required(client, setting):
    client.logout()
    response = client.get(setting["url"])
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_pick_page_offers_the_users_units_and_goes_to_the_form(client, setting):
    response = client.get("/entry/")
    assert response.status_code == 200
    assert setting["unit"].name in response.text
    assert setting["other"].name not in response.text
    response = client.get(f"/entry/?unit={setting['unit'].pk}&year=2023")
    assert response.status_code == 302
    assert response["Location"] == f"/entry/{setting['unit'].pk}/2023/"
    response = client.get(f"/entry/?unit={setting['other'].pk}&year=2023")
    assert response.status_code == 200  # not a choice: the form says so


def test_the_form_takes_a_fixed_number_of_queries(client, setting, django_assert_max_num_queries):
    """Opening the form costs the same whether the term has 3 or 23 targets."""
    for year in (2021, 2022):
        make_result(setting["admitted"], setting["unit"], year, value=4)
    with django_assert_max_num_queries(17) as few:
        assert client.get(setting["url"]).status_code == 200
    for number in range(20):
        target = make_target(setting["term"], code=f"X{number}")
        make_result(target, setting["unit"], 2021, value=number)
        make_quota(target, setting["unit"], 3, year=2022)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(setting["url"])
    assert response.text.count("<tr data-target=") == 23


def test_the_admin_index_links_to_the_entry_form_and_the_import(client, setting):
    setting["clerk"].is_staff = True
    setting["clerk"].save()
    response = client.get("/admin/")
    assert response.status_code == 200
    assert '<a href="/entry/">Nhập theo đơn vị và năm</a>' in response.text
    assert 'href="/admin/indicators/result/import/"' in response.text


def test_a_tampered_form_is_an_error_not_a_crash(client, setting):
    data = form_data(setting, admitted={"value": "3"})
    data[f"t{setting['admitted'].pk}-version"] = "abc"
    response = client.post(setting["url"], data)
    assert response.status_code == 400
    assert "Nhập một số nguyên." in page_text_of_row(response, "1")
    assert client.post(setting["url"], {}).status_code == 400
    assert Result.objects.count() == 0


def test_an_absurd_figure_is_refused_beside_its_box(client, setting):
    """A figure above the bound is a Vietnamese error; nothing of the page is saved."""
    response = client.post(
        setting["url"],
        form_data(
            setting,
            admitted={"value": "9223372036854775360"},
            trained={"numerator": "10", "denominator": "12"},
        ),
    )
    assert response.status_code == 400
    assert "Con số quá lớn: tối đa 1.000.000.000.000." in page_text(response)
    assert not Result.objects.exists()


def test_a_cell_is_offered_only_the_targets_it_reports(client, setting):
    """The unit's grassroots yes/no target is not offered to its cell; counts are."""
    response = client.get(f"/entry/{setting['cell'].pk}/2022/")
    assert response.status_code == 200
    assert response.text.count("<tr data-target=") == 2
    assert '<tr data-target="3"' not in response.text


def test_a_count_entered_by_the_unit_and_its_cell_is_flagged(client, setting):
    """Both the unit and its cell entered admissions for 2022: a possible double count."""
    make_result(setting["admitted"], setting["unit"], 2022, value=5)
    make_result(setting["admitted"], setting["cell"], 2022, value=2)
    response = client.get(setting["url"])
    assert "tính hai lần" in row_of(response, "1")
    assert "tính hai lần" not in row_of(response, "2")
    assert "tính hai lần" in row_of(client.get(f"/entry/{setting['cell'].pk}/2022/"), "1")
