"""The target detail's unit table: one row per unit directly below the scope.

The rows come from `indicators.engine.target_breakdown_progress`; the view
filters them, django-tables2 sorts and then paginates that list. The sort keys
are the engine's own figures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tables2.data import TableListData
from django_tables2.utils import OrderBy

from indicators.engine import Status, UnitProgress
from indicators.models import Direction
from reports.templatetags import progress as progress_tags
from reports.templatetags.progress import expected_label
from units.models import Kind, Sector, Unit

# Lagging units first: the order of the default sort.
LAGGING_ORDER = {
    Status.NOT_MET: 0,
    Status.NOT_YET_MET: 1,
    Status.NO_DATA: 2,
    Status.MET: 3,
    Status.EXCEEDED: 4,
    Status.NOT_APPLICABLE: 5,
    Status.NO_TARGET: 6,
}


def breakdown_rows(
    breakdown: Iterable[UnitProgress],
    *,
    sector: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    not_reported: bool = False,
    drill_url: Callable[[Unit], str],
) -> list[dict]:
    """The engine's rows for the units kept by the filters, as table rows.

    Only what sorting needs is computed for every unit; labels and links are
    made by the table for the rows of the page shown.
    """
    kinds = {value: str(label) for value, label in Kind.choices}
    sectors = {value: str(label) for value, label in Sector.choices}
    rows = []
    for entry in breakdown:
        progress = entry.progress
        unit = entry.unit
        if sector and unit.sector != sector:
            continue
        if kind and unit.kind != kind:
            continue
        if status and progress.status != status:
            continue
        if not_reported and progress.reported != 0:
            continue
        rows.append(
            {
                "unit": unit,
                "name": unit.name,
                "kind": kinds.get(unit.kind, unit.kind),
                "sector": sectors.get(unit.sector, unit.sector),
                "progress": progress,
                "actual": progress.actual,
                "expected": progress.expected,
                "completion": progress_tags.how_far(progress),
                "status": LAGGING_ORDER[progress.status],
                "reported": progress.reported,
                "drill_url": partial(drill_url, unit),
            }
        )
    return rows


def _sort_key(value):
    # As django-tables2 compares: an empty figure before any other.
    return (0, 0) if value is None else (1, value)


def lagging_first(progress) -> tuple:
    """The table's default order (status, then how far along) as one sort key."""
    return (LAGGING_ORDER[progress.status], _sort_key(progress_tags.how_far(progress)))


class BreakdownData(TableListData):
    """The unit rows, sorted on their plain values (one key per row, not a comparison
    of accessors per pair), least significant column first as stable sorts."""

    def order_by(self, aliases):
        orders = []
        for alias in aliases:
            bound_column = self.table.columns[OrderBy(alias).bare]
            if alias[0] != bound_column.order_by_alias[0]:
                orders += bound_column.order_by.opposite
            else:
                orders += bound_column.order_by
        for order in reversed(orders):
            name = OrderBy(order).bare
            self.data.sort(key=lambda row: _sort_key(row.get(name)), reverse=order.is_descending)


