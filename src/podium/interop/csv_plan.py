"""CSV of tasks: read one into a plan-format document, and write a plan's tasks as CSV.

One row per task. The columns a file may carry (any order, any names; mapped to
these fields automatically from common header names, or by an explicit
``mapping`` of field → column header): ``id``, ``name`` (required), ``project``,
``wbs`` (outline code ``1.2.3``: makes ``1.2`` the parent), ``parent`` (the
parent's id), ``duration`` (working days: ``5``, ``5d``, ``3w`` = 15 days,
``16h`` = 2 days of 8 hours), ``predecessors`` (``12``, ``12FS+2``, ``3SS-1``,
several separated by ``;`` or ``,``; ids from the id column, or row numbers when
there is none), ``start`` (a date: start no earlier than it, or the actual start
once the task has progress), ``finish`` (the actual finish of a task 100 % complete;
read for no other task), ``resources`` (names, ``Ana[50%]`` for part time,
separated by ``;`` or ``,``) and ``percent_complete``.

Files are UTF-8 (a byte-order mark is accepted; Windows-1252 is read with a
note), or UTF-16 (a spreadsheet's "Unicode text"), with ``,``, ``;`` or tab
between fields, found from the header line.
Every problem names its line and column (``line 4, column Duration``).
:func:`write_csv_plan` writes the same columns back, so that a written file
read and written again is unchanged.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from itertools import islice
from typing import Any

from podium.engine.network import MAX_DURATION, MAX_LAG
from podium.interop.imported import MAX_IMPORT_BYTES, ImportedPlan, Problem

FIELDS = (
    "id",
    "name",
    "project",
    "wbs",
    "parent",
    "duration",
    "predecessors",
    "start",
    "finish",
    "resources",
    "percent_complete",
)
# the task fields the plan format names as the mapping does
_SAME_NAME_FIELDS = frozenset({"id", "name", "project", "parent", "duration", "percent_complete"})
HEADERS = {  # the header each field is written under
    "id": "ID",
    "name": "Name",
    "project": "Project",
    "wbs": "WBS",
    "parent": "Parent",
    "duration": "Duration",
    "predecessors": "Predecessors",
    "start": "Start",
    "finish": "Finish",
    "resources": "Resources",
    "percent_complete": "% Complete",
}
ALIASES = {  # header names (lower case, letters and digits only) that map to a field
    "id": ("id", "taskid", "uid", "no", "number", "key", "taskkey"),
    "name": ("name", "taskname", "task", "title", "activityname", "activity", "summary"),
    "project": ("project", "projectname", "projectkey"),
    "wbs": ("wbs", "wbscode", "outline", "outlinenumber", "outlinecode"),
    "parent": ("parent", "parentid", "parenttask"),
    "duration": ("duration", "days", "durationdays", "workingdays"),
    "predecessors": ("predecessors", "predecessor", "dependson", "dependencies"),
    "start": ("start", "startdate", "begin", "plannedstart"),
    "finish": ("finish", "finishdate", "actualfinish", "end", "enddate"),
    "resources": ("resources", "resource", "resourcenames", "assignedto", "assignee", "owner"),
    "percent_complete": ("complete", "percentcomplete", "progress", "done", "pctcomplete"),
}
DEFAULT_PROJECT = "TASKS"
HOURS_PER_DAY = 8
DAYS_PER_WEEK = 5
_DURATION = re.compile(
    r"^(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>d|days?|w|wks?|weeks?|h|hrs?|hours?)?\s*\??$", re.I
)
_LINK = re.compile(
    r"^(?P<ref>.+?)(?:(?P<type>FS|SS|FF|SF)(?:\s*(?P<lag>[+-]\s*\d+(?:\.\d+)?)\s*"
    r"(?P<unit>d|days?|w|wks?|weeks?|h|hrs?|hours?)?)?)$"
)
_RESOURCE = re.compile(
    r"^(?P<name>[^\[]+?)\s*(?:\[\s*(?P<units>\d+(?:\.\d+)?)\s*(?P<pct>%)?\s*\])?$"
)
_KEY = re.compile(r"[^A-Za-z0-9_-]+")
_RESOURCE_KEY = re.compile(r"[^A-Za-z0-9_.@-]+")


def utf16_codec(data: bytes) -> str:
    """The UTF-16 codec a file without a byte-order mark is in: every other byte of
    text in the Latin alphabet is a NUL (``""``: not UTF-16)."""
    head = data[:4096]
    half = len(head) // 2
    if half and head[1::2].count(0) > half * 0.9:
        return "utf-16-le"
    if half and head[0::2].count(0) > half * 0.9:
        return "utf-16-be"
    return ""


def _decode(data: bytes) -> tuple[str, str]:
    if data[:2] not in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) and (codec := utf16_codec(data)):
        return data.decode(codec, errors="replace"), ""
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        # a spreadsheet's "Unicode text": UTF-16 with a byte-order mark (read as UTF-8 or
        # Windows-1252, every other character would be a NUL)
        try:
            return data.decode("utf-16"), ""
        except UnicodeDecodeError:
            return data.decode("utf-16", errors="replace"), (
                "the file is UTF-16 with characters that cannot be read: shown as \ufffd"
            )
    try:
        return data.decode("utf-8-sig"), ""
    except UnicodeDecodeError:
        return data.decode(
            "cp1252", errors="replace"
        ), "the file is not UTF-8: read as Windows-1252"


def _delimiter(text: str) -> str:
    """The separator the header line uses most: ``,``, ``;`` (a spreadsheet saved where
    the comma is the decimal mark) or a tab."""
    first = text.split("\n", 1)[0]
    return max((",", ";", "\t"), key=lambda d: first.count(d))


class Unreadable(csv.Error):
    """A record the CSV reader cannot read: its ``line`` and, in words, why."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _why(exc: csv.Error) -> str:
    """What the CSV reader met, in words."""
    text = str(exc)
    if text.startswith("field larger than field limit"):
        return (
            f"a field is longer than {csv.field_size_limit():,} characters "
            '(a quote (") left open makes the rest of the file one field)'
        )
    if text.startswith("new-line character seen in unquoted field"):
        return "a line break inside a field that is not in quotes"
    return f"not readable as CSV ({text})"


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """The non-blank records with the line each starts on (quoted fields may span lines);
    raises :class:`Unreadable` at a record the CSV reader cannot read."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    line = 1
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                yield line, record
            line = reader.line_num + 1
    except csv.Error as exc:
        raise Unreadable(line, _why(exc)) from None


def unclosed_quote(text: str, records: list[tuple[int, list[str]]]) -> Problem | None:
    """The last record's quote left open, when one is (the reader then reads the rest of
    the file as that one field, without a word)."""
    if not records:
        return None
    line, record = records[-1]
    if not any("\n" in cell or "\r" in cell for cell in record):
        return None  # on one line: its quotes close
    lines = io.StringIO(text, newline="").readlines()
    rest = "".join(lines[line - 1 :])
    try:
        list(csv.reader(io.StringIO(rest, newline=""), delimiter=_delimiter(text), strict=True))
    except csv.Error as exc:
        if str(exc) == "unexpected end of data":
            message = 'a quote (") opened on this line is never closed: check the quotes'
            return Problem(f"line {line}", message)
    return None


def _rows(text: str) -> list[tuple[int, list[str]]]:
    return list(_records(text))


def _norm(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def csv_columns(data: bytes) -> list[str]:
    """The file's column headers (for the mapping step)."""
    try:
        first = next(_records(_decode(data)[0]), None)
    except csv.Error:
        return []
    return [c.strip() for c in first[1]] if first else []


