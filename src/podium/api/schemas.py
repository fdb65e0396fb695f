"""Schemas shared by every area: pages, the error body."""

from __future__ import annotations

import re
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Path, Query
from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints, field_validator

T = TypeVar("T")
CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")


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


class Strict(BaseModel):
    """Input bodies: unknown fields are refused, not silently dropped; no NUL characters."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

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
        412: "Stale version (If-Match)",
        422: "Invalid fields",
    }.items()
}
