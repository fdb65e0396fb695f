"""An invalid ``PODIUM_*`` setting stops a `podium` command with a message naming the
variable (docs/operators.md, Configuration), not a Python traceback; help needs none."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from podium.cli import app
from podium.config import get_settings
from podium.db import get_engine

runner = CliRunner()


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    get_engine.cache_clear()
    yield
    get_settings.cache_clear()
    get_engine.cache_clear()


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        (
            "PODIUM_SESSION_DAYS",
            "0",
            "PODIUM_SESSION_DAYS: Input should be greater than or equal to 1",
        ),
        ("PODIUM_ENVIRONMENT", "prod", "PODIUM_ENVIRONMENT: String should match pattern"),
        ("PODIUM_ECHO_SQL", "maybe", "PODIUM_ECHO_SQL: Input should be a valid boolean"),
    ],
)
def test_an_invalid_setting_is_named_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, said: str
) -> None:
    monkeypatch.setenv(variable, value)
    result = runner.invoke(app, ["db", "current"])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    output = " ".join(result.output.split())
    assert output.startswith("error: ") and said in output
    assert f"(not '{value}')" in output
    assert "Traceback" not in output


def test_production_without_a_secret_key_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PODIUM_ENVIRONMENT", "production")
    monkeypatch.delenv("PODIUM_SECRET_KEY", raising=False)
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 1
    assert " ".join(result.output.split()) == (
        "error: PODIUM_SECRET_KEY must be set to a long random value in production"
    )


@pytest.mark.parametrize("args", [["--help"], ["db", "--help"], ["program", "create", "--help"]])
def test_help_needs_no_settings_and_shows_even_with_an_invalid_one(
    monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.setenv("PODIUM_SESSION_DAYS", "0")
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Usage: podium" in result.output and "error:" not in result.output
