"""What a web form says when a value is refused, in plain words beside its field.

Forms are checked with the API's own input schemas, so a value the API refuses is
refused on the page with the same rule; the schema's messages ("Input should be
greater than 0") are written here once for people ("Must be more than 0."), and so
are a service's refusals. Every form reads its errors through ``validate`` and
``errors_of``, so the same mistake reads the same on every page.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from podium.api.schemas import scalar_kinds
from podium.errors import PodiumError, StaleVersion
from podium.web.templating import format_number

Errors = dict[str, str]
M = TypeVar("M", bound=BaseModel)

GENERAL = "_form"  # errors that belong to no one field
FIELD_LABELS = {
    "percent_complete": "% complete",
    "actual_start": "actual start",
    "actual_finish": "actual finish",
    "constraint_type": "constraint",
    "constraint_date": "constraint date",
    "calendar_id": "calendar",
    "is_milestone": "milestone",
    "parent_id": "parent",
    "most_likely": "most likely",
}
# the schema checks that set a number's range: what a form may say in its own words
BOUNDS = frozenset({"greater_than", "greater_than_equal", "less_than", "less_than_equal"})


def humanize(message: str) -> str:
    """A service message made to stand beside its field: ``must be 100 when actual finish…``."""
    for name, label in FIELD_LABELS.items():
        message = re.sub(rf"\b{name}\b", label, message)
    message = message.replace("_", " ").strip()
    return (message[:1].upper() + message[1:]) if message else message


def _sentence(message: str) -> str:
    """``message`` as a sentence: a capital first, a full stop last."""
    message = humanize(message)
    return message if message.endswith((".", "?", "!")) else f"{message}."


def _number(value: Any) -> str:
    """A bound as people write it: ``24``, not ``24.0``; ``10,000``."""
    return format_number(value) if isinstance(value, int | float) else str(value)


def _length(ctx: Mapping[str, Any]) -> str:
    least = ctx.get("min_length", 1)
    if least == 1:
        return "Required."
    if ctx.get("field_type") == "List":
        return f"Choose at least {least}."
    return f"At least {least} characters."


def key_rule(pattern: str) -> str:
    """A key pattern in words: the marks it allows after letters and digits, and how it
    starts (``^[A-Za-z][A-Za-z0-9_-]{0,19}$`` → letters, digits, '_' or '-', starting
    with a letter)."""
    rest = pattern[pattern.find("]") + 1 :]
    marks = [f"'{m}'" for m in ".@_-" if m in rest]
    allowed = ", ".join(marks[:-1]) + f" or {marks[-1]}" if len(marks) > 1 else "".join(marks)
    start = "a letter or digit" if pattern.startswith("^[A-Za-z0-9]") else "a letter"
    return f"Letters, digits{', ' + allowed if allowed else ''}, starting with {start}."


def _pattern_rule(pattern: str) -> str:
    if pattern.startswith("^[A-Za-z"):
        return key_rule(pattern)
    if ":" in pattern:  # a time of day, like 09:30
        return "A time like 09:30 (hours 00 to 23)."
    return "Not in the form this field takes."


def plain_words(error: Mapping[str, Any]) -> str:
    """One of pydantic's errors (``{"type": "greater_than", "ctx": {"gt": 0}, …}``) said
    for people: ``Must be more than 0.``"""
    kind, ctx = str(error.get("type", "")), error.get("ctx") or {}
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "Enter a whole number."
    if kind in ("float_parsing", "float_type", "number_type", "finite_number", "decimal_parsing"):
        return "Enter a number."
    if kind.startswith("datetime_"):
        return "Enter a date and time (YYYY-MM-DD HH:MM)."
    if kind.startswith("date_"):
        return "Enter a date (YYYY-MM-DD)."
    if kind == "greater_than":
        return f"Must be more than {_number(ctx.get('gt'))}."
    if kind == "greater_than_equal":
        return f"Must be at least {_number(ctx.get('ge'))}."
    if kind == "less_than":
        return f"Must be less than {_number(ctx.get('lt'))}."
    if kind == "less_than_equal":
        return f"Must be at most {_number(ctx.get('le'))}."
    if kind == "missing":
        return "Required."
    if kind in ("string_too_short", "too_short"):  # too_short: a text checked after parsing
        return _length(ctx)
    if kind in ("string_too_long", "too_long"):
        return f"At most {ctx.get('max_length')} characters."
    if kind == "string_pattern_mismatch":
        return _pattern_rule(str(ctx.get("pattern", "")))
    if kind in ("enum", "literal_error"):
        return "Choose one of the options."
    if kind in ("bool_parsing", "bool_type"):
        return "Choose yes or no."
    if kind == "string_type":
        return "Enter text."
    if kind == "extra_forbidden":
        return "Not a value Podium takes here."
    message = str(error.get("msg", "")).removeprefix("Value error, ")
    if message.startswith("Input should be "):  # a check not worded above
        message = "Must be " + message.removeprefix("Input should be ")
    return _sentence(message or "Not a value this field takes")


CHECKED = {"1": True, "on": True, "true": True, "0": False, "off": False, "false": False, "": False}
# a number grouped by thousands as the pages show it (templating.format_number): 1,050
GROUPED = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?")


def ungrouped(text: str) -> str:
    """A number typed as the pages show it, ``1,050`` or ``-12,500.5``, without its
    thousands separators; anything else as typed, for the field's check to refuse in
    its own words (``1,05`` is a mistake, not 105)."""
    stripped = text.strip()
    return stripped.replace(",", "") if GROUPED.fullmatch(stripped) else text


def _form_values(model: type[BaseModel], data: Mapping[str, Any]) -> dict[str, Any]:
    """The form's values as the API's models take them: checkboxes' strings ("1", "on",
    "") as booleans (the models refuse strings for true or false, as JSON has booleans),
    and numbers typed as the pages show them (``1,050``) without their separators."""
    values = dict(data)
    for name, field in model.model_fields.items():
        raw = values.get(name)
        if not isinstance(raw, str):
            continue
        kinds = scalar_kinds(field.annotation) - {type(None)}
        if kinds == {bool}:
            values[name] = CHECKED.get(raw.strip().lower(), raw)
        elif kinds and kinds <= {int, float}:
            values[name] = ungrouped(raw)
    return values


def validate(
    model: type[M], data: Mapping[str, Any], *, ranges: Mapping[str, str] | None = None
) -> tuple[M | None, Errors]:
    """``model`` built from ``data``, or the errors by field (``estimate.optimistic`` →
    ``estimate_optimistic``). ``ranges`` says a number's range in the form's own words
    (``{"hours_per_day": "More than 0 hours, and at most 24."}``) when a value is out of it."""
    try:
        return model.model_validate(_form_values(model, data)), {}
    except ValidationError as exc:
        errors: Errors = {}
        for error in exc.errors():
            field = "_".join(str(part) for part in error.get("loc", ()) if part != "__root__")
            field = field or GENERAL
            if ranges and field in ranges and error.get("type") in BOUNDS:
                errors.setdefault(field, ranges[field])
            errors.setdefault(field, plain_words(error))
        return None, errors


def refusal_status(exc: PodiumError) -> int:
    """The status of a form drawn again after a refusal: 412 when someone else saved
    first, as the API answers; 422 for what was typed."""
    return exc.status if isinstance(exc, StaleVersion) else 422


def errors_of(exc: PodiumError, shown: Collection[str]) -> Errors:
    """A domain error by field: fields the form shows get their message, the rest go on top."""
    details = exc.details
    found: Errors = {}
    if isinstance(details, list):
        for item in details:
            if isinstance(item, dict) and "field" in item:
                field = str(item["field"]).replace(".", "_")
                found.setdefault(field, humanize(str(item.get("message", ""))) + ".")
    elif isinstance(details, dict) and "field" in details:
        found[str(details["field"])] = humanize(exc.message) + "."
    if not found:
        return {GENERAL: humanize(exc.message) + "."}
    errors: Errors = {}
    for field, message in found.items():
        if field in shown:
            errors[field] = message
        else:
            label = FIELD_LABELS.get(field, field.replace("_", " "))
            errors.setdefault(GENERAL, f"{label.capitalize()}: {message}")
    return errors
