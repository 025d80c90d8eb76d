"""The current filters, for download links next to the dashboard's tables."""

from __future__ import annotations

from django import template

from indicators.engine import Progress

register = template.Library()


@register.simple_tag(takes_context=True)
def export_query(context) -> str:
    """The request's GET filters, with the term, unit and as-of point actually shown.

    The page's `Progress` wins over the query string: on /units/<id>/ the unit
    is in the path, and a wrong `as_of` shows the mid-term point.
    """
    request = context.get("request")
    query = request.GET.copy() if request is not None else None
    progress = context.get("progress")
    if query is None:
        return ""
    if isinstance(progress, Progress):
        query["term"] = str(progress.term.pk)
        query["unit"] = str(progress.scope.pk)
        query["as_of"] = progress.as_of.key
    return query.urlencode()
