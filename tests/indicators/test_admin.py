"""Data entry in the admin: bad results are form errors, never a 500 or a half save."""

import pytest

from indicators.models import Combine, Measure, Result, UnitQuota, UnitYear, YearState
from tests.factories import make_result, make_target, make_term, make_tree, make_unit, make_user
from units import roles
from units.models import Kind

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(client):
    root, (unit, other) = make_tree(2)
    term = make_term(root)
    count = make_target(term, name="Kết nạp đảng viên")
    ratio = make_target(term, measure=Measure.RATIO, term_target=90)
    admin = make_user("quantri", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return {"root": root, "unit": unit, "other": other, "count": count, "ratio": ratio}


def post_result(client, **fields):
    data = {"year": 2021, "note": "", "evidence": "", "flag": "unknown"}
    data.update({key: value.pk if hasattr(value, "pk") else value for key, value in fields.items()})
    return client.post("/admin/indicators/result/add/", data)


def test_a_valid_result_is_saved_with_who_entered_it(client, entry):
    response = post_result(client, target=entry["count"], unit=entry["unit"], value=12)
    assert response.status_code == 302
    result = Result.objects.get()
    assert result.value == 12
    assert result.created_by.username == "quantri"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"value": -5}, "âm"),
        ({"value": 3, "numerator": 1}, "để trống"),
        ({"value": 3, "year": 2030}, "2021"),
    ],
)
def test_bad_results_are_form_errors(client, entry, fields, message):
    response = post_result(client, target=entry["count"], unit=entry["unit"], **fields)
    assert response.status_code == 200
    assert "errorlist" in response.text
    assert message in response.text
    assert Result.objects.count() == 0


def test_a_duplicate_result_is_a_form_error(client, entry):
    make_result(entry["count"], entry["unit"], 2021, value=1)
    response = post_result(client, target=entry["count"], unit=entry["unit"], value=9)
    assert response.status_code == 200
    assert "errorlist" in response.text
    assert Result.objects.get().value == 1


def test_numerator_above_denominator_is_a_form_error(client, entry):
    response = post_result(
        client, target=entry["ratio"], unit=entry["unit"], numerator=5, denominator=4
    )
    assert response.status_code == 200
    assert "Tử số không được lớn hơn mẫu số" in response.text
    assert Result.objects.count() == 0


def test_a_clerk_sees_only_their_subtree(client, entry):
    cell = make_unit(parent=entry["unit"], kind=Kind.CELL)
    make_result(entry["count"], cell, 2021, value=4)
    make_result(entry["count"], entry["other"], 2021, value=7)
    clerk = make_user("nhaplieu", unit=entry["unit"], role=roles.CLERK, is_staff=True)
    client.force_login(clerk)
    response = client.get("/admin/indicators/result/")
    assert response.status_code == 200
    assert cell.name in response.text
    assert entry["other"].name not in response.text
    other_result = Result.objects.get(unit=entry["other"])
    assert client.get(f"/admin/indicators/result/{other_result.pk}/change/").status_code in (
        302,
        404,
    )


def test_admin_lists_stay_at_a_fixed_number_of_queries(
    client, entry, django_assert_max_num_queries
):
    for year in (2021, 2022, 2023):
        for unit in (entry["unit"], entry["other"]):
            make_result(entry["count"], unit, year, value=year - 2000)
    with django_assert_max_num_queries(12):
        assert client.get("/admin/indicators/result/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/admin/units/unit/").status_code == 200
    with django_assert_max_num_queries(14):
        assert (
            client.get(f"/admin/indicators/term/{entry['count'].term_id}/change/").status_code
            == 200
        )


@pytest.fixture
def clerk_client(client, entry):
    clerk = make_user("nhaplieu", unit=entry["unit"], role=roles.CLERK, is_staff=True)
    client.force_login(clerk)
    return client


