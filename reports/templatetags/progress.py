"""Vietnamese (or English) presentation of the engine's figures: "3.728", "129,9%"."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from indicators.engine import Status, TargetProgress
from indicators.models import Measure

register = template.Library()

STATUS_CSS = {
    Status.EXCEEDED: "exceeded",
    Status.MET: "met",
    Status.NOT_YET_MET: "not-yet-met",
    Status.NOT_MET: "not-met",
    Status.NO_DATA: "no-data",
    Status.NO_TARGET: "no-target",
}


def rounded(value: Decimal, places: int) -> Decimal:
    # Django's number_format cuts extra decimals; round half up first.
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@register.filter
def num(value, places=None) -> str:
    """A number in the active language's format; whole numbers without decimals."""
    if value is None or value == "":
        return "—"
    value = Decimal(value)
    if places is None:
        places = 0 if value == value.to_integral_value() else 1
    places = int(places)
    return number_format(rounded(value, places), places, force_grouping=True)


@register.filter
def percent(ratio, places=0) -> str:
    """A ratio (1.2988) as a percentage ("130%")."""
    if ratio is None:
        return "—"
    return f"{num(Decimal(ratio) * 100, places)}%"


@register.filter
def figure(value, row: TargetProgress) -> str:
    """A target's figure in its own terms: a count, or a percentage."""
    if value is None:
        return "—"
    if row.target.in_percent:
        return f"{num(value, 1 if value != value.to_integral_value() else 0)}%"
    return num(value)


@register.filter
def actual(row: TargetProgress) -> str:
    """The actual figure: "2.078", "111/121 (91,7%)", "1.063/1.117 (95,2%)"."""
    if row.actual is None:
        return "—"
    if row.target.measure == Measure.COUNT:
        return num(row.actual)
    fraction = f"{num(row.numerator)}/{num(row.denominator)}"
    if row.target.in_percent:
        return f"{fraction} ({num(rounded(row.actual, 1))}%)"
    return fraction


@register.filter
def completion(row: TargetProgress) -> str:
    """ "đạt 130% (vượt 30%)"; never the press's ambiguous "vượt 130%"."""
    if row.completion is None:
        return "—"
    rate = rounded(row.completion * 100, 0)
    if rate > 100:
        return _("achieved %(rate)s%% (exceeded by %(over)s%%)") % {
            "rate": num(rate),
            "over": num(rate - 100),
        }
    return _("achieved %(rate)s%%") % {"rate": num(rate)}


@register.filter
def status_css(status: str) -> str:
    return STATUS_CSS.get(status, "no-data")


@register.filter
def as_of_label(as_of) -> str:
    """ "Giữa nhiệm kỳ (2,5 năm)", "Năm 2023", "Cuối nhiệm kỳ (2025)"."""
    if as_of.is_mid_term:
        return _("Mid-term (%(years)s years)") % {"years": num(as_of.elapsed)}
    if as_of.is_end:
        return _("End of term (%(year)s)") % {"year": as_of.year}
    return _("Year %(year)s") % {"year": as_of.year}
