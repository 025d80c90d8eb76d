"""Importing and exporting the organisation tree."""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from onboarding.tree import tree_export_rows, tree_import, tree_plan
from tests.factories import make_root, make_unit, make_user
from units import roles
from units.models import Kind, Unit
from units.selectors import units_of_year

pytestmark = pytest.mark.django_db

HEADERS = ["Mã đơn vị", "Tên đơn vị", "Mã đơn vị cấp trên", "Loại", "Khối", "Thứ tự",
           "Đang hoạt động (1/0)", "Ghi chú"]  # fmt: skip


def rows(*lines):
    return [dict(zip(HEADERS, line, strict=False)) for line in lines]


def snapshot():
    return list(Unit.objects.order_by("code").values_list("code", "name", "parent__code", "path",
                                                          "kind", "is_active"))  # fmt: skip


@pytest.fixture
def admin():
    return make_user("quantri", role=roles.ADMINISTRATOR, is_staff=True)


@pytest.fixture
def vietnamese():
    with translation.override("vi"):
        yield


def test_parents_may_come_later_in_the_file(admin):
    """A cell listed before its grassroots committee lands under it, with the right path."""
    plan = tree_import(
        rows=rows(
            ["C1", "Chi bộ 1", "CS1", "cell", "agency", 1, 1, ""],
            ["CS1", "Đảng bộ cơ sở 1", "K", "Đảng bộ cơ sở", "Cơ quan", 1, 1, ""],
            ["K", "Đảng bộ Khối", "", "bloc", "", 1, 1, ""],
        ),
        user=admin,
    )
    assert plan.ok, plan.errors
    root, committee, cell = (Unit.objects.get(code=code) for code in ("K", "CS1", "C1"))
    assert cell.parent == committee
    assert committee.parent == root
    assert cell.path.startswith(committee.path)
    assert committee.path.startswith(root.path)
    assert cell.depth == 3
    assert committee.kind == Kind.GRASSROOTS_COMMITTEE


def test_imported_units_count_in_every_year_of_the_tree(admin):
    """Units created by the file are placed in the tree of each year (they count in
    coverage and denominators), under the parent the file names."""
    plan = tree_import(
        rows=rows(
            ["K", "Đảng bộ Khối", "", "bloc", "", 1, 1, ""],
            ["CS1", "Đảng bộ cơ sở 1", "K", "Đảng bộ cơ sở", "Cơ quan", 1, 1, ""],
            ["C1", "Chi bộ 1", "CS1", "cell", "agency", 1, 1, ""],
        ),
        user=admin,
    )
    assert plan.ok, plan.errors
    root = Unit.objects.get(code="K")
    for year in (2021, 2025):
        assert sorted(unit.code for unit in units_of_year(root, year)) == ["C1", "CS1", "K"]


def test_reimporting_an_export_changes_nothing(admin):
    """Export → import: no unit is new, changed or moved, and the tree is as it was."""
    root = make_root()
    committee = make_unit("Đảng bộ A", parent=root, kind=Kind.GRASSROOTS_COMMITTEE)
    make_unit("Chi bộ 1", parent=committee, kind=Kind.CELL)
    make_unit("Chi bộ cũ", parent=committee, kind=Kind.CELL, is_active=False)
    before = snapshot()
    with translation.override("vi"):
        headers, lines = tree_export_rows(user=admin)
        plan = tree_import(rows=[dict(zip(headers, line, strict=True)) for line in lines],
                           user=admin)  # fmt: skip
    assert plan.ok, plan.errors
    assert (len(plan.created), len(plan.changed), len(plan.moved), plan.unchanged) == (0, 0, 0, 4)
    assert snapshot() == before


def test_a_changed_file_renames_moves_and_reports_what_moved(admin):
    """Renamed units take their new names; a moved cell's path follows its new parent."""
    root = make_root()
    first = make_unit("Đảng bộ A", parent=root, kind=Kind.GRASSROOTS_COMMITTEE)
    second = make_unit("Đảng bộ B", parent=root, kind=Kind.GRASSROOTS_COMMITTEE)
    cell = make_unit("Chi bộ 1", parent=first, kind=Kind.CELL)
    headers, lines = tree_export_rows(user=admin)
    table = [dict(zip(headers, line, strict=True)) for line in lines]
    for row in table:
        if row["Mã đơn vị"] == cell.code:
            row["Mã đơn vị cấp trên"] = second.code
            row["Tên đơn vị"] = "Chi bộ Văn phòng"
    plan = tree_import(rows=table, user=admin)
    assert plan.ok, plan.errors
    assert [(move.code, move.old_parent, move.new_parent) for move in plan.moved] == [
        (cell.code, first.code, second.code)
    ]
    cell.refresh_from_db()
    second.refresh_from_db()
    assert cell.name == "Chi bộ Văn phòng"
    assert cell.parent == second
    assert cell.path.startswith(second.path)


