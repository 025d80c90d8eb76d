"""The benchmark runs at a tiny size, so that it cannot rot (no timing is asserted)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db.models import Sum

from benchmarks.http import format_load, http_load, p95_ratio
from benchmarks.run import Size, format_reports, measure_size
from indicators.models import Result

pytestmark = pytest.mark.django_db


def test_benchmark_runs_and_prints_the_ratio_line(settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    tiny = Size("S", cells=12, targets=3, years=2, import_rows=15)
    report = measure_size(tiny, repeat=1)
    assert report.results == 12 * 3 * 2
    assert Result.objects.count() == report.results  # the import put back what it took
    assert {figure.name for figure in report.figures} >= {"overview", "breakdown", "import_preview"}
    assert report.preview_peak_mb > 0
    assert report.queries["overview"] > 0
    text = format_reports([report, report])
    last = text.splitlines()[-1]
    assert last.startswith("ratios: overview=")
    assert "queries_S=" in last
    assert "queries_L=" in last


def test_ratio_line_names_every_figure_in_order(settings):
    """The ratio line lists its figures in the order the issue fixes, HTTP ones last."""
    settings.ALLOWED_HOSTS = ["testserver"]
    tiny = Size("S", cells=6, targets=3, years=2, import_rows=5)
    report = measure_size(tiny, repeat=1)
    assert {"overview_rollup", "target_page"} <= {figure.name for figure in report.figures}
    last = format_reports([report]).splitlines()[-1]
    names = [pair.split("=")[0] for pair in last.removeprefix("ratios: ").split()]
    assert names == [
        "overview", "overview_rollup", "breakdown", "target_page", "export", "import",
        "queries_S", "queries_L", "http_p95_ratio", "http_errors",
    ]  # fmt: skip


def test_the_reorganising_size_records_moves_and_mergers_then_measures_the_same_figures(
    settings,
):
    """Sr at a small size: each year 5% of the cells move and 5% of the organisations
    merge, as units.events records them; the figures are measured, the roll-up is what
    a scan of the results gives, and the comparison line with the fixed tree is printed."""
    from datetime import date

    from indicators.engine import as_of_year, term_progress
    from indicators.models import Term, UnitQuota
    from tests.indicators.test_rollup import assert_rollup_exact
    from tests.indicators.test_unit_counts import assert_counts_exact
    from units.models import EventKind, Unit, UnitEvent, UnitPeriod
    from units.selectors import units_of_year

    settings.ALLOWED_HOSTS = ["testserver"]
    size = Size("Sr", cells=200, targets=3, years=5, import_rows=15, reorganise=0.05)
    report = measure_size(size, repeat=1)
    assert report.results == 200 * 3 * 5
    assert Result.objects.count() == report.results
    assert {figure.name for figure in report.figures} >= {"overview", "breakdown", "import"}
    term = Term.objects.get()
    root = term.root_unit
    # One of the 20 organisations merges each year (then one of 19, 18...), ten cells move.
    merged = Unit.objects.filter(end_reason="merged")
    assert merged.count() == 5
    assert sorted(merged.values_list("end_year", flat=True)) == [2021, 2022, 2023, 2024, 2025]
    assert all(unit.successors.count() == 1 for unit in merged)
    moves = UnitEvent.objects.filter(kind=EventKind.MOVE)
    assert {event.date for event in moves} == {date(year, 7, 1) for year in term.years}
    assert moves.count() >= 5 * 9
    # Every unit still there has one open placement, and each year's tree holds every cell.
    alive = Unit.objects.filter(ended_on__isnull=True)
    assert UnitPeriod.objects.filter(end__isnull=True).count() == alive.count() == 1 + 15 + 200
    for year in term.years:
        organisations = units_of_year(root, year).filter(kind="grassroots_committee")
        assert organisations.count() == 20 - (year - 2020)
        assert units_of_year(root, year).filter(kind="cell").count() == 200
    # Each year's plans still add up, none on an organisation after its end.
    for unit in merged:
        assert not UnitQuota.objects.filter(unit=unit, year__gt=unit.end_year).exists()
    assert_rollup_exact(term, scopes=[root, *Unit.objects.filter(parent=root)])
    assert_counts_exact(term, [root, *Unit.objects.filter(parent=root)])
    row = term_progress(term=term, as_of=as_of_year(term, 2025)).targets[0]
    assert row.actual == Result.objects.filter(target=row.target).aggregate(s=Sum("value"))["s"]
    fixed = measure_size(Size("S", cells=200, targets=3, years=5, import_rows=15), repeat=1)
    text = format_reports([fixed, report, fixed])
    [line] = [line for line in text.splitlines() if line.startswith("reorganised S→Sr")]
    assert "overview=" in line
    assert "→" in line.split("overview=")[1]


class _Pages(BaseHTTPRequestHandler):
    def do_GET(self):
        status = 500 if self.path == "/broken" else 200
        body = b"ok"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_load_client_counts_requests_and_errors_per_page():
    """Concurrent clients fetch every page in turn; a failing page counts as errors."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        pages = [("good", "/"), ("bad", "/broken")]
        runs = [
            http_load(port=server.server_port, cookie="x=1", pages=pages, clients=n, seconds=0.3)
            for n in (1, 3)
        ]
    finally:
        server.shutdown()
        server.server_close()
    for run in runs:
        assert run.pages["good"].timings_ms
        assert run.pages["good"].errors == 0
        assert run.pages["bad"].errors > 0
        assert not run.pages["bad"].timings_ms
    table = format_load(runs)
    assert any(line.split()[:2] == ["good", "3"] for line in table)
    assert p95_ratio(runs) is not None
