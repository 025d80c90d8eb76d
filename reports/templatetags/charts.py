"""Charts drawn on the server as inline SVG: no script, no CDN, prints as drawn.

They draw the engine's per-year series (`TargetProgress.years`) and completion;
numbers in labels go through the same formatting filters as the tables.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from indicators.engine import AsOf, Status, TargetProgress, UnitProgress
from reports.tables import lagging_first
from reports.templatetags.progress import (
    STATUS_CSS,
    completion,
    figure,
    level_point,
    percent,
    status_css,
)

register = template.Library()

PASSED_CSS = {True: "passed", False: "failed", None: "unjudged"}


def _n(number: float) -> str:
    """A coordinate, always with a dot whatever the language."""
    return f"{number:.1f}"


def _scale_top(row: TargetProgress) -> Decimal:
    values = [p.actual for p in row.years if p.actual is not None]
    values += [p.expected for p in row.years if p.expected is not None]
    top = max(values, default=Decimal(0))
    if row.target.in_percent:
        top = max(top, Decimal(100))
    return top or Decimal(1)


@register.simple_tag
def trend_chart(row: TargetProgress, detailed: bool = False):
    """Bars of each year's figure, with the year's expected figure as a tick.

    The small version (a card) labels each bar with its year; the detailed one
    (target page) with its year and figure. The colours are explained by
    `reports/_trend_key.html`.
    """
    years = row.years
    if not years:
        return ""
    width, height = (640, 240) if detailed else (220, 64)
    top_pad, bottom_pad = (28, 26) if detailed else (4, 18)
    plot = height - top_pad - bottom_pad
    slot = width / len(years)
    bar = slot * (0.55 if detailed else 0.6)
    scale = _scale_top(row)
    parts = []
    labels = []
    for index, point in enumerate(years):
        x = index * slot + (slot - bar) / 2
        value_text = figure(point.actual, row)
        expected_text = figure(point.expected, row)
        title = _("%(year)s: %(actual)s (expected %(expected)s)") % {
            "year": point.year,
            "actual": value_text,
            "expected": expected_text,
        }
        labels.append(title)
        if point.actual is not None:
            h = float(point.actual / scale) * plot
            y = top_pad + plot - h
            parts.append(
                format_html(
                    '<rect class="bar {}" x="{}" y="{}" width="{}" height="{}">'
                    "<title>{}</title></rect>",
                    PASSED_CSS[point.passed],
                    _n(x),
                    _n(y),
                    _n(bar),
                    _n(max(h, 1.0)),
                    title,
                )
            )
            if detailed:
                parts.append(
                    format_html(
                        '<text class="value" x="{}" y="{}">{}</text>',
                        _n(x + bar / 2),
                        _n(y - 6),
                        value_text,
                    )
                )
        if point.expected is not None:
            ey = top_pad + plot - float(point.expected / scale) * plot
            parts.append(
                format_html(
                    '<line class="expected" x1="{}" x2="{}" y1="{}" y2="{}"/>',
                    _n(x - slot * 0.12),
                    _n(x + bar + slot * 0.12),
                    _n(ey),
                    _n(ey),
                )
            )
        parts.append(
            format_html(
                '<text class="year" x="{}" y="{}">{}</text>',
                _n(x + bar / 2),
                _n(height - (8 if detailed else 4)),
                str(point.year),
            )
        )
    baseline = format_html(
        '<line class="axis" x1="0" x2="{}" y1="{}" y2="{}"/>',
        width,
        _n(top_pad + plot),
        _n(top_pad + plot),
    )
    label = _("Figures per year") + ": " + "; ".join(labels)
    return format_html(
        '<svg class="trend{}" viewBox="0 0 {} {}" role="img" aria-label="{}" '
        'preserveAspectRatio="xMidYMid meet">{}{}</svg>',
        " detailed" if detailed else "",
        width,
        height,
        label,
        baseline,
        format_html_join("", "{}", ((part,) for part in parts)),
    )


@register.simple_tag
def progress_bar(row: TargetProgress):
    """A bar filled to the completion (full beyond 100%), labelled for screen readers."""
    if row.completion is not None:
        filled = min(float(row.completion), 1.0) * 100
        text = percent(row.completion)
    else:
        filled = 100.0 if row.is_met else 0.0
        text = row.status.label
    return format_html(
        '<div class="bar-track" role="progressbar" aria-valuemin="0" aria-valuemax="100" '
        'aria-valuenow="{}" aria-label="{}"><span class="bar-fill {}" style="width:{}%">'
        "</span></div>",
        _n(filled),
        text,
        status_css(row.status),
        _n(filled),
    )


# Charts of counts by status: the headline ("9 met, 1 not yet met, 0 without data")
# and the units of a target. Drawn with percentages of the page's width, so that
# the text keeps its size at 390 px as at 1366 px.

# Not applicable (0/0) shares the no-data colour in tables; a chart tells them apart.
CHART_CSS = {**STATUS_CSS, Status.NOT_APPLICABLE: "not-applicable"}


@dataclass(frozen=True)
class StatusGroup:
    css: str
    label: str
    count: int


def status_groups(
    rows: Iterable[TargetProgress], *, as_of: AsOf | None = None, judged_only: bool = False
) -> list[StatusGroup]:
    """Counts by status: met or exceeded together; lacking data (nothing entered, or a
    finished year without a figure: the headline's "thiếu số liệu"); then each other
    status that is not met.

    The met, the lagging (not yet met, or not met at the end of the term) and the
    lacking groups are always listed, even at 0; the others only when they occur.
    `judged_only` leaves out the targets without a plan, as the "9/10" count does.
    """
    rows = [row for row in rows if not (judged_only and row.status == Status.NO_TARGET)]
    met = sum(row.is_met for row in rows)
    lacking = sum(row.lacks_data and not row.is_met for row in rows)
    counts = Counter(row.status for row in rows if not (row.is_met or row.lacks_data))
    lagging = Status.NOT_MET if as_of is not None and as_of.is_end else Status.NOT_YET_MET
    groups = [StatusGroup("met", _("Met or exceeded"), met)]
    for status in (Status.NOT_YET_MET, Status.NOT_MET):
        if counts[status] or status == lagging:
            groups.append(StatusGroup(CHART_CSS[status], str(status.label), counts[status]))
    groups.append(StatusGroup("no-data", _("Lacking data"), lacking))
    for status in (Status.NOT_APPLICABLE, Status.NO_TARGET):
        if counts[status]:
            groups.append(StatusGroup(CHART_CSS[status], str(status.label), counts[status]))
    return groups


def _pct(number: float) -> str:
    return f"{number:.2f}%"


def _status_bar(groups: list[StatusGroup], label: str):
    total = sum(group.count for group in groups)
    if not total:
        return ""
    parts = []
    x = 0.0
    for group in groups:
        if not group.count:
            continue
        width = group.count / total * 100
        title = f"{group.label}: {group.count}"
        parts.append(
            format_html(
                '<rect class="seg {}" x="{}" y="0" width="{}" height="28"><title>{}</title></rect>',
                group.css,
                _pct(x),
                _pct(width),
                title,
            )
        )
        if width >= 5:
            parts.append(
                format_html(
                    '<text class="count {}" x="{}" y="19">{}</text>',
                    group.css,
                    _pct(x + width / 2),
                    group.count,
                )
            )
        x += width
    return format_html(
        '<svg class="status-bar" width="100%" height="28" role="img" aria-label="{}">{}</svg>',
        label,
        format_html_join("", "{}", ((part,) for part in parts)),
    )


def _key(groups: list[StatusGroup]):
    return format_html(
        '<ul class="chart-key">{}</ul>',
        format_html_join(
            "",
            '<li data-status="{}"><span class="key {}"></span>{}: <strong>{}</strong></li>',
            ((group.css, group.css, group.label, group.count) for group in groups),
        ),
    )


@register.simple_tag
def status_chart(rows, as_of=None, judged_only=False):
    """A stacked bar of the rows (targets, or units of a target) by status, with
    its key: each colour named with its count."""
    rows = [getattr(row, "progress", row) for row in rows]
    groups = status_groups(rows, as_of=as_of, judged_only=judged_only)
    label = "; ".join(f"{group.label}: {group.count}" for group in groups)
    return format_html(
        '<figure class="status-chart" data-chart="status">{}{}</figure>',
        _status_bar(groups, label),
        _key(groups),
    )


# The units of a target, one bar each: all of them up to UNITS_ALL; beyond, the
# units not meeting it (not met, not yet met, no data), the UNITS_SHOWN lagging most.
UNITS_ALL = 12
UNITS_SHOWN = 10
LAGGING = frozenset({Status.NOT_MET, Status.NOT_YET_MET, Status.NO_DATA})
# A flow's bar is full at 150% of what was expected; its mark is at 100%.
COMPLETION_TOP = Decimal("1.5")


def _unit_bar(row: TargetProgress) -> tuple[float, float | None] | None:
    """The bar's length and the mark of what is required, as parts of the width."""
    if row.target.in_percent:
        # A level against a level, as the completion phrase reads it.
        actual, expected, _point = level_point(row)
        if actual is None:
            return None
        top = Decimal(100)
        mark = float(min(expected / top, Decimal(1))) if expected is not None else None
        return float(min(max(actual, Decimal(0)) / top, Decimal(1))), mark
    if row.completion is None:
        return None
    return float(min(row.completion / COMPLETION_TOP, Decimal(1))), float(1 / COMPLETION_TOP)


@register.simple_tag
def unit_chart(units: list[UnitProgress]):
    """The units below the scope compared on one target: a bar each, coloured by
    status, with a mark where the unit should be by now; named and phrased."""
    if not units:
        return ""
    ranked = sorted(units, key=lambda entry: lagging_first(entry.progress))
    if len(ranked) <= UNITS_ALL:
        shown = ranked
        title = _("Every unit, lagging units first")
    else:
        lagging = [entry for entry in ranked if entry.progress.status in LAGGING]
        shown = lagging[:UNITS_SHOWN]
        if not shown:
            return ""
        if len(shown) < len(lagging):
            title = _("The %(shown)s units lagging most, of %(lagging)s not meeting the target") % {
                "shown": len(shown),
                "lagging": len(lagging),
            }
        else:
            title = _("The units not meeting the target")
    items = []
    for entry in shown:
        row = entry.progress
        phrase = completion(row)
        if phrase == "—":
            phrase = str(row.status.label)
        bar = _unit_bar(row)
        drawing = ""
        if bar is not None:
            length, mark = bar
            drawing = format_html(
                '<rect class="seg {}" x="0" y="2" width="{}" height="14"/>{}',
                CHART_CSS[row.status],
                _pct(length * 100),
                format_html(
                    '<line class="goal" x1="{}" x2="{}" y1="0" y2="18"/>',
                    _pct(mark * 100),
                    _pct(mark * 100),
                )
                if mark is not None
                else "",
            )
        items.append(
            format_html(
                '<li data-unit="{}"><span class="unit-name">{}</span>'
                '<span class="unit-value">{}</span>'
                '<svg class="unit-bar" width="100%" height="18" role="img" aria-label="{}">'
                '<rect class="track" x="0" y="2" width="100%" height="14"/>{}</svg></li>',
                entry.unit.code,
                entry.unit.name,
                phrase,
                f"{entry.unit.name}: {phrase} ({row.status.label})",
                drawing,
            )
        )
    target = units[0].progress.target
    if target.in_percent:
        mark_text = _("the level required")
    else:
        mark_text = _("100% of what is expected by now (the bar is full at 150%)")
    return format_html(
        '<figure class="unit-chart" data-chart="units"><figcaption class="chart-title">{}'
        '</figcaption><ol class="unit-bars">{}</ol>'
        '<p class="chart-key"><span class="key goal-key"></span> {}</p></figure>',
        title,
        format_html_join("", "{}", ((item,) for item in items)),
        mark_text,
    )