def csv_preview(data: bytes, rows: int = 5) -> list[list[str]]:
    """The first ``rows`` records after the header, as written (for the mapping step);
    the file is read no further than that. A file that is not CSV gives what it gives."""
    try:
        return [[c.strip() for c in r] for _, r in islice(_records(_decode(data)[0]), 1, rows + 1)]
    except csv.Error:
        return []


def auto_mapping(columns: list[str]) -> dict[str, str]:
    """Field → column for the headers that have a common name."""
    mapping: dict[str, str] = {}
    for field in FIELDS:
        for column in columns:
            if _norm(column) in ALIASES[field] and column not in mapping.values():
                mapping[field] = column
                break
    return mapping


def _key(text: str) -> str:
    """A project key from a project's name (a letter, then letters, digits, ``_``, ``-``)."""
    key = _KEY.sub("-", text).strip("-")
    return (key if key and key[0].isalpha() else "P" + key)[:20]


LISTED = 20  # the most column names a note or problem lists (a file may have thousands)


def _some(names: list[str]) -> str:
    """Names for a message: the first :data:`LISTED` (each cut at 60 characters), then
    how many more."""
    shown = ", ".join(n if len(n) <= 60 else n[:59] + "…" for n in names[:LISTED])
    return shown + (f" and {len(names) - LISTED} more" if len(names) > LISTED else "")


