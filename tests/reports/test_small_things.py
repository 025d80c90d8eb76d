"""Issue 10, item 11: the small things a leader notices.

The sector filter is not called "Khối" (it reads as "Đảng bộ Khối"); times read
with the date first; the pages that take a year default to the same one; a leader
is not offered data entry; a read-only entry form has no delete column; the demo
loader writes its count the Vietnamese way. One spelling (hóa, khóa, hủy),
capitalised labels and the time's order are also checked on every page by
tests/test_every_page.py; the save button's and the "Đã lưu" message's colours
by tests/browser/test_entry_browser.py.
"""

import datetime
import re

import pytest
from django.core.management import call_command
from django.utils import formats, timezone, translation

from indicators.models import Result
from tests.factories import make_result, make_target, make_term, make_tree, make_unit, make_user
from units import roles
from units.models import Kind

pytestmark = pytest.mark.django_db


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.fixture
def tree():
    root, units = make_tree(2)
    today = timezone.localdate().year
    term = make_term(root, start_year=today - 2, end_year=today + 3)
    target = make_target(term, name="Kết nạp đảng viên mới")
    make_result(target, units[0], today - 1, value=4)
    return root, units, term, target


def test_the_sector_filter_and_column_are_not_called_khoi(client, tree):
    """Sector reads "Loại hình" in the target page's filter and table, beside "Loại đơn vị"."""
    root, _units, _term, target = tree
    client.force_login(make_user("lanhdao", unit=root, role=roles.LEADER))
    response = client.get(f"/targets/{target.pk}/")
    form = re.search(r'data-testid="filters">(.*?)</form>', response.text, re.S).group(1)
    # Each label's own words, before its drop-down.
    labels = [text_of(label) for label in re.findall(r"<label[^>]*>([^<]*)<", form)]
    assert labels == ["Loại hình", "Loại đơn vị", "Đánh giá", ""]
    headers = re.findall(r"<th[^>]*>(.*?)</th>", response.text, re.S)
    assert "Loại hình" in [text_of(header) for header in headers]
    assert "Khối" not in [text_of(header) for header in headers]
    assert not re.search(r"<label[^>]*>\s*Khối", response.text)


def test_times_read_with_the_date_first():
    """27/11/2026 03:31, not 03:31 27/11/2026."""
    moment = datetime.datetime(2026, 11, 27, 3, 31, tzinfo=datetime.UTC)
    with translation.override("vi"):
        assert formats.date_format(moment, "DATETIME_FORMAT") == "27/11/2026 03:31"
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "27/11/2026 03:31"


def test_the_admin_lists_a_results_time_date_first(client, tree):
    """The results list shows when a figure was entered as dd/mm/yyyy hh:mm."""
    client.force_login(make_user("quantri", is_staff=True, is_superuser=True))
    response = client.get("/admin/indicators/result/")
    entered = timezone.localtime(Result.objects.get().created_at)
    assert entered.strftime("%d/%m/%Y %H:%M") in text_of(response.text)
    assert not re.search(r"\d{2}:\d{2} (ngày )?\d{2}/\d{2}/\d{4}", text_of(response.text))


def test_the_pages_that_take_a_year_open_on_the_same_one(client, tree):
    """Entry and missing reports both open on the running year of the term."""
    _root, units, term, _target = tree
    clerk = make_user("nhaplieu", unit=units[0], role=roles.CLERK, is_staff=True)
    client.force_login(clerk)
    year = timezone.localdate().year
    assert year == term.current_year
    pick = client.get("/entry/").text
    assert re.search(rf'<option value="{year}" selected>', pick)
    missing = client.get("/completeness/")
    assert f"năm {year}" in text_of(re.search(r"<h1>(.*?)</h1>", missing.text, re.S).group(1))


def test_a_leader_is_not_offered_data_entry(client, tree):
    """No "Nhập liệu" link for a leader, on the pages or in the admin; a clerk has both."""
    root, units, _term, _target = tree
    leader = make_user("lanhdao", unit=root, role=roles.LEADER, is_staff=True)
    clerk = make_user("nhaplieu", unit=units[0], role=roles.CLERK, is_staff=True)
    for user, offered in ((leader, False), (clerk, True)):
        client.force_login(user)
        overview = client.get("/").text
        assert ('href="/entry/"' in overview) is offered, user
        assert (">Nhập liệu</a>" in overview) is offered, user
        assert ('href="/entry/"' in client.get("/admin/").text) is offered, user


def test_a_read_only_entry_form_has_no_delete_column(client, tree):
    """A leader reads the year without the "Xóa" column; the clerk who may save has it."""
    root, units, _term, _target = tree
    year = timezone.localdate().year - 1
    url = f"/entry/{units[0].pk}/{year}/"
    client.force_login(make_user("lanhdao", unit=root, role=roles.LEADER))
    read_only = client.get(url).text
    assert "<th>Xóa</th>" not in read_only
    assert "-delete" not in read_only
    assert 'data-testid="save"' not in read_only
    client.force_login(make_user("nhaplieu", unit=units[0], role=roles.CLERK))
    editable = client.get(url).text
    assert "<th>Xóa</th>" in editable
    assert "-delete" in editable


def test_the_demo_loader_writes_its_count_the_vietnamese_way(capsys, monkeypatch):
    """ "2.848 kết quả", with a dot between thousands, as every figure on the pages."""
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-for-tests")
    call_command("load_demo", "--reset")
    out = capsys.readouterr().out
    count = re.search(r"(\d{1,3}(?:\.\d{3})*) kết quả", out)
    assert count, out
    assert "." in count.group(1)
    assert int(count.group(1).replace(".", "")) == Result.objects.count()


def test_a_cell_is_a_unit_kind_not_a_sector(client, tree):
    """The unit admin names the two fields apart: "Loại đơn vị" and "Loại hình"."""
    _root, units, _term, _target = tree
    cell = make_unit(parent=units[0], kind=Kind.CELL)
    client.force_login(make_user("quantri", is_staff=True, is_superuser=True))
    response = client.get(f"/admin/units/unit/{cell.pk}/change/")
    labels = [
        text_of(label) for label in re.findall(r"<label[^>]*>.*?</label>", response.text, re.S)
    ]
    assert "Loại đơn vị:" in labels
    assert "Loại hình:" in labels
    assert "Khối:" not in labels


def test_the_unit_control_lists_the_units_escaped_indented_and_the_scope_selected(client, tree):
    """The unit control offers the committee and its organisations, a name with markup
    shown as text, and marks the unit the page is about."""
    root, units, term, _target = tree
    units[1].name = 'Chi bộ <b>"A&B"</b>'
    units[1].save()
    client.force_login(make_user("lanhdao", unit=root, role=roles.LEADER))
    page = client.get(f"/?term={term.pk}&unit={units[1].pk}").text
    control = re.search(r'<select name="unit"[^>]*>(.*?)</select>', page, re.S).group(1)
    options = re.findall(r'<option value="(\d+)"( selected)?>(.*?)</option>', control)
    assert [int(pk) for pk, _selected, _name in options] == [root.pk, *(u.pk for u in units)]
    assert [int(pk) for pk, selected, _name in options if selected] == [units[1].pk]
    assert options[2][2] == "\u00a0\u00a0Chi bộ &lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;"
    assert "<b>" not in control
