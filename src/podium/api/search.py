"""Search across the programs one can see: ``GET /search?q=``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from podium.api.deps import CurrentActor, Db
from podium.api.schemas import ERROR_RESPONSES
from podium.services import search as service

router = APIRouter(tags=["search"], responses=ERROR_RESPONSES)


class HitOut(BaseModel):
    kind: service.Kind
    id: int
    key: str = Field(description="a risk's key is R and its number, as on its page")
    name: str
    program_id: int
    program_key: str
    context: str = Field(description="the program's name, or for a task its project's")
    url: str = Field(description="the web page that shows it")


class SearchOut(BaseModel):
    q: str
    hits: list[HitOut] = Field(
        description="programs, projects, tasks, milestones, risks; within each, an exact key "
        "first, then keys starting with the text, then the rest"
    )
    more: dict[str, bool] = Field(description="per kind: whether more matched than `limit`")


@router.get("/search", response_model=SearchOut, summary="Find programs, projects, tasks, "
            "milestones and risks by key or name (case ignored)")  # fmt: skip
def search(
    db: Db,
    actor: CurrentActor,
    q: Annotated[str, Query(max_length=service.MAX_QUERY, description="the text to find")],
    limit: Annotated[int, Query(ge=1, le=100, description="hits per kind")] = service.PER_KIND,
) -> SearchOut:
    found = service.search(db, actor, q, limit=limit)
    hits = [
        HitOut(
            kind=h.kind,
            id=h.id,
            key=h.key,
            name=h.name,
            program_id=h.program_id,
            program_key=h.program_key,
            context=h.context,
            url=h.url,
        )
        for kind in service.KINDS
        for h in found.hits[kind]
    ]
    return SearchOut(q=found.q, hits=hits, more=dict(found.more))
