"""The target detail's unit table: one row per unit directly below the scope.

The rows come from `indicators.engine.target_breakdown`; django-tables2 sorts
and paginates that list. The sort keys are the engine's own figures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from indicators.engine import Status, UnitProgress
from units.models import Unit

# Lagging units first: the order of the default sort.
LAGGING_ORDER = {
    Status.NOT_MET: 0,
    Status.NOT_YET_MET: 1,
    Status.NO_DATA: 2,
    Status.MET: 3,
    Status.EXCEEDED: 4,
    Status.NO_TARGET: 5,
}


def breakdown_rows(
    breakdown: Iterable[UnitProgress],
    *,
    unit_ids: set[int],
    status: str | None,
    not_reported: bool,
    drill_url: Callable[[Unit], str],
) -> list[dict]:
    """The engine's rows for the units kept by the filters, as table rows."""
    rows = []
    for entry in breakdown:
        progress = entry.progress
        if entry.unit.pk not in unit_ids:
            continue
        if status and progress.status != status:
            continue
        if not_reported and progress.reported != 0:
            continue
        rows.append(
            {
                "unit": entry.unit,
                "name": entry.unit.name,
                "kind": entry.unit.get_kind_display(),
                "sector": entry.unit.get_sector_display(),
                "progress": progress,
                "actual": progress.actual,
                "expected": progress.expected,
                "completion": progress.completion,
                "status": LAGGING_ORDER[progress.status],
                "reported": progress.reported,
                # Built when a row is shown (the template calls it): a page shows 25.
                "drill_url": partial(drill_url, entry.unit),
            }
        )
    return rows


class UnitBreakdownTable(tables.Table):
    name = tables.TemplateColumn(
        verbose_name=_("Unit"),
        template_code=(
            '<a href="{{ record.drill_url }}">{{ record.name }}</a>'
            "{% if not record.unit.is_active %} <small>({{ inactive }})</small>{% endif %}"
        ),
        extra_context={"inactive": _("inactive")},
    )
    kind = tables.Column(verbose_name=_("Kind of unit"))
    sector = tables.Column(verbose_name=_("Sector"))
    actual = tables.TemplateColumn(
        verbose_name=_("Actual"),
        template_code="{% load progress %}{{ record.progress|actual }}",
        attrs={"td": {"class": "num", "data-col": "actual"}, "th": {"class": "num"}},
    )
    expected = tables.TemplateColumn(
        verbose_name=_("Quota"),
        template_code=(
            "{% load progress %}{% if record.expected is not None %}"
            '{% if record.progress.target.direction == "at_most" %}≤ {% endif %}'
            "{{ record.expected|figure:record.progress }}{% else %}—{% endif %}"
        ),
        attrs={"td": {"class": "num", "data-col": "expected"}, "th": {"class": "num"}},
    )
    completion = tables.TemplateColumn(
        verbose_name=_("Completion"),
        template_code="{% load progress %}{{ record.progress|completion }}",
        attrs={"td": {"data-col": "completion"}},
    )
    status = tables.TemplateColumn(
        verbose_name=_("Status"),
        template_code=(
            '{% load progress %}<span class="badge {{ record.progress.status|status_css }}" '
            'data-col="status">{{ record.progress.status.label }}</span>'
        ),
    )
    reported = tables.TemplateColumn(
        verbose_name=_("Units reported"),
        template_code=(
            "{% load progress %}{% if record.progress.in_scope %}"
            "{{ record.reported|num }}/{{ record.progress.in_scope|num }}{% else %}—{% endif %}"
        ),
        attrs={"td": {"class": "num", "data-col": "reported"}, "th": {"class": "num"}},
    )

    class Meta:
        template_name = "reports/_unit_table.html"
        attrs = {"class": "progress units", "data-testid": "unit-table"}
        row_attrs = {"data-unit": lambda record: record["unit"].code}
        order_by = ("status", "completion")
        empty_text = _("No unit matches these filters.")

    def __init__(self, *args, target=None, **kwargs):
        self.target = target
        super().__init__(*args, **kwargs)
