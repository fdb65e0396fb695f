"""What-if scenarios: a named, hidden copy of a program's plan, compared, then applied or
discarded."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from podium.models.base import Base, UTCDateTime, Versioned


class ScenarioStatus(enum.StrEnum):
    ACTIVE = "active"
    APPLIED = "applied"
    DISCARDED = "discarded"


class Scenario(Versioned, Base):
    """A what-if copy of a live program's plan.

    The copy is a real program (``copy_program_id``, whose ``scenario_of_id`` is the live
    program), so every page and route edits it like any program, without touching the
    live plan. ``basis`` records, for every live record copied (``projects``, ``tasks``,
    ``milestones``, ``dependencies``, ``assignments``), its id, its ``version`` and
    ``values`` at copy time and the id of its copy:
    ``{kind: [{"live", "version", "copy", "key", "values"}]}``. Applying compares it with
    the live plan and the copy to find what changed on each side in the meantime.
    ``outcome`` keeps what applying did (or why it was refused last).
    """

    __tablename__ = "scenarios"
    __table_args__ = (UniqueConstraint("program_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)  # S1, S2 … per program
    copy_program_id: Mapped[int | None] = mapped_column(
        ForeignKey("programs.id", ondelete="SET NULL"), nullable=True, index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ScenarioStatus] = mapped_column(
        Enum(
            ScenarioStatus,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=ScenarioStatus.ACTIVE,
        index=True,
    )
    created_by: Mapped[str] = mapped_column(String(320), default="")
    created_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    basis: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_by: Mapped[str] = mapped_column(String(320), default="")
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
