"""Backup and restore of the whole database, also the way from SQLite to PostgreSQL and back.

A backup reads every table of the schema in one consistent read (a single read
transaction on SQLite, REPEATABLE READ on PostgreSQL) into the archive format of
:mod:`podium.interop.backup`. A restore goes into an *empty* database at the same
schema revision: the archive is verified whole first, then every table is inserted
in dependency order in one transaction, and the id numbering (PostgreSQL's
sequences, SQLite's ``sqlite_sequence``) is moved past the restored ids and past
every id the backed-up database had given, so none is given twice. Any problem
leaves the target database as it was.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from alembic.runtime.migration import MigrationContext
from sqlalchemy import (
    Column,
    Connection,
    Date,
    DateTime,
    Engine,
    Enum,
    Integer,
    LargeBinary,
    String,
    Table,
    func,
    select,
    text,
    type_coerce,
)
from sqlalchemy.exc import DBAPIError

from podium.errors import Conflict
from podium.interop.backup import (
    ArchiveInvalid,
    ArchiveReader,
    ArchiveWriter,
    Manifest,
    Row,
    TableEntry,
)
from podium.models import Base
from podium.models.base import UTCDateTime, utcnow

BATCH = 1000


@dataclass(frozen=True)
class RestoreResult:
    """What a restore loaded."""

    revision: str
    created_at: str
    rows: dict[str, int]


def _tables() -> list[Table]:
    return list(Base.metadata.sorted_tables)


def _kind(column: Column[Any]) -> str:
    kind = column.type
    if isinstance(kind, LargeBinary):
        return "bytes"
    if isinstance(kind, UTCDateTime | DateTime):
        return "datetime"
    if isinstance(kind, Date):
        return "date"
    return "plain"


def _encode(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _decode(kind: str, value: Any) -> Any:
    if value is None or kind == "plain":
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected a string, found {value!r}")
    if kind == "bytes":
        return base64.b64decode(value, validate=True)
    if kind == "datetime":
        return datetime.fromisoformat(value)
    return date.fromisoformat(value)


def _read_columns(table: Table) -> list[Any]:
    # enums as the strings stored, so the archive does not depend on Python enum classes
    return [
        type_coerce(c, String()).label(c.name) if isinstance(c.type, Enum) else c
        for c in table.columns
    ]


def _revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _consistent_read(engine: Engine) -> Connection:
    if engine.dialect.name == "postgresql":
        return engine.connect().execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True
        )
    connection = engine.connect()
    # pysqlite opens a transaction only before a write: ask for one, so every table is
    # read from the same snapshot while other processes go on writing
    connection.exec_driver_sql("BEGIN")
    return connection


def _table_rows(connection: Connection, table: Table) -> Iterator[Row]:
    order = list(table.primary_key.columns)
    names = [c.name for c in table.columns]
    result = connection.execute(select(*_read_columns(table)).order_by(*order))
    for values in result.yield_per(BATCH):
        yield {name: _encode(value) for name, value in zip(names, values, strict=True)}


def backup_database(engine: Engine, target: str | Path | IO[bytes]) -> Manifest:
    """Write every table of the database to ``target`` as one consistent archive."""
    writer = ArchiveWriter(target)
    try:
        with _consistent_read(engine) as connection:
            revision = _revision(connection)
            if revision is None:
                raise Conflict("the database has no schema yet: nothing to back up")
            last_ids = _last_ids(connection)
            for table in _tables():
                writer.add_table(
                    table.name,
                    _table_rows(connection, table),
                    last_id=last_ids.get(table.name) if _id_column(table) is not None else None,
                )
            connection.rollback()
    except BaseException:
        writer.abandon()
        raise
    return writer.finish(revision=revision, created_at=utcnow())


def _check_tables(manifest: Manifest) -> dict[str, TableEntry]:
    entries = {entry.name: entry for entry in manifest.tables}
    known = {table.name for table in _tables()}
    missing = sorted(known - entries.keys())
    unknown = sorted(entries.keys() - known)
    if missing:
        raise ArchiveInvalid(f"the archive lacks table(s): {', '.join(missing)}")
    if unknown:
        raise ArchiveInvalid(f"the archive holds unknown table(s): {', '.join(unknown)}")
    return entries


def _self_reference(table: Table) -> str | None:
    for key in table.foreign_keys:
        if key.column.table is table:
            return key.parent.name
    return None


def _parents_first(rows: list[Row], parent: str, table: Table) -> list[Row]:
    # a row may point at another of its table (a task's parent): insert the parent first
    pk = next(iter(table.primary_key.columns)).name
    placed: set[Any] = set()
    ordered: list[Row] = []
    waiting = rows
    while waiting:
        later = [r for r in waiting if r.get(parent) is not None and r[parent] not in placed]
        ready = [r for r in waiting if r.get(parent) is None or r[parent] in placed]
        if not ready:
            raise ArchiveInvalid(f"{table.name}: rows refer to {parent} values that do not exist")
        ordered.extend(ready)
        placed.update(r[pk] for r in ready)
        waiting = later
    return ordered


def _decoded_rows(reader: ArchiveReader, entry: TableEntry, table: Table) -> list[Row]:
    kinds = {c.name: _kind(c) for c in table.columns}
    rows: list[Row] = []
    for number, row in enumerate(reader.rows(entry), start=1):
        unknown = row.keys() - kinds.keys()
        if unknown:
            raise ArchiveInvalid(
                f"{entry.file}, line {number}: unknown column(s) {', '.join(sorted(unknown))}"
            )
        try:
            rows.append({name: _decode(kinds[name], value) for name, value in row.items()})
        except ValueError as exc:
            raise ArchiveInvalid(f"{entry.file}, line {number}: {exc}") from exc
    parent = _self_reference(table)
    return _parents_first(rows, parent, table) if parent else rows


def _refuse_unless_empty(connection: Connection) -> None:
    filled = [
        table.name
        for table in _tables()
        if connection.scalar(select(func.count()).select_from(table))
    ]
    if filled:
        raise Conflict(
            "restore goes into an empty database only; these tables have rows: "
            + ", ".join(filled),
            code="database_not_empty",
        )


def _id_column(table: Table) -> Column[Any] | None:
    """The table's single integer id that the database numbers, if it has one."""
    keys = list(table.primary_key.columns)
    if len(keys) == 1 and keys[0].autoincrement and isinstance(keys[0].type, Integer):
        return keys[0]
    return None


