"""The words a web form says of a refused value: every check of the API's input schemas
reads the same plain way on every page, never pydantic's own "Input should be…"."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import pytest
from pydantic import BaseModel

import podium.api
from podium.api.governance import ReviewCreate
from podium.api.projects import ProjectUpdate
from podium.api.resources import ResourceCreate
from podium.api.tasks import TaskUpdate
from podium.api.users import TokenCreate, UserCreate
from podium.web.form_errors import GENERAL, validate

# what a person may type into a form field, wrong in every way a form lets them
TYPED = ["abc", "-1", "0", "1.5", "", "x" * 3000, "1e400", "nan", "2027-02-30", "25:00", "\x01"]
RAW = ("Input should", "Value should", "Field required", "Value error", "Extra inputs")


def _input_schemas() -> list[type[BaseModel]]:
    """The API's request bodies (its answers, ``…Out``, are no form's)."""
    found: dict[str, type[BaseModel]] = {}
    for module_info in pkgutil.iter_modules(podium.api.__path__):
        module = importlib.import_module(f"podium.api.{module_info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, BaseModel)
                and value.__module__ == module.__name__
                and not value.__name__.endswith(("Out", "Out]", "Created", "Summary", "Body"))
            ):
                found[f"{module.__name__}.{value.__name__}"] = value
    return [found[name] for name in sorted(found)]


def _said(model: type[BaseModel], data: dict[str, Any], **options: Any) -> dict[str, str]:
    body, errors = validate(model, data, **options)
    assert body is None
    return errors


@pytest.mark.parametrize("model", _input_schemas(), ids=lambda model: model.__name__)
def test_no_input_schema_check_reaches_a_form_in_pydantics_words(model: type[BaseModel]) -> None:
    for field in model.model_fields:
        for typed in TYPED:
            _body, errors = validate(model, {field: typed})
            for name, words in errors.items():
                where = f"{model.__name__}.{name} given {typed[:20]!r}"
                assert not words.startswith(RAW), f"{where}: {words}"
                assert words[:1].isupper() and words.endswith("."), f"{where}: {words}"


@pytest.mark.parametrize(
    ("model", "data", "field", "words"),
    [
        (
            ResourceCreate,
            {"key": "a", "name": "A", "capacity": "0"},
            "capacity",
            "Must be more than 0.",
        ),
        (
            ResourceCreate,
            {"key": "a", "name": "A", "hours_per_day": "24.5"},
            "hours_per_day",
            "Must be at most 24.",
        ),
        (TaskUpdate, {"percent_complete": "150"}, "percent_complete", "Must be at most 100."),
        (TaskUpdate, {"duration": "-1"}, "duration", "Must be at least 0."),
        (TaskUpdate, {"duration": "1.5"}, "duration", "Enter a whole number."),
        (TaskUpdate, {"actual_start": "30 Feb"}, "actual_start", "Enter a date (YYYY-MM-DD)."),
        (TaskUpdate, {"actual_start": "86400"}, "actual_start", "Enter a date (YYYY-MM-DD)."),
        (TaskUpdate, {"name": ""}, "name", "Required."),
        (ProjectUpdate, {"name": ""}, "name", "Required."),
        (ResourceCreate, {"name": "A"}, "key", "Required."),
        (
            TokenCreate,
            {"name": "t", "expires_in_days": "99999"},
            "expires_in_days",
            "Must be at most 3,650.",
        ),
        (
            UserCreate,
            {"email": "a@b.example", "name": "A", "password": "short"},
            "password",
            "At least 8 characters.",
        ),
        (
            UserCreate,
            {"email": "nobody", "name": "A"},
            "email",
            "This is not a valid email address.",
        ),
        (
            ReviewCreate,
            {"time_of_day": "25:00"},
            "time_of_day",
            "A time like 09:30 (hours 00 to 23).",
        ),
    ],
)
def test_a_refused_value_is_said_in_plain_words(
    model: type[BaseModel], data: dict[str, Any], field: str, words: str
) -> None:
    assert _said(model, data)[field] == words


def test_a_form_may_say_a_range_in_its_own_words_and_only_a_range() -> None:
    ranges = {"capacity": "More than 0: 1 is one full-time person."}
    below = _said(ResourceCreate, {"key": "a", "name": "A", "capacity": "0"}, ranges=ranges)
    above = _said(ResourceCreate, {"key": "a", "name": "A", "capacity": "1e9"}, ranges=ranges)
    assert below["capacity"] == above["capacity"] == "More than 0: 1 is one full-time person."
    # a value that is no number at all is not out of a range
    unread = _said(ResourceCreate, {"key": "a", "name": "A", "capacity": "lots"}, ranges=ranges)
    assert unread["capacity"] == "Enter a number."


def test_an_error_of_the_whole_body_goes_on_top_of_the_form() -> None:
    class Window(BaseModel):
        start: int
        finish: int

        def model_post_init(self, _context: Any) -> None:
            if self.finish < self.start:
                raise ValueError("the finish comes before the start")

    errors = _said(Window, {"start": "5", "finish": "1"})
    assert errors == {GENERAL: "The finish comes before the start."}


def test_a_number_typed_as_the_pages_show_it_is_taken_with_its_thousands_separators() -> None:
    from podium.api.benefits import MeasurementCreate

    for typed, value in (("1,050", 1050), (" -12,500.5 ", -12500.5), ("1,234,567", 1234567)):
        body, errors = validate(MeasurementCreate, {"measured_on": "2027-02-01", "value": typed})
        assert errors == {} and body is not None and body.value == value, typed
    # grouped wrongly, it is no number: not 105, nor 1.05
    for typed in ("1,05", "10,50", ",050", "1,050,5"):
        assert _said(MeasurementCreate, {"measured_on": "2027-02-01", "value": typed}) == {
            "value": "Enter a number."
        }, typed
    # a whole number too: a duration of 1,000 days
    assert _said(TaskUpdate, {"duration": "1,000", "name": ""}) == {"name": "Required."}
