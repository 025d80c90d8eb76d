"""The demo's reviews: the seed article's mid-term review, adopted, then one later correction.

The explanations of the two unmet targets take the article's own words. The
correction moves three admissions of 2022 from one organisation to another:
the committee's figures (and so `/`) stay the article's, while the review of
each of the two organisations shows "đã điều chỉnh sau kỳ đánh giá". The
annual review of 2024 is left in preparation.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import F

from indicators.models import Result, Term
from indicators.rollup import rollup_refresh_term
from reviews.models import Review, ReviewKind, ReviewState
from reviews.services import explanation_save, review_adopt, review_reopen
from units.models import Unit

RELOAD_REASON = "Nạp lại dữ liệu minh họa"
EXPLANATIONS = {
    "10": (
        "Một tổ chức cơ sở đảng không hoàn thành nhiệm vụ năm 2022 (minh họa); việc lãnh đạo, "
        "chỉ đạo ở một số cấp ủy cơ sở chưa sâu sát.",
        "Nửa nhiệm kỳ còn lại, tiếp tục nâng cao năng lực lãnh đạo, sức chiến đấu của Đảng bộ; "
        "phát huy vai trò tiên phong, gương mẫu, trách nhiệm, sáng tạo của đội ngũ cán bộ, "
        "đảng viên.",
    ),
    "CT1.4": (
        "1.063/1.117 bí thư chi bộ và cấp ủy viên cơ sở được bồi dưỡng nghiệp vụ công tác "
        "xây dựng đảng; còn 54 đồng chí chưa được bồi dưỡng.",
        "Tiếp tục mở lớp bồi dưỡng nghiệp vụ công tác xây dựng đảng cho bí thư chi bộ, cấp ủy "
        "viên cơ sở; nâng cao năng lực lãnh đạo của cấp ủy và chất lượng sinh hoạt chi bộ.",
    ),
}
MOVED = 3


def demo_reviews(*, term: Term, units: list[Unit], **_signal) -> None:
    administrator = get_user_model().objects.get(username="quantri")
    for review in Review.objects.filter(term=term):
        if review.state == ReviewState.ADOPTED:
            review_reopen(review=review, user=administrator, reason=RELOAD_REASON)
        review.delete()
    mid_term = Review.objects.create(term=term, kind=ReviewKind.MID_TERM)
    targets = {target.code: target for target in term.targets.all()}
    for code, (causes, solutions) in EXPLANATIONS.items():
        explanation_save(
            review=mid_term,
            unit=term.root_unit,
            target=targets[code],
            causes=causes,
            solutions=solutions,
            user=administrator,
        )
    mid_term.meeting_date = date(2023, 8, 7)
    mid_term.save()
    review_adopt(review=mid_term, user=administrator, document_number="35-BC/ĐU")
    # The later correction: three admissions of 2022 were entered under the wrong organisation.
    admitted = targets["1"]
    entered = dict(
        Result.objects.filter(target=admitted, unit__in=units, year=2022).values_list(
            "unit_id", "value"
        )
    )
    # Not the first organisation: the clerk's own, whose figures the judgement tests read.
    others = units[1:]
    first = next(unit for unit in others if entered.get(unit.pk, 0) >= MOVED)
    second = next(unit for unit in others if unit != first)
    Result.objects.filter(target=admitted, unit=first, year=2022).update(value=F("value") - MOVED)
    Result.objects.filter(target=admitted, unit=second, year=2022).update(value=F("value") + MOVED)
    rollup_refresh_term(term)
    Review.objects.create(term=term, kind=ReviewKind.ANNUAL, year=2024)
