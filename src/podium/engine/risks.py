"""Risk scoring, the 5×5 matrix and the escalation rules.

The method is the probability-impact matrix of the PMBOK Guide (PMI, *A Guide to
the Project Management Body of Knowledge*, 6th ed., §11.3.2.6) and of PRINCE2's
risk management theme: probability and impact are each rated 1-5, the score is
their product (1-25), and a risk is placed in one cell of a 5×5 grid. Escalation
follows PRINCE2's *risk tolerance*: a risk beyond what a level may hold is
passed up — here, to the program, and from the program to the steering
committee.

Default rules (:class:`EscalationRules`): an open risk scoring 15 or more, or
linked to more than one project, escalates to program level; a program-level
risk scoring 20 or more goes on the steering agenda.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

RiskLevel = Literal["task", "project", "program"]
RiskStatus = Literal["open", "mitigating", "closed", "realized"]
RiskResponse = Literal["avoid", "mitigate", "transfer", "accept"]
Escalation = Literal["none", "program", "steering"]
Band = Literal["low", "medium", "high", "critical"]

RISK_LEVELS: tuple[RiskLevel, ...] = get_args(RiskLevel)
RISK_STATUSES: tuple[RiskStatus, ...] = get_args(RiskStatus)
RISK_RESPONSES: tuple[RiskResponse, ...] = get_args(RiskResponse)
ESCALATIONS: tuple[Escalation, ...] = get_args(Escalation)
BANDS: tuple[Band, ...] = get_args(Band)
SCALE = range(1, 6)  # probability and impact ratings

PROBABILITY_LABELS = {1: "rare", 2: "unlikely", 3: "possible", 4: "likely", 5: "almost certain"}
IMPACT_LABELS = {1: "negligible", 2: "minor", 3: "moderate", 4: "major", 5: "severe"}


def is_live(status: str) -> bool:
    """Open, being mitigated or realized as an issue: a risk that still needs attention."""
    return status != "closed"


def risk_score(probability: int, impact: int) -> int:
    """Probability × impact (each 1-5), 1-25; anything else is a ``ValueError``."""
    for name, value in (("probability", probability), ("impact", impact)):
        if isinstance(value, bool) or not isinstance(value, int) or value not in SCALE:
            raise ValueError(f"{name} must be a whole number from 1 to 5, not {value!r}")
    return probability * impact


def score_band(score: int) -> Band:
    """The colour band of a score: low 1-4, medium 5-9, high 10-19, critical 20-25."""
    if score >= 20:
        return "critical"
    if score >= 10:
        return "high"
    if score >= 5:
        return "medium"
    return "low"


class InvalidEscalationRules(ValueError):
    """Escalation rules that cannot be used; ``problems`` lists every reason."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("invalid escalation rules: " + "; ".join(self.problems))


@dataclass(frozen=True, slots=True)
class EscalationRules:
    """When a risk is passed up (``None`` switches a threshold off).

    ``program_score``: a live risk scoring at least this escalates to program level.
    ``cross_project``: a live risk linked to more than one project escalates too.
    ``steering_score``: a program-level risk scoring at least this goes on the
    steering agenda.
    """

    program_score: int | None = 15
    cross_project: bool = True
    steering_score: int | None = 20

    @classmethod
    def from_json(cls, config: Mapping[str, Any] | None) -> EscalationRules:
        """Rules from JSON over the defaults; raises :class:`InvalidEscalationRules`."""
        if config is None:
            return cls()
        if not isinstance(config, Mapping):
            raise InvalidEscalationRules(["the rules must be an object"])
        problems: list[str] = []
        values: dict[str, Any] = {}
        for name, value in config.items():
            if name in ("program_score", "steering_score"):
                whole = isinstance(value, int) and not isinstance(value, bool)
                if value is not None and not (whole and 1 <= value <= 25):
                    problems.append(f"{name}: expected a whole score from 1 to 25, or null")
                else:
                    values[name] = value
            elif name == "cross_project":
                if not isinstance(value, bool):
                    problems.append("cross_project: expected true or false")
                else:
                    values[name] = value
            else:
                problems.append(
                    f"unknown rule {name!r} (known: program_score, cross_project, steering_score)"
                )
        if problems:
            raise InvalidEscalationRules(problems)
        return cls(**values)

    def to_json(self) -> dict[str, Any]:
        return {
            "program_score": self.program_score,
            "cross_project": self.cross_project,
            "steering_score": self.steering_score,
        }


@dataclass(frozen=True, slots=True)
class EscalationVerdict:
    """Where a risk belongs under the rules, and why (one sentence per rule that fired)."""

    escalation: Escalation
    reasons: tuple[str, ...] = ()

    @property
    def level(self) -> RiskLevel | None:
        """The level it is escalated to (``None``: stays where it was raised)."""
        return None if self.escalation == "none" else "program"


def evaluate_escalation(
    rules: EscalationRules,
    *,
    level: RiskLevel,
    score: int,
    projects: Iterable[str],
    status: str,
) -> EscalationVerdict:
    """Apply the rules to one risk raised at ``level`` and linked to ``projects``.

    A closed risk is never escalated. A risk raised at program level is at
    program level already: only the steering rule applies to it.
    """
    if not is_live(status):
        return EscalationVerdict("none")
    linked = sorted(set(projects))
    reasons: list[str] = []
    if level != "program":
        if rules.program_score is not None and score >= rules.program_score:
            reasons.append(f"score {score} is at or above {rules.program_score}")
        if rules.cross_project and len(linked) > 1:
            reasons.append(f"linked to {len(linked)} projects ({', '.join(linked)})")
    at_program = level == "program" or bool(reasons)
    if not at_program:
        return EscalationVerdict("none")
    if rules.steering_score is not None and score >= rules.steering_score:
        reasons.append(f"a program-level risk scoring {score} (at or above {rules.steering_score})")
        return EscalationVerdict("steering", tuple(reasons))
    if level == "program":
        return EscalationVerdict("none")
    return EscalationVerdict("program", tuple(reasons))


@dataclass(frozen=True, slots=True)
class MatrixCell:
    """One cell of the 5×5 grid: its ratings, score, band and how many risks sit in it."""

    probability: int
    impact: int
    count: int

    @property
    def score(self) -> int:
        return self.probability * self.impact

    @property
    def band(self) -> Band:
        return score_band(self.score)


def risk_matrix(ratings: Iterable[tuple[int, int]]) -> list[list[MatrixCell]]:
    """The grid as rows from probability 5 down to 1, each with impact 1 to 5 (as drawn)."""
    counts: dict[tuple[int, int], int] = {}
    for probability, impact in ratings:
        risk_score(probability, impact)
        counts[(probability, impact)] = counts.get((probability, impact), 0) + 1
    return [[MatrixCell(p, i, counts.get((p, i), 0)) for i in SCALE] for p in reversed(SCALE)]
