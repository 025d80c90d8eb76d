"""Import of results from CSV and Excel: previewed, checked row by row, all or nothing."""

import csv
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from indicators.engine import _result_sums, as_of_year
from indicators.models import Combine, Level, Measure, Result, UnitYear, YearState
from indicators.services import results_import
from tests.factories import make_result, make_target, make_term, make_tree, make_unit, make_user
from units import roles
from units.models import Kind

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/indicators/result/import/"
CONFIRM_URL = "/admin/indicators/result/process_import/"
CSV_FORMAT, XLSX_FORMAT = "0", "1"
HEADERS = [
    "Mã chỉ tiêu", "Chỉ tiêu", "Mã đơn vị", "Đơn vị", "Năm", "Giá trị", "Tử số", "Mẫu số",
    "Có/Không (1/0)", "Ước thực hiện (1/0)", "Ghi chú", "Căn cứ",
]  # fmt: skip


@pytest.fixture
def setting(client):
    root, (unit, other) = make_tree(2)
    cell = make_unit(parent=unit, kind=Kind.CELL)
    term = make_term(root)
    admitted = make_target(term, code="1", name="Kết nạp đảng viên mới")
    trained = make_target(term, code="2", name="Bồi dưỡng", measure=Measure.RATIO)
    rules = make_target(
        term, code="3", name="Ban hành quy chế", measure=Measure.FLAG, combine="latest",
        level=Level.ORGANISATION,
    )  # fmt: skip
    clerk = make_user("nhaplieu", unit=unit, role=roles.CLERK, is_staff=True)
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
    }


def row(target, unit, year, value="", numerator="", denominator="", flag="", note="") -> dict:
    values = [target.code, target.name, unit.code, unit.name, year, value, numerator,
              denominator, flag, 0, note, ""]  # fmt: skip
    return dict(zip(HEADERS, values, strict=True))


def good_rows(setting) -> list[dict]:
    return [
        row(setting["admitted"], setting["unit"], 2022, value=12),
        row(setting["trained"], setting["cell"], 2022, numerator=9, denominator=12),
        row(setting["rules"], setting["cell"], 2022, flag=1),
    ]


def csv_upload(rows: list[dict]) -> SimpleUploadedFile:
    stream = io.StringIO()
    writer = csv.DictWriter(stream, fieldnames=HEADERS)
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile("ketqua.csv", ("\ufeff" + stream.getvalue()).encode(), "text/csv")


def xlsx_upload(rows: list[dict]) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for values in rows:
        sheet.append([None if values[h] == "" else values[h] for h in HEADERS])
    stream = io.BytesIO()
    workbook.save(stream)
    return SimpleUploadedFile("ketqua.xlsx", stream.getvalue())


def snapshot() -> list[tuple]:
    return list(
        Result.objects.order_by("pk").values_list(
            "pk", "target_id", "unit_id", "year", "value", "numerator", "denominator", "flag",
            "is_estimate", "note", "evidence", "version", "updated_at",
        )
    )  # fmt: skip


def page_text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def preview(client, setting, upload, file_format=CSV_FORMAT):
    return client.post(
        IMPORT_URL,
        {"term": setting["term"].pk, "format": file_format, "resource": "0", "import_file": upload},
    )


def confirm(client, response):
    form = response.context["confirm_form"]
    data = {name: form[name].value() for name in form.fields}
    return client.post(CONFIRM_URL, data)


def test_the_service_imports_rows_entered_by_the_user(setting):
    """Rows keyed by target code, unit code and year become results; counts are reported."""
    report = results_import(rows=good_rows(setting), user=setting["clerk"], term=setting["term"])
    assert report.ok, report.errors
    assert (report.created, report.updated) == (3, 0)
    admitted = Result.objects.get(target=setting["admitted"])
    assert (admitted.unit, admitted.year, admitted.value) == (setting["unit"], 2022, 12)
    assert admitted.created_by == setting["clerk"] == admitted.updated_by
    trained = Result.objects.get(target=setting["trained"])
    assert (trained.numerator, trained.denominator) == (9, 12)
    assert Result.objects.get(target=setting["rules"]).flag is True