def _lag_days(match: re.Match[str]) -> float:
    if not match["lag"]:
        return 0.0
    text = match["lag"].replace(" ", "")
    days = _days(text[1:] + (match["unit"] or "")) or 0.0
    return -days if text.startswith("-") else days


def _days(text: str) -> float | None:
    match = _DURATION.match(text.strip())
    if match is None:
        return None
    n, unit = float(match["n"]), (match["unit"] or "d").lower()
    return (
        n * DAYS_PER_WEEK
        if unit.startswith("w")
        else n / HOURS_PER_DAY
        if unit.startswith("h")
        else n
    )


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


# a number written with a decimal comma ("2,5" days, "50,5" %), read as such in a file
# separated by semicolons: where the comma is the decimal mark
_DECIMAL_COMMA = re.compile(r"^(\d+),(\d+)(?!\d*,)")
DECIMAL_FIELDS = frozenset({"duration", "percent_complete"})


class _Reader:
    def __init__(
        self, columns: list[str], mapping: dict[str, str], *, decimal_comma: bool = False
    ) -> None:
        self.decimal_comma = decimal_comma
        self.columns = columns
        self.mapping = mapping
        self.index = {f: columns.index(c) for f, c in mapping.items()}
        self.located: list[tuple[int, int, Problem]] = []  # line, column, problem
        self.notes: list[str] = []
        self.rounded: list[str] = []
        self.origins: dict[str, str] = {}  # a document path → its line (and column)
        self.finish_ignored = False  # a Finish of an unfinished task was met (noted once)

    def cell(self, line: int, record: list[str], field: str) -> str:
        i = self.index.get(field)
        text = record[i].strip() if i is not None and i < len(record) else ""
        if self.decimal_comma and field in DECIMAL_FIELDS:
            text = _DECIMAL_COMMA.sub(r"\1.\2", text)
        return text[1:] if text[:1] == "'" and text[1:2] in _FORMULA_STARTS else text

    def at(self, line: int, field: str) -> str:
        """``line 4, column Predecessors``: where ``field`` is on ``line`` (the line alone
        when no column is mapped to it)."""
        column = self.mapping.get(field)
        return f"line {line}, column {column}" if column else f"line {line}"

    def problem(self, line: int, field: str, message: str) -> None:
        self.located.append((line, self.index[field], Problem(self.at(line, field), message)))

    @property
    def problems(self) -> list[Problem]:
        """Every problem, in the file's order."""
        return [p for _, _, p in sorted(self.located, key=lambda x: x[:2])]

    def read(self, records: list[tuple[int, list[str]]]) -> dict[str, Any]:
        rows = [(line, r) for line, r in records if any(c.strip() for c in r)]
        used_keys: set[str] = set()
        projects: dict[str, dict[str, str]] = {}
        tasks: list[dict[str, Any]] = []
        refs: dict[str, str] = {}  # an id (or row number) as written → the task's id
        wbs: dict[str, str] = {}
        for number, (line, record) in enumerate(rows, start=1):
            if len(record) > len(self.columns) and any(
                c.strip() for c in record[len(self.columns) :]
            ):
                message = f"{len(record)} fields for {len(self.columns)} columns"
                self.located.append((line, -1, Problem(f"line {line}", message)))
            project_name = self.cell(line, record, "project") or DEFAULT_PROJECT.title()
            if project_name not in projects:
                self.origins[f"projects[{len(projects)}]"] = self.at(line, "project")
                key = _key(project_name)
                if key.lower() in used_keys:
                    self.problem(line, "project", f"{project_name!r} gives the same key as another")
                used_keys.add(key.lower())
                projects[project_name] = {"key": key, "name": project_name}
            project = projects[project_name]["key"]
            raw = self.cell(line, record, "id") if "id" in self.index else str(number)
            if not raw:
                self.problem(line, "id", "is empty")
                raw = str(number)
            if "id" in self.index and len(raw) > 40:
                self.problem(line, "id", f"{raw[:40]!r}… is longer than a task key keeps (40)")
            tid = raw if "id" in self.index else f"{project}-{number}"
            if raw in refs:
                self.problem(line, "id", f"{raw!r} is used twice")
            refs[raw] = tid
            name = self.cell(line, record, "name")
            if not name:
                self.problem(line, "name", "a task needs a name")
            task: dict[str, Any] = {"id": tid, "project": project, "name": name, "_line": line}
            code = self.cell(line, record, "wbs")
            if code:
                if code in wbs:
                    self.problem(line, "wbs", f"{code!r} is used twice")
                wbs[code] = tid
                task["_wbs"] = code
            task["_record"] = record
            tasks.append(task)
        by_id = {t["id"]: t for t in tasks}
        for task in tasks:
            self._parent(task, wbs, refs, by_id)
        summaries = {t["parent"] for t in tasks if "parent" in t}
        resources: dict[str, dict[str, Any]] = {}
        assignments: list[dict[str, Any]] = []
        links: list[dict[str, Any]] = []
        for i, task in enumerate(tasks):
            line, record = task.pop("_line"), task.pop("_record")
            task.pop("_wbs", None)
            self.origins[f"tasks[{i}]"] = f"line {line}"
            for field in _SAME_NAME_FIELDS & self.mapping.keys():
                self.origins[f"tasks[{i}].{field}"] = self.at(line, field)
            if "start" in self.mapping:  # the Start column fills one of these
                for path in ("actual_start", "constraint.date"):
                    self.origins[f"tasks[{i}].{path}"] = self.at(line, "start")
            if "finish" in self.mapping:
                self.origins[f"tasks[{i}].actual_finish"] = self.at(line, "finish")
            self._duration(line, record, task, summary=task["id"] in summaries)
            self._start_and_progress(line, record, task)
            for link in self._links(line, record, task, refs):
                self.origins[f"dependencies[{len(links)}]"] = self.at(line, "predecessors")
                links.append(link)
            for assignment in self._assignments(line, record, task, resources, summaries):
                self.origins[f"assignments[{len(assignments)}]"] = self.at(line, "resources")
                assignments.append(assignment)
        starts = [t.get("actual_start") or (t.get("constraint") or {}).get("date") for t in tasks]
        known = sorted(s for s in starts if s)
        if known:
            start = known[0]
        else:
            start = datetime.now(tz=UTC).date().isoformat()
            self.notes.append("no start dates in the file: the program starts today")
        if self.rounded:
            self.notes.append(
                f"{len(self.rounded)} durations or lags were not whole working days and were "
                "rounded: " + ", ".join(self.rounded[:5]) + (" …" if len(self.rounded) > 5 else "")
            )
        going = sum(1 for t in tasks if 0 < t.get("percent_complete", 0) < 100)
        if going:
            self.notes.append(
                (f"{going} tasks are" if going > 1 else "1 task is")
                + " in progress and a CSV has no status date: the remaining work follows on "
                "from the actual start until the program's status date is set"
            )
        unused = [c for c in self.columns if c and c not in self.mapping.values()]
        if unused:
            self.notes.append("columns not imported: " + _some(unused))
        first = next(iter(projects.values()), {"key": DEFAULT_PROJECT, "name": "Tasks"})
        return {
            "format": "podium-plan",
            "version": 1,
            "program": {"key": first["key"], "name": first["name"], "start": start},
            "calendars": [],
            "projects": list(projects.values()),
            "tasks": tasks,
            "milestones": [],
            "dependencies": links,
            "resources": list(resources.values()),
            "assignments": assignments,
        }

    def _parent(
        self, task: dict[str, Any], wbs: dict[str, str], refs: dict[str, str], by_id: dict[str, Any]
    ) -> None:
        line, record = task["_line"], task["_record"]
        parent: str | None = None
        ref = self.cell(line, record, "parent")
        if ref:
            parent = refs.get(ref)
            if parent is None:
                self.problem(line, "parent", f"no task with id {ref!r}")
        elif "_wbs" in task and "." in task["_wbs"]:
            above = task["_wbs"].rsplit(".", 1)[0]
            parent = wbs.get(above)
            if parent is None:
                self.problem(line, "wbs", f"no task with WBS {above!r} above {task['_wbs']!r}")
        if parent is not None:
            if parent == task["id"]:
                self.problem(line, "parent" if ref else "wbs", "a task cannot be its own parent")
            elif by_id[parent]["project"] != task["project"]:
                field = "parent" if ref else "wbs"
                self.problem(line, field, "the parent is in another project")
            else:
                task["parent"] = parent

    def _duration(
        self, line: int, record: list[str], task: dict[str, Any], *, summary: bool
    ) -> None:
        text = self.cell(line, record, "duration")
        if not text:
            task["duration"] = 0 if summary else 1
            if not summary and "duration" in self.index:
                self.problem(line, "duration", "is empty (0 makes a milestone)")
            return
        days = _days(text)
        if days is None:
            self.problem(line, "duration", f"{text!r} is not a duration (5, 5d, 3w, 16h)")
            task["duration"] = 1
            return
        if not math.isfinite(days):  # digits past the largest float
            shown = text if len(text) <= 40 else text[:39] + "…"
            message = (
                f"{shown!r} is more than {MAX_DURATION:,} working days, the longest a task lasts"
            )
            self.problem(line, "duration", message)
            task["duration"] = 1
            return
        whole = round(days)
        if days > 0 and whole == 0:
            whole = 1
        if abs(days - whole) > 1e-9:
            self.rounded.append(f"{task['id']} {days:g} d → {whole} d")
        task["duration"] = 0 if summary else whole

    def _start_and_progress(self, line: int, record: list[str], task: dict[str, Any]) -> None:
        text = self.cell(line, record, "start")
        start = _day(text) if text else None
        if text and start is None:
            self.problem(line, "start", f"{text!r} is not a date (YYYY-MM-DD)")
        pct_text = self.cell(line, record, "percent_complete").rstrip("%").strip()
        percent = 0.0
        if pct_text:
            try:
                percent = float(pct_text)
            except ValueError:
                self.problem(line, "percent_complete", f"{pct_text!r} is not a number")
            if not 0 <= percent <= 100:
                self.problem(line, "percent_complete", "must be between 0 and 100")
                percent = 0.0
        if percent > 0:
            if start is not None:
                task["actual_start"] = start.isoformat()
            elif not text and task["duration"] > 0:
                self.problem(
                    line, "percent_complete", "a task with progress needs its actual start in Start"
                )
            task["percent_complete"] = percent
        elif start is not None:
            task["constraint"] = {"type": "snet", "date": start.isoformat()}
        self._finish(line, record, task, done=percent == 100)

    def _finish(self, line: int, record: list[str], task: dict[str, Any], *, done: bool) -> None:
        """A finished task's Finish is its actual finish (which a duration alone would
        not give back when the work ran late); any other task's finish follows from the
        schedule, so its Finish is not read."""
        text = self.cell(line, record, "finish")
        if not text:
            return
        if not done:
            if not self.finish_ignored:
                self.notes.append(
                    "Finish is read for finished tasks (100 %) only: the other tasks' "
                    "finishes follow from the schedule"
                )
            self.finish_ignored = True
            return
        finish = _day(text)
        if finish is None:
            self.problem(line, "finish", f"{text!r} is not a date (YYYY-MM-DD)")
        elif "actual_start" not in task:
            if task["duration"] == 0:  # a milestone done: it happened on that day
                task["actual_start"] = task["actual_finish"] = finish.isoformat()
            # a task of some duration without its Start is a problem of % Complete already
        elif finish.isoformat() < task["actual_start"]:
            self.problem(line, "finish", "is before the task's start")
        else:
            task["actual_finish"] = finish.isoformat()

    def _links(
        self, line: int, record: list[str], task: dict[str, Any], refs: dict[str, str]
    ) -> list[dict[str, Any]]:
        links: list[dict[str, Any]] = []
        seen: set[str] = set()
        for token in re.split(r"[;,]", self.cell(line, record, "predecessors")):
            token = token.strip()
            if not token:
                continue
            if token in refs:
                ref, kind, lag_days = token, "FS", 0.0
            else:
                match = _LINK.match(token)
                if match is None and re.search(r"(FS|SS|FF|SF)\s*[+-]\s*\d+(\.\d+)?\s*%$", token):
                    self.problem(
                        line,
                        "predecessors",
                        f"{token!r}: a lag in % of the predecessor is not read from a CSV; "
                        "give it in days, weeks or hours (12FS+3, 12SS+1w)",
                    )
                    continue
                if match is None or match["ref"].strip() not in refs:
                    self.problem(line, "predecessors", f"{token!r}: no task with that id")
                    continue
                ref, kind, lag_days = match["ref"].strip(), match["type"] or "FS", _lag_days(match)
                if not math.isfinite(lag_days):  # digits past the largest float
                    shown = token if len(token) <= 40 else token[:39] + "…"
                    message = f"{shown!r}: a lag of more than {MAX_LAG:,} working days"
                    self.problem(line, "predecessors", message)
                    continue
            pred = refs[ref]
            if pred == task["id"]:
                self.problem(line, "predecessors", f"{token!r}: a task cannot follow itself")
                continue
            if pred in seen:
                self.problem(line, "predecessors", f"{token!r}: {ref} is listed twice")
                continue
            seen.add(pred)
            link: dict[str, Any] = {"from": pred, "to": task["id"], "type": kind}
            if round(lag_days):
                link["lag"] = round(lag_days)
            if abs(lag_days - round(lag_days)) > 1e-9:
                self.rounded.append(f"lag {token} {lag_days:g} d → {round(lag_days)} d")
            links.append(link)
        return links

    def _assignments(
        self,
        line: int,
        record: list[str],
        task: dict[str, Any],
        resources: dict[str, dict[str, Any]],
        summaries: set[str],
    ) -> list[dict[str, Any]]:
        text = self.cell(line, record, "resources")
        result: list[dict[str, Any]] = []
        if text and (task["id"] in summaries or task["duration"] == 0):
            kind = "summary task" if task["id"] in summaries else "milestone"
            self.problem(line, "resources", f"a {kind} has no work of its own to assign")
            return result
        for token in re.split(r"[;,]", text):
            token = token.strip()
            if not token:
                continue
            match = _RESOURCE.match(token)
            if match is None:
                self.problem(line, "resources", f"{token!r} is not a name or Name[50%]")
                continue
            name = match["name"].strip()
            units = 1.0
            if match["units"]:
                units = float(match["units"]) / (100 if match["pct"] else 1)
                if units <= 0:
                    self.problem(line, "resources", f"{token!r}: units must be above 0")
                    continue
            if name.lower() not in resources:
                self.origins[f"resources[{len(resources)}]"] = self.at(line, "resources")
                rid = _RESOURCE_KEY.sub("-", name).strip("-.")[:40] or "R"
                taken = {r["id"].lower() for r in resources.values()}
                n, base = 1, rid
                while rid.lower() in taken:
                    n += 1
                    rid = f"{base[:36]}-{n}"
                resources[name.lower()] = {"id": rid, "name": name, "capacity": 1.0}
            resource = resources[name.lower()]
            if any(a["resource"] == resource["id"] for a in result):
                self.problem(line, "resources", f"{name!r} is listed twice")
                continue
            resource["capacity"] = max(resource["capacity"], units)
            result.append({"task": task["id"], "resource": resource["id"], "units": units})
        return result


