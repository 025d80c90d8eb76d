"""Importing and exporting the organisation tree."""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from onboarding import tree_events
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


# Dated changes: the reorganisations file -------------------------------------------------

EVENT_HEADERS = ["Có hiệu lực từ ngày", "Thay đổi", "Mã đơn vị", "Mã đơn vị nhận",
                 "Tên mới", "Số quyết định", "Ngày ban hành quyết định"]  # fmt: skip


def event_rows(*lines):
    return [dict(zip(EVENT_HEADERS, line, strict=False)) for line in lines]


def history():
    from units.models import UnitEvent, UnitPeriod

    return (
        snapshot(),
        sorted(UnitEvent.objects.values_list("unit__code", "kind", "date", "decision_number")),
        sorted(UnitPeriod.objects.values_list("unit__code", "start", "end", "path")),
        sorted(Unit.objects.values_list("code", "ended_on", "end_reason")),
    )


@pytest.fixture
def reorganising_tree():
    """K: grassroots committees CS1 (cells C1, C2) and CS2, grassroots cells G1, G2, G3."""

    def unit(code, name, parent, kind):
        return Unit.objects.create(code=code, name=name, parent=parent, kind=kind)

    root = unit("K", "Đảng bộ Khối", None, Kind.BLOC)
    cs1 = unit("CS1", "Đảng bộ cơ sở 1", root, Kind.GRASSROOTS_COMMITTEE)
    unit("CS2", "Đảng bộ cơ sở 2", root, Kind.GRASSROOTS_COMMITTEE)
    for code in ("C1", "C2"):
        unit(code, f"Chi bộ {code}", cs1, Kind.CELL)
    for code in ("G1", "G2", "G3"):
        unit(code, f"Chi bộ cơ sở {code}", root, Kind.GRASSROOTS_CELL)
    return root


EVERY_KIND = (
    # Out of date order on purpose: the import records them by date.
    ["01/10/2024", "Giải thể", "G3", "", "", "51-QĐ/ĐUK", "15/09/2024"],
    ["01/03/2023", "Chuyển", "C1", "CS2", "", "12-QĐ/ĐUK", "20/02/2023"],
    ["01/07/2024", "Sáp nhập", "G1", "G9", "Chi bộ cơ sở hợp nhất", "45-QĐ/ĐUK", ""],
    ["01/07/2024", "Sáp nhập", "G2", "G9", "", "45-QĐ/ĐUK", ""],
    ["01/01/2025", "Đổi tên", "CS2", "", "Đảng bộ Cơ quan mới", "60-QĐ/ĐUK", ""],
    ["2025-02-01", "Chia tách", "CS1", "CS1A", "Đảng bộ cơ sở 1A", "70-QĐ/ĐUK", ""],
    ["2025-02-01", "Chia tách", "CS1", "CS1B", "Đảng bộ cơ sở 1B", "70-QĐ/ĐUK", ""],
    ["2025-02-01", "Chuyển", "C2", "CS1B", "", "70-QĐ/ĐUK", ""],
)


