import pytest
from django.db import IntegrityError, transaction

from reviews.models import Explanation, Review, ReviewKind
from tests.factories import log_in, make_review


def test_an_annual_review_needs_its_year_and_only_one_mid_term_per_term(world):
    """A review's year goes with its kind; a term has one mid-term review."""
    with pytest.raises(IntegrityError), transaction.atomic():
        make_review(world["term"], kind=ReviewKind.ANNUAL)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_review(world["term"], kind=ReviewKind.MID_TERM)
    annual = make_review(world["term"], kind=ReviewKind.ANNUAL, year=2024)
    assert annual.as_of.year == 2024
    assert world["review"].as_of.is_mid_term
    assert str(annual) == f"Đánh giá năm 2024 – {world['term']}"


def test_explanations_in_the_admin_are_scoped_to_the_unit(world, client):
    """A clerk of Alpha finds Alpha's explanation in the admin, never Bravo's."""
    review = world["review"]
    for unit in (world["alpha"], world["bravo"]):
        Explanation.objects.create(
            review=review,
            target=world["trained"],
            unit=unit,
            causes=f"nguyên nhân {unit.name}",
            solutions="giải pháp",
        )
    log_in(client, "alpha", "a-long-test-password")
    page = client.get("/admin/reviews/explanation/").content.decode()
    assert "Alpha" in page
    assert "Bravo" not in page
    bravo = Explanation.objects.get(unit=world["bravo"])
    assert client.get(f"/admin/reviews/explanation/{bravo.pk}/change/").status_code == 302


def test_leaders_read_reviews_in_the_admin_and_change_nothing(world, client):
    """A leader sees the review in the admin, read-only."""
    log_in(client, "lanhdao", "a-long-test-password")
    response = client.get(f"/admin/reviews/review/{world['review'].pk}/change/")
    assert response.status_code == 200
    assert 'name="document_number"' not in response.content.decode()
    assert Review.objects.count() == 1
