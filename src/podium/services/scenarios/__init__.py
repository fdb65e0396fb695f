"""What-if scenarios: a named, hidden copy of a program's plan, edited through the usual
routes and pages, compared with the live plan and any baseline, then applied in one
transaction — keeping what the live plan changed meanwhile, refused with the list of
conflicts where the two clash — or discarded."""

from podium.services.scenarios._records import (
    DESCRIPTION_LENGTH,
    NAME_LENGTH,
    applied_in_words,
    check_active,
    checked_texts,
    copy_of,
    find_scenario,
    get_scenario,
    label,
    scenario_of_copy,
)
from podium.services.scenarios.applying import apply_scenario, write_onto_live
from podium.services.scenarios.comparing import compare_scenario, latest_p80
from podium.services.scenarios.conflicts import check_applicable, find_conflicts
from podium.services.scenarios.copying import copy_key, create_scenario
from podium.services.scenarios.managing import (
    delete_scenario,
    discard_scenario,
    list_scenarios,
    update_scenario,
)

__all__ = [
    "DESCRIPTION_LENGTH",
    "NAME_LENGTH",
    "applied_in_words",
    "apply_scenario",
    "check_active",
    "check_applicable",
    "checked_texts",
    "compare_scenario",
    "copy_key",
    "copy_of",
    "create_scenario",
    "delete_scenario",
    "discard_scenario",
    "find_conflicts",
    "find_scenario",
    "get_scenario",
    "label",
    "latest_p80",
    "list_scenarios",
    "scenario_of_copy",
    "update_scenario",
    "write_onto_live",
]
