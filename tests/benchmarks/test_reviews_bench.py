"""The review benchmark runs at a tiny size, so that it cannot rot (no timing is asserted)."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from benchmarks.reviews import measure_review, review_lines
from indicators.models import Term
from indicators.synthetic import synthetic_make
from reviews.models import Review, ReviewKind, ReviewState
from units.models import Unit

pytestmark = pytest.mark.django_db


def test_the_review_line_adopts_every_scope_and_counts_the_page_queries(settings):
    """At two sizes: the end-of-term review is adopted with one frozen scope per
    organisation and the committee; the lines give the ratio and the page's queries."""
    settings.ALLOWED_HOSTS = ["testserver"]
    user = get_user_model().objects.create_superuser("bench", password=None)
    client = Client()
    client.force_login(user)
    figures = []
    for name, cells in (("S", 6), ("L", 25)):
        made = synthetic_make(cells=cells, targets=3, years=2)
        term = Term.objects.select_related("root_unit").get(pk=made.term.pk)
        figures.append(
            measure_review(client=client, user=user, term=term, overview_ms=10.0, size=name)
        )
        review = Review.objects.get(term=term, kind=ReviewKind.END_OF_TERM)
        assert review.state == ReviewState.ADOPTED
        below = Unit.objects.filter(parent=term.root_unit).count()
        assert figures[-1].scopes == review.snapshots.count() == 1 + below
    assert [entry.scopes for entry in figures] == [2, 4]
    small, large = figures
    assert small.page_queries == large.page_queries > 0
    lines = review_lines(figures)
    assert lines[0].startswith("S    review: adopting the end-of-term review ")
    assert "(2 scopes frozen)" in lines[0]
    assert "× the overview (10.0 ms; aim ≤ 20×)" in lines[0]
    assert lines[-1] == (
        f"review page queries: S={small.page_queries} L={large.page_queries} (constant)"
    )
