"""Every page of the app and of the admin, as each role, in Vietnamese.

The pages are found, not listed: the URLconf gives the app's pages and the
admin registry every model's changelist, add, change and history pages (and
the import steps where a model imports). A page added later is covered, and a
page whose URL takes arguments must say here which ones, or this test fails.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from indicators.demo import ROOT_CODE, demo_load
from indicators.models import Result, Target, Term
from reviews.models import Review
from tests.factories import make_user
from units import roles
from units.models import Unit, User

pytestmark = pytest.mark.django_db

PASSWORD = "demo-password-for-tests"

# Template syntax printed instead of run.
TEMPLATE_SYNTAX = ["{#", "#}", "{%", "{{"]
# English a Vietnamese user must not meet (whole words of the visible text).
ENGLISH = [
    "None", "History", "View history", "Show counts", "Hide counts", "Please correct",
    "Change reason", "Changed by", "Date/time", "Object", "Comment", "Changes", "entries",
    "entry", "Access attempts", "Access failures", "Access logs", "Select all", "Confirm import",
    "Import", "Export", "Preview", "Errors", "Line number", "Skipped", "Save", "Delete",
    "Search", "Filter", "Home", "Log out", "Submit", "Approve", "Draft", "Submitted",
    "Approved", "Yes", "No", "Unknown", "Add", "Change", "View", "Close", "Not set",
]  # fmt: skip
ENGLISH_RE = re.compile(r"(?<![\w/.-])(" + "|".join(map(re.escape, ENGLISH)) + r")(?![\w/-])")
# Vietnamese words that mean something else: Django's "History" is "Lịch sử" here.
MISTRANSLATED = ["Bản ghi nhớ", "BẢN GHI NHỚ"]
# A year with a thousands separator ("2.021"), and a whole number with idle decimals ("9,00").
GROUPED_YEAR = re.compile(r"(?<![\d.,])2\.0(1[5-9]|2\d|3[0-5])(?![\d.,])")
IDLE_DECIMALS = re.compile(r"(?<![\d.,])\d{1,3}(\.\d{3})*,00(?!\d)")
# The old placement of the tone mark ("hoá", "khoá", "Huỷ", "thuỷ"): one spelling, the
# modern "hóa, khóa, hủy, thủy" ("quý" is right: "qu" is one consonant).
OLD_SPELLING = re.compile(r"(?<![qQ])[oO][áàảãạ](?!\w)|(?<![qQ])[uU][ýỳỷỹỵ](?!\w)")
# A time before its date ("03:31 27/11/2026", "03:31 ngày 27/11/2026"): the date comes first.
TIME_BEFORE_DATE = re.compile(r"\b\d{1,2}:\d{2}(:\d{2})?\s+(ngày\s+)?\d{1,2}/\d{1,2}/\d{4}")
# A label, column heading or term that starts in lowercase ("ước thực hiện", "nhiệm kỳ:").
LOWERCASE_LABEL = re.compile(
    r"<(label|th|dt|legend|caption)\b[^>]*>\s*(?:<(?:span|small|strong|em|b)\b[^>]*>\s*)*"
    r"([^<\s][^<]*)"
)


@dataclass
class World:
    term: Term
    target: Target
    unit: Unit
    year: int
    users: dict[str, User]
    reviews: list[Review]


@pytest.fixture
def world() -> World:
    demo_load(password=PASSWORD)
    # The demo's bloc (ended in 2025; its successor is at the top of the tree too).
    root = Unit.objects.get(code=ROOT_CODE)
    clerk = User.objects.get(username="nhaplieu")
    users = {
        "administrator": User.objects.get(username="quantri"),
        "leader": User.objects.get(username="lanhdao"),
        "clerk": clerk,
        "reviewer": User.objects.filter(groups__name=roles.REVIEWER).first()
        or make_user("kiemduyet-test", unit=root, role=roles.REVIEWER, is_staff=True),
    }
    term = Term.objects.get(root_unit=root)
    return World(
        term=term,
        target=term.targets.order_by("order").first(),
        unit=clerk.unit,
        year=term.end_year,
        users=users,
        reviews=list(Review.objects.order_by("pk")),
    )


# The arguments of the app's pages whose URL takes some. A new page with
# arguments must be added here (the test says so).
def url_arguments(world: World) -> dict[str, list[dict]]:
    return {
        "reports:target": [{"pk": world.target.pk}],
        "reports:unit": [{"pk": world.unit.pk}],
        "entry:form": [{"unit_id": world.unit.pk, "year": year} for year in world.term.years],
        "exports:summary": [{"fmt": "csv"}],
        "exports:target": [{"pk": world.target.pk, "fmt": "csv"}],
        "exports:results": [{"fmt": "csv"}],
        **{
            f"setup:{name}": [{"term_id": world.term.pk}]
            for name in (
                "targets",
                "targets_csv",
                "targets_xlsx",
                "targets_template",
                "quotas",
                "quotas_csv",
                "quotas_xlsx",
                "quotas_template",
                "term_copy",
            )
        },
        "setup:quota_grid": [{"target_id": world.target.pk}],
        **{
            f"reviews:{name}": [{"pk": review.pk} for review in world.reviews]
            for name in ("detail", "adopt", "reopen", "print")
        },
        "reviews:scope": [{"pk": review.pk, "unit_pk": world.unit.pk} for review in world.reviews],
        "reviews:appendix": [
            {"pk": review.pk, "fmt": fmt} for review in world.reviews for fmt in ("csv", "xlsx")
        ],
    }


# Pages that only take a POST, or lead away from the app.
NOT_PAGES = {"logout", "set_language", "entry:year_state"}


def app_url_names(patterns=None, namespace="") -> list[tuple[str, URLPattern]]:
    found = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found += app_url_names(pattern.url_patterns, inner)
        elif pattern.name:
            found.append((f"{namespace}{pattern.name}", pattern))
    return found


def app_pages(world: World) -> list[str]:
    arguments = url_arguments(world)
    pages = []
    for name, pattern in app_url_names():
        if name in NOT_PAGES:
            continue
        if pattern.pattern.regex.groups:
            assert name in arguments, f"Say in url_arguments() which arguments {name} takes"
            pages += [reverse(name, kwargs=kwargs) for kwargs in arguments[name]]
        else:
            pages.append(reverse(name))
    return pages


def admin_pages() -> list[str]:
    pages = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        pages += [reverse(f"{info}_changelist"), reverse(f"{info}_add")]
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            pages += [
                reverse(f"{info}_change", args=[obj.pk]),
                reverse(f"{info}_history", args=[obj.pk]),
            ]
            history = getattr(obj, "history", None)
            record = history.order_by("history_id").first() if history is not None else None
            if record is not None:
                pages.append(reverse(f"{info}_simple_history", args=[obj.pk, record.history_id]))
        if hasattr(model_admin, "import_action"):
            pages.append(reverse(f"{info}_import"))
    return pages


def visible_text(html: str, values: bool = True) -> str:
    """The page's text, and the values of its boxes (after it, unless `values` is false)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    boxes = " ".join(re.findall(r'<input[^>]*\svalue="([^"]*)"', html)) if values else ""
    text = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", f"{text} {boxes}")