def test_an_update_raises_the_version_and_an_equal_row_is_skipped(setting):
    kept = make_result(setting["admitted"], setting["unit"], 2022, value=12)
    changed = make_result(setting["trained"], setting["cell"], 2022, numerator=1, denominator=12)
    report = results_import(rows=good_rows(setting), user=setting["clerk"], term=setting["term"])
    assert (report.created, report.updated, report.skipped) == (1, 1, 1)
    kept.refresh_from_db()
    changed.refresh_from_db()
    assert kept.version == 1
    assert (changed.numerator, changed.version, changed.updated_by) == (9, 2, setting["clerk"])


def test_imports_leave_an_audit_trail_and_an_exact_rollup(setting):
    """Imported rows are written in batches, yet each has its history and the roll-up follows."""
    changed = make_result(setting["trained"], setting["cell"], 2022, numerator=1, denominator=12)
    report = results_import(rows=good_rows(setting), user=setting["clerk"], term=setting["term"])
    assert report.ok, report.errors
    created = Result.objects.get(target=setting["admitted"])
    assert [(h.history_type, h.history_user) for h in created.history.all()] == [
        ("+", setting["clerk"])
    ]
    changed.refresh_from_db()
    newest = changed.history.first()
    assert (newest.history_type, newest.numerator, newest.history_user) == (
        "~",
        9,
        setting["clerk"],
    )
    assert newest.prev_record.numerator == 1
    term = setting["term"]
    scope = term.root_unit
    for as_of in (as_of_year(term, 2022), as_of_year(term, term.end_year)):
        rolled = _result_sums(term=term, scope=scope, as_of=as_of, use_rollup=True)
        assert rolled == _result_sums(term=term, scope=scope, as_of=as_of, use_rollup=False)
        assert rolled


def test_english_headers_and_vietnamese_grouping_are_read(setting):
    """A file exported in English imports too; "2.078" is two thousand and seventy-eight."""
    rows = [
        {"Target code": "1", "Unit code": setting["unit"].code, "Year": "2022", "Value": "2.078"}
    ]
    report = results_import(rows=rows, user=setting["clerk"], term=setting["term"])
    assert report.ok, report.errors
    assert Result.objects.get(target=setting["admitted"]).value == 2078


def test_a_bad_row_leaves_the_database_unchanged_and_names_row_and_column(setting):
    """Row 2's numerator exceeds its denominator: nothing is saved, not even row 1."""
    make_result(setting["rules"], setting["cell"], 2022, flag=False)
    before = snapshot()
    rows = good_rows(setting)
    rows[1]["Tử số"] = 13
    report = results_import(rows=rows, user=setting["clerk"], term=setting["term"])
    assert not report.ok
    assert [str(error) for error in report.errors] == [
        "Dòng 2, cột “Tử số”: Tử số không được lớn hơn mẫu số."
    ]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"Mã chỉ tiêu": "99"}, "Dòng 1, cột “Mã chỉ tiêu”: Không có chỉ tiêu nào mã “99”"),
        ({"Giá trị": "mười"}, "Dòng 1, cột “Giá trị”: “mười” không phải là một số nguyên."),
        ({"Giá trị": "1,5"}, "Dòng 1, cột “Giá trị”: “1,5” không phải là một số nguyên."),
        ({"Giá trị": ""}, "Dòng 1, cột “Giá trị”: "),
        ({"Năm": "2019"}, "Dòng 1, cột “Năm”: Năm phải nằm trong nhiệm kỳ"),
        ({"Tử số": "3"}, "Dòng 1, cột “Tử số”: "),
    ],
)
def test_wrong_cells_are_named_in_vietnamese(setting, change, expected):
    rows = good_rows(setting)[:1]
    rows[0].update(change)
    report = results_import(rows=rows, user=setting["clerk"], term=setting["term"])
    assert any(str(error).startswith(expected) for error in report.errors), report.errors
    assert Result.objects.count() == 0


