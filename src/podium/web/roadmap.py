"""The roadmap: a Gantt of every project of a program, drawn in the browser from JSON.

The page is a shell (toolbar, legend, an empty chart); ``static/roadmap.js``
fetches ``/programs/{id}/roadmap.json`` and draws it as SVG. Managers drag bars
or edit dates, which the script writes through the REST API (session cookie +
``X-CSRF-Token``); the program reschedules, and the script fetches the JSON
again to highlight what moved.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from podium.api.deps import Db
from podium.services import roadmap
from podium.services.roadmap import ProgramPlan
from podium.web.session import CurrentViewer
from podium.web.templating import render

router = APIRouter(include_in_schema=False)

# A program bigger than this opens with only as many projects expanded as fit in it.
ROW_BUDGET = 2000
TASK_FIELDS = (
    "id",
    "key",
    "name",
    "project_id",
    "parent_id",
    "duration",
    "milestone",
    "summary",
    "start",
    "finish",
    "total_float",
    "critical",
    "percent",
    "constraint_type",
    "constraint_date",
    "deadline",
    "version",
    "baseline_start",
    "baseline_finish",
)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def today() -> date:
    """The day the today line marks (UTC)."""
    return datetime.now(UTC).date()


def roadmap_json(plan: ProgramPlan, *, on: date) -> dict[str, Any]:
    """The plan as the roadmap script reads it (dates as ISO strings; nodes ``t12`` / ``m3``)."""
    program = plan.program
    return {
        "program": {
            "id": program.id,
            "key": program.key,
            "name": program.name,
            "start": _iso(program.start_date),
            "scheduled_start": _iso(program.scheduled_start),
            "scheduled_finish": _iso(program.scheduled_finish),
        },
        "today": on.isoformat(),
        "baseline": plan.baseline_name,
        "role": plan.role.value,
        "can_edit": plan.can_edit,
        "row_budget": ROW_BUDGET,
        "calendar": {
            "weekmask": plan.calendar.weekmask,
            "holidays": [d.isoformat() for d in plan.calendar.holidays],
            "extra_workdays": [d.isoformat() for d in plan.calendar.extra_workdays],
        },
        "projects": [
            {
                "id": p.id,
                "key": p.key,
                "name": p.name,
                "start": _iso(p.scheduled_start),
                "finish": _iso(p.scheduled_finish),
            }
            for p in plan.projects
        ],
        # 10,000 tasks: rows of values under one list of field names, not 10,000 objects
        "task_fields": list(TASK_FIELDS),
        "tasks": [
            [
                t.id,
                t.key,
                t.name,
                t.project_id,
                t.parent_id,
                t.duration,
                t.is_milestone,
                t.is_summary,
                _iso(t.early_start),
                _iso(t.early_finish),
                t.total_float,
                t.is_critical,
                t.percent_complete,
                t.constraint_type,
                _iso(t.constraint_date),
                _iso(t.deadline),
                t.version,
                _iso(plan.baseline.get(t.id, (None, None))[0]),
                _iso(plan.baseline.get(t.id, (None, None))[1]),
            ]
            for t in plan.tasks
        ],
        "milestones": [
            {
                "id": m.id,
                "key": m.key,
                "name": m.name,
                "target": _iso(m.target_date),
                # none while no work leads to it: its stored date is only the program's start
                # or status date, and its float counts from there
                "forecast": _iso(m.forecast),
                "fed": m.fed,
                "total_float": m.total_float if m.fed else None,
                "critical": m.is_critical,
            }
            for m in plan.milestones
        ],
        "links": [
            {
                "id": link.id,
                "from": link.predecessor,
                "to": link.successor,
                "type": link.type,
                "lag": link.lag,
                "cross": link.cross_project,
            }
            for link in plan.links
        ],
    }


@router.get("/programs/{program_id}/roadmap", name="roadmap")
def roadmap_page(request: Request, program_id: int, db: Db, viewer: CurrentViewer) -> Response:
    """The page around the chart; the chart itself comes from ``roadmap.json``."""
    program, role = roadmap.plan_header(db, viewer.actor, program_id)
    return render(
        request,
        "roadmap/page.html",
        {"program": program, "role": role, "can_edit": roadmap.can_edit(role)},
    )


@router.get("/programs/{program_id}/roadmap.json", name="roadmap-data")
def roadmap_data(program_id: int, db: Db, viewer: CurrentViewer) -> Response:
    """Every project, task, milestone and dependency of the program, with computed dates."""
    plan = roadmap.program_plan(db, viewer.actor, program_id)
    body = json.dumps(roadmap_json(plan, on=today()), separators=(",", ":"))
    return Response(
        body,
        media_type="application/json",
        headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
    )
