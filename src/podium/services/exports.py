"""Export a program as a file: the plan format (JSON), Microsoft Project XML, or CSV.

Microsoft Project XML carries the stored schedule (each task's early start and
finish) and the program's current baseline as Baseline 0.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.errors import BadRequest
from podium.interop.csv_plan import write_csv_plan
from podium.interop.imported import FileBaseline
from podium.interop.mspdi import write_mspdi
from podium.models import BaselineItem, Milestone, Task
from podium.services.actor import Actor
from podium.services.baselines import current_baseline
from podium.services.plans import export_plan

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
        content = write_csv_plan(document)
    else:
        raise BadRequest(f"unknown format {format!r}: use one of {', '.join(EXPORT_FORMATS)}")
    return Exported(content, MEDIA_TYPES[format], f"{key}.{SUFFIXES[format]}")