def test_a_repeated_row_is_refused(setting):
    rows = good_rows(setting) + good_rows(setting)[:1]
    report = results_import(rows=rows, user=setting["clerk"], term=setting["term"])
    assert [str(error) for error in report.errors] == [
        "Dòng 4, cột “Năm”: Chỉ tiêu, đơn vị và năm này đã có ở dòng 1."
    ]
    assert Result.objects.count() == 0


def test_a_file_without_the_key_columns_is_refused(setting):
    report = results_import(rows=[{"Giá trị": 3}], user=setting["clerk"], term=setting["term"])
    assert [str(error) for error in report.errors] == [
        "Tệp thiếu các cột: Mã chỉ tiêu, Mã đơn vị, Năm."
    ]


def test_a_locked_year_is_refused_for_a_clerk(setting):
    """An approval of the unit locks its cells too: the row is refused and nothing saved."""
    UnitYear.objects.create(unit=setting["unit"], year=2022, state=YearState.APPROVED)
    report = results_import(rows=good_rows(setting), user=setting["clerk"], term=setting["term"])
    assert len(report.errors) == 3
    assert str(report.errors[0]).startswith("Dòng 1, cột “Năm”: Năm này của đơn vị đã được duyệt")
    assert Result.objects.count() == 0


def test_a_unit_outside_the_users_subtree_is_refused(setting):
    rows = [*good_rows(setting), row(setting["admitted"], setting["other"], 2022, value=3)]
    report = results_import(rows=rows, user=setting["clerk"], term=setting["term"])
    assert [str(error) for error in report.errors] == [
        f"Dòng 4, cột “Mã đơn vị”: Không có đơn vị nào mã “{setting['other'].code}” "
        "trong phạm vi của bạn."
    ]
    assert Result.objects.count() == 0


def test_the_admin_preview_writes_nothing_and_the_confirmation_saves(client, setting):
    """CSV upload: a preview of the three rows; only “Xác nhận nhập” writes them."""
    response = preview(client, setting, csv_upload(good_rows(setting)))
    assert response.status_code == 200
    assert "confirm_form" in response.context
    assert "Xem trước" in page_text(response)
    assert Result.objects.count() == 0
    response = confirm(client, response)
    assert response.status_code == 302
    assert Result.objects.count() == 3
    assert Result.objects.get(target=setting["admitted"]).created_by == setting["clerk"]


def test_the_admin_imports_excel(client, setting):
    response = preview(client, setting, xlsx_upload(good_rows(setting)), XLSX_FORMAT)
    assert response.status_code == 200
    assert Result.objects.count() == 0
    response = confirm(client, response)
    assert response.status_code == 302
    assert Result.objects.get(target=setting["trained"]).numerator == 9


def test_the_admin_shows_the_bad_row_and_offers_no_confirmation(client, setting):
    rows = good_rows(setting)
    rows[2]["Có/Không (1/0)"] = "có lẽ"
    response = preview(client, setting, csv_upload(rows))
    assert response.status_code == 200
    assert "confirm_form" not in response.context
    text = page_text(response)
    assert "Một số dòng không hợp lệ" in text
    assert "Có/Không (1/0)" in text
    assert "Ghi 1 (có) hoặc 0 (không)." in text
    assert Result.objects.count() == 0


def test_a_leader_cannot_import(client, setting):
    leader = make_user("lanhdao", unit=setting["root"], role=roles.LEADER, is_staff=True)
    client.force_login(leader)
    assert client.get(IMPORT_URL).status_code == 403


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_raw_results_export_re_imports_unchanged(client, setting, fmt):
    """Export the clerk's results, import the file back: every row skipped, nothing changes."""
    make_result(setting["admitted"], setting["unit"], 2021, value=1234, note="=SUM(A1)")
    make_result(setting["admitted"], setting["unit"], 2022, value=7, is_estimate=True)
    make_result(setting["trained"], setting["cell"], 2022, numerator=9, denominator=12)
    make_result(setting["rules"], setting["cell"], 2021, flag=False)
    make_result(setting["rules"], setting["unit"], 2021, flag=True, evidence="12-BC/ĐU")
    before = snapshot()
    response = client.get(f"/exports/results.{fmt}?term={setting['term'].pk}")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    upload = SimpleUploadedFile(f"results.{fmt}", content)
    response = preview(client, setting, upload, CSV_FORMAT if fmt == "csv" else XLSX_FORMAT)
    assert response.status_code == 200
    report = response.context["report"]
    assert report.ok, report.errors
    assert report.skipped == 5
    confirm(client, response)
    assert snapshot() == before


