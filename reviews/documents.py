"""A review's appendix (biểu phụ lục): Word, Excel, CSV and the print page.

One table, several writers: the lines are `reports.exports.summary_lines` over
the review's figures (frozen once adopted), the CSV and Excel go through the
same writers as every export, and the Word file lays out the same lines in the
Party document layout (masthead, title, table with its I/II sections and the
headline count, explanations, place-and-date line, page numbers, A4).
"""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from indicators.models import Direction
from reports import exports
from reports.export_views import table_response
from reports.exports import place_and_date
from reports.templatetags.progress import actual, completion, figure
from reviews.selectors import Adjustment
from reviews.views import ReviewFigures, review_figures, review_for, scope_for

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def adjusted_text(adjustment: Adjustment) -> str:
    """ "đã điều chỉnh sau kỳ đánh giá: 2.078 → 2.081" (the page writes the same)."""
    return _("adjusted after the review: %(adopted)s → %(live)s") % {
        "adopted": adjustment.adopted,
        "live": adjustment.live,
    }


def appendix_table(figures: ReviewFigures) -> exports.Table:
    """The meeting table of the review's figures, with a column marking later changes."""
    progress = figures.progress
    base = exports.summary_table(progress)
    lines = exports.summary_lines(progress)
    by_target = {line.row.target.pk: line for line in figures.lines}
    rows = []
    for line, row in zip(lines, base.rows, strict=True):
        change = ""
        if line.row is not None:
            adjustment = by_target[line.row.target.pk].adjustment
            if adjustment is not None:
                change = adjusted_text(adjustment)
        rows.append([*row, change])
    review = figures.review
    about = [(_("Review"), str(review)), *base.about]
    if review.is_adopted:
        about += [
            (_("Adopting document"), review.document_number or "—"),
            (_("Adopted at"), timezone.localtime(review.adopted_at).strftime("%d/%m/%Y %H:%M")),
        ]
    else:
        about.append((_("State"), _("Draft: live figures, not adopted yet")))
    return exports.Table(
        title=_("Appendix"),
        filename=f"review-{review.pk}-unit-{figures.scope.pk}",
        columns=[*base.columns, exports.Column(_("Adjusted after the review"), 30)],
        rows=rows,
        about=about,
    )


def appendix_heading(figures: ReviewFigures) -> list[str]:
    """The lines under the appendix's title: which review (and unit), then what adopted it.

    "Sơ kết giữa nhiệm kỳ", "(Kèm theo văn bản số 35-BC/ĐU ngày 07/08/2023)"; before
    adoption, a draft line instead. The print page and the Word file both show these.
    """
    review = figures.review
    first = review.title
    if figures.scope.pk != review.committee.pk:
        first += f" – {figures.scope}"
    lines = [first]
    if not review.is_adopted:
        lines.append(_("Draft: live figures, not adopted yet"))
    elif review.document_number and review.meeting_date:
        lines.append(
            _("(Attached to document No. %(document)s of %(date)s)")
            % {"document": review.document_number, "date": review.meeting_date.strftime("%d/%m/%Y")}
        )
    elif review.document_number:
        lines.append(
            _("(Attached to document No. %(document)s)") % {"document": review.document_number}
        )
    return lines


def planned_label(figures: ReviewFigures) -> str:
    """The plan's column: the resolution's at the committee, the unit's quota below it."""
    if figures.scope.pk == figures.review.committee.pk:
        return _("Set by the resolution")
    return _("Target for the unit")


def committee_masthead(unit) -> str:
    """ "ĐẢNG ỦY KHỐI CƠ QUAN…": the committee that signs for the Party organisation."""
    name = unit.name.removeprefix("Đảng bộ ").removeprefix("Đảng ủy ")
    return (_("PARTY COMMITTEE OF %(name)s") % {"name": name}).upper()


