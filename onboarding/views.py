"""Setting up a committee: the pages under /admin/setup/.

Each import is the same flow: upload a file, read a preview of what it will
do (or every error, by row and column), confirm; the confirmation re-reads the
stored file and writes all of it or nothing.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.models import Target, Term
from onboarding import quotas, targets, terms, tree, tree_events
from onboarding.forms import TermCopyForm
from onboarding.sheets import SheetFile, SheetRefused, sheet_remove, sheet_rows, sheet_store
from units.models import Kind, Unit
from units.selectors import unit_scope_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MANAGE_UNITS = ["units.add_unit", "units.change_unit"]


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File (CSV or Excel .xlsx)"))


def download(sheet: SheetFile, fmt: str) -> HttpResponse:
    """An import's export ("csv", "xlsx") or its template ("template") as a download."""
    filename, content = sheet.download(fmt)
    response = HttpResponse(content, content_type="text/csv" if fmt == "csv" else XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def sheet_links(name: str, *args) -> dict[str, str]:
    """The template and exports beside an import page (URL names `<name>_template`...,
    from urls.sheet_paths)."""
    return {
        kind: reverse(f"setup:{name}_{kind}", args=args) for kind in ("template", "xlsx", "csv")
    }


def import_flow(request, *, kind: str, plan, apply) -> dict:
    """Upload → preview → confirm, shared by every import; returns the page's context.

    `plan(rows)` checks a file without writing; `apply(rows)` writes it (all or
    nothing) and returns the same kind of plan.
    """
    context: dict = {"form": UploadForm()}
    if request.method != "POST":
        return context
    token = request.POST.get("token", "")
    try:
        if "confirm" in request.POST:
            result = apply(sheet_rows(user=request.user, token=token))
            if result.ok:
                sheet_remove(user=request.user, token=token)
                context["done"] = result
            else:
                context["plan"] = result
            return context
        form = UploadForm(request.POST, request.FILES)
        context["form"] = form
        if not form.is_valid():
            return context
        token = sheet_store(user=request.user, file=form.cleaned_data["file"], kind=kind)
        context["plan"] = plan(sheet_rows(user=request.user, token=token))
        context["token"] = token
    except SheetRefused as error:
        context["refused"] = str(error)
    return context


def import_page(
    request, template: str, *, kind: str, plan, apply, saved, links: dict, **context
) -> HttpResponse:
    """An import's page: `import_flow`, and `saved(done)` as the message once written."""
    context.update(import_flow(request, kind=kind, plan=plan, apply=apply), links=links)
    if "done" in context:
        messages.success(request, saved(context["done"]))
    return render(request, template, context)


def quotas_saved(plan: quotas.QuotaPlan) -> str:
    return _("Quotas saved: %(created)s new, %(updated)s changed, %(deleted)s removed.") % {
        "created": plan.created,
        "updated": plan.updated,
        "deleted": plan.deleted,
    }


# The organisation tree --------------------------------------------------------------


@login_required
@permission_required(MANAGE_UNITS, raise_exception=True)
def units_setup(request):
    return import_page(
        request,
        "onboarding/units.html",
        kind="units",
        plan=lambda rows: tree.tree_plan(rows=rows, user=request.user),
        apply=lambda rows: tree.tree_import(rows=rows, user=request.user),
        saved=lambda done: (
            _("The tree is saved: %(created)s new, %(changed)s changed, %(moved)s moved.")
            % {"created": len(done.created), "changed": len(done.changed), "moved": len(done.moved)}
        ),
        links=sheet_links("units"),
    )


@login_required
@permission_required(MANAGE_UNITS, raise_exception=True)
def units_file(request, fmt: str):
    return download(tree.tree_file(user=request.user), fmt)


@login_required
@permission_required(MANAGE_UNITS, raise_exception=True)
def unit_events_setup(request):
    """The dated changes of the tree (move, dissolve, merge, split, rename) from a file."""
    return import_page(
        request,
        "onboarding/unit_events.html",
        kind="unit_events",
        plan=lambda rows: tree_events.events_plan(rows=rows, user=request.user),
        apply=lambda rows: tree_events.events_import(rows=rows, user=request.user),
        saved=lambda done: (
            _("Reorganisations recorded: %(recorded)s (%(unchanged)s rows already recorded).")
            % {"recorded": done.recorded, "unchanged": done.unchanged}
        ),
        links=sheet_links("unit_events"),
    )


@login_required
@permission_required(MANAGE_UNITS, raise_exception=True)
def unit_events_file(request, fmt: str):
    return download(tree_events.events_file(user=request.user), fmt)


# The hub and the term's pages ----------------------------------------------------------

MANAGE_TARGETS = ["indicators.add_target", "indicators.change_target"]


def terms_managed_by(user):
    scope = unit_scope_for(user)
    terms = Term.objects.select_related("root_unit").order_by("-start_year", "name")
    return terms if scope is None else terms.filter(root_unit__path__startswith=scope.path)


def _term(request, term_id: int) -> Term:
    return get_object_or_404(terms_managed_by(request.user), pk=term_id)


@login_required
@permission_required(MANAGE_UNITS, raise_exception=True)
def setup_index(request):
    scope = unit_scope_for(request.user)
    units = Unit.objects.all() if scope is None else Unit.objects.subtree(scope)
    terms = list(terms_managed_by(request.user).prefetch_related("targets"))
    return render(request, "onboarding/index.html", {"terms": terms, "units": units.count()})


@login_required
@permission_required(MANAGE_TARGETS, raise_exception=True)
def targets_setup(request, term_id: int):
    term = _term(request, term_id)
    return import_page(
        request,
        "onboarding/targets.html",
        kind="targets",
        plan=lambda rows: targets.targets_plan(rows=rows, user=request.user, term=term),
        apply=lambda rows: targets.targets_import(rows=rows, user=request.user, term=term),
        saved=lambda done: (
            _("The targets are saved: %(created)s new, %(changed)s changed.")
            % {"created": len(done.created), "changed": len(done.changed)}
        ),
        links=sheet_links("targets", term.pk),
        term=term,
    )


@login_required
@permission_required(MANAGE_TARGETS, raise_exception=True)
def targets_file(request, term_id: int, fmt: str):
    return download(targets.targets_file(term=_term(request, term_id)), fmt)


# Quotas -----------------------------------------------------------------------------

MANAGE_QUOTAS = [
    "indicators.add_unitquota",
    "indicators.change_unitquota",
    "indicators.delete_unitquota",
]


@login_required
@permission_required(MANAGE_QUOTAS, raise_exception=True)
def quota_grid_page(request, target_id: int):
    target = get_object_or_404(
        Target.objects.select_related("term__root_unit").filter(
            term__in=terms_managed_by(request.user)
        ),
        pk=target_id,
    )
    refused = None
    if request.method == "POST":
        plan = quotas.quota_grid_save(target=target, user=request.user, data=request.POST)
        if plan.ok:
            messages.success(request, quotas_saved(plan))
            return redirect("setup:quota_grid", target_id=target.pk)
        refused = plan
    grid = quotas.quota_grid(target=target, user=request.user, refused=refused)
    return render(
        request,
        "onboarding/quota_grid.html",
        {"grid": grid, "target": target, "term": target.term, "refused": refused},
    )


@login_required
@permission_required(MANAGE_QUOTAS, raise_exception=True)
def quotas_setup(request, term_id: int):
    term = _term(request, term_id)
    return import_page(
        request,
        "onboarding/quotas.html",
        kind="quotas",
        plan=lambda rows: quotas.quotas_plan(rows=rows, user=request.user, term=term),
        apply=lambda rows: quotas.quotas_import(rows=rows, user=request.user, term=term),
        saved=quotas_saved,
        links=sheet_links("quotas", term.pk),
        term=term,
    )


@login_required
@permission_required(MANAGE_QUOTAS, raise_exception=True)
def quotas_file(request, term_id: int, fmt: str):
    return download(quotas.quotas_file(term=_term(request, term_id), user=request.user), fmt)


# The next term ----------------------------------------------------------------------

COPY_TERMS = ["indicators.add_term", *MANAGE_TARGETS]


@login_required
@permission_required(COPY_TERMS, raise_exception=True)
def term_copy_page(request, term_id: int):
    term = _term(request, term_id)
    scope = unit_scope_for(request.user)
    units = Unit.objects.all() if scope is None else Unit.objects.subtree(scope)
    # A resolution belongs to a committee: the bloc, or a grassroots committee of its own.
    units = units.filter(kind__in=[Kind.BLOC, Kind.GRASSROOTS_COMMITTEE])
    form = TermCopyForm(request.POST or None, term=term, units=units.order_by("path"))
    if request.method == "POST" and form.is_valid():
        copy = terms.term_copy(
            term=term,
            new=form.new_term(),
            user=request.user,
            with_quotas=form.cleaned_data["with_quotas"],
        )
        messages.success(
            request,
            _("The term %(term)s is created with %(targets)s targets: now edit their figures.")
            % {"term": copy, "targets": copy.targets.count()},
        )
        return redirect("setup:targets", term_id=copy.pk)
    return render(request, "onboarding/term_copy.html", {"term": term, "form": form})