def test_the_admin_import_page_asks_for_the_term_and_a_file(client, setting):
    response = client.get(IMPORT_URL)
    assert response.status_code == 200
    text = page_text(response)
    assert "Nhiệm kỳ" in text
    assert "Tệp cần nhập" in text
    assert "Mã chỉ tiêu, Chỉ tiêu, Mã đơn vị" in text
    changelist = client.get("/admin/indicators/result/")
    assert "href='/admin/indicators/result/import/' class=\"import_link\">Nhập từ tệp" in (
        changelist.text
    )


def test_a_rating_at_the_wrong_level_is_refused_naming_who_reports_it(setting):
    """A grassroots rating entered for a cell: refused, nothing saved."""
    rating = make_target(
        setting["term"], code="7", name="Xếp loại", measure=Measure.FLAG,
        combine=Combine.LATEST, in_percent=True, term_target=90,
    )  # fmt: skip
    rows = [*good_rows(setting), row(rating, setting["cell"], 2022, flag=1)]
    report = results_import(rows=rows, user=setting["clerk"], term=setting["term"])
    assert not report.ok
    assert "Chỉ tiêu 7 chỉ do tổ chức cơ sở đảng báo cáo" in str(report.errors)
    assert Result.objects.count() == 0


# The confirmation step: only the user's own upload, and a refusal that says why ---------


@pytest.fixture(autouse=True)
def upload_root(settings, tmp_path):
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    return settings.UPLOAD_ROOT


def confirm_data(response) -> dict:
    form = response.context["confirm_form"]
    return {name: form[name].value() for name in form.fields}


def test_a_save_after_the_preview_is_not_overwritten(client, setting):
    """A figure saved between preview and confirm stands; the row is named and nothing written."""
    stored = make_result(setting["admitted"], setting["unit"], 2022, value=10)
    rows = good_rows(setting)
    rows[0]["Giá trị"] = 70000
    response = preview(client, setting, csv_upload(rows))
    assert response.context["report"].ok
    Result.objects.filter(pk=stored.pk).update(value=50000, version=2)
    response = confirm(client, response)
    assert response.status_code == 409
    text = page_text(response)
    assert "Không có gì được nhập" in text
    assert "đã có người lưu sau khi bạn xem trước" in text
    assert "Dòng 1" in text
    assert Result.objects.get(pk=stored.pk).value == 50000
    assert Result.objects.count() == 1


def test_an_approval_after_the_preview_refuses_the_confirmation(client, setting):
    """A year approved between preview and confirm: nothing written, and the page says why."""
    response = preview(client, setting, csv_upload(good_rows(setting)))
    UnitYear.objects.create(unit=setting["unit"], year=2022, state=YearState.APPROVED)
    response = confirm(client, response)
    assert response.status_code == 409
    text = page_text(response)
    assert "Không có gì được nhập" in text
    assert "đã được duyệt" in text
    assert "Đã nhập" not in text
    assert Result.objects.count() == 0


def test_the_confirmation_tells_how_many_were_written(client, setting):
    """A confirmed import says what it wrote."""
    response = confirm(client, preview(client, setting, csv_upload(good_rows(setting))))
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "Đã nhập: 3 mới, 0 cập nhật, 0 không đổi." in page_text(page)


def test_the_confirmation_cannot_read_a_planted_file(client, setting, upload_root, tmp_path):
    """A file name instead of the signed token imports nothing and deletes nothing."""
    planted = tmp_path / "planted.csv"
    stream = io.StringIO()
    csv.DictWriter(stream, fieldnames=HEADERS).writeheader()
    planted.write_text(stream.getvalue())
    response = preview(client, setting, csv_upload(good_rows(setting)))
    for name in ["planted.csv", str(planted), "../planted.csv"]:
        data = {**confirm_data(response), "import_file_name": name}
        refused = client.post(CONFIRM_URL, data)
        assert refused.status_code == 400
        assert "Không có gì được nhập" in page_text(refused)
    assert planted.exists()
    assert Result.objects.count() == 0


