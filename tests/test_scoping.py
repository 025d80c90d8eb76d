"""Unit scoping everywhere: staff of unit A never see nor touch a row of unit B.

The walk is generic: every ModelAdmin registered on the admin site and every
URL of the app (outside the admin) as it stands when the test runs. Anything of
unit B carries the markers "Bravo" or "BRV" in its name, code, note or
username; a page shown to a user of A must contain neither, whatever the
search, filter, popup, action or id in the address.
"""

from __future__ import annotations

import io
import itertools
import re
from datetime import date
from decimal import Decimal

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.forms.models import model_to_dict
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from indicators.models import Result, Target, Term, UnitQuota, UnitYear, YearState
from tests.factories import make_quota, make_result, make_root, make_target, make_term, make_user
from units import roles
from units.events import unit_move
from units.models import Kind, Unit, User

pytestmark = pytest.mark.django_db

MARKERS = ("Bravo", "BRV")
SEARCHES = ("Bravo", "BRV", "BRV1", "bravo")
# Query parameters an app view might take a unit, a term or a target from.
APP_PARAMETERS = ("unit", "unit_id", "scope", "in_unit", "parent", "branch", "term", "target")
SKIPPED_ROUTES = {"logout", "login", "set_language"}
# Words a path might take besides ids, e.g. an export's format.
PATH_WORDS = ("csv", "xlsx", "pdf", "html", "json", "docx")


def unit(name: str, code: str, *, parent: Unit | None, kind: str) -> Unit:
    return Unit.objects.create(name=name, code=code, parent=parent, kind=kind)


@pytest.fixture
def world():
    """Units A and B under one bloc, each with results, quotas, years and history."""
    root = make_root()
    a = unit("Đảng bộ Alpha", "ALP", parent=root, kind=Kind.GRASSROOTS_COMMITTEE)
    a1 = unit("Chi bộ Alpha Một", "ALP1", parent=a, kind=Kind.CELL)
    b = unit("Đảng bộ Bravo", "BRV", parent=root, kind=Kind.GRASSROOTS_COMMITTEE)
    b1 = unit("Chi bộ Bravo Một", "BRV1", parent=b, kind=Kind.CELL)
    term = make_term(root)
    target = make_target(term, name="Kết nạp đảng viên mới", code="KN")
    # B's own resolution: neither its term nor its targets are A's business.
    b_term = Term.objects.create(
        name="Nghị quyết Bravo", root_unit=b, congress_number=5, start_year=2020, end_year=2025
    )
    b_target = make_target(b_term, name="Chỉ tiêu riêng Bravo", code="BRV-T")
    results = {}
    for place in (a, a1, b, b1):
        for year in (2021, 2022):
            results[place.code, year] = make_result(
                target, place, year, value=10, note=f"ghi chú {place.code}"
            )
    make_result(b_target, b, 2021, value=3, note="ghi chú BRV riêng")
    # A change and a deletion leave history behind in B.
    changed = results["BRV", 2021]
    changed.value = 11
    changed.save()
    deleted = make_result(target, b1, 2023, value=1, note="đã xoá BRV")
    deleted_pk = deleted.pk
    deleted.delete()
    for place in (a, b):
        make_quota(target, place, 50)
    UnitYear.objects.create(unit=a, year=2021, state=YearState.SUBMITTED)
    UnitYear.objects.create(unit=b, year=2021, state=YearState.SUBMITTED)
    UnitYear.objects.create(unit=b, year=2022, state=YearState.APPROVED)
    bravo_user = make_user("Bravo.clerk", unit=b, role=roles.CLERK, is_staff=True)
    AccessAttempt.objects.create(
        username="Bravo.clerk", ip_address="10.0.0.2", failures_since_start=2, user_agent="x"
    )
    return {
        "root": root,
        "a": a,
        "a1": a1,
        "b": b,
        "b1": b1,
        "term": term,
        "target": target,
        "b_term": b_term,
        "b_target": b_target,
        "deleted_pk": deleted_pk,
        "bravo_user": bravo_user,
    }


