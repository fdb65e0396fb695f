"""Shared resources on a stored 10k-task program: edits, the load view, leveling.

The program is benchmarks/generate.py's 20 projects x 500 tasks with 150 shared
people (as in bench_leveling.py: every task one person, 70 % full time, one in
five a second person at half time), imported into a fresh database. Measured
through the whole stack (FastAPI in-process, the unit of work, SQL):

* one task edit, which now also recomputes the over-allocation alerts of every
  program sharing those people (compare with bench_api.py's figure without
  resources: target <= 150 ms median);
* ``GET /programs/{id}/resource-load?period=week`` (150 people x the horizon);
* ``POST /programs/{id}/level`` preview with the heuristic (target: interactive,
  <= 2 s for the leveling itself), then apply.

    .venv/bin/python benchmarks/bench_resources.py [--backend sqlite|postgresql] [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from fastapi.testclient import TestClient
from sqlalchemy import select, text

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_api import _engine
from generate import generate

from podium.app import create_app
from podium.config import Settings
from podium.db import session_factory, upgrade_database
from podium.interop.plan_format import read_plan
from podium.models import Task
from podium.services import auth
from podium.services.actor import SYSTEM, Actor
from podium.services.plans import import_plan
from podium.services.uow import complete


def plan_with_people(people: int = 150, seed: int = 7) -> dict[str, Any]:
    program = generate(20, 500)
    plan = program.plan()
    rng = np.random.default_rng(seed)
    plan["resources"] = [
        {
            "id": f"p{k}",
            "name": f"Person {k}",
            "capacity": 1.0,
            "calendar": plan["program"]["calendar"],
        }
        for k in range(people)
    ]
    assignments = []
    for task in plan["tasks"]:
        if task.get("duration", 0) == 0 or task.get("is_summary"):
            continue
        first, second = rng.choice(people, 2, replace=False).tolist()
        assignments.append(
            {
                "task": task["id"],
                "resource": f"p{first}",
                "units": 1.0 if rng.random() < 0.7 else 0.5,
            }
        )
        if rng.random() < 0.2:
            assignments.append({"task": task["id"], "resource": f"p{second}", "units": 0.5})
    parents = {t.get("parent") for t in plan["tasks"] if t.get("parent")}
    plan["assignments"] = [a for a in assignments if a["task"] not in parents]
    return plan


def _ms(samples: list[float]) -> str:
    median, low = 1000 * statistics.median(samples), 1000 * min(samples)
    return f"{median:7.1f} ms (min {low:.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine, pg = _engine(args.backend, Path(tmp))
        try:
            upgrade_database(engine)
            plan = plan_with_people()
            with session_factory(engine)() as session:
                user = auth.add_user(session, SYSTEM, email="b@example.com", password="bench-pw-1")
                began = time.perf_counter()
                program = import_plan(session, Actor.of(user), read_plan(plan))
                complete(session)
                import_seconds = time.perf_counter() - began
                _token, secret = auth.create_token(session, user, name="bench")
                session.commit()
                program_id = program.id
                task_ids = list(
                    session.scalars(
                        select(Task.id)
                        .where(Task.program_id == program_id, Task.duration > 0)
                        .order_by(Task.id)
                        .limit(args.runs + 3)
                    )
                )
            app = create_app(
                Settings(database_url=str(engine.url), environment="test"), engine=engine
            )
            headers = {"Authorization": f"Bearer {secret}"}
            edit: list[float] = []
            load: list[float] = []
            with TestClient(app) as client:
                for i, task_id in enumerate(task_ids):
                    current = client.get(f"/api/v1/tasks/{task_id}", headers=headers).json()
                    if current["is_summary"]:
                        continue
                    began = time.perf_counter()
                    response = client.patch(
                        f"/api/v1/tasks/{task_id}",
                        headers=headers,
                        json={"duration": current["duration"] + 1},
                    )
                    assert response.status_code == 200, response.text
                    if i >= 3:
                        edit.append(time.perf_counter() - began)
                for _ in range(5):
                    began = time.perf_counter()
                    response = client.get(
                        f"/api/v1/programs/{program_id}/resource-load",
                        params={"period": "week"},
                        headers=headers,
                    )
                    assert response.status_code == 200, response.text
                    load.append(time.perf_counter() - began)
                over = sum(r["over_allocated_days"] for r in response.json()["resources"])
                began = time.perf_counter()
                preview = client.post(
                    f"/api/v1/programs/{program_id}/level",
                    headers=headers,
                    json={"method": "heuristic", "time_limit": 2},
                )
                preview_seconds = time.perf_counter() - began
                assert preview.status_code == 200, preview.text
                body = preview.json()
                began = time.perf_counter()
                applied = client.post(
                    f"/api/v1/programs/{program_id}/level",
                    headers=headers,
                    json={
                        "method": "heuristic",
                        "time_limit": 2,
                        "apply": True,
                        "schedule_token": body["schedule_token"],
                    },
                )
                apply_seconds = time.perf_counter() - began
                assert applied.status_code == 200, applied.text
        finally:
            engine.dispose()
            if pg is not None:
                admin, schema = pg
                with admin.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    print(
        f"program: 10000 tasks, {len(plan['assignments'])} assignments of 150 people, "
        f"backend {args.backend}; import {import_seconds:.2f} s"
    )
    print(f"edit one task via API (median of {len(edit)}):      {_ms(edit)}  target <= 150 ms")
    print(
        f"resource load, 150 people by week (median of 5): {_ms(load)}  "
        f"({over} over-allocated person-days)"
    )
    print(
        f"level, heuristic preview (whole request):        {preview_seconds:7.2f} s  "
        f"leveling itself {body['seconds']:.2f} s; over-allocated days "
        f"{body['over_allocated_days_before']} -> {body['over_allocated_days_after']}; "
        f"{len(body['moves'])} tasks move"
    )
    print(f"level, apply (whole request, rescheduled):       {apply_seconds:7.2f} s")


if __name__ == "__main__":
    main()