def test_another_users_upload_cannot_be_confirmed(client, setting):
    """The token of one clerk's upload is refused for another clerk."""
    response = preview(client, setting, csv_upload(good_rows(setting)))
    data = confirm_data(response)
    other = make_user("nhaplieu2", unit=setting["unit"], role=roles.CLERK, is_staff=True)
    client.force_login(other)
    refused = client.post(CONFIRM_URL, data)
    assert refused.status_code == 400
    assert "không phải của bạn" in page_text(refused)
    assert Result.objects.count() == 0


@pytest.mark.parametrize(
    "tamper",
    [
        {"import_file_name": ""},
        {"format": "abc"},
        {"format": "99"},
        {"format": XLSX_FORMAT},
        {"resource": "5"},
        {"seen": "abc"},
        {"term": "abc"},
    ],
)
def test_a_tampered_confirmation_is_a_message_not_an_error(client, setting, tamper):
    """Missing file, unknown or wrong format, unknown resource: a 400 with a message."""
    response = preview(client, setting, csv_upload(good_rows(setting)))
    refused = client.post(CONFIRM_URL, {**confirm_data(response), **tamper})
    assert refused.status_code == 400
    assert "Không có gì được nhập" in page_text(refused)
    assert Result.objects.count() == 0


def test_a_confirmation_twice_is_refused_the_second_time(client, setting):
    """The upload is removed once imported: posting the confirmation again imports nothing."""
    response = preview(client, setting, csv_upload(good_rows(setting)))
    data = confirm_data(response)
    assert client.post(CONFIRM_URL, data).status_code == 302
    assert client.post(CONFIRM_URL, data).status_code == 400
    assert Result.objects.count() == 3


# Limits and wrong files: messages, never a traceback ------------------------------------


def test_a_file_over_the_size_limit_is_refused_with_a_message(client, setting, settings):
    """An upload over UPLOAD_MAX_BYTES is refused before it is read."""
    settings.UPLOAD_MAX_BYTES = 200
    response = preview(client, setting, csv_upload(good_rows(setting) * 3))
    assert response.status_code == 400
    assert "Tệp lớn hơn" in page_text(response)
    assert "confirm_form" not in response.context


def test_a_file_with_too_many_rows_is_refused_with_a_message(client, setting, settings):
    """A file with more rows than UPLOAD_MAX_ROWS is refused, naming the limit."""
    settings.UPLOAD_MAX_ROWS = 2
    response = preview(client, setting, csv_upload(good_rows(setting)))
    assert response.status_code == 400
    assert "Tệp có hơn 2 dòng" in page_text(response)


def test_a_csv_with_wrong_columns_gives_a_message_not_a_traceback(client, setting, settings):
    """Columns of another file: a Vietnamese message naming the missing columns, DEBUG off."""
    settings.DEBUG = False
    upload = SimpleUploadedFile("khac.csv", "Họ tên,Tuổi\nAn,30\n".encode(), "text/csv")
    response = preview(client, setting, upload)
    text = page_text(response)
    assert response.status_code == 200
    assert "Tệp thiếu các cột: Mã chỉ tiêu, Mã đơn vị, Năm." in text
    assert "Traceback" not in text
    assert "confirm_form" not in response.context


def test_an_excel_file_sent_as_csv_gives_a_message(client, setting):
    """The format chosen must be the file's: a message, not a 500."""
    response = preview(client, setting, xlsx_upload(good_rows(setting)), CSV_FORMAT)
    assert response.status_code == 400
    assert "không đúng định dạng" in page_text(response)


