"""Writing a status report's numbers as Markdown, HTML and PDF (no database: the numbers
are given as the report's JSON)."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from typing import Any

from pypdf import PdfReader

from podium.currency import whole_amount
from podium.interop import report_render
from podium.web.templating import format_amount

MINUS = "\u2212"


def _report(**changes: Any) -> dict[str, Any]:
    """A report's numbers: one project, no milestones, no baseline, nothing else."""
    data: dict[str, Any] = {
        "program": {"id": 1, "key": "CLOUD", "name": "Cloud migration", "currency": None},
        "as_of": "2027-01-06",
        "goal": {
            "outcome": None,
            "measure": None,
            "unit": None,
            "baseline_value": None,
            "target_value": None,
            "target_date": None,
        },
        "health": {
            "status": "green",
            "planned": True,
            "reasons": [],
            "projects": {"APP": "green"},
            "project_reasons": {"APP": ""},
        },
        "schedule": {
            "start": "2027-01-04",
            "finish": "2027-01-08",
            "baseline_finish": None,
            "finish_variance": None,
            "goal_date": None,
            "critical_projects": ["APP"],
        },
        "milestones": [],
        "blockers": [],
        "performance": {"baseline": None, "formula": "EAC = BAC / CPI", "curve": None}
        | dict.fromkeys(("bac", "pv", "ev", "ac", "sv", "cv", "spi", "cpi", "eac", "etc", "vac")),
        "risks": {"live": 0, "steering": 0, "top": []},
        "benefits": [],
        "decisions": [],
        "changes": ["First report of this program."],
        "previous": None,
    }
    return data | changes


def _milestone(key: str, name: str, slip: int | None) -> dict[str, Any]:
    return {
        "key": key,
        "name": name,
        "target": "2027-01-08",
        "baseline": None,
        "forecast": "2027-01-08",
        "slip": slip,
        "state": "on_track",
    }


def _cells(row: str) -> list[str]:
    """A Markdown table row's cells, split at its borders (an escaped ``\\|`` is none)."""
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", row.strip())[1:-1]]


def test_a_name_with_a_bar_and_stars_stays_in_its_cell_as_written() -> None:
    name = "Go | No-go *review* of [v2](x) <b>_now_</b> `a\\b`"
    data = _report(
        milestones=[_milestone("M1", name, 0)],
        blockers=[
            {
                "title": f"Milestone M1 {name} is late",
                "severity": "high",
                "chain": [],
                "path": "APP-1 (APP) → M1",
                "projects": ["APP"],
                "since": "2027-01-04",
            }
        ],
        changes=[f"New blocker: Milestone M1 {name} is late"],
    )
    text = report_render.render_markdown(data)
    (row,) = [line for line in text.splitlines() if line.startswith("| M1 ")]
    header = text.splitlines()[text.splitlines().index(row) - 2]
    assert len(_cells(row)) == len(_cells(header)) == 5
    escaped = r"Go \| No-go \*review\* of \[v2\](x) \<b>\_now\_\</b> \`a\\b\`"
    assert _cells(row)[0] == f"M1 {escaped}"
    # the list items (a blocker, a change) carry it escaped the same way
    assert f"- **high**: Milestone M1 {escaped} is late (" in text
    assert f"- New blocker: Milestone M1 {escaped} is late" in text


def test_a_text_that_would_open_a_heading_or_a_list_stays_text() -> None:
    text = report_render.render_markdown(
        _report(goal=_report()["goal"] | {"outcome": "# 1. Fewer\nsupport tickets"})
    )
    assert "\n\\# 1. Fewer support tickets\n" in text
    outcome = report_render.render_markdown(_report(goal=_report()["goal"] | {"outcome": "1. Go"}))
    assert "\n1\\. Go\n" in outcome


def test_markdown_says_there_are_no_milestones_as_the_web_page_does() -> None:
    data = _report()
    text = report_render.render_markdown(data)
    assert "No milestones yet." in report_render.render_html(data)
    milestones = text[text.index("## Milestones") : text.index("## Cross-project blockers")]
    assert milestones.strip() == "## Milestones\n\nNo milestones yet."
    assert "| milestone |" not in text


def test_markdown_has_no_empty_project_table_for_a_program_without_projects() -> None:
    data = _report(health=_report()["health"] | {"projects": {}, "project_reasons": {}})
    assert "| project |" not in report_render.render_markdown(data)
    assert "<th>Project</th>" not in report_render.render_html(data)
    assert "| APP | green | — |" in report_render.render_markdown(_report())


SLIPS = [
    (6, "6 working days late"),
    (-8, "8 working days early"),
    (0, "on time"),
    (1, "1 working day late"),
    (-1, "1 working day early"),
    (None, "—"),
]


def test_milestone_slips_are_worded_alike_in_markdown_and_html() -> None:
    data = _report(
        milestones=[_milestone(f"M{i}", f"Gate {i}", slip) for i, (slip, _) in enumerate(SLIPS)],
        schedule=_report()["schedule"] | {"finish_variance": 1},
    )
    text = report_render.render_markdown(data)
    page = report_render.render_html(data)
    for i, (_, words) in enumerate(SLIPS):
        assert f"| M{i} Gate {i} | 2027-01-08 | — | 2027-01-08 | {words} |" in text
        row = rf"<td>M{i} Gate {i}</td>[^\n]*\n\s*<td class=\"num[^\"]*\">{words}</td>"
        assert re.search(row, page), words
    assert "1 working day late against the baseline" in text
    assert ">1 working day late</strong>" in page
    # no bare signed numbers, nor "working days" after one day
    assert not re.search(r"[|>] ?[+\-−]\d", text + page) and "1 working days" not in text + page


