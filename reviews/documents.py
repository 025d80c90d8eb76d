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

from reports import exports
from reports.export_views import table_response
from reports.templatetags.progress import actual, as_of_label, figure
from reviews.views import ReviewFigures, review_figures, review_for, scope_for

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PLACE = "Thanh Hóa"


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
                change = _("adjusted after the review: %(adopted)s → %(live)s") % {
                    "adopted": adjustment.adopted,
                    "live": adjustment.live,
                }
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


def _cell(cell, text: str, *, bold: bool = False, align=None) -> None:
    cell.text = ""
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = Pt(10)
    if align is not None:
        paragraph.alignment = align


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
    _cell(masthead.cell(0, 1), _("COMMUNIST PARTY OF VIETNAM"), bold=True, align=center)
    _cell(masthead.cell(1, 0), "*", align=center)
    date = review.meeting_date or timezone.localdate()
    place_and_date = _("%(place)s, day %(day)s month %(month)s year %(year)s") % {
        "place": PLACE,
        "day": f"{date.day:02d}",
        "month": f"{date.month:02d}",
        "year": date.year,
    }
    _cell(masthead.cell(1, 1), place_and_date, align=center)
    masthead.cell(1, 1).paragraphs[0].runs[0].italic = True

    title = document.add_paragraph()
    title.alignment = center
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
    subtitle = document.add_paragraph()
    subtitle.alignment = center
    parts = [str(review), as_of_label(progress.as_of), str(figures.scope)]
    if review.is_adopted and review.document_number:
        parts.append(_("adopted by %(document)s") % {"document": review.document_number})
    if not review.is_adopted:
        parts.append(_("DRAFT"))
    subtitle.add_run(" – ".join(parts)).italic = True

    years = list(progress.as_of.years())
    headers = [
        _("No."), _("Target"), _("Unit of measure"), _("Set by the resolution"),
        *(str(year) for year in years), _("Cumulative / estimated"), _("Completion"),
        _("Status"),
    ]  # fmt: skip
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        _cell(cell, text, bold=True, align=center)
    by_target = {line.row.target.pk: line for line in figures.lines}
    for line in exports.summary_lines(progress):
        cells = table.add_row().cells
        if line.row is None:
            merged = cells[1].merge(cells[-1])
            _cell(cells[0], line.number, bold=True, align=center)
            _cell(merged, line.label, bold=True)
            continue
        row = line.row
        review_line = by_target[row.target.pk]
        phrases = review_line.phrases
        planned = figure(row.planned, row) if row.planned is not None else "—"
        actual_text = actual(row)
        if review_line.adjustment is not None:
            actual_text += "\n" + _("adjusted after the review: %(adopted)s → %(live)s") % {
                "adopted": review_line.adjustment.adopted,
                "live": review_line.adjustment.live,
            }
        values = [
            line.number,
            line.label,
            row.target.unit_label,
            planned,
            *(figure(point.actual, row) for point in row.years),
            actual_text,
            phrases.get("completion") or "—",
            phrases.get("status") or str(row.status.label),
        ]
        right = WD_ALIGN_PARAGRAPH.RIGHT
        for index, (cell, text) in enumerate(zip(cells, values, strict=True)):
            _cell(cell, text, align=right if 3 <= index < 4 + len(years) + 1 else None)

    explained = [line for line in figures.lines if line.explanation is not None]
    if explained:
        document.add_paragraph().add_run(_("Causes and solutions")).bold = True
        for line in explained:
            paragraph = document.add_paragraph()
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
            "years": list(progress.as_of.years()),
            "date": figures.review.meeting_date or timezone.localdate(),
            "place": PLACE,
        },
    )
