"""The programs list and the program overview."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from podium.api.deps import Db
from podium.services import benefits, health, overview
from podium.web.session import CurrentViewer
from podium.web.templating import render

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class Pager:
    """Page ``number`` (from 1) of ``total`` rows, ``size`` at a time."""

    number: int
    size: int
    total: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def first_row(self) -> int:
        return min(self.offset + 1, self.total)

    @property
    def last_row(self) -> int:
        return min(self.offset + self.size, self.total)


@router.get("/", name="programs")
def program_list(
    request: Request,
    db: Db,
    viewer: CurrentViewer,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Every program the viewer belongs to (all, for admins): forecast, next milestone, alerts."""
    items, total = overview.program_list(
        db, viewer.actor, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    pager = Pager(number=page, size=PAGE_SIZE, total=total)
    healths = {
        item.program.id: health.program_health(db, viewer.actor, item.program.id).report
        for item in items
    }
    return render(
        request, "programs/list.html", {"programs": items, "pager": pager, "healths": healths}
    )


@router.get("/programs/{program_id}", name="program")
def program_page(
    request: Request,
    program_id: int,
    db: Db,
    viewer: CurrentViewer,
    alerts: Literal["all"] | None = None,
) -> Response:
    """The program at a glance: forecast against the goal, alerts (the most severe, or
    with ``?alerts=all`` every open one), milestones, projects."""
    view = overview.program_overview(db, viewer.actor, program_id, all_alerts=alerts == "all")
    program_health = health.program_health(db, viewer.actor, program_id)
    return render(
        request,
        "programs/overview.html",
        {
            "view": view,
            "program": view.program,
            "health": program_health,
            "goal_kpi": benefits.goal_benefit(db, view.program),
            "glance": view.glance,
            "alerts_shown": overview.ALERTS_SHOWN,
            "max_alerts_shown": overview.MAX_ALERTS_SHOWN,
        },
    )
