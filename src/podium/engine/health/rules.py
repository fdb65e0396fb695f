"""The health rules: a catalogue with defaults, and a per-program rule set tuned from JSON.

Each rule has an id, a description, the levels it can judge (task, milestone,
project, program), parameters — an amber and a red threshold (``None``: that
colour is never given) and sometimes a switch — and is enabled or not. A
program's settings are stored as JSON (:meth:`RuleSet.to_json`) and read back
with :meth:`RuleSet.from_json`, which fills in defaults and refuses anything
it does not understand with every problem named (:class:`InvalidRules`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from podium.engine.health.records import ALERT_SEVERITIES, LEVELS, Level

ParamKind = Literal["days", "float_days", "index", "score", "load", "severity", "flag", "points"]
ParamValue = int | float | bool | str | None


@dataclass(frozen=True, slots=True)
class Param:
    """A tunable parameter of a rule."""

    name: str
    kind: ParamKind
    default: ParamValue
    description: str


@dataclass(frozen=True, slots=True)
class RuleDefinition:
    """A rule of the catalogue. ``thresholds`` names its (amber, red) parameters;
    ``worse`` says which way a value gets worse, so red must lie beyond amber."""

    id: str
    description: str
    levels: tuple[Level, ...]
    params: tuple[Param, ...]
    thresholds: tuple[str, str]
    worse: Literal["higher", "lower"]
    enabled: bool = True


def _pair(
    kind: ParamKind, amber: str, red: str, defaults: tuple[ParamValue, ParamValue], what: str
) -> tuple[Param, Param]:
    return (
        Param(amber, kind, defaults[0], f"amber {what} (null: never amber)"),
        Param(red, kind, defaults[1], f"red {what} (null: never red)"),
    )


RULES: tuple[RuleDefinition, ...] = (
    RuleDefinition(
        "past_target",
        "Forecast finish past its target date (milestone target, project or program target).",
        ("milestone", "project", "program"),
        _pair(
            "days",
            "amber_after_days",
            "red_after_days",
            (None, 0),
            "when more than this many working days past the target",
        ),
        ("amber_after_days", "red_after_days"),
        "higher",
    ),
    RuleDefinition(
        "finish_slip",
        "Forecast finish later than the baseline finish.",
        LEVELS,
        _pair(
            "days",
            "amber_after_days",
            "red_after_days",
            (5, None),
            "when more than this many working days after the baseline",
        ),
        ("amber_after_days", "red_after_days"),
        "higher",
    ),
    RuleDefinition(
        "schedule_performance",
        "Schedule performance index (SPI = EV / PV) too low.",
        ("task", "project", "program"),
        _pair("index", "amber_below", "red_below", (0.9, 0.8), "when the SPI is below"),
        ("amber_below", "red_below"),
        "lower",
    ),
    RuleDefinition(
        "cost_performance",
        "Cost performance index (CPI = EV / AC) too low.",
        ("task", "project", "program"),
        _pair("index", "amber_below", "red_below", (None, 0.8), "when the CPI is below"),
        ("amber_below", "red_below"),
        "lower",
    ),
    RuleDefinition(
        "conflict_alerts",
        "Open schedule conflict alerts (a change upstream pushes work "
        "past a baseline, deadline or target).",
        LEVELS,
        (
            *_pair(
                "severity",
                "amber_from_severity",
                "red_from_severity",
                ("low", "critical"),
                "from this alert severity",
            ),
            Param("cross_project_only", "flag", True, "only alerts that cross projects"),
        ),
        ("amber_from_severity", "red_from_severity"),
        "higher",
    ),
    RuleDefinition(
        "high_risks",
        "Open risks with a high score (probability x impact, 1-25).",
        LEVELS,
        _pair("score", "amber_from_score", "red_from_score", (15, 20), "from this score"),
        ("amber_from_score", "red_from_score"),
        "higher",
    ),
    RuleDefinition(
        "over_allocation",
        "Resources booked above their capacity.",
        ("task", "project", "program"),
        _pair(
            "load",
            "amber_above_load",
            "red_above_load",
            (1.0, None),
            "when booked above this multiple of capacity",
        ),
        ("amber_above_load", "red_above_load"),
        "higher",
    ),
    RuleDefinition(
        "benefit_off_track",
        "A benefit KPI behind the linear path from its baseline to its "
        "target (in percentage points of the planned change).",
        ("program",),
        _pair(
            "points",
            "amber_behind_points",
            "red_behind_points",
            (10, 25),
            "when more than this many percentage points behind the path",
        ),
        ("amber_behind_points", "red_behind_points"),
        "higher",
    ),
    RuleDefinition(
        "negative_float",
        "Total float below a limit: a deadline or constraint cannot be met as planned.",
        ("task", "milestone"),
        _pair(
            "float_days",
            "amber_below_days",
            "red_below_days",
            (0, None),
            "when the total float (working days) is below",
        ),
        ("amber_below_days", "red_below_days"),
        "lower",
        enabled=False,
    ),
)
RULE_IDS: tuple[str, ...] = tuple(r.id for r in RULES)
_BY_ID = {r.id: r for r in RULES}


@dataclass(frozen=True, slots=True)
class RuleSettings:
    """One rule as a program tuned it."""

    enabled: bool
    levels: frozenset[Level]
    params: Mapping[str, ParamValue]

    def number(self, name: str) -> float | None:
        """A numeric parameter (``None`` when unset)."""
        value = self.params[name]
        return None if value is None else float(value)


@dataclass(frozen=True, slots=True)
class RollUp:
    """What rolls up into what: subtasks into their summary task, tasks and milestones
    into their project, program milestones into the program (projects always do)."""

    summaries_from_subtasks: bool = True
    projects_from_tasks: bool = True
    projects_from_milestones: bool = True
    program_from_milestones: bool = True


class InvalidRules(ValueError):
    """A rule configuration that cannot be used; ``problems`` lists every reason."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("invalid health rules: " + "; ".join(self.problems))


