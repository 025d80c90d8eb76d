"""Import of results from a file: every check set-wise, the write through the guarded path.

A file's rows are read once, each into a small tuple (the cells cleaned, codes
looked up in dictionaries loaded in one query each). Then, over the whole file:
duplicates, the model's rules for each figure, the stored rows (one query per
few thousand units), the approved years (one query), and the versions the
user saw at the preview. A preview (`dry_run`) writes nothing and returns the
versions it saw; the confirmation writes through `services.results_write`,
which locks, checks the approvals and the versions again and writes in bulk
with history and one roll-up rebuild. All or nothing.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

from indicators.models import Measure, Result, Target, Term, unit_absent, year_outside_term
from indicators.reporting import ancestor_kinds_of, report_refusal
from indicators.resources import (
    COLUMNS,
    KEY_FIELDS,
    RequiredYearWidget,
    TextWidget,
    WholeNumberWidget,
    YesNoWidget,
    header_aliases,
)
from indicators.services import (
    ENTERED_FIELDS,
    ImportReport,
    PreviewRow,
    ResultChange,
    RowError,
    StaleResults,
    YearLocked,
    locked_unit_years,
    outside_scope_then,
    results_write,
    user_unit_ended,
)
from units.models import Unit, User
from units.selectors import in_term_tree, load_places, term_tree_units, unit_scope_for

PREVIEW_ROWS = 100
SEEN_SALT = "indicators.imports.seen"

_number = WholeNumberWidget()
_year = RequiredYearWidget()
_flag = YesNoWidget()
_estimate = YesNoWidget(blank=False)
_text = TextWidget()
CLEANERS = {
    "year": _year,
    "value": _number,
    "numerator": _number,
    "denominator": _number,
    "flag": _flag,
    "is_estimate": _estimate,
    "note": _text,
    "evidence": _text,
}
FIGURES = {
    Measure.COUNT: ("value",),
    Measure.RATIO: ("numerator", "denominator"),
    Measure.FLAG: ("flag",),
}
ALL_FIGURES = ("value", "numerator", "denominator", "flag")
KEPT_WHEN_ABSENT = ("is_estimate", "note", "evidence")
Key = tuple[int, int, int]


@dataclass(slots=True)
class _Row:
    number: int
    target: Target
    unit: Unit
    year: int
    values: dict

    @property
    def key(self) -> Key:
        return (self.target.pk, self.unit.pk, self.year)


def seen_dumps(seen: dict[Key, int]) -> str:
    """The versions a preview saw, signed and compressed for the confirmation form."""
    text = ";".join(f"{t},{u},{y},{v}" for (t, u, y), v in sorted(seen.items()))
    return signing.dumps(zlib.compress(text.encode()).hex(), salt=SEEN_SALT)


def seen_loads(value: str) -> dict[Key, int]:
    """The versions of `seen_dumps`; BadSignature when tampered with."""
    text = zlib.decompress(bytes.fromhex(signing.loads(value, salt=SEEN_SALT))).decode()
    seen = {}
    for item in filter(None, text.split(";")):
        target, unit, year, version = (int(part) for part in item.split(","))
        seen[target, unit, year] = version
    return seen


def results_import(
    *,
    rows: Iterable[dict],
    user: User,
    term: Term,
    dry_run: bool = False,
    seen: dict[Key, int] | None = None,
) -> ImportReport:
    """Import results given as dicts keyed by the raw-results export's column headers.

    All or nothing: one wrong row (unknown target or unit, a unit outside the
    user's scope, a locked year, a figure the model refuses, a repeated row, a
    row saved by someone else since the preview whose versions are `seen`) and
    nothing is saved; the report lists every wrong row and column. Rows equal
    to the stored results are skipped, so re-importing an export changes nothing.
    A `dry_run` writes nothing and returns in `report.seen` the versions it read.
    """
    report = ImportReport()
    headers = {name: str(header) for name, header in COLUMNS}
    errors = report.errors

    def refuse(number, name, message):
        errors.append(RowError(row=number, column=headers.get(name, ""), message=str(message)))

    targets = {
        target.code: target
        for target in Target.objects.filter(term=term).select_related("term__root_unit")
    }
    if closed := user_unit_ended(user):
        refuse(None, "", closed)
        return report
    scope = unit_scope_for(user)
    top = term.root_unit
    if scope is not None:
        top = scope if in_term_tree(scope, top, term.root_unit) else None
    units = {}
    if top is not None:
        units = {
            unit.code: unit
            for unit in term_tree_units(top, term.root_unit).only(
                "pk", "code", "name", "path", "kind", "founded_on", "ended_on"
            )
        }
    aliases = header_aliases()
    columns: dict[str, str] | None = None
    parsed: list[_Row] = []
    first_row: dict[Key, int] = {}
    # Who reports a target (indicators/reporting.py) depends on the kinds above the
    # unit: read for every unit of the scope at once.
    above_kinds = ancestor_kinds_of(units.values())
    years = set(term.years)
    for number, raw in enumerate(rows, start=1):
        if columns is None:
            columns = {}
            for header in raw:
                name = aliases.get(str(header or "").strip().casefold())
                if name and name not in columns:
                    columns[name] = header
            missing = [headers[name] for name in KEY_FIELDS if name not in columns]
            if missing:
                refuse(
                    None,
                    "",
                    _("The file lacks the columns: %(columns)s.") % {"columns": ", ".join(missing)},
                )
                return report
        row = _clean_row(number, raw, columns, targets, units, refuse)
        if row is None:
            continue
        if row.year not in years:
            refuse(number, "year", year_outside_term(term))
            continue
        if not row.unit.holds_year(row.year):
            refuse(number, "year", unit_absent(row.unit, row.year))
            continue
        # Who reports the target: the same rule as the entry form and the admin.
        if refusal := report_refusal(
            target=row.target, unit=row.unit, above=above_kinds[row.unit.pk]
        ):
            refuse(number, "unit", refusal)
            continue
        first = first_row.setdefault(row.key, number)
        if first != number:
            refuse(
                number,
                "year",
                _("The same target, unit and year are already in row %(row)s.") % {"row": first},
            )
            continue
        parsed.append(row)
    if columns is None:
        refuse(None, "", _("The file has no rows to import."))
        return report
    if scope is not None and parsed:
        # A moved unit's years before the move are its old branch's, not this user's.
        load_places([scope, *{row.unit.pk: row.unit for row in parsed}.values()])
        kept_rows = []
        for row in parsed:
            if refusal := outside_scope_then(user=user, unit=row.unit, year=row.year):
                refuse(row.number, "year", refusal)
            else:
                kept_rows.append(row)
        parsed = kept_rows
    stored = _stored(parsed)
    if not user.is_superuser and parsed:
        locked = locked_unit_years(
            units=list({row.unit.pk: row.unit for row in parsed}.values()),
            years=sorted({row.year for row in parsed}),
        )
        message = _("This year is approved for the unit and locked; ask a reviewer to reopen it.")
        for row in parsed:
            if (row.unit.pk, row.year) in locked:
                refuse(row.number, "year", message)
    changes: list[ResultChange] = []
    # A file without the estimate, note or evidence column leaves the stored ones as they are.
    kept = [name for name in KEPT_WHEN_ABSENT if name not in (columns or {})]
    for row in parsed:
        current = stored.get(row.key)
        if current is not None:
            for name in kept:
                row.values[name] = getattr(current, name)
        if seen is not None and seen.get(row.key, 0) != (current.version if current else 0):
            refuse(row.number, "", stale_message(row))
            continue
        if current is not None and all(
            getattr(current, name) == row.values[name] for name in ENTERED_FIELDS
        ):
            report.skipped += 1
            continue
        result = current or Result(target=row.target, unit=row.unit, year=row.year)
        before = current.figure if current is not None else None
        for name in ENTERED_FIELDS:
            setattr(result, name, row.values[name])
        changes.append(ResultChange(result=result, seen_version=current.version if current else 0))
        if current is None:
            report.created += 1
        else:
            report.updated += 1
        if len(report.preview) < PREVIEW_ROWS:
            report.preview.append(
                PreviewRow(
                    row=row.number,
                    new=current is None,
                    target=row.target.code,
                    unit=row.unit.code,
                    year=row.year,
                    before=figure_text(before),
                    after=figure_text(result.figure),
                )
            )
    if errors:
        report.errors.sort(key=lambda error: (error.row or 0, error.column))
        return report
    if dry_run:
        report.seen = {key: result.version for key, result in stored.items()}
        return report
    row_of = {row.key: row for row in parsed}
    try:
        results_write(changes=changes, user=user)
    except YearLocked as locked:
        places = set(locked.args[0]) if locked.args else set()
        for row in parsed:
            if (row.unit.pk, row.year) in places:
                refuse(
                    row.number,
                    "year",
                    _(
                        "This year was approved for the unit after your preview; ask a "
                        "reviewer to reopen it."
                    ),
                )
    except StaleResults as stale:
        for result in stale.results:
            row = row_of.get((result.target_id, result.unit_id, result.year))
            if row is not None:
                refuse(row.number, "", stale_message(row))
    if errors:
        report.created = report.updated = report.skipped = 0
        report.errors.sort(key=lambda error: (error.row or 0, error.column))
    return report


def figure_text(figure) -> str:
    """A figure as the preview shows it: 2.078, 9/12, 1 (yes) or 0 (no)."""
    if figure is None:
        return ""
    if isinstance(figure, bool):
        return str(int(figure))
    if isinstance(figure, tuple):
        return "/".join(figure_text(part) for part in figure)
    return f"{figure:,}".replace(",", ".")


def stale_message(row: _Row) -> str:
    return _(
        "Target “%(target)s”, unit “%(unit)s”, year %(year)s: someone saved it after "
        "you previewed the file. Preview the file again."
    ) % {"target": row.target.code, "unit": row.unit.code, "year": row.year}


def _clean_row(number, raw, columns, targets, units, refuse) -> _Row | None:
    """One row's cells cleaned; None (and the errors refused) when a cell is wrong."""
    ok = True
    values = {}
    for name in ("year", *ENTERED_FIELDS):
        header = columns.get(name)
        cell = raw.get(header) if header is not None else None
        try:
            values[name] = CLEANERS[name].clean(cell)
        except ValueError as error:
            refuse(number, name, error)
            ok = False
    target = unit = None
    for name, choices in (("target", targets), ("unit", units)):
        code = _text.clean(raw.get(columns[name]))
        found = choices.get(code)
        if found is None:
            refuse(number, name, _code_message(name, code))
            ok = False
        elif name == "target":
            target = found
        else:
            unit = found
    if not ok:
        return None
    if not _valid_figures(number, target, values, refuse):
        return None
    return _Row(number=number, target=target, unit=unit, year=values.pop("year"), values=values)


