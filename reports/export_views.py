"""Downloads (CSV, Excel) and the printable report: the engine's output, rendered.

Filters are the dashboard's GET parameters: `term`, `as_of` (a year, `mid` or
`end`) and `unit`; the raw results also take `year` and `target`. A wrong
parameter is a 404 with a message, never an error; every export is confined
to the user's scope (`unit_scope_for`).
"""

from __future__ import annotations

import tempfile

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from config.routers import replica_reads
from indicators.engine import target_breakdown, term_progress
from indicators.models import Target, Term
from indicators.selectors import results_for_export, terms_visible_to
from reports import exports, fast_export
from reports.selection import Selection, int_param, select
from reports.templatetags.progress import as_of_label
from units.selectors import unit_scope_for

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Rows fetched per round trip when streaming raw results.
CHUNK_SIZE = 2000
# An Excel file being built stays in memory up to this size, then goes to disk.
SPOOL_BYTES = 8 * 1024 * 1024


def filters_for(request, *, term: Term | None = None) -> Selection:
    """The dashboard's selection (`reports.selection.select`); for a file, any error is a 404."""
    term_id = int_param(request, "term")
    if term is not None and term_id and term_id != term.pk:
        raise Http404(_("This term does not exist or is not yours to see."))
    selection = select(request, term=term)
    if selection is None:
        raise Http404(_("This term does not exist or is not yours to see."))
    if selection.errors:
        raise Http404(selection.errors[0])
    return selection


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def table_response(table: exports.Table, fmt: str) -> HttpResponse:
    """A table as a download: CSV streamed, Excel built in a spooled temporary file."""
    if fmt == "csv":
        response = StreamingHttpResponse(exports.csv_chunks(table), content_type=CSV_TYPE)
        return _attachment(response, f"{table.filename}.csv")
    if fmt == "vn.csv":
        chunks = exports.csv_chunks(table, excel_vn=True)
        response = StreamingHttpResponse(chunks, content_type=CSV_TYPE)
        return _attachment(response, f"{table.filename}-excel-vn.csv")
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (FileResponse closes it)
    exports.write_xlsx(table, spool)
    spool.seek(0)
    return FileResponse(
        spool, as_attachment=True, filename=f"{table.filename}.xlsx", content_type=XLSX_TYPE
    )


@login_required
@replica_reads
def summary(request, fmt: str):
    filters = filters_for(request)
    progress = term_progress(term=filters.term, as_of=filters.as_of, scope=filters.scope)
    return table_response(exports.summary_table(progress), fmt)


@login_required
@replica_reads
def target(request, pk: int, fmt: str):
    allowed = unit_scope_for(request.user)
    target = (
        Target.objects.filter(pk=pk, term__in=terms_visible_to(allowed))
        .select_related("term__root_unit")
        .first()
    )
    if target is None:
        raise Http404(_("This target does not exist or is not yours to see."))
    filters = filters_for(request, term=target.term)
    breakdown = target_breakdown(
        term=filters.term, target=target, as_of=filters.as_of, scope=filters.scope
    )
    table = exports.breakdown_table(
        term=filters.term,
        as_of=filters.as_of,
        scope=filters.scope,
        target=target,
        breakdown=breakdown,
    )
    return table_response(table, fmt)


@login_required
@replica_reads
def results(request, fmt: str):
    filters = filters_for(request)
    year = int_param(request, "year")
    if year is not None and year not in filters.term.years:
        raise Http404(
            _("The year must be within the term, from %(first)s to %(last)s.")
            % {"first": filters.term.years[0], "last": filters.term.years[-1]}
        )
    target_id = int_param(request, "target")
    if target_id is not None and not filters.term.targets.filter(pk=target_id).exists():
        raise Http404(_("This target does not exist or is not yours to see."))
    selection = {
        "term": filters.term,
        "scope": filters.scope,
        "allowed": unit_scope_for(request.user),
        "up_to_year": filters.as_of.year if filters.as_of_given else None,
        "year": year,
        "target_id": target_id,
    }
    table = exports.results_table(
        term=filters.term,
        scope=filters.scope,
        values=results_for_export(**selection).iterator(chunk_size=CHUNK_SIZE),
        as_of_text=as_of_label(filters.as_of) if filters.as_of_given else None,
    )
    if fmt == "csv" and fast_export.is_available():
        # The same rows, formatted by PostgreSQL's COPY: several times faster.
        chunks = fast_export.results_csv_copy_chunks(headers=table.headers, **selection)
        response = StreamingHttpResponse(chunks, content_type=CSV_TYPE)
        return _attachment(response, f"{table.filename}.csv")
    return table_response(table, fmt)


def committee_name(unit) -> str:
    """The issuing body of a Party organisation: its committee ("Đảng bộ X" → "Đảng ủy X")."""
    name = str(unit)
    for body, committee in (("Đảng bộ ", "Đảng ủy "), ("Chi bộ ", "Chi ủy ")):
        if name.startswith(body):
            return committee + name[len(body) :]
    return name


@login_required
@replica_reads
def print_summary(request):
    """The summary table as an A4 page, to attach to the review document."""
    filters = filters_for(request)
    progress = term_progress(term=filters.term, as_of=filters.as_of, scope=filters.scope)
    return render(
        request,
        "reports/print.html",
        {
            "progress": progress,
            "lines": exports.summary_lines(progress),
            "years": list(filters.as_of.years()),
            "today": timezone.localdate(),
            "issuer": committee_name(filters.term.root_unit),
            "place_and_date": exports.place_and_date(timezone.localdate()),
        },
    )
