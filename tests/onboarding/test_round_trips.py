"""Each set-up file, exported as CSV or Excel and uploaded back, changes nothing."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from indicators.models import Frequency, Level, Measure, Programme, TargetYear, UnitQuota
from onboarding.targets import FIELDS
from tests.factories import make_quota, make_root, make_target, make_term, make_unit, make_user
from units import roles
from units.models import Kind, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def committee():
    """A committee with two grassroots organisations and their cells, a term with
    targets of every shape, and quotas (a decimal one, one for the whole term)."""
    root = make_root()
    first = make_unit("Đảng bộ A, có dấu phẩy", parent=root, kind=Kind.GRASSROOTS_COMMITTEE)
    second = make_unit("=Đảng bộ B", parent=root, kind=Kind.GRASSROOTS_COMMITTEE)
    make_unit("Chi bộ 1", parent=first, kind=Kind.CELL)
    make_unit("Chi bộ cũ", parent=second, kind=Kind.CELL, is_active=False)
    term = make_term(root)
    programme = Programme.objects.create(term=term, name="Chương trình 1", order=1)
    admissions = make_target(term, code="1", term_target=3200, yearly_target=600)
    TargetYear.objects.create(target=admissions, year=2022, value=Decimal("650.5"))
    make_target(
        term,
        code="CT1.1",
        measure=Measure.RATIO,
        term_target=Decimal("91.7"),
        baseline=Decimal("80.25"),
        programme=programme,
        level=Level.CELL,
        description="Nguyên văn; có “ngoặc” và dấu phẩy, xuống\ndòng",
    )
    make_target(term, code="4", term_target=12, frequency=Frequency.WHEN_IT_HAPPENS)
    make_quota(admissions, first, 200, 2022)
    make_quota(admissions, second, "12.5")
    return term


def snapshot(term):
    return (
        list(
            Unit.objects.order_by("code").values_list(
                "code", "name", "parent__code", "path", "kind", "sector", "order", "is_active"
            )
        ),
        list(term.targets.order_by("code").values_list("code", "programme__name", *FIELDS)),
        sorted(TargetYear.objects.values_list("target__code", "year", "value")),
        sorted(
            UnitQuota.objects.values_list("target__code", "unit__code", "year", "value"), key=str
        ),
    )


PAGES = {
    "units": ("/admin/setup/units/", "0 mới, 0 thay đổi (0 chuyển), 5 không đổi"),
    "targets": ("/admin/setup/terms/{term}/targets/", "0 mới, 0 thay đổi, 3 không đổi"),
    "quotas": ("/admin/setup/terms/{term}/quotas/", "0 mới, 0 thay đổi, 0 bỏ, 2 không đổi"),
}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("name", list(PAGES))
def test_an_export_uploaded_back_changes_nothing(client, committee, name, fmt):
    """Export → preview says every row is unchanged → confirm leaves the database as it was."""
    client.force_login(make_user("quantri", role=roles.ADMINISTRATOR, is_staff=True))
    page, unchanged = PAGES[name]
    page = page.format(term=committee.pk)
    before = snapshot(committee)
    exported = client.get(f"{page}export.{fmt}")
    assert exported.status_code == 200
    preview = client.post(page, {"file": SimpleUploadedFile(f"f.{fmt}", exported.content)})
    assert preview.context["plan"].ok, [str(error) for error in preview.context["plan"].errors]
    assert unchanged in preview.text
    client.post(page, {"token": preview.context["token"], "confirm": "1"})
    assert snapshot(committee) == before
