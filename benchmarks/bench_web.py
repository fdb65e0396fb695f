"""Web benchmark: a 10,000-task program served by a live Podium, read by a real Chromium.

The program is the synthetic one of benchmarks/generate.py (5 projects x 2,000
tasks, ~1.5 links per task, ~2 % cross-project), given a WBS (a summary task
over every 25 tasks) and five program milestones, imported through
:func:`podium.services.plans.import_plan` into a fresh SQLite file and
rescheduled. Then, against uvicorn on 127.0.0.1:

(a) the program overview page: server time of ``GET /programs/{id}``, median
    of N requests (httpx, keep-alive, signed in by session cookie); the
    roadmap's JSON and the dependency map page are timed the same way;
(b) the roadmap in headless Chromium: from navigation start to the chart
    drawn (the page's ``data-drawn-at``: after the SVG is in the document and
    laid out, at the next animation frame), with the first project expanded
    (2,000 tasks and their 80 summaries on screen) and the other projects
    collapsed; median of R page loads. Also: re-drawing at another zoom, and
    "Expand all" (all 10,000 tasks on screen).

    .venv/bin/python benchmarks/bench_web.py             # about a minute
    .venv/bin/python benchmarks/bench_web.py --requests 50 --loads 7
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from generate import generate
from playwright.sync_api import expect, sync_playwright
from sqlalchemy import select

from podium.api.deps import SESSION_COOKIE
from podium.app import create_app
from podium.config import Settings
from podium.db import make_engine, session_factory, upgrade_database
from podium.interop.plan_format import read_plan
from podium.models import Project
from podium.services import auth
from podium.services.actor import SYSTEM, Actor
from podium.services.plans import import_plan
from podium.services.uow import complete

CHROMIUM = os.environ.get("PODIUM_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
PROJECTS, TASKS_PER_PROJECT, PHASE = 5, 2000, 25


def bench_plan() -> dict[str, Any]:
    """The synthetic plan with a WBS (one summary per 25 tasks) and program milestones."""
    program = generate(PROJECTS, TASKS_PER_PROJECT)
    plan = program.plan()
    plan["program"]["key"] = "WEB10K"
    plan["program"]["name"] = "Web benchmark (10,000 tasks)"
    summaries = []
    for i, task in enumerate(plan["tasks"]):
        project, number = divmod(i, TASKS_PER_PROJECT)
        phase = f"P{project}-S{number // PHASE}"
        if number % PHASE == 0:
            summaries.append(
                {
                    "id": phase,
                    "project": f"P{project}",
                    "name": f"Phase {number // PHASE + 1}",
                    "duration": 0,
                }
            )
        task["parent"] = phase
    plan["tasks"] = summaries + plan["tasks"]
    plan["milestones"] = [
        {"id": f"M{p + 1}", "name": f"Project {p} delivered", "target": "2029-06-29"}
        for p in range(PROJECTS)
    ]
    plan["dependencies"] += [
        {"from": f"P{p}-{TASKS_PER_PROJECT - 1}", "to": f"M{p + 1}", "type": "FS", "lag": 0}
        for p in range(PROJECTS)
    ]
    return plan


def seed(database: Path) -> tuple[Any, int, str]:
    """A migrated SQLite file holding the program; its engine, id and a session cookie."""
    engine = make_engine(f"sqlite:///{database}")
    upgrade_database(engine)
    db = session_factory(engine)()
    try:
        user = auth.add_user(db, SYSTEM, email="bench@example.com", password="x" * 12, name="Bench")
        db.commit()
        started = time.perf_counter()
        program = import_plan(db, Actor.of(user), read_plan(bench_plan()))
        complete(db)
        print(
            f"imported and scheduled {PROJECTS * TASKS_PER_PROJECT:,} tasks "
            f"in {time.perf_counter() - started:.1f} s"
        )
        _web, cookie = auth.start_session(db, user, days=1)
        db.commit()
        return engine, program.id, cookie
    finally:
        db.close()


def first_project(engine: Any) -> int:
    """The id of the program's first project (2,000 tasks: its WBS shows 200 at a time)."""
    db = session_factory(engine)()
    try:
        return int(db.scalars(select(Project.id).order_by(Project.id)).first() or 0)
    finally:
        db.close()


def serve(engine: Any) -> tuple[uvicorn.Server, str]:
    settings = Settings(database_url=str(engine.url), environment="test", secret_key="bench-web")
    app = create_app(settings, engine=engine)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", ws="none", lifespan="off"))
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.02)
    return server, f"http://127.0.0.1:{port}"


