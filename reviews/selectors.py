"""Reads of reviews: who sees which scope, live and frozen progress, what is unexplained."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from indicators.engine import (
    Progress,
    Status,
    TargetProgress,
    term_progress,
    term_progress_below,
)
from indicators.selectors import terms_visible_to
from reviews.freezing import progress_thaw
from reviews.models import Explanation, Review, Snapshot
from units.models import Unit, User
from units.selectors import in_term_tree, term_tree_children, unit_scope_for

# The statuses a meeting must explain: not met, not yet met, no data.
NEEDS_EXPLANATION = frozenset({Status.NOT_MET, Status.NOT_YET_MET, Status.NO_DATA})


def reviews_visible_to(user: User) -> QuerySet[Review]:
    """Reviews of the terms the user reads (their committee holds the user's unit)."""
    terms = terms_visible_to(unit_scope_for(user))
    return Review.objects.filter(term__in=terms).select_related("term__root_unit", "adopted_by")


def needs_explanation(row: TargetProgress) -> bool:
    return row.status in NEEDS_EXPLANATION


def review_units_below(*, review: Review) -> list[Unit]:
    """The units directly below the committee that the review covers, in tree order."""
    return list(
        term_tree_children(review.committee).filter(is_active=True).order_by("order", "name")
    )


def unit_visible(*, user: User, unit: Unit, committee: Unit | None = None) -> bool:
    """Whether `unit` lies in the user's subtree (in the tree the terms of `committee`
    read, when given: an ended committee's units may since have moved)."""
    scope = unit_scope_for(user)
    if scope is None:
        return True
    return in_term_tree(unit, scope, committee) if committee else unit.is_in(scope)


def user_may_explain(*, user: User, review: Review, unit: Unit) -> bool:
    """Clerks and reviewers (and administrators) explain the scopes of their own subtree."""
    return (
        user.has_perm("reviews.add_explanation")
        and user.has_perm("reviews.change_explanation")
        and unit_visible(user=user, unit=unit, committee=review.committee)
    )


def review_live(*, review: Review, scope: Unit) -> Progress:
    return term_progress(term=review.term, as_of=review.as_of, scope=scope)


def review_live_below(*, review: Review, committee: Progress, units: list[Unit]) -> list[Progress]:
    """For each unit, what `term_progress(scope=unit)` returns, read once for all units
    (the engine's `term_progress_below`); `tests/reviews` checks it against `term_progress`."""
    return term_progress_below(
        term=review.term,
        as_of=review.as_of,
        targets=[row.target for row in committee.targets],
        units=units,
    )


@dataclass(frozen=True)
class ScopeEntry:
    """A scope of a review in its list: the committee or a unit directly below it."""

    unit: Unit
    is_committee: bool
    explained: int
    snapshot: Snapshot | None = None


def review_scopes(*, review: Review, user: User) -> list[ScopeEntry]:
    """The review's scopes the user may see, with their adopted counts (three queries)."""
    allowed = unit_scope_for(user)
    units = [review.committee, *review_units_below(review=review)]
    if allowed is not None:
        units = _within(units, allowed=allowed, committee=review.committee)
    explained = dict(
        Explanation.objects.filter(review=review, unit__in=units)
        .values_list("unit_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    snapshots = {}
    if review.is_adopted:
        snapshots = {
            snapshot.unit_id: snapshot
            for snapshot in Snapshot.objects.filter(review=review, unit__in=units).defer("data")
        }
    return [
        ScopeEntry(
            unit=unit,
            is_committee=unit.pk == review.committee.pk,
            explained=explained.get(unit.pk, 0),
            snapshot=snapshots.get(unit.pk),
        )
        for unit in units
    ]


def _within(units: list[Unit], *, allowed: Unit, committee: Unit) -> list[Unit]:
    """The review's scopes (the committee, the units below it) in the user's subtree.

    A user below the committee (in the tree its terms read, also one it had on its
    last day) sees their own unit's; above it, every one; a successor's user reads a
    committee that has ended whole (whoever reads the review reads its term).
    """
    if committee.is_in(allowed):
        return units
    if in_term_tree(allowed, committee, committee):
        return [unit for unit in units if unit.pk == allowed.pk or unit.is_in(allowed)]
    return units if committee.ended_on is not None else []


def scope_unit_for(*, review: Review, user: User, unit_id: int | None) -> Unit | None:
    """The scope a request names (the user's top scope by default), if the user may see it."""
    allowed = unit_scope_for(user)
    committee = review.committee
    # Above the committee, or a successor's user reading a committee that has ended.
    whole = (
        allowed is None
        or committee.is_in(allowed)
        or (committee.ended_on is not None and not in_term_tree(allowed, committee, committee))
    )
    if unit_id is None:
        if whole:
            return committee
        unit_id = allowed.pk
    below = term_tree_children(committee).values("pk")
    unit = Unit.objects.filter(pk=unit_id).filter(Q(pk=committee.pk) | Q(pk__in=below)).first()
    if unit is None or not (whole or unit_visible(user=user, unit=unit, committee=committee)):
        return None
    return unit


def frozen_progress(*, review: Review, scope: Unit) -> Progress | None:
    snapshot = Snapshot.objects.filter(review=review, unit=scope).first()
    if snapshot is None:
        return None
    return progress_thaw(snapshot.data, term=review.term, scope=scope)


def explanations_for(*, review: Review, scope: Unit) -> dict[int, Explanation]:
    """The scope's explanations by target id."""
    return {
        explanation.target_id: explanation
        for explanation in Explanation.objects.filter(review=review, unit=scope).select_related(
            "author"
        )
    }


def explanations_missing(*, review: Review, progress: Progress) -> list[TargetProgress]:
    """The scope's targets that need an explanation and have none."""
    explained = set(
        Explanation.objects.filter(review=review, unit=progress.scope).values_list(
            "target_id", flat=True
        )
    )
    return [
        row for row in progress.targets if needs_explanation(row) and row.target.pk not in explained
    ]


@dataclass(frozen=True)
class Adjustment:
    """A frozen figure that the live figures no longer give (a later correction)."""

    adopted: str
    live: str


def adjustments(*, frozen: Progress, live: Progress) -> dict[int, Adjustment]:
    """Per target id: the adopted and live figure, where they now differ."""
    from reports.templatetags.progress import actual

    live_rows = {row.target.pk: row for row in live.targets}
    changes = {}
    for row in frozen.targets:
        now = live_rows.get(row.target.pk)
        if now is None:
            continue
        if (row.actual, row.numerator, row.denominator) != (
            now.actual,
            now.numerator,
            now.denominator,
        ):
            changes[row.target.pk] = Adjustment(adopted=actual(row), live=actual(now))
    return changes