def change_result(client, result, *, opened_version, **fields):
    data = {
        "target": result.target_id,
        "unit": result.unit_id,
        "year": result.year,
        "value": result.value,
        "flag": "unknown",
        "note": "",
        "evidence": "",
        "opened_version": opened_version,
    }
    data.update(fields)
    return client.post(f"/admin/indicators/result/{result.pk}/change/", data)


def test_the_change_form_carries_the_version_it_was_opened_on(clerk_client, entry):
    """The form's hidden version lets the save check it; a save raises it by one."""
    result = make_result(entry["count"], entry["unit"], 2021, value=5)
    response = clerk_client.get(f"/admin/indicators/result/{result.pk}/change/")
    assert 'name="opened_version" value="1"' in response.text
    response = change_result(clerk_client, result, opened_version=1, value=6)
    assert response.status_code == 302
    result.refresh_from_db()
    assert (result.value, result.version, result.updated_by.username) == (6, 2, "nhaplieu")


def test_a_stale_form_is_refused_and_the_other_save_survives(clerk_client, entry):
    """Two clerks open the same result; the second save is refused, the first kept."""
    result = make_result(entry["count"], entry["unit"], 2021, value=5)
    assert change_result(clerk_client, result, opened_version=1, value=7).status_code == 302
    response = change_result(clerk_client, result, opened_version=1, value=9)
    assert response.status_code == 200
    assert "Người khác đã lưu kết quả này" in response.text
    result.refresh_from_db()
    assert result.value == 7


def approve(unit, year=2021):
    return UnitYear.objects.create(unit=unit, year=year, state=YearState.APPROVED)


def test_an_approved_year_refuses_a_clerks_edit_add_and_delete(clerk_client, entry):
    """A clerk sees a locked year read-only, with the reason, and cannot add, save or delete."""
    result = make_result(entry["count"], entry["unit"], 2021, value=5)
    approve(entry["unit"])
    response = clerk_client.get(f"/admin/indicators/result/{result.pk}/change/")
    assert response.status_code == 200
    assert "đã được duyệt và khóa" in response.text
    assert 'name="_save"' not in response.text
    assert change_result(clerk_client, result, opened_version=1, value=8).status_code == 403
    response = clerk_client.post(f"/admin/indicators/result/{result.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    response = clerk_client.post(
        "/admin/indicators/result/",
        {"action": "delete_selected", "_selected_action": [result.pk], "post": "yes"},
    )
    assert Result.objects.filter(pk=result.pk, value=5).exists()
    cell = make_unit(parent=entry["unit"], kind=Kind.CELL)
    response = post_result(clerk_client, target=entry["count"], unit=cell, value=3)
    assert response.status_code == 200
    assert "đã được duyệt và khóa" in response.text
    assert not Result.objects.filter(unit=cell).exists()
    # Another year of the same unit is open.
    response = post_result(clerk_client, target=entry["count"], unit=cell, value=3, year=2022)
    assert response.status_code == 302


def test_a_superuser_may_still_correct_an_approved_year(client, entry):
    """Superusers are the one exception to the lock."""
    result = make_result(entry["count"], entry["unit"], 2021, value=5)
    approve(entry["unit"])
    assert change_result(client, result, opened_version=1, value=8).status_code == 302
    result.refresh_from_db()
    assert result.value == 8


def test_a_unit_year_outside_every_term_is_a_form_error(client, entry):
    clerk = make_user("nhaplieu", unit=entry["unit"], role=roles.CLERK, is_staff=True)
    client.force_login(clerk)
    response = client.post(
        "/admin/indicators/unityear/add/", {"unit": entry["unit"].pk, "year": 2031}
    )
    assert response.status_code == 200
    assert "Năm không thuộc nhiệm kỳ nào" in response.text
    assert not UnitYear.objects.exists()


def run_action(client, action, unit_years, **extra):
    return client.post(
        "/admin/indicators/unityear/",
        {"action": action, "_selected_action": [year.pk for year in unit_years], **extra},
    )


