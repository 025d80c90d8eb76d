from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from indicators.models import (
    Programme,
    Result,
    Target,
    TargetYear,
    Term,
    UnitQuota,
    UnitYear,
    YearState,
)
from indicators.resources import ResultImportAdminMixin
from indicators.services import (
    StaleResult,
    YearLocked,
    outside_scope_then,
    result_delete,
    result_save,
    unit_year_locked,
    user_unit_ended,
)
from indicators.workflow import (
    WorkflowRefused,
    unit_year_approve,
    unit_year_return,
    unit_year_submit,
)
from units.admin import ScopedAdminMixin, ScopedHistoryAdmin
from units.models import Unit
from units.numbers import LocalizedNumbersAdminMixin
from units.selectors import around_scope, in_scope, unit_scope_for
from units.text import whole_number

STALE_MESSAGE = _(
    "Someone else saved this result after you opened it. Their figures have been kept; "
    "reload the page to see them and enter your change again."
)
LOCKED_MESSAGE = _(
    "This unit's year is approved and locked: its results cannot change until a reviewer "
    "reopens it."
)


class TermScopedMixin(ScopedAdminMixin):
    """Terms and what hangs on them: read by everyone under or above the committee.

    Only users whose scope holds the committee may change them.
    """

    scope_path = "term__root_unit__path"

    def scope_filter(self, scope: Unit):
        return around_scope(scope, self.scope_path)

    def term_root(self, obj) -> Unit:
        return obj.term.root_unit

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._owns(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._owns(request, obj)

    def _owns(self, request, obj) -> bool:
        scope = unit_scope_for(request.user)
        return obj is None or scope is None or self.term_root(obj).is_in(scope)


class ProgrammeInline(LocalizedNumbersAdminMixin, admin.TabularInline):
    model = Programme
    extra = 0


class TargetInline(LocalizedNumbersAdminMixin, admin.TabularInline):
    model = Target
    extra = 0
    show_change_link = True
    # Six columns keep the term form readable (15 were 3.583 px wide); how a target
    # is measured and judged is set on its own form, opened by the change link.
    fields = ["order", "code", "name", "programme", "measure", "term_target"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "programme":
            term_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Programme.objects.filter(term_id=term_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Term)
class TermAdmin(TermScopedMixin, admin.ModelAdmin):
    scope_path = "root_unit__path"
    list_display = ["name", "congress", "start_year", "end_year", "resolution_number", "root_unit"]
    list_select_related = ["root_unit"]
    autocomplete_fields = ["root_unit"]
    inlines = [ProgrammeInline, TargetInline]

    def term_root(self, obj) -> Unit:
        return obj.root_unit

    @admin.display(description=_("congress"), ordering="congress_number")
    def congress(self, term: Term) -> str:
        return term.congress_roman


class TargetYearInline(LocalizedNumbersAdminMixin, admin.TabularInline):
    model = TargetYear
    extra = 0


@admin.register(Target)
class TargetAdmin(TermScopedMixin, ScopedHistoryAdmin):
    list_display = [
        "code", "name", "term", "programme", "is_headline", "measure", "combine", "judgement",
        "term_target", "yearly_target", "unit_label",
    ]  # fmt: skip
    list_display_links = ["code", "name"]
    list_filter = [
        ("term", admin.RelatedOnlyFieldListFilter),
        ("programme", admin.RelatedOnlyFieldListFilter),
        "is_headline",
        "measure",
        "judgement",
        "frequency",
    ]
    list_select_related = ["term", "programme"]
    search_fields = ["code", "name"]
    inlines = [TargetYearInline]
    fieldsets = [
        (None, {"fields": ["term", "programme", "order", "code", "name", "unit_label",
                           "is_headline", "description"]}),
        (_("How it is measured"), {"fields": ["measure", "level", "frequency", "direction",
                                              "combine", "judgement", "in_percent"]}),
        (_("Targets"), {"fields": ["term_target", "yearly_target", "baseline"]}),
    ]  # fmt: skip

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope = unit_scope_for(request.user)
        if scope is not None and db_field.name == "term":
            kwargs["queryset"] = Term.objects.filter(in_scope(scope, "root_unit__path"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class UnitSubtreeFilter(admin.SimpleListFilter):
    """Filter by a grassroots organisation (or any unit above it): its whole subtree."""

    title = _("unit")
    parameter_name = "in_unit"

    def lookups(self, request, model_admin):
        units = Unit.objects.filter(depth__lte=2)
        scope = unit_scope_for(request.user)
        if scope is not None:
            units = units.filter(path__startswith=scope.path)
        return [(unit.pk, unit.name) for unit in units.only("pk", "name").order_by("path")]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        unit_id = whole_number(self.value())
        unit = Unit.objects.filter(pk=unit_id).first() if unit_id is not None else None
        if unit is None:
            return queryset.none()
        return queryset.filter(unit__path__startswith=unit.path)


class TargetChoiceScopedMixin:
    """A result's or quota's target is chosen among those the user may read.

    Like the targets' own list: terms of committees under or above the user's
    unit. A target of another committee is neither offered nor named.
    """

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope = unit_scope_for(request.user)
        if scope is not None and db_field.name == "target":
            kwargs["queryset"] = Target.objects.filter(around_scope(scope, "term__root_unit__path"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(UnitQuota)
class UnitQuotaAdmin(TargetChoiceScopedMixin, ScopedHistoryAdmin):
    list_display = ["target", "unit", "year", "value"]
    list_filter = [
        ("target__term", admin.RelatedOnlyFieldListFilter),
        ("target", admin.RelatedOnlyFieldListFilter),
        "year",
        UnitSubtreeFilter,
    ]
    list_select_related = ["target", "unit"]
    search_fields = ["unit__name", "unit__code", "target__name"]
    autocomplete_fields = ["unit", "target"]


class ResultAdminForm(forms.ModelForm):
    """The admin's result form: remembers the version it was opened on.

    A result saved by someone else since then, or a unit's year approved since,
    is a form error rather than a silent overwrite.
    """

    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    user = None  # set by ResultAdmin.get_form

    class Meta:
        model = Result
        fields = [
            "target", "unit", "year", "value", "numerator", "denominator", "flag", "is_estimate",
            "note", "evidence",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["opened_version"].initial = self.instance.version

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is not None:
            current = (
                Result.objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()
            )
            if current != cleaned_data.get("opened_version"):
                raise ValidationError(STALE_MESSAGE, code="stale")
        if self.user is not None and not self.user.is_superuser:
            unit, year = cleaned_data.get("unit"), cleaned_data.get("year")
            refusal = (
                unit is not None
                and year is not None
                and outside_scope_then(user=self.user, unit=unit, year=year)
            )
            if refusal:
                raise ValidationError(refusal, code="outside_scope")
            # The year it leaves (on a change) and the year it goes to.
            places = {(cleaned_data.get("unit"), cleaned_data.get("year"))}
            if self.instance.pk is not None:
                places.add((self.instance.unit, self.instance.year))
            if any(
                unit is not None and year is not None and unit_year_locked(unit=unit, year=year)
                for unit, year in places
            ):
                raise ValidationError(LOCKED_MESSAGE, code="locked")
        return cleaned_data


@admin.register(Result)
class ResultAdmin(TargetChoiceScopedMixin, ResultImportAdminMixin, ScopedHistoryAdmin):
    form = ResultAdminForm
    list_display = [
        "target", "unit", "year", "value", "numerator", "denominator", "flag", "is_estimate",
        "updated_by", "updated_at",
    ]  # fmt: skip
    list_filter = [
        ("target__term", admin.RelatedOnlyFieldListFilter),
        ("target", admin.RelatedOnlyFieldListFilter),
        "year",
        UnitSubtreeFilter,
        "is_estimate",
    ]
    list_select_related = ["target", "unit", "updated_by"]
    search_fields = ["unit__name", "unit__code", "target__name", "target__code", "note"]
    autocomplete_fields = ["unit", "target"]
    readonly_fields = ["created_by", "created_at", "updated_by", "updated_at"]
    fields = [
        "target", "unit", "year", "value", "numerator", "denominator", "flag", "is_estimate",
        "note", "evidence", "opened_version", *readonly_fields,
    ]  # fmt: skip
    list_per_page = 100
    scope_year = "year"

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user
        return form

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if not self.has_change_permission(request, obj):
            # A read-only page has no form to date.
            fields = [name for name in fields if name != "opened_version"]
        return fields

    def is_locked_for(self, request, obj) -> bool:
        return (
            obj is not None
            and not request.user.is_superuser
            and (
                unit_year_locked(unit=obj.unit, year=obj.year)
                # The old branch reads a moved unit's years, it no longer changes them.
                or bool(outside_scope_then(user=request.user, unit=obj.unit, year=obj.year))
            )
        )

    def has_add_permission(self, request):
        # A clerk of a unit that has ended reads its results and writes none.
        return super().has_add_permission(request) and not user_unit_ended(request.user)

    def has_change_permission(self, request, obj=None):
        return (
            super().has_change_permission(request, obj)
            and not self.is_locked_for(request, obj)
            and not user_unit_ended(request.user)
        )

    def has_delete_permission(self, request, obj=None):
        return (
            super().has_delete_permission(request, obj)
            and not self.is_locked_for(request, obj)
            and not user_unit_ended(request.user)
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            obj = self.get_object(request, unquote(object_id))
            outside = (
                obj is not None
                and not request.user.is_superuser
                and outside_scope_then(user=request.user, unit=obj.unit, year=obj.year)
            )
            if outside:
                self.message_user(request, outside, messages.WARNING)
            elif self.is_locked_for(request, obj):
                self.message_user(request, LOCKED_MESSAGE, messages.WARNING)
            elif ended := user_unit_ended(request.user):
                self.message_user(request, ended, messages.WARNING)
        return super().change_view(request, object_id, form_url, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleResult:
            # Someone saved between the form's checks and this save: theirs stands.
            self.message_user(request, STALE_MESSAGE, messages.ERROR)
        except YearLocked:
            self.message_user(request, LOCKED_MESSAGE, messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except YearLocked:
            self.message_user(request, LOCKED_MESSAGE, messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except YearLocked:
            # The "delete selected" action met a year approved meanwhile: nothing deleted.
            self.message_user(request, LOCKED_MESSAGE, messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())

    def delete_model(self, request, obj):
        result_delete(results=[obj], user=request.user)

    def delete_queryset(self, request, queryset):
        result_delete(results=list(queryset.select_related("unit")), user=request.user)

    def save_model(self, request, obj, form, change):
        result_save(
            result=obj,
            user=request.user,
            expected_version=form.cleaned_data.get("opened_version") if change else None,
        )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for reopening"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        max_length=2000,
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Say why the year is reopened."))
        return reason


@admin.register(UnitYear)
class UnitYearAdmin(ScopedHistoryAdmin):
    """The workflow of a unit's year: submit, approve (which locks it), reopen."""

    list_display = ["unit", "year", "state", "updated_by", "updated_at", "reopen_reason"]
    list_filter = ["state", "year", UnitSubtreeFilter]
    list_select_related = ["unit", "updated_by"]
    search_fields = ["unit__name", "unit__code"]
    autocomplete_fields = ["unit"]
    fields = ["unit", "year", "state", "reopen_reason", "updated_by", "updated_at"]
    actions = ["submit", "approve", "reopen"]
    scope_year = "year"

    def get_readonly_fields(self, request, obj=None):
        # The state moves only through the actions, so every move is checked and recorded.
        readonly = ["state", "reopen_reason", "updated_by", "updated_at"]
        if obj is not None:
            readonly = ["unit", "year", *readonly]
        return readonly

    def has_approve_permission(self, request) -> bool:
        return request.user.has_perm("indicators.approve_unityear")

    def has_delete_permission(self, request, obj=None):
        # Deleting an approved year would unlock it without a recorded reason.
        if obj is not None and obj.state == YearState.APPROVED and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def move(self, request, queryset, move, **kwargs) -> int:
        """Apply a move of indicators.workflow to each selected year; returns how many moved."""
        moved = 0
        for unit_year in queryset.select_related("unit"):
            try:
                move(unit=unit_year.unit, year=unit_year.year, user=request.user, **kwargs)
            except WorkflowRefused:
                continue
            moved += 1
        return moved

    def report(self, request, moved: int, selected: int, done_message: str) -> None:
        self.message_user(request, done_message % {"count": moved}, messages.SUCCESS)
        if moved < selected:
            skipped = selected - moved
            self.message_user(
                request,
                _("Left as they were, not being in a state this action applies to: %(count)d.")
                % {"count": skipped},
                messages.WARNING,
            )

    @admin.action(description=_("Submit for review"), permissions=["change"])
    def submit(self, request, queryset):
        selected = queryset.count()
        moved = self.move(request, queryset, unit_year_submit)
        self.report(request, moved, selected, _("Submitted for review: %(count)d."))

    @admin.action(description=_("Approve (locks the year)"), permissions=["approve"])
    def approve(self, request, queryset):
        selected = queryset.count()
        moved = self.move(request, queryset, unit_year_approve)
        self.report(request, moved, selected, _("Approved and locked: %(count)d."))

    @admin.action(description=_("Reopen with a reason"), permissions=["approve"])
    def reopen(self, request, queryset):
        reopenable = queryset.filter(state__in=[YearState.SUBMITTED, YearState.APPROVED])
        form = ReopenForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            selected = queryset.count()
            moved = self.move(
                request, queryset, unit_year_return, reason=form.cleaned_data["reason"]
            )
            self.report(request, moved, selected, _("Reopened: %(count)d."))
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reopen unit years"),
            "opts": self.model._meta,
            "form": form,
            "unit_years": reopenable.select_related("unit"),
            "selected": queryset.values_list("pk", flat=True),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/indicators/unityear/reopen.html", context)
