"""PSPLIB single-mode RCPSP instances (``.sm`` files): read them, and level them.

PSPLIB (Kolisch & Sprecher 1996, *EJOR* 96(1)) is the standard library of
resource-constrained project scheduling problems. A ``.sm`` file lists jobs
(job 1 and the last job are dummy source and sink), their finish-to-start
successors, one duration and per-period request of each renewable resource per
job, and the constant capacity of each resource; the goal is the shortest
makespan. :func:`read_psplib` reads one into a :class:`PsplibInstance`, with an
error naming the line for anything malformed; :func:`psplib_to_leveling` turns it
into the leveling engine's input (jobs become tasks named ``J1`` … ``Jn`` on a
seven-day calendar, so one period is one working day; resources ``R1`` … ``Rk``),
and :func:`psplib_to_plan` into a plan exchange document of the same shape.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from podium.engine import Activity, Link, Network, WorkCalendar
from podium.engine.leveling import Assignment, LevelingInput, Resource
from podium.interop.plan_format import Plan, read_plan

EVERY_DAY = WorkCalendar("1111111")
PSPLIB_START = date(2000, 1, 3)  # any day will do: every day is a working day


class PsplibError(ValueError):
    """A ``.sm`` file that cannot be read; the message names the file and the line."""

    def __init__(self, message: str, *, line: int | None = None, source: str = "") -> None:
        self.line = line
        where = source + (f":{line}" if line is not None else "")
        super().__init__(f"{where}: {message}" if where else message)


@dataclass(frozen=True, slots=True)
class PsplibInstance:
    """One single-mode RCPSP instance; job ``j`` (1-based, as in the file) is at index ``j - 1``.

    ``requests[j - 1][k]`` is job ``j``'s per-period use of resource ``k + 1``;
    ``successors`` hold job numbers; ``cpm_length`` is the file's ``MPM-Time``
    (the critical-path lower bound) when given.
    """

    name: str
    durations: tuple[int, ...]
    successors: tuple[tuple[int, ...], ...]
    capacities: tuple[int, ...]
    requests: tuple[tuple[int, ...], ...]
    horizon: int | None = None
    cpm_length: int | None = None

    @property
    def jobs(self) -> int:
        """Number of jobs, the two dummies included."""
        return len(self.durations)


_INT = re.compile(r"-?\d+")


class _Lines:
    """The file's lines with their numbers, and the position of each section."""

    def __init__(self, text: str, source: str) -> None:
        self.lines = text.splitlines()
        self.source = source

    def error(self, message: str, line: int | None = None) -> PsplibError:
        return PsplibError(message, line=line, source=self.source)

    def find(self, prefix: str) -> int:
        """Index of the first line starting with ``prefix`` (case-insensitive)."""
        wanted = prefix.lower()
        for i, line in enumerate(self.lines):
            if line.strip().lower().startswith(wanted):
                return i
        raise self.error(f"no {prefix!r} section")

    def header_int(self, prefix: str) -> tuple[int, int]:
        """The integer after the colon of the line starting with ``prefix``, and its line."""
        i = self.find(prefix)
        _, _, value = self.lines[i].partition(":")
        numbers = _INT.findall(value)
        if not numbers:
            raise self.error(f"{prefix!r}: no number after the colon", i + 1)
        return int(numbers[0]), i + 1

    def rows(self, start: int) -> Iterator[tuple[int, list[int]]]:
        """(line number, integers) of the data rows after line index ``start``, up to the
        next line of stars; non-numeric rows (column titles, dashes) are skipped."""
        for i in range(start + 1, len(self.lines)):
            text = self.lines[i].strip()
            if text.startswith("*"):
                return
            if not text or not text[0].isdecimal():
                continue
            fields = text.split()
            if not all(_INT.fullmatch(f) for f in fields):
                raise self.error(f"expected whole numbers, got {text!r}", i + 1)
            yield i + 1, [int(f) for f in fields]


