"""The second resolution (tests/second_resolution.py) entered as a committee would.

The tree and the targets through the setup imports, the term and a target's
frequency through the admin, quotas on the quota grids, results through the
results import and the entry form; then the overview and the printed table at
mid-term and at the end, against the figures computed by hand in
tests/indicators/test_second_resolution.py.
"""

import csv
import io

import pytest

from tests.browser.steps import add_term_in_admin, first_administrator_logs_in
from tests.second_resolution import RESULTS, TARGETS, UNITS

pytestmark = pytest.mark.django_db(transaction=True)

KIND_LABELS = {
    "bloc": "Đảng bộ Khối",
    "grassroots_committee": "Đảng bộ cơ sở",
    "grassroots_cell": "Chi bộ cơ sở",
    "cell": "Chi bộ trực thuộc",
}
TREE_HEADERS = [
    "Mã đơn vị", "Tên đơn vị", "Mã đơn vị cấp trên", "Loại", "Khối", "Thứ tự",
    "Đang hoạt động (1/0)", "Ghi chú",
]  # fmt: skip
TARGET_HEADERS = [
    "Mã chỉ tiêu", "Thứ tự", "Chỉ tiêu", "ĐVT", "Chỉ tiêu chính (1/0)", "Chương trình",
    "Cách đo", "Chiều đánh giá", "Cách cộng các năm", "Cách đánh giá tiến độ",
    "Đơn vị báo cáo", "Tính theo % (1/0)", "Chỉ tiêu cả nhiệm kỳ", "Chỉ tiêu hằng năm",
]  # fmt: skip
RESULT_HEADERS = [
    "Mã chỉ tiêu", "Chỉ tiêu", "Mã đơn vị", "Đơn vị", "Năm", "Giá trị", "Tử số", "Mẫu số",
    "Có/Không (1/0)", "Ước thực hiện (1/0)", "Ghi chú", "Căn cứ",
]  # fmt: skip

# Entered on the entry form rather than imported: a cell below the level (A1 in
# 2026) and a grassroots cell's last year with a yes/no (B in 2030).
BY_FORM = {("A1", 2026), ("B", 2030)}

# The overview (actual, expected, completion, status) and the printed table's
# plan ("Chỉ tiêu giao"), per target; hand-computed in test_second_resolution.py.
MID_TERM = {
    "H1": ("42", "37,5", "đạt 112% (vượt 12%)", "Vượt", "75"),
    "H2": ("660", "500", "năm 2027 đạt 95%", "Chưa đạt", "1.000"),
    "H3": ("62/70 (88,6%)", "85%", "88,6% / yêu cầu ≥ 85%", "Vượt", "85%"),
    "H4": ("1/2", "1", "đạt 100%", "Đạt", "2"),
    "H5": ("4", "≤ 10", "đạt 250% (vượt 150%)", "Vượt", "≤ 10"),
    "H6": ("6", "6", "đạt 100%", "Đạt", "12"),
}
END_OF_TERM = {
    "H1": ("72", "75", "đạt 96%", "Không đạt", "75"),
    "H2": ("1.100", "1.000", "năm 2027 đạt 95%", "Không đạt", "1.000"),
    "H3": ("56/70 (80%)", "85%", "80% / yêu cầu ≥ 85%", "Không đạt", "85%"),
    "H4": ("2/2", "2", "đạt 100%", "Đạt", "2"),
    "H5": ("11", "≤ 10", "đạt 91%", "Không đạt", "≤ 10"),
    "H6": ("10", "12", "đạt 83%", "Không đạt", "12"),
}


def csv_file(path, headers, rows):
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow(headers)
    writer.writerows(rows)
    path.write_text(stream.getvalue(), encoding="utf-8")
    return str(path)


def tree_rows():
    return [
        [code, name, parent or "", KIND_LABELS[kind], "" if kind == "bloc" else "Cơ quan",
         order, 1, ""]
        for order, (code, name, kind, parent) in enumerate(UNITS, start=1)
    ]  # fmt: skip


def target_rows():
    return [
        [t["code"], order, t["name"], t["unit_label"], 1, "", t["measure"], t["direction"],
         t["combine"], t["judgement"], t["level"], 1 if t.get("in_percent") else 0,
         t.get("term_target", ""), t.get("yearly_target", "")]
        for order, t in enumerate(TARGETS, start=1)
    ]  # fmt: skip


def result_rows():
    names = {t["code"]: t["name"] for t in TARGETS}
    units = {code: name for code, name, _kind, _parent in UNITS}
    rows = []
    for code, unit, year, figure in RESULTS:
        if (unit, year) in BY_FORM:
            continue
        value = numerator = denominator = flag = ""
        if isinstance(figure, bool):
            flag = int(figure)
        elif isinstance(figure, tuple):
            numerator, denominator = figure
        else:
            value = figure
        rows.append([code, names[code], unit, units[unit], year, value, numerator,
                     denominator, flag, 0, "", ""])  # fmt: skip
    return rows


