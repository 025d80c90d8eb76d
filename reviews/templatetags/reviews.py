"""Template tags other apps' pages use to offer reviews (no Python import of reviews there)."""

from django import template

from reviews.models import Review

register = template.Library()


@register.simple_tag
def adopted_reviews(term):
    """The term's adopted reviews, for the overview's as-of control (one query)."""
    return list(Review.objects.adopted().filter(term=term).order_by("year", "kind"))
