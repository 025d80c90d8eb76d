"""Exports for review meetings: CSV and Excel files read back, the printable page, scope."""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone, translation
from openpyxl import load_workbook

from indicators.demo import demo_load
from indicators.engine import parse_as_of, term_progress
from indicators.models import Result, Target, Term, UnitQuota
from indicators.selectors import results_for_export
from reports import exports, fast_export
from reports.exports import place_and_date
from reports.templatetags.progress import num, rounded
from tests.factories import log_in, make_result, make_target, make_term, make_tree, make_user
from units import roles
from units.models import Unit

pytestmark = pytest.mark.django_db

PASSWORD = "demo-password-for-tests"
SUMMARY_HEADERS = [
    "STT",
    "Chỉ tiêu",
    "ĐVT",
    "Nghị quyết đề ra",
    "Kết quả năm 2021",
    "Kết quả năm 2022",
    "Kết quả năm 2023",
    "Lũy kế / ước thực hiện",
    "So với NQ (%)",
    "Đánh giá",
    "Ghi chú",
    "Mức cần đạt đến giữa nhiệm kỳ",
    "So với NQ",
]
RESULT_HEADERS = [
    "Mã chỉ tiêu",
    "Chỉ tiêu",
    "Mã đơn vị",
    "Đơn vị",
    "Năm",
    "Giá trị",
    "Tử số",
    "Mẫu số",
    "Có/Không (1/0)",
    "Ước thực hiện (1/0)",
    "Ghi chú",
    "Căn cứ",
    "Ngày nhập",
    "Người nhập",
    "Ngày cập nhật",
    "Người cập nhật",
]


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 byte-order mark"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def read_xlsx(response):
    body = b"".join(response.streaming_content)
    return load_workbook(io.BytesIO(body))


def page_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def dashboard_row(html: str, code: str) -> str:
    match = re.search(rf'<tr data-target="{re.escape(code)}">(.*?)</tr>', html, re.S)
    assert match, code
    return page_text(match.group(1))


@pytest.fixture
def demo(client):
    demo_load(password=PASSWORD)
    log_in(client, "lanhdao", PASSWORD)
    return client