# files people pick by mistake: their first bytes, and what to do instead
_BINARY = (
    (b"PK\x03\x04", "a zip archive (an Excel .xlsx workbook?): save the sheet as CSV"),
    (
        b"\xd0\xcf\x11\xe0",
        "an Office binary file (Excel .xls or Microsoft Project .mpp?): save it as CSV "
        "or as Microsoft Project XML",
    ),
)


def binary_problem(data: bytes) -> Problem | None:
    """Why a file is no CSV at all, when it is a workbook or a binary project file."""
    for signature, what in _BINARY:
        if data.startswith(signature):
            return Problem("file", f"not a text file but {what}")
    return None


def read_csv_plan(
    data: bytes, mapping: dict[str, str] | None = None, *, limit: int = MAX_IMPORT_BYTES
) -> ImportedPlan:
    """Read a CSV of tasks; ``mapping`` (field → column header) defaults to the
    columns' common names (:func:`auto_mapping`). Nothing is returned but problems
    when anything is wrong (and, once the rows are read, the plan they give as far as
    they could be read, in ``partial``: its own checks are listed with the reader's)."""
    result = ImportedPlan(format="csv")
    if len(data) > limit:
        result.problems.append(Problem("file", f"larger than {limit // 2**20} MB"))
        return result
    if (binary := binary_problem(data)) is not None:
        result.problems.append(binary)
        return result
    text, note = _decode(data)
    try:
        records = _rows(text)
    except Unreadable as exc:  # e.g. an unclosed quote that swallows the rest of the file
        result.problems.append(Problem(f"line {exc.line}", exc.message))
        return result
    if (unclosed := unclosed_quote(text, records)) is not None:
        result.problems.append(unclosed)
        return result
    if not records:
        result.problems.append(Problem("line 1", "the file is empty: a header line is needed"))
        return result
    if len(records) == 1:
        result.problems.append(Problem("line 2", "no tasks: the file has only its header line"))
        return result
    columns = [c.strip() for c in records[0][1]]
    chosen = auto_mapping(columns) if mapping is None else {f: c for f, c in mapping.items() if c}
    for field, column in chosen.items():
        if field not in FIELDS:
            result.problems.append(Problem("mapping", f"unknown field {field!r}"))
        elif column not in columns:
            result.problems.append(Problem("mapping", f"{field}: no column {column!r} in the file"))
    for field, column in chosen.items():
        places = [str(i + 1) for i, c in enumerate(columns) if c == column]
        if len(places) > 1:
            result.problems.append(
                Problem(
                    "line 1",
                    f"the column {column!r} ({field}) is in the header {len(places)} times "
                    f"(columns {', '.join(places)}): rename all but one",
                )
            )
    if "name" not in chosen:
        listed = _some(columns)
        result.problems.append(
            Problem("line 1", f"no column for the task name (columns: {listed})")
        )
    if result.problems:
        return result
    reader = _Reader(columns, chosen, decimal_comma=_delimiter(text) == ";")
    document = reader.read(records[1:])
    result.origins = reader.origins
    if reader.problems:
        result.problems = reader.problems
        result.partial = document  # to be checked as a plan: every problem is listed at once
        return result
    result.document = document
    result.notes = ([note] if note else []) + reader.notes
    return result


