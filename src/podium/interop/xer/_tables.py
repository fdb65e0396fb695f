"""The XER table format: ``ERMHDR``, per table ``%T name``, ``%F fields``, ``%R`` rows; ``%E``.

Read tolerantly: short rows are padded, unknown markers and rows out of place
are reported with their line, and everything else is kept to be checked later.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from podium.interop.imported import Problem


@dataclass(frozen=True, slots=True)
class Row:
    """One ``%R`` row: its table, its number in the table (from 1), its line in the file."""

    table: str
    number: int
    line: int
    values: dict[str, str]

    def get(self, name: str) -> str:
        """The field's value, stripped ("" when absent)."""
        return self.values.get(name, "").strip()

    def where(self, key: str = "") -> str:
        """``TASK row 3 (task_code A1010, line 57)``: a location people can find."""
        label = f"{key} {self.get(key)}, " if key and self.get(key) else ""
        return f"{self.table} row {self.number} ({label}line {self.line})"


@dataclass
class Tables:
    """The tables of a file by name, with the problems met while reading it."""

    version: str = ""
    rows: dict[str, list[Row]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def __getitem__(self, name: str) -> list[Row]:
        return self.rows.get(name, [])


def decode(data: bytes) -> str:
    """XER files are Windows-1252 (recent versions may write UTF-8; one saved again by an
    editor as "Unicode" is UTF-16 with its byte-order mark)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read_tables(data: bytes) -> Tables:
    """Split an XER file into its tables."""
    tables = Tables()
    lines = decode(data).splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        tables.problems.append(Problem("line 1", "the file is empty"))
        return tables
    if not lines[first].startswith("ERMHDR"):
        tables.problems.append(
            Problem("line 1", "not a Primavera P6 XER file (it must start with ERMHDR)")
        )
        return tables
    header = lines[first].split("\t")
    tables.version = header[1].strip() if len(header) > 1 else ""
    table: str | None = None
    fields: list[str] | None = None
    ended = False
    for number, line in enumerate(lines[first + 1 :], start=first + 2):
        if not line.strip():
            continue
        parts = line.split("\t")
        marker = parts[0].strip()
        if ended:
            tables.problems.append(Problem(f"line {number}", "text after the end mark %E"))
            break
        if marker == "%T":
            table = parts[1].strip() if len(parts) > 1 else ""
            fields = None
            if not table:
                tables.problems.append(Problem(f"line {number}", "%T without a table name"))
            tables.rows.setdefault(table, [])
        elif marker == "%F":
            if table is None:
                tables.problems.append(Problem(f"line {number}", "%F before any %T"))
            fields = [f.strip() for f in parts[1:]]
        elif marker == "%R":
            if table is None or fields is None:
                tables.problems.append(Problem(f"line {number}", "%R before the table's %F"))
                continue
            values = parts[1:]
            if len(values) > len(fields) and any(v.strip() for v in values[len(fields) :]):
                message = f"{table} row has {len(values)} values for {len(fields)} fields"
                tables.problems.append(Problem(f"line {number}", message))
                continue
            rows = tables.rows[table]
            rows.append(Row(table, len(rows) + 1, number, dict(zip(fields, values, strict=False))))
        elif marker == "%E":
            ended = True
        else:
            message = f"unexpected line starting {marker[:20]!r} (expected %T, %F, %R or %E)"
            tables.problems.append(Problem(f"line {number}", message))
    if not ended and not tables.problems:
        tables.problems.append(
            Problem(f"line {len(lines)}", "the file ends without %E: it looks cut short")
        )
    return tables
