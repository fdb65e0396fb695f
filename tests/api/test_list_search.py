"""List searches match the text typed: ``%`` and ``_`` are characters, not wildcards."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Cast, post_created
from tests.api.test_projects import new_project


def _names(cast: Cast, url: str, **params: Any) -> list[str]:
    response = cast.admin.get(url, params={**params, "limit": 500})
    assert response.status_code == 200, response.text
    return sorted(item.get("name") or item.get("email") for item in response.json()["items"])


def test_percent_and_underscore_are_searched_for_as_typed(cast: Cast) -> None:
    plat = new_project(cast, "PLAT", name="Platform 100% cut_over")
    new_project(cast, "SEC", name="Security")
    for name in ("Copy 50% of archives", "Switch_over", "Plain"):
        post_created(cast.manager, "/api/v1/tasks", {"project_id": plat["id"], "name": name})
    pid = cast.program.id

    assert _names(cast, "/api/v1/projects", program_id=pid, q="%") == ["Platform 100% cut_over"]
    assert (
        _names(cast, "/api/v1/projects", program_id=pid, q="m_1") == []
    )  # a wildcard would match "m 1"
    assert _names(cast, "/api/v1/tasks", program_id=pid, q="%") == ["Copy 50% of archives"]
    assert _names(cast, "/api/v1/tasks", program_id=pid, q="_") == ["Switch_over"]
    assert _names(cast, "/api/v1/programs", q="%") == []
    assert _names(cast, "/api/v1/users", q="_") == []
    assert len(_names(cast, "/api/v1/users", q="@")) >= 5  # plain text still matches