# A spreadsheet runs a cell that starts with one of these as a formula; the writer puts
# an apostrophe before such a text (spreadsheets show the text as it is) and the reader
# takes it off again, so a name such as "=SUM(A1)" or "@home" comes back unchanged.
_FORMULA_STARTS = frozenset("=+-@\t\r")


def _text(value: str) -> str:
    return f"'{value}" if value[:1] in _FORMULA_STARTS else value


def _lag(link: dict[str, Any]) -> str:
    lag = int(link.get("lag", 0))
    kind = link.get("type", "FS")
    if not lag:
        return "" if kind == "FS" else kind
    return f"{kind}{lag:+d}"


def write_csv_plan(document: dict[str, Any]) -> bytes:
    """The document's tasks as CSV (UTF-8 with a byte-order mark, so spreadsheets
    read accents right): the columns :func:`read_csv_plan` maps automatically. A text
    that a spreadsheet would run as a formula is written with an apostrophe before it."""
    tasks = document.get("tasks", [])
    projects = {p["key"]: p.get("name") or p["key"] for p in document.get("projects", [])}
    names = {r["id"]: r.get("name") or r["id"] for r in document.get("resources", [])}
    children: dict[str | None, list[dict[str, Any]]] = {}
    for task in tasks:
        children.setdefault(task.get("parent"), []).append(task)
    codes: dict[str, str] = {}

    def number(parent: str | None, prefix: str) -> None:
        for i, child in enumerate(children.get(parent, []), start=1):
            codes[child["id"]] = f"{prefix}{i}"
            number(child["id"], f"{prefix}{i}.")

    number(None, "")
    summaries = {t.get("parent") for t in tasks if t.get("parent")}
    predecessors: dict[str, list[str]] = {}
    for link in document.get("dependencies", []):
        predecessors.setdefault(link["to"], []).append(f"{link['from']}{_lag(link)}")
    assigned: dict[str, list[str]] = {}
    for a in document.get("assignments", []):
        units = float(a.get("units", 1.0))
        share = "" if units == 1 else f"[{units * 100:g}%]"
        assigned.setdefault(a["task"], []).append(
            f"{names.get(a['resource'], a['resource'])}{share}"
        )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([HEADERS[f] for f in FIELDS if f != "parent"])
    for task in tasks:
        constraint = task.get("constraint") or {}
        start = task.get("actual_start") or (
            constraint.get("date") if constraint.get("type") == "snet" else ""
        )
        percent = float(task.get("percent_complete", 0) or 0)
        writer.writerow(
            [
                _text(task["id"]),
                _text(task["name"]),
                _text(projects.get(task["project"], task["project"])),
                codes[task["id"]],
                "" if task["id"] in summaries else str(task.get("duration", 0)),
                _text("; ".join(predecessors.get(task["id"], []))),
                start or "",
                task.get("actual_finish") or "",
                _text("; ".join(assigned.get(task["id"], []))),
                f"{percent:g}" if percent else "",
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
