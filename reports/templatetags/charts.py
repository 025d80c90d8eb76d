"""Charts drawn on the server as inline SVG: no script, no CDN, prints as drawn.

They draw the engine's per-year series (`TargetProgress.years`) and completion;
numbers in labels go through the same formatting filters as the tables.
"""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from indicators.engine import TargetProgress
from reports.templatetags.progress import figure, percent, status_css

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

    The small version is a sparkline for a card; the detailed one (target
    page) labels each bar with its year and figure.
    """
    years = row.years
    if not years:
        return ""
    width, height = (640, 240) if detailed else (160, 44)
    top_pad, bottom_pad = (28, 26) if detailed else (4, 4)
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
        if detailed:
            parts.append(
                format_html(
                    '<text class="year" x="{}" y="{}">{}</text>',
                    _n(x + bar / 2),
                    _n(height - 8),
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
