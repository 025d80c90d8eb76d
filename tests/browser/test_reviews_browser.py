"""The demo's annual review of 2024, from preparation to adoption, then a correction after it."""

import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def thousands(number: int) -> str:
    """2083 as a Vietnamese page writes it: "2.083"."""
    return f"{number:,}".replace(",", ".")


def test_the_annual_review_is_explained_adopted_and_keeps_its_figures(page, browser, demo_site):
    """The administrator sets the meeting in the admin, writes the causes and solutions of
    every target not met, adopts; a clerk then enters a 2024 admission: the review keeps
    the adopted figure and shows today's beside it."""
    from indicators.models import Result, Target
    from reviews.models import Review, ReviewKind
    from units.models import User

    review = Review.objects.get(kind=ReviewKind.ANNUAL, year=2024)
    clerk_unit = User.objects.get(username="nhaplieu").unit
    admitted = Target.objects.get(term=review.term, code="1")
    before = Result.objects.filter(target=admitted, unit=clerk_unit, year=2024).first()
    entered = before.value if before else 0

    # Set up: the meeting's date and the adopting report, in the admin.
    log_in(page, demo_site, "quantri")
    page.goto(f"{demo_site}/reviews/")
    page.get_by_test_id("reviews").get_by_role("link", name="Đánh giá năm 2024").click()
    assert "Đang chuẩn bị" in page.get_by_test_id("review-state").inner_text()
    review_url = page.url
    page.goto(f"{demo_site}/admin/reviews/review/{review.pk}/change/")
    page.fill("input[name=meeting_date]", "20/01/2025")
    page.fill("input[name=document_number]", "42-BC/ĐU")
    page.locator("input[name=_save]").click()
    assert "42-BC/ĐU" in page.locator("#result_list").inner_text()

    # Adoption is refused while targets are unexplained, and names them.
    page.goto(review_url)
    missing = page.get_by_test_id("missing").locator("li").all_inner_texts()
    assert missing
    page.get_by_test_id("adopt-button").click()
    refusal = page.locator(".error[data-testid=message]").inner_text()
    for line in missing:
        assert line.split(" (")[0] in refusal
    assert "Đang chuẩn bị" in page.get_by_test_id("review-state").inner_text()

    # Every box asked for: the causes and the solutions.
    boxes = page.locator("[data-explain]")
    assert boxes.count() == len(missing)
    for index in range(boxes.count()):
        box = boxes.nth(index)
        box.locator("textarea[name^=causes-]").fill(f"Nguyên nhân {index + 1}: chưa sâu sát.")
        box.locator("textarea[name^=solutions-]").fill(f"Giải pháp {index + 1}: đôn đốc.")
    page.get_by_test_id("save-explanations").click()
    assert "Đã lưu giải trình." in page.get_by_test_id("message").inner_text()
    assert page.get_by_test_id("missing").count() == 0

    # Adoption: the meeting's figures are frozen.
    assert page.locator("input[name=meeting_date]").input_value() == "20/01/2025"
    page.get_by_test_id("adopt-button").click()
    assert "Đã thông qua kỳ đánh giá" in page.get_by_test_id("message").inner_text()
    state = page.get_by_test_id("review-state").inner_text()
    assert "Đã thông qua" in state
    assert "42-BC/ĐU" in state
    adopted_cell = page.locator('tr[data-target="1"] [data-col=actual]')
    adopted = int(adopted_cell.inner_text().replace(".", ""))
    assert page.get_by_test_id("adjusted").count() == 0

    # A clerk corrects the organisation's 2024 admissions: five more.
    clerk = browser.new_context(locale="vi-VN").new_page()
    log_in(clerk, demo_site, "nhaplieu")
    clerk.goto(f"{demo_site}/entry/{clerk_unit.pk}/2024/")
    clerk.locator('tr[data-target="1"] input[name$="-value"]').fill(str(entered + 5))
    clerk.get_by_test_id("save").click()
    assert "Đã lưu: 1 kết quả thay đổi." in clerk.get_by_test_id("message").inner_text()
    clerk.context.close()

    # The review keeps its figure and shows today's beside it.
    page.goto(review_url)
    cell = page.locator('tr[data-target="1"] [data-col=actual]')
    marker = f"đã điều chỉnh sau kỳ đánh giá: {thousands(adopted)} → {thousands(adopted + 5)}"
    assert cell.inner_text().splitlines()[0] == thousands(adopted)
    assert cell.get_by_test_id("adjusted").inner_text() == marker
    assert "1 chỉ tiêu" in page.get_by_test_id("adjusted-count").inner_text()
    # The organisation's own page marks its own change too.
    page.goto(f"{review_url}units/{clerk_unit.pk}/")
    assert "→" in page.locator('tr[data-target="1"]').get_by_test_id("adjusted").inner_text()
