"""The migrations are the schema: they must build exactly what the models describe."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from podium.db import DatabaseBehind, check_database_current, make_engine, upgrade_database
from podium.models import Base


def test_migrated_database_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_migrated_database_is_current(engine: Engine) -> None:
    check_database_current(engine)


def test_app_refuses_a_database_that_is_behind(tmp_path) -> None:
    empty = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(DatabaseBehind, match="podium db upgrade"):
        check_database_current(empty)
    upgrade_database(empty)
    check_database_current(empty)
