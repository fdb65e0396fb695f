"""A page's form refuses one whose role may not use it before it reads what was sent:
a viewer's forged post is 403 whether its fields are valid or not."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.api.conftest import Browser, Cast, Net
from tests.api.test_benefits import create as create_benefit

pytestmark = pytest.mark.db


def test_a_viewers_forged_posts_are_403_even_with_invalid_fields(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    benefit = create_benefit(cast.manager, cast)
    viewer = browser_as("viewer@example.com")
    for url, form in (
        (f"/programs/{cast.program.id}/risks", {"title": "", "probability": "9"}),
        (f"/tasks/{net.plat['id']}/dependencies", {"relation": "sideways", "lag": "x"}),
        (f"/benefits/{benefit['id']}", {"name": "", "target_value": "many"}),
    ):
        assert viewer.post(url, form).status_code == 403, url
