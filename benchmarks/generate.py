"""Synthetic programs for the benchmarks: P projects x T tasks, seeded.

Each project is a chain of work: every task depends on one or two of the ~12
tasks before it (mostly finish-to-start, some SS/FF/SF, some lags and leads),
~4 % of tasks are milestones, and ~2 % of tasks also wait on a task of another
project that comes earlier in the program (so the network stays acyclic and the
projects run side by side, as in a real program). About 1.5 links per task.
One Mon-Fri calendar with public holidays.

    python benchmarks/generate.py --projects 10 --tasks 100 --plan plan.json --tjp plan.tjp
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from podium.engine import Activity, Link, Network, WorkCalendar

START = date(2027, 1, 4)
LINK_TYPES = np.array(["FS", "SS", "FF", "SF"])


def holidays(first_year: int = 2027, years: int = 40) -> list[date]:
    """New Year, 1 May, Christmas and Boxing Day, and two moving-ish days per year."""
    days = []
    for year in range(first_year, first_year + years):
        days += [date(year, 1, 1), date(year, 5, 1), date(year, 12, 25), date(year, 12, 26)]
        days += [date(year, 4, 14 + year % 7), date(year, 8, 15)]
    return days


@dataclass
class SyntheticProgram:
    """A generated program as plain arrays (index-based), convertible to every format."""

    projects: int
    tasks_per_project: int
    duration: np.ndarray  # per task, working days (0 = milestone)
    pred: np.ndarray  # per link: task index
    succ: np.ndarray
    kind: np.ndarray  # per link: "FS" | "SS" | "FF" | "SF"
    lag: np.ndarray
    calendar: WorkCalendar

    @property
    def size(self) -> int:
        return len(self.duration)

    def task_id(self, i: int) -> str:
        return f"P{i // self.tasks_per_project}-{i % self.tasks_per_project}"

    def ids(self) -> list[str]:
        return [self.task_id(i) for i in range(self.size)]

    def network(self) -> Network:
        """The engine's input."""
        ids = self.ids()
        project = [f"P{i // self.tasks_per_project}" for i in range(self.size)]
        durations = self.duration.tolist()
        acts = [Activity(ids[i], int(d), group=project[i]) for i, d in enumerate(durations)]
        links = [
            Link(ids[p], ids[s], k, int(g))
            for p, s, k, g in zip(
                self.pred.tolist(),
                self.succ.tolist(),
                self.kind.tolist(),
                self.lag.tolist(),
                strict=True,
            )
        ]
        return Network(START, acts, links, default_calendar=self.calendar)

    def plan(self) -> dict[str, Any]:
        """The program as a Podium plan (docs/plan-format.md)."""
        ids = self.ids()
        return {
            "format": "podium-plan",
            "version": 1,
            "program": {
                "key": "SYN",
                "name": f"Synthetic {self.size}",
                "start": START.isoformat(),
                "calendar": "standard",
            },
            "calendars": [
                {
                    "name": "standard",
                    "workdays": ["Mon", "Tue", "Wed", "Thu", "Fri"],
                    "holidays": [d.isoformat() for d in self.calendar.holidays],
                }
            ],
            "projects": [{"key": f"P{p}", "name": f"Project {p}"} for p in range(self.projects)],
            "tasks": [
                {
                    "id": ids[i],
                    "project": f"P{i // self.tasks_per_project}",
                    "name": ids[i],
                    "duration": int(d),
                }
                for i, d in enumerate(self.duration.tolist())
            ],
            "dependencies": [
                {"from": ids[p], "to": ids[s], "type": k, "lag": int(g)}
                for p, s, k, g in zip(
                    self.pred.tolist(),
                    self.succ.tolist(),
                    self.kind.tolist(),
                    self.lag.tolist(),
                    strict=True,
                )
            ],
        }

    def tjp(self) -> str:
        """The program as a TaskJuggler 3 project (up to ~5 000 tasks: it ends in 2035).

        TaskJuggler has no SF/FF links nor leads (and loops on SS links between
        milestones): every link is written as finish-to-start with a gap >= 0."""
        lines = [
            f'project syn "Synthetic {self.size}" {START.isoformat()} +8y {{',
            '  timezone "UTC"',
            "  workinghours mon - fri 9:00 - 17:00",
            "  workinghours sat, sun off",
            "}",
        ]
        # TaskJuggler's calendar ends in 2035
        lines += [
            f'leaves holiday "h" {d.isoformat()}' for d in self.calendar.holidays if d.year < 2035
        ]
        preds: dict[int, list[str]] = {}
        for p, s, g in zip(self.pred.tolist(), self.succ.tolist(), self.lag.tolist(), strict=True):
            ref = "syn." + self.task_id(p).replace("-", ".t")
            preds.setdefault(s, []).append(ref + (f" {{ gaplength {g}d }}" if g > 0 else ""))
        lines.append('task syn "Program" {')
        for project in range(self.projects):
            lines.append(f'  task P{project} "Project {project}" {{')
            for t in range(self.tasks_per_project):
                i = project * self.tasks_per_project + t
                d = int(self.duration[i])
                body = [f"length {d}d"] if d else ["milestone"]
                if i in preds:
                    body.append("depends " + ", ".join(preds[i]))
                else:
                    body.append(f"start {START.isoformat()}")
                lines.append(f'    task t{t} "T{t}" {{ {" ".join(body)} }}')
            lines.append("  }")
        lines.append("}")
        lines.append('taskreport "out" { formats csv columns id, start, end }')
        return "\n".join(lines) + "\n"