def b_objects(world) -> dict[type, list]:
    """Every row of B the admin could show, by model."""
    b = world["b"]
    return {
        Unit: list(Unit.objects.subtree(b)),
        User: [world["bravo_user"]],
        Term: [world["b_term"]],
        Target: [world["b_target"]],
        Result: list(Result.objects.in_subtree(b)),
        UnitQuota: list(UnitQuota.objects.filter(unit__path__startswith=b.path)),
        UnitYear: list(UnitYear.objects.filter(unit__path__startswith=b.path)),
        AccessAttempt: list(AccessAttempt.objects.filter(username="Bravo.clerk")),
    }


def snapshot(world) -> dict:
    """Everything stored about B, to prove that no request changed it."""
    b = world["b"]
    return {
        "units": list(Unit.objects.subtree(b).values()),
        "users": list(User.objects.filter(unit__path__startswith=b.path).values()),
        "terms": list(Term.objects.filter(root_unit=b).values()),
        "targets": list(Target.objects.filter(term__root_unit=b).values()),
        "results": list(Result.objects.in_subtree(b).order_by("pk").values()),
        "quotas": list(UnitQuota.objects.filter(unit__path__startswith=b.path).values()),
        "years": list(UnitYear.objects.filter(unit__path__startswith=b.path).values()),
        "attempts": list(AccessAttempt.objects.filter(username="Bravo.clerk").values()),
    }


