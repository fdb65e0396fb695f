"""Hostile values for the API sweep (tests/api/test_hostile_input.py), derived from the
OpenAPI schema: a valid body to start from, then one field at a time given a value a
careless or malicious client could send.

Values that are alike are not all sent to every field: of the values a field's own schema
refuses (a wrong type, a string past its maxLength...), which the request's validation
answers alike, a field gets one, taking turns across fields; every value its schema lets
through reaches Podium's own code, and is sent.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

LONG = "x" * 100_000
NUL = "a\x00b"
UNICODE = "🚀 مرحبا بالعالم \u202eשלום 👩🏽‍💻"

# the wrong types each kind of field can be sent
WRONG: dict[str, list[tuple[str, Any]]] = {
    "string": [("a number", 12345), ("a list", ["x"]), ("an object", {"x": 1}), ("true", True)],
    "integer": [
        ("a word", "x"),
        ("a fraction", 1.5),
        ("a list", [1]),
        ("an object", {"n": 1}),
        ("true", True),
    ],
    "number": [("a word", "x"), ("a list", [1.0]), ("an object", {"n": 1}), ("true", True)],
    "date": [
        ("a number", 20260105),
        ("zero", 0),  # lax pydantic: 1970-01-01, counted in seconds
        ("a string of digits", "86400"),
        ("an empty string", ""),
        ("a time", "2026-01-05T10:00:00"),
    ],
    "boolean": [("a word", "maybe"), ("the number 2", 2), ("a list", [True])],
    "enum": [("a number", 1), ("a list", ["x"])],
    "array": [("a word", "x"), ("an object", {"x": 1}), ("a number", 1)],
    "object": [("a word", "x"), ("a list", [1]), ("a number", 1)],
}

# the boundaries of each kind
BOUNDARIES: dict[str, list[tuple[str, Any]]] = {
    "string": [("100,000 characters", LONG), ("a NUL", NUL), ("emoji and right-to-left", UNICODE)],
    "integer": [("0", 0), ("-1", -1), ("2**31", 2**31), ("2**63", 2**63)],
    "number": [
        ("0", 0),
        ("-1", -1),
        ("1e308", 1e308),
        ("-1e308", -1e308),
        ("NaN", float("nan")),  # Python's JSON reader takes NaN: a client can send it
    ],
    "date": [
        ("0001-01-01", "0001-01-01"),
        ("9999-12-31", "9999-12-31"),
        ("2026-02-30", "2026-02-30"),
    ],
    "boolean": [],
    "enum": [("not one of the choices", "nope"), ("emoji and right-to-left", UNICODE)],
    "array": [],
    "object": [],
}


@dataclass
class Spec:
    """The app's OpenAPI document, with its ``$ref`` resolved on demand."""

    doc: dict[str, Any]

    def deref(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            schema = self.doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
        return schema

    def unwrap(self, schema: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """The schema a value takes, and whether null is allowed instead."""
        schema = self.deref(schema)
        options = schema.get("anyOf")
        if options:
            real = [self.deref(o) for o in options if o.get("type") != "null"]
            nullable = len(real) < len(options)
            if len(real) == 1:
                inner = {**real[0], **{k: v for k, v in schema.items() if k != "anyOf"}}
                return inner, nullable
        return schema, False

    def kind(self, schema: dict[str, Any]) -> str:
        schema, _ = self.unwrap(schema)
        if "enum" in schema:
            return "enum"
        kind = schema.get("type")
        if kind == "string" and schema.get("format") == "date":
            return "date"
        if kind in ("string", "integer", "number", "boolean", "array", "object"):
            return str(kind)
        if "properties" in schema:
            return "object"
        return "any"

    def body_schema(self, operation: dict[str, Any]) -> dict[str, Any] | None:
        content = operation.get("requestBody", {}).get("content", {})
        if "application/json" not in content:
            return None
        schema, _ = self.unwrap(content["application/json"]["schema"])
        return schema


class Samples:
    """Valid values for a schema: real ids for id fields, unique keys and names."""

    def __init__(self, spec: Spec, ids: dict[str, int]) -> None:
        self.spec = spec
        self.ids = ids
        self.counter = itertools.count(1)

    def value(self, name: str, schema: dict[str, Any]) -> Any:
        schema, _ = self.spec.unwrap(schema)
        kind = self.spec.kind(schema)
        n = next(self.counter)
        if kind == "enum":
            return schema["enum"][0]
        if kind == "date":
            # a field named only "date" is a day of a list (holidays, extra working days):
            # each its own, so that two lists do not claim the same day
            return f"2027-{2 + n % 10:02d}-{1 + n % 28:02d}" if name == "date" else "2027-01-04"
        if kind == "boolean":
            return False
        if kind == "integer":
            if name in self.ids:
                return self.ids[name]
            low = schema.get("minimum", 1)
            return max(int(low), 1) if schema.get("maximum", 2) >= 1 else int(low)
        if kind == "number":
            low = schema.get("minimum", schema.get("exclusiveMinimum", 0))
            return max(float(low), 1.0)
        if kind == "string":
            if name == "key":
                return f"H{n}"
            if name == "email":
                return f"sweep{n}@example.com"
            if name == "url":
                return "https://93.184.215.14/hooks/podium"
            if name == "time_of_day":
                return "09:00"
            if "password" in name:
                return "a long enough password"
            return f"Sweep {n}"
        if kind == "array":
            items = schema.get("items", {})
            return [self.value(name, items)] if schema.get("minItems") else []
        if kind == "object":
            return self.required(schema)
        return None

    def required(self, schema: dict[str, Any]) -> dict[str, Any]:
        """A body holding the object's required fields only."""
        schema = self.spec.deref(schema)
        return {
            name: self.value(name, prop)
            for name, prop in schema.get("properties", {}).items()
            if name in schema.get("required", [])
        }

    def item(self, schema: dict[str, Any]) -> dict[str, Any]:
        """One valid item of an array of objects: its required fields, and the ids and
        working days that most items need besides (a change's task, its days)."""
        schema = self.spec.unwrap(schema)[0]
        item = self.required(schema)
        for name, prop in schema.get("properties", {}).items():
            if name not in item and (name in self.ids or name in ("days", "name")):
                item[name] = self.value(name, prop)
        return item


@dataclass(frozen=True)
class Mutation:
    """A body with one field given a hostile value."""

    field: str  # dotted path, as the error's details name it ("goal.outcome", "changes.0.days")
    label: str
    body: Any


def _put(body: Any, path: tuple[str | int, ...], value: Any) -> Any:
    """A copy of ``body`` with ``value`` at ``path``."""
    copy = json.loads(json.dumps(body))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return copy


# what the two databases may store or compare differently: sent on both; any other value
# the schema lets through is sent on one of them, taking turns (``half``), so that the
# suite sends each once without spending twice the time
BOTH_DATABASES = frozenset(
    {"100,000 characters", "a NUL", "2**31", "2**63", "0001-01-01", "9999-12-31"}
)


def hostile_values(
    spec: Spec, schema: dict[str, Any], index: int, *, required: bool, half: int | None = None
) -> list[tuple[str, Any]]:
    """The values one field is sent. A value the field's own schema refuses (a wrong type,
    a string past its maxLength, a number past its maximum, a choice not among its enum)
    is answered by the request's validation, the same way for all of them: the field gets
    one of those, taking turns across fields so that each kind is sent somewhere. Every
    value the schema lets through reaches Podium's own code, and is sent."""
    kind = spec.kind(schema)
    if kind == "any":
        return [("a NUL", NUL), ("2**63", 2**63)]
    candidates = [*WRONG[kind], *BOUNDARIES[kind]]
    if required:
        candidates.append(("null for a required field", None))
    inner, nullable = spec.unwrap(schema)
    refused = [c for c in candidates if schema_refuses(kind, inner, nullable, c[1])]
    passed = [
        c
        for n, c in enumerate(c for c in candidates if c not in refused)
        if half is None or c[0] in BOTH_DATABASES or (index + n) % 2 == half
    ]
    return [*passed, *([refused[index % len(refused)]] if refused else [])]


def schema_refuses(kind: str, schema: dict[str, Any], nullable: bool, value: Any) -> bool:
    """Whether the request's validation surely refuses ``value`` for a field of this schema
    (when unsure, it is sent as passing). Podium refuses what pydantic's lax mode would
    read otherwise: a number as a date counted in seconds, true as 1."""
    if value is None:
        return not nullable
    if kind == "string":
        if not isinstance(value, str):
            return True
        return (
            len(value) > schema.get("maxLength", len(value))
            or len(value) < schema.get("minLength", 0)
            or ("pattern" in schema and not re.search(schema["pattern"], value))
        )
    if kind == "enum":
        return value not in schema["enum"]
    if kind == "date":
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return True
        try:
            date.fromisoformat(value)
        except ValueError:
            return True
        return False
    if kind == "boolean":
        return value not in (True, False, 0, 1, "true", "false", "yes", "no", "0", "1")
    if kind in ("integer", "number"):
        if isinstance(value, (list, dict, bool)) or (isinstance(value, str) and value == "x"):
            return True
        if kind == "integer" and isinstance(value, float) and not value.is_integer():
            return True
        if not isinstance(value, (int, float)) or value != value:  # NaN: sent
            return False
        return (
            value > schema.get("maximum", math.inf)
            or value < schema.get("minimum", -math.inf)
            or value >= schema.get("exclusiveMaximum", math.inf)
            or value <= schema.get("exclusiveMinimum", -math.inf)
        )
    if kind == "array":
        return not isinstance(value, list)
    if kind == "object":
        return not isinstance(value, dict)
    return False


def mutations(
    spec: Spec,
    samples: Samples,
    schema: dict[str, Any],
    base: dict[str, Any],
    *,
    counter: Iterator[int] | None = None,
    half: int | None = None,
) -> Iterator[Mutation]:
    """Every one-field hostile variant of ``base`` (a valid body of ``schema``); with
    ``half`` (0 or 1), the values alike on both databases only on that one's turns."""
    counter = counter or itertools.count()
    yield from _object_mutations(spec, samples, schema, base, base, (), counter, half)


def _object_mutations(
    spec: Spec,
    samples: Samples,
    schema: dict[str, Any],
    root: Any,
    current: dict[str, Any],
    at: tuple[str | int, ...],
    counter: Iterator[int],
    half: int | None = None,
) -> Iterator[Mutation]:
    schema, _ = spec.unwrap(schema)
    properties: dict[str, Any] = schema.get("properties", {})
    if not properties:
        # a free-form object (``additionalProperties``): the fields the base holds
        properties = {name: _schema_of(value) for name, value in current.items()}
    required = set(schema.get("required", []))
    for name, prop in properties.items():
        path = (*at, name)
        field = ".".join(str(p) for p in path)
        kind = spec.kind(prop)
        inner, _ = spec.unwrap(prop)
        wanted = name in required
        for label, value in hostile_values(spec, prop, next(counter), required=wanted, half=half):
            yield Mutation(field, label, _put(root, path, value))
        if kind == "object" and inner.get("properties"):
            value = current.get(name) or samples.required(inner)
            with_value = _put(root, path, value)
            yield from _object_mutations(
                spec, samples, inner, with_value, value, path, counter, half
            )
        elif kind == "object" and isinstance(inner.get("additionalProperties"), dict):
            yield Mutation(field, "a value of 2**63", _put(root, path, {"k": 2**63}))
            yield Mutation(field, "a NUL in a key", _put(root, path, {NUL: 1}))
        elif kind == "array":
            items, _ = spec.unwrap(inner.get("items", {}))
            item_kind = spec.kind(items)
            if item_kind == "object":
                given = current.get(name)
                item = given[0] if isinstance(given, list) and given else samples.item(items)
                with_item = _put(root, path, [item])
                yield from _object_mutations(
                    spec, samples, items, with_item, item, (*path, 0), counter, half
                )
            else:
                for label, value in hostile_values(
                    spec, items, next(counter), required=True, half=half
                ):
                    yield Mutation(f"{field}.0", f"an item: {label}", _put(root, path, [value]))


def _schema_of(value: Any) -> dict[str, Any]:
    """A schema for a value of a free-form object, from the value the server gave."""
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, float):
        return {"type": "number"}
    if isinstance(value, str):
        return {"type": "string"}
    if isinstance(value, list):
        return {"type": "array", "items": _schema_of(value[0]) if value else {}}
    if isinstance(value, dict):
        return {
            "type": "object",
            "properties": {k: _schema_of(v) for k, v in value.items()},
        }
    return {}


def query_values(spec: Spec, schema: dict[str, Any], index: int) -> list[tuple[str, str]]:
    """The values one query parameter is sent: as for a body's field, every value its
    schema lets through, and one of those it refuses (taking turns across parameters)."""
    kind = spec.kind(schema)
    odd = [("an empty string", ""), ("emoji and right-to-left", UNICODE), ("a NUL", NUL)]
    candidates = {
        "integer": [("a word", "x"), ("-1", "-1"), ("2**31", str(2**31)), ("2**63", str(2**63))],
        "number": [("a word", "x"), ("1e308", "1e308"), ("NaN", "NaN")],
        "boolean": [("a word", "maybe")],
        "date": [
            ("0001-01-01", "0001-01-01"),
            ("9999-12-31", "9999-12-31"),
            ("2026-02-30", "2026-02-30"),
        ],
        "enum": [("not one of the choices", "nope")],
        # 60,000 characters: the test client refuses a longer query (and most servers one
        # far shorter)
        "string": [("60,000 characters", "x" * 60_000)],
    }.get(kind, [("a word", "x")]) + odd
    inner, _ = spec.unwrap(schema)
    refused = [c for c in candidates if query_refuses(kind, inner, c[1])]
    passed = [c for c in candidates if c not in refused]
    return [*passed, *([refused[index % len(refused)]] if refused else [])]


BOOLEAN_WORDS = {"true", "false", "1", "0", "yes", "no", "on", "off", "t", "f", "y", "n"}


def query_refuses(kind: str, schema: dict[str, Any], value: str) -> bool:
    """Whether the request's validation surely refuses this query value (a NUL the app's
    own check refuses before any parameter is read)."""
    if "\x00" in value:
        return True
    if kind in ("integer", "number"):
        try:
            number = int(value) if kind == "integer" else float(value)
        except ValueError:
            return True
        if number != number:  # NaN: sent
            return False
        return number > schema.get("maximum", math.inf) or number < schema.get("minimum", -math.inf)
    if kind == "boolean":
        return value.lower() not in BOOLEAN_WORDS
    if kind == "date":
        try:
            date.fromisoformat(value)
        except ValueError:
            return True
        return False
    if kind == "enum":
        return value not in schema["enum"]
    if kind == "string":
        return (
            len(value) > schema.get("maxLength", len(value))
            or len(value) < schema.get("minLength", 0)
            or ("pattern" in schema and not re.search(schema["pattern"], value))
        )
    return False


def error_problem(response: Any, field: str | None) -> str | None:
    """What is wrong with an answer to hostile input, or None when it is a fair answer:
    below 500, and an error is the JSON error body whose 422 names the bad field."""
    status = response.status_code
    if status >= 500:
        return "a server error"
    if status < 400:
        return None
    try:
        body = response.json()
    except ValueError:
        return "an error that is not JSON"
    if not isinstance(body, dict) or set(body) != {"error"}:
        return "not the error body"
    error = body["error"]
    if not isinstance(error, dict) or set(error) != {"code", "message", "details"}:
        return "not the error body"
    if not isinstance(error["message"], str) or not error["message"].strip():
        return "an error without a message"
    if not isinstance(error["code"], str) or not error["code"]:
        return "an error without a code"
    if status == 422 and field is not None and not names_field(error["details"], field):
        return f"a 422 whose details do not name {field!r}"
    return None


# A rule between two fields may name the other one of the pair: a start on 9999-12-31
# makes the finish "before the start", a baseline of 0 puts the target on the wrong side.
RELATED = {
    "baseline_value": "target_value",
    "target_value": "baseline_value",
    "baseline_date": "target_date",
    "target_date": "baseline_date",
    "actual_start": "actual_finish",
    "actual_finish": "actual_start",
    "start": "finish",
    "finish": "start",
}


def names_field(details: Any, field: str) -> bool:
    """Whether the error's details name the field (or the object or item holding it, a
    part of it, or the other field of a rule between two)."""
    if not isinstance(details, list):
        return False
    holder, _, last = field.rpartition(".")
    fields = {field}
    if last in RELATED:
        fields.add(f"{holder}.{RELATED[last]}" if holder else RELATED[last])
    for detail in details:
        named = detail.get("field") if isinstance(detail, dict) else None
        if not isinstance(named, str) or not named:
            continue
        for f in fields:
            if named == f or named.startswith(f"{f}.") or f.startswith(f"{named}."):
                return True
    return False


Send = Callable[..., Any]
