"""The measurements of the performance issue, against raw SQL in the same process.

`run()` works on whatever database Django is connected to (the smoke test
uses the test database); the COPY baselines need PostgreSQL and read "n/a"
elsewhere. `python -m benchmarks` sets up a PostgreSQL database and prints.
"""

from __future__ import annotations

import csv
import io
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from benchmarks.reviews import ReviewFigures, measure_review, review_lines
from indicators.engine import as_of_mid_term, target_breakdown
from indicators.models import Result, Target, Term
from indicators.rollup import rollup_refresh_term
from indicators.synthetic import RESULT_COLUMNS, copy_flush, synthetic_make


@dataclass
class Size:
    name: str
    cells: int
    targets: int
    years: int
    import_rows: int = 10_000
    # The share of units that move or merge in each year of the term (0: a fixed tree).
    reorganise: float = 0.0


SIZES = {
    "S": Size("S", cells=1_500, targets=30, years=5),
    "L": Size("L", cells=10_000, targets=30, years=5),
    # The same sizes on a reorganising tree: each year 5% of the cells move to another
    # organisation and 5% of the organisations merge into another
    # (`indicators.synthetic.synthetic_reorganise`).
    "Sr": Size("Sr", cells=1_500, targets=30, years=5, reorganise=0.05),
    "Lr": Size("Lr", cells=10_000, targets=30, years=5, reorganise=0.05),
    # National size, on demand (`make bench SIZES=XL`): 52.000 reporting cells under
    # 5.200 grassroots organisations, 7.800.000 results.
    "XL": Size("XL", cells=52_000, targets=30, years=5),
}


@dataclass
class Figure:
    name: str
    app: float | None
    raw: float | None
    unit: str

    @property
    def ratio(self) -> float | None:
        if not self.app or not self.raw:
            return None
        return self.app / self.raw


@dataclass
class SizeReport:
    size: Size
    results: int
    figures: list[Figure] = field(default_factory=list)
    queries: dict[str, int] = field(default_factory=dict)
    export_peak_mb: float | None = None
    preview_peak_mb: float | None = None
    review: ReviewFigures | None = None

    def figure(self, name: str) -> Figure:
        return next(figure for figure in self.figures if figure.name == name)


def median_ms(action: Callable[[], object], repeat: int) -> float:
    action()  # warm caches and connections
    timings = []
    for _run in range(repeat):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


RAW_OVERVIEW = """
SELECT r.target_id, r.year, COUNT(*), SUM(r.value), SUM(r.numerator), SUM(r.denominator),
       SUM(CASE WHEN r.flag THEN 1 ELSE 0 END)
FROM indicators_result r
JOIN indicators_target t ON t.id = r.target_id
WHERE t.term_id = %s AND r.year <= %s
GROUP BY r.target_id, r.year
"""

# What the overview itself reads at the root: each target's totals in the roll-up.
RAW_ROLLUP = """
SELECT ro.target_id, ro.year, ro.kind, ro.is_active, ro.is_top,
       SUM(ro.reported), SUM(ro.value), SUM(ro.numerator), SUM(ro.denominator), SUM(ro.yes),
       SUM(ro.d_value), SUM(ro.d_numerator), SUM(ro.d_denominator), SUM(ro.d_yes),
       SUM(ro.d_units), SUM(ro.d_inactive_units)
FROM indicators_resultrollup ro
JOIN indicators_target t ON t.id = ro.target_id
WHERE t.term_id = %s AND ro.branch = '' AND ro.year <= %s
GROUP BY 1, 2, 3, 4, 5
"""

RAW_BREAKDOWN = """
SELECT SUBSTR(u.path, 1, 12), r.year, COUNT(*), SUM(r.value), SUM(r.numerator),
       SUM(r.denominator), SUM(CASE WHEN r.flag THEN 1 ELSE 0 END)
FROM indicators_result r
JOIN units_unit u ON u.id = r.unit_id
WHERE r.target_id = %s AND r.year <= %s
GROUP BY 1, 2
"""