def text_of(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    content_type = response.get("Content-Type", "")
    if "spreadsheetml" in content_type or content[:2] == b"PK":
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(content), read_only=True)
        return " ".join(
            str(value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    return content.decode("utf-8", "replace")


def assert_no_leak(response, where: str, echoed: str = "") -> None:
    text = re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", text_of(response))
    if echoed:
        # The search box and filter links repeat what was typed: that is not a leak.
        text = re.sub(rf'(value="|q=|q%3D|term=){re.escape(echoed)}', r"\1", text)
    for marker in MARKERS:
        position = text.find(marker)
        assert position < 0, f"{where} shows {marker!r}: …{text[position - 150 : position + 80]}…"


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


REFUSED = (302, 403, 404)


def form_data(obj) -> dict:
    """The object's fields as a form would post them."""
    return {key: value for key, value in model_to_dict(obj).items() if value is not None}


def walk_admin(client, world) -> int:
    """Visit every admin page for every registered model; returns how many pages showed."""
    shown = 0
    objects_of_b = b_objects(world)
    for model, model_admin in admin.site._registry.items():
        name = model._meta.label
        changelist = admin_url(model, "changelist")
        response = client.get(changelist)
        assert response.status_code in (200, 403), name
        if response.status_code == 200:
            shown += 1
            assert_no_leak(response, f"{name} list")
        for query in SEARCHES:
            response = client.get(changelist, {"q": query})
            assert response.status_code in (200, 302, 403), name
            assert_no_leak(response, f"{name} search {query!r}", echoed=query)
        # A raw-id popup is the changelist in a popup.
        response = client.get(changelist, {"_popup": "1", "_to_field": "id"})
        assert response.status_code in (200, 302, 400, 403), name
        assert_no_leak(response, f"{name} popup")
        for parameter in ("in_unit", "unit__id__exact", "unit", "term__id__exact", "parent"):
            for value in (world["b"].pk, world["b1"].pk, world["b_term"].pk):
                response = client.get(changelist, {parameter: value})
                assert response.status_code in (200, 302, 400, 403), f"{name} ?{parameter}"
                assert_no_leak(response, f"{name} filtered by {parameter}={value}")
        response = client.get(admin_url(model, "add"))
        assert response.status_code in (200, 403), name
        assert_no_leak(response, f"{name} add form")
        for field_name in model_admin.autocomplete_fields:
            for term in ("", *SEARCHES):
                response = client.get(
                    "/admin/autocomplete/",
                    {
                        "app_label": model._meta.app_label,
                        "model_name": model._meta.model_name,
                        "field_name": field_name,
                        "term": term,
                    },
                )
                assert response.status_code in (200, 403, 404), f"{name}.{field_name}"
                assert_no_leak(response, f"{name}.{field_name} autocomplete {term!r}")
        pks = [obj.pk for obj in objects_of_b.get(model, [])]
        for obj in objects_of_b.get(model, []):
            where = f"{name} #{obj.pk}"
            for view in ("change", "delete", "history"):
                response = client.get(admin_url(model, view, obj.pk))
                assert response.status_code in REFUSED, f"{where} {view}: {response.status_code}"
                assert_no_leak(response, f"{where} {view}")
            data = form_data(obj)
            data |= {"opened_version": getattr(obj, "version", ""), "note": "đổi", "value": 99}
            response = client.post(admin_url(model, "change", obj.pk), data)
            assert response.status_code in REFUSED, f"{where} change POST"
            response = client.post(admin_url(model, "delete", obj.pk), {"post": "yes"})
            assert response.status_code in REFUSED, f"{where} delete POST"
            history = getattr(model, "history", None)
            if history is not None:
                for record in history.filter(id=obj.pk):
                    url = admin_url(model, "simple_history", obj.pk, record.history_id)
                    assert client.get(url).status_code in (403, 404), f"{where} old version"
                    assert client.post(url, data).status_code in (403, 404), f"{where} revert"
        if pks:
            for action in [*model_admin.get_action_choices(request_for(client))]:
                response = client.post(
                    changelist,
                    {
                        "action": action[0],
                        "_selected_action": pks,
                        "index": "0",
                        "post": "yes",
                        "apply": "1",
                        "reason": "mở lại",
                    },
                )
                assert response.status_code in (200, 302, 403), f"{name} {action[0]}"
                assert_no_leak(response, f"{name} action {action[0]}")
    return shown


def request_for(client):
    """A request as the logged-in user, to ask a ModelAdmin which actions it offers."""
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = User.objects.get(pk=client.session["_auth_user_id"])
    return request


def app_routes():
    """(name, {kwarg: converter}) of every named URL outside the admin."""

    def walk(patterns, namespaces):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name == "admin" or pattern.namespace == "admin":
                    continue
                inner = [*namespaces, pattern.namespace] if pattern.namespace else namespaces
                yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                if pattern.name in SKIPPED_ROUTES:
                    continue
                converters = getattr(pattern.pattern, "converters", {})
                yield ":".join([*namespaces, pattern.name]), converters

    return list(walk(get_resolver().url_patterns, []))


def app_urls(world) -> list[tuple[str, bool]]:
    """Every app URL, with B's ids wherever the path takes an id; (url, takes ids)."""
    ids_of_b = [
        world["b"].pk,
        world["b1"].pk,
        world["b_term"].pk,
        world["b_target"].pk,
        *Result.objects.in_subtree(world["b"]).values_list("pk", flat=True)[:1],
        *UnitYear.objects.filter(unit=world["b"]).values_list("pk", flat=True)[:1],
    ]
    urls = []
    for name, converters in app_routes():
        choices = {}
        for kwarg, converter in converters.items():
            if kwarg == "year":
                choices[kwarg] = [2021, 2022]
            elif converter.regex.startswith("[0-9]"):
                choices[kwarg] = ids_of_b
            else:
                choices[kwarg] = PATH_WORDS
        takes_ids = any(values is ids_of_b for values in choices.values())
        for values in itertools.product(*choices.values()):
            kwargs = dict(zip(choices, values, strict=True))
            try:
                urls.append((reverse(name, kwargs=kwargs), takes_ids))
            except NoReverseMatch:
                continue
    return urls


def walk_app(client, world) -> int:
    shown = 0
    queries = [{}]
    for parameter in APP_PARAMETERS:
        for value in (world["b"].pk, world["b1"].pk, world["b_term"].pk, world["b_target"].pk):
            queries.append({parameter: value})
    queries += [{"format": "xlsx", "unit": world["b"].pk}, {"format": "csv", "unit": world["b"].pk}]
    for url, takes_ids in app_urls(world):
        for query in queries[:2] if takes_ids else queries:
            response = client.get(url, query)
            assert response.status_code != 500, url
            if response.status_code == 200:
                shown += 1
            assert_no_leak(response, f"{url} {query}")
        response = client.post(url, {"unit": world["b"].pk, "value": 99})
        assert_no_leak(response, f"POST {url}")
    return shown


@pytest.mark.parametrize("role", [roles.CLERK, roles.REVIEWER, roles.LEADER, roles.ADMINISTRATOR])
def test_staff_of_unit_a_never_see_nor_change_unit_b_in_the_admin(client, world, role):
    """Lists, searches, filters, popups, autocomplete, history, actions: nothing of B."""
    user = make_user(f"alpha-{role}", unit=world["a"], role=role, is_staff=True)
    client.force_login(user)
    before = snapshot(world)

    shown = walk_admin(client, world)

    assert shown >= 5, "the walk saw too few admin pages to mean anything"
    assert snapshot(world) == before
    # The walk is not vacuous: A's own rows are there.
    response = client.get(admin_url(Result, "changelist"))
    assert "Alpha Một" in response.text


def test_a_clerk_of_unit_a_finds_nothing_of_unit_b_in_the_app(client, world):
    """Every page and export of the app, with B's ids in the path or the query."""
    clerk = make_user("alpha-clerk", unit=world["a"], role=roles.CLERK, is_staff=True)
    client.force_login(clerk)
    before = snapshot(world)

    shown = walk_app(client, world)

    assert shown >= 1
    assert snapshot(world) == before
    # B's scorecard by its address is refused outright.
    assert client.get(reverse("reports:unit", args=[world["b"].pk])).status_code in (403, 404)


def test_history_of_a_deleted_row_of_b_is_not_found(client, world):
    """A deleted row's history is scoped by its last recorded unit."""
    clerk = make_user("alpha-clerk", unit=world["a"], role=roles.CLERK, is_staff=True)
    client.force_login(clerk)
    url = admin_url(Result, "history", world["deleted_pk"])
    assert client.get(url).status_code == 404
    client.force_login(make_user("quantri", is_staff=True, is_superuser=True))
    response = client.get(url)
    assert response.status_code == 200
    assert "BRV1" in response.text or "Bravo" in response.text


def test_a_clerk_cannot_put_a_result_into_unit_b(client, world):
    """The unit field only accepts the clerk's subtree: a form error, nothing saved."""
    clerk = make_user("alpha-clerk", unit=world["a"], role=roles.CLERK, is_staff=True)
    client.force_login(clerk)
    response = client.post(
        admin_url(Result, "add"),
        {
            "target": world["target"].pk,
            "unit": world["b"].pk,
            "year": 2023,
            "value": 5,
            "flag": "unknown",
        },
    )
    assert response.status_code == 200
    assert "errorlist" in response.text
    assert not Result.objects.filter(unit=world["b"], year=2023).exists()
    response = client.post(admin_url(UnitYear, "add"), {"unit": world["b"].pk, "year": 2023})
    assert response.status_code == 200
    assert not UnitYear.objects.filter(unit=world["b"], year=2023).exists()


@pytest.mark.parametrize(
    "model", [User, Term, Target, UnitQuota, Unit], ids=lambda model: model.__name__
)
def test_a_clerk_cannot_edit_users_groups_targets_quotas_or_units(client, world, model):
    """A clerk reads targets, quotas and units of their subtree and changes none of them."""
    clerk = make_user("alpha-clerk", unit=world["a"], role=roles.CLERK, is_staff=True)
    client.force_login(clerk)
    assert client.get(admin_url(model, "add")).status_code == 403
    own = {
        User: clerk,
        Term: world["term"],
        Target: world["target"],
        UnitQuota: UnitQuota.objects.get(unit=world["a"]),
        Unit: world["a"],
    }[model]
    response = client.post(admin_url(model, "change", own.pk), form_data(own))
    assert response.status_code in (403, 302)
    if isinstance(own, UnitQuota):
        own.refresh_from_db()
        assert own.value == Decimal(50)
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403


def test_a_leader_reads_everything_and_changes_nothing(client, world):
    """The leader's pages are read-only: no add, no save, no delete."""
    leader = make_user("lanhdao", role=roles.LEADER, is_staff=True)
    client.force_login(leader)
    result = Result.objects.get(unit=world["b"], year=2022, target=world["target"])
    response = client.get(admin_url(Result, "change", result.pk))
    assert response.status_code == 200
    assert 'name="_save"' not in response.text
    assert client.get(admin_url(Result, "add")).status_code == 403
    response = client.post(
        admin_url(Result, "change", result.pk), {**form_data(result), "value": 1}
    )
    assert response.status_code == 403
    result.refresh_from_db()
    assert result.value == 10


@pytest.mark.parametrize("model", [Result, UnitQuota])
def test_initial_values_from_the_address_go_through_the_scope(client, world, model):
    """`add/?target=<B's target>` names nothing of B; A's own target is preselected."""
    client.force_login(
        make_user("alpha-admin", unit=world["a"], role=roles.ADMINISTRATOR, is_staff=True)
    )
    response = client.get(
        admin_url(model, "add"), {"target": world["b_target"].pk, "unit": world["b"].pk}
    )
    assert response.status_code == 200
    assert_no_leak(response, "add form with B's target and unit")
    response = client.get(admin_url(model, "add"), {"target": world["target"].pk})
    assert "Kết nạp đảng viên mới" in response.text
    for malformed in ("abc", "9" * 20, "1.0"):
        assert client.get(admin_url(model, "add"), {"target": malformed}).status_code == 200


# Scoping across a move ----------------------------------------------------------
#
# A cell of Đảng bộ X moved to Đảng bộ Y on 15/01/2023: 2021–2022 were X's years,
# 2023 on are Y's. Users follow today's tree (`unit_scope_for`, `in_scope` read
# `Unit.path`), while every figure of a year reads that year's tree.


@pytest.fixture
def moved():
    root = make_root()
    old, new = (
        unit(name, code, parent=root, kind=Kind.GRASSROOTS_COMMITTEE)
        for name, code in (("Đảng bộ X", "X"), ("Đảng bộ Y", "Y"))
    )
    cell = unit("Chi bộ Kho vận", "KV", parent=old, kind=Kind.CELL)
    term = make_term(root)
    target = make_target(term, code="1")
    for year, value in ((2021, 5), (2022, 7), (2023, 11), (2024, 13)):
        make_result(target, cell, year, value=value)
    unit_move(unit=cell, parent=new, when=date(2023, 1, 15), decision_number="12-QĐ/ĐUK")
    return {"root": root, "old": old, "new": new, "cell": Unit.objects.get(pk=cell.pk)}


def actual_on_scorecard(client, unit_pk: int, as_of: int) -> str:
    response = client.get(f"/units/{unit_pk}/?as_of={as_of}")
    assert response.status_code == 200
    row = re.search(r'<tr data-target="1">(.*?)</tr>', response.text, re.S).group(1)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))


