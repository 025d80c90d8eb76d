"""The organisation tree: the committee that owns a resolution and its units.

The tree is a materialised path (as in Wagtail): every unit's `path` is its
parent's path followed by its own id, base-36, in fixed-width steps. A subtree
is then one indexed prefix filter, whatever the depth, and the ancestor of a
unit at any depth is a prefix of its path.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.functions import Concat, Substr
from django.dispatch import Signal
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

STEP = 6

# Sent when units move, change kind or (de)activate: `paths` are the tree paths
# affected, before and after. Summaries kept elsewhere (the results' roll-up)
# rebuild themselves from it.
tree_changed = Signal()

# Sent once units or their placements have been added, changed or removed (in a
# `tree_batch`, once at its end): what is derived from every year's whole tree
# (the engine's unit counts, `indicators.unit_counts`) rebuilds itself from it.
units_changed = Signal()
_batch = threading.local()


def units_touched(**_signal_kwargs) -> None:
    """The tree changed: tell `units_changed` now, or at the end of the batch."""
    if getattr(_batch, "depth", 0):
        _batch.touched = True
        return
    units_changed.send(sender=Unit)


@contextmanager
def tree_batch(*, send: bool = True) -> Iterator[None]:
    """Many tree writes (an event, an import, the demo): `units_changed` once, at the
    end (not at all with `send=False`: a preview, rolled back)."""
    outermost = not getattr(_batch, "depth", 0)
    if outermost:
        _batch.touched = False
    _batch.depth = getattr(_batch, "depth", 0) + 1
    try:
        yield
    finally:
        _batch.depth -= 1
    if outermost and send and _batch.touched:
        units_changed.send(sender=Unit)


ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def path_step(number: int) -> str:
    """Encode an id as one fixed-width, sortable path step."""
    if number < 0 or number >= len(ALPHABET) ** STEP:
        raise ValueError(f"id {number} does not fit in a path step")
    digits = []
    for _position in range(STEP):
        number, remainder = divmod(number, len(ALPHABET))
        digits.append(ALPHABET[remainder])
    return "".join(reversed(digits))


def path_steps(path: str) -> list[str]:
    """The steps of a tree path, top first: one per unit it goes through."""
    return [path[start : start + STEP] for start in range(0, len(path), STEP)]


def path_ids(path: str) -> list[int]:
    """The ids of the units a tree path goes through, top first (`path_step` undone)."""
    return [int(step, len(ALPHABET)) for step in path_steps(path)]


class Kind(models.TextChoices):
    BLOC = "bloc", _("Bloc Party committee")
    GRASSROOTS_COMMITTEE = "grassroots_committee", _("Grassroots Party committee")
    GRASSROOTS_CELL = "grassroots_cell", _("Grassroots Party cell")
    SUB_COMMITTEE = "sub_committee", _("Sub-committee")
    CELL = "cell", _("Party cell")


GRASSROOTS_KINDS = frozenset({Kind.GRASSROOTS_COMMITTEE, Kind.GRASSROOTS_CELL})
CELL_KINDS = frozenset({Kind.GRASSROOTS_CELL, Kind.CELL})
ORGANISATION_KINDS = frozenset(
    {Kind.GRASSROOTS_COMMITTEE, Kind.GRASSROOTS_CELL, Kind.SUB_COMMITTEE, Kind.CELL}
)


class Sector(models.TextChoices):
    AGENCY = "agency", _("Agency")
    PUBLIC_SERVICE = "public_service", _("Public service unit")
    ENTERPRISE = "enterprise", _("Enterprise")


# The start of the placement of a unit whose founding date is not known: before any term.
UNKNOWN_START = date(1900, 1, 1)


class EndReason(models.TextChoices):
    DISSOLVED = "dissolved", _("Dissolved")
    MERGED = "merged", _("Merged into another unit")
    SPLIT = "split", _("Split into other units")
    RENAMED = "renamed", _("Renamed")


class UnitQuerySet(models.QuerySet):
    def subtree(self, unit: Unit) -> UnitQuerySet:
        """The unit and every unit below it: one indexed prefix filter."""
        return self.filter(path__startswith=unit.path)

    def descendants(self, unit: Unit) -> UnitQuerySet:
        return self.subtree(unit).exclude(pk=unit.pk)

    def ancestors(self, unit: Unit) -> UnitQuerySet:
        prefixes = unit.lineage[:-1]
        return self.filter(path__in=prefixes).order_by("path")

    def active(self) -> UnitQuerySet:
        return self.filter(is_active=True)

    def grassroots(self) -> UnitQuerySet:
        return self.filter(kind__in=GRASSROOTS_KINDS)

    def in_tree_order(self) -> UnitQuerySet:
        return self.order_by("path")


class Unit(models.Model):
    name = models.CharField(_("name"), max_length=255)
    code = models.CharField(
        _("code"), max_length=32, unique=True, help_text=_("Short unique code, used in imports.")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    sector = models.CharField(_("sector"), max_length=32, choices=Sector.choices, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    path = models.CharField(_("tree path"), max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), editable=False, default=1)
    order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_(
            "Untick when the unit is dissolved or merged; its past results stay attached to it."
        ),
    )
    note = models.TextField(_("note"), blank=True)
    founded_on = models.DateField(
        _("founded on"), null=True, blank=True, help_text=_("Empty when not known.")
    )
    ended_on = models.DateField(
        _("ended on"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The first day the unit no longer exists (set by a recorded event)."),
    )
    # The year of `ended_on`: the unit is no longer there at the end of it.
    end_year = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    end_reason = models.CharField(
        _("end reason"), max_length=16, choices=EndReason.choices, blank=True, editable=False
    )
    end_decision_number = models.CharField(
        _("decision number"), max_length=64, blank=True, editable=False
    )
    end_decision_date = models.DateField(_("decision date"), null=True, blank=True, editable=False)
    successors = models.ManyToManyField(
        "self",
        verbose_name=_("successors"),
        symmetrical=False,
        blank=True,
        related_name="predecessors",
    )

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        with transaction.atomic():
            if self.pk is None:
                # The path holds the id, which the database gives on insert.
                self.path = f"~{uuid.uuid4().hex}"
                super().save(*args, **kwargs)
                self._set_path()
                super().save(update_fields=["path", "depth"])
                UnitPeriod.open_for([self])
                return
            previous = (
                Unit.objects.filter(pk=self.pk)
                .values_list("path", "parent_id", "kind", "is_active", "founded_on", "end_year")
                .first()
            )
            super().save(*args, **kwargs)
            if previous is None:
                return
            old_path, old_parent, old_kind, was_active, old_founded, old_end = previous
            if old_founded != self.founded_on:
                # The first placement starts with the unit (see `clean` for the limit).
                first = self.periods.order_by("start").first()
                if first is not None:
                    first.start = self.founded_on or UNKNOWN_START
                    first.first_year = first.start.year
                    first.save(update_fields=["start", "first_year"])
                    tree_changed.send(sender=Unit, paths={self.path})
            if old_parent != self.parent_id:
                self._move_subtree(old_path=old_path, record=getattr(self, "_recorded_move", False))
                self._recorded_move = False
            if (old_parent, old_kind, was_active) != (self.parent_id, self.kind, self.is_active):
                tree_changed.send(sender=Unit, paths={old_path, self.path})
            if old_end != self.end_year:
                units_touched()

    def get_absolute_url(self) -> str:
        return reverse("reports:unit", args=[self.pk])

    def clean(self) -> None:
        if self.founded_on and self.pk:
            first = self.periods.order_by("start").first()
            if first is not None and first.end is not None and self.founded_on > first.end:
                raise ValidationError(
                    {"founded_on": _("The unit was already placed in the tree before that date.")}
                )
        if self.parent_id and self.pk:
            parent_path = Unit.objects.filter(pk=self.parent_id).values_list("path", flat=True)
            if parent_path and parent_path[0].startswith(self.path):
                raise ValidationError(
                    {"parent": _("A unit cannot be placed under itself or one of its own units.")}
                )

    @property
    def is_grassroots(self) -> bool:
        return self.kind in GRASSROOTS_KINDS

    @property
    def lineage(self) -> list[str]:
        """The paths of the unit's ancestors and its own, top first."""
        return [self.path[:end] for end in range(STEP, len(self.path) + 1, STEP)]

    def holds_year(self, year: int) -> bool:
        """Whether the unit existed for at least part of a reporting year."""
        if self.founded_on is not None and year < self.founded_on.year:
            return False
        return self.ended_on is None or year <= (self.ended_on - timedelta(days=1)).year

    def is_in(self, ancestor: Unit) -> bool:
        return self.path.startswith(ancestor.path)

    def ancestor_path(self, depth: int) -> str:
        return self.path[: depth * STEP]

    def _set_path(self) -> None:
        parent_path = self.parent.path if self.parent_id else ""
        self.path = parent_path + path_step(self.pk)
        self.depth = len(self.path) // STEP

    def _move_subtree(self, *, old_path: str, record: bool = False) -> None:
        """Give the subtree its new paths. Without `record` (an undated change of the
        parent: a correction) the current placements are corrected in place; a
        recorded move (`units.events`) opens new placements itself."""
        self._set_path()
        Unit.objects.filter(path__startswith=old_path).update(
            path=Concat(models.Value(self.path), Substr("path", len(old_path) + 1)),
            depth=models.F("depth") + (len(self.path) - len(old_path)) // STEP,
        )
        if not record:
            UnitPeriod.objects.filter(path__startswith=old_path, end__isnull=True).update(
                path=Concat(models.Value(self.path), Substr("path", len(old_path) + 1))
            )
            UnitPeriod.objects.filter(unit=self, end__isnull=True).update(parent=self.parent_id)


