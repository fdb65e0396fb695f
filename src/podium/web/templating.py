"""Jinja2 templates, their filters, and the one helper that renders a page.

A page template starts with ``{% extends layout %}``: the full layout for a
normal request, only the content block for an HTMX request (so one template
serves both the page and its in-place refresh).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import jinja2
from fastapi import Request
from markupsafe import Markup
from starlette.templating import Jinja2Templates, _TemplateResponse

from podium import __version__
from podium.currency import in_currency, whole_amount, with_currency
from podium.services.date_window import FIRST_PLAN_DATE, LAST_PLAN_DATE

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

# Inline scripts are refused (htmx is configured from a <meta> tag and our own
# JS lives in /static); style attributes stay allowed for computed geometry.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    # Pages show one person's data: never keep them where the back button after
    # sign-out, or a shared proxy, could show them again.
    "Cache-Control": "no-store",
}

STATUS_LABELS = {"active": "Active", "on_hold": "On hold", "closed": "Closed"}
_ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_BREADTH = {"program": 0, "project": 1, "milestone": 2, "task": 3}


def format_date(value: date | str | None) -> str:
    """``17 Dec 2027`` (from a date or an ISO date string); an empty string for no date."""
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return f"{value.day} {value:%b %Y}"


def format_number(value: float | None) -> str:
    """``1,200`` for whole numbers, ``12.5`` otherwise; an empty string for none."""
    if value is None:
        return ""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def input_number(value: float | None) -> str:
    """A number as a form's number input takes it back: ``1200``, ``12.5`` (no grouping:
    ``1,200`` is no number to the browser, which would show the field empty)."""
    if value is None:
        return ""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.4f}".rstrip("0").rstrip(".")


def whole_percent(value: float | None) -> str:
    """Percent complete to the whole percent, as people type it: a summary's rolled-up
    85.71 reads ``86``; anything started and not done stays within 1 to 99 (0.3 is not
    "0", 99.6 is not "100")."""
    if value is None:
        return ""
    if value <= 0 or value >= 100:
        return str(int(max(0, min(100, value))))
    return str(min(99, max(1, round(value))))


def format_amount(value: float | None) -> str:
    """Money and other amounts to the whole unit, halves away from zero, as the status
    report writes them: ``528,550``, ``−1,200``; empty for none."""
    return "" if value is None else whole_amount(value)


def format_money(value: float | None, currency: str | None = None) -> str:
    """An amount as ``format_amount`` writes it, then the program's currency code when it
    has one: ``32,000 EUR`` (empty for none)."""
    return with_currency(format_amount(value), currency)


def format_percent(value: float | None) -> str:
    """``-30 %`` / ``+12.5 %``, with a true minus sign (U+2212); empty for none."""
    if value is None:
        return ""
    rounded = round(value, 1)
    sign = "+" if rounded > 0 else "\u2212" if rounded < 0 else ""
    return f"{sign}{format_number(abs(rounded))}\u00a0%"


def status_label(value: object) -> str:
    raw = str(getattr(value, "value", value))
    return STATUS_LABELS.get(raw, raw.replace("_", " ").capitalize())


def dates_in(text: object) -> str:
    """A service's sentence with its ISO days as the pages write them: "forecast
    2027-02-22" reads "forecast 22 Feb 2027"."""

    def day(match: re.Match[str]) -> str:
        try:
            return format_date(date.fromisoformat(match.group(0)))
        except ValueError:  # digits shaped like a day that is none
            return match.group(0)

    return _ISO_DAY.sub(day, str(text))


def reason_text(reason: Any) -> str:
    """A health reason as a sentence: "Milestone M1 is forecast 5 working days past…"
    (the colour is shown beside it, so "red because" is dropped; dates as on the pages)."""
    message = str(reason.message).removeprefix(f"{reason.severity} because ")
    message = _ISO_DAY.sub(lambda m: format_date(date.fromisoformat(m.group(0))), message)
    return message[:1].upper() + message[1:]


