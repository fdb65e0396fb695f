"""Reading a plan file of any format: which format it is, and the reader that reads it.

``read_file`` detects the format (Microsoft Project XML, Primavera P6 XER, CSV, the
``podium-plan`` JSON), refuses a file above ``MAX_IMPORT_BYTES`` and reads it with the
format's reader, writing nothing. Readers are found in :data:`READERS` (format →
``module:function``), imported only when used: a format whose reader is not installed
is reported as such. A file that cannot be imported is refused with every problem at
its location (:class:`ImportRefused`); one in none of these formats (binary content, a
TaskJuggler project, XML other than Microsoft Project's) is refused saying what it
seems to be and which formats Podium reads, instead of being read as a CSV.
"""

from __future__ import annotations

import importlib
import re
import unicodedata
from typing import Protocol

from podium.errors import BadRequest, PayloadTooLarge, ValidationFailed, field_error
from podium.interop.csv_plan import read_csv_plan, utf16_codec
from podium.interop.imported import MAX_IMPORT_BYTES, ImportedPlan, Problem
from podium.interop.plan_format import PlanError, read_plan
from podium.text import listed


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


UNKNOWN = "unknown"  # what detect_format says of content no reader reads
MSPDI_ROOT = '<Project xmlns="http://schemas.microsoft.com/project">'


_UNSHOWN = ("Cc", "Cf", "Zl", "Zp", "Cs")  # controls, format marks (bidi), line breaks


def printable(text: str) -> str:
    """``text`` with its control characters written as escapes (``\\x01``): a message
    quoting a file never carries them to a terminal or a page."""
    if text.isprintable():
        return text
    return "".join(
        c.encode("unicode_escape").decode() if unicodedata.category(c) in _UNSHOWN else c
        for c in text
    )


class ImportRefused(ValidationFailed):
    """A file that cannot be imported; ``details`` lists ``{"location", "message"}``
    (control characters quoted from the file are escaped)."""

    code = "invalid_file"

    def __init__(self, problems: list[dict[str, str]], *, format: str = "") -> None:
        problems = [
            {k: printable(v) if isinstance(v, str) else v for k, v in p.items()} for p in problems
        ]
        self.problems = problems
        first = problems[0] if problems else {"location": "", "message": "invalid file"}
        # "cannot import this CSV: line 3: …", but not "… this CSV: file: …"
        where = f"{first['location']}: " if first["location"] not in ("", "file") else ""
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


def readable_formats() -> str:
    """The formats Podium reads, in words: "Microsoft Project XML, …, CSV and Podium plan JSON"."""
    names = [FORMAT_NAMES[f].replace(" (JSON)", " JSON") for f in available_formats()]
    return listed(names)


_SIGNATURES = (
    (b"PK\x03\x04", "a zip archive (an Excel .xlsx workbook? Save the sheet as CSV)"),
    (
        b"\xd0\xcf\x11\xe0",
        "an Office binary file (Excel .xls or Microsoft Project .mpp? Save it as CSV or as "
        "Microsoft Project XML)",
    ),
    (b"%PDF", "a PDF document"),
)
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# possessive (*+): a long run of what they skip is never tried again in other splits
_XML_PROLOG = re.compile(rb"(?:\s|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>)*+", re.S)
_ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)")
# TaskJuggler 3: comments, then `project [id] "Name" …`
_TASKJUGGLER = re.compile(
    rb'(?:\s|/\*.*?\*/|#[^\n]*+|//[^\n]*+)*+project\s+(?:[A-Za-z_][\w.]*\s+)?"', re.S
)


def _text_head(data: bytes) -> bytes | None:
    """The file's first bytes as UTF-8-compatible text, or ``None`` when they are binary."""
    if data.startswith(tuple(signature for signature, _what in _SIGNATURES)):
        return None
    head = data[:4096]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 with its byte-order mark
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    elif codec := utf16_codec(head):
        head = head.decode(codec, errors="ignore").encode("utf-8")
    # a few stray control characters are problems of a text file, found where they are;
    # more than that, and more than one in a hundred bytes, is no text
    if len(_CONTROL.findall(head)) > max(8, len(head) // 100):
        return None
    return head.lstrip(b"\xef\xbb\xbf \t\r\n")


def _binary(data: bytes) -> str:
    """What a file that is not text seems to be."""
    return next(
        (what for signature, what in _SIGNATURES if data.startswith(signature)), "binary data"
    )


def _sniff(data: bytes, filename: str) -> tuple[str, str, str]:
    """(the format or UNKNOWN; when UNKNOWN, what the file seems to be, and what to do)."""
    head = _text_head(data)
    if head is None:
        return UNKNOWN, _binary(data), ""
    if head.startswith(b"{"):
        return "podium-plan", "", ""
    if head.startswith(b"ERMHDR"):
        return "xer", "", ""
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if head.startswith(b"<"):
        prolog = _XML_PROLOG.match(head)
        root = _ROOT.match(head, prolog.end() if prolog else 0)
        name = root[1].decode("utf-8", errors="replace") if root else ""
        if not name or name.rsplit(":", 1)[-1] == "Project":
            return "mspdi", "", ""  # its reader says what is wrong with it, if anything is
        if name == "project" and (suffix == "gan" or b"gantt" in head.lower()):
            what = "a GanttProject file (XML whose root element is <project>)"
            return UNKNOWN, what, "GanttProject can export it as Microsoft Project XML"
        what = f"XML whose root element is <{printable(name)}>"
        return UNKNOWN, what, f"Microsoft Project XML has the root element {MSPDI_ROOT}"
    if suffix in ("tjp", "tji") or _TASKJUGGLER.match(head):
        advice = "TaskJuggler can export it as Microsoft Project XML"
        return UNKNOWN, "a TaskJuggler project", advice
    if suffix in ("xml", "mspdi"):
        return "mspdi", "", ""
    if suffix == "xer":
        return "xer", "", ""
    if suffix == "json":
        return "podium-plan", "", ""
    return "csv", "", ""


def detect_format(data: bytes, filename: str = "") -> str:
    """The format of a file, from its first bytes (and its name, when they do not tell):
    ``mspdi``, ``xer``, ``csv``, ``podium-plan``, or :data:`UNKNOWN` for content none
    of the readers reads (:func:`chosen_format` refuses it, saying why)."""
    return _sniff(data, filename)[0]


def chosen_format(data: bytes, filename: str = "", format: str | None = None) -> str:
    """The format given, else the one detected; a file in none that Podium reads is
    refused, saying what it seems to be, the formats Podium reads and how to get one."""
    if format and _text_head(data) is not None:
        return format
    chosen, what, advice = _sniff(data, filename)  # binary data is no format, given or not
    if chosen == UNKNOWN:
        message = f"it is {what}, not a format Podium reads (it reads {readable_formats()})"
        problem = message + (f"; {advice}" if advice else "")
        raise ImportRefused([{"location": "file", "message": problem}])
    return chosen


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
    chosen = chosen_format(data, filename, format)
    if mapping is not None and chosen != "csv":
        raise field_error("mapping", f"a {FORMAT_NAMES.get(chosen, 'file')} has no columns to map")
    if chosen == "podium-plan":
        try:
            plan = read_plan(data)
        except PlanError as exc:
            return ImportedPlan(
                format=chosen,
                problems=[Problem(p["location"], p["message"]) for p in exc.problems],
                partial=exc.raw or {},  # its other problems are listed with these
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
