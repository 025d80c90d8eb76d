"""Every review page and file, and the admin's, as staff of one organisation."""

import io
import zipfile

import pytest

from reviews.models import Explanation, ReviewKind, ReviewState
from tests.factories import log_in, make_review, make_target, make_term
from tests.reviews.test_pages import PASSWORD, adopt, explain

PAGES = ("", "print/", "appendix.docx", "appendix.xlsx", "appendix.csv")


def unzipped(content: bytes) -> str:
    """The text of every part of a .docx or .xlsx (they are zip files of XML)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        parts = [name for name in archive.namelist() if name.endswith((".xml", ".rels"))]
        return "".join(archive.read(name).decode("utf-8") for name in parts)


@pytest.fixture
def bravo_review(world):
    """Bravo's own resolution, with its own review: none of Alpha's business."""
    term = make_term(world["bravo"])
    term.name = "Nghị quyết Bravo"
    term.save()
    make_target(term, code="B1", name="Chỉ tiêu riêng Bravo")
    return make_review(term, kind=ReviewKind.ANNUAL, year=2021)


def test_alpha_reads_only_its_own_scope_of_every_review_page_and_file(world, bravo_review, client):
    """Alpha's clerk: the committee's review through Alpha's scope only; Bravo's
    scope, Bravo's own review and its files are "not found"; adopting is forbidden."""
    explain(world, unit=world["bravo"], user="admin")
    Explanation.objects.filter(unit=world["bravo"]).update(causes="Bravo thiếu giảng viên")
    review = world["review"]
    log_in(client, "alpha", PASSWORD)
    listing = client.get("/reviews/").content.decode()
    assert f'data-review="{review.pk}"' in listing
    assert "Bravo" not in listing
    for path in PAGES:
        own = client.get(f"/reviews/{review.pk}/{path}")
        assert own.status_code == 200, path
        body = b"".join(own.streaming_content) if own.streaming else own.content
        text = unzipped(body) if path.endswith(("docx", "xlsx")) else body.decode("utf-8-sig")
        assert "Bravo" not in text, path
        # Every page and file but the bare CSV table names its scope.
        assert path == "appendix.csv" or "Alpha" in text, path
        for unit in (world["root"], world["bravo"]):
            response = client.get(f"/reviews/{review.pk}/{path}?unit={unit.pk}")
            assert response.status_code == 404, (path, unit)
        assert client.get(f"/reviews/{bravo_review.pk}/{path}").status_code == 404, path
    assert client.get(f"/reviews/{review.pk}/units/{world['bravo'].pk}/").status_code == 404
    assert client.post(f"/reviews/{review.pk}/adopt/").status_code == 403
    assert client.post(f"/reviews/{bravo_review.pk}/adopt/").status_code == 404
    assert client.post(f"/reviews/{bravo_review.pk}/reopen/", {"reason": "x"}).status_code == 404
    assert bravo_review.__class__.objects.get(pk=bravo_review.pk).state == ReviewState.PREPARING


def test_the_admin_lists_only_the_reviews_and_explanations_of_the_users_scope(
    world, bravo_review, client
):
    """In the admin, Alpha's clerk finds the committee's review, never Bravo's."""
    explain(world, unit=world["alpha"], user="alpha_clerk")
    log_in(client, "alpha", PASSWORD)
    reviews = client.get("/admin/reviews/review/").content.decode()
    assert "Nghị quyết Đại hội" in reviews
    assert "Bravo" not in reviews
    assert client.get(f"/admin/reviews/review/{bravo_review.pk}/change/").status_code == 302


def test_a_leader_of_the_committee_reads_every_scope_once_adopted(world, client):
    """The committee's leader opens the committee and each organisation, and each file."""
    explain(world)
    adopt(world)
    review = world["review"]
    log_in(client, "lanhdao", PASSWORD)
    for unit in (world["root"], world["alpha"], world["bravo"]):
        for path in PAGES:
            response = client.get(f"/reviews/{review.pk}/{path}?unit={unit.pk}")
            assert response.status_code == 200, (path, unit)
