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
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onboarding import tree
from onboarding.sheets import (
    SheetRefused,
    csv_bytes,
    sheet_remove,
    sheet_rows,
    sheet_store,
    xlsx_bytes,
)
from units.models import Kind, Sector

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
    content = xlsx_bytes(headers, rows, title=_("Units"), widths=[c.width for c in tree.COLUMNS],
                         lists=_unit_lists(), list_rows=max(2000, len(rows) + 500))  # fmt: skip
    return download(content, filename="don-vi", fmt="xlsx")


@login_required
@permission_required(MANAGE_UNITS, raise_exception=True)
def units_template(request):
    headers = [str(column.header) for column in tree.COLUMNS]
    content = xlsx_bytes(headers, tree.tree_template_rows(), title=_("Units"),
                         widths=[c.width for c in tree.COLUMNS], lists=_unit_lists())  # fmt: skip
    return download(content, filename="mau-don-vi", fmt="xlsx")


def _unit_lists() -> dict[int, list[str]]:
    names = [column.name for column in tree.COLUMNS]
    return {
        names.index("kind"): [str(label) for _value, label in Kind.choices],
        names.index("sector"): [str(label) for _value, label in Sector.choices],
        names.index("active"): ["1", "0"],
    }
