"""Terms, programmes, targets, unit quotas and results.

The rules that turn results into progress live in `indicators.engine`; the
models hold the facts and the constraints that keep them consistent.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from units.models import CELL_KINDS, GRASSROOTS_KINDS, ORGANISATION_KINDS, Unit
from units.selectors import in_term_tree

ROMAN_NUMERALS = [
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
    (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
]  # fmt: skip


def to_roman(number: int) -> str:
    if number <= 0:
        return str(number)
    letters = []
    for value, numeral in ROMAN_NUMERALS:
        count, number = divmod(number, value)
        letters.append(numeral * count)
    return "".join(letters)


class Term(models.Model):
    """A congress term, e.g. 2020–2025, and the resolution it adopted.

    Results are entered for the years after the congress year, up to the end
    year: a 2020–2025 term has the reporting years 2021 to 2025 and lasts five
    years; its mid-term point is 2,5 years in, inside 2023.
    """

    name = models.CharField(_("name"), max_length=255)
    root_unit = models.ForeignKey(
        Unit, verbose_name=_("committee"), on_delete=models.PROTECT, related_name="terms"
    )
    congress_number = models.PositiveSmallIntegerField(_("congress number"))
    resolution_number = models.CharField(_("resolution number"), max_length=64, blank=True)
    resolution_date = models.DateField(_("resolution date"), null=True, blank=True)
    start_year = models.PositiveSmallIntegerField(_("start year"))
    end_year = models.PositiveSmallIntegerField(_("end year"))
    is_illustrative = models.BooleanField(
        _("illustrative data"),
        default=False,
        help_text=_("Demo data: the dashboard says so on every page."),
    )

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["-start_year", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gt=models.F("start_year")), name="term_end_after_start"
            ),
            models.UniqueConstraint(fields=["root_unit", "start_year"], name="term_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.start_year}–{self.end_year})"

    @classmethod
    def from_db(cls, db, field_names, values):
        term = super().from_db(db, field_names, values)
        # Lets the roll-up notice a change of the committee at the top.
        term._loaded_root = term.__dict__.get("root_unit_id")
        # And the unit counts a change of its years (`indicators.unit_counts`).
        term._loaded_years = (term.__dict__.get("start_year"), term.__dict__.get("end_year"))
        return term

    @property
    def congress_roman(self) -> str:
        return to_roman(self.congress_number)

    @property
    def length(self) -> int:
        return self.end_year - self.start_year

    @property
    def current_year(self) -> int:
        """The reporting year in progress, within the term: every page's default year."""
        return min(max(timezone.localdate().year, self.years[0]), self.years[-1])

    @property
    def years(self) -> range:
        """The reporting years: from the year after the congress to the end year."""
        return range(self.start_year + 1, self.end_year + 1)