def defects_of(html: str) -> list[str]:
    defects = [f"template syntax {token!r}" for token in TEMPLATE_SYNTAX if token in html]
    text = visible_text(html)
    defects += [
        f"English {m.group(0)!r} in “…{text[max(0, m.start() - 40) : m.end() + 20]}…”"
        for m in ENGLISH_RE.finditer(text)
    ]
    defects += [f"mistranslated {word!r}" for word in MISTRANSLATED if word in text]
    defects += [f"grouped year {m.group(0)!r}" for m in GROUPED_YEAR.finditer(text)]
    defects += [f"idle decimals {m.group(0)!r}" for m in IDLE_DECIMALS.finditer(text)]
    defects += [
        f"old spelling in “…{text[max(0, m.start() - 10) : m.end() + 5]}…”"
        for m in OLD_SPELLING.finditer(text)
    ]
    defects += [
        f"time before date {m.group(0)!r}"
        for m in TIME_BEFORE_DATE.finditer(visible_text(html, values=False))
    ]
    defects += [
        f"lowercase label {m.group(2).strip()!r}"
        for m in LOWERCASE_LABEL.finditer(html)
        if m.group(2).strip()[:1].islower()
    ]
    return defects


def check(client, url: str, failures: dict[str, list[str]], response=None) -> None:
    response = response or client.get(url)
    assert response.status_code < 500, url
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return
    content = response.content.decode()
    defects = defects_of(content)
    if defects:
        failures[url] = defects