def parse_psplib(text: str, *, name: str = "instance", source: str = "") -> PsplibInstance:
    """Parse the text of a single-mode ``.sm`` file; raises :class:`PsplibError`."""
    lines = _Lines(text, source or name)
    jobs, jobs_line = lines.header_int("jobs")
    renewable, renewable_line = lines.header_int("- renewable")
    if jobs < 2:
        raise lines.error(f"{jobs} jobs: an instance has at least the two dummy jobs", jobs_line)
    if renewable < 1:
        raise lines.error("no renewable resource", renewable_line)
    horizon = _optional_header(lines, "horizon")
    cpm_length = _cpm_length(lines)
    successors = _precedences(lines, jobs)
    durations, requests = _requests(lines, jobs, renewable)
    capacities = _capacities(lines, renewable)
    for j, req in enumerate(requests):
        for k, (need, cap) in enumerate(zip(req, capacities, strict=True)):
            if need > cap:
                raise lines.error(
                    f"job {j + 1} requests {need} of R{k + 1}, whose capacity is {cap}"
                )
    return PsplibInstance(name, durations, successors, capacities, requests, horizon, cpm_length)


def read_psplib(path: str | Path) -> PsplibInstance:
    """Read a single-mode PSPLIB ``.sm`` file (the instance is named after the file)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="ascii")
    except UnicodeDecodeError as exc:
        raise PsplibError(f"not a text file ({exc.reason})", source=str(path)) from exc
    return parse_psplib(text, name=path.stem, source=str(path))


def _optional_header(lines: _Lines, prefix: str) -> int | None:
    try:
        return lines.header_int(prefix)[0]
    except PsplibError:
        return None


def _cpm_length(lines: _Lines) -> int | None:
    try:
        start = lines.find("pronr.")
    except PsplibError:
        return None
    for _, row in lines.rows(start):
        return row[-1] if len(row) >= 6 else None
    return None


def _precedences(lines: _Lines, jobs: int) -> tuple[tuple[int, ...], ...]:
    start = lines.find("PRECEDENCE RELATIONS")
    successors: dict[int, tuple[int, ...]] = {}
    for number, row in lines.rows(start):
        if len(row) < 3:
            raise lines.error("a precedence row needs: job, modes, successor count", number)
        job, modes, count, rest = row[0], row[1], row[2], row[3:]
        if modes != 1:
            raise lines.error(
                f"job {job} has {modes} modes: only single-mode files are read", number
            )
        if len(rest) != count:
            raise lines.error(
                f"job {job} announces {count} successors but lists {len(rest)}", number
            )
        _check_job(lines, job, jobs, number)
        if job in successors:
            raise lines.error(f"job {job} is listed twice", number)
        for succ in rest:
            _check_job(lines, succ, jobs, number)
            if succ == job:
                raise lines.error(f"job {job} is its own successor", number)
        successors[job] = tuple(rest)
    _check_complete(lines, successors.keys(), jobs, start, "PRECEDENCE RELATIONS")
    return tuple(successors[j] for j in range(1, jobs + 1))


def _requests(
    lines: _Lines, jobs: int, renewable: int
) -> tuple[tuple[int, ...], tuple[tuple[int, ...], ...]]:
    start = lines.find("REQUESTS/DURATIONS")
    durations: dict[int, int] = {}
    requests: dict[int, tuple[int, ...]] = {}
    for number, row in lines.rows(start):
        if len(row) < 3 + renewable:
            raise lines.error(
                f"a request row needs job, mode, duration and {renewable} renewable requests",
                number,
            )
        job, mode, duration = row[0], row[1], row[2]
        _check_job(lines, job, jobs, number)
        if mode != 1:
            raise lines.error(f"job {job}: mode {mode} (only single-mode files are read)", number)
        if job in durations:
            raise lines.error(f"job {job} is listed twice", number)
        if duration < 0 or any(r < 0 for r in row[3:]):
            raise lines.error(f"job {job}: negative duration or request", number)
        durations[job] = duration
        requests[job] = tuple(row[3 : 3 + renewable])
    _check_complete(lines, durations.keys(), jobs, start, "REQUESTS/DURATIONS")
    order = range(1, jobs + 1)
    return tuple(durations[j] for j in order), tuple(requests[j] for j in order)


def _capacities(lines: _Lines, renewable: int) -> tuple[int, ...]:
    start = lines.find("RESOURCEAVAILABILITIES")
    for number, row in lines.rows(start):
        if len(row) < renewable:
            raise lines.error(f"{len(row)} capacities for {renewable} renewable resources", number)
        if any(c < 0 for c in row):
            raise lines.error("negative capacity", number)
        return tuple(row[:renewable])
    raise lines.error("RESOURCEAVAILABILITIES has no capacities", start + 1)


def _check_job(lines: _Lines, job: int, jobs: int, number: int) -> None:
    if not 1 <= job <= jobs:
        raise lines.error(f"job {job} is not between 1 and {jobs}", number)


def _check_complete(
    lines: _Lines, seen: Iterable[int], jobs: int, start: int, section: str
) -> None:
    listed = set(seen)
    missing = [j for j in range(1, jobs + 1) if j not in listed]
    if missing:
        shown = ", ".join(map(str, missing[:10]))
        raise lines.error(f"{section} misses job(s) {shown}", start + 1)


def psplib_to_leveling(instance: PsplibInstance, *, start: date = PSPLIB_START) -> LevelingInput:
    """The instance as the leveling engine's input.

    Job ``j`` becomes task ``J{j}`` (the dummies are milestones), every
    precedence a finish-to-start link without lag, every resource ``R{k}`` a
    resource of the instance's capacity, every positive request an assignment of
    that many units; the calendar works every day, so working-day indices are
    PSPLIB periods and the leveled makespan is the instance's makespan.
    """
    ids = [f"J{j}" for j in range(1, instance.jobs + 1)]
    activities = [Activity(ids[j], d) for j, d in enumerate(instance.durations)]
    links = [Link(ids[j], ids[s - 1]) for j, succs in enumerate(instance.successors) for s in succs]
    network = Network(start, activities, links, default_calendar=EVERY_DAY)
    resources = [Resource(f"R{k + 1}", float(c)) for k, c in enumerate(instance.capacities)]
    assignments = [
        Assignment(ids[j], f"R{k + 1}", float(q))
        for j, req in enumerate(instance.requests)
        for k, q in enumerate(req)
        if q > 0 and instance.durations[j] > 0
    ]
    return LevelingInput(network, tuple(resources), tuple(assignments))


def psplib_to_plan(instance: PsplibInstance, *, start: date = PSPLIB_START) -> Plan:
    """The instance as a plan: one project ``PSPLIB`` whose tasks are the jobs
    (``J1`` … ``Jn``, the dummies as milestones), finish-to-start dependencies, resources
    ``R1`` … ``Rk`` and their assignments, on a seven-day calendar (as
    :func:`psplib_to_leveling`, so the leveled makespan is the instance's)."""
    ids = [f"J{j}" for j in range(1, instance.jobs + 1)]
    return read_plan(
        {
            "format": "podium-plan",
            "version": 1,
            "program": {
                "key": "PSPLIB",
                "name": instance.name,
                "start": start.isoformat(),
                "calendar": "every day",
            },
            "calendars": [
                {"name": "every day", "workdays": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]}
            ],
            "projects": [{"key": "PSPLIB", "name": instance.name}],
            "tasks": [
                {"id": ids[j], "project": "PSPLIB", "name": f"job {j + 1}", "duration": d}
                for j, d in enumerate(instance.durations)
            ],
            "dependencies": [
                {"from": ids[j], "to": ids[s - 1]}
                for j, succs in enumerate(instance.successors)
                for s in succs
            ],
            "resources": [
                {"id": f"R{k + 1}", "name": f"R{k + 1}", "kind": "equipment", "capacity": float(c)}
                for k, c in enumerate(instance.capacities)
            ],
            "assignments": [
                {"task": ids[j], "resource": f"R{k + 1}", "units": float(q)}
                for j, req in enumerate(instance.requests)
                for k, q in enumerate(req)
                if q > 0 and instance.durations[j] > 0
            ],
        }
    )