def _defaults(rule: RuleDefinition) -> RuleSettings:
    return RuleSettings(
        rule.enabled, frozenset(rule.levels), {p.name: p.default for p in rule.params}
    )


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Every rule's settings and the roll-up of one program."""

    rules: Mapping[str, RuleSettings] = field(
        default_factory=lambda: {r.id: _defaults(r) for r in RULES}
    )
    rollup: RollUp = field(default_factory=RollUp)

    def __getitem__(self, rule_id: str) -> RuleSettings:
        return self.rules[rule_id]

    @classmethod
    def from_json(cls, config: Mapping[str, Any] | None) -> RuleSet:
        """Settings from stored JSON, over the defaults; raises :class:`InvalidRules`."""
        problems: list[str] = []
        config = config or {}
        if not isinstance(config, Mapping):
            raise InvalidRules(["the configuration must be an object"])
        for key in sorted(set(config) - {"rules", "rollup"}):
            problems.append(f"unknown section {key!r} (expected 'rules' and 'rollup')")
        rules = {r.id: _defaults(r) for r in RULES}
        given = config.get("rules")
        given = {} if given is None else given
        if not isinstance(given, Mapping):
            problems.append("rules: must be an object keyed by rule id")
            given = {}
        for rule_id, tuned in given.items():
            if rule_id not in _BY_ID:
                problems.append(f"rules: unknown rule {rule_id!r} (known: {', '.join(RULE_IDS)})")
            elif not isinstance(tuned, Mapping):
                problems.append(f"rules.{rule_id}: must be an object")
            else:
                rules[rule_id] = _tune(_BY_ID[rule_id], rules[rule_id], tuned, problems)
        rollup = _rollup({} if config.get("rollup") is None else config["rollup"], problems)
        if problems:
            raise InvalidRules(problems)
        return cls(rules, rollup)

    def to_json(self) -> dict[str, Any]:
        """Every setting, as JSON that :meth:`from_json` reads back."""
        return {
            "rules": {
                rule.id: {
                    "enabled": self.rules[rule.id].enabled,
                    "levels": [lv for lv in rule.levels if lv in self.rules[rule.id].levels],
                    **self.rules[rule.id].params,
                }
                for rule in RULES
            },
            "rollup": {f.name: getattr(self.rollup, f.name) for f in fields(RollUp)},
        }


def describe_rules() -> list[dict[str, Any]]:
    """The catalogue for an admin page: each rule, its levels and parameters with defaults."""
    return [
        {
            "id": r.id,
            "description": r.description,
            "levels": list(r.levels),
            "enabled": r.enabled,
            "params": [
                {"name": p.name, "kind": p.kind, "default": p.default, "description": p.description}
                for p in r.params
            ],
        }
        for r in RULES
    ]


