"""Adopting an end-of-term review at scale, against the overview; the frozen page's queries.

`measure_review()` (called by `benchmarks.run.measure_size` on each size's
term) sets up the term's end-of-term review, explains every target of the
committee that adoption asks for, then times `reviews.services.review_adopt`
(which freezes the committee and every unit directly below it), reopening the
review between runs (not timed). It then reads the adopted review's page: its
time and its SQL queries, which must not grow with the size. `review_lines()`
prints one line per size and the query counts side by side.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from indicators.models import Term
from reviews.models import Review, ReviewKind, Snapshot
from reviews.selectors import explanations_missing, review_live
from reviews.services import explanation_save, review_adopt, review_reopen

# Adoption may take this many times the overview's time at size L (the aim).
AIM = 20


@dataclass
class ReviewFigures:
    size: str
    scopes: int
    adopt_ms: float
    overview_ms: float | None
    page_ms: float
    page_queries: int

    @property
    def ratio(self) -> float | None:
        return self.adopt_ms / self.overview_ms if self.overview_ms else None

    def __str__(self) -> str:
        ratio = "n/a" if self.ratio is None else f"{self.ratio:.1f}×"
        overview = "n/a" if self.overview_ms is None else f"{self.overview_ms:,.1f} ms"
        return (
            f"{self.size:<5}review: adopting the end-of-term review {self.adopt_ms:,.1f} ms "
            f"({self.scopes:,} scopes frozen) = {ratio} the overview ({overview}; aim ≤ {AIM}×); "
            f"adopted page {self.page_ms:,.1f} ms, {self.page_queries} queries"
        )


def _end_of_term_review(term: Term, user) -> Review:
    """The term's end-of-term review, in preparation, with every explanation it asks for."""
    review, _created = Review.objects.get_or_create(term=term, kind=ReviewKind.END_OF_TERM)
    if review.is_adopted:
        review = review_reopen(review=review, user=user, reason="benchmark")
    committee = review_live(review=review, scope=term.root_unit)
    for row in explanations_missing(review=review, progress=committee):
        explanation_save(
            review=review,
            unit=term.root_unit,
            target=row.target,
            causes="Nguyên nhân (benchmark)",
            solutions="Giải pháp (benchmark)",
            user=user,
        )
    return review


def measure_review(
    *, client: Client, user, term: Term, overview_ms: float | None, size: str, repeat: int = 3
) -> ReviewFigures:
    """Time the adoption (median of `repeat` runs) and read the adopted page once warmed."""
    review = _end_of_term_review(term, user)
    timings = []
    for _run in range(max(1, repeat)):
        if review.is_adopted:
            review = review_reopen(review=review, user=user, reason="benchmark")
        started = time.perf_counter()
        review = review_adopt(review=review, user=user)
        timings.append((time.perf_counter() - started) * 1000)

    url = review.get_absolute_url()
    # A large size's adoption may outlast the session's idle limit (SESSION_IDLE_MINUTES).
    client.force_login(user)

    def page() -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    page()  # warm
    page_timings = []
    for _run in range(max(1, repeat)):
        started = time.perf_counter()
        page()
        page_timings.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        page()
    return ReviewFigures(
        size=size,
        scopes=Snapshot.objects.filter(review=review).count(),
        adopt_ms=statistics.median(timings),
        overview_ms=overview_ms,
        page_ms=statistics.median(page_timings),
        page_queries=len(queries),
    )


def review_lines(figures: list[ReviewFigures]) -> list[str]:
    """A line per size, then the adopted page's queries at each size (constant or not)."""
    if not figures:
        return []
    counts = " ".join(f"{entry.size}={entry.page_queries}" for entry in figures)
    constant = len({entry.page_queries for entry in figures}) == 1
    verdict = "constant" if constant else "NOT constant"
    return [
        *(str(entry) for entry in figures),
        f"review page queries: {counts} ({verdict})",
    ]
