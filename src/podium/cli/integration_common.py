"""What the ``podium feed`` and ``podium webhook`` commands share: whom they act as, and
moments as they print them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

AsUser = Annotated[
    str | None,
    typer.Option("--as", "--user", help="act as this user (email); default: the system"),
]


def moment(value: datetime | None) -> str:
    """A moment as the commands print it (``2026-03-02 14:05 UTC``), empty for none."""
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""