def generate(projects: int, tasks_per_project: int, *, seed: int = 42) -> SyntheticProgram:
    """A seeded synthetic program (see the module docstring)."""
    rng = np.random.default_rng(seed)
    n = projects * tasks_per_project
    duration = rng.integers(1, 21, n)
    duration[rng.random(n) < 0.04] = 0
    position = np.tile(np.arange(tasks_per_project), projects)
    base = np.repeat(np.arange(projects) * tasks_per_project, tasks_per_project)
    has_pred = position > 0
    succ = np.flatnonzero(has_pred)
    second = succ[rng.random(succ.size) < 0.48]
    succ = np.concatenate([succ, second])
    window = np.minimum(position[succ], 12)
    pred = succ - 1 - (rng.random(succ.size) * window).astype(np.int64)
    pred = np.maximum(pred, base[succ])
    cross = np.flatnonzero((rng.random(n) < 0.02) & (position > 0))
    if projects > 1 and cross.size:
        other = (cross // tasks_per_project + rng.integers(1, projects, cross.size)) % projects
        earlier = (rng.random(cross.size) * position[cross]).astype(np.int64)
        pred = np.concatenate([pred, other * tasks_per_project + earlier])
        succ = np.concatenate([succ, cross])
    pairs = np.unique(np.stack([pred, succ], axis=1), axis=0)
    pred, succ = pairs[:, 0], pairs[:, 1]
    kind = LINK_TYPES[rng.choice(4, pred.size, p=[0.88, 0.06, 0.05, 0.01])]
    lag = np.where(rng.random(pred.size) < 0.75, 0, rng.integers(-2, 6, pred.size))
    return SyntheticProgram(
        projects,
        tasks_per_project,
        duration,
        pred,
        succ,
        kind,
        lag,
        WorkCalendar("1111100", holidays()),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=10)
    parser.add_argument("--tasks", type=int, default=100, help="tasks per project")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--plan", type=Path, help="write a Podium plan (JSON) here")
    parser.add_argument("--tjp", type=Path, help="write a TaskJuggler project here")
    args = parser.parse_args()
    program = generate(args.projects, args.tasks, seed=args.seed)
    if args.plan:
        args.plan.write_text(json.dumps(program.plan()), encoding="utf-8")
    if args.tjp:
        args.tjp.write_text(program.tjp(), encoding="utf-8")
    print(
        f"{program.size} tasks, {program.pred.size} links "
        f"({program.pred.size / program.size:.2f} per task)"
    )


if __name__ == "__main__":
    main()