def test_a_year_goes_from_draft_to_submitted_to_approved(client, entry):
    """The clerk opens and submits; only the reviewer approves."""
    clerk = make_user("nhaplieu", unit=entry["unit"], role=roles.CLERK, is_staff=True)
    reviewer = make_user("kiemduyet", unit=entry["root"], role=roles.REVIEWER, is_staff=True)
    client.force_login(clerk)
    response = client.post(
        "/admin/indicators/unityear/add/", {"unit": entry["unit"].pk, "year": 2021}
    )
    assert response.status_code == 302
    unit_year = UnitYear.objects.get()
    assert unit_year.state == YearState.DRAFT
    run_action(client, "submit", [unit_year])
    unit_year.refresh_from_db()
    assert unit_year.state == YearState.SUBMITTED
    # A clerk is not offered approval, and forcing it changes nothing.
    actions = client.get("/admin/indicators/unityear/").text
    assert 'value="submit"' in actions
    assert 'value="approve"' not in actions
    run_action(client, "approve", [unit_year])
    unit_year.refresh_from_db()
    assert unit_year.state == YearState.SUBMITTED
    client.force_login(reviewer)
    response = run_action(client, "approve", [unit_year])
    assert response.status_code == 302
    unit_year.refresh_from_db()
    assert (unit_year.state, unit_year.updated_by) == (YearState.APPROVED, reviewer)


def test_a_reviewer_approves_only_within_their_subtree(client, entry):
    """Approving a selection that includes another unit's year leaves that year alone."""
    reviewer = make_user("kiemduyet", unit=entry["unit"], role=roles.REVIEWER, is_staff=True)
    own = UnitYear.objects.create(unit=entry["unit"], year=2021, state=YearState.SUBMITTED)
    other = UnitYear.objects.create(unit=entry["other"], year=2021, state=YearState.SUBMITTED)
    client.force_login(reviewer)
    run_action(client, "approve", [own, other])
    own.refresh_from_db()
    other.refresh_from_db()
    assert own.state == YearState.APPROVED
    assert other.state == YearState.SUBMITTED


def test_reopening_needs_a_reason_and_records_it(client, entry):
    """Reopen asks for a reason, refuses a blank one, and keeps it in the history."""
    reviewer = make_user("kiemduyet", unit=entry["root"], role=roles.REVIEWER, is_staff=True)
    unit_year = approve(entry["unit"])
    client.force_login(reviewer)
    response = run_action(client, "reopen", [unit_year])
    assert response.status_code == 200
    assert "Lý do mở lại" in response.text
    response = run_action(client, "reopen", [unit_year], apply="1", reason="  ")
    assert response.status_code == 200
    unit_year.refresh_from_db()
    assert unit_year.state == YearState.APPROVED
    response = run_action(client, "reopen", [unit_year], apply="1", reason="Sai số liệu quý 4")
    assert response.status_code == 302
    unit_year.refresh_from_db()
    assert (unit_year.state, unit_year.reopen_reason) == (YearState.DRAFT, "Sai số liệu quý 4")
    latest = unit_year.history.first()
    assert (latest.history_change_reason, latest.history_user) == ("Sai số liệu quý 4", reviewer)
    response = client.get(f"/admin/indicators/unityear/{unit_year.pk}/history/")
    assert "Sai số liệu quý 4" in response.text