RAW_EXPORT = """
COPY (
    SELECT t.code, t.name, u.code, u.name, r.year, r.value, r.numerator, r.denominator,
           r.flag, r.is_estimate, r.note, r.evidence, r.created_at, cb.username,
           r.updated_at, ub.username
    FROM indicators_result r
    JOIN indicators_target t ON t.id = r.target_id
    JOIN units_unit u ON u.id = r.unit_id
    LEFT JOIN units_user cb ON cb.id = r.created_by_id
    LEFT JOIN units_user ub ON ub.id = r.updated_by_id
    WHERE t.term_id = {term:d}
    ORDER BY t."order", t.id, u.path, r.year
) TO STDOUT WITH CSV
"""


def _raw(sql: str, params: list) -> Callable[[], object]:
    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


def _get(client: Client, url: str) -> Callable[[], int]:
    def run():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        if response.streaming:
            return sum(len(chunk) for chunk in response.streaming_content)
        return len(response.content)

    return run


def _url(name: str, *args, **kwargs) -> str | None:
    try:
        return reverse(name, args=args, kwargs=kwargs)
    except NoReverseMatch:
        return None


def _copy_export(term: Term) -> int:
    sink = io.StringIO()
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(RAW_EXPORT.format(term=term.pk), sink)
    return sink.getvalue().count("\n")


def measure_export(client: Client, term: Term, report: SizeReport) -> None:
    url = _url("exports:results", fmt="csv")
    rows = report.results
    app_rate = raw_rate = None
    if url:
        fetch = _get(client, f"{url}?term={term.pk}")
        tracemalloc.start()
        started = time.perf_counter()
        fetch()
        elapsed = time.perf_counter() - started
        report.export_peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        app_rate = rows / elapsed
    if connection.vendor == "postgresql":
        started = time.perf_counter()
        copied = _copy_export(term)
        raw_rate = copied / (time.perf_counter() - started)
    # For rates higher is better: the ratio app ÷ raw reads as "share of COPY's speed".
    report.figures.append(Figure("export", app_rate, raw_rate, "rows/s"))


def _export_rows(client: Client, term: Term, count: int) -> list[dict]:
    url = _url("exports:results", fmt="csv")
    response = client.get(f"{url}?term={term.pk}&year={term.years[0]}")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    return [row for _index, row in zip(range(count), reader, strict=False)]


def _code_columns(row: dict) -> tuple[str, str]:
    target = next(key for key in row if "chỉ tiêu" in key.lower() and "mã" in key.lower())
    unit = next(key for key in row if "đơn vị" in key.lower() and "mã" in key.lower())
    return target, unit


def measure_import(client: Client, user, term: Term, size: Size, report: SizeReport) -> None:
    """Import rows of the raw export back through the import path, then COPY them."""
    from indicators.services import results_import

    if not _url("exports:results", fmt="csv"):
        report.figures.append(Figure("import", None, None, "rows/s"))
        return
    rows = _export_rows(client, term, size.import_rows)
    target_column, unit_column = _code_columns(rows[0])
    wanted = {(row[target_column], row[unit_column]) for row in rows}
    year = term.years[0]
    chosen = [
        item
        for item in Result.objects.filter(target__term=term, year=year).values_list(
            "pk", "target__code", "unit__code", *RESULT_COLUMNS
        )
        if (item[1], item[2]) in wanted
    ]
    _delete([item[0] for item in chosen], term)
    # The preview (every check, nothing written) before the import of the same file:
    # timed, then once more for its peak memory (tracemalloc slows what it watches).
    started = time.perf_counter()
    previewed = results_import(rows=rows, user=user, term=term, dry_run=True)
    preview_ms = (time.perf_counter() - started) * 1000
    assert previewed.ok, previewed.errors[:3]
    tracemalloc.start()
    results_import(rows=rows, user=user, term=term, dry_run=True)
    report.preview_peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    started = time.perf_counter()
    imported = results_import(rows=rows, user=user, term=term)
    import_ms = (time.perf_counter() - started) * 1000
    app_rate = len(rows) / import_ms * 1000
    assert imported.ok, imported.errors[:3]
    # Against the import of the same rows: the aim is under 2.
    report.figures.append(Figure("import_preview", preview_ms, import_ms, "ms"))
    raw_rate = None
    if connection.vendor == "postgresql":
        _delete(_reimported(term, year, wanted), term)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for item in chosen:
            writer.writerow([r"\N" if cell is None else cell for cell in item[3:]])
        started = time.perf_counter()
        with transaction.atomic():
            copy_flush(buffer)
        raw_rate = len(chosen) / (time.perf_counter() - started)
        rollup_refresh_term(term)
    report.figures.append(Figure("import", app_rate, raw_rate, "rows/s"))


