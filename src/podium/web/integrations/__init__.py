"""The Integrations tab: secret calendar feeds (everyone who can see the program) and
outgoing webhooks with their delivery log (managers).

A feed's URL and a webhook's signing secret are shown once, on the page the form's
post answers with (no redirect: nothing keeps them to show again later), focused so
that a phone scrolls to it. Revoking a feed and deleting a webhook ask first: the
button opens a confirmation (``?revoke=<feed id>``, ``?delete=1``), as deleting a task
does. Rolling a webhook's signing secret asks first too (``?roll=1``, with how long the
replaced secret keeps signing), and its answer shows the new secret once, as adding
a webhook does. The other forms redirect back with a short confirmation. A scenario's copy
takes no program feed and no webhook (its dates are what-ifs): the page says so
instead of offering forms that would be refused.
"""

from fastapi import APIRouter

from podium.web.integrations import page, webhooks

router = APIRouter(include_in_schema=False)
router.include_router(page.router)
router.include_router(webhooks.router)

__all__ = ["router"]
