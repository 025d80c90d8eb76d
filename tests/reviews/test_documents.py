import csv
import io
import os
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from tests.factories import log_in
from tests.reviews.test_pages import PASSWORD, adopt, explain

SCREENSHOTS = Path(os.environ.get("REVIEW_DOCX_PNG_DIR", "/tmp/reviews"))


def download(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def adopted(world, client):
    explain(world)
    adopt(world)
    log_in(client, "lanhdao", PASSWORD)
    return world


def test_the_word_appendix_holds_the_frozen_figures_and_explanations(adopted, client):
    """Read back with python-docx: masthead, the table's cells, explanation, page field."""
    review = adopted["review"]
    content = download(client, f"/reviews/{review.pk}/appendix.docx")
    document = Document(io.BytesIO(content))
    masthead, table = document.tables
    assert masthead.cell(0, 0).text == "ĐẢNG ỦY KHỐI"
    assert masthead.cell(0, 1).text == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert masthead.cell(1, 1).text.startswith("Thanh Hóa, ngày ")
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0][:4] == ["STT", "Chỉ tiêu", "ĐVT", "Nghị quyết đề ra"]
    admitted = next(row for row in rows if row[0] == "1")
    # 2021, 2022, 2023 (the mid-term point), then the total, completion and status.
    assert admitted[3:] == [
        "100",
        "40",
        "20",
        "—",
        "60",
        "đạt 120% (vượt 20%)",
        "Vượt",
    ]
    assert rows[-1][1] == "Số chỉ tiêu chủ yếu hoàn thành và hoàn thành vượt mức: 1/2"
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert "Nguyên nhân: Thiếu giảng viên" in text
    assert "Giải pháp: Mở thêm lớp" in text
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (297, 210)
    assert "PAGE" in section.footer._element.xml


def test_libreoffice_opens_the_word_appendix(adopted, client, tmp_path):
    """LibreOffice converts the .docx to PDF without error; the first page becomes a PNG."""
    if shutil.which("libreoffice") is None:
        if os.environ.get("REQUIRE_LIBREOFFICE"):
            pytest.fail("libreoffice is not installed")
        pytest.skip("libreoffice is not installed")
    review = adopted["review"]
    source = tmp_path / "appendix.docx"
    source.write_bytes(download(client, f"/reviews/{review.pk}/appendix.docx"))
    subprocess.run(
        ["libreoffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    pdf = tmp_path / "appendix.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftoppm"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf),
             str(SCREENSHOTS / "appendix")],
            check=True, timeout=60,
        )  # fmt: skip
        assert list(SCREENSHOTS.glob("appendix*.png"))


def test_excel_and_csv_hold_the_frozen_figures_and_the_marker(adopted, client):
    """After a correction the files keep 60 and say 60 → 65 in their own column."""
    from indicators.models import Result

    Result.objects.filter(unit=adopted["bravo"], year=2022).update(value=25)
    from indicators.rollup import rollup_refresh_term

    rollup_refresh_term(adopted["term"])
    review = adopted["review"]
    text = download(client, f"/reviews/{review.pk}/appendix.csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    admitted = next(row for row in rows if row[0] == "1")
    assert admitted[7] == "60"
    assert admitted[-1] == "đã điều chỉnh sau kỳ đánh giá: 60 → 65"
    workbook = openpyxl.load_workbook(
        io.BytesIO(download(client, f"/reviews/{review.pk}/appendix.xlsx"))
    )
    sheet = workbook.worksheets[0]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    admitted = next(row for row in values if row[0] == "1")
    assert admitted[7] == 60
    about = dict(workbook.worksheets[1].iter_rows(values_only=True))
    assert about["Văn bản thông qua"] == "05-BC/ĐU"


def test_the_print_page_and_files_are_scoped(adopted, client):
    """Alpha's clerk gets Alpha's appendix; the committee's and Bravo's are 404."""
    client.logout()
    log_in(client, "alpha", PASSWORD)
    review = adopted["review"]
    page = download(client, f"/reviews/{review.pk}/print/").decode()
    assert "Đảng bộ Alpha" in page
    assert "Bravo" not in page
    for unit in (adopted["root"], adopted["bravo"]):
        for path in ("appendix.docx", "appendix.xlsx", "appendix.csv", "print/"):
            assert client.get(f"/reviews/{review.pk}/{path}?unit={unit.pk}").status_code == 404
    assert client.get(f"/reviews/{review.pk}/appendix.pdf").status_code == 404


@pytest.mark.django_db
def test_every_row_of_the_word_appendix_is_the_adopted_row(client):
    """The demo's mid-term review, read back from Word for the committee and three
    organisations (two corrected since): each target's years, figure, completion and
    status are the adopted ones; a corrected figure carries the marker under it."""
    from indicators.demo import demo_load
    from reports.templatetags.progress import actual, figure
    from reviews.freezing import progress_thaw
    from reviews.models import Review, ReviewKind

    term = demo_load(password=PASSWORD).term
    review = Review.objects.get(term=term, kind=ReviewKind.MID_TERM)
    log_in(client, "lanhdao", PASSWORD)
    markers = 0
    for snapshot in review.snapshots.filter(position__lte=3).select_related("unit"):
        url = f"/reviews/{review.pk}/appendix.docx?unit={snapshot.unit_id}"
        table = Document(io.BytesIO(download(client, url))).tables[1]
        cells = {row.cells[0].text: [cell.text for cell in row.cells] for row in table.rows}
        frozen = progress_thaw(snapshot.data, term=term, scope=snapshot.unit)
        for row in frozen.targets:
            line = cells[row.target.code]
            years = [figure(point.actual, row) for point in row.years]
            assert line[1] == row.target.name
            assert line[4 : 4 + len(years)] == years
            adopted, *marker = line[4 + len(years)].split("\n")
            assert adopted == actual(row), (snapshot.unit_name, row.target.code)
            markers += bool(marker and marker[0].startswith("đã điều chỉnh sau kỳ đánh giá:"))
            assert line[-2:] == [row.frozen_phrases["completion"], row.frozen_phrases["status"]]
    assert markers == 2
