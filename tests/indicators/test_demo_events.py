"""The demo holds a move, a merger and a dissolution inside the term, each on the unit's
scorecard, and the seed's figures are still the article's."""

import re
from collections import Counter

import pytest
from django.contrib.auth import authenticate
from django.db.models import Sum
from django.test import RequestFactory

from indicators.demo import demo_load
from indicators.engine import as_of_mid_term, as_of_year, term_progress
from indicators.models import Result, UnitQuota
from tests.factories import log_in
from tests.indicators.test_rollup import assert_rollup_exact
from units.models import EventKind, Unit, UnitEvent, UnitPeriod
from units.selectors import units_of_year

pytestmark = pytest.mark.django_db
PASSWORD = "demo-password-for-tests"


def timeline_of(client, code: str) -> str:
    response = client.get(f"/units/{Unit.objects.get(code=code).pk}/")
    assert response.status_code == 200
    match = re.search(r'data-testid="timeline">(.*?)</p>', response.text, re.S)
    assert match, f"no timeline for {code}"
    return re.sub(r"\s+", " ", match.group(1)).strip()


def test_the_demo_records_a_move_a_merger_and_a_dissolution_shown_on_the_scorecards(client):
    demo_load(password=PASSWORD)
    # Inside the term (the 2025 reorganisation is indicators/demo_2025.py's).
    kinds = Counter(UnitEvent.objects.filter(date__year__lt=2025).values_list("kind", flat=True))
    # The merger: the merged unit, its result, and its three cells that move with it.
    assert kinds == {EventKind.MOVE: 4, EventKind.MERGE: 2, EventKind.DISSOLVE: 1}
    log_in(client, "lanhdao", PASSWORD)
    assert timeline_of(client, "CS092-05").startswith(
        "Quá trình: chuyển từ Đảng bộ cơ quan số 092 sang Đảng bộ cơ quan số 097 04/2023 "
        "theo QĐ số 112-QĐ/ĐUK"
    )
    assert timeline_of(client, "CS110").startswith(
        "Quá trình: sáp nhập vào Đảng bộ doanh nghiệp số 102 07/2024 theo QĐ số 245-QĐ/ĐUK"
    )
    assert timeline_of(client, "CS102").startswith(
        "Quá trình: sáp nhập Đảng bộ doanh nghiệp số 110 07/2024 theo QĐ số 245-QĐ/ĐUK"
    )
    assert timeline_of(client, "CS110-01").startswith(
        "Quá trình: chuyển từ Đảng bộ doanh nghiệp số 110 sang Đảng bộ doanh nghiệp số 102 "
        "07/2024 theo QĐ số 245-QĐ/ĐUK"
    )
    assert timeline_of(client, "CS117") == "Quá trình: giải thể 10/2024 theo QĐ số 301-QĐ/ĐUK"


def test_the_seed_figures_and_each_years_tree_after_the_events():
    term = demo_load(password=PASSWORD).term
    root = term.root_unit
    progress = term_progress(term=term, as_of=as_of_mid_term(term))
    rows = {row.target.code: row for row in progress.targets}
    assert (progress.headline.met, progress.headline.total) == (9, 10)
    assert (rows["1"].actual, round(rows["1"].completion * 100)) == (2078, 130)
    assert rows["2"].actual == 3728
    assert (rows["4"].numerator, rows["4"].denominator) == (111, 121)
    assert (rows["5"].numerator, rows["5"].denominator) == (62, 121)
    assert (rows["CT1.4"].numerator, rows["CT1.4"].denominator) == (1063, 1117)
    [programme] = progress.programmes
    assert (programme.tally.met, programme.tally.total) == (4, 5)
    # Each year's tree: the two units that end still count at the end of 2023, not 2024.
    codes = {year: set(units_of_year(root, year).values_list("code", flat=True))
             for year in (2022, 2023, 2024)}  # fmt: skip
    assert {"CS110", "CS117"} <= codes[2023]
    assert not {"CS110", "CS117"} & codes[2024]
    assert len([c for c in codes[2024] if re.fullmatch(r"CS\d{3}", c)]) == 119
    cs092, cs097, cs102 = (Unit.objects.get(code=code) for code in ("CS092", "CS097", "CS102"))
    assert "CS092-05" in set(units_of_year(cs092, 2022).values_list("code", flat=True))
    assert "CS092-05" in set(units_of_year(cs097, 2023).values_list("code", flat=True))
    assert {"CS110-01", "CS110-02", "CS110-03"} <= set(
        units_of_year(cs102, 2024).values_list("code", flat=True)
    )
    # No result after a unit's end, and each year's admission plan still adds up.
    for unit in Unit.objects.filter(ended_on__isnull=False):
        assert not Result.objects.filter(unit=unit, year__gt=unit.ended_on.year).exists()
        assert not UnitQuota.objects.filter(unit=unit, year__gt=unit.ended_on.year).exists()
    plans = dict(
        UnitQuota.objects.filter(target__term=term)
        .values("year")
        .annotate(total=Sum("value"))
        .values_list("year", "total")
    )
    assert plans == dict.fromkeys(range(2021, 2026), 640)
    assert (
        term_progress(term=term, as_of=as_of_year(term, 2025))
        .for_target(rows["1"].target.pk)
        .actual
        == 2078
    )
    assert_rollup_exact(term)


def test_the_demo_reloads_to_the_same_history_and_its_logins_still_work():
    demo_load(password=PASSWORD)

    def history():
        # Before the 2025 reorganisation, which a reload records again with a new
        # successor (new ids, so new paths below it).
        before = {"date__year__lt": 2025}
        return (
            sorted(
                UnitEvent.objects.filter(**before).values_list(
                    "unit__code", "kind", "date", "decision_number"
                )
            ),
            sorted(
                UnitPeriod.objects.filter(start__year__lt=2025).values_list(
                    "unit__code", "start", "end", "path"
                )
            ),
            sorted(Unit.objects.filter(ended_on__isnull=False).values_list("code", "end_reason")),
            sorted(Unit.objects.values_list("code", flat=True)),
        )

    first = history()
    demo_load(password=PASSWORD)
    assert history() == first
    for username in ("quantri", "lanhdao", "nhaplieu", "kiemduyet"):
        user = authenticate(RequestFactory().post("/login/"), username=username, password=PASSWORD)
        assert user is not None
        # The leader stays with the bloc, ended in 2025, to read its term (demo_2025).
        assert username == "lanhdao" or user.unit is None or user.unit.ended_on is None