def test_the_old_branch_keeps_the_moved_units_results_of_its_years(client, moved):
    """X's leader finds the cell's 2021–2022 admissions (5 + 7) in X's figures, still 12
    after the move; Y's leader finds only the years since (11 + 13)."""
    client.force_login(make_user("lanhdao_x", unit=moved["old"], role=roles.LEADER))
    assert " 12 " in actual_on_scorecard(client, moved["old"].pk, 2022)
    assert " 12 " in actual_on_scorecard(client, moved["old"].pk, 2024)
    client.force_login(make_user("lanhdao_y", unit=moved["new"], role=roles.LEADER))
    assert " — " in actual_on_scorecard(client, moved["new"].pk, 2022)
    assert " 24 " in actual_on_scorecard(client, moved["new"].pk, 2024)


def test_the_old_branchs_staff_open_the_moved_unit_for_the_years_it_was_theirs(client, moved):
    client.force_login(make_user("lanhdao_x", unit=moved["old"], role=roles.LEADER))
    assert " 12 " in actual_on_scorecard(client, moved["cell"].pk, 2022)
    # The way up reads that year's tree: X, never Y.
    page = client.get(f"/units/{moved['cell'].pk}/?as_of=2022").text
    assert "Đảng bộ X" in page
    assert ">Đảng bộ Y<" not in page
    assert client.get(f"/units/{moved['cell'].pk}/?as_of=2024").status_code == 404


