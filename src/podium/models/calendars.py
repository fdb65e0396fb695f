"""Working calendars: which weekdays are worked, and holidays."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from podium.models.base import Base, Versioned

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class Calendar(Versioned, Base):
    """An organisation-wide working calendar.

    ``weekmask`` is seven characters, Monday first, ``1`` for a working day
    (NumPy's business-day convention); ``holidays`` is a list of
    ``{"date": "YYYY-MM-DD", "name": "..."}``; ``extra_workdays``, in the same form,
    lists dates worked although the week leaves their weekday off (a Saturday worked
    for a cutover).
    """

    __tablename__ = "calendars"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True, index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    weekmask: Mapped[str] = mapped_column(String(7), default="1111100")
    holidays: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    extra_workdays: Mapped[list[dict[str, Any]]] = mapped_column(
        JSON, default=list, server_default="[]"
    )
