"""The set-up benchmark runs at a tiny size, so that it cannot rot (no timing is asserted)."""

import pytest

from benchmarks.onboarding import measure_onboarding
from indicators.models import UnitQuota
from units.models import Unit

pytestmark = pytest.mark.django_db


def test_the_onboarding_benchmark_imports_what_it_says():
    """The tree and quota lines count the rows they imported."""
    tree, quotas = measure_onboarding(units=40, quota_cells=300)
    assert tree.rows == Unit.objects.count() == 41
    assert quotas.rows == UnitQuota.objects.count() == 300
    assert str(tree).startswith("onboarding tree: 41 rows")
    assert "preview peak" in str(quotas)
