"""Resource leveling benchmark: PSPLIB instances and a synthetic 10,000-task program.

Levels PSPLIB single-mode instances (../shared/data/psplib: j30, j60, j90, j120)
with Podium's fast heuristic (:func:`podium.engine.leveling.level`) and with
CP-SAT (:func:`podium.engine.leveling.level_optimal`), checks every schedule
with the independent checker, and reports per set: the mean deviation of the
makespan from the optimum or best known (bounds.csv ``upper_bound``) and from
the critical-path lower bound (the file's MPM-Time), how many instances match
the best known, how many are proven optimal, and the time per instance.
TaskJuggler 3 (``tj3``) levels the same instances written as .tjp files.
Then the heuristic levels a synthetic 10,000-task program with 150 shared people.

    .venv/bin/python benchmarks/bench_leveling.py --sets j30 --limit 48
    .venv/bin/python benchmarks/bench_leveling.py --sets j120 --limit 60 --no-tj
    .venv/bin/python benchmarks/bench_leveling.py --sets --synthetic   # the 10k program only

``--limit N`` takes N instances spread evenly over the set (every parameter
group of PSPLIB's design is represented in proportion).
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from generate import generate

from podium.engine import Network, WorkCalendar
from podium.engine.leveling import (
    Assignment,
    LevelingResult,
    Resource,
    check_leveling,
    level,
    level_optimal,
)
from podium.engine.leveling.heuristic import load_passes
from podium.interop.psplib import PsplibInstance, psplib_to_leveling, read_psplib

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "psplib"
CPSAT_SECONDS = {"j30": 2.0, "j60": 5.0, "j90": 5.0, "j120": 10.0}


@dataclass
class Tally:
    """Figures of one method on one set."""

    makespans: list[int] = field(default_factory=list)
    best: list[int] = field(default_factory=list)
    cpm: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    proven: int = 0
    failed: int = 0

    def add(self, makespan: int, best: int, cpm: int, seconds: float, proven: bool) -> None:
        self.makespans.append(makespan)
        self.best.append(best)
        self.cpm.append(cpm)
        self.seconds.append(seconds)
        self.proven += proven

    def row(self, label: str) -> str:
        if not self.makespans:
            return f"| {label} | 0 | | | | | | |"
        m, b, c = (np.array(x, np.float64) for x in (self.makespans, self.best, self.cpm))
        dev_best = 100 * np.mean((m - b) / b)
        dev_cpm = 100 * np.mean((m - c) / c)
        ref_cpm = 100 * np.mean((b - c) / c)
        same = int(np.sum(m <= b))
        t = np.array(self.seconds)
        failed = f" ({self.failed} failed)" if self.failed else ""
        return (
            f"| {label} | {len(m)}{failed} | {dev_best:.2f} % | {dev_cpm:.2f} % "
            f"(best known {ref_cpm:.2f} %) | {same} | {self.proven} | "
            f"{np.mean(t):.3f} s | {np.max(t):.3f} s |"
        )


def pick(files: list[Path], limit: int | None) -> list[Path]:
    """``limit`` files spread evenly over ``files`` (all when no limit)."""
    if limit is None or limit >= len(files):
        return files
    at = np.linspace(0, len(files) - 1, limit).round().astype(int)
    return [files[i] for i in sorted(set(at.tolist()))]


def psplib_files(name: str) -> list[Path]:
    def order(p: Path) -> tuple[int, int]:
        group, index = p.stem[len(name) :].split("_")
        return int(group), int(index)

    return sorted((DATA / name).glob("*.sm"), key=order)


def read_bounds() -> dict[str, tuple[int, int]]:
    with (DATA / "bounds.csv").open(encoding="utf-8") as f:
        return {
            r["instance"]: (int(r["lower_bound"]), int(r["upper_bound"])) for r in csv.DictReader(f)
        }


def _verified(instance: PsplibInstance, result: LevelingResult, lower: int) -> None:
    problem = psplib_to_leveling(instance)
    bad = check_leveling(problem.network, problem.resources, problem.assignments, result)
    if bad:
        raise AssertionError(f"{instance.name}: infeasible schedule: {bad[0].message}")
    if result.makespan < lower:
        raise AssertionError(
            f"{instance.name}: makespan {result.makespan} below the lower "
            f"bound {lower}: a constraint must be violated"
        )


# --- TaskJuggler ----------------------------------------------------------------------


def tjp(instance: PsplibInstance) -> str:
    """The instance as a TaskJuggler project: one period = one hour, every hour worked;
    a resource of capacity c is a pool of c people; a job that needs q of it allocates q
    of them (mandatory, any of the pool) for ``duration x q`` hours of effort."""
    lines = [
        f'project p "{instance.name}" 2000-01-03 +2y {{',
        '  timezone "UTC"',
        "  timingresolution 60min",
        "  dailyworkinghours 24",
        "  workinghours mon - sun 0:00 - 24:00",
        "}",
    ]
    for k, capacity in enumerate(instance.capacities):
        for u in range(capacity):
            lines.append(f'resource r{k}_{u} "R{k + 1} #{u + 1}"')
    predecessors: dict[int, list[int]] = {}
    for j, succs in enumerate(instance.successors):
        for s in succs:
            predecessors.setdefault(s - 1, []).append(j)
    lines.append('task p "Project" {')
    for j, duration in enumerate(instance.durations):
        body: list[str] = []
        need = instance.requests[j]
        units = sum(need)
        if duration == 0:
            body.append("milestone")
        elif units == 0:
            body.append(f"duration {duration}h")
        else:
            body.append(f"effort {duration * units}h")
            for k, q in enumerate(need):
                pool = [f"r{k}_{u}" for u in range(instance.capacities[k])]
                for _ in range(q):
                    alternatives = ", ".join(pool[1:])
                    rest = f" {{ alternative {alternatives} mandatory }}" if alternatives else ""
                    body.append(f"allocate {pool[0]}{rest}")
        if j in predecessors:
            body.append("depends " + ", ".join(f"p.j{i}" for i in predecessors[j]))
        else:
            body.append("start 2000-01-03")
        lines.append(f'  task j{j} "J{j + 1}" {{ {" ".join(body)} }}')
    lines.append("}")
    lines.append(
        'taskreport "out" { formats csv columns id, start, end timeformat "%Y-%m-%d-%H:%M" }'
    )
    return "\n".join(lines) + "\n"


def run_tj(instance: PsplibInstance, timeout: float) -> tuple[int, float] | None:
    """TaskJuggler's makespan (hours) and wall time, or None if it failed or timed out."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{instance.name}.tjp"
        path.write_text(tjp(instance), encoding="utf-8")
        began = time.perf_counter()
        try:
            done = subprocess.run(
                ["tj3", "--silent", "--no-color", "-o", tmp, str(path)],
                capture_output=True,
                timeout=timeout,
                check=False,
                cwd=tmp,
            )
        except subprocess.TimeoutExpired:
            return None
        seconds = time.perf_counter() - began
        report = Path(tmp) / "out.csv"
        if done.returncode != 0 or not report.exists():
            return None
        ends = []
        with report.open(encoding="utf-8") as f:
            for row in csv.reader(f, delimiter=";"):
                if len(row) >= 3 and row[2][:4].isdigit():
                    ends.append(np.datetime64(f"{row[2][:10]}T{row[2][11:16]}"))
        if not ends:
            return None
        start = np.datetime64("2000-01-03T00:00")
        hours = int((max(ends) - start) / np.timedelta64(1, "h"))
        return hours, seconds