def placement_years(start: date, end: date | None, *, final: bool) -> tuple[int, int | None]:
    """The reporting years a placement holds: those whose last day (or the unit's
    last day, for the year it ended) falls in it.

    A placement ended by a move on 01/07/2023 holds up to 2022 (2023 counts
    where the unit was on 31/12/2023); the last placement of a unit dissolved on
    01/07/2024 holds 2024 too (the unit existed for part of it), not if dissolved
    on 01/01/2024.
    """
    if end is None:
        return start.year, None
    if final:
        return start.year, (end - timedelta(days=1)).year
    return start.year, end.year - 1


class UnitPeriod(models.Model):
    """Where a unit stood in the tree from `start` until `end` (excluded; open: now).

    A move closes the unit's placement (and those of its subtree, whose paths
    change) and opens new ones: the past stays as it was. `path` is the
    materialised path during the placement; `first_year`/`last_year` the
    reporting years it holds (see `placement_years`), so that a year's tree is
    one indexed range filter.
    """

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="periods"
    )
    parent = models.ForeignKey(
        Unit,
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)
    path = models.CharField(_("tree path"), max_length=255)
    first_year = models.PositiveSmallIntegerField()
    last_year = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("placement in the tree")
        verbose_name_plural = _("placements in the tree")
        ordering = ["unit", "start"]
        indexes = [
            models.Index(fields=["unit", "first_year"], name="unitperiod_unit_year"),
            models.Index(fields=["path"], name="unitperiod_path"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="unitperiod_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["unit"],
                condition=models.Q(end__isnull=True),
                name="unitperiod_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.start}–{self.end or ''}"

    @classmethod
    def open_for(cls, units: Iterable[Unit]) -> None:
        """The first placement of new units, their paths set: `Unit.save` makes it for
        one unit; whoever creates units in bulk calls it, or the units count nowhere."""
        placements = []
        for unit in units:
            start = unit.founded_on or UNKNOWN_START
            placements.append(
                cls(
                    unit=unit, parent_id=unit.parent_id, start=start, path=unit.path,
                    first_year=start.year,
                )
            )  # fmt: skip
        cls.objects.bulk_create(placements, batch_size=2000)
        units_touched()


class EventKind(models.TextChoices):
    FOUNDED = "founded", _("Founded")
    MOVE = "move", _("Moved")
    DISSOLVE = "dissolve", _("Dissolved")
    MERGE = "merge", _("Merged")
    SPLIT = "split", _("Split")
    RENAME = "rename", _("Renamed")


class UnitEvent(models.Model):
    """One unit's part in a recorded reorganisation, for its timeline.

    A merger of A and B into C is three rows (A and B merged into C, C founded
    from them), all with the same date and decision.
    """

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=16, choices=EventKind.choices)
    date = models.DateField(_("date"))
    decision_number = models.CharField(_("decision number"), max_length=64, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    # A move: from and to (parents); a merger or split: the other units.
    from_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    others = models.ManyToManyField(Unit, blank=True, related_name="+")
    old_name = models.CharField(max_length=255, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reorganisation")
        verbose_name_plural = _("reorganisations")
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%d/%m/%Y}"


class User(AbstractUser):
    """A login; staff of a unit see that unit's subtree, leaders see everything."""

    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("The user sees and enters data for this unit and the units below it."),
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        swappable = "AUTH_USER_MODEL"
