from decimal import Decimal

import pytest

from indicators.demo import demo_load
from reviews.models import Review, ReviewKind, ReviewState
from tests.factories import log_in

pytestmark = pytest.mark.django_db
PASSWORD = "demo-password-for-tests"


def test_the_demo_has_the_articles_mid_term_review_adopted_and_one_later_correction(client):
    """9/10 and 2.078 as adopted; `/` unchanged; an organisation's page marks the correction."""
    term = demo_load(password=PASSWORD).term
    demo_load(password=PASSWORD)  # twice: the same reviews
    mid_term = Review.objects.get(term=term, kind=ReviewKind.MID_TERM)
    assert mid_term.state == ReviewState.ADOPTED
    assert Review.objects.get(term=term, kind=ReviewKind.ANNUAL).year == 2024
    committee = mid_term.snapshots.get(position=0)
    assert (committee.headline_met, committee.headline_total) == (9, 10)
    admitted = next(row for row in committee.data["targets"] if row["target"]["code"] == "1")
    assert Decimal(admitted["actual"]) == 2078
    assert sorted(mid_term.explanations.values_list("target__code", flat=True)) == ["10", "CT1.4"]

    log_in(client, "lanhdao", PASSWORD)
    page = client.get(f"/reviews/{mid_term.pk}/").content.decode()
    assert "Nửa nhiệm kỳ còn lại" in page
    assert "đã điều chỉnh" not in page
    overview = client.get("/").content.decode()
    assert "2.078" in overview
    marked = [
        snapshot.unit_id
        for snapshot in mid_term.snapshots.filter(position__in=[1, 2, 3])
        if "đã điều chỉnh sau kỳ đánh giá"
        in client.get(f"/reviews/{mid_term.pk}/units/{snapshot.unit_id}/").content.decode()
    ]
    assert len(marked) == 2
