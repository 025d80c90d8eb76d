"""Import of results from CSV and Excel: the columns, the cells, the admin's pages.

The columns are those of the raw-results export (`reports.exports.RESULT_FIELDS`,
same msgids), in either language: a file exported in Vietnamese or English
re-imports unchanged. A row is keyed by (target code, unit code, year), the
target within the term chosen for the import. Every row goes through the
checks of `indicators.imports`, done over the whole file at once: the unit must
be in the user's subtree, the year must not be locked, Result.clean()'s rules
must accept the figure and nobody may have saved the row since the preview.
Errors name the row (1 = the first row under the headers) and the column. The
whole file is saved in one transaction, or nothing is.
"""

from __future__ import annotations

import re
import zlib
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.http import require_POST
from import_export import fields, resources, widgets
from import_export.admin import ImportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ConfirmImportForm, ImportForm

from indicators.models import Result, Term
from indicators.selectors import terms_visible_to
from units.models import User
from units.selectors import unit_scope_for
from units.uploads import (
    UploadRefused,
    upload_format,
    upload_kind,
    upload_limits,
    upload_open,
    upload_remove,
    upload_rows,
    upload_store,
)

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


def header_aliases() -> dict[str, str]:
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
    """The columns the import reads, as the admin's import page lists them.

    The rows themselves are checked and written by `indicators.imports`, over the
    whole file at once, not by django-import-export's per-row machinery.
    """

    target = fields.Field(attribute="target")
    target_name = fields.Field(attribute="target__name", readonly=True)
    unit = fields.Field(attribute="unit")
    unit_name = fields.Field(attribute="unit__name", readonly=True)
    year = fields.Field(attribute="year")
    value = fields.Field(attribute="value")
    numerator = fields.Field(attribute="numerator")
    denominator = fields.Field(attribute="denominator")
    flag = fields.Field(attribute="flag")
    is_estimate = fields.Field(attribute="is_estimate")
    note = fields.Field(attribute="note")
    evidence = fields.Field(attribute="evidence")

    class Meta:
        model = Result
        fields = [name for name, _header in COLUMNS]
        import_order = [name for name, _header in COLUMNS]
        import_id_fields = list(KEY_FIELDS)

    def __init__(self, **kwargs) -> None:
        kwargs.pop("term", None)
        kwargs.pop("user", None)
        super().__init__(**kwargs)
        for name, header in COLUMNS:
            self.fields[name].column_name = str(header)

    @classmethod
    def get_display_name(cls) -> str:
        return _("Results")


# The admin's import view ----------------------------------------------------------


class TermChoiceMixin(forms.Form):
    term = forms.ModelChoiceField(queryset=Term.objects.none(), label=gettext_lazy("Term"))

    def set_terms(self, user: User) -> None:
        terms = terms_visible_to(unit_scope_for(user))
        self.fields["term"].queryset = terms
        if len(terms) == 1:
            self.fields["term"].initial = terms[0].pk


class ResultImportForm(TermChoiceMixin, ImportForm):
    field_order = ["term", "resource", "import_file", "format"]


class ResultConfirmImportForm(TermChoiceMixin, ConfirmImportForm):
    # The versions of the stored rows the preview saw, signed (indicators.imports).
    seen = forms.CharField(widget=forms.HiddenInput(), required=False)
    import_file_name = forms.CharField(widget=forms.HiddenInput(), max_length=2000)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["term"].widget = forms.HiddenInput()


FORMATS = {"0": "csv", "1": "xlsx"}  # the format field's choices, in `import_formats` order


