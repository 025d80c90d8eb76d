"""Importing and exporting a term's targets."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from indicators.models import Frequency, Level, Measure, Programme, Target, TargetYear
from onboarding.targets import FIELDS, targets_export_rows, targets_import
from tests.factories import make_root, make_target, make_term, make_unit, make_user
from units import roles
from units.models import Kind

pytestmark = pytest.mark.django_db

HEADERS = [
    "Mã chỉ tiêu",
    "Thứ tự",
    "Chỉ tiêu",
    "ĐVT",
    "Chỉ tiêu chính (1/0)",
    "Chương trình",
    "Cách đo",
    "Chiều đánh giá",
    "Cách cộng các năm",
    "Cách đánh giá tiến độ",
    "Đơn vị báo cáo",
    "Tần suất báo cáo",
    "Tính theo % (1/0)",
    "Chỉ tiêu cả nhiệm kỳ",
    "Chỉ tiêu hằng năm",
    "Số liệu đầu nhiệm kỳ",
    "Nguyên văn nghị quyết",
    "Chỉ tiêu năm 2021",
    "Chỉ tiêu năm 2022",
]


def rows(*lines):
    return [dict(zip(HEADERS, line, strict=False)) for line in lines]


def snapshot(term):
    """Every field a targets file sets, the programmes and the years' own targets."""
    return (
        list(term.targets.order_by("code").values_list("code", "programme__name", *FIELDS)),
        list(
            TargetYear.objects.filter(target__term=term).values_list(
                "target__code", "year", "value"
            )
        ),
    )


@pytest.fixture
def admin():
    return make_user("quantri", role=roles.ADMINISTRATOR, is_staff=True)


@pytest.fixture
def term():
    return make_term(make_root())


def test_new_targets_with_programmes_and_year_values(admin, term):
    """Rows create targets, their programme (once) and the years' own targets."""
    plan = targets_import(
        rows=rows(
            [
                "1",
                1,
                "Kết nạp đảng viên",
                "đảng viên",
                1,
                "",
                "Số lượng",
                "",
                "",
                "",
                "",
                "",
                "",
                "3.200",
                "",
                "",
                "Kết nạp ít nhất 3.200",
                600,
                "",
            ],
            [
                "CT1.1",
                2,
                "Chi bộ sinh hoạt đều",
                "%",
                0,
                "Chương trình 1",
                "ratio",
                "",
                "",
                "final",
                "cell",
                "Chỉ khi phát sinh",
                "",
                80,
                "",
                "",
                "",
                "",
                "",
            ],
            [
                "CT1.2",
                3,
                "Ban hành quy chế",
                "đơn vị",
                0,
                "Chương trình 1",
                "flag",
                "",
                "latest",
                "final",
                "grassroots",
                "when_it_happens",
                1,
                100,
                "",
                "",
                "",
                "",
                "",
            ],
        ),
        user=admin,
        term=term,
    )
    assert plan.ok, [str(error) for error in plan.errors]
    admissions = Target.objects.get(term=term, code="1")
    assert admissions.term_target == 3200
    assert admissions.is_headline
    assert admissions.year_values.get().value == 600
    ratio = Target.objects.get(term=term, code="CT1.1")
    assert ratio.in_percent, "a blank percent column on a ratio means in percent"
    assert ratio.measure == Measure.RATIO
    assert Programme.objects.get(term=term).targets.count() == 2
    frequencies = dict(term.targets.values_list("code", "frequency"))
    assert frequencies == {
        "1": Frequency.EVERY_YEAR,  # left blank: every year
        "CT1.1": Frequency.WHEN_IT_HAPPENS,  # by its Vietnamese label
        "CT1.2": Frequency.WHEN_IT_HAPPENS,  # by its code
    }


