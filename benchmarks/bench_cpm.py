"""CPM benchmark: Podium's engine against a plain networkx CPM, and TaskJuggler.

The same synthetic program (benchmarks/generate.py: P projects x T tasks, ~1.5
links per task, ~2 % cross-project, Mon-Fri with holidays) is scheduled at 1k,
10k and 100k tasks by :func:`podium.engine.schedule` and by the networkx CPM
below — the one a Python developer would write: a ``DiGraph``, a topological
sort, forward and backward passes over predecessors and successors in
working-day numbers, then dates by one vectorized calendar call. Both compute
early/late dates, total and free float; the run checks that they agree.
TaskJuggler 3 (``tj3``, if installed) schedules the 1k and 5k programs.

    .venv/bin/python benchmarks/bench_cpm.py              # about a minute and a half
    .venv/bin/python benchmarks/bench_cpm.py --sizes 1000 10000 --chain 0 --no-tj
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import resource
import shutil
import subprocess
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
from generate import SyntheticProgram, generate

from podium.engine import Activity, Link, Network, ScheduleResult, WorkCalendar, schedule

SHAPES = {1000: (10, 100), 5000: (10, 500), 10000: (20, 500), 100000: (100, 1000)}
FROM_FINISH = {"FS": True, "SS": False, "FF": True, "SF": False}
TO_FINISH = {"FS": False, "SS": False, "FF": True, "SF": True}


def networkx_cpm(net: Network) -> dict[str, Any]:
    """Textbook CPM (PMBOK) on a networkx DiGraph, in working-day numbers from the start."""
    graph = nx.DiGraph()
    for a in net.activities:
        graph.add_node(a.id, duration=a.duration)
    for link in net.links:
        graph.add_edge(link.pred, link.succ, type=link.type, lag=link.lag)

    def weight(u: str, v: str, data: dict[str, Any]) -> int:
        # start(v) >= start(u) + weight, for the four link types
        lead = graph.nodes[u]["duration"] if FROM_FINISH[data["type"]] else 0
        tail = graph.nodes[v]["duration"] if TO_FINISH[data["type"]] else 0
        return int(lead - tail + data["lag"])

    order = list(nx.topological_sort(graph))
    early_start: dict[str, int] = {}
    for v in order:
        early_start[v] = max(
            [0] + [early_start[u] + weight(u, v, d) for u, _, d in graph.in_edges(v, data=True)]
        )
    finish = max(early_start[v] + graph.nodes[v]["duration"] for v in order)
    late_start: dict[str, int] = {}
    free_float: dict[str, int] = {}
    for u in reversed(order):
        duration = graph.nodes[u]["duration"]
        out = [(v, weight(u, v, d)) for _, v, d in graph.out_edges(u, data=True)]
        late_start[u] = min([finish - duration] + [late_start[v] - w for v, w in out])
        free_float[u] = min(
            [finish - duration - early_start[u]]
            + [early_start[v] - early_start[u] - w for v, w in out]
        )
    ids = [a.id for a in net.activities]
    es = np.array([early_start[i] for i in ids])
    durations = np.array([graph.nodes[i]["duration"] for i in ids])
    calendar = net.default_calendar
    return {
        "early_start": calendar.day(es, epoch=net.start),
        "early_finish": calendar.day(es + np.maximum(durations - 1, 0), epoch=net.start),
        "total_float": np.array([late_start[i] - early_start[i] for i in ids]),
        "free_float": np.array([free_float[i] for i in ids]),
    }


def chain(size: int) -> Network:
    """The deepest network there is: one chain of ``size`` tasks (one topological level each)."""
    program = generate(1, 1)
    acts = [Activity(f"T{i}", 1 + i % 5) for i in range(size)]
    links = [Link(f"T{i}", f"T{i + 1}") for i in range(size - 1)]
    return Network(program.network().start, acts, links, default_calendar=program.calendar)


def with_saturdays(net: Network) -> WorkCalendar:
    """The program's calendar with its first and third Saturdays of every month worked for
    five years: 120 extra working days, which NumPy's business days know nothing of."""
    base = net.default_calendar
    saturdays = np.arange(np.datetime64(net.start, "D"), np.datetime64(net.start, "D") + 5 * 366)
    saturdays = saturdays[np.is_busday(saturdays, weekmask="0000010")]
    extra = [s for s in saturdays.tolist() if (s.day - 1) // 7 in (0, 2)]
    return WorkCalendar(base.weekmask, base.holiday_days, extra)


def _best(run: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        gc.collect()
        began = time.perf_counter()
        out = run()
        times.append(time.perf_counter() - began)
    return min(times), out


def _peak_mib(run: Callable[[], Any]) -> float:
    gc.collect()
    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def _agree(net: Network, ours: ScheduleResult, theirs: dict[str, Any]) -> bool:
    tasks = ~ours.is_milestone
    return bool(
        (ours.total_float == theirs["total_float"]).all()
        and (ours.free_float == np.clip(theirs["free_float"], 0, None)).all()
        and (ours.early_start[tasks] == theirs["early_start"][tasks]).all()
        and (ours.early_finish[tasks] == theirs["early_finish"][tasks]).all()
    )


def _tj3_seconds(program: SyntheticProgram) -> float | None:
    if shutil.which("tj3") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "program.tjp"
        path.write_text(program.tjp(), encoding="utf-8")
        began = time.perf_counter()
        done = subprocess.run(
            ["tj3", "--silent", "--no-color", "--no-reports", str(path)],
            capture_output=True,
            timeout=300,
            check=False,
        )
        seconds = time.perf_counter() - began
    return seconds if done.returncode == 0 else None


def main() -> None:
    parser = argparse.ArgumentParser(description="CPM benchmark")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--chain", type=int, default=100000, help="also a single chain of this many tasks (0: none)"
    )
    parser.add_argument("--no-tj", action="store_true", help="skip TaskJuggler")
    args = parser.parse_args()
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"networkx {nx.__version__}, {platform.machine()}, {os.cpu_count()} cores"
    )
    header = (
        f"{'tasks':>7} {'links':>7} | {'podium s':>9} {'MiB':>6} | {'networkx s':>10} "
        f"{'MiB':>6} | {'speed-up':>8} | same"
    )
    print(header)
    print("-" * len(header))
    cases = []
    for size in args.sizes:
        projects, tasks = SHAPES.get(size, (max(1, size // 1000), min(size, 1000)))
        cases.append(("", generate(projects, tasks).network()))
    if 10000 in args.sizes:  # the same 10k program with a Saturday worked twice a month
        net = generate(*SHAPES[10000]).network()
        cases.append((" (extra days)", replace(net, default_calendar=with_saturdays(net))))
    if args.chain:
        cases.append((" (one chain)", chain(args.chain)))
    for label, net in cases:
        ours_s, ours = _best(lambda net=net: schedule(net), max(args.repeat, 3))
        theirs_s, theirs = _best(lambda net=net: networkx_cpm(net), args.repeat)
        ours_mib = _peak_mib(lambda net=net: schedule(net))
        theirs_mib = _peak_mib(lambda net=net: networkx_cpm(net))
        print(
            f"{len(net.activities):>7} {len(net.links):>7} | {ours_s:>9.3f} {ours_mib:>6.0f} | "
            f"{theirs_s:>10.3f} {theirs_mib:>6.0f} | {theirs_s / ours_s:>7.1f}x | "
            f"{'yes' if _agree(net, ours, theirs) else 'NO'}{label}"
        )
    if args.no_tj:
        return
    if shutil.which("tj3") is None:
        print("tj3 not installed (apt-get install -y tj3)")
        return
    for size in (1000, 5000):
        projects, tasks = SHAPES[size]
        program = generate(projects, tasks)
        seconds = _tj3_seconds(program)
        net = program.network()
        ours_s, _ = _best(lambda net=net: schedule(net), 3)
        shown = f"{seconds:.2f} s" if seconds is not None else "failed"
        print(f"tj3 {size:>6} tasks: {shown:>8}   (podium, same network: {ours_s:.3f} s)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"max resident memory of this run: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
