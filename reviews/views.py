"""The review pages: live figures while preparing; adopted ones, with later changes marked, after.

Every page needs a login and shows only the scopes of the user's subtree: the
committee and the units directly below it (a unit's clerk sees their unit).
A review or scope the user may not see is a 404; a write they may not make a 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from indicators.engine import Progress, TargetProgress
from reports.selection import int_param
from reviews.models import Explanation, Review
from reviews.selectors import (
    Adjustment,
    adjustments,
    explanations_for,
    explanations_missing,
    frozen_progress,
    needs_explanation,
    review_live,
    review_scopes,
    reviews_visible_to,
    scope_unit_for,
    user_may_explain,
)
from reviews.services import (
    ExplanationsMissing,
    ReviewFrozen,
    explanation_save,
    review_adopt,
    review_reopen,
)
from units.models import Unit


def review_for(request, pk: int) -> Review:
    review = reviews_visible_to(request.user).filter(pk=pk).first()
    if review is None:
        raise Http404(_("This review does not exist or is not yours to see."))
    return review


def scope_for(request, review: Review, unit_pk: int | None = None) -> Unit:
    unit_id = unit_pk if unit_pk is not None else int_param(request, "unit")
    scope = scope_unit_for(review=review, user=request.user, unit_id=unit_id)
    if scope is None:
        raise Http404(_("This unit does not exist or is outside your scope."))
    return scope


@dataclass(frozen=True)
class ReviewLine:
    """A target on a review page: its figures, explanation and any later change."""

    row: TargetProgress
    explanation: Explanation | None
    adjustment: Adjustment | None
    needs_explanation: bool

    @property
    def phrases(self) -> dict[str, str]:
        return getattr(self.row, "frozen_phrases", {})


@dataclass(frozen=True)
class ReviewFigures:
    """What a page or file shows of one scope: adopted figures (or live ones while preparing)."""

    review: Review
    scope: Unit
    progress: Progress
    lines: list[ReviewLine]

    @property
    def adjusted(self) -> int:
        return sum(line.adjustment is not None for line in self.lines)


def review_figures(review: Review, scope: Unit) -> ReviewFigures:
    """The scope's figures, explanations and later changes (a fixed number of queries)."""
    live = review_live(review=review, scope=scope)
    progress, changes = live, {}
    if review.is_adopted:
        frozen = frozen_progress(review=review, scope=scope)
        if frozen is None:
            raise Http404(_("This unit was not part of the review when it was adopted."))
        progress, changes = frozen, adjustments(frozen=frozen, live=live)
    explained = explanations_for(review=review, scope=scope)
    lines = [
        ReviewLine(
            row=row,
            explanation=explained.get(row.target.pk),
            adjustment=changes.get(row.target.pk),
            needs_explanation=needs_explanation(row) or row.target.pk in explained,
        )
        for row in progress.targets
    ]
    return ReviewFigures(review=review, scope=scope, progress=progress, lines=lines)


@login_required
def review_list(request):
    """Every review of the terms the user reads, newest term first."""
    reviews = reviews_visible_to(request.user).order_by("-term__start_year", "year", "kind")
    return render(request, "reviews/list.html", {"reviews": reviews})


def _may(request, review: Review, permission: str) -> bool:
    allowed = scope_unit_for(review=review, user=request.user, unit_id=None)
    return request.user.has_perm(permission) and allowed == review.committee


