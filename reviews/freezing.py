"""The engine's output as JSON and back: what an adopted review keeps.

`progress_freeze` writes one `indicators.engine.Progress` (a scope's targets,
per-year series, headline and programme counts) field by field, as
`dataclasses.asdict` would, so a field the engine gains is carried without a
change here; model instances (the target, the programme) are kept as the few
facts a reader needs, since the live rows may be renamed later. Each target
also keeps its phrases as the dashboard rendered them when adopted ("đạt 130%
(vượt 30%)", "Vượt"); its figures are rendered from the frozen numbers.

`progress_thaw` rebuilds engine objects from the JSON (typed by the engine's
own annotations), so the pages and files that render live progress render the
frozen one the same way. Nothing here computes a figure.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import types
import typing
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation

from indicators import engine
from indicators.engine import AsOf, ProgrammeProgress, Progress, Tally, TargetProgress
from indicators.models import Term
from units.models import Unit

# The target's facts the pages and files read (code, name, unit of measure,
# how it is read), kept as they were at adoption.
TARGET_FACTS = (
    "pk", "code", "name", "unit_label", "order", "measure", "direction", "combine", "judgement",
    "level", "in_percent", "is_headline", "programme_id",
)  # fmt: skip
# The language of the adopted document.
DOCUMENT_LANGUAGE = "vi"


def _facts(instance, names) -> dict[str, Any]:
    return {name: getattr(instance, name) for name in names}


# Values JSON keeps as they are.
_SCALARS = frozenset({type(None), bool, int, float, str})


@functools.cache
def _field_names(cls) -> tuple[str, ...] | None:
    """A dataclass's field names; None for any other type."""
    if not dataclasses.is_dataclass(cls):
        return None
    return tuple(field.name for field in dataclasses.fields(cls))


def _plain(value: Any) -> Any:
    """JSON-ready data: what `dataclasses.asdict` then a JSON round trip would give.

    Every field of a dataclass, recursively (a field the engine gains comes
    along); Decimal as a string (exact, as DjangoJSONEncoder writes it), choices
    as their value, tuples as lists, dict keys as strings. Walked directly, not
    through `asdict`'s deep copies: adoption freezes tens of thousands of rows.
    """
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is Decimal:
        return str(value)
    names = _field_names(kind)
    if names is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    if kind is tuple or kind is list:
        return [_plain(item) for item in value]
    if isinstance(value, str):  # a choice (Status): its value
        return str(value)
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _phrases(row: TargetProgress) -> dict[str, str]:
    """The row's phrases as the dashboard renders them (in the document's language)."""
    # The one renderer of each phrase: the dashboard's template filters.
    from reports.templatetags import progress as render

    return {"completion": render.completion(row), "status": str(row.status.label)}


def target_freeze(row: TargetProgress) -> dict[str, Any]:
    """One target's progress: every field of the engine's dataclass, then its phrases.

    Call it within `translation.override(DOCUMENT_LANGUAGE)` (as `progress_freeze` does).
    """
    data = _plain(dataclasses.replace(row, target=None))
    data["target"] = _plain(_facts(row.target, TARGET_FACTS))
    data["phrases"] = _phrases(row)
    return data


def progress_freeze(progress: Progress) -> dict[str, Any]:
    """A scope's whole progress as JSON-ready data (see the module's docstring)."""
    with translation.override(DOCUMENT_LANGUAGE):
        targets = [target_freeze(row) for row in progress.targets]
    return {
        "as_of": _plain(progress.as_of),
        "scope": _plain(_facts(progress.scope, ("pk", "code", "name", "path"))),
        "headline": _plain(progress.headline),
        "targets": targets,
        "programmes": [
            {
                "programme": _plain(_facts(entry.programme, ("pk", "name", "order"))),
                "tally": _plain(entry.tally),
                "targets": [row.target.pk for row in entry.targets],
            }
            for entry in progress.programmes
        ],
    }


# Thawing ------------------------------------------------------------------------


class FrozenTarget(SimpleNamespace):
    """A target as it was at adoption: what the renderers read of a `Target`."""

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"


class FrozenProgramme(SimpleNamespace):
    def __str__(self) -> str:
        return self.name


@functools.cache
def _hints(cls) -> dict[str, Any]:
    return typing.get_type_hints(cls, vars(engine))


def _thaw_value(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return _thaw_value(options[0], value) if len(options) == 1 else value
    if origin in (tuple, list):
        (item, *_rest) = typing.get_args(hint) or (Any,)
        return origin(_thaw_value(item, element) for element in value)
    if origin is dict:
        key, item = typing.get_args(hint)
        return {_thaw_value(key, k): _thaw_value(item, v) for k, v in value.items()}
    if dataclasses.is_dataclass(hint):
        return thaw(hint, value)
    if hint in (Decimal, int, bool, str) or (isinstance(hint, type) and issubclass(hint, str)):
        return hint(value)
    return value


def thaw(cls, data: dict[str, Any], **given):
    """An engine dataclass from its frozen fields; fields it gained since default to None."""
    hints = _hints(cls)
    values = {}
    for field in dataclasses.fields(cls):
        if not field.init:
            continue
        if field.name in given:
            values[field.name] = given[field.name]
        elif field.name in data:
            values[field.name] = _thaw_value(hints[field.name], data[field.name])
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            values[field.name] = None
    return cls(**values)


def target_thaw(data: dict[str, Any]) -> TargetProgress:
    target = FrozenTarget(**data["target"])
    row = thaw(TargetProgress, data, target=target)
    # The phrases as adopted ride along on the rebuilt row.
    object.__setattr__(row, "frozen_phrases", data.get("phrases", {}))
    return row


def progress_thaw(data: dict[str, Any], *, term: Term, scope: Unit) -> Progress:
    """The `Progress` an adopted review froze, ready for the same renderers as a live one."""
    rows = [target_thaw(entry) for entry in data["targets"]]
    by_pk = {row.target.pk: row for row in rows}
    programmes = []
    for entry in data["programmes"]:
        programme = FrozenProgramme(**entry["programme"])
        programmes.append(
            ProgrammeProgress(
                programme=programme,
                targets=[by_pk[pk] for pk in entry["targets"]],
                tally=thaw(Tally, entry["tally"]),
            )
        )
    return Progress(
        term=term,
        as_of=thaw(AsOf, data["as_of"]),
        scope=scope,
        targets=rows,
        headline=thaw(Tally, data["headline"]),
        programmes=programmes,
    )