def import_preview(client, world: World):
    """The import's second step, with one bad row and blank cells."""
    export = client.get(f"/exports/results.csv?term={world.term.pk}")
    if export.status_code != 200:
        return None
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    header, body = rows[0], rows[1:6]
    body[0][header.index("Năm")] = "năm ngoái"
    stream = io.StringIO()
    csv.writer(stream).writerows([header, *body])
    upload = SimpleUploadedFile("ketqua.csv", stream.getvalue().encode(), "text/csv")
    return client.post(
        reverse("admin:indicators_result_import"),
        {"term": world.term.pk, "format": "0", "resource": "0", "import_file": upload},
    )


@pytest.mark.parametrize("role", ["administrator", "leader", "reviewer", "clerk"])
def test_every_page_reads_in_vietnamese(client, world, role):
    """No page shows template syntax, "None", English, a grouped year or idle decimals."""
    client.force_login(world.users[role])
    failures: dict[str, list[str]] = {}
    pages = app_pages(world) + admin_pages()
    assert len(pages) > 40
    for url in pages:
        check(client, url, failures)
    preview = import_preview(client, world)
    if preview is not None:
        check(client, "import preview", failures, preview)
    assert not failures, "\n".join(f"{url}: {', '.join(d)}" for url, d in failures.items())


def test_the_guard_sees_each_kind_of_defect():
    """The checks catch what they are meant to catch, and pass Vietnamese figures."""
    assert defects_of("<p>{# note #}</p>")
    assert defects_of("<td>None</td>")
    assert defects_of("<a>View history</a>")
    assert defects_of("<td>2.021</td>")
    assert defects_of("<td>9,00</td>")
    assert defects_of('<input type="text" value="None">')
    assert defects_of('<a class="historylink">Bản ghi nhớ</a>')
    assert defects_of("<p>Đã khoá năm 2023</p>")
    assert defects_of("<button>Huỷ</button>")
    assert defects_of("<td>03:31 27/11/2026</td>")
    assert defects_of("<td>03:31 ngày 27/11/2026</td>")
    assert defects_of("<th>ước thực hiện</th>")
    assert defects_of('<label for="id_term">nhiệm kỳ:</label>')
    assert defects_of('<label class="inline-field"><span class="sub">tử số</span> <input></label>')
    assert not defects_of(
        "<p>Đã khóa, hủy; thủy, hóa; quý IV</p><td>27/11/2026 03:31</td>"
        '<th>Ước thực hiện</th><label for="x">Nhiệm kỳ:</label><th>—</th>'
    )
    assert not defects_of("<td>2.078</td><td>3.728</td><td>129,9%</td><td>2021</td><td>Năm</td>")


def test_the_guard_covers_the_results_in_the_demo(world):
    """The admin pages include a result's change and history pages."""
    result = Result.objects.order_by("pk").first()
    assert f"/admin/indicators/result/{result.pk}/change/" in admin_pages()
    assert f"/admin/indicators/result/{result.pk}/history/" in admin_pages()


def test_the_history_button_reads_lich_su(client, world):
    """Defect 3: the admin's history button says "Lịch sử" (history), not "Bản ghi nhớ"."""
    client.force_login(world.users["administrator"])
    result = Result.objects.order_by("pk").first()
    page = client.get(reverse("admin:indicators_result_change", args=[result.pk])).text
    link = re.search(r'<a [^>]*class="historylink"[^>]*>(.*?)</a>', page, re.S)
    assert link
    assert link.group(1).strip() == "Lịch sử"