def test_the_new_branchs_staff_do_not_see_the_years_before_the_move(client, moved):
    client.force_login(make_user("nhaplieu_y", unit=moved["new"], role=roles.CLERK))
    assert client.get(f"/entry/{moved['cell'].pk}/2022/").status_code == 404

    # Y's leader opens the cell for the years since the move, not before.
    client.force_login(make_user("lanhdao_y", unit=moved["new"], role=roles.LEADER))
    assert client.get(f"/units/{moved['cell'].pk}/?as_of=2022").status_code == 404
    assert client.get(f"/units/{moved['cell'].pk}/?as_of=2024").status_code == 200


def test_the_new_branchs_clerk_enters_the_years_since_the_move(client, moved):
    clerk = make_user("nhaplieu_y", unit=moved["new"], role=roles.CLERK, is_staff=True)
    client.force_login(clerk)
    page = client.get(f"/entry/{moved['cell'].pk}/2024/")
    assert page.status_code == 200
    assert 'name="value' in page.text or "<input" in page.text
    # The admin's add form refuses the year before the move, and saves nothing.
    response = client.post(
        "/admin/indicators/result/add/",
        {
            "target": Target.objects.get().pk,
            "unit": moved["cell"].pk,
            "year": 2022,
            "value": "99",
            "note": "",
        },
    )
    assert response.status_code == 200
    assert "không thuộc" in response.text
    assert not Result.objects.filter(value=99).exists()
    # So does the import, naming the row, and nothing of the file is saved.
    from indicators.imports import results_import

    rows = [
        {"Mã chỉ tiêu": "1", "Mã đơn vị": "KV", "Năm": year, "Giá trị": value}
        for year, value in ((2024, 14), (2022, 70))
    ]
    report = results_import(rows=rows, user=clerk, term=Target.objects.get().term)
    assert [(error.row, error.column) for error in report.errors] == [(2, "Năm")]
    assert "không thuộc" in report.errors[0].message
    assert sorted(Result.objects.filter(unit=moved["cell"]).values_list("value", flat=True)) == [
        5, 7, 11, 13,
    ]  # fmt: skip