# --- PSPLIB runs --------------------------------------------------------------------------


def bench_set(name: str, args: argparse.Namespace, bounds: dict[str, tuple[int, int]]) -> None:
    files = pick(psplib_files(name), args.limit)
    cp_seconds = args.cpsat_time if args.cpsat_time is not None else CPSAT_SECONDS[name]
    tallies = {"heuristic": Tally(), "cp-sat": Tally(), "tj3": Tally(), "heuristic (same)": Tally()}
    print(
        f"\n{name}: {len(files)} instances; heuristic {args.heuristic_time} s, "
        f"CP-SAT {cp_seconds} s per instance",
        flush=True,
    )
    tj = not args.no_tj and shutil.which("tj3") is not None and name in args.tj_sets
    for count, path in enumerate(files, 1):
        instance = read_psplib(path)
        lower, upper = bounds[instance.name]
        cpm = instance.cpm_length or lower
        problem = psplib_to_leveling(instance)
        began = time.perf_counter()
        fast = level(
            problem.network,
            problem.resources,
            problem.assignments,
            time_limit=args.heuristic_time,
            seed=count,
            threads=args.threads,
        )
        fast_s = time.perf_counter() - began
        _verified(instance, fast, lower)
        tallies["heuristic"].add(fast.makespan, upper, cpm, fast_s, fast.optimal)
        line = f"{instance.name:>10} best {upper:>4} | heuristic {fast.makespan:>4} {fast_s:5.2f}s"
        if not args.no_cpsat:
            began = time.perf_counter()
            best = level_optimal(
                problem.network,
                problem.resources,
                problem.assignments,
                time_limit=cp_seconds,
                workers=args.workers,
                seed=count,
                threads=args.threads,
                heuristic_time=args.warm_up,
            )
            best_s = time.perf_counter() - began
            _verified(instance, best, lower)
            tallies["cp-sat"].add(best.makespan, upper, cpm, best_s, best.optimal)
            line += (
                f" | cp-sat {best.makespan:>4} {best_s:5.2f}s "
                f"{'optimal' if best.optimal else best.status}"
            )
        if tj:
            got = run_tj(instance, args.tj_timeout)
            if got is None:
                tallies["tj3"].failed += 1
                line += " | tj3 failed"
            else:
                tallies["tj3"].add(got[0], upper, cpm, got[1], False)
                tallies["heuristic (same)"].add(fast.makespan, upper, cpm, fast_s, fast.optimal)
                line += f" | tj3 {got[0]:>4} {got[1]:5.2f}s"
        if args.verbose or count % 10 == 0 or count == len(files):
            print(f"[{count}/{len(files)}] {line}", flush=True)
    header = (
        "| method | instances | mean dev. from best known | mean dev. from CPM bound | "
        "= best known | proven optimal | mean time | max time |"
    )
    print(f"\n{name}\n{header}\n|---|---:|---:|---:|---:|---:|---:|---:|")
    print(tallies["heuristic"].row("heuristic"))
    if not args.no_cpsat:
        print(tallies["cp-sat"].row(f"CP-SAT {cp_seconds:g} s"))
    if tj:
        print(tallies["tj3"].row("TaskJuggler 3"))
        print(tallies["heuristic (same)"].row("heuristic, same instances as tj3"))


