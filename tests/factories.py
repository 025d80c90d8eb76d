"""Small factory functions: each makes one thing with sensible defaults."""

from __future__ import annotations

import itertools
from decimal import Decimal

from django.contrib.auth.models import Group, Permission

from indicators.models import (
    Combine,
    Direction,
    Judgement,
    Level,
    Measure,
    Result,
    Target,
    Term,
    UnitQuota,
)
from units.models import Kind, Sector, Unit, User

_codes = itertools.count(1)


def make_unit(
    name: str | None = None,
    *,
    parent: Unit | None = None,
    kind: str = Kind.GRASSROOTS_CELL,
    sector: str = Sector.AGENCY,
    is_active: bool = True,
) -> Unit:
    number = next(_codes)
    return Unit.objects.create(
        name=name or f"Đơn vị {number}",
        code=f"U{number}",
        parent=parent,
        kind=kind,
        sector=sector,
        is_active=is_active,
    )


def make_root(name: str = "Đảng bộ Khối") -> Unit:
    return make_unit(name, kind=Kind.BLOC, sector="")


def make_tree(grassroots: int = 3, cells: int = 0) -> tuple[Unit, list[Unit]]:
    """A bloc with `grassroots` organisations, each with `cells` cells under it."""
    root = make_root()
    units = []
    for _number in range(grassroots):
        kind = Kind.GRASSROOTS_COMMITTEE if cells else Kind.GRASSROOTS_CELL
        unit = make_unit(parent=root, kind=kind)
        units.append(unit)
        for _cell in range(cells):
            make_unit(parent=unit, kind=Kind.CELL)
    return root, units


def make_term(root: Unit, *, start_year: int = 2020, end_year: int = 2025) -> Term:
    return Term.objects.create(
        name="Nghị quyết Đại hội",
        root_unit=root,
        congress_number=20,
        start_year=start_year,
        end_year=end_year,
    )


def make_target(term: Term, **fields) -> Target:
    defaults = {
        "code": str(next(_codes)),
        "name": "Chỉ tiêu",
        "unit_label": "đảng viên",
        "measure": Measure.COUNT,
        "direction": Direction.AT_LEAST,
        "combine": Combine.SUM,
        "judgement": Judgement.PRORATED,
        "level": Level.GRASSROOTS,
        "is_headline": True,
        "in_percent": fields.get("measure") == Measure.RATIO,
    }
    defaults.update(fields)
    for field in ("term_target", "yearly_target", "baseline"):
        if defaults.get(field) is not None:
            defaults[field] = Decimal(defaults[field])
    if defaults.get("term_target") is None and defaults.get("yearly_target") is None:
        defaults["term_target"] = Decimal(100)
    return Target.objects.create(term=term, **defaults)


def make_result(target: Target, unit: Unit, year: int, **figure) -> Result:
    return Result.objects.create(target=target, unit=unit, year=year, **figure)


def make_quota(target: Target, unit: Unit, value, year: int | None = None) -> UnitQuota:
    return UnitQuota.objects.create(target=target, unit=unit, year=year, value=Decimal(value))


def make_user(
    username: str, *, unit: Unit | None = None, role: str | None = None, **fields
) -> User:
    user = User.objects.create_user(
        username=username, password="a-long-test-password", unit=unit, **fields
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def log_in(client, username: str, password: str):
    """Log in through the login page, as a person does (django-axes watches it)."""
    response = client.post("/login/", {"username": username, "password": password})
    assert response.status_code == 302, f"{username} could not log in"
    return client


def make_review(term: Term, kind: str = "mid_term", year: int | None = None, **fields):
    from reviews.models import Review

    return Review.objects.create(term=term, kind=kind, year=year, **fields)


def restore_role_groups() -> None:
    """The roles' groups with their permissions, as the data migration made them.

    A transactional test (live server, threads, a second cluster) flushes the
    database when it ends, groups included: the next one calls this first.
    """
    from units.roles import ROLES

    for name, grants in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(
            permission
            for app_label, model, actions in grants
            for action in actions
            for permission in Permission.objects.filter(
                content_type__app_label=app_label, codename=f"{action}_{model}"
            )
        )
