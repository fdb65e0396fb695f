"""Forecasts: stored Monte Carlo runs of a program, with the inputs they used."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from podium.models.base import Base, UTCDateTime, utcnow


class Forecast(Base):
    """One simulation of a program's network, kept so that forecasts can be compared over time.

    ``inputs`` holds what was simulated (the estimates used, risk events, the
    schedule token of the plan); ``results`` the percentiles per milestone,
    project and the program, histograms, criticality and the tornado.
    ``program_p80`` and ``program_finish`` (the deterministic finish) are
    copied out of the results so that the trend is one narrow query.
    """

    __tablename__ = "forecasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(320), default="")
    iterations: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(BigInteger)
    distribution: Mapped[str] = mapped_column(String(12))
    default_uncertainty: Mapped[float] = mapped_column(Float)
    include_risks: Mapped[bool] = mapped_column(default=True)
    program_finish: Mapped[date | None] = mapped_column(Date, nullable=True)
    program_p80: Mapped[date | None] = mapped_column(Date, nullable=True)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    results: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
