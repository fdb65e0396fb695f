"""The request body's size limit, counted as it arrives.

A body that says its length (``Content-Length``) is refused before it is read (the API's
and the pages' own checks); one sent in chunks without it is counted here as it streams
in, and refused (413) the moment it passes the limit, before the application has the
whole of it in memory.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The pages' answer to a body too large (set by the web layer on ``app.state``): a page
# saying so, drawn as every error page is; without it, plain text.
PAGE_HOOK = "too_large_page"


class BodyTooLarge(Exception):
    """Raised to the application reading a body past the limit (its answer is dropped)."""


class BodyLimit:
    """ASGI middleware: at most ``limit`` bytes of request body."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        received = 0
        refused = False

        async def counted() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    refused = True
                    raise BodyTooLarge
            return message

        async def guarded(message: Message) -> None:
            if not refused:  # once refused, the application's own answer is dropped
                await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not refused:
                raise
        if refused:
            response = await self._too_large(scope)
            await response(scope, receive, send)

    async def _too_large(self, scope: Scope) -> Response:
        api = str(scope.get("path", "")).startswith("/api/")
        page: Callable[[Request], Response] | None = getattr(
            getattr(scope.get("app"), "state", None), PAGE_HOOK, None
        )
        if not api and page is not None:
            try:
                return await run_in_threadpool(page, Request(scope))
            except Exception:  # the page could not be drawn: say it in plain words
                pass
        if api:
            return JSONResponse(
                {
                    "error": {
                        "code": "payload_too_large",
                        "message": f"the request body is larger than {self.limit} bytes",
                        "details": None,
                    }
                },
                status_code=413,
            )
        return PlainTextResponse(
            f"What was sent is larger than {self.limit} bytes, the most Podium takes at "
            "once. Nothing was saved.",
            status_code=413,
        )
