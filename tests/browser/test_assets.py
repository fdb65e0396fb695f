"""Front-end libraries: served from node_modules by allow-list; pages survive their absence."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from podium.app import create_app
from podium.config import Settings
from podium.web.assets import Assets


def _client(engine: Engine) -> Iterator[TestClient]:
    settings = Settings(database_url=str(engine.url), environment="test", secret_key="assets")
    with TestClient(create_app(settings, engine=engine), follow_redirects=False) as client:
        yield client


@pytest.fixture(scope="module")
def client(web_engine: Engine) -> Iterator[TestClient]:
    """One app for the tests that only read from it (building one takes a second)."""
    yield from _client(web_engine)


def test_an_allow_listed_package_file_is_served(client: TestClient) -> None:
    response = client.get("/assets/htmx.org/dist/htmx.min.js")
    assert response.status_code == 200
    assert "javascript" in response.headers["content-type"]


@pytest.mark.parametrize(
    "path",
    [
        "/assets/left-pad/index.js",
        "/assets/axe-core/axe.min.js",  # installed for the accessibility test, not served
        "/assets/htmx.org/%2e%2e/%2e%2e/pyproject.toml",
        "/assets/htmx.org/dist/no-such-file.js",
    ],
)
def test_other_packages_and_files_outside_a_package_are_not_found(
    client: TestClient, path: str
) -> None:
    assert client.get(path).status_code == 404


def test_the_sign_in_page_loads_htmx_and_our_own_assets(client: TestClient) -> None:
    page = client.get("/login").text
    assert '<script src="/assets/htmx.org/dist/htmx.min.js?v=' in page
    assert 'href="/static/podium.css' in page
    assert client.get("/static/podium.js").status_code == 200


def test_missing_node_modules_shows_a_message_instead_of_failing(
    web_engine: Engine, tmp_path: Path
) -> None:
    for client in _client(web_engine):
        app = client.app
        assert isinstance(app, FastAPI)
        app.state.assets = Assets(tmp_path / "node_modules")

        page = client.get("/login")
        assert page.status_code == 200
        assert "make assets" in page.text
        assert "htmx.min.js" not in page.text
        assert client.get("/assets/htmx.org/dist/htmx.min.js").status_code == 404
