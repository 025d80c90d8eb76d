"""From an empty database to a committee's own dashboard, as the README walks it."""

import pytest

from tests.browser.steps import add_term_in_admin, first_administrator_logs_in

pytestmark = pytest.mark.django_db(transaction=True)

TREE = """Mã đơn vị,Tên đơn vị,Mã đơn vị cấp trên,Loại,Khối,Thứ tự,Đang hoạt động (1/0),Ghi chú
CS1-01,Chi bộ Văn phòng,CS1,Chi bộ trực thuộc,Cơ quan,1,1,
CS1-02,Chi bộ Tài vụ,CS1,Chi bộ trực thuộc,Cơ quan,2,1,
CS1,Đảng bộ Sở Tài chính,DBK,Đảng bộ cơ sở,Cơ quan,1,1,
CS2,Đảng bộ Bệnh viện tỉnh,DBK,Đảng bộ cơ sở,Đơn vị sự nghiệp,2,1,
CS2-01,Chi bộ Khoa Nội,CS2,Chi bộ trực thuộc,Đơn vị sự nghiệp,1,1,
CS3,Chi bộ Công ty Điện lực,DBK,Chi bộ cơ sở,Doanh nghiệp,3,1,
DBK,Đảng bộ Khối Cơ quan và Doanh nghiệp tỉnh,,Đảng bộ Khối,,1,1,
"""

TARGETS = """Mã chỉ tiêu,Thứ tự,Chỉ tiêu,ĐVT,Chỉ tiêu chính (1/0),Chương trình,Cách đo,Chiều đánh giá,Cách cộng các năm,Cách đánh giá tiến độ,Đơn vị báo cáo,Tần suất báo cáo,Tính theo % (1/0),Chỉ tiêu cả nhiệm kỳ,Chỉ tiêu hằng năm
1,1,Kết nạp đảng viên mới,đảng viên,1,,count,,,,,,,1.000,
2,2,Bồi dưỡng nhận thức về Đảng,người,1,,count,,,every_year,,,,,150
3,3,Tổ chức đảng hoàn thành tốt nhiệm vụ,%,1,,ratio,,latest,final,grassroots,Hằng năm (kể cả số 0),1,90,
4,4,Chi bộ sinh hoạt chuyên đề,chi bộ,0,Nâng cao chất lượng sinh hoạt,count,,,,cell,Chỉ khi phát sinh,,20,
"""  # noqa: E501


def test_an_empty_database_becomes_a_committees_dashboard(page, live_server, tmp_path, monkeypatch):
    """First administrator, tree, term, 4 targets, quotas, a year entered, dashboard."""
    from indicators.models import Target, UnitQuota
    from units.models import Unit

    base = live_server.url
    first_administrator_logs_in(
        page, base, monkeypatch, username="bithu", password="mat-khau-dai-1"
    )

    # 1. The tree, from the admin's index.
    page.goto(f"{base}/admin/")
    page.click("#setup-links a[href='/admin/setup/']")
    page.get_by_test_id("setup-units").click()
    (tmp_path / "don-vi.csv").write_text(TREE, encoding="utf-8")
    page.set_input_files("input[name=file]", str(tmp_path / "don-vi.csv"))
    page.get_by_test_id("preview").click()
    assert "7 mới" in page.get_by_test_id("plan").inner_text()
    assert Unit.objects.count() == 0
    page.get_by_test_id("confirm").click()
    assert "7 mới" in page.get_by_test_id("message").inner_text()
    root = Unit.objects.get(code="DBK")
    assert Unit.objects.get(code="CS1-02").path.startswith(root.path)

    # 2. A term of the committee, in the admin.
    term = add_term_in_admin(
        page, base, name="Nghị quyết Đại hội nhiệm kỳ 2025–2030", committee=root, congress=1
    )

    # 3. Its targets, from the setup page.
    page.goto(f"{base}/admin/setup/")
    page.get_by_test_id(f"term-{term.pk}").get_by_test_id("setup-targets").click()
    (tmp_path / "chi-tieu.csv").write_text(TARGETS, encoding="utf-8")
    page.set_input_files("input[name=file]", str(tmp_path / "chi-tieu.csv"))
    page.get_by_test_id("preview").click()
    assert "4 mới" in page.get_by_test_id("plan").inner_text()
    page.get_by_test_id("confirm").click()
    assert Target.objects.filter(term=term).count() == 4
    assert Target.objects.get(term=term, code="4").frequency == "when_it_happens"

    # 4. Quotas of the admissions, on the target's grid.
    page.goto(f"{base}/admin/setup/")
    page.get_by_test_id("grid-1").click()
    for code, value in (("CS1", "300"), ("CS2", "400"), ("CS3", "100")):
        unit = Unit.objects.get(code=code)
        page.fill(f"input[name='q-{unit.pk}-term']", value)
    page.get_by_test_id("save").click()
    assert "3 mới" in page.get_by_test_id("message").inner_text()
    assert "200" in page.get_by_test_id("remaining").inner_text()
    assert UnitQuota.objects.count() == 3

    # 5. A year entered by the grassroots committee.
    cs1 = Unit.objects.get(code="CS1")
    page.goto(f"{base}/entry/{cs1.pk}/2026/")
    page.locator('tr[data-target="1"] input[name$="-value"]').fill("120")
    page.get_by_test_id("save").click()
    assert "Đã lưu" in page.get_by_test_id("message").inner_text()

    # 6. The dashboard shows the committee's own term and figure.
    page.goto(f"{base}/")
    assert "Nghị quyết Đại hội nhiệm kỳ 2025–2030" in page.content()
    assert "120" in page.locator('tr[data-target="1"]').inner_text()
