"""Vietnamese (or English) presentation of the engine's figures: "3.728", "129,9%"."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal
from html import escape

from django import template
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from indicators.engine import MET_STATUSES, Status, TargetProgress
from indicators.models import Direction, Measure

register = template.Library()

STATUS_CSS = {
    Status.EXCEEDED: "exceeded",
    Status.MET: "met",
    Status.NOT_YET_MET: "not-yet-met",
    Status.NOT_MET: "not-met",
    Status.NO_DATA: "no-data",
    Status.NOT_APPLICABLE: "no-data",
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
        return f"{fraction} ({num(shown_level(row, row.actual, row.expected))}%)"
    return fraction


def shown_level(row: TargetProgress, level, required) -> Decimal:
    """A percentage level to one decimal, rounded half up, except that a failed level
    stays on its side of the required one (89,96% against ≥ 90% reads 89,9%)."""
    shown = Decimal(level).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if row.status in MET_STATUSES or required is None:
        return shown
    at_most = row.target.direction == Direction.AT_MOST
    if (shown <= required) if at_most else (shown >= required):
        toward = ROUND_UP if at_most else ROUND_DOWN
        shown = Decimal(level).quantize(Decimal("0.1"), rounding=toward)
    return shown


def _rate(row: TargetProgress) -> Decimal:
    """The completion in whole percent, never rounded across 100% against the status."""
    rate = Decimal(row.completion) * 100
    if row.status not in MET_STATUSES:
        # 99,6% of the way is not "đạt 100%" beside "Chưa đạt".
        return min(rounded(rate, 0), Decimal(99))
    if row.status == Status.MET:
        return Decimal(100)
    return rounded(rate, 0)


def level_point(row: TargetProgress) -> tuple[Decimal | None, Decimal | None, object]:
    """The level a percentage target is judged on: the weakest finished year's
    (every-year targets) or the scope's; with that year's point, if any."""
    point = next((p for p in row.years if p.year == row.weakest_year), None)
    if point is not None:
        return point.actual, point.expected, point
    return row.actual, row.expected, None


def how_far(row: TargetProgress) -> Decimal | None:
    """How far along a row is, to sort units by: its completion, or for a target set as
    a percentage (which has no completion) the level the completion phrase shows."""
    if row.target.in_percent:
        actual = level_point(row)[0]
        if actual is not None and row.target.direction == Direction.AT_MOST:
            return -actual
        return actual
    return row.completion


def _level_phrase(row: TargetProgress) -> str:
    """ "83,3% / yêu cầu ≥ 90%": the level reached (the weakest year's, for every-year
    targets) against the level required, rounded as the actual figure is
    (`shown_level`), so that it never seems to pass when it failed."""
    actual, expected, point = level_point(row)
    if actual is None or expected is None:
        return "—"
    at_most = row.target.direction == Direction.AT_MOST
    shown = shown_level(row, actual, expected)
    phrase = _("%(actual)s / required %(sign)s %(expected)s") % {
        "actual": figure(shown, row),
        "sign": "≤" if at_most else "≥",
        "expected": figure(expected, row),
    }
    if point is not None:
        return _("%(year)s: %(phrase)s") % {"year": row.weakest_year, "phrase": phrase}
    return phrase


@register.filter
def completion(row: TargetProgress) -> str:
    """The completion phrase: the one text beside the status on pages, exports and print.

    "đạt 130% (vượt 30%)" for flows (never the press's ambiguous "vượt 130%";
    "vượt" only when the status is Vượt); "83,3% / yêu cầu ≥ 90%" for targets
    set as a percentage; "năm 2023 đạt 95%" for every-year targets (the weakest
    finished year); "thiếu số liệu năm 2024, 2025" when finished years lack a
    figure; "không áp dụng" for 0/0.
    """
    if row.missing_years:
        return _("no data for %(years)s") % {
            "years": ", ".join(str(year) for year in row.missing_years)
        }
    if row.status == Status.NOT_APPLICABLE:
        return _("not applicable")
    if row.target.in_percent:
        return _level_phrase(row)
    if row.completion is None:
        return "—"
    rate = _rate(row)
    if row.status == Status.EXCEEDED and rate > 100:
        phrase = _("achieved %(rate)s%% (exceeded by %(over)s%%)") % {
            "rate": num(rate),
            "over": num(rate - 100),
        }
    else:
        phrase = _("achieved %(rate)s%%") % {"rate": num(rate)}
    if row.weakest_year is not None:
        return _("in %(year)s %(phrase)s") % {"year": row.weakest_year, "phrase": phrase}
    return phrase


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


@register.filter
def expected_label(as_of) -> str:
    """The expected figure's column: "Mức cần đạt đến giữa nhiệm kỳ", "… đến năm 2023"."""
    if as_of.is_mid_term:
        return _("Expected by mid-term")
    if as_of.is_end:
        return _("Expected by the end of term")
    return _("Expected by %(year)s") % {"year": as_of.year}


@register.filter
def person(user) -> str:
    """A user as pages name them: full name, else login name; "—" for nobody."""
    if user is None:
        return "—"
    return user.get_full_name() or user.username


@register.filter
def unit_options(units, selected) -> str:
    """The scope control's <option>s, indented by depth (`reports.views._scope_choices`):
    one pass in plain Python, since a committee may offer thousands of units. The
    names are escaped here, the ids are numbers: the whole is safe."""
    return mark_safe(
        "".join(
            f'<option value="{int(unit.pk):d}"{" selected" if unit.pk == selected.pk else ""}>'
            f"{escape(unit.indent + str(unit))}</option>"
            for unit in units
        )
    )
