"""Ids past the database's INTEGER are refused in words, a fault of Podium's own
still answers the JSON error body (the API) or a page (the web), and the OpenAPI
document lists under each route the errors that route can answer."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from podium.app import create_app
from podium.config import Settings
from tests.api.conftest import Cast
from tests.factories import assert_error

HUGE = "99999999999999999999"


def test_every_id_in_a_path_is_bounded_by_the_database(app: FastAPI) -> None:
    unbounded = [
        (path, p["name"])
        for path, item in app.openapi()["paths"].items()
        for op in item.values()
        for p in op.get("parameters", [])
        if p["in"] in ("path", "query")
        and p["name"].endswith("_id")
        and p["schema"].get("maximum", p["schema"].get("anyOf", [{}])[0].get("maximum"))
        != 2_147_483_647
    ]
    assert unbounded == []


def test_each_route_documents_412_only_if_it_reads_if_match_and_413_if_it_takes_a_body(
    app: FastAPI,
) -> None:
    operations = {
        f"{method.upper()} {path}": op
        for path, item in app.openapi()["paths"].items()
        for method, op in item.items()
    }
    error_body = {"$ref": "#/components/schemas/ErrorOut"}
    if_match = set()
    for name, op in operations.items():
        headers = {p["name"] for p in op.get("parameters", []) if p["in"] == "header"}
        if "if-match" in headers:
            if_match.add(name)
        assert ("412" in op["responses"]) == ("if-match" in headers), name
        assert ("413" in op["responses"]) == ("requestBody" in op), name
        for status in {"412", "413"} & set(op["responses"]):
            schema = op["responses"][status]["content"]["application/json"]["schema"]
            assert schema == error_body, (name, status)
    assert len(if_match) > 40 and "PATCH /api/v1/tasks/{task_id}" in if_match
    for read in ("GET /api/v1/programs", "GET /api/v1/tasks/{task_id}", "POST /api/v1/imports"):
        assert "412" not in operations[read]["responses"], read
    for upload in (
        "POST /api/v1/imports",
        "POST /api/v1/imports/inspect",
        "POST /api/v1/calendars/{calendar_id}/holidays/import",
    ):
        assert "413" in operations[upload]["responses"], upload


def test_a_huge_id_is_a_422_not_a_crash(cast: Cast) -> None:
    for url in (
        f"/api/v1/programs/{HUGE}/schedule",
        f"/api/v1/programs/{HUGE}",
        f"/api/v1/baselines/{HUGE}/variance",
        f"/api/v1/users/{HUGE}/tasks",
        f"/api/v1/programs/{cast.program.id}/audit?entity_id={HUGE}",
        "/api/v1/programs/2147483648/members",
    ):
        error = assert_error(cast.admin.get(url), 422, "validation_failed")
        assert error["details"][0]["message"].startswith("Input should be"), url
    assert_error(cast.viewer.delete(f"/api/v1/tokens/{HUGE}"), 422, "validation_failed")
    member = f"/api/v1/programs/{cast.program.id}/members/{HUGE}"
    assert_error(cast.owner.delete(member), 422, "validation_failed")


def _faulty_app(engine: Engine, settings: Settings) -> FastAPI:
    app = create_app(settings, engine=engine)

    @app.get("/api/v1/fault")
    @app.get("/fault")
    def fault() -> None:
        raise RuntimeError("a fault of our own")

    return app


def test_an_unexpected_fault_answers_the_error_body(engine: Engine, settings: Settings) -> None:
    with TestClient(_faulty_app(engine, settings), raise_server_exceptions=False) as client:
        response = client.get("/api/v1/fault")
        error = assert_error(response, 500, "internal_error")
        assert "a fault of our own" not in response.text  # the trace stays in the log
        assert "unexpected error" in error["message"]
        page = client.get("/fault", headers={"Accept": "text/html"})
        assert page.status_code == 500 and "text/html" in page.headers["content-type"]
        assert "unexpected error" in page.text and "a fault of our own" not in page.text
