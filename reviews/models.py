"""Reviews of a term (annual, mid-term, end-of-term) and what their adoption freezes.

A review is prepared on the live figures of the progress engine, then adopted
by a meeting: adoption stores the engine's output (`Snapshot`, one per scope:
the committee and each unit directly below it) and the explanations of the
unmet targets, and from then on neither may change. The database refuses it
too (triggers created in migration 0002), unless `reviews.services.review_reopen`
lifts the guard for one review, with a recorded reason.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from indicators.engine import AsOf, as_of_mid_term, as_of_year
from indicators.models import Target, Term
from units.models import Unit


class ReviewKind(models.TextChoices):
    ANNUAL = "annual", _("Annual review")
    MID_TERM = "mid_term", _("Mid-term review")
    END_OF_TERM = "end_of_term", _("End-of-term review")


class ReviewState(models.TextChoices):
    PREPARING = "preparing", _("Preparing")
    ADOPTED = "adopted", _("Adopted")


class ReviewQuerySet(models.QuerySet):
    def adopted(self) -> ReviewQuerySet:
        return self.filter(state=ReviewState.ADOPTED)


class Review(models.Model):
    """A review of a term's resolution at one point, adopted by a meeting."""

    term = models.ForeignKey(
        Term, verbose_name=_("term"), on_delete=models.PROTECT, related_name="reviews"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ReviewKind.choices)
    year = models.PositiveSmallIntegerField(
        _("year"), null=True, blank=True, help_text=_("Only for an annual review.")
    )
    meeting_date = models.DateField(_("meeting date"), null=True, blank=True)
    document_number = models.CharField(
        _("adopting document"),
        max_length=64,
        blank=True,
        help_text=_("The number of the report or resolution that adopted it, e.g. 05-BC/ĐU."),
    )
    state = models.CharField(
        _("state"), max_length=16, choices=ReviewState.choices, default=ReviewState.PREPARING
    )
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("adopted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    adopted_at = models.DateTimeField(_("adopted at"), null=True, blank=True)
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)

    objects = ReviewQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["term", "year", "kind", "pk"]
        permissions = [
            ("adopt_review", _("Can adopt a review")),
            ("reopen_review", _("Can reopen an adopted review")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=ReviewKind.ANNUAL, year__isnull=False)
                | (~Q(kind=ReviewKind.ANNUAL) & Q(year__isnull=True)),
                name="review_year_only_when_annual",
            ),
            models.UniqueConstraint(
                fields=["term", "year"],
                condition=Q(kind=ReviewKind.ANNUAL),
                name="review_one_annual_per_year",
            ),
            models.UniqueConstraint(
                fields=["term", "kind"],
                condition=~Q(kind=ReviewKind.ANNUAL),
                name="review_one_mid_and_end_per_term",
            ),
            models.CheckConstraint(
                condition=Q(state=ReviewState.PREPARING) | Q(adopted_at__isnull=False),
                name="review_adopted_has_date",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == ReviewKind.ANNUAL:
            return _("Annual review %(year)s – %(term)s") % {"year": self.year, "term": self.term}
        return f"{self.get_kind_display()} – {self.term}"

    def get_absolute_url(self) -> str:
        return reverse("reviews:detail", args=[self.pk])

    def clean(self) -> None:
        if self.kind == ReviewKind.ANNUAL:
            if self.year is None:
                raise ValidationError({"year": _("An annual review needs its year.")})
            if self.term_id and self.year not in self.term.years:
                raise ValidationError(
                    {
                        "year": _("The year must be within the term, from %(first)s to %(last)s.")
                        % {"first": self.term.years[0], "last": self.term.years[-1]}
                    }
                )
        elif self.year is not None:
            raise ValidationError({"year": _("Only an annual review has a year.")})

    @property
    def title(self) -> str:
        """The review without its term: "Đánh giá năm 2024", "Sơ kết giữa nhiệm kỳ"."""
        if self.kind == ReviewKind.ANNUAL:
            return f"{self.get_kind_display()} {self.year}"
        return str(self.get_kind_display())

    @property
    def is_adopted(self) -> bool:
        return self.state == ReviewState.ADOPTED

    @property
    def committee(self) -> Unit:
        return self.term.root_unit

    @property
    def as_of(self) -> AsOf:
        """The point the review looks at: its year, the mid-term point or the term's end."""
        if self.kind == ReviewKind.MID_TERM:
            return as_of_mid_term(self.term)
        if self.kind == ReviewKind.END_OF_TERM:
            return as_of_year(self.term, self.term.end_year)
        return as_of_year(self.term, self.year)


class Explanation(models.Model):
    """Why a target of a scope is not met, and what will be done: discussed at the meeting."""

    review = models.ForeignKey(
        Review, verbose_name=_("review"), on_delete=models.CASCADE, related_name="explanations"
    )
    target = models.ForeignKey(
        Target, verbose_name=_("target"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The scope explained: the committee or a unit directly below it."),
    )
    causes = models.TextField(_("causes"))
    solutions = models.TextField(_("solutions"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("explanation")
        verbose_name_plural = _("explanations")
        ordering = ["review", "unit__path", "target__order", "target_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "target", "unit"], name="explanation_unique_per_scope"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target.code} – {self.unit}"


class Snapshot(models.Model):
    """The engine's figures for one scope of a review, as adopted (`reviews.freezing`)."""

    review = models.ForeignKey(
        Review, verbose_name=_("review"), on_delete=models.CASCADE, related_name="snapshots"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveIntegerField(_("position"), help_text=_("0 is the committee."))
    unit_name = models.CharField(_("unit name"), max_length=255)
    # The counts a list of units shows, without reading the figures.
    headline_met = models.PositiveIntegerField(_("headline targets met"))
    headline_total = models.PositiveIntegerField(_("headline targets"))
    data = models.JSONField(_("figures"))

    class Meta:
        verbose_name = _("adopted figures")
        verbose_name_plural = _("adopted figures")
        ordering = ["review", "position"]
        constraints = [
            models.UniqueConstraint(fields=["review", "unit"], name="snapshot_unique_per_scope"),
        ]

    def __str__(self) -> str:
        return self.unit_name


class ReviewUnlock(models.Model):
    """While a row exists here, the database lets its review's frozen rows change.

    Only `reviews.services.review_reopen` writes one, in the transaction that
    reopens the review, and deletes it before committing.
    """

    review = models.OneToOneField(Review, on_delete=models.CASCADE, primary_key=True)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return str(self.review_id)
