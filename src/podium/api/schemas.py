"""Schemas shared by every area: pages, the error body."""

from __future__ import annotations

import re
import types
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any, Generic, TypeVar, Union, get_args, get_origin

from fastapi import Path, Query
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from podium.text import CONTROL

T = TypeVar("T")


# an account's email as the accounts take it (``podium user add``, the sign-in page):
# something@somewhere, without asking the address to be deliverable or public, so
# names on an intranet (``pmo@podium.local``) sign in through the API as well
def _an_email(value: str) -> str:
    if not re.fullmatch(r"[^@\s]+@[^@\s]+", value):
        raise ValueError("this is not a valid email address")
    return value


Email = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=320), AfterValidator(_an_email)
]


# --- what a field takes, without the conversions a JSON client would not expect ---------
#
# Pydantic's lax mode turns ``true`` into 1 in a number field, a number (or a string of
# digits) into a date counted in seconds from 1970 (``"start_date": 0`` would be
# 1970-01-01), and ``"yes"``, ``"on"`` or 1 into ``true``. Its strict mode refuses those,
# but also the ISO date strings that JSON has for dates; so those conversions are refused
# here, field by field, and the rest of the lax mode (an integral 2.0 for 2, "1.5" for
# 1.5) stays. The web forms turn their checkboxes' strings into booleans first.

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
NOT_A_DATE = "must be a date written YYYY-MM-DD"


def scalar_kinds(annotation: Any) -> frozenset[type]:
    """The plain types a field's annotation takes, through ``X | None``, ``Annotated``
    and lists."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return scalar_kinds(get_args(annotation)[0])
    if origin in (Union, types.UnionType, list, tuple, set, frozenset):
        return frozenset().union(*(scalar_kinds(a) for a in get_args(annotation)))
    return frozenset({annotation}) if isinstance(annotation, type) else frozenset()


def _refuse_lax(value: Any, kinds: frozenset[type]) -> Any:
    if isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _refuse_lax(item, kinds)
        return value
    if str in kinds:
        return value
    if kinds - {type(None)} == {bool} and not isinstance(value, bool):
        raise PydanticCustomError("bool_type", "must be true or false")
    dated = datetime not in kinds and bool(kinds & {date})
    if isinstance(value, bool) and not dated:
        if bool not in kinds and kinds & {int, float}:
            raise PydanticCustomError("number_type", "must be a number, not true or false")
    elif dated and (
        isinstance(value, int | float) or (isinstance(value, str) and not ISO_DATE.fullmatch(value))
    ):
        raise PydanticCustomError("date_format", NOT_A_DATE)
    return value


def _iso_date(value: Any) -> Any:
    return _refuse_lax(value, frozenset({date}))


def _a_number(value: Any) -> Any:
    return _refuse_lax(value, frozenset({int, float}))


# a number where the body-wide check does not look (a mapping's values): ``true`` is not 1
Number = BeforeValidator(_a_number)


# a date as a query parameter: 2026-01-05, not a count of seconds
IsoDate = Annotated[date, BeforeValidator(_iso_date)]


class Strict(BaseModel):
    """Input bodies: unknown fields are refused, not silently dropped; no NUL characters;
    no ``true`` for a number, no number for a date."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @classmethod
    @cache
    def _kinds_of(cls, name: str) -> frozenset[type]:
        return scalar_kinds(cls.model_fields[name].annotation)

    @field_validator("*", mode="before")
    @classmethod
    def _no_lax_conversions(cls, value: Any, info: ValidationInfo) -> Any:
        if info.field_name is None or value is None:
            return value
        return _refuse_lax(value, cls._kinds_of(info.field_name))

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        # PostgreSQL cannot store NUL in text; refuse it the same way on every database.
        # Other control characters (ESC, BEL …) would reach terminals and files as
        # commands, not text: only tab and line breaks are text
        if isinstance(value, str):
            if "\x00" in value:
                raise ValueError("must not contain NUL characters")
            if CONTROL.search(value):
                raise ValueError("must not contain control characters (only tabs and line breaks)")
        return value


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


MAX_ID = 2_147_483_647  # the database's INTEGER: an id past it names nothing
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]


class PageOut(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class ErrorBody(BaseModel):
    code: str
    message: str
    details: Any = None


class ErrorOut(BaseModel):
    error: ErrorBody


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": text}
    for status, text in {
        400: "Malformed request",
        401: "No or invalid credentials",
        403: "Role too low",
        404: "Not found (or not visible to you)",
        409: "Conflict",
        422: "Invalid fields",
    }.items()
}
"""The errors any route may answer. The OpenAPI document adds the ones only some routes
can answer (:data:`ROUTE_ERRORS`) where they apply."""

ROUTE_ERRORS = {
    412: "Stale version: the If-Match header names an old version",
    413: "Request body larger than the limit",
}
"""412 on the routes that read If-Match; 413 on the routes that take a request body."""
