"""The impact answer's tables: a change that moves thousands of tasks lists a hundred of each
project and says how many more move, so the page stays small."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from podium.web.templating import templates


def _move(n: int) -> SimpleNamespace:
    ref = SimpleNamespace(key=f"DATA-{n}", name=f"Task {n}", type="task")
    return SimpleNamespace(
        ref=ref,
        early_start_before=date(2027, 1, 4),
        early_start_after=date(2027, 1, 11),
        early_finish_before=date(2027, 1, 8),
        early_finish_after=date(2027, 1, 15),
        finish_delta=5,
    )


def _render(count: int) -> str:
    moves = [_move(n) for n in range(1, count + 1)]
    view = SimpleNamespace(
        finish_before=date(2027, 1, 8), finish_after=date(2027, 1, 15), finish_delta=5,
        moves=moves, misses=[], milestones=[], summaries=[], projects_affected=["DATA"],
    )  # fmt: skip
    question = SimpleNamespace(sentence="If the status date moves", detail="", no_moves="")
    by_project = [SimpleNamespace(key="DATA", name="Data transfer", moves=moves)]
    template = templates.env.get_template("impact/_results.html")
    return template.render(question=question, view=view, by_project=by_project)


def test_a_large_answer_lists_a_hundred_tasks_of_a_project_and_counts_the_rest() -> None:
    html = _render(150)
    assert html.count('<tr data-key="DATA-') == 100
    assert 'data-key="DATA-100"' in html and 'data-key="DATA-101"' not in html
    assert "… and 50 more tasks of DATA move (150 in all; the API lists every one)" in html
    assert "150 in 1 project" in html  # the headline counts every task


def test_a_small_answer_lists_every_task() -> None:
    html = _render(100)
    assert html.count('<tr data-key="DATA-') == 100 and "more tasks of" not in html
