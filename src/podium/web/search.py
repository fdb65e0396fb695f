"""Search: the box in the top bar, and the page of what it found.

A search for the exact key of one task, milestone or risk (``DATA-4``, ``M2``,
``R7``) goes straight to its page, whatever else holds the text; otherwise the
hits are listed by kind.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from podium.api.deps import Db
from podium.errors import ValidationFailed
from podium.services import search as service
from podium.web.session import CurrentViewer
from podium.web.templating import render

router = APIRouter(include_in_schema=False)

# the kinds whose exact key opens the page at once: numbered keys (DATA-4, M2, R7); a
# program's or project's key is often a word (DATA, CLOUD) someone may be searching for
JUMPS: tuple[service.Kind, ...] = ("task", "milestone", "risk")


@router.get("/search", name="search")
def search_page(
    request: Request,
    db: Db,
    viewer: CurrentViewer,
    q: Annotated[str, Query(max_length=500)] = "",
) -> Response:
    """What matches ``q`` in the viewer's programs, by kind."""
    text = q.strip()
    found, problem = None, ""
    if text:
        try:
            found = service.search(db, viewer.actor, text)
        except ValidationFailed:
            problem = f"Search for at most {service.MAX_QUERY} characters."
    exact = (
        []
        if found is None
        else [h for kind in JUMPS for h in found.hits[kind] if h.key.lower() == text.lower()]
    )
    if len(exact) == 1:  # the key of one thing: its page, whatever else holds the text
        return RedirectResponse(exact[0].url, status_code=303)
    context = {"q": text, "found": found, "labels": service.KIND_LABELS, "problem": problem}
    return render(request, "search/page.html", context, status_code=422 if problem else 200)