def test_the_preview_shows_the_first_rows_and_the_totals(client, setting):
    """A long file's preview lists the first 100 rows to be written and counts them all."""
    rows = [
        row(setting["admitted"], unit, year, value=number)
        for number, (unit, year) in enumerate(
            [(u, y) for u in (setting["unit"], setting["cell"]) for y in range(2021, 2026)]
        )
    ]
    more_units = [make_unit(parent=setting["unit"], kind=Kind.CELL) for _ in range(20)]
    rows += [
        row(setting["admitted"], unit, year, value=1)
        for unit in more_units
        for year in range(2021, 2026)
    ]
    response = preview(client, setting, csv_upload(rows))
    report = response.context["report"]
    assert report.created == len(rows) == 110
    assert len(report.preview) == 100
    assert "110 mới, 0 cập nhật, 0 không đổi" in page_text(response)


def test_the_import_reads_the_file_in_a_few_queries_whatever_its_length(
    setting, django_assert_max_num_queries
):
    """Checking and writing 10 or 110 rows takes the same number of queries."""
    units = [setting["unit"], setting["cell"]]
    units += [make_unit(parent=setting["unit"], kind=Kind.CELL) for _ in range(20)]
    for count in (2, 22):
        Result.objects.all().delete()
        rows = [
            row(setting["admitted"], unit, year, value=1)
            for unit in units[:count]
            for year in range(2021, 2026)
        ]
        with django_assert_max_num_queries(25):
            report = results_import(rows=rows, user=setting["clerk"], term=setting["term"])
        assert report.created == len(rows)


def test_a_file_without_the_note_column_keeps_the_stored_notes(setting):
    """Columns absent from the file leave the stored note and evidence as they are."""
    stored = make_result(setting["admitted"], setting["unit"], 2022, value=5, note="Ghi chú cũ")
    rows = [{"Mã chỉ tiêu": "1", "Mã đơn vị": setting["unit"].code, "Năm": 2022, "Giá trị": 6}]
    report = results_import(rows=rows, user=setting["clerk"], term=setting["term"])
    assert report.ok, report.errors
    stored.refresh_from_db()
    assert (stored.value, stored.note) == (6, "Ghi chú cũ")


def visible_text(response) -> str:
    """The page's text as read, without tags and their attributes (a hover title is not read)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return page_text_of(html)


def page_text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_preview_prints_each_error_with_its_row_and_column_and_never_none(client, setting):
    """Defect 5: an Excel file with blank cells and a bad row. Each error is printed in the
    page (row, column and message, not behind a badge to hover) and no cell reads "None"."""
    rows = good_rows(setting)
    rows[0]["Giá trị"] = "mười"  # a bad figure
    rows[1]["Ghi chú"] = rows[1]["Căn cứ"] = ""  # blank cells, fine
    rows[2]["Có/Không (1/0)"] = ""  # a blank cell where a figure is needed
    response = preview(client, setting, xlsx_upload(rows), XLSX_FORMAT)
    assert response.status_code == 200
    assert "None" not in response.content.decode()
    errors = re.search(r'<ul class="import-errors".*?</ul>', response.content.decode(), flags=re.S)
    assert errors, "the errors are listed above the form"
    listed = [page_text_of(li).strip() for li in re.findall(r"<li>(.*?)</li>", errors.group(0))]
    assert listed == [
        "Dòng 1, cột “Giá trị”: “mười” không phải là một số nguyên.",
        "Dòng 3, cột “Có/Không (1/0)”: Chọn có hoặc không.",
    ]
    assert "Sửa các lỗi trong tệp rồi tải tệp lên lại ở dưới" in visible_text(response)
    assert Result.objects.count() == 0


def test_a_preview_of_rows_with_blank_cells_reads_a_dash_never_none(client, setting):
    """A good file whose optional cells are blank: the preview shows "—" for what is not stored."""
    rows = good_rows(setting)
    for values in rows:
        values["Ghi chú"] = values["Căn cứ"] = values["Ước thực hiện (1/0)"] = ""
    response = preview(client, setting, xlsx_upload(rows), XLSX_FORMAT)
    assert response.status_code == 200
    assert "confirm_form" in response.context
    html = response.content.decode()
    assert "None" not in html
    first = re.search(r"<tr>\s*<td>1</td>(.*?)</tr>", html, flags=re.S).group(1)
    assert page_text_of(first).split() == ["Mới", "1", setting["unit"].code, "2022", "—", "12"]