def test_a_clerk_cannot_reopen_nor_delete_an_approved_year(clerk_client, entry):
    """Only reviewers unlock, and nobody unlocks by deleting the year."""
    unit_year = approve(entry["unit"])
    run_action(clerk_client, "reopen", [unit_year], apply="1", reason="muốn sửa")
    response = clerk_client.post(
        f"/admin/indicators/unityear/{unit_year.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 403
    unit_year.refresh_from_db()
    assert unit_year.state == YearState.APPROVED


def test_every_change_to_a_result_is_in_its_read_only_history(clerk_client, entry):
    """Who, when, the old and the new value; no revert from an old version."""
    result = make_result(entry["count"], entry["unit"], 2021, value=5)
    change_result(clerk_client, result, opened_version=1, value=6)
    records = list(result.history.order_by("history_date"))
    assert [record.value for record in records] == [5, 6]
    assert records[-1].history_user.username == "nhaplieu"
    response = clerk_client.get(f"/admin/indicators/result/{result.pk}/history/")
    assert response.status_code == 200
    assert "nhaplieu" in response.text
    old = records[0]
    url = f"/admin/indicators/result/{result.pk}/history/{old.history_id}/"
    assert clerk_client.get(url).status_code == 200
    response = clerk_client.post(url, {"value": 5, "opened_version": 2})
    assert response.status_code == 403
    result.refresh_from_db()
    assert result.value == 6


def test_targets_and_quotas_keep_their_history(client, entry):
    """Changes to targets and quotas are recorded with their old and new values."""
    target = entry["count"]
    target.term_target = 120
    target.save()
    assert [record.term_target for record in target.history.order_by("history_date")] == [
        100,
        120,
    ]
    response = client.get(f"/admin/indicators/target/{target.pk}/history/")
    assert response.status_code == 200
    quota = UnitQuota.objects.create(target=target, unit=entry["unit"], value=10)
    quota.value = 12
    quota.save()
    assert quota.history.count() == 2
    assert client.get(f"/admin/indicators/unitquota/{quota.pk}/history/").status_code == 200


def test_workflow_lists_stay_at_a_fixed_number_of_queries(
    client, entry, django_assert_max_num_queries
):
    """The unit years list and a result's history do not grow queries with rows."""
    for year in (2021, 2022, 2023):
        for unit in (entry["unit"], entry["other"]):
            UnitYear.objects.create(unit=unit, year=year)
    with django_assert_max_num_queries(12):
        assert client.get("/admin/indicators/unityear/").status_code == 200
    result = make_result(entry["count"], entry["unit"], 2021, value=1)
    for value in range(2, 8):
        result.value = value
        result.save()
    with django_assert_max_num_queries(14):
        assert client.get(f"/admin/indicators/result/{result.pk}/history/").status_code == 200


def test_an_absurd_figure_is_a_form_error(client, entry):
    """9.223.372.036.854.775.360 admissions is refused with the bound, nothing saved."""
    response = post_result(
        client, target=entry["count"], unit=entry["unit"], value="9223372036854775360"
    )
    assert response.status_code == 200
    assert "Con số quá lớn: tối đa 1.000.000.000.000." in response.text
    assert Result.objects.count() == 0


def test_a_rating_at_the_committee_is_refused_in_the_admin(client, entry):
    """A yes/no rating of grassroots organisations saved at the committee: a form error."""
    rating = make_target(
        entry["count"].term, code="7", measure=Measure.FLAG, combine=Combine.LATEST,
        in_percent=True, term_target=90,
    )  # fmt: skip
    response = post_result(client, target=rating, unit=entry["root"], flag="true")
    assert response.status_code == 200
    assert "Chỉ tiêu 7 chỉ do tổ chức cơ sở đảng báo cáo" in response.text
    assert Result.objects.count() == 0


def test_the_term_form_lists_targets_in_six_columns_with_a_link_to_each(client, entry):
    """The term form's target rows hold six fields, the rest behind the target's own form."""
    import re

    target = entry["count"]
    page = client.get(f"/admin/indicators/term/{target.term_id}/change/").text
    fields = set(re.findall(r'name="targets-0-([a-z_]+)"', page))
    assert fields >= {"order", "code", "name", "programme", "measure", "term_target"}
    assert not fields & {"direction", "combine", "judgement", "level", "yearly_target"}
    assert f"/admin/indicators/target/{target.pk}/change/" in page