def server_times(base: str, cookie: str, path: str, n: int) -> tuple[float, float, int]:
    """Median and max milliseconds of ``n`` GETs (after one warm-up), and the body size."""
    times = []
    with httpx.Client(base_url=base, cookies={SESSION_COOKIE: cookie}, timeout=60) as client:
        size = len(client.get(path).raise_for_status().content)
        for _ in range(n):
            started = time.perf_counter()
            client.get(path).raise_for_status()
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times), size


def chromium_times(base: str, cookie: str, program_id: int, loads: int) -> dict[str, Any]:
    host = base.split("//")[1].split(":")[0]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 800})
        context.add_cookies(
            [{"name": SESSION_COOKIE, "value": cookie, "domain": host, "path": "/"}]
        )
        page = context.new_page()
        drawn, loaded, rows = [], [], 0
        for _ in range(loads + 1):  # the first load warms the caches
            page.goto(f"/programs/{program_id}/roadmap")
            chart = page.locator("#roadmap")
            expect(chart).to_have_attribute("data-state", "ready", timeout=60_000)
            drawn.append(float(chart.get_attribute("data-drawn-at") or "nan"))
            loaded.append(float(chart.get_attribute("data-loaded-at") or "nan"))
            rows = int(chart.get_attribute("data-rows") or 0)
        tasks_on_screen = page.evaluate(
            "() => window.podiumRoadmap.rows()"
            ".filter(n => n.kind === 'task' || n.kind === 'milestone').length"
        )
        zoom = page.evaluate(
            """() => { const t0 = performance.now();
                document.querySelector('[data-zoom="month"]').click();
                document.querySelector('.rm-svg').getBoundingClientRect();
                return performance.now() - t0; }"""
        )
        expand = page.evaluate(
            """() => new Promise(done => { const t0 = performance.now();
                document.querySelector('[data-action="expand-all"]').click();
                document.querySelector('.rm-svg').getBoundingClientRect();
                requestAnimationFrame(() => done([performance.now() - t0,
                    Number(document.querySelector('#roadmap').dataset.rows)])); })"""
        )
        scroll = page.evaluate(
            """() => new Promise(done => { const v = document.querySelector('.rm-viewport');
                const t0 = performance.now(); v.scrollTop = v.scrollHeight / 2;
                requestAnimationFrame(() => requestAnimationFrame(() => {
                    v.querySelector('.rm-svg').getBoundingClientRect();
                    done(performance.now() - t0); })); })"""
        )
        browser.close()
    return {
        "drawn_ms": statistics.median(drawn[1:]),
        "drawn_max_ms": max(drawn[1:]),
        "loaded_ms": statistics.median(loaded[1:]),
        "rows": rows,
        "tasks_on_screen": tasks_on_screen,
        "zoom_ms": zoom,
        "expand_all_ms": expand[0],
        "expand_all_rows": expand[1],
        "scroll_ms": scroll,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30, help="GETs per page (a)")
    parser.add_argument("--loads", type=int, default=5, help="roadmap page loads (b)")
    args = parser.parse_args()
    print(
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores; "
        f"SQLite file; uvicorn, one worker"
    )
    with tempfile.TemporaryDirectory() as folder:
        engine, program_id, cookie = seed(Path(folder) / "bench.db")
        server, base = serve(engine)
        try:
            print(f"\n(a) server time, median of {args.requests} requests (max):")
            for label, path in (
                ("program overview page", f"/programs/{program_id}"),
                ("roadmap page (shell)", f"/programs/{program_id}/roadmap"),
                ("roadmap.json (all 10k tasks)", f"/programs/{program_id}/roadmap.json"),
                ("dependency map page", f"/programs/{program_id}/dependencies"),
                ("project page (2,000-task WBS)", f"/projects/{first_project(engine)}"),
            ):
                median, worst, size = server_times(base, cookie, path, args.requests)
                print(
                    f"    {label:<30} {median:7.1f} ms  "
                    f"(max {worst:7.1f} ms, {size / 1024:,.0f} KiB)"
                )
            result = chromium_times(base, cookie, program_id, args.loads)
            print(f"\n(b) roadmap in Chromium, median of {args.loads} loads (max):")
            print(
                f"    navigation start -> chart drawn  {result['drawn_ms']:7.0f} ms  "
                f"(max {result['drawn_max_ms']:.0f} ms; {result['rows']:,} rows of which "
                f"{result['tasks_on_screen']:,} tasks expanded)"
            )
            print(f"      of which data fetched + parsed {result['loaded_ms']:7.0f} ms")
            print(f"    re-draw at another zoom          {result['zoom_ms']:7.0f} ms")
            print(
                f"    expand all                       {result['expand_all_ms']:7.0f} ms  "
                f"({result['expand_all_rows']:,} rows)"
            )
            print(f"    scroll half-way (window redrawn) {result['scroll_ms']:7.0f} ms")
        finally:
            server.should_exit = True
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