class Programme(models.Model):
    term = models.ForeignKey(
        Term, verbose_name=_("term"), on_delete=models.CASCADE, related_name="programmes"
    )
    name = models.CharField(_("name"), max_length=255)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("key programme")
        verbose_name_plural = _("key programmes")
        ordering = ["term", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["term", "name"], name="programme_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Measure(models.TextChoices):
    COUNT = "count", _("Count")
    RATIO = "ratio", _("Ratio (numerator / denominator)")
    FLAG = "flag", _("Yes / no per unit")


class Direction(models.TextChoices):
    AT_LEAST = "at_least", _("At least (higher is better)")
    AT_MOST = "at_most", _("At most (lower is better)")


class Combine(models.TextChoices):
    SUM = "sum", _("Sum of the years (flows)")
    LATEST = "latest", _("Latest year of each unit (stocks)")


class Judgement(models.TextChoices):
    PRORATED = "prorated", _("Pro-rated to the time elapsed")
    EVERY_YEAR = "every_year", _("Every year must pass")
    FINAL = "final", _("Against the final target")


class Frequency(models.TextChoices):
    """How often units report a target: what coverage and missing reports expect."""

    EVERY_YEAR = "every_year", _("Every year (0 included)")
    WHEN_IT_HAPPENS = "when_it_happens", _("Only when something happens")


class Level(models.TextChoices):
    """Which units report a target: its coverage and a flag's denominator."""

    COMMITTEE = "committee", _("The committee itself")
    GRASSROOTS = "grassroots", _("Grassroots organisations")
    CELL = "cell", _("Party cells")
    ORGANISATION = "organisation", _("Every Party organisation")

    @property
    def kinds(self) -> frozenset[str] | None:
        """Unit kinds of the level; None for the committee at the top of the scope."""
        return {
            Level.COMMITTEE: None,
            Level.GRASSROOTS: GRASSROOTS_KINDS,
            Level.CELL: CELL_KINDS,
            Level.ORGANISATION: ORGANISATION_KINDS,
        }[self]


class Target(models.Model):
    """What the resolution promises: one line of the review table."""

    term = models.ForeignKey(
        Term, verbose_name=_("term"), on_delete=models.CASCADE, related_name="targets"
    )
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("key programme"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="targets",
    )
    code = models.CharField(_("code"), max_length=20)
    order = models.PositiveIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=500)
    unit_label = models.CharField(
        _("unit of measure"), max_length=50, help_text=_("e.g. đảng viên, lớp, %, đơn vị")
    )
    is_headline = models.BooleanField(
        _("headline target"),
        default=False,
        help_text=_('Counted in the resolution\'s headline ("9/10 targets met").'),
    )
    measure = models.CharField(_("measure"), max_length=16, choices=Measure.choices)
    direction = models.CharField(
        _("direction"), max_length=16, choices=Direction.choices, default=Direction.AT_LEAST
    )
    combine = models.CharField(
        _("how years combine"), max_length=16, choices=Combine.choices, default=Combine.SUM
    )
    judgement = models.CharField(
        _("how progress is judged before the end"),
        max_length=16,
        choices=Judgement.choices,
        default=Judgement.PRORATED,
    )
    level = models.CharField(
        _("reported by"), max_length=16, choices=Level.choices, default=Level.GRASSROOTS
    )
    frequency = models.CharField(
        _("reported"),
        max_length=16,
        choices=Frequency.choices,
        default=Frequency.EVERY_YEAR,
        help_text=_(
            "Every year: each year needs its own entry (ratings, yearly counts). Only when "
            "something happens: never counted as missing."
        ),
    )
    in_percent = models.BooleanField(
        _("target in percent"),
        default=False,
        help_text=_(
            "Ratios are always judged in percent; a yes/no target either in percent of the "
            "units or in a number of units."
        ),
    )
    term_target = models.DecimalField(
        _("term target"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    yearly_target = models.DecimalField(
        _("yearly target"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    baseline = models.DecimalField(
        _("baseline"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The figure at the start of the term, for pro-rating a stock."),
    )
    description = models.TextField(_("wording in the resolution"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["term", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["term", "code"], name="target_unique_code"),
            models.CheckConstraint(
                condition=Q(term_target__isnull=False) | Q(yearly_target__isnull=False),
                name="target_has_a_target",
            ),
            models.CheckConstraint(
                condition=(Q(term_target__isnull=True) | Q(term_target__gte=0))
                & (Q(yearly_target__isnull=True) | Q(yearly_target__gte=0))
                & (Q(baseline__isnull=True) | Q(baseline__gte=0)),
                name="target_values_non_negative",
            ),
            models.CheckConstraint(
                condition=~Q(measure=Measure.FLAG) | Q(combine=Combine.LATEST),
                name="target_flag_combines_latest",
            ),
            models.CheckConstraint(
                condition=~Q(measure=Measure.RATIO) | Q(in_percent=True),
                name="target_ratio_in_percent",
            ),
            models.CheckConstraint(
                condition=~Q(measure=Measure.COUNT) | Q(in_percent=False),
                name="target_count_not_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.term_target is None and self.yearly_target is None:
            errors["term_target"] = _("Give a term target, a yearly target or both.")
        if self.measure == Measure.FLAG and self.combine != Combine.LATEST:
            errors["combine"] = _("A yes/no target takes each unit's latest year.")
        if self.measure == Measure.RATIO and not self.in_percent:
            errors["in_percent"] = _("A ratio is judged in percent.")
        if self.measure == Measure.COUNT and self.in_percent:
            errors["in_percent"] = _("A count is judged in numbers, not percent.")
        if self.in_percent:
            for field in ("term_target", "yearly_target", "baseline"):
                value = getattr(self, field)
                if value is not None and value > 100:
                    errors[field] = _("A percentage cannot exceed 100.")
        if self.judgement == Judgement.EVERY_YEAR and self.yearly_target is None:
            errors.setdefault("yearly_target", _("Judging every year needs a yearly target."))
        if self.measure == Measure.FLAG and self.level == Level.COMMITTEE:
            errors["level"] = _("A yes/no target is reported by units below the committee.")
        if errors:
            raise ValidationError(errors)

    @property
    def level_kinds(self) -> frozenset[str] | None:
        return Level(self.level).kinds


class TargetYear(models.Model):
    """A year's own target where it differs from the target's yearly target."""

    target = models.ForeignKey(
        Target, verbose_name=_("target"), on_delete=models.CASCADE, related_name="year_values"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("target for the year"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("target for a year")
        verbose_name_plural = _("targets for each year")
        ordering = ["target", "year"]
        constraints = [
            models.UniqueConstraint(fields=["target", "year"], name="targetyear_unique"),
            models.CheckConstraint(condition=Q(value__gte=0), name="targetyear_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.target.code} – {self.year}"

    def clean(self) -> None:
        if self.target_id and self.year not in self.target.term.years:
            raise ValidationError({"year": year_outside_term(self.target.term)})


class UnitQuota(models.Model):
    """A target assigned to one unit (giao chỉ tiêu), for a year or the whole term."""

    target = models.ForeignKey(
        Target, verbose_name=_("target"), on_delete=models.CASCADE, related_name="quotas"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="quotas"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), null=True, blank=True, help_text=_("Leave empty for a quota for the whole term.")
    )
    value = models.DecimalField(_("quota"), max_digits=14, decimal_places=2)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("unit quota")
        verbose_name_plural = _("unit quotas")
        ordering = ["target", "unit__path", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "unit", "year"],
                condition=Q(year__isnull=False),
                name="quota_unique_year",
            ),
            models.UniqueConstraint(
                fields=["target", "unit"], condition=Q(year__isnull=True), name="quota_unique_term"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="quota_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.target.code} – {self.unit} – {self.year or '∑'}"

    def clean(self) -> None:
        errors = {}
        if self.target_id and self.year is not None and self.year not in self.target.term.years:
            errors["year"] = year_outside_term(self.target.term)
        committee = self.target.term.root_unit if self.target_id else None
        if committee and self.unit_id and not in_term_tree(self.unit, committee, committee):
            errors["unit"] = _("The unit is not under the term's committee.")
        if (
            self.target_id
            and self.target.in_percent
            and self.value is not None
            and self.value > 100
        ):
            errors["value"] = _("A percentage cannot exceed 100.")
        if errors:
            raise ValidationError(errors)


def year_outside_term(term: Term) -> str:
    return _("The year must be within the term, from %(first)s to %(last)s.") % {
        "first": term.years[0],
        "last": term.years[-1],
    }


# The largest figure one result may hold, per measure: a count (members
# admitted, classes held) or either side of a ratio. Far above any real unit's
# figure, and low enough that the sums of the roll-up and the engine stay
# within a 64-bit integer whatever the number of units and years.
MAX_COUNT = 10**12
MAX_RATIO_PART = 10**9
FIGURE_LIMITS = {"value": MAX_COUNT, "numerator": MAX_RATIO_PART, "denominator": MAX_RATIO_PART}
FIGURE_TOO_LARGE = _("This figure is too large: at most %(limit_value)s.")


def figure_too_large(limit: int) -> str:
    return FIGURE_TOO_LARGE % {"limit_value": number_format(limit, force_grouping=True)}


class FigureLimitValidator(MaxValueValidator):
    """MaxValueValidator with the limit written the Vietnamese way (1.000.000.000)."""

    def __call__(self, value) -> None:
        if value is not None and value > self.limit_value:
            raise ValidationError(figure_too_large(self.limit_value), code="max_value")


class ResultQuerySet(models.QuerySet):
    def in_subtree(self, unit: Unit) -> ResultQuerySet:
        return self.filter(unit__path__startswith=unit.path)


def unit_absent(unit, year: int) -> str:
    """A result for a year the unit did not exist in (before it was founded, after it ended)."""
    return _("%(unit)s did not exist in %(year)s.") % {"unit": unit, "year": year}


class Result(models.Model):
    """What one unit achieved on one target in one year."""

    target = models.ForeignKey(
        Target, verbose_name=_("target"), on_delete=models.PROTECT, related_name="results"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="results"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.BigIntegerField(
        _("value"), null=True, blank=True, validators=[FigureLimitValidator(MAX_COUNT)]
    )
    numerator = models.BigIntegerField(
        _("numerator"), null=True, blank=True, validators=[FigureLimitValidator(MAX_RATIO_PART)]
    )
    denominator = models.BigIntegerField(
        _("denominator"), null=True, blank=True, validators=[FigureLimitValidator(MAX_RATIO_PART)]
    )
    flag = models.BooleanField(_("yes / no"), null=True, blank=True)
    is_estimate = models.BooleanField(
        _("estimate"),
        default=False,
        help_text=_("An estimate for the current year (ước thực hiện)."),
    )
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Raised by every save; a form opened on an older version is refused."),
    )
    note = models.TextField(_("note"), blank=True)
    evidence = models.CharField(
        _("evidence"), max_length=255, blank=True, help_text=_("Document number or reference.")
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ResultQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["target", "unit__path", "year"]
        constraints = [
            models.UniqueConstraint(fields=["target", "unit", "year"], name="result_unique"),
            models.CheckConstraint(
                condition=(Q(value__isnull=True) | Q(value__gte=0))
                & (Q(numerator__isnull=True) | Q(numerator__gte=0))
                & (Q(denominator__isnull=True) | Q(denominator__gte=0)),
                name="result_non_negative",
            ),
            models.CheckConstraint(
                condition=(Q(value__isnull=True) | Q(value__lte=MAX_COUNT))
                & (Q(numerator__isnull=True) | Q(numerator__lte=MAX_RATIO_PART))
                & (Q(denominator__isnull=True) | Q(denominator__lte=MAX_RATIO_PART)),
                name="result_figures_bounded",
            ),
            models.CheckConstraint(
                condition=Q(numerator__isnull=True)
                | Q(denominator__isnull=True)
                | Q(numerator__lte=models.F("denominator")),
                name="result_numerator_within_denominator",
            ),
            models.CheckConstraint(
                condition=(
                    Q(value__isnull=False, numerator__isnull=True, denominator__isnull=True)
                    & Q(flag__isnull=True)
                )
                | (
                    Q(value__isnull=True, numerator__isnull=False, denominator__isnull=False)
                    & Q(flag__isnull=True)
                )
                | Q(
                    value__isnull=True,
                    numerator__isnull=True,
                    denominator__isnull=True,
                    flag__isnull=False,
                ),
                name="result_one_kind_of_figure",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1930, year__lte=2200), name="result_year_plausible"
            ),
        ]
        indexes = [models.Index(fields=["target", "year"], name="result_target_year")]

    def __str__(self) -> str:
        return f"{self.target.code} – {self.unit} – {self.year}"

    @classmethod
    def from_db(cls, db, field_names, values):
        result = super().from_db(db, field_names, values)
        # Lets the roll-up rebuild the old (target, unit) when a save moves a result.
        result._loaded_keys = (result.__dict__.get("target_id"), result.__dict__.get("unit_id"))
        return result

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if not self.target_id:
            return
        target = self.target
        if self.year is not None and self.year not in target.term.years:
            errors["year"] = year_outside_term(target.term)
        if self.unit_id and self.year is not None and not self.unit.holds_year(self.year):
            errors["year"] = unit_absent(self.unit, self.year)
        committee = target.term.root_unit
        if self.unit_id and not in_term_tree(self.unit, committee, committee):
            errors["unit"] = _("The unit is not under the term's committee.")
        elif self.unit_id:
            from indicators.reporting import report_refusal  # reporting reads these models

            if refusal := report_refusal(target=target, unit=self.unit):
                errors["unit"] = refusal
        for field in ("value", "numerator", "denominator"):
            figure = getattr(self, field)
            if figure is not None and figure < 0:
                errors[field] = _("The figure cannot be negative.")
            elif figure is not None and figure > FIGURE_LIMITS[field]:
                errors[field] = figure_too_large(FIGURE_LIMITS[field])
        if target.measure == Measure.COUNT:
            if self.value is None:
                errors["value"] = _("Enter the number for this target.")
            self._refuse_others(errors, ("numerator", "denominator", "flag"))
        elif target.measure == Measure.RATIO:
            if self.numerator is None:
                errors["numerator"] = _("Enter the numerator.")
            if self.denominator is None:
                errors["denominator"] = _("Enter the denominator.")
            if (
                self.numerator is not None
                and self.denominator is not None
                and self.numerator > self.denominator
                and "numerator" not in errors
            ):
                errors["numerator"] = _("The numerator cannot exceed the denominator.")
            self._refuse_others(errors, ("value", "flag"))
        else:
            if self.flag is None:
                errors["flag"] = _("Choose yes or no.")
            self._refuse_others(errors, ("value", "numerator", "denominator"))
        if errors:
            raise ValidationError(errors)

    def _refuse_others(self, errors: dict, fields: tuple[str, ...]) -> None:
        for field in fields:
            if getattr(self, field) is not None and field not in errors:
                errors[field] = _("This target is not measured this way; leave this empty.")

    @property
    def figure(self) -> int | Decimal | bool | tuple[int, int] | None:
        if self.value is not None:
            return self.value
        if self.numerator is not None:
            return (self.numerator, self.denominator)
        return self.flag


class YearState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")


class UnitYear(models.Model):
    """The entry workflow of one unit's year: draft → submitted → approved.

    An approved year locks the results of the unit and of every unit below it
    for that year, for clerks; a reviewer may reopen it with a recorded reason.
    """

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="years"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    state = models.CharField(
        _("state"), max_length=16, choices=YearState.choices, default=YearState.DRAFT
    )
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("unit year")
        verbose_name_plural = _("unit years")
        ordering = ["unit__path", "year"]
        permissions = [("approve_unityear", _("Can approve and reopen a unit's year"))]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="unityear_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.year}"

    def clean(self) -> None:
        if not self.unit_id or self.year is None:
            return
        from indicators.selectors import terms_holding

        # The terms the entry form finds for the unit.
        if not any(self.year in term.years for term in terms_holding(self.unit)):
            raise ValidationError(
                {"year": _("The year is in no term of a committee above this unit.")}
            )


class ResultRollup(models.Model):
    """Sums of the results per (target, branch, year, group of units), kept exact on write.

    A branch is the grassroots organisation a unit belongs to (its ancestor at
    depth 2, or the unit itself above that). The progress engine reads these
    rows instead of scanning the results for scopes at depth 1 or 2; the rows
    are rebuilt by `indicators.rollup` whenever a result or a unit changes.
    The `d_` columns are changes of each unit's latest figure, for `latest`
    targets (see engine.CONTRIBUTIONS_SQL). Each result lies in the branch where
    its unit stood in the result's year, and `is_active` says whether the unit
    still existed at the end of that year (docs/domain.md, "Cây tổ chức theo năm").
    """

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="+")
    branch = models.CharField(max_length=32)
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=32)
    is_active = models.BooleanField()
    is_top = models.BooleanField()
    reported = models.BigIntegerField()
    value = models.BigIntegerField()
    numerator = models.BigIntegerField()
    denominator = models.BigIntegerField()
    yes = models.BigIntegerField()
    d_value = models.BigIntegerField()
    d_numerator = models.BigIntegerField()
    d_denominator = models.BigIntegerField()
    d_yes = models.BigIntegerField()
    d_units = models.BigIntegerField()
    d_inactive_units = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["target", "branch", "year", "kind", "is_active", "is_top"],
                name="rollup_unique_group",
            ),
        ]
        indexes = [models.Index(fields=["branch", "target", "year"], name="rollup_branch")]

    def __str__(self) -> str:
        return f"{self.target_id} {self.branch} {self.year}"


class UnitCount(models.Model):
    """The units of each year's tree below each place in it, counted by kind.

    For a year and the path a unit held at its end: `n` units of `kind` stood
    there or below and still existed (alive as `units.selectors.alive_sql` says),
    `own` of them (0 or 1) the unit at that very path. `parent_path` is the path
    one step up, so that a scope's branches are one indexed lookup. The engine
    reads coverage and yes/no denominators here instead of counting placements;
    `indicators.unit_counts` rebuilds the rows whenever the tree changes.
    """

    year = models.PositiveSmallIntegerField()
    path = models.CharField(max_length=255)
    parent_path = models.CharField(max_length=255)
    kind = models.CharField(max_length=32)
    own = models.PositiveIntegerField()
    n = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["year", "path"], name="unitcount_path"),
            models.Index(fields=["year", "parent_path"], name="unitcount_parent"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.path} {self.kind} {self.n}"
