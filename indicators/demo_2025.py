"""The demo's 2025 reorganisation (illustrative, see docs/domain.md, "Nhiệm kỳ của cấp ủy
đã kết thúc").

On 01/07/2025 the demo's bloc committee is merged into a successor committee
(a recorded event, `units.events.unit_merge`, with its decision): the bloc ends
and its grassroots organisations, with the units below them, move to the
successor, which starts the 2025–2030 term with a few targets of the old one
(`onboarding.terms.term_copy`, quotas included; numbered anew, N1…). The
2020–2025 term stays the bloc's: its figures read the organisations the bloc
had on its last day, so the seed's figures stay as they were.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr

from indicators.models import Result, Term
from indicators.rollup import rollup_batch
from onboarding.terms import NewTerm, term_copy
from units.events import unit_merge
from units.models import Kind, Unit, UnitEvent, UnitPeriod, tree_batch

SUCCESSOR_CODE = "CQT"
SUCCESSOR_NAME = "Đảng bộ các cơ quan tỉnh (minh họa)"
REORGANISED_ON = date(2025, 7, 1)
DECISION_NUMBER = "1250-QĐ/TU"
DECISION_DATE = date(2025, 6, 20)
# The old term's targets the successor's term starts with (admissions, training, ratings).
KEPT_TARGETS = ("1", "2", "3", "7", "8")
REVIEWER = "kiemduyet"


def demo_reorganise_2025(term: Term) -> Term:
    """Merge the demo's bloc committee into its successor from 01/07/2025 and start the
    successor's 2025–2030 term; returns that term. A reload first undoes the previous
    reorganisation (`demo_reorganisation_undo`), so that running it twice gives the
    same data."""
    root = Unit.objects.get(pk=term.root_unit_id)
    successor = Unit(
        code=SUCCESSOR_CODE,
        name=SUCCESSOR_NAME,
        kind=Kind.BLOC,
        founded_on=REORGANISED_ON,
        order=1,
        note="Tên minh họa",
    )
    successor.save()
    with rollup_batch():
        unit_merge(
            units=[root],
            into=successor,
            when=REORGANISED_ON,
            decision_number=DECISION_NUMBER,
            decision_date=DECISION_DATE,
        )
    users = get_user_model().objects
    # The reviewer now reviews for the successor (the bloc's users, its leader among
    # them, keep reading its term; a user whose unit has ended approves nothing).
    users.filter(username=REVIEWER, unit=root).update(unit=successor)
    administrator = users.filter(is_superuser=True).order_by("pk").first()
    new_term = term_copy(
        term=term,
        new=NewTerm(
            name="Nghị quyết Đại hội Đảng bộ các cơ quan tỉnh (minh họa)",
            root_unit=successor,
            congress_number=1,
            start_year=2025,
            end_year=2030,
            resolution_number="01-NQ/ĐH",
            resolution_date=date(2025, 9, 25),
        ),
        user=administrator,
        with_quotas=True,
    )
    new_term.is_illustrative = True
    new_term.save(update_fields=["is_illustrative"])
    # A few of the old targets, numbered anew (N1…): a code names one target in the demo.
    new_term.targets.exclude(code__in=KEPT_TARGETS).delete()
    new_term.programmes.filter(targets__isnull=True).delete()
    for target in new_term.targets.all():
        target.code = f"N{target.code}"
        target.save(update_fields=["code"])
    return new_term


@transaction.atomic
@tree_batch()
def demo_reorganisation_undo(root_code: str) -> None:
    """Put the demo's tree back as it stood before the reorganisation: the successor, its
    term and the recorded events go; the organisations are back under the bloc, which
    exists again. Nothing happens when the reorganisation is not there."""
    successor = Unit.objects.filter(code=SUCCESSOR_CODE).first()
    root = Unit.objects.filter(code=root_code).first()
    if successor is None or root is None:
        return
    for new_term in Term.objects.filter(root_unit=successor):
        Result.objects.filter(target__term=new_term).delete()
        new_term.delete()
    get_user_model().objects.filter(unit=successor).update(unit=root)
    moved = list(Unit.objects.descendants(successor).values_list("pk", flat=True))
    UnitPeriod.objects.filter(unit_id__in=moved, start=REORGANISED_ON).delete()
    UnitPeriod.objects.filter(unit_id__in=moved, end=REORGANISED_ON).update(
        end=None, last_year=None
    )
    UnitPeriod.objects.filter(unit=root, end=REORGANISED_ON).update(end=None, last_year=None)
    Unit.objects.filter(pk__in=moved, parent=successor).update(parent=root)
    Unit.objects.filter(pk__in=moved).update(
        path=Concat(Value(root.path), Substr("path", len(successor.path) + 1))
    )
    root.successors.clear()
    Unit.objects.filter(pk=root.pk).update(
        ended_on=None,
        end_year=None,
        end_reason="",
        end_decision_number="",
        end_decision_date=None,
        is_active=True,
    )
    UnitEvent.objects.filter(date=REORGANISED_ON, decision_number=DECISION_NUMBER).delete()
    successor.delete()