def _code_message(name: str, code: str) -> str:
    if name == "target":
        if not code:
            return _("Enter the target code.")
        return _("No target has the code “%(code)s” in this term.") % {"code": code}
    if not code:
        return _("Enter the unit code.")
    return _("No unit has the code “%(code)s” in your scope.") % {"code": code}


def _valid_figures(number, target: Target, values: dict, refuse) -> bool:
    """Result.clean()'s rules and the fields' validators, without building a model."""
    ok = True
    wanted = FIGURES[target.measure]
    for name in ALL_FIGURES:
        value = values[name]
        if name not in wanted:
            if value is not None:
                refuse(number, name, _("This target is not measured this way; leave this empty."))
                ok = False
            continue
        if value is None:
            refuse(
                number,
                name,
                {
                    "value": _("Enter the number for this target."),
                    "numerator": _("Enter the numerator."),
                    "denominator": _("Enter the denominator."),
                    "flag": _("Choose yes or no."),
                }[name],
            )
            ok = False
        elif name != "flag" and value < 0:
            refuse(number, name, _("The figure cannot be negative."))
            ok = False
    if ok and target.measure == Measure.RATIO and values["numerator"] > values["denominator"]:
        refuse(number, "numerator", _("The numerator cannot exceed the denominator."))
        ok = False
    for name in ("value", "numerator", "denominator", "evidence"):
        value = values[name]
        if value is None or value == "":
            continue
        try:
            FIELDS[name].run_validators(value)
        except ValidationError as error:
            for message in error.messages:
                refuse(number, name, message)
            ok = False
    return ok


FIELDS = {
    name: Result._meta.get_field(name) for name in ("value", "numerator", "denominator", "evidence")
}


def _stored(rows: list[_Row]) -> dict[Key, Result]:
    """The stored results of the rows' keys, in a few queries."""
    if not rows:
        return {}
    keys = {row.key for row in rows}
    target_ids = sorted({target for target, _unit, _year in keys})
    unit_ids = sorted({unit for _target, unit, _year in keys})
    year_list = sorted({year for _target, _unit, year in keys})
    chunk = 20_000 if connection.vendor == "postgresql" else 500
    stored = {}
    for start in range(0, len(unit_ids), chunk):
        for result in Result.objects.filter(
            target_id__in=target_ids,
            unit_id__in=unit_ids[start : start + chunk],
            year__in=year_list,
        ).select_related("unit"):
            key = (result.target_id, result.unit_id, result.year)
            if key in keys:
                stored[key] = result
    return stored
