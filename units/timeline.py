"""A unit's timeline in one line: "thành lập 2018 · chuyển từ X sang Y 01/2023 · …"."""

from __future__ import annotations

from django.utils.translation import gettext as _

from units.models import EventKind, Unit, UnitEvent


def _phrase(event: UnitEvent) -> str:
    others = ", ".join(str(unit) for unit in event.others.all())
    words = {
        EventKind.MOVE: _("moved from %(from)s to %(to)s"),
        EventKind.DISSOLVE: _("dissolved"),
        EventKind.MERGE: _("merged into %(to)s")
        if event.to_unit_id
        else _("merged with %(others)s"),
        EventKind.SPLIT: _("split into %(others)s"),
        EventKind.RENAME: _("renamed (formerly %(old)s)"),
        EventKind.FOUNDED: _("founded from %(from)s")
        if event.from_unit_id
        else _("founded from %(others)s"),
    }[event.kind] % {
        "from": event.from_unit or "—",
        "to": event.to_unit or "—",
        "others": others or "—",
        "old": event.old_name,
    }
    phrase = f"{words} {event.date:%m/%Y}"
    if event.decision_number:
        phrase += " " + _("under decision no. %(number)s") % {"number": event.decision_number}
    return phrase


def unit_timeline(unit: Unit) -> list[str]:
    """The unit's founding and each recorded event, oldest first (two queries)."""
    lines = []
    if unit.founded_on is not None:
        lines.append(_("founded %(year)s") % {"year": unit.founded_on.year})
    events = (
        UnitEvent.objects.filter(unit=unit)
        .select_related("from_unit", "to_unit")
        .prefetch_related("others")
        .order_by("date", "pk")
    )
    lines.extend(_phrase(event) for event in events)
    return lines
