"""Search through the API: every kind, ranked by key, within the programs one can see.

The network of ``tests/api/conftest.py``: projects PLAT, TRAIN, SEC with tasks
PLAT-1 "Pilot", TRAIN-1 "Train the trainers", SEC-1 "Threat model" and program
milestone M1. Another program, which the cast's people are not in, has a task
named "Pilot" too.
"""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.api.conftest import Cast, Net, post_created
from tests.factories import assert_error, make_program, make_project, make_task

URL = "/api/v1/search"


def _found(cast: Cast, q: str, client: str = "viewer", **params: object) -> dict:
    response = cast.by_role(client).get(URL, params={"q": q, **params})
    assert response.status_code == 200, response.text
    body: dict = response.json()
    return body


def _keys(body: dict, kind: str) -> list[str]:
    return [h["key"] for h in body["hits"] if h["kind"] == kind]


@pytest.fixture
def other_pilot(db: Session) -> None:
    hidden = make_program(db, key="HIDDEN", name="Hidden pilot program")
    make_task(db, make_project(db, hidden, "HID"), "HID-1", name="Pilot")


def test_a_name_finds_tasks_in_the_viewers_programs_only(
    cast: Cast, net: Net, other_pilot: None
) -> None:
    body = _found(cast, "pilot")
    assert _keys(body, "task") == [net.plat["key"]]
    (hit,) = [h for h in body["hits"] if h["kind"] == "task"]
    assert (hit["name"], hit["program_key"], hit["context"], hit["url"]) == (
        "Pilot",
        cast.program.key,
        "Plat",
        f"/tasks/{net.plat['id']}",
    )
    assert _keys(body, "program") == []  # "Hidden pilot program" is not theirs
    # an admin sees every program's
    admin = _found(cast, "pilot", "admin")
    assert sorted(_keys(admin, "task")) == sorted([net.plat["key"], "HID-1"])
    assert _keys(admin, "program") == ["HIDDEN"]
    assert _found(cast, "pilot", "outsider")["hits"] == []


def test_an_exact_key_comes_first_then_keys_that_start_with_it(
    cast: Cast, net: Net, db: Session
) -> None:
    train = make_project(db, cast.program, "TRAIN2", name="More training")
    make_task(db, train, "TRAIN-10", name="Follow-up")
    body = _found(cast, "train-1")
    assert _keys(body, "task") == [net.train["key"], "TRAIN-10"]
    # projects by key or name; the program milestone by key
    assert _keys(_found(cast, "train"), "project") == ["TRAIN", "TRAIN2"]
    assert _keys(_found(cast, "m1"), "milestone") == ["M1"]
    assert _keys(_found(cast, cast.program.key.lower()), "program") == [cast.program.key]


def test_risks_by_key_or_title(cast: Cast, net: Net) -> None:
    risk = post_created(
        cast.member,
        "/api/v1/risks",
        {"program_id": cast.program.id, "title": "Vendor API late", "probability": 3,
         "impact": 3, "project_ids": [net.plat["project_id"]]},
    )  # fmt: skip
    key = risk["key"]
    assert _keys(_found(cast, key.lower()), "risk") == [key]
    (hit,) = [h for h in _found(cast, "vendor")["hits"] if h["kind"] == "risk"]
    assert (hit["key"], hit["name"], hit["url"]) == (key, "Vendor API late", f"/risks/{risk['id']}")


def test_wildcards_are_matched_as_themselves_and_more_is_flagged(
    cast: Cast, net: Net, db: Session
) -> None:
    project = make_project(db, cast.program, "BULK")
    for n in range(3):
        make_task(db, project, f"BULK-{n}", name=f"Move 100% of wave {n}")
    assert _keys(_found(cast, "100%"), "task") == ["BULK-0", "BULK-1", "BULK-2"]
    assert _keys(_found(cast, "%"), "task") == ["BULK-0", "BULK-1", "BULK-2"]
    assert _keys(_found(cast, "_"), "task") == []
    assert _found(cast, "_")["hits"] == []
    limited = _found(cast, "bulk-", limit=2)
    assert _keys(limited, "task") == ["BULK-0", "BULK-1"]
    assert limited["more"]["task"] is True and limited["more"]["project"] is False


def test_a_scenarios_copy_is_not_found(cast: Cast, net: Net) -> None:
    post_created(
        cast.manager, f"/api/v1/programs/{cast.program.id}/scenarios", {"name": "Slip the pilot"}
    )
    assert _keys(_found(cast, "pilot", "manager"), "task") == [net.plat["key"]]


@pytest.mark.parametrize("q", ["", "   ", "x" * 201])
def test_an_empty_or_too_long_search_is_422(cast: Cast, q: str) -> None:
    assert_error(cast.viewer.get(URL, params={"q": q}), 422)


def test_search_needs_a_signed_in_caller(cast: Cast) -> None:
    assert_error(cast.viewer.client.get(URL, params={"q": "pilot"}), 401)
    assert_error(cast.viewer.get(URL), 422)
    assert_error(cast.viewer.get(URL, params={"q": "x", "limit": 0}), 422)


def test_case_is_ignored_beyond_ascii(cast: Cast, net: Net, db: Session) -> None:
    project = make_project(db, cast.program, "INTL")
    make_task(db, project, "INTL-1", name="ÉTÉ Übergang Ωmega")
    for q in ("ÉTÉ", "été", "übergang", "ÜBERGANG", "ωmega"):
        assert _keys(_found(cast, q), "task") == ["INTL-1"], q


def test_a_nul_in_the_query_is_refused(cast: Cast, net: Net) -> None:
    error = assert_error(cast.viewer.get(f"{URL}?q=a%00b"), 422, "validation_failed")
    assert error["details"] == [{"field": "q", "message": "must not contain NUL characters"}]
    assert_error(cast.admin.get("/api/v1/users?q=%00"), 422, "validation_failed")
    page = cast.viewer.get("/search?q=a%00b", headers={"Accept": "text/html"})
    assert page.status_code == 400 and "NUL" in page.text
