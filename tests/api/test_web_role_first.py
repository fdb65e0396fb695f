"""A page's form refuses one whose role may not use it before it reads what was sent:
a viewer's forged post is 403 whether its fields are valid or not."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.api.conftest import Browser, Cast, Net

pytestmark = pytest.mark.db


def test_a_viewers_forged_posts_are_403_even_with_invalid_fields(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    made = cast.manager.post(
        "/api/v1/benefits",
        json={
            "program_id": cast.program.id,
            "name": "tickets",
            "baseline_value": 10,
            "target_value": 5,
            "target_date": "2028-01-01",
            "direction": "down",
        },
    )
    assert made.status_code == 201, made.text
    viewer = browser_as("viewer@example.com")
    for url, form in (
        (f"/programs/{cast.program.id}/risks", {"title": "", "probability": "9"}),
        (f"/tasks/{net.plat['id']}/dependencies", {"relation": "sideways", "lag": "x"}),
        (f"/benefits/{made.json()['id']}", {"name": "", "target_value": "many"}),
    ):
        assert viewer.post(url, form).status_code == 403, url
