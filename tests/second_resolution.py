"""The project's own second resolution, independent of the demo.

A bloc committee (HAI) with two grassroots organisations: the committee A with
two cells A1 and A2 under it, and the grassroots cell B. The term is 2025–2030
(reporting years 2026–2030); its mid-term point is 2,5 years in: 2026 and 2027
finished, 2028 half elapsed.

Six targets cover every kind of rule (docs/domain.md):

| code | measure | years  | judged      | level      | plan                                  |
|------|---------|--------|-------------|------------|---------------------------------------|
| H1   | count   | sum    | pro-rated   | grassroots | 75 for the term; quotas A 10/yr, B 6/yr |
| H2   | count   | sum    | every year  | committee  | 200 a year                            |
| H3   | ratio   | latest | final       | grassroots | ≥ 85%                                 |
| H4   | flag    | latest | pro-rated   | grassroots | 2 organisations up to standard        |
| H5   | count   | sum    | final       | grassroots | at most 10 (lower is better)          |
| H6   | count   | sum    | pro-rated   | grassroots | 12 for the term; term quotas A 8, B 4 |

H1 and H5 are also entered by the cells A1 and A2, below the level.
"""

from __future__ import annotations

START_YEAR = 2025
END_YEAR = 2030

# code, name, kind, parent code
UNITS = [
    ("HAI", "Đảng bộ Khối thử nghiệm", "bloc", None),
    ("A", "Đảng bộ cơ sở A", "grassroots_committee", "HAI"),
    ("A1", "Chi bộ A1", "cell", "A"),
    ("A2", "Chi bộ A2", "cell", "A"),
    ("B", "Chi bộ cơ sở B", "grassroots_cell", "HAI"),
]

TARGETS = [
    {
        "code": "H1", "name": "Kết nạp đảng viên mới", "unit_label": "đảng viên",
        "measure": "count", "combine": "sum", "judgement": "prorated",
        "direction": "at_least", "level": "grassroots", "term_target": 75,
    },
    {
        "code": "H2", "name": "Bồi dưỡng lý luận chính trị mỗi năm", "unit_label": "lượt",
        "measure": "count", "combine": "sum", "judgement": "every_year",
        "direction": "at_least", "level": "committee", "yearly_target": 200,
    },
    {
        "code": "H3", "name": "Tỷ lệ đảng viên hoàn thành tốt nhiệm vụ", "unit_label": "%",
        "measure": "ratio", "combine": "latest", "judgement": "final",
        "direction": "at_least", "level": "grassroots", "term_target": 85, "in_percent": True,
    },
    {
        "code": "H4", "name": "Tổ chức cơ sở đảng đạt chuẩn văn hóa", "unit_label": "tổ chức",
        "measure": "flag", "combine": "latest", "judgement": "prorated",
        "direction": "at_least", "level": "grassroots", "term_target": 2,
    },
    {
        "code": "H5", "name": "Đảng viên bị kỷ luật", "unit_label": "đảng viên",
        "measure": "count", "combine": "sum", "judgement": "final",
        "direction": "at_most", "level": "grassroots", "term_target": 10,
    },
    {
        "code": "H6", "name": "Đảng viên được khen thưởng cấp trên", "unit_label": "đảng viên",
        "measure": "count", "combine": "sum", "judgement": "prorated",
        "direction": "at_least", "level": "grassroots", "term_target": 12,
        "frequency": "when_it_happens",
    },
]  # fmt: skip

# target, unit, year (None: for the term), quota
QUOTAS = [("H1", "A", year, 10) for year in range(2026, 2031)]
QUOTAS += [("H1", "B", year, 6) for year in range(2026, 2031)]
QUOTAS += [("H6", "A", None, 8), ("H6", "B", None, 4)]

# target, unit, year, figure (a count, (numerator, denominator) or a yes/no)
RESULTS = [
    # H1: the cells of A enter A's admissions; B enters its own.
    ("H1", "A1", 2026, 4), ("H1", "A1", 2027, 5), ("H1", "A1", 2028, 3),
    ("H1", "A1", 2029, 5), ("H1", "A1", 2030, 4),
    ("H1", "A2", 2026, 6), ("H1", "A2", 2027, 4), ("H1", "A2", 2028, 2),
    ("H1", "A2", 2029, 5), ("H1", "A2", 2030, 6),
    ("H1", "B", 2026, 7), ("H1", "B", 2027, 5), ("H1", "B", 2028, 6),
    ("H1", "B", 2029, 6), ("H1", "B", 2030, 4),
    # H2: the committee, each year.
    ("H2", "HAI", 2026, 250), ("H2", "HAI", 2027, 190), ("H2", "HAI", 2028, 220),
    ("H2", "HAI", 2029, 230), ("H2", "HAI", 2030, 210),
    # H3: ratings of members, when the organisation counts them.
    ("H3", "A", 2026, (40, 50)), ("H3", "A", 2028, (45, 50)), ("H3", "A", 2030, (40, 50)),
    ("H3", "B", 2026, (18, 20)), ("H3", "B", 2027, (17, 20)), ("H3", "B", 2029, (16, 20)),
    # H4: A reaches the standard in 2026; B says no in 2026, yes in 2030.
    ("H4", "A", 2026, True), ("H4", "B", 2026, False), ("H4", "B", 2030, True),
    # H5: disciplined members, some entered by the cells.
    ("H5", "A1", 2026, 2), ("H5", "B", 2027, 1), ("H5", "A", 2028, 1),
    ("H5", "B", 2029, 3), ("H5", "A2", 2030, 4),
    # H6: awards, when they happen.
    ("H6", "A", 2026, 2), ("H6", "A", 2028, 3), ("H6", "B", 2027, 1),
    ("H6", "B", 2029, 2), ("H6", "A", 2030, 2),
]  # fmt: skip


def second_resolution_load():
    """Create the tree, term, targets, quotas and results straight in the database."""
    from decimal import Decimal

    from indicators.models import Result, Target, Term, UnitQuota
    from units.models import Unit

    units = {}
    for code, name, kind, parent in UNITS:
        units[code] = Unit.objects.create(
            code=code,
            name=name,
            kind=kind,
            parent=units.get(parent),
            sector="" if kind == "bloc" else "agency",
        )
    term = Term.objects.create(
        name="Nghị quyết Đại hội thử nghiệm",
        root_unit=units["HAI"],
        congress_number=7,
        start_year=START_YEAR,
        end_year=END_YEAR,
    )
    targets = {}
    for order, fields in enumerate(TARGETS, start=1):
        fields = dict(fields)
        for name in ("term_target", "yearly_target"):
            if name in fields:
                fields[name] = Decimal(fields[name])
        targets[fields["code"]] = Target.objects.create(
            term=term, order=order, is_headline=True, **fields
        )
    for code, unit, year, value in QUOTAS:
        UnitQuota.objects.create(
            target=targets[code], unit=units[unit], year=year, value=Decimal(value)
        )
    for code, unit, year, figure in RESULTS:
        if isinstance(figure, bool):
            values = {"flag": figure}
        elif isinstance(figure, tuple):
            values = {"numerator": figure[0], "denominator": figure[1]}
        else:
            values = {"value": figure}
        Result.objects.create(target=targets[code], unit=units[unit], year=year, **values)
    return term, units, targets
