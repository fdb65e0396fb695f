"""Export a program as a file: the plan format (JSON), Microsoft Project XML, or CSV.

Microsoft Project XML carries the stored schedule (each task's early start and
finish) and the program's current baseline as Baseline 0. CSV is written by the
CSV module when it is installed (:data:`WRITERS`).
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.errors import BadRequest
from podium.interop.imported import FileBaseline
from podium.interop.mspdi import write_mspdi
from podium.models import BaselineItem, Milestone, Task
from podium.services.actor import Actor
from podium.services.baselines import current_baseline
from podium.services.plans import export_plan

WRITERS: dict[str, str] = {"csv": "podium.interop.csv_plan:write_csv_plan"}
EXPORT_FORMATS = ("json", "mspdi", "csv")
MEDIA_TYPES = {"json": "application/json", "mspdi": "application/xml", "csv": "text/csv"}
SUFFIXES = {"json": "json", "mspdi": "xml", "csv": "csv"}


@dataclass(frozen=True)
class Exported:
    """A written file: its bytes, media type and a file name."""

    content: bytes
    media_type: str
    filename: str


def _scheduled(session: Session, program_id: int) -> dict[str, tuple[date, date]]:
    dates: dict[str, tuple[date, date]] = {}
    for key, start, finish in session.execute(
        select(Task.key, Task.early_start, Task.early_finish).where(Task.program_id == program_id)
    ):
        if start is not None and finish is not None:
            dates[key] = (start, finish)
    for key, finish in session.execute(
        select(Milestone.key, Milestone.early_finish).where(Milestone.program_id == program_id)
    ):
        if finish is not None:
            dates[key] = (finish, finish)
    return dates


def _baseline(session: Session, program_id: int) -> dict[str, FileBaseline]:
    baseline = current_baseline(session, program_id)
    if baseline is None:
        return {}
    items = session.scalars(
        select(BaselineItem).where(
            BaselineItem.baseline_id == baseline.id, BaselineItem.kind == "task"
        )
    )
    return {i.key: FileBaseline(i.start, i.finish, i.duration, i.cost) for i in items}


def _csv_writer() -> Callable[[dict[str, Any]], bytes | str] | None:
    module_name, _, function = WRITERS["csv"].partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    writer = getattr(module, function, None)
    return writer if callable(writer) else None


def export_program(session: Session, actor: Actor, program_id: int, *, format: str) -> Exported:
    """The program written in ``format`` (``json``, ``mspdi`` or ``csv``); viewers may export."""
    document = export_plan(session, actor, program_id)
    key = document["program"]["key"]
    if format == "json":
        content = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    elif format == "mspdi":
        content = write_mspdi(
            document,
            scheduled=_scheduled(session, program_id),
            baseline=_baseline(session, program_id),
        )
    elif format == "csv":
        writer = _csv_writer()
        if writer is None:
            raise BadRequest("this Podium cannot write CSV files yet")
        written = writer(document)
        content = written.encode("utf-8") if isinstance(written, str) else written
    else:
        raise BadRequest(f"unknown format {format!r}: use one of {', '.join(EXPORT_FORMATS)}")
    return Exported(content, MEDIA_TYPES[format], f"{key}.{SUFFIXES[format]}")