@login_required
def review_detail(request, pk: int, unit_pk: int | None = None):
    """A scope of the review: its table, the explanations, and the review's other scopes."""
    review = review_for(request, pk)
    scope = scope_for(request, review, unit_pk)
    figures = review_figures(review, scope)
    may_explain = not review.is_adopted and user_may_explain(
        user=request.user, review=review, unit=scope
    )
    errors: dict[int, str] = {}
    if request.method == "POST":
        if not may_explain:
            raise PermissionDenied
        errors = _save_explanations(request, review, scope, figures)
        if not errors:
            messages.success(request, _("The explanations have been saved."))
            return HttpResponseRedirect(request.get_full_path())
    is_committee = scope.pk == review.committee.pk
    missing = []
    if is_committee and not review.is_adopted:
        missing = explanations_missing(review=review, progress=figures.progress)
    context = {
        "review": review,
        "term": review.term,
        "scope": scope,
        "figures": figures,
        "is_committee": is_committee,
        "scopes": review_scopes(review=review, user=request.user),
        "may_explain": may_explain,
        "may_adopt": not review.is_adopted and _may(request, review, "reviews.adopt_review"),
        "may_reopen": review.is_adopted and _may(request, review, "reviews.reopen_review"),
        "missing": missing,
        "entries": _entries(request, figures, errors),
        "explanation_errors": errors,
        "form_error": errors.get(FORM_ERROR),
    }
    return render(request, "reviews/detail.html", context)


def _entries(request, figures: ReviewFigures, errors: dict[int, str]) -> list[dict]:
    """The explanation boxes: what was posted (after an error) or what is stored."""
    entries = []
    for line in figures.lines:
        if not line.needs_explanation:
            continue
        target_id = line.row.target.pk
        stored = line.explanation
        if request.method == "POST":
            causes = request.POST.get(f"causes-{target_id}", "")
            solutions = request.POST.get(f"solutions-{target_id}", "")
        else:
            causes = stored.causes if stored else ""
            solutions = stored.solutions if stored else ""
        entries.append(
            {
                "line": line,
                "causes": causes,
                "solutions": solutions,
                "error": errors.get(target_id),
            }
        )
    return entries


# The key of an error of the whole form (the review was adopted meanwhile) among the targets' ids.
FORM_ERROR = 0


def _save_explanations(request, review, scope, figures: ReviewFigures) -> dict[int, str]:
    """Every explanation of the form in one transaction, or none: errors by target id."""
    errors: dict[int, str] = {}
    try:
        with transaction.atomic():
            for line in figures.lines:
                if not line.needs_explanation:
                    continue
                target_id = line.row.target.pk
                causes = request.POST.get(f"causes-{target_id}", "")
                solutions = request.POST.get(f"solutions-{target_id}", "")
                if not causes.strip() and not solutions.strip():
                    continue
                try:
                    explanation_save(
                        review=review,
                        unit=scope,
                        target=review.term.targets.get(pk=target_id),
                        causes=causes,
                        solutions=solutions,
                        user=request.user,
                    )
                except ValidationError as error:
                    errors[target_id] = " ".join(error.messages)
            if errors:
                transaction.set_rollback(True)
    except ReviewFrozen as error:
        errors[FORM_ERROR] = str(error)
    return errors


def _date(raw: str):
    from datetime import datetime

    raw = raw.strip()
    if not raw:
        return None
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(raw, pattern).date()  # noqa: DTZ007 (a calendar date)
        except ValueError:
            continue
    raise ValidationError(_("Write the meeting date as dd/mm/yyyy."))


@login_required
@require_POST
def review_adopt_view(request, pk: int):
    review = review_for(request, pk)
    url = reverse("reviews:detail", args=[review.pk])
    try:
        review_adopt(
            review=review,
            user=request.user,
            meeting_date=_date(request.POST.get("meeting_date", "")),
            document_number=request.POST.get("document_number", ""),
        )
    except (ExplanationsMissing, ReviewFrozen) as error:
        messages.error(request, str(error))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The review has been adopted; its figures are now frozen."))
    return HttpResponseRedirect(url)


@login_required
@require_POST
def review_reopen_view(request, pk: int):
    review = review_for(request, pk)
    try:
        review_reopen(review=review, user=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The review has been reopened; the reason is in its history."))
    return HttpResponseRedirect(reverse("reviews:detail", args=[review.pk]))