def test_two_units_swap_places(admin):
    """A sub-committee and the cell above it may trade places in one file."""
    root = make_root()
    committee = make_unit("Đảng bộ A", parent=root, kind=Kind.GRASSROOTS_COMMITTEE)
    upper = make_unit("BP1", parent=committee, kind=Kind.SUB_COMMITTEE)
    lower = make_unit("BP2", parent=upper, kind=Kind.SUB_COMMITTEE)
    # Sub-committees under sub-committees are refused; swap them under the committee.
    plan = tree_import(
        rows=rows(
            [lower.code, "BP2", committee.code, "sub_committee", "agency", 0, 1, ""],
            [upper.code, "BP1", committee.code, "sub_committee", "agency", 0, 1, ""],
        ),
        user=admin,
    )
    assert plan.ok, plan.errors
    upper.refresh_from_db()
    lower.refresh_from_db()
    assert upper.parent == lower.parent == committee


@pytest.mark.usefixtures("vietnamese")
@pytest.mark.parametrize(
    ("lines", "row", "column", "words"),
    [
        ([["CS1", "A", "NOPE", "grassroots_cell", "", 1, 1, ""]], 2, "Mã đơn vị cấp trên",
         "NOPE"),
        ([["CS1", "A", "K", "grassroots_cell", "", 1, 1, ""],
          ["CS1", "B", "K", "grassroots_cell", "", 1, 1, ""]], 3, "Mã đơn vị", "dòng 3"),
        ([["X1", "A", "X2", "cell", "", 1, 1, ""],
          ["X2", "B", "X1", "sub_committee", "", 1, 1, ""]], 2, "Mã đơn vị cấp trên", "vòng"),
        ([["C1", "A", "K", "cell", "", 1, 1, ""]], 2, "Loại", "không thể"),
        ([["C1", "A", "K", "chi bộ lạ", "", 1, 1, ""]], 2, "Loại", "chi bộ lạ"),
        ([["C1", "A", "K", "grassroots_cell", "", "một", 1, ""]], 2, "Thứ tự", "một"),
    ],
    ids=["unknown-parent", "duplicate-code", "cycle", "kind-under-parent", "unknown-kind",
         "bad-order"],
)  # fmt: skip
def test_errors_name_row_and_column_and_nothing_is_saved(admin, lines, row, column, words):
    """Each kind of error is reported in Vietnamese by row and column; nothing is written."""
    root = make_root()
    root.code = "K"
    root.save()
    before = snapshot()
    plan = tree_import(rows=rows(["OK1", "Đúng", "K", "grassroots_cell", "", 1, 1, ""], *lines),
                       user=admin)  # fmt: skip
    assert not plan.ok
    texts = [str(error) for error in plan.errors]
    assert any(
        f"Dòng {row + 1}" in text and f"“{column}”" in text and words in text for text in texts
    ), texts
    assert snapshot() == before


def test_a_subtree_administrator_imports_only_inside_it():
    """Units outside the user's subtree can be neither changed nor used as parents."""
    root = make_root()
    mine = make_unit("Đảng bộ của tôi", parent=root, kind=Kind.GRASSROOTS_COMMITTEE)
    other = make_unit("Đảng bộ khác", parent=root, kind=Kind.GRASSROOTS_COMMITTEE)
    user = make_user("bithu", unit=mine, role=roles.ADMINISTRATOR, is_staff=True)
    before = snapshot()
    for line in (
        [other.code, "Đổi tên", root.code, "grassroots_committee", "", 1, 1, ""],
        ["C9", "Chi bộ mới", other.code, "cell", "", 1, 1, ""],
        ["C9", "Chi bộ mới", "", "bloc", "", 1, 1, ""],
    ):
        plan = tree_import(rows=rows(line), user=user)
        assert not plan.ok
    assert snapshot() == before
    plan = tree_import(rows=rows(["C9", "Chi bộ mới", mine.code, "cell", "", 1, 1, ""]), user=user)
    assert plan.ok, plan.errors
    _headers, lines = tree_export_rows(user=user)
    assert [line[0] for line in lines] == [mine.code, "C9"]


