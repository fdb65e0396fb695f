"""Every list the API answers is a page of `{items, total, limit, offset}`, taking both."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from tests.api.conftest import Cast
from tests.factories import assert_error


def _reads(app: FastAPI) -> dict[str, dict[str, Any]]:
    """Each GET operation of the API's own description, by path."""
    paths = app.openapi()["paths"]
    return {path: item["get"] for path, item in paths.items() if "get" in item}


def _answer(operation: dict[str, Any], app: FastAPI) -> dict[str, Any]:
    content = operation["responses"]["200"].get("content", {})
    schema: dict[str, Any] = content.get("application/json", {}).get("schema", {})
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = app.openapi()["components"]["schemas"][name]
    return schema


def test_no_list_route_answers_a_bare_array(app: FastAPI) -> None:
    bare = [path for path, op in _reads(app).items() if _answer(op, app).get("type") == "array"]
    assert bare == []


def test_every_paged_route_takes_limit_and_offset(app: FastAPI) -> None:
    paged = {
        path: op
        for path, op in _reads(app).items()
        if {"items", "total", "limit", "offset"} <= set(_answer(op, app).get("properties", {}))
    }
    assert len(paged) >= 30  # the registers, a record's parts and the plan's lists
    for path, op in paged.items():
        names = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
        assert {"limit", "offset"} <= names, path


def _decide(cast: Cast, title: str) -> dict:
    url = f"/api/v1/programs/{cast.program.id}/decisions"
    response = cast.manager.post(url, json={"title": title})
    assert response.status_code == 201, response.text
    return response.json()


def test_the_decision_log_is_paged_and_counts_every_decision(cast: Cast) -> None:
    for title in ("One", "Two", "Three"):
        _decide(cast, title)
    url = f"/api/v1/programs/{cast.program.id}/decisions"
    whole = cast.viewer.get(url).json()
    assert (whole["total"], whole["limit"], whole["offset"]) == (3, 50, 0)
    first = cast.viewer.get(url, params={"limit": 2}).json()
    rest = cast.viewer.get(url, params={"limit": 2, "offset": 2}).json()
    assert (len(first["items"]), len(rest["items"])) == (2, 1)
    assert first["total"] == rest["total"] == 3
    keys = [d["key"] for d in first["items"] + rest["items"]]
    assert keys == [d["key"] for d in whole["items"]] and sorted(keys) == ["D-1", "D-2", "D-3"]
    past = cast.viewer.get(url, params={"offset": 10}).json()
    assert (past["items"], past["total"]) == ([], 3)


def test_a_list_read_whole_is_cut_to_the_page(cast: Cast) -> None:
    url = f"/api/v1/programs/{cast.program.id}/stakeholders"
    for name in ("Ana", "Ben", "Cy"):
        body = {"name": name, "influence": 3, "interest": 3}
        assert cast.manager.post(url, json=body).status_code == 201
    whole = [s["name"] for s in cast.viewer.get(url).json()["items"]]
    page = cast.viewer.get(url, params={"limit": 1, "offset": 1}).json()
    assert [s["name"] for s in page["items"]] == whole[1:2]
    assert (page["total"], page["limit"], page["offset"]) == (3, 1, 1)


def test_paging_is_checked_on_the_registers(cast: Cast) -> None:
    url = f"/api/v1/programs/{cast.program.id}/reviews"
    error = assert_error(cast.viewer.get(url, params={"limit": 0}), 422, "validation_failed")
    assert error["details"][0]["field"] == "limit"
    assert_error(cast.viewer.get(url, params={"offset": -1}), 422, "validation_failed")
    capped = cast.viewer.get(url, params={"limit": 100_000}).json()
    assert capped["limit"] == 500
