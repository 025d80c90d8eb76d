"""Adoption freezes each scope as the engine gives it, in a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.demo import demo_load
from indicators.engine import term_progress
from indicators.models import Combine, Judgement, Measure, Term
from reviews.freezing import progress_freeze
from reviews.models import Review, ReviewKind
from reviews.selectors import explanations_missing, review_live
from reviews.services import explanation_save, review_adopt
from tests.factories import (
    log_in,
    make_quota,
    make_result,
    make_review,
    make_target,
    make_term,
    make_tree,
    make_user,
)
from units import roles
from units.models import Kind, Unit, User
from units.selectors import term_tree_children

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"


def explain_all(review: Review, user) -> None:
    """Causes and solutions for every target of the committee that adoption asks for."""
    committee = review_live(review=review, scope=review.committee)
    for row in explanations_missing(review=review, progress=committee):
        explanation_save(
            review=review,
            unit=review.committee,
            target=row.target,
            causes="Nguyên nhân",
            solutions="Giải pháp",
            user=user,
        )


def test_each_unit_is_frozen_as_the_engine_gives_it_alone():
    """The demo's annual review of 2024: each of the 119 organisations of 2024's tree
    (121 less the one merged and the one dissolved in 2024) has the figures
    `term_progress` gives for that organisation, though adoption reads them all at once."""
    # Read again: the demo's bloc merged into its successor after its term was built.
    term = Term.objects.get(pk=demo_load(password="demo-password-for-tests").term.pk)
    review = Review.objects.get(term=term, kind=ReviewKind.ANNUAL, year=2024)
    administrator = User.objects.get(username="quantri")
    explain_all(review, administrator)
    review_adopt(review=review, user=administrator)
    snapshots = list(review.snapshots.select_related("unit"))
    # The committee's organisations of its last day (it merged into a successor in 2025).
    below = term_tree_children(term.root_unit).filter(is_active=True)
    assert len(snapshots) == 1 + below.count() == 1 + 119
    for snapshot in snapshots:
        alone = term_progress(term=term, as_of=review.as_of, scope=snapshot.unit)
        assert snapshot.data == progress_freeze(alone), snapshot.unit_name


def sized_review(organisations: int, targets: int):
    """A committee with `organisations` organisations (two cells each, one left) and
    `targets` targets of each kind (count with quotas, ratio, yes/no), with results."""
    root, units = make_tree(organisations, cells=2)
    gone = Unit.objects.filter(parent=units[0], kind=Kind.CELL).first()
    gone.is_active = False
    gone.save()
    term = make_term(root)
    kinds = [
        {},
        {"measure": Measure.RATIO, "term_target": 90},
        {"measure": Measure.FLAG, "combine": Combine.LATEST, "judgement": Judgement.FINAL,
         "term_target": 80, "in_percent": True},
    ]  # fmt: skip
    for number in range(targets):
        for kind in kinds:
            target = make_target(term, is_headline=number == 0, **kind)
            for index, unit in enumerate(units):
                if not kind:
                    make_quota(target, unit, 10 + index)
                figure = {
                    Measure.COUNT: {"value": 4 + index},
                    Measure.RATIO: {"numerator": 3 + index % 2, "denominator": 4},
                    Measure.FLAG: {"flag": index % 2 == 0},
                }[target.measure]
                make_result(target, unit, 2021, **figure)
    administrator = make_user(
        f"admin-{organisations}-{targets}", role=roles.ADMINISTRATOR, is_staff=True
    )
    review = make_review(term, kind=ReviewKind.END_OF_TERM)
    explain_all(review, administrator)
    return review, administrator


def test_adoption_runs_the_same_queries_whatever_the_number_of_units():
    """Adopting with 2 or 6 organisations, and 1 or 2 targets of each kind, costs
    queries per target, none per unit; and every scope is frozen as the engine gives it."""
    counts = {}
    for organisations, targets in ((2, 1), (6, 1), (6, 2)):
        review, administrator = sized_review(organisations, targets)
        with CaptureQueriesContext(connection) as queries:
            review_adopt(review=review, user=administrator)
        counts[organisations, targets] = len(queries)
        for snapshot in review.snapshots.select_related("unit"):
            alone = term_progress(term=review.term, as_of=review.as_of, scope=snapshot.unit)
            assert snapshot.data == progress_freeze(alone), snapshot.unit_name
    assert counts[2, 1] == counts[6, 1]
    # Three more targets: three breakdowns of three queries each.
    assert counts[6, 2] - counts[6, 1] == 9


def test_the_adopted_page_runs_the_same_queries_at_two_sizes(client):
    """The review's page, preparing and adopted, costs as many queries with 6
    organisations and 6 targets as with 2 and 3."""
    counts = {}
    for organisations, targets in ((2, 1), (6, 2)):
        review, administrator = sized_review(organisations, targets)
        client.force_login(administrator)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/reviews/{review.pk}/").status_code == 200
        preparing = len(queries)
        review_adopt(review=review, user=administrator)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(f"/reviews/{review.pk}/")
        assert page.status_code == 200
        assert page.content.decode().count('data-target="') == 3 * targets
        counts[organisations, targets] = (preparing, len(queries))
    assert counts[2, 1] == counts[6, 2]


def test_a_leader_reads_the_adopted_page_in_a_fixed_number_of_queries(
    client, django_assert_max_num_queries
):
    """Pinned: the adopted page of a committee stays within its budget as a leader reads it."""
    review, administrator = sized_review(6, 2)
    review_adopt(review=review, user=administrator)
    make_user("leader6", unit=review.committee, role=roles.LEADER, is_staff=True)
    log_in(client, "leader6", PASSWORD)
    with django_assert_max_num_queries(15):
        assert client.get(f"/reviews/{review.pk}/").status_code == 200
