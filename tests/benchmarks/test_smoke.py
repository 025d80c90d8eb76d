"""The benchmark runs at a tiny size, so that it cannot rot (no timing is asserted)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

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
    assert {figure.name for figure in report.figures} >= {"overview", "breakdown"}
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
