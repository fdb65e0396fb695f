"""Property tests over random programs: the fast engine against simple references."""

from __future__ import annotations

import itertools
from unittest import mock

import networkx as nx
from hypothesis import HealthCheck, given, reject, settings

from podium.engine import CycleError, Network, ScheduleResult, _passes, schedule

from .engine_strategies import START, networks
from .reference_cpm import reference_schedule

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

LINK_WEIGHT_SOURCE_FINISH = {"FS": True, "SS": False, "FF": True, "SF": False}
LINK_WEIGHT_TARGET_FINISH = {"FS": False, "SS": False, "FF": True, "SF": True}


def _points(net: Network, result: ScheduleResult) -> dict[str, tuple[int, int, int, int]]:
    """(early start, early finish, late start, late finish) as working-day points
    (a finish point is the day after the last working day) — tasks only."""
    cal = net.default_calendar
    out = {}
    for row in result:
        if row.is_milestone:
            continue
        es, ef, ls, lf = cal.index(
            [row.early_start, row.early_finish, row.late_start, row.late_finish], epoch=START
        ).tolist()
        out[row.id] = (es, ef + 1, ls, lf + 1)
    return out


def _holds(kind: str, lag: int, pred: tuple[int, int], succ: tuple[int, int]) -> bool:
    source = pred[1] if LINK_WEIGHT_SOURCE_FINISH[kind] else pred[0]
    target = succ[1] if LINK_WEIGHT_TARGET_FINISH[kind] else succ[0]
    return target >= source + lag


def networkx_cpm(net: Network) -> dict[str, tuple[int, int]]:
    """Textbook CPM on a networkx DiGraph, in working-day points: (early start, total float)."""
    graph = nx.DiGraph()
    for a in net.activities:
        graph.add_node(a.id, duration=a.duration)
    for link in net.links:
        graph.add_edge(link.pred, link.succ, kind=link.type, lag=link.lag)

    def weight(u: str, v: str) -> int:
        kind = graph.edges[u, v]["kind"]
        d_u, d_v = graph.nodes[u]["duration"], graph.nodes[v]["duration"]
        return (
            (d_u if LINK_WEIGHT_SOURCE_FINISH[kind] else 0)
            - (d_v if LINK_WEIGHT_TARGET_FINISH[kind] else 0)
            + graph.edges[u, v]["lag"]
        )

    order = list(nx.topological_sort(graph))
    early: dict[str, int] = {}
    # a milestone sits in the morning of its day when a start drives it (the program start,
    # an SS or SF link, a morning milestone), else in the evening; on a tie, the morning
    morning: dict[str, bool] = {}
    for v in order:
        candidates = [(0, True)] + [
            (
                early[u] + weight(u, v),
                morning[u]
                if graph.nodes[u]["duration"] == 0
                else not LINK_WEIGHT_SOURCE_FINISH[graph.edges[u, v]["kind"]],
            )
            for u in graph.predecessors(v)
        ]
        early[v], morning[v] = max(candidates)
        morning[v] = morning[v] and graph.nodes[v]["duration"] == 0
    finish, finish_in_morning = max(
        (early[v] + graph.nodes[v]["duration"], morning[v]) for v in order
    )
    late = {}
    for u in reversed(order):
        # a morning milestone shows on its day: it keeps an evening finish that morning
        shown = 1 if morning[u] and not finish_in_morning else 0
        late[u] = min(
            [finish - graph.nodes[u]["duration"] - shown]
            + [late[v] - weight(u, v) for v in graph.successors(u)]
        )
    return {v: (early[v], late[v] - early[v]) for v in order}


@SETTINGS
@given(networks(constraints=True, late_constraints=True, calendars=True, progress=True))
def test_the_engine_agrees_with_the_date_by_date_reference(net: Network) -> None:
    result = schedule(net)
    reference = reference_schedule(net)
    for row in result:
        ref = reference[row.id]
        assert (row.early_start, row.early_finish) == (ref.es, ref.ef), row.id
        assert (row.late_start, row.late_finish) == (ref.ls, ref.lf), row.id
        assert (row.total_float, row.free_float) == (ref.total_float, ref.free_float), row.id
        assert row.is_critical == (not ref.finished and ref.total_float <= 0), row.id


@SETTINGS
@given(networks())
def test_the_engine_agrees_with_a_networkx_cpm(net: Network) -> None:
    result = schedule(net)
    textbook = networkx_cpm(net)
    cal = net.default_calendar
    for row in result:
        early_start, total_float = textbook[row.id]
        assert row.total_float == total_float, row.id
        if not row.is_milestone:
            assert row.early_start == cal.day([early_start], epoch=START).astype(object)[0]


@SETTINGS
@given(networks(calendars=True))
def test_without_constraints_no_float_is_negative(net: Network) -> None:
    result = schedule(net)
    assert all(row.total_float >= 0 and 0 <= row.free_float <= row.total_float for row in result)


@SETTINGS
@given(networks(calendars=False))
def test_every_link_is_satisfied_by_the_early_and_by_the_late_schedule(net: Network) -> None:
    result = schedule(net)
    points = _points(net, result)
    for link in net.links:
        if link.pred in points and link.succ in points:
            pred, succ = points[link.pred], points[link.succ]
            assert _holds(link.type, link.lag, pred[:2], succ[:2]), link
            assert _holds(link.type, link.lag, pred[2:], succ[2:]), link


@SETTINGS
@given(networks())
def test_critical_activities_chain_from_the_start_to_the_finish(net: Network) -> None:
    # (on one calendar: across calendars a calendar gap can give the driving task float)
    result = schedule(net)
    path = result.critical_path
    assert path, "a program always has a critical path"
    first, last = result[path[0]], result[path[-1]]
    assert first.early_start == net.default_calendar.roll_forward(net.start) or first.is_milestone
    assert last.early_finish == result.finish
    linked = {(link.pred, link.succ) for link in net.links}
    assert all((a, b) in linked for a, b in itertools.pairwise(path))
    assert all(result[a].is_critical for p in result.critical_paths for a in p)
    on_paths = {a for p in result.critical_paths for a in p}
    if len(result.critical_paths) < 50:
        assert on_paths == set(result.critical_ids())


@SETTINGS
@given(networks(constraints=True, calendars=True, progress=True, summaries=True))
def test_the_plain_loop_for_deep_networks_schedules_like_the_level_loop(net: Network) -> None:
    with mock.patch.object(_passes, "NARROW", 0):  # NumPy, level by level
        try:
            vectorized = schedule(net)
        except CycleError:  # a summary linked to work that feeds one of its subtasks
            reject()
    with mock.patch.object(_passes, "NARROW", 10**9):  # one plain loop
        one_by_one = schedule(net)
    for column in ("early_start", "early_finish", "late_start", "late_finish", "total_float"):
        assert (getattr(vectorized, column) == getattr(one_by_one, column)).all(), column
