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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.models import Target, Term
from onboarding import quotas, targets, terms, tree
from onboarding.forms import TermCopyForm
from onboarding.sheets import (
    SheetRefused,
    csv_bytes,
    sheet_remove,
    sheet_rows,
    sheet_store,
    xlsx_bytes,
)
from units.models import Kind, Sector, Unit
from units.selectors import unit_scope_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MANAGE_UNITS = ["units.add_unit", "units.change_unit"]


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File (CSV or Excel .xlsx)"))


def download(content: bytes, *, filename: str, fmt: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX if fmt == "xlsx" else "text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


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


@login_required
@permission_required(MANAGE_UNITS, raise_exception=True)
def units_setup(request):
    context = import_flow(
        request,
        kind="units",
        plan=lambda rows: tree.tree_plan(rows=rows, user=request.user),
        apply=lambda rows: tree.tree_import(rows=rows, user=request.user),
    )
    if "done" in context:
        done = context["done"]
        messages.success(
            request,
            _("The tree is saved: %(created)s new, %(changed)s changed, %(moved)s moved.")
            % {
                "created": len(done.created),
                "changed": len(done.changed),
                "moved": len(done.moved),
            },
        )
    return render(request, "onboarding/units.html", context)


@login_required
@permission_required(MANAGE_UNITS, raise_exception=True)
def units_export(request, fmt: str):
    headers, rows = tree.tree_export_rows(user=request.user)
    if fmt == "csv":
        return download(csv_bytes(headers, rows), filename="don-vi", fmt="csv")
    content = xlsx_bytes(
        headers,
        rows,
        title=_("Units"),
        widths=[c.width for c in tree.COLUMNS],
        lists=_unit_lists(),
        list_rows=max(2000, len(rows) + 500),
    )
    return download(content, filename="don-vi", fmt="xlsx")


@login_required
@permission_required(MANAGE_UNITS, raise_exception=True)
def units_template(request):
    headers = [str(column.header) for column in tree.COLUMNS]
    content = xlsx_bytes(
        headers,
        tree.tree_template_rows(),
        title=_("Units"),
        widths=[c.width for c in tree.COLUMNS],
        lists=_unit_lists(),
    )
    return download(content, filename="mau-don-vi", fmt="xlsx")


def _unit_lists() -> dict[int, list[str]]:
    names = [column.name for column in tree.COLUMNS]
    return {
        names.index("kind"): [str(label) for _value, label in Kind.choices],
        names.index("sector"): [str(label) for _value, label in Sector.choices],
        names.index("active"): ["1", "0"],
    }


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
    terms = list(terms_managed_by(request.user).prefetch_related("targets"))
    return render(request, "onboarding/index.html", {"terms": terms})


@login_required
@permission_required(MANAGE_TARGETS, raise_exception=True)
def targets_setup(request, term_id: int):
    term = _term(request, term_id)
    context = import_flow(
        request,
        kind="targets",
        plan=lambda rows: targets.targets_plan(rows=rows, user=request.user, term=term),
        apply=lambda rows: targets.targets_import(rows=rows, user=request.user, term=term),
    )
    if "done" in context:
        done = context["done"]
        messages.success(
            request,
            _("The targets are saved: %(created)s new, %(changed)s changed.")
            % {"created": len(done.created), "changed": len(done.changed)},
        )
    context["term"] = term
    return render(request, "onboarding/targets.html", context)


@login_required
@permission_required(MANAGE_TARGETS, raise_exception=True)
def targets_export(request, term_id: int, fmt: str):
    term = _term(request, term_id)
    headers, rows = targets.targets_export_rows(term=term)
    if fmt == "csv":
        return download(csv_bytes(headers, rows), filename=f"chi-tieu-{term.pk}", fmt="csv")
    content = xlsx_bytes(
        headers, rows, title=_("Targets"), widths=_target_widths(term), lists=_target_lists()
    )
    return download(content, filename=f"chi-tieu-{term.pk}", fmt="xlsx")


@login_required
@permission_required(MANAGE_TARGETS, raise_exception=True)
def targets_template(request, term_id: int):
    term = _term(request, term_id)
    headers = targets.targets_headers(term=term)
    content = xlsx_bytes(
        headers,
        targets.targets_template_rows(term=term),
        title=_("Targets"),
        widths=_target_widths(term),
        lists=_target_lists(),
    )
    return download(content, filename=f"mau-chi-tieu-{term.pk}", fmt="xlsx")


def _target_widths(term: Term) -> list[int]:
    return [column.width for column in targets.COLUMNS] + [14 for _year in term.years]


def _target_lists() -> dict[int, list[str]]:
    names = [column.name for column in targets.COLUMNS]
    lists = {
        names.index(name): [str(label) for _value, label in targets.COLUMN[name].choices]
        for name in targets.CHOICE_FIELDS
    }
    lists[names.index("is_headline")] = ["1", "0"]
    lists[names.index("in_percent")] = ["1", "0"]
    return lists


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
    values = None
    errors = []
    if request.method == "POST":
        plan = quotas.quota_grid_save(target=target, user=request.user, data=request.POST)
        if plan.ok:
            messages.success(
                request,
                _("Quotas saved: %(created)s new, %(updated)s changed, %(deleted)s removed.")
                % {"created": plan.created, "updated": plan.updated, "deleted": plan.deleted},
            )
            return redirect("setup:quota_grid", target_id=target.pk)
        errors = plan.errors
        values = {
            (int(unit_id), None if column == "term" else int(column)): value
            for name, value in request.POST.items()
            if name.startswith("q-") and name.count("-") == 2
            for _q, unit_id, column in [name.split("-")]
            if unit_id.isdigit() and (column == "term" or column.isdigit())
        }
    grid = quotas.quota_grid(target=target, user=request.user, values=values)
    return render(
        request,
        "onboarding/quota_grid.html",
        {"grid": grid, "target": target, "term": target.term, "errors": errors},
    )


@login_required
@permission_required(MANAGE_QUOTAS, raise_exception=True)
def quotas_setup(request, term_id: int):
    term = _term(request, term_id)
    context = import_flow(
        request,
        kind="quotas",
        plan=lambda rows: quotas.quotas_plan(rows=rows, user=request.user, term=term),
        apply=lambda rows: quotas.quotas_import(rows=rows, user=request.user, term=term),
    )
    if "done" in context:
        done = context["done"]
        messages.success(
            request,
            _("Quotas saved: %(created)s new, %(updated)s changed, %(deleted)s removed.")
            % {"created": done.created, "updated": done.updated, "deleted": done.deleted},
        )
    context["term"] = term
    return render(request, "onboarding/quotas.html", context)


@login_required
@permission_required(MANAGE_QUOTAS, raise_exception=True)
def quotas_export(request, term_id: int, fmt: str):
    term = _term(request, term_id)
    headers, rows = quotas.quotas_export_rows(term=term, user=request.user)
    if fmt == "csv":
        return download(csv_bytes(headers, rows), filename=f"giao-chi-tieu-{term.pk}", fmt="csv")
    content = xlsx_bytes(
        headers,
        rows,
        title=_("Quotas"),
        widths=_quota_widths(term),
        lists=_quota_lists(term),
        list_rows=max(2000, len(rows) + 500),
    )
    return download(content, filename=f"giao-chi-tieu-{term.pk}", fmt="xlsx")


@login_required
@permission_required(MANAGE_QUOTAS, raise_exception=True)
def quotas_template(request, term_id: int):
    term = _term(request, term_id)
    headers = quotas.quotas_headers(term=term)
    example = [
        [
            "1",
            "CS001",
            "Đảng bộ Sở Tài chính (ví dụ)",
            *(5 for _year in term.years),
            5 * term.length,
        ]
    ]
    content = xlsx_bytes(
        headers, example, title=_("Quotas"), widths=_quota_widths(term), lists=_quota_lists(term)
    )
    return download(content, filename=f"mau-giao-chi-tieu-{term.pk}", fmt="xlsx")


def _quota_widths(term: Term) -> list[int]:
    return [column.width for column in quotas.COLUMNS] + [12 for _c in quotas.quota_columns(term)]


def _quota_lists(term: Term) -> dict[int, list[str]]:
    codes = list(term.targets.order_by("order", "pk").values_list("code", flat=True))
    return {0: codes} if codes else {}


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
