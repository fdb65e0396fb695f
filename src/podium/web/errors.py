"""Errors on web pages render in the layout; the API keeps its JSON bodies.

The API's handlers (``podium.api.errors``) stay the one mapping from errors to
HTTP statuses; for requests outside ``/api`` these wrappers answer with a page
instead: a sign-in redirect for 401, the error page for the rest. HTMX requests
get the message swapped into the page's ``#messages`` area.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from podium.api.app import has_nul
from podium.body_limit import PAGE_HOOK
from podium.errors import PodiumError, TooManyAttempts
from podium.middleware import Gate
from podium.web.session import find_viewer, safe_next
from podium.web.templating import is_htmx, render

Handler = Callable[[Request, Exception], Response | Awaitable[Response]]

TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    409: "Conflict",
    412: "Changed by someone else",
    413: "Too large",
    422: "Invalid input",
    429: "Too many attempts",
    503: "Try again",
}
NOT_FOUND_MESSAGE = "This page does not exist, or you do not have access to it."


def is_api(request: Request) -> bool:
    path = request.url.path
    return path == "/api" or path.startswith("/api/") or path == "/healthz"


def sign_in_redirect(request: Request) -> Response:
    """Off to the sign-in page, coming back here afterwards (for a page you were reading)."""
    if is_htmx(request):
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        back = safe_next(current.path + (f"?{current.query}" if current.query else ""))
        return Response(status_code=204, headers={"HX-Redirect": f"/login?next={quote(back)}"})
    target = "/login"
    if request.method == "GET":
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if safe_next(here) != "/":
            target += f"?next={quote(here)}"
    return RedirectResponse(target, status_code=303)


def _remember_viewer(request: Request) -> None:
    """Fill in the header's signed-in person when the error came before the page looked."""
    if hasattr(request.state, "viewer"):
        return
    session = request.app.state.sessions()
    try:
        find_viewer(request, session)
    except OperationalError:  # the database is what failed: the page goes without a name
        request.state.viewer = None
    finally:
        session.rollback()
        session.close()


def error_page(request: Request, status: int, message: str) -> Response:
    """The error page (or, for HTMX, the message for the page's message area)."""
    _remember_viewer(request)
    title = TITLES.get(status, "Something went wrong")
    if is_htmx(request):
        return render(
            request,
            "_error_message.html",
            {"status": status, "title": title, "message": message},
            status_code=status,
            headers={"HX-Retarget": "#messages", "HX-Reswap": "innerHTML"},
        )
    return render(
        request,
        "error.html",
        {"status": status, "title": title, "message": message},
        status_code=status,
    )


async def _call(handler: Handler, request: Request, exc: Exception) -> Response:
    result = handler(request, exc)
    return await result if inspect.isawaitable(result) else result


def install_html_errors(app: FastAPI) -> None:
    """Wrap the API's error handlers so that pages get pages (call after the API's)."""
    api_handlers: dict[type[Exception], Handler | None] = {
        kind: app.exception_handlers.get(kind)
        for kind in (
            PodiumError,
            StarletteHTTPException,
            RequestValidationError,
            OperationalError,
            Exception,
        )
    }

    def for_pages(kind: type[Exception], page: Callable[[Request, Exception], Response]) -> None:
        api_handler = api_handlers[kind]

        async def handle(request: Request, exc: Exception) -> Response:
            if is_api(request):
                if api_handler is None:
                    raise exc
                return await _call(api_handler, request, exc)
            # pages may look up the signed-in person: database work, off the event loop
            return await run_in_threadpool(page, request, exc)

        app.add_exception_handler(kind, handle)

    def podium_page(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PodiumError)
        if exc.status == 401:
            return sign_in_redirect(request)
        message = NOT_FOUND_MESSAGE if exc.status == 404 else exc.message
        page = error_page(request, exc.status, message)
        if isinstance(exc, TooManyAttempts):
            page.headers["Retry-After"] = str(exc.retry_after)
        return page

    def http_page(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 404:
            return error_page(request, 404, NOT_FOUND_MESSAGE)
        return error_page(request, exc.status_code, str(exc.detail))

    def validation_page(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        if any(e.get("loc", ("",))[0] == "path" for e in exc.errors()):
            return error_page(request, 404, NOT_FOUND_MESSAGE)
        return error_page(request, 400, "The address or the form has values Podium cannot read.")

    for_pages(PodiumError, podium_page)
    for_pages(StarletteHTTPException, http_page)
    for_pages(RequestValidationError, validation_page)
    for_pages(
        OperationalError,
        lambda request, _exc: error_page(
            request, 503, "The database is busy or out of reach. Nothing was saved: try again."
        ),
    )

    def unexpected_page(request: Request, _exc: Exception) -> Response:
        try:
            return error_page(
                request, 500, "Podium met an unexpected error. What you sent was not completed."
            )
        except Exception:  # the page itself could not be drawn (the database gone, say)
            return PlainTextResponse("Podium met an unexpected error.", status_code=500)

    for_pages(Exception, unexpected_page)

    limit = app.state.settings.max_upload_bytes
    most = f"{limit / 2**20:g} MB" if limit >= 2**20 else f"{limit / 2**10:g} KB"
    too_large = (
        f"What was sent is larger than {most}, the most Podium takes at once. Nothing was saved."
    )

    # a body sent in chunks is counted as it comes (podium.body_limit): its page too
    setattr(app.state, PAGE_HOOK, lambda request: error_page(request, 413, too_large))

    async def too_large_page(request: Request) -> Response | None:
        # the API's own limit answers JSON; a page's form gets a page saying so
        length = request.headers.get("content-length", "")
        if not is_api(request) and length.isdecimal() and int(length) > limit:
            return await run_in_threadpool(error_page, request, 413, too_large)
        if not is_api(request) and has_nul(request):
            message = "The address holds a NUL character, which Podium cannot read."
            return await run_in_threadpool(error_page, request, 400, message)
        return None

    app.add_middleware(Gate, check=too_large_page)
