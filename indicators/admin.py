from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from indicators.models import Programme, Result, Target, TargetYear, Term, UnitQuota
from units.admin import ScopedAdminMixin
from units.models import Unit
from units.selectors import unit_scope_for


class ProgrammeInline(admin.TabularInline):
    model = Programme
    extra = 0


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0
    show_change_link = True
    fields = [
        "order", "code", "name", "unit_label", "is_headline", "programme", "measure",
        "direction", "combine", "judgement", "level", "in_percent", "term_target",
        "yearly_target",
    ]  # fmt: skip

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "programme":
            term_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Programme.objects.filter(term_id=term_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ["name", "congress", "start_year", "end_year", "resolution_number", "root_unit"]
    list_select_related = ["root_unit"]
    autocomplete_fields = ["root_unit"]
    inlines = [ProgrammeInline, TargetInline]

    @admin.display(description=_("congress"), ordering="congress_number")
    def congress(self, term: Term) -> str:
        return term.congress_roman


class TargetYearInline(admin.TabularInline):
    model = TargetYear
    extra = 0


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = [
        "code", "name", "term", "programme", "is_headline", "measure", "combine", "judgement",
        "term_target", "yearly_target", "unit_label",
    ]  # fmt: skip
    list_display_links = ["code", "name"]
    list_filter = ["term", "programme", "is_headline", "measure", "judgement"]
    list_select_related = ["term", "programme"]
    search_fields = ["code", "name"]
    inlines = [TargetYearInline]
    fieldsets = [
        (None, {"fields": ["term", "programme", "order", "code", "name", "unit_label",
                           "is_headline", "description"]}),
        (_("How it is measured"), {"fields": ["measure", "level", "direction", "combine",
                                              "judgement", "in_percent"]}),
        (_("Targets"), {"fields": ["term_target", "yearly_target", "baseline"]}),
    ]  # fmt: skip


@admin.register(UnitQuota)
class UnitQuotaAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["target", "unit", "year", "value"]
    list_filter = ["target__term", "target", "year"]
    list_select_related = ["target", "unit"]
    search_fields = ["unit__name", "unit__code", "target__name"]
    autocomplete_fields = ["unit", "target"]


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
        unit = Unit.objects.filter(pk=self.value()).first() if self.value().isdigit() else None
        if unit is None:
            return queryset.none()
        return queryset.filter(unit__path__startswith=unit.path)


@admin.register(Result)
class ResultAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "target", "unit", "year", "value", "numerator", "denominator", "flag", "is_estimate",
        "updated_by", "updated_at",
    ]  # fmt: skip
    list_filter = ["target__term", "target", "year", UnitSubtreeFilter, "is_estimate"]
    list_select_related = ["target", "unit", "updated_by"]
    search_fields = ["unit__name", "unit__code", "target__name", "target__code", "note"]
    autocomplete_fields = ["unit", "target"]
    readonly_fields = ["created_by", "created_at", "updated_by", "updated_at"]
    fields = [
        "target", "unit", "year", "value", "numerator", "denominator", "flag", "is_estimate",
        "note", "evidence", *readonly_fields,
    ]  # fmt: skip
    list_per_page = 100

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
