"""Import of results from CSV and Excel (django-import-export).

The columns are those of the raw-results export (`reports.exports.RESULT_FIELDS`,
same msgids), in either language: a file exported in Vietnamese or English
re-imports unchanged. A row is keyed by (target code, unit code, year), the
target within the term chosen for the import. Every row goes through the
checks of `indicators.services`: the unit must be in the user's subtree, the
year must not be locked, and Result.clean() must accept the figure. Errors
name the row (1 = the first row under the headers) and the column. The whole
file is saved in one transaction, or nothing is.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal, InvalidOperation

import openpyxl
import tablib
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from import_export import fields, resources, widgets
from import_export.admin import ImportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ConfirmImportForm, ImportForm
from import_export.results import Result as ImportResult
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from indicators.models import Result, Target, Term
from indicators.rollup import rollup_batch, rollup_touched
from indicators.selectors import terms_visible_to
from indicators.services import ENTERED_FIELDS, ImportReport, RowError, locked_unit_years
from units.models import Unit, User
from units.selectors import unit_scope_for

# (field, header msgid): the raw-results export's columns that the import reads.
COLUMNS = [
    ("target", gettext_lazy("Target code")),
    ("target_name", gettext_lazy("Target")),
    ("unit", gettext_lazy("Unit code")),
    ("unit_name", gettext_lazy("Unit")),
    ("year", gettext_lazy("Year")),
    ("value", gettext_lazy("Value")),
    ("numerator", gettext_lazy("Numerator")),
    ("denominator", gettext_lazy("Denominator")),
    ("flag", gettext_lazy("Yes / no (1/0)")),
    ("is_estimate", gettext_lazy("Estimate (1/0)")),
    ("note", gettext_lazy("Note")),
    ("evidence", gettext_lazy("Evidence")),
]
KEY_FIELDS = ("target", "unit", "year")
YES = {"1", "có", "co", "x", "yes", "y", "true", "đúng"}
NO = {"0", "không", "khong", "no", "n", "false", "sai"}
THOUSANDS = re.compile(r"\d{1,3}([. ]\d{3})+")

# django-import-export ships no Vietnamese catalogue: these are its admin
# strings, translated in ours (the project's catalogue takes precedence).
IMPORT_EXPORT_STRINGS = [
    gettext_noop("Import"),
    gettext_noop("Submit"),
    gettext_noop("Confirm import"),
    gettext_noop(
        "Below is a preview of data to be imported. If you are satisfied with the results, "
        "click 'Confirm import'"
    ),
    gettext_noop("This importer will import the following fields: "),
    gettext_noop("File to import"),
    gettext_noop("Format"),
    gettext_noop("Errors"),
    gettext_noop("Line number"),
    gettext_noop("Some rows failed to validate"),
    gettext_noop(
        "Please correct these errors in your data where possible, then reupload it using "
        "the form above."
    ),
    gettext_noop("Row"),
    gettext_noop("Non field specific"),
    gettext_noop("Preview"),
    gettext_noop("New"),
    gettext_noop("Skipped"),
    gettext_noop("Delete"),
    gettext_noop("Update"),
    gettext_noop("Import finished: {} new, {} updated, {} deleted and {} skipped {}."),
]


def _header_aliases() -> dict[str, str]:
    """Every known spelling of each header (English, Vietnamese) -> the field."""
    aliases = {}
    for language in ("en", "vi"):
        with translation.override(language):
            for name, header in COLUMNS:
                aliases[str(header).strip().casefold()] = name
    return aliases


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class WholeNumberWidget(widgets.Widget):
    """A whole number: 2078, "2078", "2.078" (Vietnamese grouping) or 2078.0 from Excel."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            raise ValueError(_("Enter a whole number."))
        if isinstance(value, int):
            return value
        text = _text(value)
        if not text:
            return None
        if THOUSANDS.fullmatch(text):
            text = text.replace(".", "").replace(" ", "")
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise ValueError(_("“%(value)s” is not a whole number.") % {"value": text}) from None
        if not number.is_finite() or number != number.to_integral_value():
            raise ValueError(_("“%(value)s” is not a whole number.") % {"value": text})
        return int(number)

    def render(self, value, obj=None, **kwargs):
        return value


class RequiredYearWidget(WholeNumberWidget):
    def clean(self, value, row=None, **kwargs):
        year = super().clean(value, row=row, **kwargs)
        if year is None:
            raise ValueError(_("Enter the year."))
        return year