def test_every_kind_of_change_previews_then_records_through_the_events(
    admin, reorganising_tree, vietnamese
):
    from indicators.models import UnitCount
    from tests.factories import make_term
    from tests.indicators.test_unit_counts import assert_counts_exact, counted
    from units.models import EventKind, UnitEvent
    from units.timeline import unit_timeline

    term = make_term(reorganising_tree)
    counts = sorted(UnitCount.objects.values_list("year", "path", "kind", "own", "n"))
    before = history()
    plan = tree_events.events_plan(rows=event_rows(*EVERY_KIND), user=admin)
    assert plan.ok, [str(error) for error in plan.errors]
    assert history() == before, "a preview writes nothing"
    assert sorted(UnitCount.objects.values_list("year", "path", "kind", "own", "n")) == counts
    assert (plan.recorded, plan.unchanged) == (5, 0)
    assert plan.lines == [
        "Chi bộ C1 chuyển từ Đảng bộ cơ sở 1 sang Đảng bộ cơ sở 2 (cùng 0 đơn vị trực thuộc) "
        "từ ngày 01/03/2023.",
        "Chi bộ cơ sở G1, Chi bộ cơ sở G2 sáp nhập vào Chi bộ cơ sở hợp nhất từ ngày 01/07/2024.",
        "Chi bộ cơ sở G3 giải thể từ ngày 01/10/2024.",
        "Đảng bộ cơ sở 2 đổi tên thành Đảng bộ Cơ quan mới từ ngày 01/01/2025.",
        "Chi bộ C2 chuyển từ Đảng bộ cơ sở 1 sang Đảng bộ cơ sở 1B (cùng 0 đơn vị trực thuộc) "
        "từ ngày 01/02/2025.",
        "Đảng bộ cơ sở 1 chia tách thành Đảng bộ cơ sở 1A, Đảng bộ cơ sở 1B từ ngày 01/02/2025.",
    ]
    done = tree_events.events_import(rows=event_rows(*EVERY_KIND), user=admin)
    assert done.ok
    assert done.lines == plan.lines
    units = {unit.code: unit for unit in Unit.objects.all()}
    assert units["C1"].parent == units["CS2"]
    assert units["C2"].parent == units["CS1B"]
    assert (units["G1"].end_reason, list(units["G1"].successors.all())) == ("merged", [units["G9"]])
    assert units["G9"].founded_on.isoformat() == "2024-07-01"
    assert units["G3"].end_reason == "dissolved"
    assert units["CS2"].name == "Đảng bộ Cơ quan mới"
    assert units["CS1"].end_reason == "split"
    assert set(units["CS1"].successors.values_list("code", flat=True)) == {"CS1A", "CS1B"}
    assert UnitEvent.objects.get(unit=units["G3"]).decision_date.isoformat() == "2024-09-15"
    # (The timeline names units as they are called today: CS2 was renamed since.)
    assert unit_timeline(units["C1"]) == [
        "chuyển từ Đảng bộ cơ sở 1 sang Đảng bộ Cơ quan mới 03/2023 theo QĐ số 12-QĐ/ĐUK"
    ]
    # Each year's tree reads the change.
    assert "G1" in {u.code for u in units_of_year(units["K"], 2023)}
    assert not {"G1", "G2", "G3"} & {u.code for u in units_of_year(units["K"], 2024)}
    assert set(UnitEvent.objects.values_list("kind", flat=True)) == {
        EventKind.MOVE, EventKind.MERGE, EventKind.FOUNDED, EventKind.DISSOLVE,
        EventKind.RENAME, EventKind.SPLIT,
    }  # fmt: skip
    # The figures' unit counts follow: the grassroots cells of 2023, of 2024 (G1 and G2
    # merged into G9, G3 dissolved) and 2025 (CS1 split into CS1A and CS1B).
    by_year = counted(term, units["K"], by_branch=False, scan=False)[""]
    assert by_year[2023] == {Kind.GRASSROOTS_COMMITTEE: 2, Kind.CELL: 2, Kind.GRASSROOTS_CELL: 3}
    assert by_year[2024] == {Kind.GRASSROOTS_COMMITTEE: 2, Kind.CELL: 2, Kind.GRASSROOTS_CELL: 1}
    assert by_year[2025] == {Kind.GRASSROOTS_COMMITTEE: 3, Kind.CELL: 2, Kind.GRASSROOTS_CELL: 1}
    assert_counts_exact(term, list(Unit.objects.all()))
    # Uploaded again, the same file records nothing more.
    again = tree_events.events_plan(rows=event_rows(*EVERY_KIND), user=admin)
    assert again.ok
    assert (again.recorded, again.unchanged) == (0, 8)


def test_a_merger_into_an_existing_unit_moves_its_cells_there(admin, reorganising_tree):
    plan = tree_events.events_import(
        rows=event_rows(["01/07/2024", "merge", "CS1", "CS2", "", "45-QĐ/ĐUK", ""]), user=admin
    )
    assert plan.ok, plan.errors
    assert set(Unit.objects.filter(parent__code="CS2").values_list("code", flat=True)) == {
        "C1",
        "C2",
    }
    assert Unit.objects.get(code="CS1").end_reason == "merged"


@pytest.mark.parametrize(
    ("line", "column", "words"),
    [
        (["31/02/2024", "Giải thể", "G3", "", "", "5-QĐ", ""], "Có hiệu lực từ ngày",
         "không phải là ngày"),
        (["hôm qua", "Giải thể", "G3", "", "", "5-QĐ", ""], "Có hiệu lực từ ngày",
         "không phải là ngày"),
        (["01/07/2024", "Giải thể", "NOPE", "", "", "5-QĐ", ""], "Mã đơn vị", "NOPE"),
        (["01/07/2024", "Chuyển", "C1", "NOPE", "", "5-QĐ", ""], "Mã đơn vị nhận", "NOPE"),
        (["01/07/2024", "Chuyển", "C1", "", "", "5-QĐ", ""], "Mã đơn vị nhận", ""),
        (["01/07/2024", "Bãi bỏ", "G3", "", "", "5-QĐ", ""], "Thay đổi", "Bãi bỏ"),
        (["01/07/2024", "Giải thể", "G3", "", "", "", ""], "Số quyết định", ""),
        (["01/07/2024", "Sáp nhập", "G1", "G9", "", "5-QĐ", ""], "Tên mới", "G9"),
        (["01/07/2024", "Đổi tên", "G1", "", "", "5-QĐ", ""], "Tên mới", ""),
    ],
)  # fmt: skip
def test_a_wrong_cell_is_an_error_by_row_and_column_in_the_preview(
    admin, reorganising_tree, vietnamese, line, column, words
):
    before = history()
    ok = ["01/03/2023", "Chuyển", "C1", "CS2", "", "12-QĐ/ĐUK", ""]
    plan = tree_events.events_import(rows=event_rows(ok, line), user=admin)
    assert not plan.ok
    [error] = plan.errors
    assert (error.row, error.column) == (3, column)
    assert words in error.message
    assert str(error).startswith(f"Dòng 3, cột “{column}”")
    assert history() == before


