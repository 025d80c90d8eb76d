"""Screenshots of every page a user reads, at desktop and phone width, for the README.

Not a test module (pytest only collects test_*.py): `make screenshots` runs it
explicitly against the demo and writes docs/screenshots/<page>-desktop.png (1366 px
wide, the whole page) and <page>-phone.png (390 px wide, the first screens), and
print-pdf.png, the first page of the print page's PDF as Chromium prints it
(rendered by poppler's pdftoppm).
"""

import csv
import io
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE_HEIGHT = 1600
WIDTHS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
SCALE = {"desktop": 1, "phone": 2}


@dataclass(frozen=True)
class Shot:
    name: str
    path: str
    username: str = "lanhdao"


def shots_of_the_demo() -> list[Shot]:
    """Each page, as the user who would read it, in the demo's workflow states."""
    from indicators.models import Target, UnitYear, YearState
    from units.models import Kind, Unit, User
    from units.selectors import term_tree_children

    # The demo's bloc, ended in 2025: the organisations it had on its last day.
    root = Unit.objects.get(code="KHOI")
    committee = term_tree_children(root).filter(kind=Kind.GRASSROOTS_COMMITTEE).first()
    clerk_unit = User.objects.get(username="nhaplieu").unit
    submitted = UnitYear.objects.filter(unit=clerk_unit, state=YearState.SUBMITTED).first()
    approved = UnitYear.objects.filter(state=YearState.APPROVED).order_by("year").first()
    draft_year = next(
        year
        for year in range(2021, 2026)
        if not UnitYear.objects.filter(unit=clerk_unit, year=year).exists()
    )
    return [
        Shot("overview", "/"),
        Shot("target", f"/targets/{Target.objects.get(code='CT1.4').pk}/"),
        Shot("scorecard", f"/units/{committee.pk}/"),
        Shot("completeness", "/completeness/?year=2023"),
        Shot("entry-draft", f"/entry/{clerk_unit.pk}/{draft_year}/", "nhaplieu"),
        Shot("entry-submitted", f"/entry/{clerk_unit.pk}/{submitted.year}/", "kiemduyet"),
        Shot("entry-approved", f"/entry/{approved.unit_id}/{approved.year}/", "kiemduyet"),
        Shot("print", "/reports/print/"),
    ]


def _save(page, target: Path, width: str) -> None:
    if width == "phone":
        # The first screens, as a leader would scroll them on a phone.
        height = min(page.evaluate("document.documentElement.scrollHeight"), PHONE_HEIGHT)
        clip = {"x": 0, "y": 0, "width": WIDTHS[width]["width"], "height": height}
        page.screenshot(path=str(target), full_page=True, clip=clip)
    else:
        page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 10_000, target


def _file_with_a_bad_row(page, base_url: str) -> Path:
    """The clerk's own results export, with a year that is not one and a figure in words."""
    text = page.request.get(f"{base_url}/exports/results.csv").text()
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header, body = rows[0], rows[1:11]
    body[1][header.index("Năm")] = "năm ngoái"
    body[3][header.index("Giá trị")] = "mười hai"
    stream = io.StringIO()
    csv.writer(stream).writerows([header, *body])
    path = Path(tempfile.mkdtemp()) / "ket-qua-nam-2022.csv"
    path.write_text("\ufeff" + stream.getvalue(), encoding="utf-8")
    return path


def _import_preview(page, base_url: str) -> None:
    """The admin's results import, previewing a file with errors."""
    upload = _file_with_a_bad_row(page, base_url)
    page.goto(f"{base_url}/admin/indicators/result/import/")
    page.set_input_files("input[name=import_file]", str(upload))
    page.select_option("select[name=format]", "0")
    page.locator("input[type=submit]").click()
    page.wait_for_selector("[data-testid=import-errors]")
    shutil.rmtree(upload.parent)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_screenshots(browser, demo_site, width):
    """Each page renders and is saved as a PNG; on desktop, the print page's PDF too."""
    OUT.mkdir(parents=True, exist_ok=True)
    shots = shots_of_the_demo()
    by_user: dict[str, list[Shot]] = {}
    for shot in shots:
        by_user.setdefault(shot.username, []).append(shot)
    for username, own in by_user.items():
        context = browser.new_context(
            locale="vi-VN", viewport=WIDTHS[width], device_scale_factor=SCALE[width]
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        log_in(page, demo_site, username)
        for shot in own:
            response = page.goto(demo_site + shot.path)
            assert response.status == 200, shot
            assert page.locator("h1").count(), shot
            _save(page, OUT / f"{shot.name}-{width}.png", width)
        if username == "nhaplieu":
            _import_preview(page, demo_site)
            _save(page, OUT / f"import-error-{width}.png", width)
        if username == "lanhdao" and width == "desktop":
            _print_pdf(page, demo_site)
        context.close()


def _print_pdf(page, base_url: str) -> None:
    """The print page as Chromium prints it to PDF (A4, the page's own margins and
    page numbers), and its first page as a PNG."""
    page.goto(f"{base_url}/reports/print/")
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "print.pdf"
        page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
        assert pdf.stat().st_size > 10_000
        subprocess.run(
            ["pdftoppm", "-png", "-r", "110", "-f", "1", "-l", "1", "-singlefile", str(pdf),
             str(Path(folder) / "page")],
            check=True,
        )  # fmt: skip
        shutil.copy(Path(folder) / "page.png", OUT / "print-pdf.png")