def test_reimporting_an_export_changes_nothing(admin, term):
    """Export → import: every target is unchanged, and so is the database."""
    programme = Programme.objects.create(term=term, name="Chương trình A", order=1)
    target = make_target(term, code="2", name="Đào tạo", yearly_target=600, term_target=None)
    TargetYear.objects.create(target=target, year=2022, value=650)
    make_target(
        term,
        code="3",
        measure=Measure.RATIO,
        term_target=90,
        programme=programme,
        description="Câu chữ, có dấu phẩy",
    )
    make_target(
        term,
        code="4",
        name="Thành lập tổ chức đảng mới",
        term_target=12,
        level=Level.COMMITTEE,
        frequency=Frequency.WHEN_IT_HAPPENS,
    )
    before = snapshot(term)
    with translation.override("vi"):
        headers, lines = targets_export_rows(term=term)
        plan = targets_import(
            rows=[dict(zip(headers, line, strict=True)) for line in lines], user=admin, term=term
        )
    assert plan.ok, [str(error) for error in plan.errors]
    assert (len(plan.created), len(plan.changed), plan.unchanged) == (0, 0, 3)
    assert snapshot(term) == before
    frequency = headers.index("Tần suất báo cáo")
    assert [line[frequency] for line in lines] == [
        "Hằng năm (kể cả số 0)",
        "Hằng năm (kể cả số 0)",
        "Chỉ khi phát sinh",
    ]


@pytest.mark.parametrize(
    ("line", "column", "words"),
    [
        (
            ["1", 1, "A", "người", 1, "", "cân nặng", "", "", "", "", "", "", 10],
            "Cách đo",
            "cân nặng",
        ),
        (
            ["1", 1, "A", "người", 1, "", "count", "", "", "", "", "", "", ""],
            "Chỉ tiêu cả nhiệm kỳ",
            "chỉ tiêu",
        ),
        (
            ["1", 1, "A", "người", 1, "", "count", "", "", "", "", "", "", "-5"],
            "Chỉ tiêu cả nhiệm kỳ",
            "âm",
        ),
        (["1", 1, "", "người", 1, "", "count", "", "", "", "", "", "", 10], "Chỉ tiêu", "trống"),
        (
            ["1", 1, "A", "%", 1, "", "ratio", "", "", "", "", "", "1", 120],
            "Chỉ tiêu cả nhiệm kỳ",
            "100",
        ),
        (
            ["1", 1, "A", "người", 1, "", "count", "", "", "", "", "hàng quý", "", 10],
            "Tần suất báo cáo",
            "“hàng quý” không thuộc danh sách: Hằng năm (kể cả số 0), Chỉ khi phát sinh",
        ),
        (
            ["1", 1, "A" * 501, "người", 1, "", "count", "", "", "", "", "", "", 10],
            "Chỉ tiêu",
            "500",
        ),
        (
            ["1", 1, "A", "người", 1, "", "count", "", "", "", "", "", "", "10.000.000.000.000"],
            "Chỉ tiêu cả nhiệm kỳ",
            "12 chữ số",
        ),
    ],
    ids=[
        "unknown-measure",
        "no-target",
        "negative",
        "no-name",
        "over-100-percent",
        "unknown-frequency",
        "name-too-long",
        "figure-too-large",
    ],
)
def test_errors_name_row_and_column_and_nothing_is_saved(admin, term, line, column, words):
    """Each refused row is reported in Vietnamese by row and column; nothing is written."""
    before = snapshot(term)
    with translation.override("vi"):
        plan = targets_import(
            rows=rows(
                ["9", 1, "Đúng", "người", 1, "Mới", "count", "", "", "", "", "", "", 5], line
            ),
            user=admin,
            term=term,
        )
        texts = [str(error) for error in plan.errors]
    assert any("Dòng 3" in text and f"“{column}”" in text and words in text for text in texts), (
        texts
    )
    assert snapshot(term) == before
    assert not Programme.objects.filter(term=term).exists()


def test_a_file_without_the_frequency_column_keeps_each_targets_frequency(admin, term):
    """An older file (no frequency column) changes no stored frequency; new targets
    are reported every year."""
    make_target(term, code="4", term_target=12, frequency=Frequency.WHEN_IT_HAPPENS)
    headers, lines = targets_export_rows(term=term)
    frequency = headers.index("Tần suất báo cáo")
    older = [
        {
            header: value
            for header, value in zip(headers, line, strict=True)
            if header != headers[frequency]
        }
        for line in lines
    ]
    older.append({**older[0], "Mã chỉ tiêu": "5", "Chỉ tiêu": "Mới"})
    with translation.override("vi"):
        plan = targets_import(rows=older, user=admin, term=term)
    assert plan.ok, [str(error) for error in plan.errors]
    assert (len(plan.created), len(plan.changed), plan.unchanged) == (1, 0, 1)
    assert dict(term.targets.values_list("code", "frequency")) == {
        "4": Frequency.WHEN_IT_HAPPENS,
        "5": Frequency.EVERY_YEAR,
    }


