"""Hypothesis strategies: random programs (DAGs) for the engine's property tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import strategies as st

from podium.engine import Activity, Link, Network, WorkCalendar

START = date(2027, 1, 4)  # a Monday
HOLIDAYS = (date(2027, 1, 6), date(2027, 1, 18), date(2027, 2, 1))
STANDARD = WorkCalendar("1111100", HOLIDAYS)
OTHER_CALENDARS = (
    WorkCalendar("1111110", (date(2027, 1, 9),)),  # Mon-Sat
    WorkCalendar("0111100", ()),  # Tue-Fri
    WorkCalendar("1111111", (date(2027, 1, 12),)),  # every day
    # Mon-Fri with two extra Saturdays and an extra Sunday worked (a cutover)
    WorkCalendar("1111100", HOLIDAYS, (date(2027, 1, 9), date(2027, 1, 10), date(2027, 1, 23))),
)
LATE_KINDS = ("snlt", "fnlt")
EARLY_KINDS = ("snet", "fnet", "mso", "mfo")


def _day(draw: st.DrawFn, low: int, high: int) -> date:
    return START + timedelta(days=draw(st.integers(low, high)))


@st.composite
def networks(
    draw: st.DrawFn,
    *,
    max_size: int = 12,
    constraints: bool = False,
    late_constraints: bool = False,
    calendars: bool = False,
    progress: bool = False,
    summaries: bool = False,
) -> Network:
    """A random program: activities T0…Tn with links only from lower to higher numbers."""
    n = draw(st.integers(1, max_size))
    status = _day(draw, 0, 15) if progress and draw(st.booleans()) else None
    kinds = ["asap"] * 3
    kinds += list(EARLY_KINDS) if constraints else []
    kinds += list(LATE_KINDS) if late_constraints else []
    acts = []
    for i in range(n):
        duration = draw(st.integers(0, 5))
        kind = draw(st.sampled_from(kinds))
        fields: dict[str, object] = {
            "calendar": draw(st.sampled_from([None, None, "alt"])) if calendars else None,
            "constraint_type": kind,
            "constraint_date": None if kind == "asap" else _day(draw, -3, 30),
        }
        if late_constraints and draw(st.integers(0, 3)) == 0:
            fields["deadline"] = _day(draw, 0, 30)
        if progress and i < n // 2 + 1 and draw(st.integers(0, 2)) == 0:
            begin = _day(draw, -2, 10)
            fields["actual_start"] = begin
            state = draw(st.sampled_from(["done", "going", "percent-done"]))
            if state == "done" or duration == 0:
                fields["actual_finish"] = begin + timedelta(days=draw(st.integers(0, 8)))
            elif state == "going":
                fields["percent_complete"] = float(draw(st.integers(0, 99)))
            else:
                fields["percent_complete"] = 100.0
        acts.append(Activity(f"T{i}", duration, **fields))  # type: ignore[arg-type]
    pairs = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda p: p[0] < p[1])
    links = []
    seen = set()
    for a, b in draw(st.lists(pairs, max_size=2 * n)) if n > 1 else []:
        if (a, b) in seen:
            continue
        seen.add((a, b))
        kind = draw(st.sampled_from(["FS", "FS", "SS", "FF", "SF"]))
        links.append(Link(f"T{a}", f"T{b}", kind, draw(st.integers(-3, 4))))  # type: ignore[arg-type]
    if summaries:
        acts, links = _with_summaries(draw, acts, links)
    other = draw(st.sampled_from(OTHER_CALENDARS))
    return Network(
        START,
        acts,
        links,
        calendars={"alt": other},
        default_calendar=STANDARD,
        status_date=status,
    )


def _with_summaries(
    draw: st.DrawFn, acts: list[Activity], links: list[Link]
) -> tuple[list[Activity], list[Link]]:
    """Give some activities a parent, dropping what a summary does not allow."""
    parent: dict[str, str] = {}
    for i in range(1, len(acts)):
        if draw(st.integers(0, 2)) == 0:
            parent[acts[i].id] = acts[draw(st.integers(0, i - 1))].id

    def ancestors(aid: str) -> set[str]:
        found = set()
        while aid in parent:
            aid = parent[aid]
            found.add(aid)
        return found

    summaries = set(parent.values())
    links = [
        x
        for x in links
        if x.pred not in ancestors(x.succ)
        and x.succ not in ancestors(x.pred)
        and not (x.succ in summaries and x.type in ("FF", "SF"))
    ]
    acts = [
        replace(
            a,
            parent=parent.get(a.id),
            constraint_type="asap" if a.id in summaries else a.constraint_type,
            constraint_date=None if a.id in summaries else a.constraint_date,
        )
        for a in acts
    ]
    return acts, links
