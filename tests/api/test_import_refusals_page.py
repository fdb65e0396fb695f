"""Files refused as a whole (no place in them to point at) are listed on the import page,
not answered with a server error; the API says the same in JSON."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from podium.models import Program
from tests.api.conftest import Browser, Cast
from tests.factories import assert_error

pytestmark = pytest.mark.db

WHOLE_FILE_REFUSALS = {
    "array.json": b"[1, 2]",
    "truncated.json": b'{"format": "podium-plan", "version": 1, "program": {',
    "utf16.json": '{"format": "podium-plan", "version": 1}'.encode("utf-16"),
    "deep.json": b"[" * 100_000 + b"]" * 100_000,
    "entities.xml": b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaa">]><Project>&a;</Project>',
    "workbook.xlsx": b"PK\x03\x04\x14\x00\x00\x00" + bytes(range(256)),
    "repeated.json": b'{"format": "podium-plan", "format": "podium-plan", "version": 1,'
    b' "program": {"key": "REP", "name": "R", "start": "2027-01-04"}}',
}


@pytest.mark.parametrize("name", sorted(WHOLE_FILE_REFUSALS))
def test_a_file_refused_as_a_whole_is_listed_on_the_page_and_in_the_api(
    name: str, cast: Cast, browser_as: Callable[[str], Browser], db: Session
) -> None:
    before = db.scalar(select(func.count()).select_from(Program))
    member = browser_as("member@example.com")
    response = member.client.post(
        "/import",
        data={"csrf_token": member.csrf},
        files={"file": (name, WHOLE_FILE_REFUSALS[name])},
        follow_redirects=False,
    )
    assert response.status_code == 422, response.text
    assert "Nothing was imported." in response.text
    api = cast.member.post("/api/v1/imports", files={"file": (name, WHOLE_FILE_REFUSALS[name])})
    assert assert_error(api, 422)["details"]
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Program)) == before


def test_a_program_name_on_two_lines_still_makes_a_feed_of_one_line(cast: Cast) -> None:
    program = f"/api/v1/programs/{cast.program.id}"
    renamed = cast.owner.patch(program, json={"name": "Cloud\nmigration"})
    assert renamed.status_code == 200, renamed.text
    feed = cast.viewer.post(f"{program}/feeds")
    assert feed.status_code == 201, feed.text
    got = cast.viewer.get(feed.json()["url"].removeprefix("http://testserver"))
    assert got.status_code == 200, got.text
    assert "X-WR-CALNAME:Cloud migration (CLOUD)\r\n" in got.text


def test_a_file_above_the_limit_gets_a_page_on_the_web_and_json_from_the_api(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    big = b"x" * (20 * 1024 * 1024 + 1)
    member = browser_as("member@example.com")
    page = member.client.post(
        "/import", data={"csrf_token": member.csrf}, files={"file": ("big.csv", big)}
    )
    assert page.status_code == 413 and page.headers["content-type"].startswith("text/html")
    assert "larger than 20 MB" in page.text and "Nothing was saved." in page.text
    api = cast.member.post("/api/v1/imports", files={"file": ("big.csv", big)})
    assert_error(api, 413, "payload_too_large")


def test_a_form_sent_in_chunks_past_the_limit_gets_the_page_too(cast: Cast, engine) -> None:
    """A body without its length is counted as it streams in; a page's form refused so
    gets the error page (a page of the site), not plain text."""
    from fastapi.testclient import TestClient

    from podium.app import create_app
    from podium.config import Settings
    from tests.factories import PASSWORD

    small = Settings(
        database_url="sqlite://",
        environment="test",
        secret_key="test-secret",
        max_upload_bytes=4096,
    )
    with TestClient(create_app(small, engine=engine)) as client:
        login = client.post(
            "/api/v1/auth/login", json={"email": "member@example.com", "password": PASSWORD}
        )
        assert login.status_code == 200, login.text
        chunks = iter([b"csrf_token=" + login.json()["csrf_token"].encode(), *[b"x" * 1024] * 8])
        page = client.post(
            "/import",
            content=chunks,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    assert page.status_code == 413
    assert page.headers["content-type"].startswith("text/html")
    assert "larger than 4 KB" in page.text and "Nothing was saved." in page.text
    assert "<nav" in page.text  # the site's page, with its header