class YesNoWidget(widgets.Widget):
    """1/0 as the export writes them; also Có/Không, x, yes/no. Blank gives `blank`."""

    def __init__(self, blank=None) -> None:
        super().__init__()
        self.blank = blank

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = _text(value).casefold()
        if not text:
            return self.blank
        if text in YES:
            return True
        if text in NO:
            return False
        raise ValueError(_("Write 1 for yes or 0 for no."))

    def render(self, value, obj=None, **kwargs):
        return None if value is None else int(value)


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        # The export neutralises formulas with a leading quote: take it off again.
        if text.startswith("'") and text[1:2] in ("=", "+", "-", "@"):
            text = text[1:]
        return text


class CodeWidget(widgets.Widget):
    """A target or unit looked up by code among `choices` (code -> object)."""

    def __init__(self, choices: dict[str, object], missing: str, blank: str) -> None:
        super().__init__()
        self.choices = choices
        self.missing = missing
        self.blank = blank

    def clean(self, value, row=None, **kwargs):
        code = _text(value)
        if not code:
            raise ValueError(self.blank)
        try:
            return self.choices[code]
        except KeyError:
            raise ValueError(self.missing % {"code": code}) from None

    def render(self, value, obj=None, **kwargs):
        return getattr(value, "code", "")


class ResultResource(resources.ModelResource):
    target = fields.Field(attribute="target")
    target_name = fields.Field(attribute="target__name", readonly=True)
    unit = fields.Field(attribute="unit")
    unit_name = fields.Field(attribute="unit__name", readonly=True)
    year = fields.Field(attribute="year", widget=RequiredYearWidget())
    value = fields.Field(attribute="value", widget=WholeNumberWidget())
    numerator = fields.Field(attribute="numerator", widget=WholeNumberWidget())
    denominator = fields.Field(attribute="denominator", widget=WholeNumberWidget())
    flag = fields.Field(attribute="flag", widget=YesNoWidget())
    is_estimate = fields.Field(attribute="is_estimate", widget=YesNoWidget(blank=False))
    note = fields.Field(attribute="note", widget=TextWidget())
    evidence = fields.Field(attribute="evidence", widget=TextWidget())

    class Meta:
        model = Result
        fields = [name for name, _header in COLUMNS]
        import_order = [name for name, _header in COLUMNS]
        import_id_fields = list(KEY_FIELDS)
        use_transactions = True
        # Rows are written in batches (with their history and one roll-up rebuild):
        # a row-by-row save costs a round trip per row and per history record.
        use_bulk = True
        batch_size = 1000
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def __init__(self, *, term: Term | None = None, user: User | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.term = term
        self.user = user
        self.scope = unit_scope_for(user) if user is not None else None
        for name, header in COLUMNS:
            self.fields[name].column_name = str(header)
        self.headers = {name: str(header) for name, header in COLUMNS}
        self._locks: dict[tuple[int, int], bool] = {}
        self._stored: dict[tuple[int, int, int], Result] = {}
        self._seen: dict[tuple[int, int, int], int] = {}
        self._row_number = 0
        self._prepare_lookups()

    @classmethod
    def get_display_name(cls) -> str:
        return _("Results")

    def _prepare_lookups(self) -> None:
        targets = {}
        units = {}
        if self.term is not None:
            targets = {
                target.code: target
                for target in Target.objects.filter(term=self.term).select_related(
                    "term__root_unit"
                )
            }
            top = self.term.root_unit
            if self.scope is not None:
                top = self.scope if self.scope.is_in(top) else None
            if top is not None:
                units = {unit.code: unit for unit in Unit.objects.subtree(top)}
        self.fields["target"].widget = CodeWidget(
            targets,
            missing=_("No target has the code “%(code)s” in this term."),
            blank=_("Enter the target code."),
        )
        self.fields["unit"].widget = CodeWidget(
            units,
            missing=_("No unit has the code “%(code)s” in your scope."),
            blank=_("Enter the unit code."),
        )

    # The import ---------------------------------------------------------------

    def get_queryset(self):
        return Result.objects.select_related("target__term__root_unit", "unit")

    def before_import(self, dataset, **kwargs):
        if self.term is None:
            raise ValueError(_("Choose the term the results belong to."))
        aliases = _header_aliases()
        names = [aliases.get(_text(header).casefold()) for header in dataset.headers or []]
        missing = [self.headers[name] for name in KEY_FIELDS if name not in names]
        if missing:
            while len(dataset):
                del dataset[0]  # no row can be read: report the file, not each row
            raise ValueError(
                _("The file lacks the columns: %(columns)s.") % {"columns": ", ".join(missing)}
            )
        dataset.headers = [
            self.headers[name] if name else header
            for name, header in zip(names, dataset.headers, strict=True)
        ]
        self._prefetch(dataset)

    def _prefetch(self, dataset) -> None:
        """Load the stored results and the locks the file's rows touch, in a few queries."""
        targets, units, years = set(), set(), set()
        for row in dataset.dict:
            try:
                targets.add(self.fields["target"].clean(row).pk)
                units.add(self.fields["unit"].clean(row))
                years.add(self.fields["year"].clean(row))
            except (ValueError, KeyError):
                continue  # the row's own validation names the wrong cell
        units_by_id = {unit.pk: unit for unit in units}
        ids = sorted(units_by_id)
        for start in range(0, len(ids), 500):  # SQLite's limit on query parameters
            for result in self.get_queryset().filter(
                target_id__in=targets, unit_id__in=ids[start : start + 500], year__in=years
            ):
                self._stored[self._key(result)] = result
        locked = locked_unit_years(units=list(units_by_id.values()), years=sorted(years))
        for unit_id in ids:
            for year in years:
                self._locks[unit_id, year] = (unit_id, year) in locked

    def import_data_inner(self, *args, **kwargs):
        # Inside import_data's transaction: the roll-up is rebuilt once, and rolled
        # back with the rows on a preview or an error.
        with rollup_batch():
            return super().import_data_inner(*args, **kwargs)

    def before_import_row(self, row, **kwargs):
        self._row_number = kwargs.get("row_number", 0)

    def get_instance(self, instance_loader, row):
        try:
            target, unit, year = (self.fields[name].clean(row) for name in KEY_FIELDS)
        except (ValueError, KeyError):
            return None  # the row's own validation names the wrong cell
        return self._stored.get((target.pk, unit.pk, year))

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """Scope, lock, duplicates and Result.clean(), as errors keyed by column header."""
        errors: dict[str, list] = {
            name: ValidationError(error).messages
            for name, error in (import_validation_errors or {}).items()
        }
        if not any(name in errors for name in KEY_FIELDS):
            first = self._seen.get(self._key(instance))
            if first != self._row_number:
                errors["year"] = [
                    _("The same target, unit and year are already in row %(row)s.") % {"row": first}
                ]
            if self._is_locked(instance.unit, instance.year):
                errors.setdefault("year", []).append(
                    _("This year is approved for the unit and locked; ask a reviewer to reopen it.")
                )
        try:
            instance.clean_fields(exclude=[*errors, "target", "unit", "created_by", "updated_by"])
            instance.clean()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(name, list(messages))
        if errors:
            raise ValidationError(
                {
                    self.headers.get(name, NON_FIELD_ERRORS): messages
                    for name, messages in errors.items()
                }
            )

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if not any(name in (import_validation_errors or {}) for name in KEY_FIELDS):
            first = self._seen.setdefault(self._key(instance), self._row_number)
            if first != self._row_number:
                return False  # validate_instance refuses the repeated row
        return super().skip_row(instance, original, row, import_validation_errors)

    @staticmethod
    def _key(instance: Result) -> tuple[int, int, int]:
        return (instance.target_id, instance.unit_id, instance.year)

    def _is_locked(self, unit: Unit, year: int) -> bool:
        if self.user is not None and self.user.is_superuser:
            return False
        key = (unit.pk, year)
        if key not in self._locks:
            self._locks[key] = bool(locked_unit_years(units=[unit], years=[year]))
        return self._locks[key]

    def before_save_instance(self, instance, row, **kwargs):
        # The same bookkeeping as services.result_save: a new version, who did it
        # (and when: bulk updates skip auto_now).
        if instance.pk is not None:
            instance.version += 1
        elif self.user is not None:
            instance.created_by = self.user
        if self.user is not None:
            instance.updated_by = self.user
        instance.updated_at = timezone.now()

    def get_bulk_update_fields(self):
        return [*ENTERED_FIELDS, "version", "updated_by", "updated_at"]

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if self.create_instances and (using_transactions or not dry_run):
            try:
                bulk_create_with_history(
                    self.create_instances, Result, batch_size=batch_size, default_user=self.user
                )
                rollup_touched(self.create_instances)
            except Exception as error:
                self.handle_import_error(result, error, raise_errors)
            finally:
                self.create_instances.clear()

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if self.update_instances and (using_transactions or not dry_run):
            try:
                bulk_update_with_history(
                    self.update_instances,
                    Result,
                    self.get_bulk_update_fields(),
                    batch_size=batch_size,
                    default_user=self.user,
                )
                rollup_touched(self.update_instances)
            except Exception as error:
                self.handle_import_error(result, error, raise_errors)
            finally:
                self.update_instances.clear()


class ServiceResultResource(ResultResource):
    """The same import without the admin preview's HTML diffs (nobody reads them here)."""

    class Meta(ResultResource.Meta):
        skip_html_diff = True


def import_report(result: ImportResult) -> ImportReport:
    """import-export's result as our ImportReport: counts and errors by row and column."""
    report = ImportReport(
        created=result.totals["new"],
        updated=result.totals["update"],
        skipped=result.totals["skip"],
    )
    for error in result.base_errors:
        report.errors.append(RowError(row=None, column="", message=str(error.error)))
    for number, row_errors in result.row_errors():
        for error in row_errors:
            report.errors.append(RowError(row=number, column="", message=str(error.error)))
    for invalid in result.invalid_rows:
        for column, messages in invalid.error_dict.items():
            for message in messages:
                report.errors.append(
                    RowError(
                        row=invalid.number,
                        column="" if column == NON_FIELD_ERRORS else column,
                        message=str(message),
                    )
                )
    report.errors.sort(key=lambda error: (error.row or 0, error.column))
    return report


# The admin's import view ----------------------------------------------------------


class TermChoiceMixin(forms.Form):
    term = forms.ModelChoiceField(queryset=Term.objects.none(), label=gettext_lazy("term"))

    def set_terms(self, user: User) -> None:
        terms = terms_visible_to(unit_scope_for(user))
        self.fields["term"].queryset = terms
        if len(terms) == 1:
            self.fields["term"].initial = terms[0].pk


class ResultImportForm(TermChoiceMixin, ImportForm):
    field_order = ["term", "resource", "import_file", "format"]


class ResultConfirmImportForm(TermChoiceMixin, ConfirmImportForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["term"].widget = forms.HiddenInput()


class SheetXLSX(XLSX):
    """Excel, read with rows padded to the header's width and blank rows dropped.

    openpyxl's read-only mode yields short rows for files written in write-only
    mode (like our own exports), where empty trailing cells are not stored.
    """

    def create_dataset(self, in_stream):
        workbook = openpyxl.load_workbook(io.BytesIO(in_stream), read_only=True, data_only=True)
        rows = workbook.active.iter_rows(values_only=True)
        headers = list(next(rows, []))
        while headers and headers[-1] is None:
            headers.pop()
        dataset = tablib.Dataset(headers=headers)
        for values in rows:
            values = list(values[: len(headers)])
            if any(value not in (None, "") for value in values):
                dataset.append(values + [None] * (len(headers) - len(values)))
        workbook.close()
        return dataset


class ResultImportAdminMixin(ImportMixin):
    """The Result admin's import, with a preview, scoped to the user's subtree."""

    resource_classes = [ResultResource]
    import_formats = [CSV, SheetXLSX]
    import_form_class = ResultImportForm
    confirm_form_class = ResultConfirmImportForm

    def has_import_permission(self, request) -> bool:
        return request.user.has_perms(["indicators.add_result", "indicators.change_result"])

    def create_import_form(self, request):
        form = super().create_import_form(request)
        form.set_terms(request.user)
        return form

    def create_confirm_form(self, request, import_form=None):
        form = super().create_confirm_form(request, import_form=import_form)
        form.set_terms(request.user)
        return form

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["term"] = import_form.cleaned_data["term"].pk
        return initial

    def get_import_resource_kwargs(self, request, **kwargs):
        form = kwargs.get("form")
        term = None
        if form is not None and form.is_bound and form.is_valid():
            term = form.cleaned_data.get("term")
        return {"term": term, "user": request.user}

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs.pop("request", None)
        kwargs["rollback_on_validation_errors"] = True
        kwargs["use_transactions"] = True
        return kwargs