def _sequence(connection: Connection, table: Table, key: Column[Any]) -> str | None:
    """PostgreSQL: the sequence that numbers ``table``'s ``key``."""
    found = connection.scalar(
        text("SELECT pg_get_serial_sequence(:table, :column)"),
        {"table": table.name, "column": key.name},
    )
    return str(found) if found else None


def _sqlite_numbers(connection: Connection) -> bool:
    """SQLite keeps AUTOINCREMENT's largest ids in ``sqlite_sequence`` (from revision 0019)."""
    found = connection.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'"
    ).first()
    return found is not None


def _last_ids(connection: Connection) -> dict[str, int]:
    """The largest id each table's numbering has given, deleted rows included."""
    if connection.dialect.name == "sqlite":
        if not _sqlite_numbers(connection):
            return {}
        rows = connection.exec_driver_sql("SELECT name, seq FROM sqlite_sequence").all()
        return {str(name): int(seq) for name, seq in rows}
    last: dict[str, int] = {}
    for table in _tables():
        key = _id_column(table)
        sequence = _sequence(connection, table, key) if key is not None else None
        if sequence:
            value, called = connection.execute(
                text(f"SELECT last_value, is_called FROM {sequence}")
            ).one()
            last[table.name] = int(value) if called else int(value) - 1
    return last


def _continue_numbering(connection: Connection, last_ids: dict[str, int]) -> None:
    """Number new rows after the restored ids, and after every id the backed-up database
    had given (a record deleted before the backup keeps its id to itself)."""
    sqlite_numbers = connection.dialect.name == "sqlite" and _sqlite_numbers(connection)
    for table in _tables():
        key = _id_column(table)
        if key is None:
            continue
        biggest = max(connection.scalar(select(func.max(key))) or 0, last_ids.get(table.name, 0))
        if connection.dialect.name == "sqlite":
            if biggest and sqlite_numbers:
                given = {"table": table.name, "seq": biggest}
                done = connection.execute(
                    text("UPDATE sqlite_sequence SET seq = MAX(seq, :seq) WHERE name = :table"),
                    given,
                )
                if not done.rowcount:
                    connection.execute(
                        text("INSERT INTO sqlite_sequence (name, seq) VALUES (:table, :seq)"),
                        given,
                    )
            continue
        sequence = _sequence(connection, table, key)
        if sequence:
            connection.execute(
                text("SELECT setval(:sequence, :value, :called)"),
                {"sequence": sequence, "value": max(biggest, 1), "called": biggest > 0},
            )


def _refuse_other_revision(connection: Connection, manifest: Manifest) -> None:
    current = _revision(connection)
    if current != manifest.revision:
        raise Conflict(
            f"the archive is at schema revision {manifest.revision} but the database is at "
            f"{current or 'none'}; restore it with the Podium version that wrote it",
            code="revision_mismatch",
        )


def check_archive(source: str | Path | IO[bytes]) -> Manifest:
    """The manifest of an intact archive of this schema's tables; :class:`ArchiveInvalid`
    otherwise. Needs no database: ``podium restore`` checks the archive before it makes one."""
    with ArchiveReader(source) as reader:
        _check_tables(reader.manifest)
        reader.verify()
        return reader.manifest


def restore_database(engine: Engine, source: str | Path | IO[bytes]) -> RestoreResult:
    """Load an archive into an empty database at the archive's schema revision, all or nothing."""
    with ArchiveReader(source) as reader:
        manifest = reader.manifest
        with engine.connect() as connection:
            _refuse_other_revision(connection, manifest)
        entries = _check_tables(manifest)
        reader.verify()
        counts: dict[str, int] = {}
        with engine.begin() as connection:
            _refuse_other_revision(connection, manifest)
            _refuse_unless_empty(connection)
            try:
                for table in _tables():
                    rows = _decoded_rows(reader, entries[table.name], table)
                    for start in range(0, len(rows), BATCH):
                        connection.execute(table.insert(), rows[start : start + BATCH])
                    counts[table.name] = len(rows)
                _continue_numbering(
                    connection, {t.name: t.last_id for t in manifest.tables if t.last_id}
                )
            except DBAPIError as exc:
                raise ArchiveInvalid(
                    f"the archive's rows do not fit the database: {exc.orig}"
                ) from exc
    return RestoreResult(revision=manifest.revision, created_at=manifest.created_at, rows=counts)
