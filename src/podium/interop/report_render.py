"""Writing a status report (plain JSON numbers) as Markdown, HTML and PDF.

The HTML is self-contained — inline CSS and the S-curve drawn as inline SVG on
the server — so WeasyPrint turns it into a PDF with nothing to fetch, and the
stored copies never depend on what the application serves later.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import jinja2

from podium.currency import MINUS, whole_amount, whole_units, with_currency

TEMPLATES = Path(__file__).parent / "report_templates"
# the S-curve: its size, the margin around the plot, and above the plot a row for the
# legend, then the top of the amounts' axis
WIDTH, HEIGHT, PAD = 640, 240, 36
LEGEND_Y, LEGEND_FONT, AXIS_FONT = 14, 11, 10
PLOT_TOP = 48

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=jinja2.select_autoescape(["html"]),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _money(value: float | None, currency: str | None = None) -> str:
    """An amount to the whole unit (rounded once, halves away from zero, as the pages
    round), then the program's currency code when it has one."""
    return "—" if value is None else with_currency(whole_amount(value), currency)


def _whole(value: float | None) -> str:
    """A number (a percentage) to the whole unit, rounded as amounts are; "—" for none."""
    return "—" if value is None or not math.isfinite(value) else str(whole_units(value))


def _slip(days: int | None) -> str:
    """Working days past (or before) a date, in words: "6 working days late", "1 working
    day early", "on time"; "—" when there is nothing to measure against."""
    if days is None:
        return "—"
    if days == 0:
        return "on time"
    n = abs(days)
    return f"{n} working day{'' if n == 1 else 's'} {'late' if days > 0 else 'early'}"


def _signed(value: int) -> str:
    """A whole number with its sign, the minus a true one: "+5", "−3", "0"."""
    return f"+{value}" if value > 0 else f"{MINUS}{-value}" if value < 0 else "0"


# Characters Markdown (GitHub's) would read as formatting, a link, HTML or a table's
# cell border; a backslash makes each a literal (any ASCII punctuation may be escaped).
_MD_INLINE = re.compile(r"([\\`*_~\[\]<|]|&(?=#?\w+;))")
# a line break inside a name would end its table row or list item
_MD_LINE_BREAKS = re.compile(r"[ \t]*[\r\n\v\f\u2028\u2029]+[ \t]*")
# what opens a block when it starts a line: a heading, a quote, a list item ("- ", "1. ")
_MD_BLOCK_START = re.compile(r"^(>|[-+=#](?=[\s=#]|$)|\d{1,9}(?=[.)](?:\s|$)))")


def _md(value: object) -> str:
    """Text (a name, a title, a sentence) for the Markdown report: its own characters
    never become emphasis, a link, HTML or a table border, and it stays on one line (a
    table row, a list item)."""
    text = _MD_INLINE.sub(r"\\\1", _MD_LINE_BREAKS.sub(" ", str(value)).strip())
    # a leading "1." is escaped at its dot (a backslash before a digit is no escape)
    return _MD_BLOCK_START.sub(lambda m: m[0] + "\\" if m[0].isdigit() else "\\" + m[0], text)


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


_env.filters.update(
    money=_money,
    index=_index,
    plain=_plain,
    quantity=_quantity,
    health=_health,
    whole=_whole,
    slip=_slip,
    signed=_signed,
    md=_md,
)
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
    the amounts' axis carries the ``currency``. The legend is a row above the chart, so
    it covers neither the axis' labels nor the curves.

    Its ``width`` and ``height`` are its size in the PDF; on a screen narrower than that
    (a phone) the report's stylesheet shrinks it, and its ``viewBox`` keeps the drawing
    in proportion."""
    if not curve or not curve["dates"]:
        return ""
    # a value past the largest float (amounts summed beyond it) is left out, not drawn
    series = {
        name: [v if v is not None and math.isfinite(v) else None for v in curve[name]]
        for name in ("pv", "ev", "ac")
    }
    top = max((v for values in series.values() for v in values if v is not None), default=0) or 1
    n = len(curve["dates"])
    bottom, right = HEIGHT - PAD, WIDTH - PAD

    def x(i: int) -> float:
        return PAD + (right - PAD) * (i / max(n - 1, 1))

    def y(v: float) -> float:
        return bottom - (bottom - PLOT_TOP) * (v / top)

    colours = {"pv": "#64748b", "ev": "#2563eb", "ac": "#dc2626"}
    dashes = {"pv": "6 4", "ev": "", "ac": "2 3"}
    labels = {"pv": "Planned value", "ev": "Earned value", "ac": "Actual cost"}
    grey = 'stroke="#cbd5e1"'
    small = f'font-size="{AXIS_FONT}" fill="#64748b"'
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" '
        'aria-label="S-curves: planned value, earned value, actual cost">',
        f'<line x1="{PAD}" y1="{bottom}" x2="{right}" y2="{bottom}" {grey}/>',
        f'<line x1="{PAD}" y1="{PLOT_TOP}" x2="{PAD}" y2="{bottom}" {grey}/>',
        f'<text x="{PAD}" y="{PLOT_TOP - 6}" {small}>'
        f"{with_currency(whole_amount(top), currency)}</text>",
        f'<text x="{PAD}" y="{HEIGHT - 10}" {small}>{curve["dates"][0]}</text>',
        f'<text x="{right}" y="{HEIGHT - 10}" {small} text-anchor="end">'
        f"{curve['dates'][-1]}</text>",
    ]
    if as_of in curve["dates"] or curve["dates"][0] <= as_of <= curve["dates"][-1]:
        position = sum(1 for d in curve["dates"] if d <= as_of) - 1
        parts.append(
            f'<line x1="{x(position):.1f}" y1="{PLOT_TOP}" x2="{x(position):.1f}" '
            f'y2="{bottom}" stroke="#f59e0b" stroke-dasharray="3 3"/>'
        )
    key_x = float(PAD)
    for name, values in series.items():
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values) if v is not None)
        if points:
            parts.append(
                f'<polyline points="{points}" fill="none" stroke="{colours[name]}" '
                f'stroke-width="2" stroke-dasharray="{dashes[name]}"/>'
            )
        # the legend's key: a stroke drawn as the curve's, then its name
        parts.append(
            f'<line x1="{key_x:.0f}" y1="{LEGEND_Y - 4}" x2="{key_x + 22:.0f}" '
            f'y2="{LEGEND_Y - 4}" stroke="{colours[name]}" stroke-width="2" '
            f'stroke-dasharray="{dashes[name]}"/>'
            f'<text x="{key_x + 28:.0f}" y="{LEGEND_Y}" font-size="{LEGEND_FONT}" '
            f'fill="{colours[name]}">{labels[name]}</text>'
        )
        key_x += 28 + LEGEND_FONT * 0.62 * len(labels[name]) + 20
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
