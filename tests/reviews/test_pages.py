from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from reviews.models import Explanation, Review, ReviewState, Snapshot
from reviews.services import (
    ExplanationsMissing,
    ReviewFrozen,
    explanation_save,
    review_adopt,
    review_reopen,
)
from tests.factories import log_in, make_review

PASSWORD = "a-long-test-password"


def explain(world, unit=None, target=None, user="clerk"):
    return explanation_save(
        review=world["review"],
        unit=unit or world["root"],
        target=target or world["trained"],
        causes="Thiếu giảng viên",
        solutions="Mở thêm lớp",
        user=world[user],
    )


def adopt(world):
    return review_adopt(review=world["review"], user=world["admin"], document_number="05-BC/ĐU")


def test_the_page_while_preparing_shows_live_figures_and_asks_for_explanations(world, client):
    """The committee's table is live; the unmet target has its boxes; adoption is not ready."""
    log_in(client, "nhaplieu", PASSWORD)
    page = client.get(f"/reviews/{world['review'].pk}/").content.decode()
    assert 'data-target="1"' in page
    assert "60" in page
    assert f'name="causes-{world["trained"].pk}"' in page
    assert f'name="causes-{world["admitted"].pk}"' not in page
    assert 'data-testid="missing"' in page


def test_adoption_is_refused_until_every_unmet_target_is_explained(world):
    """Adoption lists the unexplained targets and freezes nothing."""
    with pytest.raises(ExplanationsMissing) as refused:
        adopt(world)
    assert [row.target.code for row in refused.value.rows] == ["2"]
    assert "2. Bồi dưỡng" in str(refused.value)
    assert not Snapshot.objects.exists()
    assert Review.objects.get().state == ReviewState.PREPARING


def test_explanations_are_written_in_the_page_by_the_scope_clerk(world, client):
    """The clerk's two boxes are saved; one box alone is refused and nothing is saved."""
    log_in(client, "nhaplieu", PASSWORD)
    url = f"/reviews/{world['review'].pk}/"
    key = world["trained"].pk
    refused = client.post(url, {f"causes-{key}": "Thiếu giảng viên", f"solutions-{key}": " "})
    assert refused.status_code == 200
    assert "Không có gì được lưu" in refused.content.decode()
    assert not Explanation.objects.exists()
    saved = client.post(url, {f"causes-{key}": "Thiếu giảng viên", f"solutions-{key}": "Mở lớp"})
    assert saved.status_code == 302
    explanation = Explanation.objects.get()
    assert (explanation.causes, explanation.author.username) == ("Thiếu giảng viên", "nhaplieu")


def test_a_unit_clerk_explains_only_their_unit(world, client):
    """Alpha's clerk sees Alpha's scope only; the committee's page and Bravo's are 404."""
    log_in(client, "alpha", PASSWORD)
    review = world["review"]
    page = client.get(f"/reviews/{review.pk}/")
    assert page.status_code == 200
    assert "Đảng bộ Alpha" in page.content.decode()
    assert "Bravo" not in page.content.decode()
    assert client.get(f"/reviews/{review.pk}/units/{world['root'].pk}/").status_code == 404
    assert client.get(f"/reviews/{review.pk}/units/{world['bravo'].pk}/").status_code == 404
    with pytest.raises(PermissionDenied):
        explain(world, unit=world["bravo"], user="alpha_clerk")


def test_leaders_read_and_cannot_explain_or_adopt(world, client):
    """A leader's page has no boxes and no adoption; a POST is forbidden."""
    log_in(client, "lanhdao", PASSWORD)
    review = world["review"]
    page = client.get(f"/reviews/{review.pk}/").content.decode()
    assert "<textarea" not in page
    assert 'data-testid="adopt"' not in page
    assert client.post(f"/reviews/{review.pk}/", {}).status_code == 403
    assert client.post(f"/reviews/{review.pk}/adopt/", {}).status_code == 403


def test_adoption_freezes_every_scope_with_who_and_when(world, client):
    """The committee and both units are frozen; a later correction leaves the review alone."""
    explain(world)
    adopt(world)
    review = Review.objects.get()
    assert review.state == ReviewState.ADOPTED
    assert review.adopted_by == world["admin"]
    assert review.adopted_at is not None
    assert review.document_number == "05-BC/ĐU"
    assert [s.unit_name for s in review.snapshots.all()] == [
        world["root"].name,
        "Đảng bộ Alpha",
        "Đảng bộ Bravo",
    ]
    committee = review.snapshots.get(position=0)
    admitted = committee.data["targets"][0]
    assert Decimal(admitted["actual"]) == 60
    assert [Decimal(p["actual"]) for p in admitted["years"] if p["actual"]] == [40, 20]
    assert admitted["phrases"]["completion"] == "đạt 120% (vượt 20%)"
    assert (committee.headline_met, committee.headline_total) == (1, 2)


def test_an_adopted_review_refuses_the_services(world):
    """Explaining or adopting again is refused once adopted."""
    explain(world)
    adopt(world)
    with pytest.raises(ReviewFrozen):
        explain(world)
    with pytest.raises(ReviewFrozen):
        adopt(world)


