"""Build a plan-format document from the tables of an XER file (see :mod:`podium.interop.xer`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from podium.interop.imported import (
    MAX_IMPORT_BYTES,
    FileBaseline,
    FileDates,
    ImportedPlan,
    Problem,
)
from podium.interop.xer._calendars import CalendarDataError, parse_calendar_data
from podium.interop.xer._context import Calendar, Context, program_key, unique, where
from podium.interop.xer._resources import read_resources
from podium.interop.xer._tables import Row, read_tables

LINK_TYPES = {"PR_FS": "FS", "PR_SS": "SS", "PR_FF": "FF", "PR_SF": "SF"}
CONSTRAINTS = {
    "CS_MSO": "mso",
    "CS_MANDSTART": "mso",
    "CS_MEO": "mfo",
    "CS_MANDFIN": "mfo",
    "CS_MSOA": "snet",
    "CS_MSOB": "snlt",
    "CS_MEOA": "fnet",
    "CS_MEOB": "fnlt",
}
MILESTONES = ("TT_Mile", "TT_FinMile")
READ = {"PROJECT", "CALENDAR", "PROJWBS", "TASK", "TASKPRED", "RSRC", "RSRCRATE", "TASKRSRC"}
IGNORED = {"CURRTYPE", "OBS", "SCHEDOPTIONS", "FINTMPL", "ACTVTYPE", "ACTVCODE", "TASKACTV"}


def _weekday(day: date) -> str:
    """``Mon`` … ``Sun`` (whatever the locale)."""
    return ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[day.weekday()]


class _Reader:
    def __init__(self, context: Context) -> None:
        self.c = context
        self.tables = context.tables
        self.calendars: dict[str, Calendar] = {}
        self.used_calendars: list[str] = []  # clndr_id in first-use order
        self.file_dates: dict[str, FileDates] = {}
        self.baseline: dict[str, FileBaseline] = {}  # P6's planned (target) dates
        self.renamed: list[str] = []  # activity codes given another key ("A1 → P2.A1")
        self.missing_calendars: dict[str, list[str]] = {}  # a clndr_id not in the file → tasks
        self.not_carried: dict[str, list[str]] = {}  # what is not carried over → its tasks

    # calendars -----------------------------------------------------------------

    def read_calendars(self) -> None:
        rows = {r.get("clndr_id"): r for r in self.tables["CALENDAR"]}
        parsed = {}
        for cid, row in rows.items():
            try:
                parsed[cid] = parse_calendar_data(row.values.get("clndr_data", ""))
            except CalendarDataError as exc:
                self.c.problem(where(row), f"clndr_data: {exc}")
        names: set[str] = set()
        for cid, row in rows.items():
            data = parsed.get(cid)
            if data is None:
                continue
            week, base = data.week, row.get("base_clndr_id")
            while week is None and base in parsed and base != cid:
                week, base = parsed[base].week, rows[base].get("base_clndr_id")
            if week is None:
                week = {d: 8.0 for d in ("Mon", "Tue", "Wed", "Thu", "Fri")}
                self.c.notes.append(f"calendar {row.get('clndr_name')!r} has no work week: Mon–Fri")
            data.week = week
            workdays = data.workdays() or ["Mon", "Tue", "Wed", "Thu", "Fri"]
            hours = self.c.number(row, "day_hr_cnt", 0.0) or 0.0
            if hours <= 0:
                worked = [week[d] for d in workdays if week.get(d)]
                hours = sum(worked) / len(worked) if worked else 8.0
            # exceptions without work on working weekdays are holidays, exceptions with
            # work on days off of the week extra working days (a day both is off)
            holidays = sorted({d for d in data.days_off if _weekday(d) in workdays})
            off = set(data.days_off)
            extra = sorted(
                {d for d in data.working_days if _weekday(d) not in workdays and d not in off}
            )
            reshaped = sorted(
                {d for d in data.working_days if _weekday(d) in workdays and d not in off}
            )
            if reshaped:
                self.c.notes.append(
                    f"calendar {row.get('clndr_name')!r}: {len(reshaped)} exception day(s) "
                    f"with work on working weekdays (first {reshaped[0].isoformat()}) change "
                    "only the working hours, which are not carried over"
                )
            name = unique(row.get("clndr_name") or f"Calendar {cid}", names, size=100)
            self.calendars[cid] = Calendar(name, hours, workdays, holidays, extra)

    def calendar(self, cid: str) -> Calendar | None:
        """A calendar by ``clndr_id``, marked as used by the plan."""
        found = self.calendars.get(cid)
        if found is not None and cid not in self.used_calendars:
            self.used_calendars.append(cid)
        return found

    # projects and WBS ----------------------------------------------------------

    def read(self) -> dict[str, Any]:
        self.read_calendars()
        projects = [r for r in self.tables["PROJECT"] if r.get("export_flag") != "N"]
        if not projects:
            self.c.problem("PROJECT", "the file has no project to import")
            return {}
        roots: dict[str, Row] = {}
        for row in self.tables["PROJWBS"]:
            if row.get("proj_node_flag") == "Y":
                roots.setdefault(row.get("proj_id"), row)
        keys: set[str] = set()
        self.project_keys: dict[str, str] = {}
        plan_projects: list[dict[str, str]] = []
        starts: list[date] = []
        for row in projects:
            pid = row.get("proj_id")
            key = program_key(row.get("proj_short_name") or f"P{pid}", keys)
            self.project_keys[pid] = key
            root = roots.get(pid)
            name = (root.get("wbs_name") if root else "") or row.get("proj_short_name") or key
            self.c.origins[f"projects[{len(plan_projects)}]"] = where(row)
            plan_projects.append({"key": key, "name": name})
            start = self.c.day(row, "plan_start_date")
            if start is None:
                self.c.problem(where(row), "plan_start_date is missing")
            else:
                starts.append(start)
        first = projects[0]
        default = self.calendar(first.get("clndr_id"))
        self.default_calendar = default
        start = min(starts, default=date(2000, 1, 1))  # no start: a problem was reported
        program: dict[str, Any] = {
            "key": plan_projects[0]["key"],
            "name": plan_projects[0]["name"]
            if len(plan_projects) == 1
            else ", ".join(p["name"] for p in plan_projects),
            "start": start.isoformat(),
        }
        if default is not None:
            program["calendar"] = default.name
        data_date = self.c.day(first, "last_recalc_date")
        tasks, by_task_id = self.read_tasks(roots)
        if data_date and data_date > start and any(t.get("actual_start") for t in tasks):
            program["status_date"] = data_date.isoformat()
        dependencies = self.read_links(by_task_id)
        resources, assignments = read_resources(
            self.c, tasks=by_task_id, start=start, calendar=self.calendar
        )
        self._add_costs(by_task_id)
        calendars = [
            {
                "name": cal.name,
                "workdays": cal.workdays,
                "holidays": [d.isoformat() for d in cal.holidays],
                "extra_workdays": [d.isoformat() for d in cal.extra_workdays],
            }
            for cal in (self.calendars[cid] for cid in self.used_calendars)
        ]
        return {
            "format": "podium-plan",
            "version": 1,
            "program": program,
            "calendars": calendars,
            "projects": plan_projects,
            "tasks": tasks,
            "milestones": [],
            "dependencies": dependencies,
            "resources": resources,
            "assignments": assignments,
        }

    def read_tasks(
        self, roots: dict[str, Row]
    ) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
        """Summary tasks from the WBS, then activities beneath them, in WBS order."""
        wbs = {r.get("wbs_id"): r for r in self.tables["PROJWBS"]}
        root_ids = {r.get("wbs_id") for r in roots.values()}
        children: dict[str, list[Row]] = {}
        for row in self.tables["PROJWBS"]:
            if row.get("wbs_id") not in root_ids:
                children.setdefault(row.get("parent_wbs_id"), []).append(row)
        activities: dict[str, list[Row]] = {}
        ids: set[str] = set()
        seen: dict[str, Row] = {}  # task_id → its first row: a key of the P6 database
        for row in self.tables["TASK"]:
            first = seen.setdefault(row.get("task_id"), row)
            if first is not row:
                self.c.problem(
                    where(row), f"task_id {row.get('task_id')} is used twice (also {where(first)})"
                )
                continue
            if row.get("proj_id") not in self.project_keys:
                self.c.problem(
                    where(row), f"proj_id {row.get('proj_id')} is not in the PROJECT table"
                )
                continue
            home = row.get("wbs_id")
            if home not in wbs:
                if home:
                    self.c.notes.append(
                        f"{row.get('task_code')}: WBS {home} is not in the file, "
                        "placed at the top of its project"
                    )
                home = ""
            # activities directly under a project's root node (or with no WBS) sit at the top
            slot = home if home and home not in root_ids else f"root:{row.get('proj_id')}"
            activities.setdefault(slot, []).append(row)
        tasks: list[dict[str, Any]] = []
        by_task_id: dict[str, dict[str, Any]] = {}

        def has_work(node: str) -> bool:
            return bool(activities.get(node)) or any(
                has_work(c.get("wbs_id")) for c in children.get(node, [])
            )

        def walk(node: str, parent: str | None, project: str, codes: list[str]) -> None:
            for child in sorted(children.get(node, []), key=_order):
                cid = child.get("wbs_id")
                if not has_work(cid):
                    continue
                path = [*codes, child.get("wbs_short_name") or cid]
                summary: dict[str, Any] = {
                    "id": unique(".".join(path), ids, size=40),
                    "project": project,
                    "name": child.get("wbs_name") or child.get("wbs_short_name") or cid,
                    "duration": 0,
                }
                if parent:
                    summary["parent"] = parent
                self.c.origins[f"tasks[{len(tasks)}]"] = where(child)
                tasks.append(summary)
                for row in activities.get(cid, []):
                    self._add_task(row, summary["id"], tasks, by_task_id, ids)
                walk(cid, summary["id"], project, path)

        for pid, key in self.project_keys.items():
            root = roots.get(pid)
            for row in activities.get(f"root:{pid}", []):
                self._add_task(row, None, tasks, by_task_id, ids)
            if root is not None:
                walk(root.get("wbs_id"), None, key, [key])
        if self.renamed:
            listed = ", ".join(self.renamed[:5]) + (" …" if len(self.renamed) > 5 else "")
            one = len(self.renamed) == 1
            self.c.notes.append(
                f"{len(self.renamed)} activity code{'' if one else 's'} "
                f"{'was' if one else 'were'} used before (in another project or by a WBS "
                f"node) and {'was' if one else 'were'} given a new key: {listed}"
            )
        for cid, named_by in self.missing_calendars.items():
            listed = ", ".join(named_by[:5]) + (" …" if len(named_by) > 5 else "")
            self.c.notes.append(
                f"calendar {cid} (of {listed}) is not in the file: "
                "the project's default calendar is used"
            )
        for note, named_by in self.not_carried.items():
            listed = ", ".join(named_by[:5]) + (" …" if len(named_by) > 5 else "")
            some = f"{len(named_by)} activities: " if len(named_by) > 1 else ""
            self.c.notes.append(f"{some}{listed}: {note}")
        return tasks, by_task_id

    # activities ----------------------------------------------------------------

    def _add_task(
        self,
        row: Row,
        parent: str | None,
        tasks: list[dict[str, Any]],
        by_task_id: dict[str, dict[str, Any]],
        ids: set[str],
    ) -> None:
        project = self.project_keys[row.get("proj_id")]
        code = row.get("task_code") or f"T{row.get('task_id')}"
        tid = unique(code if code.lower() not in ids else f"{project}.{code}", ids, size=40)
        if tid != code:
            self.renamed.append(f"{code} → {tid}")
        calendar = self.calendar(row.get("clndr_id"))
        if calendar is None and row.get("clndr_id"):
            self.missing_calendars.setdefault(row.get("clndr_id"), []).append(tid)
        calendar = calendar or self.default_calendar
        hours_per_day = calendar.hours_per_day if calendar else 8.0
        kind = row.get("task_type")
        task: dict[str, Any] = {"id": tid, "project": project, "name": row.get("task_name") or code}
        if parent:
            task["parent"] = parent
        hours = self.c.number(row, "target_drtn_hr_cnt", 0.0) or 0.0
        if hours < 0:
            self.c.problem(where(row), f"target_drtn_hr_cnt {hours:g} is negative")
        days = hours / hours_per_day
        task["duration"] = 0 if kind in MILESTONES else max(round(days), 1 if hours > 0 else 0)
        if kind not in MILESTONES and abs(days - task["duration"]) > 1e-6:
            self.c.rounded.append(f"{tid} {days:.2f} d → {task['duration']} d")
        if calendar is not None and calendar is not self.default_calendar:
            task["calendar"] = calendar.name
        notes = self._constraint(row, task)
        if kind == "TT_LOE":
            notes.append("a level-of-effort activity, scheduled as an ordinary task")
        elif kind == "TT_WBS":
            notes.append("a WBS summary activity, scheduled as an ordinary task")
        for not_carried in notes:  # in the import's notes too, whatever the dates
            self.not_carried.setdefault(not_carried, []).append(tid)
        note = "; ".join(notes)
        self._progress(row, task)
        start = self.c.day(row, "act_start_date") or self.c.day(row, "early_start_date")
        finish = self.c.day(row, "act_end_date") or self.c.day(row, "early_end_date")
        start = start or self.c.day(row, "target_start_date")
        finish = finish or self.c.day(row, "target_end_date")
        self.file_dates[tid] = FileDates(start, finish, note)
        planned = (self.c.day(row, "target_start_date"), self.c.day(row, "target_end_date"))
        if planned[0] and planned[1]:
            self.baseline[tid] = FileBaseline(*planned, duration=task["duration"])
        self.c.origins[f"tasks[{len(tasks)}]"] = where(row)
        tasks.append(task)
        by_task_id[row.get("task_id")] = task

    def _constraint(self, row: Row, task: dict[str, Any]) -> list[str]:
        """The activity's constraint into ``task``; notes on what is not carried over."""
        kind = row.get("cstr_type")
        notes = []
        if kind in CONSTRAINTS:
            day = self.c.day(row, "cstr_date")
            if day is None:
                notes.append(f"constraint {kind} without a date was left out")
            else:
                task["constraint"] = {"type": CONSTRAINTS[kind], "date": day.isoformat()}
        elif kind == "CS_ALAP":
            notes.append(
                "as-late-as-possible (CS_ALAP) is not carried over: scheduled as soon as possible"
            )
        elif kind:
            notes.append(f"constraint {kind} was not carried over")
        if row.get("cstr_type2"):
            notes.append(f"secondary constraint {row.get('cstr_type2')} was not carried over")
        return notes

    def _progress(self, row: Row, task: dict[str, Any]) -> None:
        started = self.c.day(row, "act_start_date")
        finished = self.c.day(row, "act_end_date")
        if task["duration"] == 0:
            # a milestone has one date: P6 keeps a start milestone's in act_start_date,
            # a finish milestone's in act_end_date
            started = started or finished
            finished = finished or started
        if started:
            task["actual_start"] = started.isoformat()
        if finished and started and finished >= started:
            task["actual_finish"] = finished.isoformat()
        physical = self.c.number(row, "phys_complete_pct", 0.0) or 0.0
        if not 0 <= physical <= 100:  # as a Microsoft Project PercentComplete would be
            self.c.problem(where(row), f"phys_complete_pct {physical:g} is not between 0 and 100")
        if row.get("status_code") == "TK_Complete" or (finished and task["duration"] == 0):
            percent = 100.0
        elif row.get("complete_pct_type") == "CP_Phys":
            percent = physical
        elif row.get("complete_pct_type") == "CP_Units":
            done = self._not_negative(row, "act_work_qty")
            left = self._not_negative(row, "remain_work_qty")
            percent = 100 * done / (done + left) if done + left > 0 else 0.0
        else:
            total = self.c.number(row, "target_drtn_hr_cnt", 0.0) or 0.0
            left = self._not_negative(row, "remain_drtn_hr_cnt", total)
            # more remaining than planned (an activity running late) is no progress yet
            percent = 100 * (total - left) / total if total > 0 and started else 0.0
        percent = round(min(max(percent, 0.0), 100.0), 1)
        if percent > 0 and not started:
            self.c.notes.append(
                f"{task['id']}: {percent:g}% complete without an actual start: set to 0%"
            )
            percent = 0.0
        if percent:
            task["percent_complete"] = percent

    def _not_negative(self, row: Row, name: str, default: float = 0.0) -> float:
        """A quantity of progress (hours, work); one below 0 is a problem (P6 has none)."""
        value = self.c.number(row, name, default) or 0.0
        if value < 0:
            self.c.problem(where(row), f"{name} {value:g} is negative")
        return value

    # relationships -------------------------------------------------------------

    def _lag_hours_per_day(self, pred: dict[str, Any], succ: dict[str, Any], rule: str) -> float:
        if rule == "rcal_24Hour":
            return 24.0
        chosen = succ if rule == "rcal_Successor" else pred
        if rule == "rcal_ProjDefault" or "calendar" not in chosen:
            return self.default_calendar.hours_per_day if self.default_calendar else 8.0
        found = next((c for c in self.calendars.values() if c.name == chosen["calendar"]), None)
        return found.hours_per_day if found else 8.0

    def read_links(self, by_task_id: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        rules = {
            self.project_keys.get(r.get("proj_id")): r.get("sched_calendar_on_relationship_lag")
            for r in self.tables["SCHEDOPTIONS"]
        }
        links: list[dict[str, Any]] = []
        seen: set[tuple[str, str]] = set()
        external = 0
        for row in self.tables["TASKPRED"]:
            pred, succ = by_task_id.get(row.get("pred_task_id")), by_task_id.get(row.get("task_id"))
            if pred is None or succ is None:
                external += 1
                continue
            kind = LINK_TYPES.get(row.get("pred_type"))
            if kind is None:
                self.c.problem(where(row), f"unknown pred_type {row.get('pred_type')!r}")
                continue
            pair = (pred["id"], succ["id"])
            if pair in seen or pair[0] == pair[1]:
                self.c.notes.append(f"relationship {pair[0]} → {pair[1]} repeated: kept once")
                continue
            seen.add(pair)
            hours = self.c.number(row, "lag_hr_cnt", 0.0) or 0.0
            rule = rules.get(succ["project"]) or "rcal_Predecessor"
            days = hours / self._lag_hours_per_day(pred, succ, rule)
            link: dict[str, Any] = {"from": pair[0], "to": pair[1], "type": kind}
            if round(days):
                link["lag"] = round(days)
            if abs(days - round(days)) > 1e-6:
                self.c.rounded.append(f"lag {pair[0]} → {pair[1]} {days:.2f} d → {round(days)} d")
            self.c.origins[f"dependencies[{len(links)}]"] = where(row)
            links.append(link)
        if external:
            self.c.notes.append(
                f"{external} relationships to activities outside the file were left out"
            )
        return links

    def _add_costs(self, by_task_id: dict[str, dict[str, Any]]) -> None:
        for row in self.tables["TASKRSRC"]:
            task = by_task_id.get(row.get("task_id"))
            if task is None:
                continue
            budget = self.c.number(row, "target_cost", 0.0) or 0.0
            spent = (self.c.number(row, "act_reg_cost", 0.0) or 0.0) + (
                self.c.number(row, "act_ot_cost", 0.0) or 0.0
            )
            if budget > 0:
                task["budget"] = round(task.get("budget", 0.0) + budget, 2)
            if spent > 0:
                task["actual_cost"] = round(task.get("actual_cost", 0.0) + spent, 2)


def _order(row: Row) -> tuple[float, str]:
    try:
        return float(row.get("seq_num") or 0), row.get("wbs_short_name")
    except ValueError:
        return 0.0, row.get("wbs_short_name")


def read_xer(data: bytes, *, limit: int = MAX_IMPORT_BYTES) -> ImportedPlan:
    """Read a Primavera P6 XER file into a plan-format document, or the problems that stop
    it (one: larger than ``limit`` bytes)."""
    result = ImportedPlan(format="xer")
    if len(data) > limit:
        result.problems.append(Problem("file", f"larger than {limit // (1024 * 1024)} MB"))
        return result
    tables = read_tables(data)
    if tables.problems:
        result.problems = tables.problems
        return result
    context = Context(tables)
    reader = _Reader(context)
    document = reader.read()
    if context.problems:
        result.problems = context.problems
        return result
    if context.rounded:
        shown = ", ".join(context.rounded[:5]) + (" …" if len(context.rounded) > 5 else "")
        context.notes.append(
            f"{len(context.rounded)} durations or lags were not whole working days "
            f"and were rounded: {shown}"
        )
    others = sorted(set(tables.rows) - READ - IGNORED)
    if others:
        context.notes.append("tables not carried over: " + ", ".join(others))
    result.document = document
    result.file_dates = reader.file_dates
    result.baseline = reader.baseline
    result.notes = context.notes
    result.origins = context.origins
    return result
