"""The risk and issue register: risks at task, project and program level, their mitigation
actions, score history and escalations under each program's rules; the 5×5 matrix; what
the governance agenda and health read from it."""

from podium.services.risks.escalation import (
    escalation_rules,
    reevaluate_program,
    update_escalation_rules,
)
from podium.services.risks.pages import (
    RegisterPage,
    RiskPage,
    register_page,
    risk_page,
    task_ids_by_keys,
)
from podium.services.risks.reading import (
    RISK_SORTS,
    RiskFilter,
    get_action,
    get_risk,
    health_risk_facts,
    list_escalations,
    list_history,
    list_risks,
    matrix_counts,
    risk_url,
    risks_for_agenda,
)
from podium.services.risks.removal import (
    LinkedRisks,
    risks_linked_to,
    settle_after_removal,
)
from podium.services.risks.writing import (
    RISK_FIELDS,
    add_action,
    create_risk,
    delete_action,
    delete_risk,
    update_action,
    update_risk,
)

__all__ = [
    "RISK_FIELDS",
    "RISK_SORTS",
    "LinkedRisks",
    "RegisterPage",
    "RiskFilter",
    "RiskPage",
    "add_action",
    "create_risk",
    "delete_action",
    "delete_risk",
    "escalation_rules",
    "get_action",
    "get_risk",
    "health_risk_facts",
    "list_escalations",
    "list_history",
    "list_risks",
    "matrix_counts",
    "reevaluate_program",
    "register_page",
    "risk_page",
    "risk_url",
    "risks_for_agenda",
    "risks_linked_to",
    "settle_after_removal",
    "task_ids_by_keys",
    "update_action",
    "update_escalation_rules",
    "update_risk",
]
