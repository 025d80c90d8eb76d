from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from units.models import Unit, User
from units.selectors import unit_scope_for


class ScopedAdminMixin:
    """Staff attached to a unit see and choose only that unit's subtree.

    `scope_path` names the path of the unit a row belongs to, e.g. "unit__path".
    """

    scope_path = "unit__path"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        scope = unit_scope_for(request.user)
        if scope is None:
            return queryset
        return queryset.filter(**{f"{self.scope_path}__startswith": scope.path})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope = unit_scope_for(request.user)
        if scope is not None and db_field.related_model is Unit:
            kwargs["queryset"] = Unit.objects.subtree(scope)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Unit)
class UnitAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_path = "path"
    list_display = ["indented_name", "code", "kind", "sector", "is_active", "children_link"]
    list_filter = ["kind", "sector", "is_active", ("parent", admin.EmptyFieldListFilter)]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
    ordering = ["path"]
    list_per_page = 100
    fields = ["name", "code", "kind", "sector", "parent", "order", "is_active", "note"]

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, unit: Unit) -> str:
        return format_html(
            '<span style="padding-left:{}em">{}</span>', (unit.depth - 1) * 1.5, unit.name
        )

    @admin.display(description=_("units below"))
    def children_link(self, unit: Unit) -> str:
        return format_html('<a href="?parent__id__exact={}">{}</a>', unit.pk, _("show units below"))


@admin.register(User)
class UserAdmin(ScopedAdminMixin, BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Unit"), {"fields": ["unit"]}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Unit"), {"fields": ["unit"]}),
    )
    list_display = ["username", "first_name", "unit", "is_staff", "is_active"]
    list_filter = [*BaseUserAdmin.list_filter, "groups"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]
