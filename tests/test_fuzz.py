"""Every URL of the site, fed malformed ids, numbers, NUL bytes and odd digits: never a 500.

The walk is generic: every pattern of the URLconf as it stands when the test
runs (the app's pages and exports, and every admin view of every registered
model, including the import and any view added later), as each role. Each
placeholder of a path gets a malformed value (text, a decimal, a NUL byte,
Arabic-Indic or superscript digits, 20 and 4.400 digits); each request also
carries every known parameter set to one malformed value, by GET and by POST.
The values rotate over routes and roles, so the walk stays bounded (two
requests per route and role) while every value meets every kind of route.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import get_converters

from indicators.models import UnitYear, YearState
from tests.factories import make_quota, make_result, make_target, make_term, make_tree, make_user
from units import roles

pytestmark = pytest.mark.django_db

MALFORMED = [
    "abc", "1.0", " ", "\x00", "a\x00b", "١٢", "²", "-1", "0", "9" * 20, "9" * 4400, "1", "",
]  # fmt: skip
# Values an int converter accepts: the rest would only meet the resolver's 404.
NUMBERS = ["0", "9" * 20, "9" * 4400, "1"]
# Parameters any view of the app or the admin might read, GET or POST.
PARAMETERS = [
    "term", "unit", "as_of", "year", "target", "page", "per_page", "sort", "q", "p", "o", "e",
    "in_unit", "kind__exact", "year__exact", "state__exact", "target__id__exact",
    "target__term__id__exact", "parent__id__exact", "is_active__exact", "format", "resource",
    "_popup", "_to_field", "_changelist_filters", "status", "sector", "kind", "not_reported",
    "app_label", "model_name", "field_name", "next", "language", "action", "_selected_action",
    "select_across", "index", "post", "apply", "reason", "value", "numerator", "denominator",
    "flag", "version", "opened_version", "name", "code", "root_unit", "start_year", "end_year",
    "congress_number", "username", "password", "password1", "password2", "import_file_name",
    "original_file_name", "input_format", "export_items", "unit_id",
]  # fmt: skip
# POSTed to, these end the session the walk goes on with.
NO_POST = {"logout"}
PLACEHOLDER = re.compile(
    r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>|\(\?P<(?P<group>\w+)>(?P<body>[^)]*)\)|\([^)]*\)"
)


def routes() -> list[tuple[str, str | None]]:
    """(pattern, name) of every URL the site serves, as one string per route."""

    def walk(patterns, prefix: str):
        for pattern in patterns:
            text = prefix + str(pattern.pattern).lstrip("^")
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, text)
            elif isinstance(pattern, URLPattern):
                yield text.rstrip("$"), pattern.name

    return list(walk(get_resolver().url_patterns, ""))


def fill(route: str, turn: int) -> str:
    """The route with each placeholder given a malformed value (or a valid word where fixed)."""
    converters = get_converters()

    def value(match: re.Match) -> str:
        nonlocal turn
        turn += 1
        if match["group"] and re.fullmatch(r"[\w|]+", match["body"]):
            return match["body"].split("|")[0]  # an app label: one of the few that resolve
        converter = converters.get(match["converter"] or "str")
        if converter is not None and not re.fullmatch(converter.regex, "abc"):
            if re.fullmatch(converter.regex, "1"):
                return NUMBERS[turn % len(NUMBERS)]
            return next(w for w in ("csv", "xlsx", "pdf") if re.fullmatch(converter.regex, w))
        return MALFORMED[turn % len(MALFORMED)]

    return "/" + PLACEHOLDER.sub(value, route)


@pytest.fixture
def world():
    """A little of everything, so that valid ids lead somewhere."""
    root, (unit, other) = make_tree(2)
    term = make_term(root)
    target = make_target(term)
    make_result(target, unit, 2021, value=5)
    make_result(target, other, 2021, value=7)
    make_quota(target, unit, 10)
    UnitYear.objects.create(unit=unit, year=2021, state=YearState.SUBMITTED)
    return {
        "leader": make_user("lanhdao", unit=root, role=roles.LEADER),
        "clerk": make_user("nhaplieu", unit=unit, role=roles.CLERK, is_staff=True),
        "admin": make_user("quantri", role=roles.ADMINISTRATOR, is_staff=True),
        "anonymous": AnonymousUser(),
    }


def test_no_url_gives_a_500_whatever_it_is_fed(client, world):
    """Malformed path values and parameters, GET and POST, as every role: never a 500."""
    client.raise_request_exception = False
    every_route = routes()
    assert any(route.startswith("admin/indicators/result/") for route, _name in every_route)
    failures = []
    requests = 0
    for role_turn, (role, user) in enumerate(world.items()):
        client.logout()
        if user.is_authenticated:
            client.force_login(user)
        for route_turn, (route, name) in enumerate(every_route):
            turn = role_turn * 7 + route_turn
            url = fill(route, turn)
            bad = MALFORMED[turn % len(MALFORMED)]
            other = MALFORMED[(turn + 5) % len(MALFORMED)]
            calls = [("GET", {key: bad for key in PARAMETERS})]
            if name not in NO_POST:
                calls.append(("POST", {key: other for key in PARAMETERS}))
            for method, data in calls:
                sender = client.get if method == "GET" else client.post
                response = sender(url, data)
                requests += 1
                if response.status_code >= 500:
                    failures.append(f"{role} {method} {url[:80]!r} {bad[:10]!r}")
    assert requests > 4 * len(every_route)
    assert failures == [], "\n".join(failures)
