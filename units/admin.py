from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import (
    BadRequest,
    FieldDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.db.models import Q
from django.http import Http404
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from units.history import ReadableChanges
from units.models import Unit, User
from units.numbers import LocalizedNumbersAdminMixin
from units.selectors import in_scope, placed_under, unit_scope_for
from units.text import whole_number
from units.timeline import unit_timeline


class ScopedAdminMixin(LocalizedNumbersAdminMixin):
    """Staff attached to a unit see and choose only that unit's subtree.

    `scope_path` names the path of the unit a row belongs to, e.g. "unit__path".
    Everything the admin shows or acts on starts from `get_queryset`: the
    changelist, its search and filters, change, delete and history views (an
    object outside the scope is "not found"), actions and autocomplete.
    """

    scope_path = "unit__path"
    # Rows of a unit's year (results, the year's workflow) name the year here: they
    # are scoped by the tree of that year (`units.selectors.placed_under`).
    scope_year: str | None = None

    def scope_filter(self, scope: Unit) -> Q:
        if self.scope_year is not None:
            unit = self.scope_path.removesuffix("__path")
            return placed_under(scope, unit=unit, year=self.scope_year)
        return in_scope(scope, self.scope_path)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        scope = unit_scope_for(request.user)
        if scope is None:
            return queryset
        return queryset.filter(self.scope_filter(scope))

    def response_action(self, request, queryset):
        """An action's selection is ids: anything else ("abc", "", 20 digits) is a 400,
        whatever the database would make of it."""
        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        if any(whole_number(value) is None for value in selected):
            raise BadRequest(gettext("The selected rows are not valid."))
        return super().response_action(request, queryset)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope = unit_scope_for(request.user)
        if scope is not None and db_field.related_model is Unit:
            kwargs["queryset"] = Unit.objects.subtree(scope)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        """Values from the URL (`?target=16`) only when the form would offer them.

        Otherwise an add form would show the name of any row whose id is typed,
        in scope or not; an id that is no number is dropped too.
        """
        initial = super().get_changeform_initial_data(request)
        for name in list(initial):
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if not (field.many_to_one or field.one_to_one):
                continue
            formfield = self.formfield_for_foreignkey(field, request)
            pk = whole_number(str(initial[name]))
            if formfield is None or pk is None or not formfield.queryset.filter(pk=pk).exists():
                del initial[name]
        return initial


class ScopedHistoryAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    """An audited model's admin: its history is read-only and scoped like its rows.

    The history of a row outside the user's scope is "not found"; so is that of
    a deleted row whose last recorded state was outside it. Historical versions
    can be looked at, never reverted to.
    """

    def history_view(self, request, object_id, extra_context=None):
        self.check_history_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        if whole_number(version_id) is None:
            raise Http404
        self.check_history_scope(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableChanges(self.model, historical_record)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
        # Each line names the object as it was; hand it the related rows the
        # history query already fetched, or naming it costs queries per line.
        for record in historical_records:
            instance = record.history_object
            for field in self.model._meta.concrete_fields:
                if not field.many_to_one:
                    continue
                recorded = record._meta.get_field(field.name)
                if recorded.is_cached(record):
                    field.set_cached_value(instance, recorded.get_cached_value(record))
            record.history_object = instance

    def check_history_scope(self, request, object_id) -> None:
        object_id = unquote(object_id)
        try:
            if self.get_queryset(request).filter(pk=object_id).exists():
                return
            if self.model._default_manager.filter(pk=object_id).exists():
                raise Http404
        except (ValueError, ValidationError) as error:
            raise Http404 from error
        history = self.model.history.filter(**{self.model._meta.pk.attname: object_id})
        latest = history.order_by("-history_date", "-history_id").first()
        if latest is None:
            raise Http404
        scope = unit_scope_for(request.user)
        if (
            scope is not None
            and not history.filter(Q(pk=latest.pk) & self.scope_filter(scope)).exists()
        ):
            raise Http404


@admin.register(Unit)
class UnitAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_path = "path"
    list_display = ["indented_name", "code", "kind", "sector", "is_active", "children_link"]
    list_filter = ["kind", "sector", "is_active", ("parent", admin.EmptyFieldListFilter)]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
    ordering = ["path"]
    list_per_page = 100
    fields = [
        "name", "code", "kind", "sector", "parent", "order", "is_active", "founded_on", "note",
    ]  # fmt: skip

    def get_urls(self):
        from django.urls import path

        return [
            path(
                "<path:object_id>/reorganise/",
                self.admin_site.admin_view(self.reorganise_view),
                name="units_unit_reorganise",
            ),
            *super().get_urls(),
        ]

    def reorganise_view(self, request, object_id):
        """Record a move, dissolution, merger, split or renaming: preview, then confirm."""
        from django.template.response import TemplateResponse

        from units.event_forms import ReorganiseForm
        from units.events import EventRefused

        unit = self.get_object(request, unquote(object_id))
        if unit is None:
            raise Http404
        if not self.has_change_permission(request, unit):
            raise PermissionDenied
        form = ReorganiseForm(request.POST or None, unit=unit, units=self.get_queryset(request))
        outcome, errors = None, []
        if request.method == "POST" and form.is_valid():
            confirm = "confirm" in request.POST
            try:
                outcome = form.run(preview=not confirm)
            except EventRefused as refused:
                errors = refused.messages
            else:
                if confirm:
                    self.message_user(request, " ".join(outcome.lines))
                    from django.shortcuts import redirect

                    return redirect("admin:units_unit_change", unit.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": unit,
            "title": gettext("Record a reorganisation: %(unit)s") % {"unit": unit},
            "form": form,
            "outcome": outcome,
            "errors": errors,
            "timeline": unit_timeline(unit),
        }
        return TemplateResponse(request, "admin/units/unit/reorganise.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        unit = self.get_object(request, unquote(object_id))
        extra_context = {**(extra_context or {}), "timeline": unit_timeline(unit) if unit else []}
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, unit: Unit) -> str:
        return format_html(
            '<span style="padding-left:{}em">{}</span>', (unit.depth - 1) * 1.5, unit.name
        )

    @admin.display(description=_("units below"))
    def children_link(self, unit: Unit) -> str:
        return format_html('<a href="?parent__id__exact={}">{}</a>', unit.pk, _("show units below"))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "parent" and unit_scope_for(request.user) is not None:
            # Someone confined to a subtree cannot start a new tree outside it.
            field.required = True
        return field


PERMISSION_ACTIONS = {
    "add": _("Can add %(name)s"),
    "change": _("Can change %(name)s"),
    "delete": _("Can delete %(name)s"),
    "view": _("Can view %(name)s"),
}


def permission_label(permission: Permission) -> str:
    """A permission in the user's language: Django stores its names in English."""
    model = permission.content_type.model_class()
    action = permission.codename.partition("_")[0]
    if model is None:
        return permission.name
    name = model._meta.verbose_name
    if action in PERMISSION_ACTIONS and permission.codename == f"{action}_{model._meta.model_name}":
        label = PERMISSION_ACTIONS[action] % {"name": name}
    else:
        label = gettext(permission.name)
    return f"{capfirst(model._meta.app_config.verbose_name)} | {capfirst(label)}"


class PermissionLabelsMixin:
    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.related_model is Permission and field is not None:
            field.label_from_instance = permission_label
        return field


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(PermissionLabelsMixin, BaseGroupAdmin):
    pass


@admin.register(User)
class UserAdmin(PermissionLabelsMixin, ScopedAdminMixin, BaseUserAdmin):
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

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not request.user.is_superuser:
            queryset = queryset.filter(is_superuser=False)
        return queryset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "unit" and unit_scope_for(request.user) is not None:
            # Someone confined to a subtree gives every account a unit in it, their
            # own included: an administrator or leader without a unit sees everything.
            field.required = True
        return field

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # Only a superuser makes superusers or hands out single permissions.
            readonly += ["is_superuser", "user_permissions"]
        return readonly


class LoginRecordsScopedMixin:
    """Failed and past logins (django-axes): only of the users in one's subtree.

    A record names a username, not a unit: it is in scope when that username
    belongs to a user of the subtree.
    """

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        scope = unit_scope_for(request.user)
        if scope is None:
            return queryset
        usernames = User.objects.filter(in_scope(scope, "unit__path")).values("username")
        return queryset.filter(username__in=usernames)


class ScopedAccessAttemptAdmin(LoginRecordsScopedMixin, AccessAttemptAdmin):
    # axes' "clean up expired attempts" ignores the selection (and fails outside a
    # login request); deleting the selected attempts is how a login is unlocked.
    actions = []


class ScopedAccessLogAdmin(LoginRecordsScopedMixin, AccessLogAdmin):
    pass


class ScopedAccessFailureLogAdmin(LoginRecordsScopedMixin, AccessFailureLogAdmin):
    pass


# axes registers its own admins first (it comes before units in INSTALLED_APPS).
for model, model_admin in [
    (AccessAttempt, ScopedAccessAttemptAdmin),
    (AccessLog, ScopedAccessLogAdmin),
    (AccessFailureLog, ScopedAccessFailureLogAdmin),
]:
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
