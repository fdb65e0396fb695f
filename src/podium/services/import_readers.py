"""Reading a plan file of any format: which format it is, and the reader that reads it.

``read_file`` detects the format (Microsoft Project XML, Primavera P6 XER, CSV, the
``podium-plan`` JSON), refuses a file above ``MAX_IMPORT_BYTES`` and reads it with the
format's reader, writing nothing. Readers are found in :data:`READERS` (format →
``module:function``), imported only when used: a format whose reader is not installed
is reported as such. A file that cannot be imported is refused with every problem at
its location (:class:`ImportRefused`).
"""

from __future__ import annotations

import importlib
from typing import Protocol

from podium.errors import BadRequest, PayloadTooLarge, ValidationFailed, field_error
from podium.interop.csv_plan import read_csv_plan
from podium.interop.imported import MAX_IMPORT_BYTES, ImportedPlan, Problem
from podium.interop.plan_format import PlanError, read_plan


class Reader(Protocol):
    def __call__(self, data: bytes, *, limit: int = ...) -> ImportedPlan: ...


READERS: dict[str, str] = {
    "mspdi": "podium.interop.mspdi:read_mspdi",
    "xer": "podium.interop.xer:read_xer",
    "csv": "podium.interop.csv_plan:read_csv_plan",
}
FORMAT_NAMES = {
    "mspdi": "Microsoft Project XML",
    "xer": "Primavera P6 XER",
    "csv": "CSV",
    "podium-plan": "Podium plan (JSON)",
}


class ImportRefused(ValidationFailed):
    """A file that cannot be imported; ``details`` lists ``{"location", "message"}``."""

    code = "invalid_file"

    def __init__(self, problems: list[dict[str, str]], *, format: str = "") -> None:
        self.problems = problems
        first = problems[0] if problems else {"location": "", "message": "invalid file"}
        where = f"{first['location']}: " if first["location"] else ""
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        label = FORMAT_NAMES.get(format, "file")
        super().__init__(f"cannot import this {label}: {where}{first['message']}{more}")
        self.details = problems


def available_formats() -> list[str]:
    """The formats whose reader is installed (the plan format always is)."""
    return [name for name in READERS if _reader(name) is not None] + ["podium-plan"]


def _reader(name: str) -> Reader | None:
    module_name, _, function = READERS[name].partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    reader = getattr(module, function, None)
    return reader if callable(reader) else None


def detect_format(data: bytes, filename: str = "") -> str:
    """The format of a file, from its first bytes (and its name, for CSV)."""
    head = data[:4096]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 with its byte-order mark
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    head = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        return "podium-plan"
    if head.startswith(b"ERMHDR"):
        return "xer"
    if head.startswith(b"<"):
        return "mspdi"
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if suffix in ("xml", "mspdi"):
        return "mspdi"
    if suffix == "xer":
        return "xer"
    if suffix == "json":
        return "podium-plan"
    return "csv"


def read_file(
    data: bytes,
    *,
    filename: str = "",
    format: str | None = None,
    mapping: dict[str, str] | None = None,
    limit: int = MAX_IMPORT_BYTES,
) -> ImportedPlan:
    """The file read by its format's reader (nothing written); refused when larger than
    ``limit`` bytes (an upload's limit unless said). ``mapping`` (field → column) is the
    columns chosen for a CSV file."""
    if len(data) > limit:
        raise PayloadTooLarge(
            f"the file is {len(data)} bytes; an import reads at most {limit} bytes"
        )
    chosen = format or detect_format(data, filename)
    if mapping is not None and chosen != "csv":
        raise field_error("mapping", f"a {FORMAT_NAMES.get(chosen, 'file')} has no columns to map")
    if chosen == "podium-plan":
        try:
            plan = read_plan(data)
        except PlanError as exc:
            return ImportedPlan(
                format=chosen, problems=[Problem(p["location"], p["message"]) for p in exc.problems]
            )
        return ImportedPlan(format=chosen, document=plan.model_dump(mode="json", by_alias=True))
    if chosen not in READERS:
        known = ", ".join([*READERS, "podium-plan"])
        raise BadRequest(f"unknown format {chosen!r}: use one of {known}")
    reader = _reader(chosen)
    if reader is None:
        raise BadRequest(f"this Podium cannot read {FORMAT_NAMES[chosen]} files yet")
    try:
        if chosen == "csv":
            return read_csv_plan(data, mapping, limit=limit)
        return reader(data, limit=limit)
    except (ValueError, OverflowError) as exc:
        # the readers locate what they check; a value none of them expected ends here
        problem = Problem("", f"the file holds a value that cannot be read: {exc}")
        return ImportedPlan(format=chosen, problems=[problem])
