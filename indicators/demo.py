"""The demo: the 2020–2025 term of the seed article (see docs/domain.md, "The demo").

Units have generic names and every record is marked illustrative. The yearly
results are spread over units and years so that the progress engine, not a
stored total, yields the article's figures at the mid-term point: 9/10 headline
targets met; 2.078 admitted, 130% of the expectation; 3.728 candidates and
1.555 probationary members trained; 111/121, 62/121 and 30 units for the
cultural standard; the leadership programme at 4/5 with 1.063/1.117 trained
and 264 cells attended.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.dispatch import Signal

from indicators.demo_2025 import demo_reorganisation_undo, demo_reorganise_2025
from indicators.demo_events import demo_events
from indicators.models import (
    Combine,
    Direction,
    Frequency,
    Judgement,
    Level,
    Measure,
    Programme,
    Result,
    Target,
    Term,
    UnitQuota,
    UnitYear,
    YearState,
)
from indicators.rollup import rollup_batch, rollup_refresh_term
from units import roles
from units.models import Kind, Sector, Unit, tree_batch

# Sent at the end of demo_load(term=, units=the grassroots organisations).
demo_loaded = Signal()

ROOT_CODE = "KHOI"
ILLUSTRATIVE = "Dữ liệu minh họa, không phải số liệu thật của đơn vị nào."
GRASSROOTS_COUNT = 121
SEED = 2023

SECTORS = [Sector.AGENCY] * 50 + [Sector.PUBLIC_SERVICE] * 36 + [Sector.ENTERPRISE] * 35
SECTOR_NAMES = {
    Sector.AGENCY: "cơ quan",
    Sector.PUBLIC_SERVICE: "đơn vị sự nghiệp",
    Sector.ENTERPRISE: "doanh nghiệp",
}
PROGRAMME_NAME = "Nâng cao năng lực lãnh đạo của cấp ủy và chất lượng sinh hoạt chi bộ"

# code, name, unit label, measure, direction, combine, judgement, level, in percent,
# term target, yearly target, headline.
TARGETS = [
    ("1", "Kết nạp đảng viên mới", "đảng viên", Measure.COUNT, Direction.AT_LEAST,
     Combine.SUM, Judgement.PRORATED, Level.GRASSROOTS, False, 3200, None, True),
    ("2", "Bồi dưỡng lý luận chính trị cho đối tượng kết nạp Đảng", "người", Measure.COUNT,
     Direction.AT_LEAST, Combine.SUM, Judgement.EVERY_YEAR, Level.COMMITTEE, False, None, 600,
     True),
    ("3", "Bồi dưỡng chương trình lý luận chính trị cho đảng viên mới", "đảng viên",
     Measure.COUNT, Direction.AT_LEAST, Combine.SUM, Judgement.PRORATED, Level.COMMITTEE,
     False, 3000, None, True),
    ("4", "Cơ quan, đơn vị, doanh nghiệp đăng ký xây dựng đạt chuẩn văn hóa", "%",
     Measure.FLAG, Direction.AT_LEAST, Combine.LATEST, Judgement.FINAL, Level.GRASSROOTS,
     True, 90, None, True),
    ("5", "Cơ quan, đơn vị, doanh nghiệp đạt chuẩn văn hóa", "%", Measure.FLAG,
     Direction.AT_LEAST, Combine.LATEST, Judgement.FINAL, Level.GRASSROOTS, True, 50, None,
     True),
    ("6", "Đơn vị được công nhận danh hiệu kiểu mẫu", "đơn vị", Measure.FLAG,
     Direction.AT_LEAST, Combine.LATEST, Judgement.FINAL, Level.GRASSROOTS, False, 25, None,
     True),
    ("7", "Tổ chức cơ sở đảng hoàn thành tốt nhiệm vụ trở lên hằng năm", "%", Measure.FLAG,
     Direction.AT_LEAST, Combine.LATEST, Judgement.EVERY_YEAR, Level.GRASSROOTS, True, None, 90,
     True),
    ("8", "Đảng viên hoàn thành tốt nhiệm vụ trở lên hằng năm", "%", Measure.RATIO,
     Direction.AT_LEAST, Combine.LATEST, Judgement.EVERY_YEAR, Level.GRASSROOTS, True, None, 95,
     True),
    ("9", "Thành lập mới tổ chức đảng trong doanh nghiệp", "tổ chức đảng", Measure.COUNT,
     Direction.AT_LEAST, Combine.SUM, Judgement.PRORATED, Level.COMMITTEE, False, 10, None,
     True),
    ("10", "Tổ chức cơ sở đảng không hoàn thành nhiệm vụ", "đơn vị", Measure.FLAG,
     Direction.AT_MOST, Combine.LATEST, Judgement.EVERY_YEAR, Level.GRASSROOTS, False, None, 0,
     True),
    ("CT1.1", "Chi bộ, cấp ủy cơ sở ban hành quy chế làm việc", "%", Measure.FLAG,
     Direction.AT_LEAST, Combine.LATEST, Judgement.FINAL, Level.ORGANISATION, True, 100, None,
     False),
    ("CT1.2", "Cấp ủy cơ sở ban hành nghị quyết chuyên đề", "%", Measure.FLAG,
     Direction.AT_LEAST, Combine.LATEST, Judgement.FINAL, Level.GRASSROOTS, True, 60, None,
     False),
    ("CT1.3", "Chi bộ sinh hoạt định kỳ nền nếp", "%", Measure.FLAG, Direction.AT_LEAST,
     Combine.LATEST, Judgement.FINAL, Level.CELL, True, 80, None, False),
    ("CT1.4", "Bí thư chi bộ, cấp ủy viên cơ sở được bồi dưỡng nghiệp vụ công tác đảng", "%",
     Measure.RATIO, Direction.AT_LEAST, Combine.LATEST, Judgement.FINAL, Level.GRASSROOTS, True,
     100, None, False),
    ("CT1.5", "Chi bộ được cấp ủy viên cấp trên dự sinh hoạt", "chi bộ", Measure.COUNT,
     Direction.AT_LEAST, Combine.SUM, Judgement.EVERY_YEAR, Level.COMMITTEE, False, None, 100,
     False),
]  # fmt: skip


# Targets reported only when something happens (a unit registers, reaches the
# standard, issues its rules; a party organisation is set up); the others are
# reported every year, 0 included.
WHEN_IT_HAPPENS = {"4", "5", "6", "9", "CT1.1", "CT1.2"}


def spread(total: int, weights: list[float]) -> list[int]:
    """Split `total` into integers proportional to `weights` that add up exactly."""
    whole = sum(weights)
    shares = [total * weight / whole for weight in weights]
    parts = [int(share) for share in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: shares[i] - parts[i], reverse=True)
    for index in by_remainder[: total - sum(parts)]:
        parts[index] += 1
    return parts


@dataclass
class DemoReport:
    term: Term
    units: int
    results: int
    password: str


class DemoBuilder:
    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.results: list[Result] = []

    # Units ---------------------------------------------------------------
    def unit(self, code: str, **fields) -> Unit:
        unit = Unit.objects.filter(code=code).first() or Unit(code=code)
        for name, value in fields.items():
            setattr(unit, name, value)
        unit.note = "Tên minh họa"
        unit.save()
        return unit

    def build_units(self) -> None:
        self.root = self.unit(
            ROOT_CODE,
            name="Đảng bộ Khối Cơ quan và Doanh nghiệp tỉnh (minh họa)",
            kind=Kind.BLOC,
            parent=None,
            order=0,
        )
        self.grassroots: list[Unit] = []
        self.organisations: list[Unit] = []
        self.cells: list[Unit] = []
        sectors = list(SECTORS)
        self.rng.shuffle(sectors)
        for number, sector in enumerate(sectors, start=1):
            is_committee = number % 8 in (1, 4, 6)  # about three in eight have cells
            kind = Kind.GRASSROOTS_COMMITTEE if is_committee else Kind.GRASSROOTS_CELL
            prefix = "Đảng bộ" if is_committee else "Chi bộ"
            unit = self.unit(
                f"CS{number:03d}",
                name=f"{prefix} {SECTOR_NAMES[sector]} số {number:03d}",
                kind=kind,
                sector=sector,
                parent=self.root,
                order=number,
            )
            self.grassroots.append(unit)
            self.organisations.append(unit)
            if kind == Kind.GRASSROOTS_CELL:
                self.cells.append(unit)
                continue
            parent = unit
            if number % 40 == 1:
                parent = self.unit(
                    f"CS{number:03d}-BP",
                    name=f"Đảng bộ bộ phận số 1 – {unit.name}",
                    kind=Kind.SUB_COMMITTEE,
                    sector=sector,
                    parent=unit,
                    order=0,
                )
                self.organisations.append(parent)
            for cell_number in range(1, 4 + number % 5):
                cell = self.unit(
                    f"CS{number:03d}-{cell_number:02d}",
                    name=f"Chi bộ số {cell_number} – {unit.name}",
                    kind=Kind.CELL,
                    sector=sector,
                    parent=parent,
                    order=cell_number,
                )
                self.cells.append(cell)
                self.organisations.append(cell)

    # Targets ---------------------------------------------------------------
    def build_term(self) -> None:
        self.term, _created = Term.objects.update_or_create(
            root_unit=self.root,
            start_year=2020,
            defaults={
                "name": "Nghị quyết Đại hội Đảng bộ Khối (minh họa)",
                "congress_number": 20,
                "resolution_number": "01-NQ/ĐH",
                "resolution_date": date(2020, 7, 15),
                "end_year": 2025,
                "is_illustrative": True,
            },
        )
        programme, _created = Programme.objects.update_or_create(
            term=self.term, name=PROGRAMME_NAME, defaults={"order": 1}
        )
        self.targets: dict[str, Target] = {}
        for order, row in enumerate(TARGETS, start=1):
            (code, name, label, measure, direction, combine, judgement, level, in_percent,
             term_target, yearly_target, headline) = row  # fmt: skip
            self.targets[code], _created = Target.objects.update_or_create(
                term=self.term,
                code=code,
                defaults={
                    "order": order,
                    "name": name,
                    "unit_label": label,
                    "measure": measure,
                    "direction": direction,
                    "combine": combine,
                    "judgement": judgement,
                    "level": level,
                    "frequency": (
                        Frequency.WHEN_IT_HAPPENS
                        if code in WHEN_IT_HAPPENS
                        else Frequency.EVERY_YEAR
                    ),
                    "in_percent": in_percent,
                    "term_target": None if term_target is None else Decimal(term_target),
                    "yearly_target": None if yearly_target is None else Decimal(yearly_target),
                    "is_headline": headline,
                    "programme": None if headline else programme,
                    "description": ILLUSTRATIVE,
                },
            )

    # Results ---------------------------------------------------------------
    def add(self, code: str, unit: Unit, year: int, **figure) -> None:
        self.results.append(
            Result(
                target=self.targets[code],
                unit=unit,
                year=year,
                is_estimate=year == 2023,
                note=figure.pop("note", "") or ILLUSTRATIVE,
                **figure,
            )
        )

    def counts_by_unit(self, code: str, yearly_totals: dict[int, int], weights: list[float]):
        for year, total in yearly_totals.items():
            for unit, value in zip(self.grassroots, spread(total, weights), strict=True):
                self.add(code, unit, year, value=value)

    def flags(self, code: str, units: list[Unit], year: int, yes: set[int]) -> None:
        for index, unit in enumerate(units):
            self.add(code, unit, year, flag=index in yes)

    def build_results(self) -> None:
        count = len(self.grassroots)
        sizes = [self.rng.uniform(0.4, 2.5) for _unit in self.grassroots]
        everyone = list(range(count))

        # 1. Admissions: 2.078 over 2021, 2022 and the first half of 2023.
        self.counts_by_unit("1", {2021: 820, 2022: 850, 2023: 408}, sizes)
        for year in range(2021, 2026):
            for unit, quota in zip(self.grassroots, spread(640, sizes), strict=True):
                UnitQuota.objects.create(
                    target=self.targets["1"], unit=unit, year=year, value=quota
                )
        # 2, 3, 9 and CT1.5: entered by the bloc committee itself.
        for code, yearly, notes in [
            ("2", {2021: 1500, 2022: 1528, 2023: 700}, {2021: 12, 2022: 12, 2023: 6}),
            ("3", {2021: 620, 2022: 640, 2023: 295}, {2021: 4, 2022: 4, 2023: 2}),
            ("9", {2021: 2, 2022: 3, 2023: 1}, {}),
            ("CT1.5", {2021: 110, 2022: 104, 2023: 50}, {}),
        ]:
            for year, value in yearly.items():
                note = f"{notes[year]} lớp. {ILLUSTRATIVE}" if year in notes else ""
                self.add(code, self.root, year, value=value, note=note)

        # 4–6. Cultural standard: registered ⊇ reached ⊇ models.
        registered = self.rng.sample(everyone, 111)
        reached = registered[:62]
        models = reached[:30]
        self.flags("4", self.grassroots, 2021, set(registered[:105]))
        self.flags("4", self.grassroots, 2022, set(registered))
        self.flags("5", self.grassroots, 2021, set(reached[:48]))
        self.flags("5", self.grassroots, 2022, set(reached))
        self.flags("6", self.grassroots, 2021, set(models[:22]))
        self.flags("6", self.grassroots, 2022, set(models))

        # 7 and 10. Yearly ratings: one organisation failed its tasks in 2022.
        order = self.rng.sample(everyone, count)
        failed = order[-1]
        self.flags("7", self.grassroots, 2021, set(order[:112]))
        self.flags("7", self.grassroots, 2022, set(order[:114]))
        self.flags("10", self.grassroots, 2021, set())
        self.flags("10", self.grassroots, 2022, {failed})

        # 8. Members rated "completed tasks well" or better.
        members = [max(12, round(size * 120)) for size in sizes]
        for year, share in [(2021, 0.962), (2022, 0.971)]:
            for unit, total in zip(self.grassroots, members, strict=True):
                self.add("8", unit, year, numerator=int(total * share), denominator=total)

        # CT1.1–CT1.3: working rules, thematic resolutions, regular meetings.
        self.flags("CT1.1", self.organisations, 2021, set(range(len(self.organisations))))
        self.flags("CT1.2", self.grassroots, 2022, set(self.rng.sample(everyone, 78)))
        regular = round(len(self.cells) * 0.85)
        self.flags("CT1.3", self.cells, 2022, set(self.rng.sample(range(len(self.cells)), regular)))

        # CT1.4: 1.063 of the 1.117 cell secretaries and committee members trained.
        leaders = spread(1117, sizes)
        trained_2022 = spread(1063, leaders)
        for unit, total, trained in zip(self.grassroots, leaders, trained_2022, strict=True):
            trained = min(trained, total)
            self.add("CT1.4", unit, 2021, numerator=trained * 2 // 3, denominator=total)
            self.add("CT1.4", unit, 2022, numerator=trained, denominator=total)

        Result.objects.bulk_create(self.results)

    def clear(self) -> None:
        UnitYear.objects.filter(unit__path__startswith=self.root.path).delete()
        Result.objects.filter(target__term=self.term).delete()
        UnitQuota.objects.filter(target__term=self.term).delete()


DEMO_USERNAMES = ("quantri", "lanhdao", "nhaplieu", "kiemduyet")


def demo_users(*, root: Unit, clerk_unit: Unit, password: str) -> None:
    user_model = get_user_model()
    accounts = [
        ("quantri", "Quản trị hệ thống (minh họa)", None, roles.ADMINISTRATOR, True),
        ("lanhdao", "Lãnh đạo Đảng ủy Khối (minh họa)", root, roles.LEADER, False),
        ("nhaplieu", "Cán bộ nhập liệu (minh họa)", clerk_unit, roles.CLERK, False),
        ("kiemduyet", "Cán bộ kiểm duyệt (minh họa)", root, roles.REVIEWER, False),
    ]
    for username, full_name, unit, role, is_superuser in accounts:
        user = user_model.objects.filter(username=username).first() or user_model(username=username)
        user.first_name = full_name
        user.unit = unit
        user.is_staff = True
        user.is_superuser = is_superuser
        user.is_active = True
        user.set_password(password)
        user.save()
        user.groups.set([Group.objects.get(name=role)])


def demo_workflow(grassroots: list[Unit], *, reviewer) -> None:
    """Years in each state of the workflow: approved, waiting for review, returned, draft.

    The clerk's own unit has one year waiting and one returned; two years of
    the next unit are approved (and so locked); the clerk's other years are drafts.
    """
    mine, other, third = grassroots[:3]
    rows = [
        (other, 2021, YearState.APPROVED, ""),
        (other, 2022, YearState.APPROVED, ""),
        (mine, 2023, YearState.SUBMITTED, ""),
        (third, 2025, YearState.SUBMITTED, ""),
        (mine, 2024, YearState.DRAFT, "Số đảng viên mới chưa khớp với báo cáo quý IV."),
    ]
    for unit, year, state, reason in rows:
        UnitYear.objects.create(
            unit=unit, year=year, state=state, reopen_reason=reason, updated_by=reviewer
        )


def demo_present() -> bool:
    """Whether the demo term is in the database (then `make run` leaves it alone)."""
    return Term.objects.filter(
        root_unit__code=ROOT_CODE, start_year=2020, is_illustrative=True
    ).exists()


def demo_passwords_set(*, password: str) -> None:
    """Give the demo logins `password`, touching nothing else."""
    user_model = get_user_model()
    for user in user_model.objects.filter(username__in=DEMO_USERNAMES):
        user.set_password(password)
        user.save(update_fields=["password"])


@transaction.atomic
def demo_load(*, password: str | None = None) -> DemoReport:
    """Load (or reload) the demo term; running it twice leaves the same data."""
    demo_reorganisation_undo(ROOT_CODE)  # a reload starts from the tree before 2025
    builder = DemoBuilder()
    with tree_batch(), rollup_batch():
        builder.build_units()
        builder.build_term()
        builder.clear()
        builder.build_results()
        demo_events(builder)  # the move, merger and dissolution inside the term
    rollup_refresh_term(builder.term)
    password = password or secrets.token_urlsafe(12)
    demo_users(root=builder.root, clerk_unit=builder.grassroots[0], password=password)
    # Apps above this one add their part of the demo (reviews: the adopted mid-term review).
    demo_loaded.send(sender=DemoBuilder, term=builder.term, units=builder.grassroots)
    demo_workflow(builder.grassroots, reviewer=get_user_model().objects.get(username="kiemduyet"))
    report = DemoReport(
        term=builder.term,
        units=Unit.objects.subtree(builder.root).count(),
        results=len(builder.results),
        password=password,
    )
    demo_reorganise_2025(builder.term)  # the bloc merged into its successor on 01/07/2025
    return report
