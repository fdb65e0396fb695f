"""Plain ASGI middleware for the checks every request passes.

Starlette's ``@app.middleware("http")`` runs each such function in a task group of its
own with the response streamed through memory channels: about 0.4 ms a request for each
one, before the route does anything. These do the same work inline.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

Check = Callable[[Request], Awaitable[Response | None]]


class Gate:
    """ASGI middleware: ``check`` answers a request itself (a refusal), or returns
    ``None`` and the request goes on to the application."""

    def __init__(self, app: ASGIApp, check: Check) -> None:
        self.app, self.check = app, check

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            answer = await self.check(Request(scope, receive))
            if answer is not None:
                await answer(scope, receive, send)
                return
        await self.app(scope, receive, send)


class DefaultHeaders:
    """ASGI middleware: ``headers`` on every HTTP answer that does not set them itself."""

    def __init__(self, app: ASGIApp, headers: dict[str, str]) -> None:
        self.app, self.headers = app, headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, sending)
