"""The benchmark runs at a tiny size, so that it cannot rot (no timing is asserted)."""

import pytest

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