@pytest.fixture
def clerk(client):
    demo_load(password=PASSWORD)
    log_in(client, "nhaplieu", PASSWORD)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/exports/summary.csv",
        "/exports/summary.xlsx",
        "/exports/results.csv",
        "/exports/results.xlsx",
        "/exports/targets/1.csv",
        "/reports/print/",
    ],
)
def test_every_export_needs_a_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_summary_csv_is_the_mid_term_table(demo):
    """The CSV opens in Excel (BOM), has the meeting table's Vietnamese headers and the
    seed's figures as plain numbers."""
    response = demo.get("/exports/summary.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == SUMMARY_HEADERS
    assert rows[1][:2] == ["I", "Các chỉ tiêu chủ yếu của Nghị quyết"]
    by_code = {row[0]: row for row in rows[1:]}
    admissions = by_code["1"]
    assert admissions[1:4] == ["Kết nạp đảng viên mới", "đảng viên", "3200"]
    assert admissions[4:10] == ["820", "850", "408", "2078", "129.9", "Vượt"]
    assert admissions[11:] == ["1600", "đạt 130% (vượt 30%)"]
    assert by_code["2"][7] == "3728"
    assert by_code["3"][7] == "1555"
    assert by_code["4"][7] == "91.7"
    assert "111/121" in by_code["4"][10]
    assert "62/121" in by_code["5"][10]
    assert by_code["6"][7] == "30"
    assert by_code["10"][9] == "Chưa đạt"
    assert by_code["10"][8] == ""  # "at most 0" has no rate; the status tells
    assert by_code["CT1.4"][7] == "95.2"
    assert "1.063/1.117" in by_code["CT1.4"][10]
    assert by_code["CT1.5"][7] == "264"
    programme = next(row for row in rows if row[0] == "II")
    assert "(4/5 chỉ tiêu hoàn thành)" in programme[1]
    assert rows[-1][1] == "Số chỉ tiêu chủ yếu hoàn thành và hoàn thành vượt mức: 9/10"
    # Plain numbers: no thousands separator, a dot for decimals.
    for row in rows[1:]:
        for cell in row[3:9]:
            assert cell == "" or re.fullmatch(r"\d+(\.\d+)?", cell), (row[0], cell)


def test_summary_matches_the_dashboard_row_by_row(demo):
    """Every target's figure, completion and status in the CSV is what the dashboard shows."""
    for as_of in ("mid", "2022", "end"):
        html = demo.get(f"/?as_of={as_of}").content.decode()
        rows = read_csv(demo.get(f"/exports/summary.csv?as_of={as_of}"))
        targets = [row for row in rows[1:] if Target.objects.filter(code=row[0]).exists()]
        assert len(targets) == Target.objects.filter(term__start_year=2020).count()
        cumulative = rows[0].index("Lũy kế / ước thực hiện")
        for row in targets:
            shown = dashboard_row(html, row[0])
            actual, rate, status = row[cumulative], row[cumulative + 1], row[cumulative + 2]
            assert status in shown, (as_of, row[0])
            if actual:
                assert num(Decimal(actual)) in shown, (as_of, row[0], actual)
            else:
                assert "—" in shown
            if rate:
                # The page rounds to a whole percent, the file to one decimal.
                page_rate = re.search(r"đạt (\d+)%", shown)
                assert page_rate, (as_of, row[0])
                assert abs(Decimal(page_rate.group(1)) - Decimal(rate)) <= Decimal("0.5")


def test_summary_csv_follows_the_engine_at_any_year(demo):
    """?as_of=2022 gives the year's columns and figures, from the engine."""
    rows = read_csv(demo.get("/exports/summary.csv?as_of=2022"))
    assert rows[0][4:6] == ["Kết quả năm 2021", "Kết quả năm 2022"]
    assert "Kết quả năm 2023" not in rows[0]
    admissions = next(row for row in rows if row[0] == "1")
    assert admissions[6] == "1670"
    term = Term.objects.get(start_year=2020)
    progress = term_progress(term=term, as_of=parse_as_of(term, "2022"))
    assert Decimal(admissions[7]) == rounded(progress.for_target(
        Target.objects.get(code="1").pk).completion * 100, 1)  # fmt: skip


def test_summary_xlsx_stores_numbers_with_a_frozen_header(demo):
    response = demo.get("/exports/summary.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = read_xlsx(response)
    sheet = workbook.worksheets[0]
    all_rows = list(sheet.iter_rows(values_only=True))
    header_at = next(i for i, row in enumerate(all_rows) if row[0] == "STT")
    assert sheet.freeze_panes == f"A{header_at + 2}"
    assert sheet.column_dimensions["B"].width >= 40
    rows = all_rows[header_at:]
    assert list(rows[0]) == SUMMARY_HEADERS
    admissions = next(row for row in rows if row[0] == "1")
    assert admissions[3:9] == (3200, 820, 850, 408, 2078, 129.9)
    assert admissions[11:] == (1600, "đạt 130% (vượt 30%)")
    cell = next(row for row in sheet.iter_rows() if row[0].value == "1")[8]
    assert cell.data_type == "n"
    assert cell.number_format == "0.0"
    assert next(row for row in rows if row[0] == "4")[7] == 91.7
    assert rows[-1][1].endswith("9/10")
    about = dict(workbook.worksheets[1].iter_rows(values_only=True))
    assert about["Cấp ủy"] == Term.objects.get(start_year=2020).root_unit.name
    assert about["Thời điểm đánh giá"] == "Giữa nhiệm kỳ (2,5 năm)"


def test_summary_xlsx_is_ready_to_print(demo):
    """A4 landscape, one page wide, header repeated; title rows; borders; bold sections."""
    sheet = read_xlsx(demo.get("/exports/summary.xlsx")).worksheets[0]
    assert sheet.page_setup.orientation == "landscape"
    assert str(sheet.page_setup.paperSize) == "9"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth == 1
    cells = list(sheet.iter_rows())
    header_at = next(i for i, row in enumerate(cells) if row[0].value == "STT")
    assert sheet.print_title_rows == f"${header_at + 1}:${header_at + 1}"
    titles = " ".join(str(row[0].value) for row in cells[:header_at] if row[0].value)
    assert Term.objects.get(start_year=2020).root_unit.name in titles
    assert "Giữa nhiệm kỳ (2,5 năm)" in titles
    admissions = next(row for row in cells if row[0].value == "1")
    assert admissions[3].border.left.style == "thin"
    assert not admissions[1].font.b
    sections = [row for row in cells[header_at + 1 :] if row[2].value is None]
    assert sections
    assert all(row[1].font.b for row in sections)
    assert sections[-1][1].value.endswith("9/10")


def test_summary_csv_section_rows_have_every_field(demo):
    rows = read_csv(demo.get("/exports/summary.csv"))
    assert {len(row) for row in rows} == {len(rows[0])}


def test_target_breakdown_lists_each_grassroots_organisation(demo):
    """One row per grassroots organisation; their admissions add up to the bloc's 2.078."""
    target = Target.objects.get(code="1")
    rows = read_csv(demo.get(f"/exports/targets/{target.pk}.csv"))
    assert rows[0][:4] == ["STT", "Mã đơn vị", "Đơn vị", "Chỉ tiêu giao"]
    units = rows[1:]
    assert len(units) == 121
    cumulative = rows[0].index("Lũy kế / ước thực hiện")
    assert sum(int(row[cumulative]) for row in units) == 2078
    first = Unit.objects.get(code=units[0][1])
    assert units[0][2] == first.name
    workbook = read_xlsx(demo.get(f"/exports/targets/{target.pk}.xlsx"))
    sheet = workbook.worksheets[0]
    header_at = next(
        i for i, row in enumerate(sheet.iter_rows(values_only=True)) if row[0] == "STT"
    )
    assert sheet.max_row == 122 + header_at
    body = sheet.iter_rows(min_row=header_at + 2, values_only=True)
    assert sum(row[cumulative] for row in body) == 2078


def test_raw_results_have_one_row_per_result(demo, django_assert_max_num_queries):
    """Every field, flags as 1/0, numbers as numbers; queries do not grow with rows or units.

    On PostgreSQL the CSV is one COPY per target (memory holds one target's rows).
    """
    per_target = (
        Target.objects.filter(term__start_year=2020).count() if fast_export.is_available() else 0
    )
    with django_assert_max_num_queries(8 + per_target):
        response = demo.get("/exports/results.csv")
        rows = read_csv(response)
    assert rows[0] == RESULT_HEADERS
    assert len(rows) - 1 == Result.objects.count()
    assert exports.RESULT_COLUMNS[:5] == ["target_code", "target_name", "unit_code", "unit_name",
                                          "year"]  # fmt: skip
    result = Result.objects.select_related("target", "unit").get(
        target__code="1", unit__code=rows[1][2], year=int(rows[1][4])
    )
    assert rows[1][:6] == [
        "1",
        result.target.name,
        result.unit.code,
        result.unit.name,
        str(result.year),
        str(result.value),
    ]
    flags = [row for row in rows[1:] if row[0] == "4"]
    assert {row[8] for row in flags} == {"0", "1"}
    assert {row[9] for row in rows[1:]} == {"0", "1"}


def test_raw_results_filters(demo):
    target = Target.objects.get(code="1")
    rows = read_csv(demo.get(f"/exports/results.csv?year=2022&target={target.pk}"))
    assert len(rows) - 1 == 121
    assert {(row[0], row[4]) for row in rows[1:]} == {("1", "2022")}
    assert sum(int(row[5]) for row in rows[1:]) == 850
    up_to = read_csv(demo.get("/exports/results.csv?as_of=2022"))
    assert {row[4] for row in up_to[1:]} == {"2021", "2022"}


def test_raw_results_xlsx(demo):
    workbook = read_xlsx(demo.get("/exports/results.xlsx?year=2021"))
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == RESULT_HEADERS
    assert len(rows) - 1 == Result.objects.filter(year=2021).count()
    assert all(isinstance(row[4], int) for row in rows[1:])
    assert sheet.freeze_panes == "A2"


@pytest.mark.parametrize(
    "query",
    ["?as_of=2019", "?as_of=abc", "?term=999999", "?term=x", "?unit=999999", "?unit=abc",
     "?year=2030", "?year=abc", "?target=999999"],
)  # fmt: skip
@pytest.mark.parametrize(
    "url", ["/exports/summary.csv", "/exports/results.xlsx", "/reports/print/"]
)
def test_wrong_parameters_are_a_404(demo, url, query):
    if "year" in query or "target" in query:
        url = "/exports/results.csv"
    assert demo.get(url + query).status_code == 404


def test_unknown_target_is_a_404(demo):
    assert demo.get("/exports/targets/999999.csv").status_code == 404
    assert demo.get("/exports/targets/1.pdf").status_code == 404


@pytest.fixture
def injection(client):
    """A term whose user text starts with formula characters."""
    root, units = make_tree(2)
    term = make_term(root)
    target = make_target(term, code="=1+1", name='=HYPERLINK("http://x")')
    make_result(target, units[0], 2021, value=5, note="=cmd|'/c calc'!A1", evidence="+1")
    make_result(target, units[1], 2021, value=7, note="@SUM(A1)", evidence="-2\tx")
    units[0].name = "\tTab unit"
    units[0].save()
    client.force_login(make_user("leader", role=roles.LEADER))
    return client


def test_csv_neutralises_formulas_but_not_numbers(injection):
    rows = read_csv(injection.get("/exports/results.csv"))
    first, second = rows[1], rows[2]
    assert first[0] == "'=1+1"
    assert first[1] == '\'=HYPERLINK("http://x")'
    assert first[3] == "'\tTab unit"
    assert first[5] == "5"
    assert first[10:12] == ["'=cmd|'/c calc'!A1", "'+1"]
    assert second[10:12] == ["'@SUM(A1)", "'-2\tx"]
    summary = read_csv(injection.get("/exports/summary.csv"))
    assert any(row[:2] == ["'=1+1", '\'=HYPERLINK("http://x")'] for row in summary)


def test_xlsx_stores_formula_like_text_as_text(injection):
    sheet = read_xlsx(injection.get("/exports/results.xlsx")).worksheets[0]
    first = next(sheet.iter_rows(min_row=2, max_row=2))
    assert first[0].value == "=1+1"
    assert first[0].data_type == "s"
    assert first[1].data_type == "s"
    assert first[10].value == "=cmd|'/c calc'!A1"
    assert first[10].data_type == "s"
    assert first[5].value == 5
    assert first[5].data_type == "n"
    summary = read_xlsx(injection.get("/exports/summary.xlsx")).worksheets[0]
    assert all(cell.data_type != "f" for row in summary.iter_rows() for cell in row)


def test_clerk_exports_only_their_subtree(clerk):
    """A unit's clerk gets their own unit's rows, never another unit's.

    The clerk's organisation moved to the bloc's successor in 2025: the bloc's term,
    which holds the demo's results, is the one they name (their default is the
    successor's)."""
    clerk_unit = Unit.objects.get(users__username="nhaplieu")
    mine = set(Unit.objects.subtree(clerk_unit).values_list("code", flat=True))
    old = f"?term={Target.objects.get(code='1').term_id}"
    rows = read_csv(clerk.get(f"/exports/results.csv{old}"))
    assert len(rows) > 1
    assert {row[2] for row in rows[1:]} <= mine
    assert len(rows) - 1 == Result.objects.in_subtree(clerk_unit).count()
    workbook = read_xlsx(clerk.get(f"/exports/results.xlsx{old}"))
    codes = {row[2] for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert codes <= mine
    summary = read_csv(clerk.get(f"/exports/summary.csv{old}"))
    admissions = next(row for row in summary if row[0] == "1")
    assert int(admissions[7]) < 2078
    assert int(admissions[7]) == sum(
        Result.objects.in_subtree(clerk_unit)
        .filter(target__code="1", year__lte=2023)
        .values_list("value", flat=True)
    )
    # "Nghị quyết đề ra" is what was set for this unit: its quotas, not the bloc's 3.200.
    quotas = UnitQuota.objects.filter(unit=clerk_unit, target__code="1")
    assert int(admissions[3]) == sum(quota.value for quota in quotas) != 3200
    target = Target.objects.get(code="CT1.3")
    breakdown = read_csv(clerk.get(f"/exports/targets/{target.pk}.csv"))
    assert len(breakdown) > 1
    assert {row[1] for row in breakdown[1:]} <= mine - {clerk_unit.code}
    other = Unit.objects.exclude(path__startswith=clerk_unit.path).exclude(parent=None).first()
    assert clerk.get(f"/exports/targets/{target.pk}.csv?unit={other.pk}").status_code == 404
    for url in ("/exports/summary.csv", "/exports/results.csv", "/reports/print/"):
        assert clerk.get(f"{url}?unit={other.pk}").status_code == 404
        # The bloc committee, and its successor.
        for root in Unit.objects.filter(parent=None):
            assert clerk.get(f"{url}?unit={root.pk}").status_code == 404


def test_user_without_a_unit_or_role_gets_nothing(client):
    demo_load(password=PASSWORD)
    client.force_login(make_user("nobody"))
    assert client.get("/exports/results.csv").status_code == 404
    assert client.get("/exports/summary.xlsx").status_code == 404


@pytest.mark.parametrize(
    ("day", "line"),
    [
        (datetime.date(2023, 8, 7), "Thanh Hóa, ngày 07 tháng 8 năm 2023"),
        (datetime.date(2026, 2, 15), "Thanh Hóa, ngày 15 tháng 02 năm 2026"),
        (datetime.date(2026, 11, 27), "Thanh Hóa, ngày 27 tháng 11 năm 2026"),
    ],
)
def test_the_place_and_date_line_follows_the_rule_for_party_documents(day, line):
    """A day below 10, January and February take a leading zero; other months do not."""
    with translation.override("vi"):
        assert place_and_date(day) == line


def test_print_page_is_an_a4_appendix(demo):
    response = demo.get("/reports/print/?as_of=mid")
    assert response.status_code == 200
    html = response.content.decode()
    assert "size: A4" in html
    text = page_text(html)
    term = Term.objects.get(start_year=2020)
    assert term.root_unit.name.replace("Đảng bộ", "Đảng ủy", 1) in text
    assert "Đảng Cộng sản Việt Nam" in text
    assert "Đại hội lần thứ XX, nhiệm kỳ 2020–2025" in text
    assert "Giữa nhiệm kỳ (2,5 năm)" in text
    assert place_and_date(timezone.localdate()) in text
    assert 'content: "Trang " counter(page) "/" counter(pages)' in html
    admissions = dashboard_row(html, "1")
    assert "2.078" in admissions
    assert "đạt 130% (vượt 30%)" in admissions
    assert "1.063/1.117 (95,2%)" in dashboard_row(html, "CT1.4")
    assert "Số chỉ tiêu chủ yếu hoàn thành và hoàn thành vượt mức: 9/10" in text
    assert "Nghị quyết đề ra" in text
    assert "Kết quả năm 2023" in text


def test_download_links_carry_the_dashboard_filters(demo):
    html = demo.get("/?as_of=2022").content.decode()
    term = Term.objects.get(start_year=2020)
    links = re.findall(r'href="(/exports/summary\.(?:csv|xlsx)\?[^"]*)"', html)
    assert len(links) == 2
    for link in links:
        link = link.replace("&amp;", "&")
        assert "as_of=2022" in link
        assert f"term={term.pk}" in link
        rows_or_book = demo.get(link)
        assert rows_or_book.status_code == 200
    target = Target.objects.get(code="1")
    detail = demo.get(f"/targets/{target.pk}/?as_of=end").content.decode()
    assert f"/exports/targets/{target.pk}.csv?" in detail


def test_export_queries_do_not_grow_with_units(client, django_assert_max_num_queries):
    """The summary and the breakdown run a fixed number of queries, whatever the units."""
    counts = []
    for grassroots in (2, 15):
        root, units = make_tree(grassroots, cells=1)
        term = make_term(root, start_year=2000 + grassroots, end_year=2005 + grassroots)
        target = make_target(term)
        for unit in units:
            make_result(target, unit, term.start_year + 1, value=2)
        client.force_login(make_user(f"lanhdao{grassroots}", unit=root, role=roles.LEADER))
        with django_assert_max_num_queries(14) as summary:
            assert client.get(f"/exports/summary.xlsx?term={term.pk}").status_code == 200
        with django_assert_max_num_queries(14) as breakdown:
            response = client.get(f"/exports/targets/{target.pk}.csv")
            assert len(read_csv(response)) == grassroots + 1
        with django_assert_max_num_queries(14) as raw:
            response = client.get(f"/exports/results.csv?term={term.pk}")
            assert len(read_csv(response)) == grassroots + 1
        counts.append((len(summary), len(breakdown), len(raw)))
    assert counts[0] == counts[1]


def test_postgresql_copy_writes_the_same_rows_as_the_python_writer(injection):
    """The COPY path of the raw CSV gives cell for cell what csv.writer gives."""
    if not fast_export.is_available():
        pytest.skip("COPY is PostgreSQL's")
    term = Term.objects.get(start_year=2020)
    make_result(
        term.targets.get(), term.root_unit, 2022, value=0, note='line one\nline "two", three'
    )
    table = exports.results_table(
        term=term, scope=term.root_unit, values=results_for_export(term=term, scope=term.root_unit)
    )
    written = list(csv.reader(io.StringIO("".join(exports.csv_chunks(table)).lstrip("\ufeff"))))
    copied = read_csv(injection.get("/exports/results.csv"))
    assert copied == written
    assert len(copied) == 4


def test_raw_export_runs_without_http(tmp_path):
    """The raw export is a lazy row source plus a streaming writer, usable by benchmarks."""
    from indicators.selectors import results_for_export

    root, units = make_tree(3)
    term = make_term(root)
    target = make_target(term)
    for unit in units:
        make_result(target, unit, 2021, value=4)
    values = results_for_export(term=term, scope=root).iterator(chunk_size=2)
    table = exports.results_table(term=term, scope=root, values=values)
    path = tmp_path / "results.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        exports.write_csv(table, stream)
    rows = list(csv.reader(path.open(encoding="utf-8-sig")))
    assert [row[5] for row in rows[1:]] == ["4", "4", "4"]


def test_management_command_writes_the_same_files(tmp_path, client):
    demo_load(password=PASSWORD)
    # The latest term is the successor's since the demo's 2025 reorganisation: the bloc's.
    term = Term.objects.get(start_year=2020)
    call_command("export_reports", output=str(tmp_path), term=term.pk, stdout=io.StringIO())
    summary = list(csv.reader((tmp_path / "summary.csv").open(encoding="utf-8-sig")))
    log_in(client, "lanhdao", PASSWORD)
    assert summary == read_csv(client.get("/exports/summary.csv"))
    assert (tmp_path / "summary.xlsx").exists()
    target = Target.objects.get(code="1")
    breakdown = list(csv.reader((tmp_path / f"targets/{target.pk}.csv").open(encoding="utf-8-sig")))
    assert len(breakdown) == 122
    results = list(csv.reader((tmp_path / "results.csv").open(encoding="utf-8-sig")))
    assert results == read_csv(client.get("/exports/results.csv"))
    assert len(results) - 1 == Result.objects.count()
    assert load_workbook(tmp_path / "results.xlsx").worksheets[0].max_row == len(results)


def test_a_csv_for_excel_in_vietnamese_is_offered_beside_the_standard_one(demo):
    """ ";"-separated with decimal commas: "129,9", not "129.9"."""
    page = demo.get("/").content.decode()
    assert "/exports/summary.vn.csv?" in page
    response = demo.get("/exports/summary.vn.csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert {len(row) for row in rows} == {len(rows[0])}
    admissions = next(row for row in rows if row[0] == "1")
    assert admissions[7:9] == ["2078", "129,9"]