def test_an_amount_rounds_once_halves_away_from_zero_as_the_pages_round() -> None:
    for value, written in [
        (3.4993, "3"),
        (2.5, "3"),
        (3.5, "4"),
        (-2.5, f"{MINUS}3"),
        (0.49999, "0"),
        (1234567.5, "1,234,568"),
    ]:
        assert whole_amount(value) == format_amount(value) == written
    performance = _report()["performance"] | {
        "baseline": "Plan",
        **{"bac": 10.0, "pv": 4.5, "ev": 3.4993, "ac": 2.5, "eac": -0.5, "spi": 0.78},
    }
    text = report_render.render_markdown(_report(performance=performance))
    assert "earned 3 of 5 planned, 3 spent;" in text
    assert f"forecast at completion {MINUS}1 of a 10 budget" in text


def _boxes(svg: str) -> dict[str, tuple[float, float, float, float]]:
    """Each text of the SVG with the box it covers (left, top, right, bottom), its width
    reckoned generously at 0.62 of the font size a character."""
    boxes = {}
    for node in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text"):
        size, x, y = float(node.get("font-size", 10)), float(node.get("x", 0)), float(node.get("y"))
        width = 0.62 * size * len(node.text or "")
        left = x - width if node.get("text-anchor") == "end" else x
        boxes[node.text or ""] = (left, y - size, left + width, y + 0.25 * size)
    return boxes


def test_the_s_curve_legend_covers_neither_the_axis_labels_nor_the_plot() -> None:
    curve = {
        "dates": ["2026-09-28", "2026-12-07", "2027-03-31"],
        "pv": [0.0, 269500.0, 498000.0],
        "ev": [0.0, 238000.0, None],
        "ac": [0.0, 252600.0, None],
    }
    svg = report_render.s_curve_svg(curve, "2026-12-07", "EUR")
    boxes = _boxes(svg)
    legend = [boxes[label] for label in ("Planned value", "Earned value", "Actual cost")]
    assert "498,000\u00a0EUR" in boxes
    (plot_top,) = re.findall(r'<line x1="36" y1="([\d.]+)" x2="36"', svg)  # amounts' axis
    texts = list(boxes.items())
    for i, (name, box) in enumerate(texts):
        for other_name, other in texts[i + 1 :]:
            apart = box[2] <= other[0] or other[2] <= box[0] or box[3] <= other[1]
            assert apart or other[3] <= box[1], f"{name!r} overlaps {other_name!r}"
    assert all(box[3] <= float(plot_top) for box in legend)  # above the plot, not over the curves


def test_amounts_past_what_a_budget_may_be_are_written_not_a_crash() -> None:
    # a budget stored before imports bounded amounts: 1e308, twice summed to infinity
    assert whole_amount(1e308).startswith("100,000,000,000,000,001,097,906")
    assert whole_amount(-(2.0**60)) == f"{MINUS}1,152,921,504,606,846,976"
    assert whole_amount(float("inf")) == whole_amount(float("nan")) == "—"
    curve = {
        "dates": ["2027-01-04", "2027-02-01"],
        "pv": [1e308, float("inf")],
        "ev": [0.0, 1e308],
        "ac": [0.0, None],
    }
    svg = report_render.s_curve_svg(curve, "2027-01-20")
    assert "nan" not in svg and "inf" not in svg
    assert "100,000,000,000,000,001,097,906" in svg  # the top of the amounts' axis
    performance = _report()["performance"] | {
        "baseline": "Plan",
        **{"bac": float("inf"), "pv": 1e308, "ev": 1e308, "ac": 0.0, "eac": float("inf")},
    }
    report_render.render_markdown(_report(performance=performance))
    report_render.render_html(_report(performance=performance))


def _benefit(i: int) -> dict[str, Any]:
    return {
        "name": f"Benefit number {i}",
        "unit": "tickets",
        "is_goal": False,
        "state": "on_track",
        "latest_value": 10.0,
        "latest_date": "2027-01-01",
        "target_value": 20.0,
        "target_date": "2027-06-01",
        "realization_pct": 50.0,
    }


def test_a_pdf_table_repeats_its_header_row_on_each_page_it_runs_to() -> None:
    data = _report(benefits=[_benefit(i) for i in range(70)])
    page = report_render.render_html(data)
    for table in re.findall(r"<table>.*?</table>", page, flags=re.S):
        assert re.match(r"<table>\s*<thead><tr>(<th>[^<]*</th>)+</tr></thead>\s*<tbody>", table)
        assert "<th>" not in table[table.index("<tbody>") :]
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(report_render.render_pdf(data))).pages]
    header = "BENEFIT LATEST TARGET REALIZED STANDING"
    with_rows = [p for p in pages if "Benefit number" in p]
    assert len(with_rows) >= 2  # the table runs over pages …
    for text in pages:
        if header in text:  # … each page of it starts with its header, a row under it
            assert "Benefit number" in text.split(header, 1)[1]
    assert all(header in text for text in with_rows)
