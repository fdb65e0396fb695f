"""Safe parsing of MSPDI XML and the small value conversions every part of the reader shares.

Files are parsed with :mod:`defusedxml`: a document type declaration, entity
declarations and external entities are refused (no entity expansion, no file or
network access). The line of each task, resource, assignment and calendar is
kept so that a problem can say where it is.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import re
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

NS = "http://schemas.microsoft.com/project"
Q = "{" + NS + "}"
DURATION = re.compile(
    r"^-?P(?:(?P<y>\d+(?:\.\d+)?)Y)?(?:(?P<mo>\d+(?:\.\d+)?)M)?(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


class XmlRefused(Exception):
    """The bytes are not an XML document this reader accepts; ``location`` says where."""

    def __init__(self, location: str, message: str) -> None:
        super().__init__(message)
        self.location = location
        self.message = message


LOCATED = ("Calendars/Calendar", "Tasks/Task", "Resources/Resource", "Assignments/Assignment")


def _element_lines(data: bytes, root: Element) -> dict[int, int]:
    """The line of each task, resource, assignment and calendar element (by ``id``), found
    by matching their start tags in order (cheaper than a line per parsed element)."""
    newlines = [m.start() for m in re.finditer(rb"\n", data)]
    lines: dict[int, int] = {}
    for path in LOCATED:
        parent, tag = path.split("/")
        elements = root.findall(f"{Q}{parent}/{Q}{tag}")
        pattern = re.compile(rb"<(?:[\w.-]+:)?" + tag.encode() + rb"[\s>]")
        section = re.search(rb"<(?:[\w.-]+:)?" + parent.encode() + rb"[\s>]", data)
        offset = section.start() if section else 0
        starts = [m.start() for m in pattern.finditer(data, offset)][: len(elements)]
        if len(starts) != len(elements):
            continue
        for element, position in zip(elements, starts, strict=True):
            lines[id(element)] = bisect.bisect_left(newlines, position) + 1
    return lines


# expat's error codes that people meet, said with what usually causes them
_WHY = {
    2: "text where a tag was expected (is the file XML?)",  # syntax error
    3: "the file ends too soon (cut short?)",  # no element found
    4: "a character that cannot be read (a file not in the encoding its first line names?)",
    5: "the file ends inside a tag (cut short?)",  # unclosed token
    6: "the file ends inside a character (cut short?)",  # partial character
    7: "a closing tag that does not match its opening tag",
    8: "an attribute written twice in one tag",
    9: "more after the end of the document's root element",  # junk after document element
    11: "an entity (&name;) that XML does not define",  # undefined entity
    14: "a character reference (&#…;) to a character XML cannot hold",
    17: "an XML declaration (<?xml …?>) that is not at the start of the file",
    19: "the encoding its first line names is not the file's",
    20: "a CDATA section that is not closed",
    27: "a tag prefix (prefix:Name) with no namespace declared for it",  # unbound prefix
    30: "its first line (<?xml …?>) is not a well-formed XML declaration",
}


def parse(data: bytes) -> tuple[Element, dict[int, int]]:
    """The document's root and the line of each located element (by ``id``); refuses
    unsafe XML."""
    # the C tree builder: elements (and their find) at native speed
    parser = DefusedXMLParser(
        target=TreeBuilder(), forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    try:
        parser.feed(data)
        root: Element = parser.close()
    except DefusedXmlException as exc:
        kind = type(exc).__name__
        reason = {
            "DTDForbidden": "a document type declaration (DTD)",
            "EntitiesForbidden": "an entity declaration",
            "ExternalReferenceForbidden": "an external entity reference",
        }.get(kind, "an unsafe construct")
        raise XmlRefused("", f"refused: the file contains {reason}, which is not read") from None
    except ParseError as exc:
        line, column = exc.position
        start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        if not data.strip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n"):
            raise XmlRefused("line 1", "the file is empty") from None
        if line == 1 and start and start not in b"<\xff\xfe\x00":  # no tag at all
            raise XmlRefused(
                "line 1",
                "not XML: the file does not start with a tag such as <?xml …?> or <Project>",
            ) from None
        why = _WHY.get(exc.code, str(exc).split(":", 1)[0])
        raise XmlRefused(
            f"line {line}", f"not well-formed XML (column {column + 1}): {why}"
        ) from None
    except LookupError as exc:  # the XML declaration names an encoding there is not
        raise XmlRefused("line 1", f"not readable XML: {exc}") from None
    return root, _element_lines(data, root)


def text(element: Element, name: str) -> str | None:
    """The stripped text of a child element, or None when absent or empty."""
    child = element.find(Q + name)
    if child is None or child.text is None:
        return None
    value = child.text.strip()
    return value or None


def flag(element: Element, name: str) -> bool:
    """A 0/1 child element as a bool (absent: false)."""
    return text(element, name) in ("1", "true")


def parse_date(value: str) -> dt.date:
    """The day of an MSPDI date-time (``2003-01-07T08:00:00``); a ValueError that says so
    for anything else."""
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise ValueError(f"{value!r} is not a date-time (2003-01-07T08:00:00)") from None


def parse_datetime(value: str) -> dt.datetime:
    """An MSPDI date-time (no time zone: the plan's own local time)."""
    try:
        return dt.datetime.fromisoformat(value[:19])
    except ValueError:
        raise ValueError(f"{value!r} is not a date-time (2003-01-07T08:00:00)") from None


def duration_minutes(value: str, minutes_per_day: float) -> float:
    """An MSPDI duration (``PT8H0M0S``, ``P2DT0H0M0S``) in minutes of work; days count
    as the project's minutes per day. Raises ValueError for anything else."""
    match = DURATION.match(value)
    if match is None:
        raise ValueError(f"not a duration: {value!r}")
    parts = {k: float(v) for k, v in match.groupdict().items() if v}
    minutes = (
        parts.get("h", 0) * 60
        + parts.get("m", 0)
        + parts.get("s", 0) / 60
        + parts.get("d", 0) * minutes_per_day
        + parts.get("mo", 0) * minutes_per_day * 20
        + parts.get("y", 0) * minutes_per_day * 260
    )
    if not math.isfinite(minutes):  # digits past the largest float
        raise ValueError(f"the duration {value[:40]!r} is too long")
    return -minutes if value.startswith("-") else minutes


def number(element: Element, name: str, default: float) -> float:
    """A numeric child element (absent or empty: ``default``); a ValueError that names
    it for anything but a finite number (``float`` reads "nan" and "inf" too)."""
    raw = text(element, name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ValueError(f"{name} {raw[:40]!r} is not a number")
    return value


def whole(element: Element, name: str, default: int) -> int:
    """A whole-number child element (absent or empty: ``default``); a ValueError that
    names it for anything else (``OutlineLevel`` "1.5", or 5,000 digits: every whole
    number of the file Podium reads, a level, a code or a count, has far fewer)."""
    raw = text(element, name)
    if raw is None:
        return default
    if not re.fullmatch(r"[+-]?[0-9]{1,18}", raw):
        raise ValueError(f"{name} {raw[:40]!r} is not a whole number of at most 18 digits")
    return int(raw)


def format_hours(hours: float) -> str:
    """A duration of work in hours as MSPDI writes it (``PT8H0M0S``)."""
    total = round(hours * 60)
    return f"PT{total // 60}H{total % 60}M0S"