def test_a_preview_writes_nothing(admin):
    """Planning a valid file leaves the database as it was."""
    make_root().save()
    before = snapshot()
    plan = tree_plan(rows=rows(["N1", "Mới", "", "bloc", "", 1, 1, ""]), user=admin)
    assert plan.ok
    assert len(plan.created) == 1
    assert snapshot() == before


# The pages ----------------------------------------------------------------------------


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_the_page_previews_then_confirms_an_excel_file(
    client, admin, django_assert_max_num_queries
):
    """Upload → preview (nothing written, queries bounded) → confirm writes the units."""
    client.force_login(admin)
    root = make_root()
    response = client.get("/admin/setup/units/template.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "Mã đơn vị"
    assert sheet.data_validations.dataValidation, "kinds and sectors come as drop-down lists"
    workbook = openpyxl.Workbook()
    workbook.active.append([cell.value for cell in sheet[1]])
    for number in range(30):
        workbook.active.append([f"CS{number}", f"Chi bộ {number}", root.code, "Chi bộ cơ sở",
                                "Cơ quan", number, 1, ""])  # fmt: skip
    data = io.BytesIO()
    workbook.save(data)
    with django_assert_max_num_queries(8):
        response = client.post("/admin/setup/units/", {"file": upload("dv.xlsx", data.getvalue())})
    assert "30 mới" in response.text
    assert Unit.objects.count() == 1
    token = response.context["token"]
    response = client.post("/admin/setup/units/", {"token": token, "confirm": "1"})
    assert response.status_code == 200
    assert Unit.objects.filter(parent=root).count() == 30
    assert "30 mới" in response.text


def test_the_csv_export_reimports_unchanged(client, admin):
    """The CSV export, uploaded back, previews as all unchanged."""
    client.force_login(admin)
    root = make_root()
    make_unit("Chi bộ, có dấu phẩy", parent=root)
    content = client.get("/admin/setup/units/export.csv").content
    assert next(iter(csv.reader(io.StringIO(content.decode("utf-8-sig")))))[0] == "Mã đơn vị"
    response = client.post("/admin/setup/units/", {"file": upload("dv.csv", content)})
    assert response.context["plan"].ok
    assert "0 mới, 0 thay đổi (0 chuyển), 2 không đổi" in response.text


def test_a_token_of_another_user_is_refused(client, admin):
    """Confirming with another user's upload token writes nothing and says so."""
    make_root()
    other = make_user("khac", role=roles.ADMINISTRATOR, is_staff=True)
    client.force_login(other)
    content = "Mã đơn vị,Tên đơn vị,Mã đơn vị cấp trên,Loại\nN1,Mới,,bloc\n".encode()
    token = client.post("/admin/setup/units/", {"file": upload("a.csv", content)}).context["token"]
    client.force_login(admin)
    response = client.post("/admin/setup/units/", {"token": token, "confirm": "1"})
    assert response.status_code == 200
    assert "không còn" in response.text
    assert not Unit.objects.filter(code="N1").exists()


def test_clerks_cannot_open_the_setup_page(client):
    """Only those who manage units reach the tree import."""
    root = make_root()
    client.force_login(make_user("nhaplieu", unit=root, role=roles.CLERK, is_staff=True))
    assert client.get("/admin/setup/units/").status_code == 403
    assert client.get("/admin/setup/units/export.csv").status_code == 403


def test_the_admin_links_to_the_tree_import(client, admin):
    """The admin's index and the units list lead to the tree import."""
    client.force_login(admin)
    assert "/admin/setup/units/" in client.get("/admin/").text
    assert "/admin/setup/units/" in client.get("/admin/units/unit/").text


def test_a_file_over_the_row_limit_is_refused_in_vietnamese(client, admin, settings):
    """The shared upload limits apply: too many rows is a message, not a 500."""
    settings.UPLOAD_MAX_ROWS = 3
    make_root()
    client.force_login(admin)
    content = "Mã đơn vị,Tên đơn vị,Mã đơn vị cấp trên,Loại\n" + "".join(
        f"N{n},Mới,,bloc\n" for n in range(5)
    )
    response = client.post("/admin/setup/units/", {"file": upload("a.csv", content.encode())})
    assert response.status_code == 200
    assert "Tệp có hơn 3 dòng" in response.text
    assert not Unit.objects.filter(code__startswith="N").exists()


def test_a_file_that_is_not_excel_is_refused(client, admin):
    """A renamed text file is refused with a message."""
    client.force_login(admin)
    response = client.post("/admin/setup/units/", {"file": upload("a.xlsx", b"not a zip")})
    assert response.status_code == 200
    assert response.context["refused"]
