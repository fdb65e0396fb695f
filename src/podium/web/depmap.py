"""The dependency map: projects as groups, tasks and program milestones as nodes.

The graph is drawn by cytoscape (``static/depmap.js``) from
``/programs/{id}/dependencies.json``; choosing a node (a click in the graph,
or the select beside it, which works without a mouse) loads the side panel
``/programs/{id}/dependencies/reach?node=t12`` with HTMX: everything the node
blocks and everything that blocks it, transitively, grouped by project. The
cross-project dependencies are also listed as a table under the graph.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from podium.api.deps import Db
from podium.services import roadmap
from podium.services.roadmap import LinkRow, ProgramPlan, Reached
from podium.web.session import CurrentViewer
from podium.web.templating import is_htmx, render

router = APIRouter(include_in_schema=False)

# an empty value is no node: the chooser's "— choose a task or milestone —" sends ``node=``
NodeParam = Annotated[str | None, Query(max_length=20, pattern=r"^([tm][0-9]{1,10})?$")]


@dataclass(frozen=True, slots=True)
class CrossLink:
    """A cross-project dependency as the table under the graph lists it."""

    predecessor: Reached
    successor: Reached
    type: str
    lag: int


def _late(plan: ProgramPlan) -> dict[str, date]:
    """The program milestones forecast past their targets, with their targets, by node
    (one no work leads to has no forecast: it is never late)."""
    return {
        m.node: m.target_date
        for m in plan.milestones
        if m.target_date and m.forecast and m.forecast > m.target_date
    }


def _edge_kind(link: LinkRow) -> str:
    if link.cross_project:
        return "cross"
    if link.predecessor[0] == "m" or link.successor[0] == "m":
        return "milestone"
    return "within"


def depmap_json(plan: ProgramPlan) -> dict[str, Any]:
    """Nodes (tasks and program milestones) and edges, as ``static/depmap.js`` reads them."""
    projects = {p.id: p for p in plan.projects}
    late = _late(plan)
    nodes: list[dict[str, Any]] = []
    for t in plan.tasks:
        nodes.append(
            {
                "id": t.node,
                "type": "summary" if t.is_summary else "milestone" if t.is_milestone else "task",
                "key": t.key,
                "name": t.name,
                "project": projects[t.project_id].key,
                "start": t.early_start.isoformat() if t.early_start else None,
                "finish": t.early_finish.isoformat() if t.early_finish else None,
                "critical": t.is_critical,
            }
        )
    for m in plan.milestones:
        nodes.append(
            {
                "id": m.node,
                "type": "program-milestone",
                "key": m.key,
                "name": m.name,
                "project": None,
                # none for an unfed one: its stored date is only the start or status date
                "start": m.forecast.isoformat() if m.forecast else None,
                "finish": m.forecast.isoformat() if m.forecast else None,
                "target": m.target_date.isoformat() if m.target_date else None,
                "late": m.node in late,
                "fed": m.fed,
                "critical": m.is_critical,
            }
        )
    return {
        "projects": [{"key": p.key, "name": p.name} for p in plan.projects],
        "nodes": nodes,
        "edges": [
            {
                "id": f"d{link.id}",
                "from": link.predecessor,
                "to": link.successor,
                "type": link.type,
                "lag": link.lag,
                "kind": _edge_kind(link),
            }
            for link in plan.links
        ],
    }


def _cross_links(plan: ProgramPlan) -> list[CrossLink]:
    nodes = roadmap.describe_nodes(plan)
    return [
        CrossLink(nodes[link.predecessor], nodes[link.successor], link.type, link.lag)
        for link in plan.links
        if link.cross_project
    ]


def _choices(plan: ProgramPlan) -> list[tuple[str, list[Reached]]]:
    """The select's options: program milestones, then each project's tasks."""
    nodes = roadmap.describe_nodes(plan)
    groups = [("Program milestones", [nodes[m.node] for m in plan.milestones])]
    by_project: dict[int, list[Reached]] = defaultdict(list)
    for t in plan.tasks:
        by_project[t.project_id].append(nodes[t.node])
    for project in plan.projects:
        groups.append((f"{project.key} · {project.name}", by_project[project.id]))
    return [(label, items) for label, items in groups if items]


@router.get("/programs/{program_id}/dependencies", name="dependency-map")
def dependency_map_page(
    request: Request, program_id: int, db: Db, viewer: CurrentViewer, node: NodeParam = None
) -> Response:
    """The map, the node chooser, the side panel (for ``node``) and the cross-project table."""
    plan = roadmap.program_plan(db, viewer.actor, program_id)
    node = node or None
    reach = roadmap.reach_of(plan, node) if node else None
    return render(
        request,
        "depmap/page.html",
        {
            "program": plan.program,
            "choices": _choices(plan),
            "cross_links": _cross_links(plan),
            "reach": reach,
            "selected": node,
            "late": _late(plan),
        },
    )


@router.get("/programs/{program_id}/dependencies.json", name="dependency-map-data")
def dependency_map_data(program_id: int, db: Db, viewer: CurrentViewer) -> Response:
    plan = roadmap.program_plan(db, viewer.actor, program_id)
    return Response(
        json.dumps(depmap_json(plan), separators=(",", ":")),
        media_type="application/json",
        headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/programs/{program_id}/dependencies/reach", name="dependency-reach")
def dependency_reach(
    request: Request, program_id: int, db: Db, viewer: CurrentViewer, node: NodeParam = None
) -> Response:
    """The side panel for one node (HTMX); a full page when opened directly."""
    if not is_htmx(request):
        return dependency_map_page(request, program_id, db, viewer, node)
    plan = roadmap.program_plan(db, viewer.actor, program_id)
    reach = roadmap.reach_of(plan, node) if node else None
    return render(
        request,
        "depmap/_reach.html",
        {"program": plan.program, "reach": reach, "late": _late(plan)},
    )
