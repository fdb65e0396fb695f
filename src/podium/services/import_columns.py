"""The column-mapping step of a CSV import: what a file holds before it is imported.

:func:`inspect_file` writes nothing: it gives the file's format and, for a CSV,
its columns, the suggested mapping of Podium's fields to them and the first rows,
so that a person (the web page) or a client (the API) can choose the columns;
the chosen mapping (field → column header) then goes to ``import_file``.
:func:`parse_mapping` and :func:`mapping_from_pairs` read a mapping as the API
(JSON) and the CLI (``FIELD=COLUMN``) receive it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from podium.errors import PayloadTooLarge, ValidationFailed, field_error
from podium.interop.csv_plan import (
    FIELDS,
    auto_mapping,
    csv_columns,
    csv_preview,
)
from podium.interop.imported import MAX_IMPORT_BYTES
from podium.services.import_readers import FORMAT_NAMES, chosen_format

PREVIEW_ROWS = 5
REQUIRED_FIELDS = ("name",)  # what read_csv_plan cannot do without


@dataclass(frozen=True)
class MappingField:
    """One Podium field a CSV column can fill, as the mapping step shows it."""

    name: str
    label: str
    required: bool
    hint: str

    def as_dict(self) -> dict[str, Any]:
        """The field as JSON."""
        return {
            "name": self.name,
            "label": self.label,
            "required": self.required,
            "hint": self.hint,
        }


MAPPING_FIELDS = tuple(
    MappingField(name, label, name in REQUIRED_FIELDS, hint)
    for name, label, hint in (
        ("name", "Task name", "every row needs one"),
        ("duration", "Duration", "working days: 5, 5d, 3w, 16h; without it each task lasts 1 day"),
        ("id", "ID", "what predecessors refer to; without it, row numbers"),
        ("predecessors", "Predecessors", "ids: 12, 12FS+2, 3SS-1; several separated by ; or ,"),
        ("start", "Start", "YYYY-MM-DD: start no earlier than it, or the actual start"),
        ("finish", "Finish", "YYYY-MM-DD: the actual finish of a task 100 % complete"),
        ("project", "Project", "tasks are grouped by project name; without it, one project"),
        ("resources", "Resources", "names; Ana[50%] for part time; separated by ; or ,"),
        ("percent_complete", "% complete", "0 to 100"),
        ("wbs", "WBS code", "outline code 1.2.3 makes 1.2 its parent"),
        ("parent", "Parent", "the parent task's id"),
    )
)


@dataclass(frozen=True)
class Inspection:
    """A file's format and, for a CSV, what the mapping step needs (``None`` otherwise)."""

    format: str
    columns: list[str] | None = None
    mapping: dict[str, str] | None = None
    rows: list[list[str]] | None = None

    @property
    def is_csv(self) -> bool:
        """Whether the file has columns to map."""
        return self.columns is not None

    def as_dict(self) -> dict[str, Any]:
        """The inspection as JSON."""
        return {
            "format": self.format,
            "format_name": FORMAT_NAMES.get(self.format, self.format),
            "columns": self.columns,
            "mapping": self.mapping,
            "fields": [f.as_dict() for f in MAPPING_FIELDS] if self.is_csv else None,
            "rows": self.rows,
        }


def inspect_file(
    data: bytes, *, filename: str = "", format: str | None = None, rows: int = PREVIEW_ROWS
) -> Inspection:
    """The file's format (the one given, else detected) and, for a CSV, its columns,
    the suggested mapping and its first ``rows`` rows; nothing is written."""
    if len(data) > MAX_IMPORT_BYTES:
        raise PayloadTooLarge(f"an import reads at most {MAX_IMPORT_BYTES} bytes")
    chosen = chosen_format(data, filename, format)  # a workbook or binary data is refused
    if chosen != "csv":
        return Inspection(format=chosen)
    columns = csv_columns(data)
    return Inspection(
        format=chosen,
        columns=columns,
        mapping=auto_mapping(columns),
        rows=csv_preview(data, rows),
    )


def _unknown(fields: list[str]) -> ValidationFailed:
    known = ", ".join(FIELDS)
    listed = ", ".join(repr(f) for f in fields)
    return field_error("mapping", f"unknown field {listed}: use {known}")


def parse_mapping(text: str) -> dict[str, str]:
    """A mapping sent as a JSON object of field → column header (``""`` or null: unmapped)."""
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise field_error("mapping", f"not valid JSON: {exc}") from exc
    if not isinstance(value, dict) or not all(
        isinstance(c, str) or c is None for c in value.values()
    ):
        raise field_error("mapping", 'a JSON object of field → column, e.g. {"name": "Title"}')
    unknown = [f for f in value if f not in FIELDS]
    if unknown:
        raise _unknown(unknown)
    return {f: c for f, c in value.items() if c}


def mapping_from_pairs(pairs: list[str]) -> dict[str, str]:
    """A mapping written as ``FIELD=COLUMN`` pairs (the column may hold ``=`` and spaces)."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        field, equals, column = pair.partition("=")
        field = field.strip()
        if not equals or not field or not column.strip():
            raise field_error("mapping", f"{pair!r} is not FIELD=COLUMN")
        if field not in FIELDS:
            raise _unknown([field])
        if field in mapping:
            raise field_error("mapping", f"{field!r} is mapped twice")
        mapping[field] = column.strip()
    return mapping
