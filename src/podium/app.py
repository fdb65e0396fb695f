"""The whole application: the REST API and the web pages, on one database.

This is the composition root (``podium serve`` runs ``podium.app:create_app``):
the API layer and the web layer know nothing of each other.
"""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import Engine

from podium import access_log
from podium.api.app import create_api_app
from podium.config import Settings
from podium.web.pages import install_web


def create_app(
    settings: Settings | None = None, *, engine: Engine | None = None, check_schema: bool = True
) -> FastAPI:
    """The API under /api/v1 and the pages at /; refuses a database whose schema is behind."""
    app = create_api_app(settings, engine=engine, check_schema=check_schema)
    install_web(app)
    access_log.install()
    return app