def _reimported(term: Term, year: int, wanted: set[tuple[str, str]]) -> list[int]:
    return [
        pk
        for pk, target, unit in Result.objects.filter(target__term=term, year=year).values_list(
            "pk", "target__code", "unit__code"
        )
        if (target, unit) in wanted
    ]


def _delete(ids: list[int], term: Term) -> None:
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            cursor.execute(
                f"DELETE FROM indicators_result WHERE id IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )
    rollup_refresh_term(term)


def measure_size(size: Size, *, repeat: int = 5) -> SizeReport:
    made = synthetic_make(
        cells=size.cells, targets=size.targets, years=size.years, reorganise=size.reorganise
    )
    term = Term.objects.select_related("root_unit").get(pk=made.term.pk)
    report = SizeReport(size=size, results=made.results)
    user = get_user_model().objects.filter(username="bench").first()
    if user is None:
        user = get_user_model().objects.create_superuser("bench", password=None)
    client = Client()
    client.force_login(user)
    mid = as_of_mid_term(term)

    overview_url = f"/?term={term.pk}&as_of=mid"
    app = median_ms(_get(client, overview_url), repeat)
    raw = median_ms(_raw(RAW_OVERVIEW, [term.pk, mid.year]), repeat)
    report.figures.append(Figure("overview", app, raw, "ms"))
    rollup = median_ms(_raw(RAW_ROLLUP, [term.pk, mid.year]), repeat)
    report.figures.append(Figure("overview_rollup", app, rollup, "ms"))
    with CaptureQueriesContext(connection) as queries:
        _get(client, overview_url)()
    report.queries["overview"] = len(queries)

    target = Target.objects.filter(term=term).order_by("order").first()
    raw = median_ms(_raw(RAW_BREAKDOWN, [target.pk, mid.year]), repeat)

    def breakdown():
        return target_breakdown(term=term, target=target, as_of=mid)

    # The per-unit table's figures (the engine), and the whole page that shows them.
    report.figures.append(Figure("breakdown", median_ms(breakdown, repeat), raw, "ms"))
    with CaptureQueriesContext(connection) as queries:
        breakdown()
    report.queries["breakdown"] = len(queries)
    detail_url = _url("reports:target", target.pk)
    if detail_url:
        page = _get(client, f"{detail_url}?term={term.pk}&as_of=mid")
        report.figures.append(Figure("target_page", median_ms(page, repeat), raw, "ms"))
        with CaptureQueriesContext(connection) as queries:
            page()
        report.queries["target_page"] = len(queries)

    measure_export(client, term, report)
    measure_import(client, user, term, size, report)
    # Adopting the end-of-term review, and its page's queries (benchmarks/reviews.py).
    overview_ms = report.figure("overview").app
    report.review = measure_review(
        client=client, user=user, term=term, overview_ms=overview_ms, size=size.name
    )
    return report


def format_reports(reports: list[SizeReport], load: list | None = None) -> str:
    """The table, the HTTP figures when measured, and the ratio line (of the last size)."""
    from benchmarks.http import format_load, p95_ratio

    lines = [f"{'size':<5}{'figure':<16}{'app':>14}{'raw SQL':>14}{'ratio':>8}  unit"]
    for report in reports:
        for figure in report.figures:
            app = "n/a" if figure.app is None else f"{figure.app:,.1f}"
            raw = "n/a" if figure.raw is None else f"{figure.raw:,.1f}"
            ratio = "n/a" if figure.ratio is None else f"{figure.ratio:.2f}"
            lines.append(
                f"{report.size.name:<5}{figure.name:<16}{app:>14}{raw:>14}{ratio:>8}  {figure.unit}"
            )
        lines.append(
            f"{report.size.name:<5}results {report.results:,}; queries: "
            + ", ".join(f"{page}={count}" for page, count in report.queries.items())
            + (
                f"; export peak memory {report.export_peak_mb:.1f} MB"
                if report.export_peak_mb is not None
                else ""
            )
            + (
                f"; import preview peak memory {report.preview_peak_mb:.1f} MB"
                if report.preview_peak_mb is not None
                else ""
            )
        )
    last = reports[-1]
    first = reports[0]

    def ratio(name: str) -> str:
        found = [figure for figure in last.figures if figure.name == name]
        value = found[0].ratio if found else None
        return "n/a" if value is None else f"{value:.2f}"

    lines += review_lines([report.review for report in reports if report.review])
    lines += reorganised_lines(reports)
    if load:
        lines += format_load(load)
    http_ratio = p95_ratio(load) if load else None
    http_errors = sum(run.errors for run in load) if load else None
    lines.append(
        "ratios: "
        + " ".join(
            f"{name}={ratio(name)}"
            for name in ("overview", "overview_rollup", "breakdown", "target_page")
        )
        + f" export={ratio('export')} import={ratio('import')}"
        + f" queries_S={first.queries.get('overview')} queries_L={last.queries.get('overview')}"
        + f" http_p95_ratio={'n/a' if http_ratio is None else f'{http_ratio:.2f}'}"
        + f" http_errors={'n/a' if http_errors is None else http_errors}"
    )
    return "\n".join(lines)


RATIO_FIGURES = ("overview", "overview_rollup", "breakdown", "target_page", "export", "import")


def reorganised_lines(reports: list[SizeReport]) -> list[str]:
    """For each reorganising size measured with its fixed-tree size (Lr and L), the
    ratios side by side: the issue asks them no worse on the reorganising tree."""
    by_name = {report.size.name: report for report in reports}
    lines = []
    for report in reports:
        fixed = by_name.get(report.size.name.removesuffix("r"))
        if not report.size.reorganise or fixed is None or fixed is report:
            continue
        pairs = []
        for name in RATIO_FIGURES:
            ratios = []
            for measured in (fixed, report):
                found = [figure for figure in measured.figures if figure.name == name]
                ratio = found[0].ratio if found else None
                ratios.append("n/a" if ratio is None else f"{ratio:.2f}")
            pairs.append(f"{name}={ratios[0]}→{ratios[1]}")
        lines.append(
            f"reorganised {fixed.size.name}→{report.size.name} "
            f"({report.size.reorganise:.0%} of units a year): " + " ".join(pairs)
        )
    return lines


def http_pages(term: Term) -> list[tuple[str, str]]:
    """The pages users open most: the overview, a target, a scorecard, the summary CSV."""
    target = Target.objects.filter(term=term).order_by("order", "pk").first()
    unit = term.root_unit.children.filter(ended_on__isnull=True).order_by("order", "pk").first()
    return [
        ("overview", f"/?term={term.pk}"),
        ("target_page", f"/targets/{target.pk}/?term={term.pk}"),
        ("scorecard", f"/units/{unit.pk}/?term={term.pk}"),
        ("summary_csv", f"{_url('exports:summary', fmt='csv')}?term={term.pk}"),
    ]


def measure_http(*, database_url: str, port: int, clients: list[int], seconds: float) -> list:
    """The latest term served by gunicorn, under 1 and more concurrent clients."""
    from benchmarks.http import Server, http_load, session_cookie

    term = Term.objects.select_related("root_unit").order_by("-pk").first()
    user = get_user_model().objects.get(username="bench")
    cookie = session_cookie(user)
    pages = http_pages(term)
    with Server(port=port, database_url=database_url):
        # One round first: workers import, connect and warm their caches.
        http_load(port=port, cookie=cookie, pages=pages, clients=3, seconds=min(seconds, 2))
        return [
            http_load(port=port, cookie=cookie, pages=pages, clients=count, seconds=seconds)
            for count in clients
        ]
