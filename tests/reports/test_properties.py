"""Properties over generated terms, trees and results (hypothesis, kept small and fast).

(a) No completion phrase contradicts its status, on the page, the print page,
    the summary CSV or the Excel file.
(b) Page, summary CSV, Excel and print page show the same actual, plan,
    expected, completion and status for every target, scope and as-of point.
(c) The roll-up equals a scan of the results after random writes.
"""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from indicators.engine import _result_sums, as_of_points
from indicators.models import Combine, Direction, Judgement, Level, Measure, Result
from tests.factories import make_quota, make_target, make_term, make_tree, make_user
from units import roles
from units.models import Unit

pytestmark = pytest.mark.django_db

PROPERTY_SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
MET_LABELS = {"Vượt", "Đạt"}
UNMET_LABELS = {"Chưa đạt", "Không đạt"}

# A target: measure, combine, judgement, direction, in percent, term figure, yearly figure.
KINDS = [
    (Measure.COUNT, Combine.SUM, Judgement.PRORATED, Direction.AT_LEAST, False, 40, None),
    (Measure.COUNT, Combine.SUM, Judgement.EVERY_YEAR, Direction.AT_LEAST, False, None, 6),
    (Measure.COUNT, Combine.SUM, Judgement.FINAL, Direction.AT_MOST, False, 20, None),
    (Measure.COUNT, Combine.LATEST, Judgement.PRORATED, Direction.AT_LEAST, False, 8, None),
    (Measure.RATIO, Combine.LATEST, Judgement.FINAL, Direction.AT_LEAST, True, 90, None),
    (Measure.RATIO, Combine.SUM, Judgement.EVERY_YEAR, Direction.AT_LEAST, True, None, 80),
    (Measure.FLAG, Combine.LATEST, Judgement.EVERY_YEAR, Direction.AT_LEAST, True, None, 50),
    (Measure.FLAG, Combine.LATEST, Judgement.EVERY_YEAR, Direction.AT_MOST, False, None, 0),
]

scenarios = st.fixed_dictionaries(
    {
        "length": st.integers(2, 4),
        "units": st.integers(1, 3),
        "kinds": st.lists(st.sampled_from(range(len(KINDS))), min_size=1, max_size=3),
        "quota": st.booleans(),
        # Which as-of point (an index into the term's points, wrapped) and scope to render.
        "point": st.integers(0, 9),
        "below": st.booleans(),
        # (target index, unit index, year offset, figure seed)
        "results": st.lists(
            st.tuples(st.integers(0, 2), st.integers(0, 2), st.integers(0, 3), st.integers(0, 12)),
            max_size=14,
        ),
    }
)


def build(scenario):
    root, units = make_tree(scenario["units"])
    term = make_term(root, start_year=2020, end_year=2020 + scenario["length"])
    targets = []
    for index, kind in enumerate(scenario["kinds"]):
        measure, combine, judgement, direction, in_percent, term_figure, yearly = KINDS[kind]
        targets.append(
            make_target(
                term, code=f"T{index}", measure=measure, combine=combine, judgement=judgement,
                direction=direction, in_percent=in_percent, term_target=term_figure,
                yearly_target=yearly, level=Level.GRASSROOTS,
            )
        )  # fmt: skip
    if scenario["quota"] and targets[0].measure == Measure.COUNT:
        for year in term.years:
            make_quota(targets[0], units[0], 3, year=year)
    seen = set()
    for target_index, unit_index, offset, seed in scenario["results"]:
        if target_index >= len(targets) or unit_index >= len(units):
            continue
        target, unit = targets[target_index], units[unit_index]
        year = term.years[offset % len(term.years)]
        if (target.pk, unit.pk, year) in seen:
            continue
        seen.add((target.pk, unit.pk, year))
        Result.objects.create(target=target, unit=unit, year=year, **figure_of(target, seed))
    return term, targets, units


