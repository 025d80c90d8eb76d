"""Reviews in the admin: set up and read; an adopted review and its explanations are read-only.

Adoption and reopening are done on the review's page (they need the live
figures, the list of what is missing and a reason); the admin only shows
them. Rows are scoped like the rest: a review by its term's committee,
an explanation by the unit it explains.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from indicators.admin import TermScopedMixin
from indicators.models import Term
from indicators.selectors import terms_visible_to
from reviews.models import Explanation, Review, ReviewState
from units.admin import ScopedHistoryAdmin
from units.selectors import unit_scope_for

FROZEN_FIELDS = ["state", "adopted_by", "adopted_at", "reopen_reason"]


class FrozenWhenAdoptedMixin:
    """No change and no deletion once the review is adopted (the database refuses them too)."""

    def review_of(self, obj) -> Review:
        return obj

    def _adopted(self, obj) -> bool:
        return obj is not None and self.review_of(obj).state == ReviewState.ADOPTED

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._adopted(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._adopted(obj)


@admin.register(Review)
class ReviewAdmin(FrozenWhenAdoptedMixin, TermScopedMixin, ScopedHistoryAdmin):
    list_display = [
        "__str__", "kind", "year", "state", "meeting_date", "document_number", "adopted_by",
        "adopted_at",
    ]  # fmt: skip
    list_filter = [("term", admin.RelatedOnlyFieldListFilter), "kind", "state"]
    list_select_related = ["term", "adopted_by"]
    readonly_fields = FROZEN_FIELDS
    fieldsets = [
        (None, {"fields": ["term", "kind", "year", "meeting_date", "document_number"]}),
        (_("Adoption"), {"fields": FROZEN_FIELDS}),
    ]
    search_fields = ["document_number", "term__name"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Term:
            kwargs["queryset"] = terms_visible_to(unit_scope_for(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Explanation)
class ExplanationAdmin(FrozenWhenAdoptedMixin, ScopedHistoryAdmin):
    scope_path = "unit__path"
    list_display = ["review", "target", "unit", "author", "updated_at"]
    list_filter = [("review", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["review__term", "target", "unit", "author"]
    search_fields = ["causes", "solutions", "target__code", "target__name"]
    fields = ["review", "target", "unit", "causes", "solutions", "author", "updated_at"]
    readonly_fields = ["review", "target", "unit", "author", "updated_at"]

    def review_of(self, obj) -> Review:
        return obj.review

    def has_add_permission(self, request):
        # Explanations are written on the review's page, beside the figures.
        return False

    def save_model(self, request, obj, form, change):
        obj.author = request.user
        super().save_model(request, obj, form, change)
