"""A unit that has ended: its clerks read its past years and write nothing, and nobody
enters results for a year after it ended (entry form, import, admin)."""

import re
from datetime import date

import pytest
from django.utils import translation

from indicators.models import Result, UnitYear, YearState
from indicators.services import results_import
from indicators.workflow import WorkflowRefused, unit_year_submit
from tests.factories import make_result, make_target, make_term, make_tree, make_user
from tests.indicators.test_import import row
from units import roles
from units.events import unit_dissolve

pytestmark = pytest.mark.django_db

CLERK_ENDED = (
    "đã kết thúc từ ngày 01/07/2024: vẫn xem được kết quả của đơn vị nhưng không thể "
    "nhập hay sửa nữa."
)
YEAR_AFTER_END = "đã kết thúc từ ngày 01/07/2024: không có kết quả nào để nhập cho năm 2025."


def page_text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def dissolved():
    """A cell with a 2024 result and its clerk; the cell is dissolved from 01/07/2024."""
    root, (unit, _other) = make_tree(2)
    term = make_term(root)  # 2021–2025
    target = make_target(term, code="1", name="Kết nạp đảng viên mới")
    result = make_result(target, unit, 2024, value=12)
    clerk = make_user("nhaplieu", unit=unit, role=roles.CLERK, is_staff=True)
    unit_dissolve(unit=unit, when=date(2024, 7, 1), decision_number="40-QĐ/ĐUK")
    unit.refresh_from_db()
    return {
        "root": root,
        "unit": unit,
        "term": term,
        "target": target,
        "result": result,
        "clerk": clerk,
    }


def entry_post(client, dissolved, year: int, value: int):
    target = dissolved["target"]
    return client.post(
        f"/entry/{dissolved['unit'].pk}/{year}/",
        {f"t{target.pk}-version": 1 if year == 2024 else 0, f"t{target.pk}-value": value},
    )


def test_the_clerk_of_a_dissolved_unit_reads_its_past_years(client, dissolved):
    """The entry form of 2024 shows the figure read-only with the reason; the scorecard stays."""
    client.force_login(dissolved["clerk"])
    response = client.get(f"/entry/{dissolved['unit'].pk}/2024/")
    assert response.status_code == 200
    text = page_text(response)
    assert f"{dissolved['unit']} {CLERK_ENDED}" in text
    assert "12" in re.search(r'<tr data-target="1"[^>]*>(.*?)</tr>', response.text, re.S)[1]
    assert f'name="t{dissolved["target"].pk}-value"' not in response.text
    assert "Gửi duyệt" not in text  # nor can the year be sent for review
    scorecard = client.get(f"/units/{dissolved['unit'].pk}/")
    assert scorecard.status_code == 200
    assert "giải thể 07/2024 theo QĐ số 40-QĐ/ĐUK" in page_text(scorecard)


def test_the_clerk_of_a_dissolved_unit_saves_nothing(client, dissolved):
    """A save from a page opened before the end is refused with the reason; nothing changes."""
    client.force_login(dissolved["clerk"])
    response = entry_post(client, dissolved, 2024, 15)
    assert response.status_code == 403
    assert f"{dissolved['unit']} {CLERK_ENDED} Không có gì được lưu." in page_text(response)
    assert Result.objects.get().value == 12
    response = client.post(
        f"/entry/{dissolved['unit'].pk}/2024/state/", {"action": "submit"}, follow=True
    )
    assert CLERK_ENDED in page_text(response)
    assert not UnitYear.objects.filter(state=YearState.SUBMITTED).exists()


def test_the_clerk_of_a_dissolved_unit_imports_nothing(dissolved):
    """An import by the clerk is refused as a whole, with the reason."""
    report = results_import(
        rows=[row(dissolved["target"], dissolved["unit"], 2024, value=15)],
        user=dissolved["clerk"],
        term=dissolved["term"],
    )
    assert [error.message for error in report.errors] == [f"{dissolved['unit']} {CLERK_ENDED}"]
    assert Result.objects.get().value == 12


def test_the_clerk_of_a_dissolved_unit_reads_the_admin_and_writes_nothing(client, dissolved):
    """The admin shows the unit's result read-only with the reason; saves and adds are 403."""
    client.force_login(dissolved["clerk"])
    url = f"/admin/indicators/result/{dissolved['result'].pk}/change/"
    response = client.get(url)
    assert response.status_code == 200
    assert CLERK_ENDED in page_text(response)
    assert 'name="_save"' not in response.text
    data = {
        "target": dissolved["target"].pk,
        "unit": dissolved["unit"].pk,
        "year": 2024,
        "value": 15,
        "flag": "unknown",
        "note": "",
        "evidence": "",
        "opened_version": 1,
    }
    assert client.post(url, data).status_code == 403
    assert client.post("/admin/indicators/result/add/", data).status_code == 403
    response = client.post(url.replace("change", "delete"), {"post": "yes"})
    assert response.status_code == 403
    assert Result.objects.get().value == 12


def test_nobody_enters_results_for_a_year_after_the_unit_ended(client, dissolved):
    """The committee's clerk and the administrator are refused 2025 for a unit ended in 2024;
    2024, partly before the end, stays theirs to correct."""
    root_clerk = make_user("nhaplieu_khoi", unit=dissolved["root"], role=roles.CLERK)
    client.force_login(root_clerk)
    response = client.get(f"/entry/{dissolved['unit'].pk}/2025/")
    assert response.status_code == 200
    assert f"{dissolved['unit']} {YEAR_AFTER_END}" in page_text(response)
    response = entry_post(client, dissolved, 2025, 3)
    assert response.status_code == 403
    assert f"{YEAR_AFTER_END} Không có gì được lưu." in page_text(response)
    assert entry_post(client, dissolved, 2024, 15).status_code == 302
    assert Result.objects.get().value == 15

    report = results_import(
        rows=[row(dissolved["target"], dissolved["unit"], 2025, value=3)],
        user=root_clerk,
        term=dissolved["term"],
    )
    assert [error.message for error in report.errors] == [
        f"{dissolved['unit']} không tồn tại trong năm 2025."
    ]

    client.force_login(make_user("quantri", is_staff=True, is_superuser=True))
    response = client.post(
        "/admin/indicators/result/add/",
        {
            "target": dissolved["target"].pk,
            "unit": dissolved["unit"].pk,
            "year": 2025,
            "value": 3,
            "flag": "unknown",
            "note": "",
            "evidence": "",
        },
    )
    assert response.status_code == 200
    assert f"{dissolved['unit']} không tồn tại trong năm 2025." in page_text(response)
    assert Result.objects.count() == 1


def test_the_clerk_of_a_dissolved_unit_cannot_submit_a_year_from_the_admin(client, dissolved):
    """The admin's "submit" action moves nothing for them, as the entry form does not."""
    unit_year = UnitYear.objects.create(unit=dissolved["unit"], year=2024)
    client.force_login(dissolved["clerk"])
    response = client.post(
        "/admin/indicators/unityear/",
        {"action": "submit", "_selected_action": [unit_year.pk]},
        follow=True,
    )
    assert response.status_code == 200
    unit_year.refresh_from_db()
    assert unit_year.state == YearState.DRAFT
    with (
        translation.override("vi"),
        pytest.raises(WorkflowRefused, match="đã kết thúc từ ngày 01/07/2024"),
    ):
        unit_year_submit(unit=dissolved["unit"], year=2024, user=dissolved["clerk"])