# --- synthetic program ----------------------------------------------------------------


def synthetic(
    people: int = 150, *, seed: int = 7, time_off: bool = False
) -> tuple[Network, list[Resource], list[Assignment]]:
    """benchmarks/generate.py's 20 x 500 program with ``people`` shared people: each task
    (not milestones) gets one person (70 % full time, 30 % half time), one in five a second
    person at half time; with ``time_off`` every person also takes two weeks off a year."""
    program = generate(20, 500)
    net = program.network()
    rng = np.random.default_rng(seed)
    resources = []
    for k in range(people):
        calendar = None
        if time_off:
            days = list(program.calendar.holidays)
            for year in range(2027, 2040):
                first = np.datetime64(f"{year}-01-01") + int(rng.integers(0, 340))
                days += [(first + i).item() for i in range(14)]
            calendar = WorkCalendar("1111100", days)
        resources.append(Resource(f"P{k}", 1.0, calendar))
    assignments = []
    for a in net.activities:
        if a.duration == 0:
            continue
        first, second = rng.choice(people, 2, replace=False).tolist()
        assignments.append(Assignment(a.id, f"P{first}", 1.0 if rng.random() < 0.7 else 0.5))
        if rng.random() < 0.2:
            assignments.append(Assignment(a.id, f"P{second}", 0.5))
    return net, resources, assignments


