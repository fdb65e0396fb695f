"""When the database cannot do the work now (SQLite's write lock held by a long delete, a
PostgreSQL lock wait or lost connection), the API answers 503 in its JSON error shape
and pages say so: never a bare server error."""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn

import pytest
from sqlalchemy.exc import OperationalError

from podium.services import programs
from tests.api.conftest import Browser, Cast
from tests.factories import assert_error

pytestmark = pytest.mark.db


@pytest.mark.parametrize(
    ("reason", "code"),
    [
        ("database is locked", "database_busy"),
        ("server closed the connection", "database_unavailable"),
    ],
)
def test_a_database_that_cannot_answer_now_is_a_503_to_try_again(
    cast: Cast,
    browser_as: Callable[[str], Browser],
    monkeypatch: pytest.MonkeyPatch,
    reason: str,
    code: str,
) -> None:
    viewer = browser_as("viewer@example.com")

    def fails(*_args: object, **_kwargs: object) -> NoReturn:
        raise OperationalError("SELECT 1", {}, Exception(reason))

    monkeypatch.setattr(programs, "list_programs", fails)
    response = cast.viewer.get("/api/v1/programs")
    error = assert_error(response, 503, code)
    assert "nothing was changed" in error["message"]
    assert response.headers["retry-after"].isdigit()
    page = viewer.client.get("/")
    assert page.status_code == 503 and page.headers["content-type"].startswith("text/html")
    assert "Nothing was saved" in page.text


def test_a_value_too_long_for_sqlite_to_search_is_a_422_not_an_outage(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fails(*_args: object, **_kwargs: object) -> NoReturn:
        raise OperationalError("SELECT 1", {}, Exception("LIKE or GLOB pattern too complex"))

    monkeypatch.setattr(programs, "list_programs", fails)
    error = assert_error(cast.viewer.get("/api/v1/programs"), 422, "invalid_value")
    assert error["message"] == "a value is too long for the database to search or store"
