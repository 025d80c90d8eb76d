"""New results written with COPY (PostgreSQL) are the rows bulk_create_with_history writes."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.forms.models import model_to_dict
from simple_history.utils import bulk_create_with_history

from indicators.bulk import results_create
from indicators.models import Measure, Result
from tests.factories import make_target, make_term, make_tree, make_user

pytestmark = pytest.mark.django_db

NOTES = ["", "Ghi chú\tcó tab", "dòng 1\ndòng 2\r\n", "gạch \\ ngược \\N", "“ngoặc” 'đơn'"]


@pytest.fixture
def setting():
    root, units = make_tree(5)
    term = make_term(root)
    count = make_target(term, code="1")
    ratio = make_target(term, code="2", measure=Measure.RATIO)
    flag = make_target(term, code="3", measure=Measure.FLAG, combine="latest", in_percent=True)
    return {"units": units, "targets": (count, ratio, flag), "user": make_user("nhaplieu")}


def new_results(setting, year: int) -> list[Result]:
    count, ratio, flag = setting["targets"]
    rows = []
    for number, unit in enumerate(setting["units"]):
        note = NOTES[number % len(NOTES)]
        rows += [
            Result(target=count, unit=unit, year=year, value=123_456_789 + number, note=note),
            Result(target=ratio, unit=unit, year=year, numerator=number, denominator=9),
            Result(
                target=flag,
                unit=unit,
                year=year,
                flag=[True, False][number % 2],
                is_estimate=True,
                evidence=f"QĐ số {number}\t/ĐU",
            ),
        ]
    for result in rows:
        result.version = 1
        result.created_by = result.updated_by = setting["user"]
    return rows


def stored(year: int) -> list[tuple[dict, dict]]:
    """Each result of the year and its history row, without ids and times."""
    skip = {"id", "created_at", "updated_at"}
    rows = []
    for result in Result.objects.filter(year=year).order_by("target__code", "unit__code"):
        (history,) = result.history.all()
        kept = model_to_dict(result, exclude=skip)
        past = {
            name: getattr(history, name)
            for name in (*kept, "history_type", "history_change_reason", "history_user_id")
            if name not in ("target", "unit", "created_by", "updated_by")
        }
        assert history.id == result.pk
        assert history.created_at == result.created_at
        assert history.updated_at == result.updated_at
        rows.append((kept, past))
    return rows


def test_copy_writes_what_bulk_create_with_history_writes(setting):
    made = new_results(setting, 2021)
    results_create(made, user=setting["user"])
    assert all(result.pk for result in made)
    assert sorted(result.pk for result in made) == sorted(
        Result.objects.filter(year=2021).values_list("pk", flat=True)
    )
    bulk_create_with_history(new_results(setting, 2022), Result, default_user=setting["user"])
    copied, created = stored(2021), stored(2022)
    assert len(copied) == 15
    for (ours, our_history), (theirs, their_history) in zip(copied, created, strict=True):
        ours.pop("year"), theirs.pop("year")
        our_history.pop("year"), their_history.pop("year")
        assert ours == theirs
        assert our_history == their_history
    assert (
        Result.objects.get(year=2021, note=NOTES[2], target__code="1").note == "dòng 1\ndòng 2\r\n"
    )


def test_a_key_already_taken_writes_nothing(setting):
    results_create(new_results(setting, 2021)[:1], user=setting["user"])
    with pytest.raises(IntegrityError), transaction.atomic():
        results_create(new_results(setting, 2021), user=setting["user"])
    assert Result.objects.count() == 1
    assert Result.history.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_copy_takes_ids_from_the_tables_sequence(setting):
    """Ids drawn for the COPY and those a plain save takes later never collide."""
    results_create(new_results(setting, 2021), user=setting["user"])
    count = setting["targets"][0]
    later = Result.objects.create(target=count, unit=setting["units"][0], year=2023, value=1)
    assert later.pk > max(Result.objects.filter(year=2021).values_list("pk", flat=True))