class ResultImportAdminMixin(ImportMixin):
    """The Result admin's import: upload and preview, then confirm; scoped to the user.

    django-import-export gives the forms, the format choice and the link on the
    list; the file is kept by `units.uploads` (a signed token only its user can
    open) and checked and written by `indicators.imports`.
    """

    resource_classes = [ResultResource]
    import_formats = [CSV, XLSX]
    import_form_class = ResultImportForm
    confirm_form_class = ResultConfirmImportForm
    import_template_name = "admin/indicators/result/import.html"

    def has_import_permission(self, request) -> bool:
        return request.user.has_perms(["indicators.add_result", "indicators.change_result"])

    def create_import_form(self, request):
        form = super().create_import_form(request)
        form.set_terms(request.user)
        return form

    def import_action(self, request, **kwargs):
        """Store the file, check every row and show what would change; writes nothing."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.create_import_form(request)
        context: dict = {}
        status = 200
        if request.method == "POST":
            status = self._preview(request, form, context) if form.is_valid() else 400
        return self._import_page(request, form, context, status)

    def _preview(self, request, form, context: dict) -> int:
        from indicators.imports import results_import, seen_dumps

        fmt = FORMATS[form.cleaned_data["format"]]
        upload = form.cleaned_data["import_file"]
        term = form.cleaned_data["term"]
        token = None
        try:
            if upload_format(upload.name) != fmt:
                raise UploadRefused(wrong_format_message(fmt))
            token = upload_store(user=request.user, file=upload, kind="results", fmt=fmt)
            path = upload_open(user=request.user, token=token)
            report = results_import(
                rows=upload_rows(path=path, fmt=fmt), user=request.user, term=term, dry_run=True
            )
        except UploadRefused as refused:
            if token is not None:
                upload_remove(user=request.user, token=token)
            form.add_error("import_file", str(refused))
            return 400
        context["report"] = report
        if not report.ok:
            upload_remove(user=request.user, token=token)
            return 200
        confirm_form = self.confirm_form_class(
            initial={
                "import_file_name": token,
                "original_file_name": upload.name,
                "format": form.cleaned_data["format"],
                "resource": "0",
                "term": term.pk,
                "seen": seen_dumps(report.seen),
            }
        )
        confirm_form.set_terms(request.user)
        context["confirm_form"] = confirm_form
        return 200

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        """Write the previewed file, or say what was refused and why."""
        from indicators.imports import results_import, seen_loads

        if not self.has_import_permission(request):
            raise PermissionDenied
        confirm_form = self.confirm_form_class(request.POST)
        confirm_form.set_terms(request.user)
        unreadable = _("The confirmation could not be read: upload and preview the file again.")
        if not confirm_form.is_valid() or confirm_form.cleaned_data["format"] not in FORMATS:
            return self._refused(request, unreadable)
        if confirm_form.cleaned_data["resource"] not in ("", "0"):
            return self._refused(request, unreadable)
        fmt = FORMATS[confirm_form.cleaned_data["format"]]
        token = confirm_form.cleaned_data["import_file_name"]
        try:
            path = upload_open(user=request.user, token=token)
            if upload_kind(path) != ("results", fmt):
                raise UploadRefused(wrong_format_message(fmt))
            try:
                seen = seen_loads(confirm_form.cleaned_data["seen"])
            except (signing.BadSignature, ValueError, zlib.error):
                raise UploadRefused(unreadable) from None
            report = results_import(
                rows=upload_rows(path=path, fmt=fmt),
                user=request.user,
                term=confirm_form.cleaned_data["term"],
                seen=seen,
            )
        except UploadRefused as refused:
            return self._refused(request, str(refused))
        upload_remove(user=request.user, token=token)
        if report.ok:
            messages.success(
                request,
                _("Imported: %(created)s new, %(updated)s updated, %(skipped)s unchanged.")
                % {
                    "created": report.created,
                    "updated": report.updated,
                    "skipped": report.skipped,
                },
            )
            return HttpResponseRedirect(
                reverse("admin:indicators_result_changelist", current_app=self.admin_site.name)
            )
        return self._import_page(
            request, self._empty_import_form(request), {"report": report, "refused": True}, 409
        )

    def _refused(self, request, message: str):
        return self._import_page(
            request, self._empty_import_form(request), {"refusal": message}, 400
        )

    def _empty_import_form(self, request):
        """A fresh import form, to upload again beside a refusal."""
        form = self.import_form_class(
            self.get_import_formats(),
            self.get_import_resource_classes(request),
            initial=self.get_import_form_initial(request),
        )
        form.set_terms(request.user)
        return form

    def _import_page(self, request, form, context: dict, status: int):
        resource = ResultResource()
        report = context.get("report")
        context.update(self.admin_site.each_context(request))
        context.update(
            {
                "title": _("Import"),
                "form": form,
                "opts": self.model._meta,
                "media": self.media + form.media,
                "fields_list": [
                    (
                        resource.get_display_name(),
                        [field.column_name for field in resource.get_user_visible_fields()],
                    )
                ],
                "shown_errors": report.errors[:SHOWN_ERRORS] if report else [],
                "more_errors": max(0, len(report.errors) - SHOWN_ERRORS) if report else 0,
                "limits": upload_limits(),
            }
        )
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context, status=status)


SHOWN_ERRORS = 200


def wrong_format_message(fmt: str) -> str:
    return _("The file is not in the format chosen (%(format)s): choose the file's format.") % {
        "format": {"csv": "CSV", "xlsx": "Excel (.xlsx)"}[fmt]
    }