def test_the_old_branchs_clerk_reads_the_years_before_the_move_and_changes_nothing(client, moved):
    cell = moved["cell"]
    clerk = make_user("nhaplieu_x", unit=moved["old"], role=roles.CLERK, is_staff=True)
    client.force_login(clerk)
    page = client.get(f"/entry/{cell.pk}/2022/")
    assert page.status_code == 200
    assert "7" in page.text
    assert "không còn thuộc" in page.text
    assert client.get(f"/entry/{cell.pk}/2023/").status_code == 404
    # The results list shows the cell's years that were X's, and only those.
    listing = client.get("/admin/indicators/result/")
    years = sorted(int(year) for year in re.findall(r'class="field-year">(\d{4})<', listing.text))
    assert years == [2021, 2022]
    # A row of those years opens read-only; a forced save changes nothing.
    row = Result.objects.get(unit=cell, year=2022)
    change = client.get(f"/admin/indicators/result/{row.pk}/change/")
    assert change.status_code == 200
    assert 'name="value"' not in change.text
    client.post(f"/admin/indicators/result/{row.pk}/change/", {"value": "70", "year": 2022})
    row.refresh_from_db()
    assert row.value == 7


def test_the_raw_results_export_follows_each_years_tree(client, moved):
    client.force_login(make_user("lanhdao_x", unit=moved["old"], role=roles.LEADER))
    rows = client.get(f"/exports/results.csv?unit={moved['old'].pk}")
    text = b"".join(rows.streaming_content).decode("utf-8-sig")
    years = sorted(line.split(",")[4] for line in text.splitlines()[1:] if "KV" in line)
    assert years == ["2021", "2022"]


def test_the_old_branchs_approval_still_locks_the_moved_units_years(client, moved):
    """X approved 2022 before the cell left for Y: the cell's own clerk finds 2022 locked,
    in the entry form and in the guarded write, and 2023 (Y's year) open."""
    from indicators.services import YearLocked, result_save, unit_year_locked

    UnitYear.objects.create(unit=moved["old"], year=2022, state=YearState.APPROVED)
    cell = moved["cell"]
    assert unit_year_locked(unit=cell, year=2022)
    assert not unit_year_locked(unit=cell, year=2023)
    clerk = make_user("nhaplieu_kv", unit=cell, role=roles.CLERK, is_staff=True)
    client.force_login(clerk)
    page = client.get(f"/entry/{cell.pk}/2022/").text
    assert "được duyệt" in page
    response = client.post(f"/entry/{cell.pk}/2022/", {})
    assert response.status_code == 403
    assert "Năm này đã được duyệt và khóa: không có gì được lưu." in response.text
    stored = Result.objects.get(unit=cell, year=2022)
    stored.value = 98
    with pytest.raises(YearLocked):
        result_save(result=stored, user=clerk)
    assert sorted(Result.objects.filter(unit=cell).values_list("year", "value")) == [
        (2021, 5),
        (2022, 7),
        (2023, 11),
        (2024, 13),
    ]
    # Y approving its own 2022 locks nothing of the cell's: it was not Y's that year.
    UnitYear.objects.filter(unit=moved["old"]).delete()
    UnitYear.objects.create(unit=moved["new"], year=2022, state=YearState.APPROVED)
    assert not unit_year_locked(unit=cell, year=2022)