def test_the_database_refuses_a_raw_update_or_delete_of_an_adopted_review(world):
    """Raw ORM writes to an adopted review, its figures or explanations are refused."""
    explain(world)
    adopt(world)
    review = world["review"]
    attempts = [
        lambda: Review.objects.filter(pk=review.pk).update(document_number="99"),
        lambda: Review.objects.filter(pk=review.pk).update(state=ReviewState.PREPARING),
        lambda: Snapshot.objects.filter(review=review).update(data={}),
        lambda: Snapshot.objects.filter(review=review).delete(),
        lambda: Explanation.objects.filter(review=review).update(causes="khác"),
        lambda: Explanation.objects.create(
            review=review, target=world["admitted"], unit=world["root"], causes="x", solutions="y"
        ),
        lambda: Review.objects.filter(pk=review.pk).delete(),
    ]
    for attempt in attempts:
        with pytest.raises(IntegrityError), transaction.atomic():
            attempt()
    assert Review.objects.get().document_number == "05-BC/ĐU"
    assert Snapshot.objects.filter(review=review).count() == 3


def test_the_admin_shows_an_adopted_review_read_only(world, client):
    """No save and no delete in the admin for an adopted review or its explanations."""
    explain(world)
    adopt(world)
    log_in(client, "quantri", PASSWORD)
    review = world["review"]
    page = client.get(f"/admin/reviews/review/{review.pk}/change/").content.decode()
    assert 'name="document_number"' not in page
    posted = {"term": review.term_id, "kind": review.kind, "document_number": "99-BC/ĐU"}
    client.post(f"/admin/reviews/review/{review.pk}/change/", posted)
    assert Review.objects.get().document_number == "05-BC/ĐU"
    delete = client.post(f"/admin/reviews/review/{review.pk}/delete/", {"post": "yes"})
    assert delete.status_code == 403
    explanation = Explanation.objects.get()
    url = f"/admin/reviews/explanation/{explanation.pk}/change/"
    client.post(url, {"causes": "đổi", "solutions": "đổi"})
    assert Explanation.objects.get().causes == "Thiếu giảng viên"


def test_reopening_needs_an_administrator_and_a_reason_kept_in_history(world, client):
    """A reason is required; the review goes back to preparing and its history says why."""
    explain(world)
    adopt(world)
    review = world["review"]
    log_in(client, "lanhdao", PASSWORD)
    assert client.post(f"/reviews/{review.pk}/reopen/", {"reason": "Sai số"}).status_code == 403
    client.logout()
    log_in(client, "quantri", PASSWORD)
    client.post(f"/reviews/{review.pk}/reopen/", {"reason": "  "})
    assert Review.objects.get().state == ReviewState.ADOPTED
    client.post(f"/reviews/{review.pk}/reopen/", {"reason": "Số liệu 2022 của Alpha sai"})
    review.refresh_from_db()
    assert review.state == ReviewState.PREPARING
    assert not Snapshot.objects.filter(review=review).exists()
    latest = review.history.first()
    assert latest.history_change_reason == "Số liệu 2022 của Alpha sai"
    assert latest.history_user.username == "quantri"
    assert review.history.filter(state=ReviewState.ADOPTED).exists()
    with pytest.raises(ValidationError, match="Chỉ mở lại được"):
        review_reopen(review=review, user=world["admin"], reason="lại")


def test_an_import_changes_the_live_figure_and_the_page_marks_it(world, client):
    """A 2022 result re-imported after adoption: the review keeps 60, marks 60 → 65."""
    from indicators.services import results_import

    explain(world)
    adopt(world)
    bravo = world["bravo"]
    report = results_import(
        rows=[{"Mã chỉ tiêu": "1", "Mã đơn vị": bravo.code, "Năm": 2022, "Giá trị": 25}],
        user=world["admin"],
        term=world["term"],
    )
    assert not report.errors
    log_in(client, "lanhdao", PASSWORD)
    review = world["review"]
    page = client.get(f"/reviews/{review.pk}/").content.decode()
    line = page.split('data-target="1"')[1].split("</tr>")[0]
    assert 'data-label="Thực hiện">60<br>' in line
    assert "đã điều chỉnh sau kỳ đánh giá: 60 → 65" in line
    bravo_page = client.get(f"/reviews/{review.pk}/units/{bravo.pk}/").content.decode()
    assert "đã điều chỉnh sau kỳ đánh giá: 20 → 25" in bravo_page
    committee = Snapshot.objects.get(review=review, position=0)
    assert Decimal(committee.data["targets"][0]["actual"]) == 60
    overview = client.get("/").content.decode()
    assert "65" in overview.split('data-target="1"')[1].split("</tr>")[0]


def test_review_pages_run_a_fixed_number_of_queries(world, client, django_assert_max_num_queries):
    """The list, a preparing page and an adopted page each stay within their query budget."""
    log_in(client, "lanhdao", PASSWORD)
    review = world["review"]
    for year in (2021, 2022, 2023, 2024):
        make_review(world["term"], kind="annual", year=year)
    with django_assert_max_num_queries(9):
        assert client.get("/reviews/").status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(f"/reviews/{review.pk}/").status_code == 200
    explain(world)
    adopt(world)
    with django_assert_max_num_queries(22):
        assert client.get(f"/reviews/{review.pk}/").status_code == 200


def test_the_overview_offers_the_adopted_reviews(world, client):
    """Once adopted, the review is linked beside the overview's as-of control."""
    log_in(client, "lanhdao", PASSWORD)
    assert 'data-testid="adopted-reviews"' not in client.get("/").content.decode()
    explain(world)
    adopt(world)
    page = client.get("/").content.decode()
    assert f'href="/reviews/{world["review"].pk}/"' in page
