"""Writing a program's retrospective (plain JSON numbers) as Markdown, HTML and PDF.

It shares the status report's templates folder, style and number filters, so a
retrospective reads like the reports executives already know.
"""

from __future__ import annotations

from typing import Any

from podium.interop import report_render


def render_markdown(data: dict[str, Any]) -> str:
    return report_render._env.get_template("retrospective.md").render(
        r=data, cur=report_render.report_currency(data)
    )


def render_html(data: dict[str, Any]) -> str:
    return report_render._env.get_template("retrospective.html").render(
        r=data, cur=report_render.report_currency(data)
    )


def render_pdf(data: dict[str, Any]) -> bytes:
    """The HTML retrospective as PDF (WeasyPrint; needs the system's Pango library)."""
    from weasyprint import HTML  # type: ignore[import-untyped]

    pdf: bytes = HTML(string=render_html(data)).write_pdf()
    return pdf
