"""Integration fixtures: the command line run against the test database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from podium.cli._app import console
from podium.config import get_settings
from podium.db import get_engine


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
