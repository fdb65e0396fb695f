"""`podium user add|password` refuse a password of only spaces, as the API does."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from tests.integration.test_cli_users import add, password_works, podium

pytestmark = pytest.mark.db

BLANK = " " * 12
WORDS = "must not be only spaces"


def test_the_command_line_refuses_a_blank_password(cli_env: None, engine: Engine) -> None:
    code, out = podium("user", "add", "bo@example.com", "--password", BLANK)
    assert code == 1 and f"password: {WORDS}" in out, out
    add("bo@example.com")
    code, out = podium("user", "password", "bo@example.com", "--password", BLANK)
    assert code == 1 and f"password: {WORDS}" in out, out
    assert not password_works(engine, "bo@example.com", BLANK)
