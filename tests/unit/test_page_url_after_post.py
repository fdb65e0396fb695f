"""The page a refused form was sent from, put back in the address bar: only for a POST
drawn as a whole page, and only from the same site."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from podium.web.templating import page_url_after_post


def _request(method: str, referer: str | None, *, htmx: bool = False) -> Request:
    headers = [(b"host", b"podium.example")]
    if referer is not None:
        headers.append((b"referer", referer.encode()))
    if htmx:
        headers.append((b"hx-request", b"true"))
    scope = {
        "type": "http",
        "method": method,
        "scheme": "https",
        "server": ("podium.example", 443),
        "path": "/programs/1/risks/escalation-rules",
        "query_string": b"",
        "headers": headers,
    }
    return Request(scope)


@pytest.mark.parametrize(
    ("method", "referer", "htmx", "expected"),
    [
        (
            "POST",
            "https://podium.example/programs/1/risks?show=all",
            False,
            "/programs/1/risks?show=all",
        ),
        ("POST", "https://podium.example/programs/1/risks#register", False, "/programs/1/risks"),
        ("GET", "https://podium.example/programs/1/risks", False, None),
        ("POST", "https://podium.example/programs/1/risks", True, None),
        ("POST", "https://elsewhere.example/programs/1/risks", False, None),
        ("POST", None, False, None),
        ("POST", "javascript:alert(1)", False, None),
    ],
)
def test_the_page_url_is_the_same_site_referer_of_a_whole_page_post(
    method: str, referer: str | None, htmx: bool, expected: str | None
) -> None:
    assert page_url_after_post(_request(method, referer, htmx=htmx)) == expected
