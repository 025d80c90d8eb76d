"""Writes of a review: explanations, adoption (which freezes it) and reopening."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.engine import TargetProgress
from indicators.models import Target
from reviews.freezing import progress_freeze
from reviews.models import Explanation, Review, ReviewState, ReviewUnlock, Snapshot
from reviews.selectors import (
    explanations_missing,
    review_live,
    review_live_below,
    review_units_below,
    user_may_explain,
)
from units.models import Unit, User
from units.selectors import unit_scope_for


class ReviewFrozen(Exception):
    """The review is adopted: nothing of it changes until an administrator reopens it."""

    def __str__(self) -> str:
        return _("This review has been adopted and is frozen; an administrator may reopen it.")


@dataclass
class ExplanationsMissing(Exception):
    """Adoption refused: these targets of the committee are unmet and unexplained."""

    rows: Sequence[TargetProgress]

    def __str__(self) -> str:
        names = "; ".join(f"{row.target.code}. {row.target.name}" for row in self.rows)
        message = _("Every target not met or without data needs its causes and solutions: %(list)s")
        return message % {"list": names}


def _refuse_if_adopted(review: Review) -> None:
    # The stored state, not the caller's copy: it may have been adopted since.
    if Review.objects.filter(pk=review.pk, state=ReviewState.ADOPTED).exists():
        raise ReviewFrozen


def _holds_committee(user: User, review: Review) -> bool:
    scope = unit_scope_for(user)
    return scope is None or review.committee.is_in(scope)


def explanation_save(
    *,
    review: Review,
    unit: Unit,
    target: Target,
    causes: str,
    solutions: str,
    user: User,
) -> Explanation:
    """Write (or rewrite) the causes and solutions of one target of one scope."""
    _refuse_if_adopted(review)
    if not user_may_explain(user=user, review=review, unit=unit):
        raise PermissionDenied
    causes, solutions = causes.strip(), solutions.strip()
    if not causes or not solutions:
        raise ValidationError(_("Write both the causes and the solutions."))
    if target.term_id != review.term_id:
        raise ValidationError(_("This target is not one of the review's term."))
    explanation, _created = Explanation.objects.update_or_create(
        review=review,
        unit=unit,
        target=target,
        defaults={"causes": causes, "solutions": solutions, "author": user},
    )
    return explanation


@transaction.atomic
def review_adopt(
    *,
    review: Review,
    user: User,
    meeting_date: date | None = None,
    document_number: str | None = None,
) -> Review:
    """Adopt the review: freeze the engine's figures of every scope, with who and when.

    Refused while a target of the committee that is not met (or lacks data)
    has no explanation (`ExplanationsMissing`, naming them), and for a review
    already adopted (`ReviewFrozen`).
    """
    review = Review.objects.select_for_update().select_related("term__root_unit").get(pk=review.pk)
    _refuse_if_adopted(review)
    if not user.has_perm("reviews.adopt_review") or not _holds_committee(user, review):
        raise PermissionDenied
    committee = review_live(review=review, scope=review.committee)
    missing = explanations_missing(review=review, progress=committee)
    if missing:
        raise ExplanationsMissing(missing)
    units = review_units_below(review=review)
    below = review_live_below(review=review, committee=committee, units=units)
    scopes = [(review.committee, committee), *zip(units, below, strict=True)]
    Snapshot.objects.filter(review=review).delete()
    Snapshot.objects.bulk_create(
        Snapshot(
            review=review,
            unit=unit,
            position=position,
            unit_name=unit.name,
            headline_met=progress.headline.met,
            headline_total=progress.headline.total,
            data=progress_freeze(progress),
        )
        for position, (unit, progress) in enumerate(scopes)
    )
    if meeting_date is not None:
        review.meeting_date = meeting_date
    if document_number is not None:
        review.document_number = document_number.strip()
    review.state = ReviewState.ADOPTED
    review.adopted_by = user
    review.adopted_at = timezone.now()
    review._change_reason = _("Adopted")
    review._history_user = user
    review.save()
    return review


@transaction.atomic
def review_reopen(*, review: Review, user: User, reason: str) -> Review:
    """Reopen an adopted review (administrators only), with the reason kept in its history.

    Its frozen figures are dropped; the explanations stay, to be revised, and a
    new adoption freezes the figures of that day.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give the reason for reopening the review."))
    review = Review.objects.select_for_update().get(pk=review.pk)
    if not user.has_perm("reviews.reopen_review") or not _holds_committee(user, review):
        raise PermissionDenied
    if review.state != ReviewState.ADOPTED:
        raise ValidationError(_("Only an adopted review can be reopened."))
    # The only way past the database's guard (migration 0002): for this review,
    # within this transaction.
    unlock = ReviewUnlock.objects.create(review=review)
    Snapshot.objects.filter(review=review).delete()
    review.state = ReviewState.PREPARING
    review.adopted_by = None
    review.adopted_at = None
    review.reopen_reason = reason
    review._change_reason = reason
    review._history_user = user
    review.save()
    unlock.delete()
    return review
