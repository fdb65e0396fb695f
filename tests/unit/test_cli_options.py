"""A service's refusal of request fields, told with the command-line options that give
them (``default_uncertainty`` is ``--uncertainty``; ``weights.M1`` is ``--weight M1``)."""

from __future__ import annotations

from podium.cli._app import in_options
from podium.errors import PodiumError, ValidationFailed, field_error


def test_fields_become_options_in_the_problems_and_the_message() -> None:
    refused = ValidationFailed(
        "iterations: between 100 and 100000; default_uncertainty: between 0 and 0.9",
        details=[
            {"field": "iterations", "message": "between 100 and 100000"},
            {"field": "default_uncertainty", "message": "between 0 and 0.9"},
        ],
    )
    told = in_options(
        refused, {"iterations": "--iterations", "default_uncertainty": "--uncertainty"}
    )
    assert told.message == "--iterations: between 100 and 100000; --uncertainty: between 0 and 0.9"
    assert told.details == [
        {"field": "--iterations", "message": "between 100 and 100000"},
        {"field": "--uncertainty", "message": "between 0 and 0.9"},
    ]
    assert told.code == "validation_failed"


def test_a_field_with_a_key_names_the_option_and_the_key() -> None:
    refused = ValidationFailed(
        "unknown keys", details=[{"field": "weights.M9", "message": "no M9"}]
    )
    told = in_options(refused, {"weights": "--weight"})
    assert told.details == [{"field": "--weight M9", "message": "no M9"}]


def test_a_refusal_naming_no_option_is_the_same_error() -> None:
    refused = field_error("seed", "too big")
    assert in_options(refused, {"key": "--key"}) is refused
    other = PodiumError("no such program")
    assert in_options(other, {"key": "--key"}) is other
