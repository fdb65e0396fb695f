"""An alert's chain step links to its record: by ``id``, or by the ``ref`` that
over-allocation alerts stored before their steps carried an id."""

from __future__ import annotations

import pytest

from podium.services.pages_schedule import _step_id


@pytest.mark.parametrize(
    ("step", "expected"),
    [({"id": 7, "ref": "t9"}, 7), ({"ref": "t42"}, 42), ({"ref": "m"}, 0), ({}, 0)],
)
def test_a_steps_record_id(step: dict[str, object], expected: int) -> None:
    assert _step_id(step) == expected