def test_a_change_out_of_order_or_refused_by_the_events_saves_nothing(
    admin, reorganising_tree, vietnamese
):
    """A move before the unit's last recorded one, and a unit dissolved with cells
    still below it: each refused on its row, and the good rows are not saved either."""
    from datetime import date

    from units.events import unit_move

    unit_move(
        unit=Unit.objects.get(code="C2"), parent=Unit.objects.get(code="CS2"),
        when=date(2023, 6, 1), decision_number="20-QĐ/ĐUK",
    )  # fmt: skip
    before = history()
    plan = tree_events.events_import(
        rows=event_rows(
            ["01/03/2023", "Chuyển", "C1", "CS2", "", "12-QĐ/ĐUK", ""],
            ["01/01/2023", "Chuyển", "C2", "CS1", "", "13-QĐ/ĐUK", ""],
            ["01/10/2024", "Giải thể", "CS2", "", "", "51-QĐ/ĐUK", ""],
            ["01/10/2024", "Giải thể", "G3", "", "", "52-QĐ/ĐUK", "01/11/2024"],
        ),
        user=admin,
    )
    messages = [str(error) for error in plan.errors]
    assert messages == [
        "Dòng 3: Chi bộ C2 ở vị trí hiện tại từ ngày 01/06/2023: không thể ghi nhận "
        "một thay đổi có ngày sớm hơn.",
        "Dòng 4: Đảng bộ cơ sở 2 vẫn còn đơn vị trực thuộc (Chi bộ C1, Chi bộ C2): hãy "
        "chuyển hoặc kết thúc các đơn vị này trước.",
        "Dòng 5: Ngày ban hành quyết định sau ngày thay đổi có hiệu lực.",
    ]
    assert history() == before


def test_the_page_previews_and_confirms_a_file_and_its_export_imports_back_unchanged(
    client, admin, reorganising_tree
):
    from units.models import UnitEvent

    client.force_login(admin)
    template = client.get("/admin/setup/units/events/template.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(template.content)).active
    assert [cell.value for cell in sheet[1]] == EVENT_HEADERS
    assert sheet.data_validations.dataValidation, "the change comes as a drop-down list"
    data = io.StringIO()
    writer = csv.writer(data)
    writer.writerow(EVENT_HEADERS)
    writer.writerows(EVERY_KIND)
    content = data.getvalue().encode()
    response = client.post("/admin/setup/units/events/", {"file": upload("td.csv", content)})
    assert response.status_code == 200
    assert "5 thay đổi sẽ ghi nhận" in response.text
    assert "sáp nhập vào Chi bộ cơ sở hợp nhất" in response.text
    assert not UnitEvent.objects.exists()
    token = response.context["token"]
    response = client.post("/admin/setup/units/events/", {"token": token, "confirm": "1"})
    assert response.status_code == 200
    assert UnitEvent.objects.filter(kind="dissolve", unit__code="G3").exists()
    export = client.get("/admin/setup/units/events/export.csv")
    response = client.post("/admin/setup/units/events/", {"file": upload("td.csv", export.content)})
    plan = response.context["plan"]
    assert plan.ok
    assert (plan.recorded, plan.unchanged) == (0, 8)


def test_a_subtree_administrator_records_changes_only_inside_it(reorganising_tree):
    """Attached to CS1: its cells move between its units, nothing outside, not CS1 itself."""
    user = make_user(
        "bithu", unit=Unit.objects.get(code="CS1"), role=roles.ADMINISTRATOR, is_staff=True
    )
    before = history()
    for line in (
        ["01/03/2023", "Chuyển", "C1", "CS2", "", "12-QĐ", ""],
        ["01/03/2023", "Giải thể", "G1", "", "", "12-QĐ", ""],
        ["01/03/2023", "Sáp nhập", "CS1", "CS2", "", "12-QĐ", ""],
    ):
        plan = tree_events.events_import(rows=event_rows(line), user=user)
        assert not plan.ok, line
    assert history() == before
    plan = tree_events.events_import(
        rows=event_rows(["01/03/2023", "Sáp nhập", "C1", "C2", "", "12-QĐ", ""]), user=user
    )
    assert plan.ok, plan.errors
    assert Unit.objects.get(code="C1").end_reason == "merged"
    assert [row[2] for row in tree_events.events_export_rows(user=user)] == ["C1"]
