"""The load heatmaps' period switch and legend, drawn by one macro for a resource's own
page and the program's Resources tab; the message after a leveling step."""

from __future__ import annotations

import re

from podium.web.resources import done_message
from podium.web.templating import templates


def _switch(**options: object) -> str:
    macros = templates.env.get_template("resources/_macros.html").module
    return str(macros.period_switch(**options))  # type: ignore[attr-defined]


def test_the_switch_links_both_periods_and_marks_the_one_shown() -> None:
    html = _switch(url="/programs/7/resources", period="month")
    links = re.findall(r'<a href="([^"]+)" class="rs-switch__option"( aria-current="true")?>', html)
    assert links == [
        ("/programs/7/resources?period=week", ""),
        ("/programs/7/resources?period=month", ' aria-current="true"'),
    ]


def test_only_the_programs_legend_has_the_other_programs_swatch() -> None:
    own = _switch(url="/resources/3", period="week")
    program = _switch(url="/programs/7/resources", period="week", elsewhere=True)
    entries = [re.findall(r"</span>([^<]+)</li>", html) for html in (own, program)]
    assert entries[0] == ["under 80 %", "80–100 %", "over capacity", "no capacity (time off)"]
    assert entries[1] == [*entries[0], "other programs' part"]


def test_the_message_after_applying_a_leveling_counts_the_tasks_it_delayed() -> None:
    assert done_message("applied", 0) == "Leveling applied: no task needed to move."
    assert done_message("applied", 1).startswith("Leveling applied: 1 task holds its leveled")
    assert done_message("applied", 3).startswith("Leveling applied: 3 tasks hold their leveled")
    assert done_message("cleared", 3).startswith("Leveling cleared")
    assert done_message(None, 3) == done_message("made-up", 3) == ""
