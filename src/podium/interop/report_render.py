"""Writing a status report (plain JSON numbers) as Markdown, HTML and PDF.

The HTML is self-contained — inline CSS and the S-curve drawn as inline SVG on
the server — so WeasyPrint turns it into a PDF with nothing to fetch, and the
stored copies never depend on what the application serves later.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from podium.currency import with_currency

TEMPLATES = Path(__file__).parent / "report_templates"
WIDTH, HEIGHT, PAD = 640, 220, 36

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=jinja2.select_autoescape(["html"]),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _money(value: float | None, currency: str | None = None) -> str:
    """An amount to the whole unit, then the program's currency code when it has one."""
    return "—" if value is None else with_currency(f"{value:,.0f}", currency)


def _index(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _plain(message: str, severity: str) -> str:
    text = message.removeprefix(f"{severity} because ")
    return text[:1].upper() + text[1:]


def _health(status: str) -> str:
    """A health status as a word: "Green", or "No plan yet" for a program with no work."""
    return "No plan yet" if status == "no_plan" else status.capitalize()


def _quantity(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


_env.filters.update(money=_money, index=_index, plain=_plain, quantity=_quantity, health=_health)
_env.globals["no_plan_text"] = (
    "Nothing is planned yet: no project has tasks or dated milestones, so there is "
    "nothing to be on plan against. Health shows once a plan is added or imported."
)


def report_currency(data: dict[str, Any]) -> str | None:
    """The currency the report's amounts are in (none in a report issued before programs
    had one, or for a program without one)."""
    code = data["program"].get("currency")
    return str(code) if code else None


def s_curve_svg(curve: dict[str, Any] | None, as_of: str, currency: str | None = None) -> str:
    """PV, EV and AC as polylines in an SVG (no scripts, no external files); the top of
    the amounts' axis carries the ``currency``."""
    if not curve or not curve["dates"]:
        return ""
    series = {name: curve[name] for name in ("pv", "ev", "ac")}
    top = max((v for values in series.values() for v in values if v is not None), default=0) or 1
    n = len(curve["dates"])

    def x(i: int) -> float:
        return PAD + (WIDTH - 2 * PAD) * (i / max(n - 1, 1))

    def y(v: float) -> float:
        return HEIGHT - PAD - (HEIGHT - 2 * PAD) * (v / top)

    colours = {"pv": "#64748b", "ev": "#2563eb", "ac": "#dc2626"}
    dashes = {"pv": "6 4", "ev": "", "ac": "2 3"}
    labels = {"pv": "Planned value", "ev": "Earned value", "ac": "Actual cost"}
    grey = 'stroke="#cbd5e1"'
    small = 'font-size="10" fill="#64748b"'
    bottom, right = HEIGHT - PAD, WIDTH - PAD
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" '
        'aria-label="S-curves: planned value, earned value, actual cost">',
        f'<line x1="{PAD}" y1="{bottom}" x2="{right}" y2="{bottom}" {grey}/>',
        f'<line x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{bottom}" {grey}/>',
        f'<text x="{PAD}" y="{PAD - 8}" {small}>{with_currency(f"{top:,.0f}", currency)}</text>',
        f'<text x="{PAD}" y="{HEIGHT - 10}" {small}>{curve["dates"][0]}</text>',
        f'<text x="{right}" y="{HEIGHT - 10}" {small} text-anchor="end">'
        f"{curve['dates'][-1]}</text>",
    ]
    if as_of in curve["dates"] or curve["dates"][0] <= as_of <= curve["dates"][-1]:
        position = sum(1 for d in curve["dates"] if d <= as_of) - 1
        parts.append(
            f'<line x1="{x(position):.1f}" y1="{PAD}" x2="{x(position):.1f}" y2="{HEIGHT - PAD}" '
            'stroke="#f59e0b" stroke-dasharray="3 3"/>'
        )
    for index, (name, values) in enumerate(series.items()):
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values) if v is not None)
        if points:
            parts.append(
                f'<polyline points="{points}" fill="none" stroke="{colours[name]}" '
                f'stroke-width="2" stroke-dasharray="{dashes[name]}"/>'
            )
        parts.append(
            f'<text x="{PAD + 10}" y="{PAD + 14 * index}" font-size="11" '
            f'fill="{colours[name]}">— {labels[name]}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def render_markdown(data: dict[str, Any]) -> str:
    return _env.get_template("report.md").render(r=data, cur=report_currency(data))


def render_html(data: dict[str, Any]) -> str:
    chart = s_curve_svg(data["performance"]["curve"], data["as_of"], report_currency(data))
    return _env.get_template("report.html").render(r=data, chart=chart, cur=report_currency(data))


def render_pdf(data: dict[str, Any]) -> bytes:
    """The HTML report as PDF (WeasyPrint; needs the system's Pango library)."""
    from weasyprint import HTML  # type: ignore[import-untyped]

    pdf: bytes = HTML(string=render_html(data)).write_pdf()
    return pdf