def test_duplicate_codes_are_refused(admin, term):
    """Two rows with one code: the second is named, and nothing is saved."""
    with translation.override("vi"):
        plan = targets_import(
            rows=rows(
                ["1", 1, "A", "người", 1, "", "count", "", "", "", "", "", "", 5],
                ["1", 2, "B", "người", 1, "", "count", "", "", "", "", "", "", 5],
            ),
            user=admin,
            term=term,
        )
    assert [str(error) for error in plan.errors] == [
        "Dòng 3, cột “Mã chỉ tiêu”: Mã “1” đã có ở dòng 2."
    ]
    assert not term.targets.exists()


def test_a_term_outside_the_users_subtree_is_refused(term):
    """An administrator of one grassroots organisation cannot set the committee's targets."""
    unit = make_unit(parent=term.root_unit, kind=Kind.GRASSROOTS_COMMITTEE)
    user = make_user("bithu", unit=unit, role=roles.ADMINISTRATOR, is_staff=True)
    plan = targets_import(
        rows=rows(["1", 1, "A", "người", 1, "", "count", "", "", "", "", "", "", 5]),
        user=user,
        term=term,
    )
    assert not plan.ok
    assert not term.targets.exists()


def test_the_page_previews_and_confirms_with_the_template(client, admin, term):
    """The template's example row, uploaded back, previews then creates the target."""
    client.force_login(admin)
    template = client.get(f"/admin/setup/terms/{term.pk}/targets/template.xlsx").content
    book = openpyxl.load_workbook(io.BytesIO(template))
    sheet = book.active
    assert sheet["A1"].value == "Mã chỉ tiêu"
    assert drop_down(book, "Tần suất báo cáo") == ["Hằng năm (kể cả số 0)", "Chỉ khi phát sinh"]
    assert drop_down(book, "Đơn vị báo cáo")[0] == "Cấp ủy cấp trên trực tiếp thực hiện"
    response = client.post(
        f"/admin/setup/terms/{term.pk}/targets/", {"file": SimpleUploadedFile("ct.xlsx", template)}
    )
    assert "1 mới, 0 thay đổi, 0 không đổi" in response.text
    assert not term.targets.exists()
    client.post(
        f"/admin/setup/terms/{term.pk}/targets/",
        {"token": response.context["token"], "confirm": "1"},
    )
    assert term.targets.get().term_target == 3200


def drop_down(book, header: str) -> list[str]:
    """The values of the drop-down list on the column headed `header`."""
    sheet = book.active
    letter = next(cell.column_letter for cell in sheet[1] if cell.value == header)
    validation = next(
        validation
        for validation in sheet.data_validations.dataValidation
        if str(validation.sqref).startswith(f"{letter}2:")
    )
    # ='Danh mục'!$F$1:$F$2: the values sit on the hidden sheet
    reference = validation.formula1.split("!")[1].replace("$", "")
    return [row[0].value for row in book["Danh mục"][reference]]


def test_another_users_upload_cannot_be_confirmed(client, admin, term):
    """A token made for one user is refused for another."""
    other = make_user("khac", role=roles.ADMINISTRATOR, is_staff=True)
    client.force_login(other)
    template = client.get(f"/admin/setup/terms/{term.pk}/targets/template.xlsx").content
    token = client.post(
        f"/admin/setup/terms/{term.pk}/targets/", {"file": SimpleUploadedFile("ct.xlsx", template)}
    ).context["token"]
    client.force_login(admin)
    client.post(f"/admin/setup/terms/{term.pk}/targets/", {"token": token, "confirm": "1"})
    assert not term.targets.exists()


def test_the_page_of_a_term_outside_the_subtree_is_not_found(client, term):
    """A subtree administrator cannot open the committee's term."""
    unit = make_unit(parent=term.root_unit, kind=Kind.GRASSROOTS_COMMITTEE)
    client.force_login(make_user("bithu", unit=unit, role=roles.ADMINISTRATOR, is_staff=True))
    assert client.get(f"/admin/setup/terms/{term.pk}/targets/").status_code == 404
