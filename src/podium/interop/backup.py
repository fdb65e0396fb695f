"""The backup archive: a zip of one JSON-lines file per table and a manifest.

``manifest.json`` names the format and its version, the schema (Alembic) revision
the rows belong to, when the archive was written, and for every table its file,
row count and the SHA-256 of the file, and, for a table with an id, the largest id
the database had given (``last_id``, deleted rows included; older archives lack
it) so that a restored database never gives one of them again. Reading checks
all of it before a single row is handed out, so a damaged or partial archive is
refused whole.

The rows given to :class:`ArchiveWriter` are already JSON-safe (the service that
reads the database knows the column types and encodes dates, timestamps, bytes).
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from podium.errors import PodiumError

FORMAT = "podium-backup"
VERSION = 1
MANIFEST = "manifest.json"

Row = dict[str, Any]


class ArchiveInvalid(PodiumError):
    """The archive is not a complete, intact Podium backup."""

    code = "archive_invalid"
    status = 422


@dataclass(frozen=True)
class TableEntry:
    """One table in the manifest."""

    name: str
    file: str
    rows: int
    sha256: str
    last_id: int | None = None


@dataclass(frozen=True)
class Manifest:
    """What an archive says it holds."""

    revision: str
    created_at: str
    tables: tuple[TableEntry, ...]
    version: int = VERSION

    def as_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": self.version,
            "revision": self.revision,
            "created_at": self.created_at,
            "tables": [
                {"name": t.name, "file": t.file, "rows": t.rows, "sha256": t.sha256}
                | ({} if t.last_id is None else {"last_id": t.last_id})
                for t in self.tables
            ],
        }


def _line(row: Row) -> bytes:
    return (
        json.dumps(row, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
        + b"\n"
    )


MAX_LAST_ID = 2**31 - 1  # ids are 32-bit integers in the database


def _last_id(table: dict[str, Any]) -> int | None:
    value = table.get("last_id")
    if value is None:
        return None
    if type(value) is not int or not 0 <= value <= MAX_LAST_ID:
        raise ValueError(
            f"{table.get('name')}: last_id {value!r} is not a whole number from 0 to {MAX_LAST_ID}"
        )
    return value


class ArchiveWriter:
    """Writes tables one after another (streamed, hashed as written), the manifest last."""

    def __init__(self, target: str | Path | IO[bytes]) -> None:
        self._zip = zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED)
        self._tables: list[TableEntry] = []

    def add_table(
        self, name: str, rows: Iterable[Row], *, last_id: int | None = None
    ) -> TableEntry:
        """Write one table's rows as ``tables/<name>.jsonl``."""
        file = f"tables/{name}.jsonl"
        digest = hashlib.sha256()
        count = 0
        with self._zip.open(file, "w") as out:
            for row in rows:
                line = _line(row)
                digest.update(line)
                out.write(line)
                count += 1
        entry = TableEntry(
            name=name, file=file, rows=count, sha256=digest.hexdigest(), last_id=last_id
        )
        self._tables.append(entry)
        return entry

    def finish(self, *, revision: str, created_at: datetime) -> Manifest:
        """Write the manifest and close the archive."""
        manifest = Manifest(
            revision=revision, created_at=created_at.isoformat(), tables=tuple(self._tables)
        )
        text = json.dumps(manifest.as_json(), indent=2, ensure_ascii=False)
        self._zip.writestr(MANIFEST, text)
        self._zip.close()
        return manifest

    def abandon(self) -> None:
        self._zip.close()


class ArchiveReader:
    """An archive opened for restore: :meth:`verify` before :meth:`rows`."""

    def __init__(self, source: str | Path | IO[bytes]) -> None:
        try:
            self._zip = zipfile.ZipFile(source, "r")
        except (zipfile.BadZipFile, EOFError, OSError) as exc:
            raise ArchiveInvalid(f"not a readable backup archive: {exc}") from exc
        self.manifest = self._read_manifest()

    def __enter__(self) -> ArchiveReader:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()

    def _read_manifest(self) -> Manifest:
        try:
            raw = json.loads(self._zip.read(MANIFEST))
        except KeyError as exc:
            raise ArchiveInvalid("the archive has no manifest.json") from exc
        except (ValueError, zipfile.BadZipFile, OSError, EOFError) as exc:
            raise ArchiveInvalid(f"the manifest cannot be read: {exc}") from exc
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise ArchiveInvalid(f"not a {FORMAT} archive")
        if raw.get("version") != VERSION:
            raise ArchiveInvalid(
                f"archive format version {raw.get('version')!r}; this Podium reads {VERSION}"
            )
        try:
            tables = tuple(
                TableEntry(
                    name=str(t["name"]),
                    file=str(t["file"]),
                    rows=int(t["rows"]),
                    sha256=str(t["sha256"]),
                    last_id=_last_id(t),
                )
                for t in raw["tables"]
            )
            return Manifest(
                revision=str(raw["revision"]), created_at=str(raw["created_at"]), tables=tables
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ArchiveInvalid(f"the manifest is incomplete: {exc}") from exc

    def verify(self) -> None:
        """Check every table file: present, checksum and row count as the manifest says."""
        problems: list[dict[str, str]] = []
        for entry in self.manifest.tables:
            try:
                digest = hashlib.sha256()
                count = 0
                with self._zip.open(entry.file) as stream:
                    for line in stream:
                        digest.update(line)
                        count += 1
            except KeyError:
                problems.append({"location": entry.file, "message": "missing from the archive"})
                continue
            except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
                problems.append({"location": entry.file, "message": f"unreadable: {exc}"})
                continue
            if digest.hexdigest() != entry.sha256:
                problems.append({"location": entry.file, "message": "checksum does not match"})
            elif count != entry.rows:
                problems.append(
                    {"location": entry.file, "message": f"{count} rows, manifest says {entry.rows}"}
                )
        if problems:
            raise ArchiveInvalid(
                f"the archive is damaged: {problems[0]['location']}: {problems[0]['message']}",
                details=problems,
            )

    def rows(self, entry: TableEntry) -> Iterator[Row]:
        """The rows of one table, as the JSON objects stored."""
        with self._zip.open(entry.file) as stream:
            for number, line in enumerate(stream, start=1):
                try:
                    row = json.loads(line)
                except ValueError as exc:
                    raise ArchiveInvalid(f"{entry.file}, line {number}: not JSON") from exc
                if not isinstance(row, dict):
                    raise ArchiveInvalid(f"{entry.file}, line {number}: not an object")
                yield row