def figure_of(target, seed: int) -> dict:
    if target.measure == Measure.COUNT:
        return {"value": seed}
    if target.measure == Measure.RATIO:
        return {"numerator": seed // 2, "denominator": seed}
    return {"flag": seed % 2 == 0}


def cells(html: str, code: str) -> dict[str, str]:
    match = re.search(rf'<tr data-target="{re.escape(code)}"[^>]*>(.*?)</tr>', html, re.S)
    assert match, code
    found = re.findall(r'data-col="(\w+)"[^>]*>(.*?)</t[dh]>', match.group(1), re.S)
    return {name: " ".join(re.sub(r"<[^>]+>", " ", text).split()) for name, text in found}


def number(text: str) -> Decimal | None:
    """ "≤ 1.600", "83,3%", "1600" → Decimal; "—" or "" → None."""
    text = text.replace("≤", "").replace("%", "").strip()
    if text in {"", "—"}:
        return None
    if "," in text or re.fullmatch(r"\d{1,3}(\.\d{3})+", text):
        text = text.replace(".", "").replace(",", ".")
    return Decimal(text).quantize(Decimal("0.1"))


def contradiction(phrase: str, status: str, *, at_end: bool) -> str | None:
    """What, if anything, makes the phrase and the status disagree."""
    if status == "Không đạt" and not at_end:
        return "Không đạt before the end"
    if status == "Chưa đạt" and at_end:
        return "Chưa đạt at the end"
    if "vượt" in phrase and status != "Vượt":
        return "vượt without Vượt"
    if "thiếu số liệu" in phrase and status in MET_LABELS:
        return "missing years yet met"
    rate = re.search(r"đạt (\d[\d.]*)%", phrase)
    if rate:
        value = int(rate.group(1).replace(".", ""))
        if value < 100 and status in MET_LABELS:
            return "below 100% yet met"
        if value >= 100 and status in UNMET_LABELS:
            return "100% or more yet unmet"
    level = re.search(r"([\d.,]+)% / yêu cầu ([≥≤]) ([\d.,]+)%", phrase)
    if level:
        actual, expected = number(level.group(1)), number(level.group(3))
        passes = actual >= expected if level.group(2) == "≥" else actual <= expected
        if passes and status in UNMET_LABELS:
            return "level passes yet unmet"
        if not passes and status in MET_LABELS:
            return "level fails yet met"
    return None


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def read_xlsx(response) -> list[list[str]]:
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [
        ["" if value is None else str(value) for value in row]
        for row in workbook.worksheets[0].iter_rows(values_only=True)
    ]


def by_code(rows: list[list[str]], codes: list[str]) -> dict[str, dict[str, str]]:
    """The rows of `codes` by code, keyed by the table's header (the xlsx has title rows
    above it)."""
    start = next(number for number, row in enumerate(rows) if row and row[0] == "STT")
    header = rows[start]
    found = {}
    for row in rows[start + 1 :]:
        if row and row[0] in codes:
            found[row[0]] = dict(zip(header, row, strict=False))
    return found


@PROPERTY_SETTINGS
@given(scenario=scenarios)
def test_every_rendering_agrees_and_no_phrase_contradicts_its_status(client, scenario):
    """(a) and (b), for every as-of point of generated terms, at the committee and below."""
    with transaction.atomic():
        term, targets, units = build(scenario)
        user = make_user(f"lanhdao{term.pk}", unit=term.root_unit, role=roles.LEADER)
        client.force_login(user)
        codes = [target.code for target in targets]
        points = as_of_points(term)
        point = points[scenario["point"] % len(points)]
        scope = units[0] if scenario["below"] else term.root_unit
        query = f"?term={term.pk}&unit={scope.pk}&as_of={point.key}"
        page = client.get("/" + query).text
        printed = client.get("/reports/print/" + query).text
        summary = by_code(read_csv(client.get("/exports/summary.csv" + query)), codes)
        workbook = by_code(read_xlsx(client.get("/exports/summary.xlsx" + query)), codes)
        for code in codes:
            on_page, on_print = cells(page, code), cells(printed, code)
            in_csv, in_xlsx = summary[code], workbook[code]
            status, phrase = on_page["status"], on_page["completion"]
            problem = contradiction(phrase, status, at_end=point.is_end)
            assert problem is None, (code, point.key, phrase, status, problem)
            assert on_print["status"] == status == in_csv["Đánh giá"]
            assert on_print["completion"] == phrase == in_csv["So với NQ"]
            assert on_print["actual"] == on_page["actual"]
            assert number(on_print["expected"]) == number(on_page["expected"])
            assert number(on_page["expected"]) == number(in_csv[expected_header(in_csv)])
            assert number(on_print["planned"]) == number(in_csv["Nghị quyết đề ra"])
            for header, value in in_csv.items():
                assert number_or_text(value) == number_or_text(in_xlsx[header]), header
        transaction.set_rollback(True)


def expected_header(row: dict[str, str]) -> str:
    return next(header for header in row if header.startswith("Mức cần đạt đến"))


def number_or_text(value: str):
    try:
        return Decimal(value).normalize()
    except ArithmeticError:
        return value


writes = st.lists(
    st.tuples(
        st.sampled_from(["create", "update", "delete", "deactivate"]),
        st.integers(0, 2),
        st.integers(0, 3),
        st.integers(0, 3),
        st.integers(0, 9),
    ),
    min_size=1,
    max_size=12,
)


@PROPERTY_SETTINGS
@given(actions=writes)
def test_the_rollup_equals_a_scan_after_random_writes(actions):
    """(c) Whatever is created, changed, deleted or deactivated, the roll-up stays exact."""
    with transaction.atomic():
        root, grassroots = make_tree(2, cells=1)
        term = make_term(root, start_year=2020, end_year=2023)
        units = [*grassroots, *Unit.objects.filter(parent__in=grassroots)]
        targets = [
            make_target(term, code="A"),
            make_target(term, code="B", measure=Measure.RATIO, combine=Combine.LATEST),
            make_target(
                term, code="C", measure=Measure.FLAG, combine=Combine.LATEST, in_percent=True,
                level=Level.ORGANISATION,
            ),
        ]  # fmt: skip
        for action, target_index, unit_index, offset, seed in actions:
            target, unit = targets[target_index], units[unit_index]
            year = term.years[offset % len(term.years)]
            existing = Result.objects.filter(target=target, unit=unit, year=year).first()
            if action == "create" and existing is None:
                Result.objects.create(
                    target=target, unit=unit, year=year, **figure_of(target, seed)
                )
            elif action == "update" and existing is not None:
                for name, value in figure_of(target, seed + 1).items():
                    setattr(existing, name, value)
                existing.save()
            elif action == "delete" and existing is not None:
                existing.delete()
            elif action == "deactivate":
                unit.is_active = not unit.is_active
                unit.save()
        for point in as_of_points(term):
            for scope in [root, *grassroots]:
                for by_branch in (False, True):
                    kwargs = {"term": term, "scope": scope, "as_of": point, "by_branch": by_branch}
                    assert _result_sums(**kwargs, use_rollup=True) == _result_sums(
                        **kwargs, use_rollup=False
                    ), (scope, point.key, by_branch)
        transaction.set_rollback(True)
