"""Screenshots of each dashboard page at desktop and phone width, for the README.

Not a test module (pytest only collects test_*.py): `make screenshots` runs it
explicitly against the demo and writes docs/screenshots/<page>-<width>.png.
"""

from pathlib import Path

import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE_HEIGHT = 1600
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def pages_of_the_demo() -> dict[str, str]:
    from indicators.models import Target
    from units.models import Kind, Unit

    root = Unit.objects.get(parent=None)
    committee = Unit.objects.filter(parent=root, kind=Kind.GRASSROOTS_COMMITTEE).first()
    return {
        "overview": "/",
        "target": f"/targets/{Target.objects.get(code='5').pk}/",
        "scorecard": f"/units/{committee.pk}/",
        "completeness": "/completeness/?year=2023",
    }


@pytest.mark.parametrize("width", list(WIDTHS))
def test_screenshots(browser, demo_site, width):
    """Each page renders and is saved as a full-page PNG."""
    OUT.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(
        locale="vi-VN", viewport=WIDTHS[width], device_scale_factor=1 if width == "desktop" else 2
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, demo_site)
    for name, path in pages_of_the_demo().items():
        page.goto(demo_site + path)
        assert page.locator("h1").count()
        target = OUT / f"{name}-{width}.png"
        if width == "phone":
            # The first screens, as a leader would scroll them on a phone.
            height = min(page.evaluate("document.body.scrollHeight"), PHONE_HEIGHT)
            clip = {"x": 0, "y": 0, "width": WIDTHS[width]["width"], "height": height}
            page.screenshot(path=str(target), full_page=True, clip=clip)
        else:
            page.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 10_000
    context.close()
