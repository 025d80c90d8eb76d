"""The year's workflow on the entry form: a clerk submits, a reviewer approves or returns."""

import re

import pytest

from indicators.demo import demo_load
from indicators.models import UnitYear, YearState
from indicators.workflow import WorkflowRefused, unit_year_approve, unit_year_submit
from tests.factories import make_result, make_target, make_term, make_tree, make_unit, make_user
from units import roles
from units.models import Kind

pytestmark = pytest.mark.django_db


def page_text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def setting(client):
    root, (unit, other) = make_tree(2)
    term = make_term(root)
    target = make_target(term, code="1", name="Kết nạp đảng viên mới")
    clerk = make_user("nhaplieu", unit=unit, role=roles.CLERK)
    reviewer = make_user("kiemduyet", unit=root, role=roles.REVIEWER)
    return {
        "root": root, "unit": unit, "other": other, "term": term, "target": target,
        "clerk": clerk, "reviewer": reviewer,
        "form": f"/entry/{unit.pk}/2022/", "state": f"/entry/{unit.pk}/2022/state/",
    }  # fmt: skip


def state_of(setting) -> str | None:
    row = UnitYear.objects.filter(unit=setting["unit"], year=2022).first()
    return row.state if row else None


def test_a_clerk_sends_the_year_for_review_from_the_entry_form(client, setting):
    """No unit-year record is needed first; the form shows the new state."""
    client.force_login(setting["clerk"])
    page = page_text(client.get(setting["form"]))
    assert "Đang nhập" in page
    assert "Gửi duyệt" in page
    assert "Duyệt" not in page.replace("Gửi duyệt", "").replace("Chờ duyệt", "")
    response = client.post(setting["state"], {"action": "submit"})
    assert response.status_code == 302
    assert state_of(setting) == YearState.SUBMITTED
    page = page_text(client.get(setting["form"]))
    assert "Chờ duyệt" in page
    assert "Đã gửi duyệt." in page


def test_a_clerk_cannot_approve(client, setting):
    unit_year_submit(unit=setting["unit"], year=2022, user=setting["clerk"])
    client.force_login(setting["clerk"])
    assert client.post(setting["state"], {"action": "approve"}).status_code == 403
    assert state_of(setting) == YearState.SUBMITTED


def test_a_reviewer_approves_and_the_year_locks(client, setting):
    make_result(setting["target"], setting["unit"], 2022, value=3)
    unit_year_submit(unit=setting["unit"], year=2022, user=setting["clerk"])
    client.force_login(setting["reviewer"])
    page = page_text(client.get(setting["form"]))
    assert "Duyệt" in page
    assert "Trả lại (lý do)" in page
    client.post(setting["state"], {"action": "approve"})
    assert state_of(setting) == YearState.APPROVED
    client.force_login(setting["clerk"])
    assert 'data-testid="locked"' in client.get(setting["form"]).text


def test_a_reviewer_returns_the_year_with_a_reason(client, setting):
    unit_year_submit(unit=setting["unit"], year=2022, user=setting["clerk"])
    client.force_login(setting["reviewer"])
    response = client.post(setting["state"], {"action": "return", "reason": "  "}, follow=True)
    assert "Hãy ghi lý do trả lại." in page_text(response)
    assert state_of(setting) == YearState.SUBMITTED
    client.post(setting["state"], {"action": "return", "reason": "Số liệu quý IV chưa khớp"})
    unit_year = UnitYear.objects.get(unit=setting["unit"], year=2022)
    assert unit_year.state == YearState.DRAFT
    assert unit_year.reopen_reason == "Số liệu quý IV chưa khớp"
    assert unit_year.history.first().history_change_reason == "Số liệu quý IV chưa khớp"
    client.force_login(setting["clerk"])
    page = page_text(client.get(setting["form"]))
    assert "Người kiểm duyệt trả lại: Số liệu quý IV chưa khớp" in page


def test_a_draft_cannot_be_approved(setting):
    with pytest.raises(WorkflowRefused):
        unit_year_approve(unit=setting["unit"], year=2022, user=setting["reviewer"])
    assert state_of(setting) is None


def test_a_year_outside_ones_subtree_is_not_found(client, setting):
    client.force_login(setting["clerk"])
    other = f"/entry/{setting['other'].pk}/2022/state/"
    assert client.post(other, {"action": "submit"}).status_code == 404


def test_the_review_list_shows_the_years_waiting_in_ones_subtree(
    client, setting, django_assert_max_num_queries
):
    outsider_root, (outsider,) = make_tree(1)
    make_term(outsider_root)
    unit_year_submit(unit=setting["unit"], year=2022, user=setting["clerk"])
    unit_year_submit(unit=setting["other"], year=2022, user=setting["reviewer"])
    UnitYear.objects.create(unit=outsider, year=2022, state=YearState.SUBMITTED)
    client.force_login(setting["reviewer"])
    with django_assert_max_num_queries(10):
        response = client.get("/entry/review/")
    rows = re.findall(r"<tr><td", response.text)
    assert len(rows) == 2
    assert outsider.name not in response.text
    client.force_login(setting["clerk"])
    assert client.get("/entry/review/").status_code == 403


def test_a_year_sent_by_nobody_known_reads_a_dash(client, setting):
    """A year submitted outside the form (no sender recorded) is listed, not a 500."""
    unit_year_submit(unit=setting["unit"], year=2022, user=setting["clerk"])
    UnitYear.objects.create(unit=setting["other"], year=2022, state=YearState.SUBMITTED)
    client.force_login(setting["reviewer"])
    response = client.get("/entry/review/")
    assert response.status_code == 200
    senders = re.findall(r'data-label="Người gửi">([^<]*)<', response.text)
    assert sorted(senders) == sorted([setting["clerk"].username, "—"])


def test_the_demo_holds_years_in_each_state():
    demo_load(password="demo-password-for-tests")
    states = set(UnitYear.objects.values_list("state", flat=True))
    assert states == {YearState.DRAFT, YearState.SUBMITTED, YearState.APPROVED}
    assert UnitYear.objects.exclude(reopen_reason="").exists()


def test_a_year_approved_above_the_unit_cannot_be_sent_again_from_below(client, setting):
    """The organisation's 2022 is approved: its cell's form says the year is approved
    above it and offers no "Gửi duyệt"; a submit sent anyway is refused."""
    cell = make_unit(parent=setting["unit"], kind=Kind.CELL)
    unit_year_submit(unit=setting["unit"], year=2022, user=setting["clerk"])
    unit_year_approve(unit=setting["unit"], year=2022, user=setting["reviewer"])
    client.force_login(setting["clerk"])
    page = page_text(client.get(f"/entry/{cell.pk}/2022/"))
    assert "Đã duyệt ở cấp trên (khóa số liệu)" in page
    assert "Gửi duyệt" not in page
    assert "Đang nhập" not in page
    response = client.post(f"/entry/{cell.pk}/2022/state/", {"action": "submit"}, follow=True)
    assert "Năm này đã được duyệt ở cấp trên và đã khóa số liệu." in page_text(response)
    assert not UnitYear.objects.filter(unit=cell, year=2022).exists()
    # The reviewer sees no approve or return there either: the year is the organisation's.
    client.force_login(setting["reviewer"])
    page = page_text(client.get(f"/entry/{cell.pk}/2022/"))
    assert "Trả lại (lý do)" not in page
