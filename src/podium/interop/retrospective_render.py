"""Writing a program's retrospective (plain JSON numbers) as Markdown, HTML and PDF.

It shares the status report's templates folder, style and number filters, so a
retrospective reads like the reports executives already know; its measured values and
shares of a change are written by :func:`podium.currency.figure` and
:func:`podium.currency.share`, as the retrospective page writes them.
"""

from __future__ import annotations

from typing import Any

from podium.currency import figure, share
from podium.interop import report_render


def finish_label(schedule: dict[str, Any]) -> str:
    """What the program's finish date is: reached ("actual"), still to come ("forecast"),
    or, in a retrospective kept before that was recorded, not known."""
    reached = schedule.get("finish_reached")
    return "actual or forecast" if reached is None else "actual" if reached else "forecast"


# the status report's environment, with a cache and filters of its own
_env = report_render._env.overlay(cache_size=50)
_env.filters = {**report_render._env.filters, "figure": figure, "share": share}
_env.globals = {**report_render._env.globals, "finish_label": finish_label}


def render_markdown(data: dict[str, Any]) -> str:
    return _env.get_template("retrospective.md").render(
        r=data, cur=report_render.report_currency(data)
    )


def render_html(data: dict[str, Any]) -> str:
    return _env.get_template("retrospective.html").render(
        r=data, cur=report_render.report_currency(data)
    )


def render_pdf(data: dict[str, Any]) -> bytes:
    """The HTML retrospective as PDF (WeasyPrint; needs the system's Pango library)."""
    from weasyprint import HTML  # type: ignore[import-untyped]

    pdf: bytes = HTML(string=render_html(data)).write_pdf()
    return pdf
