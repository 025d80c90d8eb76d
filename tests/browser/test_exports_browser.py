"""A meeting secretary downloads the review table from the dashboard in a real browser."""

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_secretary_downloads_the_summary_for_the_year_shown(page, demo_site):
    """The CSV link next to the table carries the chosen year; the file holds its figures."""
    log_in(page, demo_site)
    page.select_option("select[name=as_of]", "2022")
    page.wait_for_url("**as_of=2022**")
    with page.expect_download() as download_info:
        page.get_by_test_id("download-summary-csv").first.click()
    download = download_info.value
    assert download.suggested_filename == "summary-2020-2025-2022.csv"
    body = Path(download.path()).read_bytes()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:4] == ["STT", "Chỉ tiêu", "ĐVT", "Nghị quyết đề ra"]
    admissions = next(row for row in rows if row[0] == "1")
    assert admissions[1] == "Kết nạp đảng viên mới"
    assert admissions[4:7] == ["820", "850", "1670"]
    assert rows[-1][1].endswith("/10")

    with page.expect_download() as download_info:
        page.get_by_test_id("download-summary-xlsx").first.click()
    assert download_info.value.suggested_filename == "summary-2020-2025-2022.xlsx"
    workbook = load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    sheet = workbook.worksheets[0]
    header = next(row[0].row for row in sheet.iter_rows() if row[0].value == "STT")
    assert sheet.freeze_panes == f"A{header + 1}"  # the title rows and the header stay in view
    admissions = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "1")
    assert admissions[4:7] == (820, 850, 1670)


def test_printable_report_opens_from_the_dashboard(page, demo_site):
    log_in(page, demo_site)
    with page.context.expect_page() as popup:
        page.get_by_test_id("print-report").first.click()
    report = popup.value
    report.wait_for_load_state()
    assert "Giữa nhiệm kỳ (2,5 năm)" in report.get_by_test_id("as-of").inner_text()
    assert "2.078" in report.locator('tr[data-target="1"]').inner_text()
    assert report.get_by_test_id("headline").inner_text().strip().endswith("9/10")


def test_the_printed_appendix_is_a4_landscape_with_page_numbers(page, demo_site, tmp_path):
    """Chromium's PDF of the print page: A4 landscape, "Trang 1/2" at the foot, and the
    completion phrase whole on its line (not a word a line)."""
    import shutil
    import subprocess

    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils is not installed")
    log_in(page, demo_site)
    page.goto(f"{demo_site}/reports/print/")
    pdf = tmp_path / "phu-luc.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    facts = dict(line.split(":", 1) for line in info.stdout.splitlines() if ":" in line)
    width, height = (float(side) for side in facts["Page size"].split("pts")[0].split(" x "))
    assert "(A4)" in facts["Page size"]
    assert width > height  # landscape
    pages = int(facts["Pages"])
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for number in range(1, pages + 1):
        assert f"Trang {number}/{pages}" in text
    lines = text.splitlines()
    admissions = next(line for line in lines if "Kết nạp đảng viên mới" in line)
    assert "đạt 130% (vượt 30%)" in admissions
    assert "Mức cần đạt" in text