def _tune(
    rule: RuleDefinition, base: RuleSettings, tuned: Mapping[str, Any], problems: list[str]
) -> RuleSettings:
    where = f"rules.{rule.id}"
    enabled, levels, params = base.enabled, base.levels, dict(base.params)
    kinds = {p.name: p.kind for p in rule.params}
    for name, value in tuned.items():
        if name == "enabled":
            if isinstance(value, bool):
                enabled = value
            else:
                problems.append(f"{where}.enabled: expected true or false, got {value!r}")
        elif name == "levels":
            levels = _levels(rule, value, problems) or levels
        elif name in kinds:
            complaint = _complaint(kinds[name], value)
            if complaint:
                problems.append(f"{where}.{name}: expected {complaint}, got {value!r}")
            else:
                params[name] = value
        else:
            known = ", ".join(["enabled", "levels", *kinds])
            problems.append(f"{where}: unknown setting {name!r} (known: {known})")
    amber, red = (params[n] for n in rule.thresholds)
    if amber is None and red is None and enabled:
        problems.append(
            f"{where}: set {rule.thresholds[0]} or {rule.thresholds[1]}, or disable the rule"
        )
    elif amber is not None and red is not None:
        a, r = _rank(amber), _rank(red)
        if (r < a) if rule.worse == "higher" else (r > a):
            side = "below" if rule.worse == "higher" else "above"
            problems.append(
                f"{where}: {rule.thresholds[1]} ({red}) must not be {side} "
                f"{rule.thresholds[0]} ({amber}): red is the worse colour"
            )
    return RuleSettings(enabled, levels, params)


def _rank(value: ParamValue) -> float:
    return float(ALERT_SEVERITIES.index(value)) if isinstance(value, str) else float(value or 0)


def _levels(rule: RuleDefinition, value: Any, problems: list[str]) -> frozenset[Level] | None:
    where = f"rules.{rule.id}.levels"
    if not isinstance(value, list) or not value:
        problems.append(f"{where}: expected a non-empty list of {', '.join(rule.levels)}")
        return None
    wrong = [v for v in value if v not in rule.levels]
    if wrong:
        problems.append(
            f"{where}: {', '.join(map(repr, wrong))} not a level this rule "
            f"judges ({', '.join(rule.levels)})"
        )
        return None
    return frozenset(lv for lv in LEVELS if lv in value)


def _complaint(kind: ParamKind, value: Any) -> str | None:
    """What is wrong with ``value`` for a parameter of ``kind`` (None: nothing)."""
    number = isinstance(value, int | float) and not isinstance(value, bool)
    whole = isinstance(value, int) and not isinstance(value, bool)
    ok = {
        "days": value is None or (whole and value >= 0),
        "float_days": value is None or whole,
        "index": value is None or (number and 0 < value <= 10),
        "score": value is None or (whole and 1 <= value <= 25),
        "load": value is None or (number and 0 < value <= 100),
        "severity": value is None or value in ALERT_SEVERITIES,
        "flag": isinstance(value, bool),
        "points": value is None or (number and 0 <= value <= 1000),
    }[kind]
    if ok:
        return None
    return {
        "days": "a whole number of working days >= 0, or null",
        "float_days": "a whole number of working days, or null",
        "index": "a number above 0 (at most 10), or null",
        "score": "a whole score from 1 to 25, or null",
        "load": "a multiple of capacity above 0 (1.2 = 120 %), or null",
        "severity": f"one of {', '.join(ALERT_SEVERITIES)}, or null",
        "flag": "true or false",
        "points": "percentage points from 0 to 1000, or null",
    }[kind]


def _rollup(value: Any, problems: list[str]) -> RollUp:
    if not isinstance(value, Mapping):
        problems.append("rollup: must be an object")
        return RollUp()
    names = [f.name for f in fields(RollUp)]
    chosen: dict[str, bool] = {}
    for key, flag in value.items():
        if key not in names:
            problems.append(f"rollup: unknown setting {key!r} (known: {', '.join(names)})")
        elif not isinstance(flag, bool):
            problems.append(f"rollup.{key}: expected true or false, got {flag!r}")
        else:
            chosen[key] = flag
    return RollUp(**chosen)