@dataclass(frozen=True)
class ReasonGroup:
    """Reasons of one rule and colour: the one to show, and the other records it flags."""

    reason: Any
    others: tuple[Any, ...]


def group_reasons(reasons: Iterable[Any]) -> list[ReasonGroup]:
    """One line per rule and colour, in the given order, led by its broadest record (the
    program, then a project, a milestone, a task): 27 tasks and projects forecast past
    their baseline are one line "the program is … and 26 more", not 27."""
    groups: dict[tuple[str, str], list[Any]] = {}
    for reason in reasons:
        groups.setdefault((str(reason.rule), str(reason.severity)), []).append(reason)
    lines = []
    for members in groups.values():
        lead = min(members, key=lambda r: _BREADTH.get(str(r.ref.kind), len(_BREADTH)))
        lines.append(ReasonGroup(lead, tuple(r.ref for r in members if r is not lead)))
    return lines


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        date=format_date,
        dates=dates_in,
        number=format_number,
        input_number=input_number,
        whole_percent=whole_percent,
        amount=format_amount,
        money=format_money,
        in_currency=in_currency,
        percent=format_percent,
        status=status_label,
        reason=reason_text,
        grouped=group_reasons,
    )
    env.globals["version"] = __version__
    # a date field offers only the days a plan may hold (the services refuse the rest)
    env.globals["first_plan_date"] = FIRST_PLAN_DATE.isoformat()
    env.globals["last_plan_date"] = LAST_PLAN_DATE.isoformat()
    env.globals["date_bounds"] = Markup(
        f'min="{FIRST_PLAN_DATE.isoformat()}" max="{LAST_PLAN_DATE.isoformat()}"'
    )
    return env


def _read_version(request: Request) -> Any:
    def read_version(current: int, action: str) -> int:
        """The version the record's form posting to ``action`` is read at. Drawn again after
        a refused post to it, the form still shows what was typed against the version that
        post carried, so it keeps that version: saving it again is refused again (reload to
        see the other change), rather than writing the typed values over what someone else
        saved meanwhile."""
        sent: int | None = getattr(request.state, "form_version", None)
        if sent is None or request.method != "POST" or request.url.path != action:
            return current
        return sent

    return read_version


def _request_context(request: Request) -> dict[str, Any]:
    return {
        "read_version": _read_version(request),
        "viewer": getattr(request.state, "viewer", None),
        "assets": request.app.state.assets,
        "layout": layout_for(request),
    }


templates = Jinja2Templates(env=_environment(), context_processors=[_request_context])


def is_htmx(request: Request) -> bool:
    """An HTMX request that replaces part of a page (not a boosted full navigation)."""
    headers = request.headers
    return headers.get("HX-Request") == "true" and headers.get("HX-Boosted") != "true"


def layout_for(request: Request) -> str:
    return "_partial.html" if is_htmx(request) else "base.html"


def page_url_after_post(request: Request) -> str | None:
    """The address of the page a form was sent from, when a page is drawn again in answer
    to it (a refused form): the browser's address bar would otherwise keep the form's
    action, which answers only POST, so reloading it or opening it again would fail. The
    page's script puts this address back (``data-page-url``). None for other requests
    and for HTMX's, which leave the address bar alone."""
    if request.method != "POST" or request.headers.get("HX-Request"):
        return None
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc != request.url.netloc or not referer.path.startswith("/"):
        return None  # sent from elsewhere (the page headers ask for same-origin referers)
    return urlunsplit(("", "", referer.path, referer.query, ""))


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> _TemplateResponse:
    """Render ``template`` as a page (or as its content block for HTMX) with the page headers."""
    return templates.TemplateResponse(
        request,
        template,
        {"page_url": page_url_after_post(request), **(context or {})},
        status_code=status_code,
        headers={**PAGE_HEADERS, **(headers or {})},
    )