class UnitBreakdownTable(tables.Table):
    # Cells are rendered in Python (a page shows 25 rows): no template per cell.
    name = tables.Column(verbose_name=_("Unit"))
    kind = tables.Column(verbose_name=_("Kind of unit"))
    sector = tables.Column(verbose_name=capfirst(Unit._meta.get_field("sector").verbose_name))
    actual = tables.Column(
        verbose_name=_("Actual"),
        empty_values=(),
        attrs={"td": {"class": "num", "data-col": "actual"}, "th": {"class": "num"}},
    )
    planned = tables.Column(
        verbose_name=_("Target for the unit"),
        empty_values=(),
        orderable=False,
        attrs={"td": {"class": "num", "data-col": "planned"}, "th": {"class": "num"}},
    )
    expected = tables.Column(
        verbose_name=_("Expected to date"),
        empty_values=(),
        attrs={"td": {"class": "num", "data-col": "expected"}, "th": {"class": "num"}},
    )
    completion = tables.Column(
        verbose_name=_("Completion"),
        empty_values=(),
        attrs={"td": {"data-col": "completion"}},
    )
    status = tables.Column(verbose_name=_("Status"), empty_values=())
    reported = tables.Column(
        verbose_name=_("Units reported"),
        empty_values=(),
        attrs={"td": {"class": "num", "data-col": "reported"}, "th": {"class": "num"}},
    )

    class Meta:
        template_name = "reports/_unit_table.html"
        attrs = {"class": "progress units", "data-testid": "unit-table"}
        row_attrs = {"data-unit": lambda record: record["unit"].code}
        order_by = ("status", "completion")
        empty_text = _("No unit matches these filters.")

    def __init__(self, data, *args, target=None, as_of=None, **kwargs):
        self.target = target
        super().__init__(BreakdownData(data), *args, **kwargs)
        if as_of is not None:
            # "Mức cần đạt đến giữa nhiệm kỳ": the same name as the exports'.
            self.columns["expected"].column.verbose_name = expected_label(as_of)
        # Each cell names its column: on a phone the rows stack into cards (app.css).
        for bound_column in self.columns:
            column = bound_column.column
            column.attrs = {**column.attrs, "td": {**column.attrs.get("td", {})}}
            column.attrs["td"]["data-label"] = str(column.verbose_name)
        self.columns["name"].column.attrs["td"]["class"] = "title"

    def page_rows(self) -> list[SafeString]:
        """The rows of the page shown, as HTML: django-tables2 would resolve each cell's
        accessor, inspect its render method's signature and recompute its column's
        attributes, which cost more than judging every unit. The same cells and
        attributes, each column's worked out once (tests compare the two)."""
        columns = [
            (
                bound.name,
                bound.attrs["td"].as_html(),
                bound.column.empty_values,
                bound.default,
                getattr(self, f"render_{bound.name}", None),
            )
            for bound in self.columns
        ]
        rows = []
        for number, row in enumerate(self.paginated_rows):
            record = row.record
            cells = []
            for name, attrs, empty_values, default, render in columns:
                value = record.get(name)
                if value in empty_values:
                    cell = default
                else:
                    cell = value if render is None else render(record)
                cells.append(format_html("<td {}>{}</td>", attrs, cell))
            rows.append(
                format_html(
                    '<tr data-unit="{}" class="{}">{}</tr>',
                    record["unit"].code,
                    "odd" if number % 2 else "even",
                    # Each cell was escaped by format_html above.
                    mark_safe("".join(cells)),
                )
            )
        return rows

    def render_name(self, record):
        inactive = ""
        if not record["unit"].is_active:
            inactive = format_html(" <small>({})</small>", gettext("inactive"))
        return format_html('<a href="{}">{}</a>{}', record["drill_url"](), record["name"], inactive)

    def render_actual(self, record):
        return progress_tags.actual(record["progress"])

    @staticmethod
    def _bound(progress, value) -> str:
        """A plan or an expected figure; "≤ " before it when lower is better."""
        if value is None:
            return "—"
        prefix = "≤ " if progress.target.direction == Direction.AT_MOST else ""
        return prefix + progress_tags.figure(value, progress)

    def render_planned(self, record):
        return self._bound(record["progress"], record["progress"].planned)

    def render_expected(self, record):
        return self._bound(record["progress"], record["progress"].expected)

    def render_completion(self, record):
        return progress_tags.completion(record["progress"])

    def render_status(self, record):
        status = record["progress"].status
        return format_html(
            '<span class="badge {}" data-col="status">{}</span>',
            progress_tags.status_css(status),
            status.label,
        )

    def render_reported(self, record):
        progress = record["progress"]
        if not progress.in_scope:
            return "—"
        return f"{progress_tags.num(progress.reported)}/{progress_tags.num(progress.in_scope)}"
