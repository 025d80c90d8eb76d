"""Writes racing an approval or another save, on PostgreSQL with real transactions.

Each test holds one transaction open in a thread, starts the competing write in
another, lets the first commit, and checks what a user would see: nothing
written into an approved year, no save lost. SQLite runs one writer at a time
and has no row locks, so these run on PostgreSQL only.
"""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
from django.db import connection, connections, transaction

from indicators.models import Result, UnitYear, YearState
from indicators.services import (
    ResultRow,
    YearLocked,
    result_save,
    results_save_year,
    units_lock_for_approval,
)
from tests.factories import make_result, make_target, make_term, make_tree, make_unit, make_user
from units.events import unit_move
from units.models import Kind, Unit

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks and concurrent transactions"
    ),
]


class Worker(threading.Thread):
    """Runs `work` in its own thread (its own database connection); keeps what it raised."""

    def __init__(self, work) -> None:
        super().__init__(daemon=True)
        self.work = work
        self.error: BaseException | None = None
        self.value = None

    def run(self) -> None:
        try:
            self.value = self.work()
        except BaseException as error:  # handed to the test
            self.error = error
        finally:
            connections.close_all()


def wait_until_blocked(worker: Worker, limit: float = 10.0) -> None:
    """Wait until `worker` waits on a lock (or has finished, as it would without the lock)."""
    deadline = time.monotonic() + limit
    while worker.is_alive() and time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
        time.sleep(0.02)


def approving(unit, year: int, approved: threading.Event, release: threading.Event):
    """An approval that stays uncommitted until `release` is set."""

    def work():
        with transaction.atomic():
            units_lock_for_approval(units=[unit])
            UnitYear.objects.create(unit=unit, year=year, state=YearState.APPROVED)
            approved.set()
            release.wait(30)

    return work


@pytest.fixture
def setting():
    root, (unit, other) = make_tree(2)
    cell = make_unit(parent=unit, kind=Kind.CELL)
    term = make_term(root)
    target = make_target(term, code="1")
    clerk = make_user("nhaplieu", unit=unit)
    return {
        "unit": unit,
        "other": other,
        "cell": cell,
        "term": term,
        "target": target,
        "clerk": clerk,
    }


def race_with_approval(setting, write):
    """Approve the unit's 2022 (uncommitted), run `write`, then commit the approval."""
    approved, release = threading.Event(), threading.Event()
    approver = Worker(approving(setting["unit"], 2022, approved, release))
    approver.start()
    assert approved.wait(10)
    writer = Worker(write)
    writer.start()
    wait_until_blocked(writer)
    release.set()
    approver.join(30)
    writer.join(30)
    assert approver.error is None
    return writer


def test_an_entry_form_save_waits_for_an_approval_and_is_refused(setting):
    """A form saved while the unit's year is being approved writes nothing into it."""
    rows = [ResultRow(target=setting["target"], value=12)]
    writer = race_with_approval(
        setting,
        lambda: results_save_year(
            unit=setting["cell"], year=2022, rows=rows, user=setting["clerk"]
        ),
    )
    assert isinstance(writer.error, YearLocked)
    assert not Result.objects.exists()


def test_an_admin_save_waits_for_an_approval_and_is_refused(setting):
    """The admin's save of one result, racing an approval of the unit above, is refused."""
    stored = make_result(setting["target"], setting["cell"], 2022, value=5)

    def write():
        result = Result.objects.get(pk=stored.pk)
        result.value = 6
        return result_save(result=result, user=setting["clerk"], expected_version=1)

    writer = race_with_approval(setting, write)
    assert isinstance(writer.error, YearLocked)
    assert Result.objects.get(pk=stored.pk).value == 5


def test_an_approval_waits_for_a_save_in_progress(setting):
    """An approval started while a save is uncommitted sees the saved figure once it locks."""
    saved, release = threading.Event(), threading.Event()

    def save():
        with transaction.atomic():
            results_save_year(
                unit=setting["cell"],
                year=2022,
                rows=[ResultRow(target=setting["target"], value=12)],
                user=setting["clerk"],
            )
            saved.set()
            release.wait(30)

    def approve():
        with transaction.atomic():
            units_lock_for_approval(units=[setting["unit"]])
            # What the approver reads once it holds the lock: the save has committed.
            return list(Result.objects.values_list("value", flat=True))

    saver = Worker(save)
    saver.start()
    assert saved.wait(10)
    approver = Worker(approve)
    approver.start()
    wait_until_blocked(approver)
    release.set()
    saver.join(30)
    approver.join(30)
    assert saver.error is None
    assert approver.error is None
    assert approver.value == [12]


def import_rows(setting, value: int) -> list[dict]:
    return [{"Mã chỉ tiêu": "1", "Mã đơn vị": setting["cell"].code, "Năm": 2022, "Giá trị": value}]


def test_an_import_waits_for_an_approval_and_is_refused(setting):
    """An import confirmed while the unit's year is being approved writes nothing."""
    from indicators.imports import results_import

    writer = race_with_approval(
        setting,
        lambda: results_import(
            rows=import_rows(setting, 12), user=setting["clerk"], term=setting["term"]
        ),
    )
    assert writer.error is None
    assert "được duyệt" in str(writer.value.errors[0])
    assert not Result.objects.exists()


def test_an_import_does_not_overwrite_a_save_made_at_the_same_moment(setting):
    """An entry-form save of 50000 racing an import of 70000 previewed before it: 50000 stands."""
    from indicators.imports import results_import

    stored = make_result(setting["target"], setting["cell"], 2022, value=10)
    preview = results_import(
        rows=import_rows(setting, 70000), user=setting["clerk"], term=setting["term"], dry_run=True
    )
    saved, release = threading.Event(), threading.Event()

    def save():
        with transaction.atomic():
            results_save_year(
                unit=setting["cell"],
                year=2022,
                rows=[ResultRow(target=setting["target"], value=50000, version=1)],
                user=setting["clerk"],
            )
            saved.set()
            release.wait(30)

    saver = Worker(save)
    saver.start()
    assert saved.wait(10)
    importer = Worker(
        lambda: results_import(
            rows=import_rows(setting, 70000),
            user=setting["clerk"],
            term=setting["term"],
            seen=preview.seen,
        )
    )
    importer.start()
    wait_until_blocked(importer, limit=2)
    release.set()
    saver.join(30)
    importer.join(30)
    assert saver.error is None
    assert importer.error is None
    assert "đã có người lưu sau khi bạn xem trước" in str(importer.value.errors[0])
    stored.refresh_from_db()
    assert (stored.value, stored.version) == (50000, 2)
    assert sorted(stored.history.values_list("version", flat=True)) == [1, 2]


def test_a_save_into_a_moved_units_year_waits_for_its_old_branchs_approval(setting):
    """The cell moved to another organisation in 2023: its 2022 was the old one's, whose
    approval of 2022, still uncommitted, must hold off the cell's own clerk's save."""
    unit_move(
        unit=setting["cell"],
        parent=setting["other"],
        when=date(2023, 1, 15),
        decision_number="12-QĐ/ĐUK",
    )
    cell = Unit.objects.get(pk=setting["cell"].pk)
    clerk = make_user("nhaplieu_kv", unit=cell)
    writer = race_with_approval(
        setting,
        lambda: results_save_year(
            unit=cell, year=2022, rows=[ResultRow(target=setting["target"], value=12)], user=clerk
        ),
    )
    assert isinstance(writer.error, YearLocked)
    assert not Result.objects.exists()