def bench_threads(seconds: float = 1.0, instances: int = 10) -> None:
    """Improved passes per second of the compiled kernels, one thread against two (each
    its own scheduler, random orders), on j120 instances: what two walks gain."""
    from podium.engine.leveling._fast import FastScheduler
    from podium.engine.leveling._problem import compile_problem

    def passes(problem: object, seed: int, out: list[int]) -> None:
        sched = FastScheduler(problem)  # type: ignore[arg-type]
        rng = np.random.default_rng(seed)
        key = np.zeros(len(sched.kind), np.int64)
        end = time.perf_counter() + seconds
        count = 0
        while time.perf_counter() < end:
            key[sched.searched[rng.permutation(sched.searched.size)]] = np.arange(
                sched.searched.size
            )
            sched.forward_improve(key, deadline=end)
            count += 1
        out.append(count)

    print(f"\ncompiled passes in threads: {instances} j120 instances, {seconds:g} s each")
    ratios = []
    for path in pick(psplib_files("j120"), instances):
        plan = psplib_to_leveling(read_psplib(path))
        pb = compile_problem(plan.network, plan.resources, plan.assignments)
        alone: list[int] = []
        passes(pb, 1, alone)
        both: list[int] = []
        workers = [threading.Thread(target=passes, args=(pb, i, both)) for i in range(2)]
        for t in workers:
            t.start()
        for t in workers:
            t.join()
        ratios.append(sum(both) / alone[0])
        print(
            f"  {path.stem:>10}: one thread {alone[0]:>6} passes, two {sum(both):>6} "
            f"({ratios[-1]:.2f} x)"
        )
    print(f"  two threads make {min(ratios):.2f}-{max(ratios):.2f} x the passes of one")


def bench_synthetic(args: argparse.Namespace) -> None:
    print("\nsynthetic program: 20 projects x 500 tasks, 150 shared people")
    for time_off in (False, True):
        net, resources, assignments = synthetic(time_off=time_off)
        times, result = [], None
        for _ in range(args.repeat):
            began = time.perf_counter()
            result = level(net, resources, assignments, time_limit=args.synthetic_time)
            times.append(time.perf_counter() - began)
        assert result is not None
        bad = check_leveling(net, resources, assignments, result)
        label = "with 2 weeks off a year per person" if time_off else "one shared calendar"
        print(
            f"  {label}: {len(net.activities)} tasks, {len(assignments)} assignments -> "
            f"best {min(times):.2f} s (median {np.median(times):.2f} s), finish "
            f"{result.unleveled_makespan} -> {result.makespan} working days, "
            f"{len(result.delayed())} tasks delayed, rule {result.rule}, "
            f"{'feasible' if not bad else f'{len(bad)} VIOLATIONS'}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description="resource leveling benchmark")
    parser.add_argument("--sets", nargs="*", default=["j30", "j60", "j120"])
    parser.add_argument("--limit", type=int, help="instances per set, spread evenly")
    parser.add_argument(
        "--heuristic-time", type=float, default=0.4, help="heuristic time limit per instance (s)"
    )
    parser.add_argument(
        "--cpsat-time",
        type=float,
        help="CP-SAT time limit per instance (s; default 2 for j30, 5 for j60/j90, 10 for j120)",
    )
    parser.add_argument("--workers", type=int, help="CP-SAT workers (default 8)")
    parser.add_argument(
        "--warm-up", type=float, help="seconds of heuristic before CP-SAT (default: cpsat.warm_up)"
    )
    parser.add_argument(
        "--threads", type=int, help="the heuristic's walks at once (default: 2 on 2+ cores)"
    )
    parser.add_argument("--no-cpsat", action="store_true")
    parser.add_argument("--no-tj", action="store_true", help="skip TaskJuggler")
    parser.add_argument("--tj-sets", nargs="*", default=["j30", "j60", "j120"])
    parser.add_argument("--tj-timeout", type=float, default=120.0)
    parser.add_argument("--synthetic", action="store_true", help="level the 10k program")
    parser.add_argument(
        "--threads-speed",
        action="store_true",
        help="passes per second of the kernels in one thread and in two",
    )
    parser.add_argument("--synthetic-time", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--verbose", action="store_true", help="one line per instance")
    args = parser.parse_args()
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"{platform.machine()}, {os.cpu_count()} cores"
    )
    bounds = read_bounds()
    load_passes()  # once per process (compiled the first time on a machine): not timed
    for name in args.sets:
        bench_set(name, args, bounds)
    if args.synthetic:
        bench_synthetic(args)
    if args.threads_speed:
        bench_threads()


if __name__ == "__main__":
    main()