def read_table(page, url, columns):
    page.goto(url)
    table = {}
    for row in page.locator("tr[data-target]").all():
        code = row.get_attribute("data-target")
        table[code] = tuple(
            " ".join(row.locator(f"[data-col={column}]").inner_text().split()) for column in columns
        )
    return table


def test_the_second_resolution_entered_in_the_browser_reads_as_computed_by_hand(
    page, live_server, tmp_path, monkeypatch
):
    """Tree, term, six targets, quotas and results entered by hand: both tables as computed."""
    from indicators.models import Result, Target, UnitQuota
    from units.models import Unit

    base = live_server.url
    first_administrator_logs_in(
        page, base, monkeypatch, username="quantri2", password="mat-khau-dai-2"
    )

    # The tree, from the setup import.
    page.goto(f"{base}/admin/setup/")
    page.get_by_test_id("setup-units").click()
    page.set_input_files(
        "input[name=file]", csv_file(tmp_path / "t.csv", TREE_HEADERS, tree_rows())
    )
    page.get_by_test_id("preview").click()
    page.get_by_test_id("confirm").click()
    assert "5 mới" in page.get_by_test_id("message").inner_text()
    units = {unit.code: unit for unit in Unit.objects.all()}

    # The term, in the admin.
    term = add_term_in_admin(
        page, base, name="Nghị quyết Đại hội thử nghiệm", committee=units["HAI"], congress=7
    )

    # The six targets, from the setup import; H6 is reported when it happens (admin).
    page.goto(f"{base}/admin/setup/")
    page.get_by_test_id(f"term-{term.pk}").get_by_test_id("setup-targets").click()
    page.set_input_files(
        "input[name=file]", csv_file(tmp_path / "c.csv", TARGET_HEADERS, target_rows())
    )
    page.get_by_test_id("preview").click()
    assert "6 mới" in page.get_by_test_id("plan").inner_text()
    page.get_by_test_id("confirm").click()
    assert Target.objects.filter(term=term).count() == 6
    awards = Target.objects.get(term=term, code="H6")
    page.goto(f"{base}/admin/indicators/target/{awards.pk}/change/")
    page.select_option("select[name=frequency]", "when_it_happens")
    page.click("input[name=_save]")
    awards.refresh_from_db()
    assert awards.frequency == "when_it_happens"

    # Quotas: admissions year by year, awards for the term.
    page.goto(f"{base}/admin/setup/")
    page.get_by_test_id("grid-H1").click()
    for code, quota in (("A", "10"), ("B", "6")):
        for year in range(2026, 2031):
            page.fill(f"input[name='q-{units[code].pk}-{year}']", quota)
    page.get_by_test_id("save").click()
    assert "10 mới" in page.get_by_test_id("message").inner_text()
    page.goto(f"{base}/admin/setup/")
    page.get_by_test_id("grid-H6").click()
    page.fill(f"input[name='q-{units['A'].pk}-term']", "8")
    page.fill(f"input[name='q-{units['B'].pk}-term']", "4")
    page.get_by_test_id("save").click()
    assert "2 mới" in page.get_by_test_id("message").inner_text()
    assert UnitQuota.objects.count() == 12

    # Results: the import, previewed then confirmed.
    imported = result_rows()
    page.goto(f"{base}/admin/indicators/result/import/")
    page.select_option("select[name=term]", str(term.pk))
    page.select_option("select[name=format]", label="csv")
    page.set_input_files(
        "input[name=import_file]", csv_file(tmp_path / "k.csv", RESULT_HEADERS, imported)
    )
    page.locator("input[type=submit]").first.click()
    assert f"{len(imported)} mới" in page.get_by_test_id("import-summary").inner_text()
    page.locator("form[action$='process_import/'] input[type=submit]").click()
    assert Result.objects.count() == len(imported)

    # Results: the entry form, for a cell below the level and a grassroots cell.
    page.goto(f"{base}/entry/{units['A1'].pk}/2026/")
    page.locator('tr[data-target="H1"] input[name$="-value"]').fill("4")
    page.locator('tr[data-target="H5"] input[name$="-value"]').fill("2")
    page.get_by_test_id("save").click()
    assert "Đã lưu: 2 kết quả thay đổi." in page.get_by_test_id("message").inner_text()
    page.goto(f"{base}/entry/{units['B'].pk}/2030/")
    page.locator('tr[data-target="H1"] input[name$="-value"]').fill("4")
    page.locator('tr[data-target="H4"] select[name$="-flag"]').select_option("1")
    page.get_by_test_id("save").click()
    assert "Đã lưu: 2 kết quả thay đổi." in page.get_by_test_id("message").inner_text()
    assert Result.objects.count() == len(RESULTS)

    # The tables, at mid-term and at the end.
    for as_of, expected in (("mid", MID_TERM), ("end", END_OF_TERM)):
        overview = read_table(
            page, f"{base}/?as_of={as_of}", ("actual", "expected", "completion", "status")
        )
        printed = read_table(page, f"{base}/reports/print/?as_of={as_of}", ("planned",))
        shown = {code: overview[code] + printed[code] for code in overview}
        assert shown == expected, as_of