def _page_number(paragraph) -> None:
    """A PAGE field: Word and LibreOffice fill in the page's number."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def _cell(cell, text: str, *, bold: bool = False, align=None, width=None):
    """Write `text` in the cell (one run, 10 pt) and return the run."""
    cell.text = text
    paragraph = cell.paragraphs[0]
    run = paragraph.runs[0]
    run.bold = bold
    run.font.size = Pt(10)
    if align is not None:
        paragraph.alignment = align
    if width is not None:
        cell.width = width
    return run


def _row_property(row, name: str) -> None:
    """A row flag: `tblHeader` (repeated on each page), `cantSplit` (kept on one page)."""
    element = OxmlElement(f"w:{name}")
    element.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(element)


# Column widths of the table (mm) on A4 landscape with 20 mm margins: 257 mm in all;
# the target's name takes what the others leave.
PAGE_WIDTH_MM = 257
WIDTHS_MM = {"number": 14, "unit": 18, "planned": 18, "year": 14, "actual": 30,
             "completion": 32, "status": 22}  # fmt: skip
NAME_MIN_MM = 50


def _column_widths(years: int) -> list:
    fixed = [WIDTHS_MM["number"], None, WIDTHS_MM["unit"], WIDTHS_MM["planned"]]
    fixed += [WIDTHS_MM["year"]] * years
    fixed += [WIDTHS_MM["actual"], WIDTHS_MM["completion"], WIDTHS_MM["status"]]
    name = max(NAME_MIN_MM, PAGE_WIDTH_MM - sum(width for width in fixed if width))
    return [Mm(width or name) for width in fixed]


def appendix_docx(figures: ReviewFigures) -> bytes:
    """The appendix as a Word document (A4 landscape, Times New Roman)."""
    review, progress = figures.review, figures.progress
    term = review.term
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Mm(20))
    section.top_margin = section.bottom_margin = Mm(15)
    _page_number(section.footer.paragraphs[0])
    section.footer.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER

    masthead = document.add_table(rows=2, cols=2)
    center = WD_ALIGN_PARAGRAPH.CENTER
    _cell(masthead.cell(0, 0), committee_masthead(term.root_unit), bold=True, align=center)
    party = _cell(masthead.cell(0, 1), _("COMMUNIST PARTY OF VIETNAM"), bold=True, align=center)
    party.underline = True
    _cell(masthead.cell(1, 0), "*", align=center)
    day = review.meeting_date or timezone.localdate()
    _cell(masthead.cell(1, 1), place_and_date(day), align=center).italic = True

    title = document.add_paragraph()
    title.alignment = center
    title.paragraph_format.space_before = Pt(12)
    title.add_run(_("APPENDIX")).bold = True
    heading = document.add_paragraph()
    heading.alignment = center
    resolution = _(
        "Results of the targets of the resolution of the %(number)s Congress, "
        "term %(start)s–%(end)s"
    )
    heading.add_run(
        resolution % {"number": term.congress_roman, "start": term.start_year, "end": term.end_year}
    ).bold = True
    for text in appendix_heading(figures):
        line = document.add_paragraph()
        line.alignment = center
        line.paragraph_format.space_after = Pt(2)
        line.add_run(text).italic = True
    line.paragraph_format.space_after = Pt(10)

    years = list(progress.as_of.years())
    headers = [
        _("No."), _("Target"), _("Unit of measure"), planned_label(figures),
        *(str(year) for year in years), _("Cumulative / estimated"), _("Completion"),
        _("Status"),
    ]  # fmt: skip
    widths = _column_widths(len(years))
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for cell, text, width in zip(table.rows[0].cells, headers, widths, strict=True):
        _cell(cell, text, bold=True, align=center, width=width)
    _row_property(table.rows[0], "tblHeader")
    by_target = {line.row.target.pk: line for line in figures.lines}
    right = WD_ALIGN_PARAGRAPH.RIGHT
    # Centred: the number and the unit of measure; right: the figures.
    aligns = [center, None, center, *([right] * (len(years) + 2)), None, None]
    for line in exports.summary_lines(progress):
        row_cells = table.add_row()
        _row_property(row_cells, "cantSplit")
        cells = row_cells.cells
        for cell, width in zip(cells, widths, strict=True):
            cell.width = width
        if line.row is None:
            merged = cells[1].merge(cells[-1])
            _cell(cells[0], line.number, bold=True, align=center)
            _cell(merged, line.label, bold=True)
            continue
        row = line.row
        review_line = by_target[row.target.pk]
        phrases = review_line.phrases
        at_most = "≤ " if row.target.direction == Direction.AT_MOST else ""
        planned = at_most + figure(row.planned, row) if row.planned is not None else "—"
        adjustment = review_line.adjustment
        values = [
            line.number,
            line.label,
            row.target.unit_label,
            planned,
            *(figure(point.actual, row) for point in row.years),
            actual(row),
            phrases.get("completion") or completion(row),
            phrases.get("status") or str(row.status.label),
        ]
        for cell, text, align in zip(cells, values, aligns, strict=True):
            _cell(cell, text, align=align)
        if adjustment is not None:
            # Under the adopted figure, the marker of a later correction (as on the page).
            marker = cells[4 + len(years)].paragraphs[0].add_run()
            marker.add_break()
            marker.add_text(adjusted_text(adjustment))
            marker.italic = True
            marker.font.size = Pt(9)

    explained = [line for line in figures.lines if line.explanation is not None]
    if explained:
        heading = document.add_paragraph()
        heading.paragraph_format.space_before = Pt(12)
        heading.add_run(_("Causes and solutions")).bold = True
        for line in explained:
            paragraph = document.add_paragraph()
            paragraph.paragraph_format.keep_with_next = True
            paragraph.add_run(f"{line.row.target.code}. {line.row.target.name}").bold = True
            document.add_paragraph(_("Causes: %(text)s") % {"text": line.explanation.causes})
            document.add_paragraph(_("Solutions: %(text)s") % {"text": line.explanation.solutions})
    if term.is_illustrative:
        document.add_paragraph(_("Illustrative data")).runs[0].italic = True
    stream = io.BytesIO()
    document.save(stream)
    return stream.getvalue()


def _figures(request, pk: int) -> ReviewFigures:
    review = review_for(request, pk)
    return review_figures(review, scope_for(request, review))


@login_required
def appendix(request, pk: int, fmt: str):
    """/reviews/<id>/appendix.docx|xlsx|csv?unit=<id>: the review's table for one scope."""
    if fmt not in {"docx", "xlsx", "csv"}:
        raise Http404(_("Unknown format."))
    figures = _figures(request, pk)
    if fmt == "docx":
        response = HttpResponse(appendix_docx(figures), content_type=DOCX_TYPE)
        filename = f"review-{figures.review.pk}-unit-{figures.scope.pk}.docx"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return table_response(appendix_table(figures), fmt)


@login_required
def print_appendix(request, pk: int):
    """The appendix on an A4 page, with the explanations and the place-and-date line."""
    figures = _figures(request, pk)
    progress = figures.progress
    by_target = {line.row.target.pk: line for line in figures.lines}
    return render(
        request,
        "reviews/print.html",
        {
            "review": figures.review,
            "figures": figures,
            "progress": progress,
            "rows": [
                (line, by_target[line.row.target.pk] if line.row is not None else None)
                for line in exports.summary_lines(progress)
            ],
            "masthead": committee_masthead(figures.review.term.root_unit),
            "heading": appendix_heading(figures),
            "planned_label": planned_label(figures),
            "years": list(progress.as_of.years()),
            "place_and_date": place_and_date(figures.review.meeting_date or timezone.localdate()),
        },
    )
