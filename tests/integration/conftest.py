"""Integration fixtures: the command line run against the test database."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from podium.cli import app
from podium.cli._app import console
from podium.config import get_settings
from podium.db import get_engine
from podium.services.backup import backup_database, restore_database
from podium.services.scheduling import alerts, cache


@pytest.fixture
def cli_env(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """``podium`` commands read and write the test database (tables one row per line,
    feed addresses under a fixed public URL)."""
    monkeypatch.setenv("PODIUM_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("PODIUM_BASE_URL", "https://podium.example.com/")
    monkeypatch.setattr(console, "_width", 200)
    get_settings.cache_clear()
    get_engine.cache_clear()
    yield
    get_engine().dispose()
    get_settings.cache_clear()
    get_engine.cache_clear()


_demo_archives: dict[tuple[str, date], bytes] = {}


@pytest.fixture
def demo(cli_env: None, engine: Engine) -> None:
    """The database as ``podium demo`` leaves it. The command runs once per database and
    day (the demo is dated from today) in each test process; the tests after it get what
    it wrote back from a backup taken then, in a tenth of the time the command takes."""
    key = (engine.dialect.name, datetime.now(UTC).astimezone().date())  # the demo's today
    archive = _demo_archives.get(key)
    if archive is None:
        result = CliRunner().invoke(app, ["demo"])
        assert result.exit_code == 0, result.output
        buffer = io.BytesIO()
        backup_database(engine, buffer)
        _demo_archives[key] = buffer.getvalue()
        return
    restore_database(engine, io.BytesIO(archive))
    # the restored programs have the ids the first ones had: what this process remembers
    # of those is forgotten, as a demo loaded afresh (with new ids) would find nothing
    cache.clear()
    alerts.forget_baselines()
