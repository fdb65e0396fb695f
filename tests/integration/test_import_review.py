"""Import options given beside the file: a program name too long is refused, not cut."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from podium.errors import ValidationFailed
from podium.models import Program
from podium.services.actor import SYSTEM
from podium.services.imports import import_file


def test_a_program_name_too_long_is_refused_not_cut(db: Session) -> None:
    before = db.scalar(select(func.count()).select_from(Program))
    data = b"Name,Duration\nDig,3\n"
    with pytest.raises(ValidationFailed) as caught:  # a field sent with the file, named
        import_file(db, SYSTEM, data, filename="a.csv", key="LONG", name="N" * 201)
    assert caught.value.message == "name: at most 200 characters, not 201"
    assert db.scalar(select(func.count()).select_from(Program)) == before


def test_a_program_name_of_the_longest_length_is_kept_whole(db: Session) -> None:
    report = import_file(db, SYSTEM, b"Name,Duration\nDig,3\n", key="LONG", name="N" * 200)
    assert report.program_name == "N" * 200


def test_a_program_name_with_a_control_character_is_refused(db: Session) -> None:
    before = db.scalar(select(func.count()).select_from(Program))
    data = b"Name,Duration\nDig,3\n"
    with pytest.raises(ValidationFailed) as caught:
        import_file(db, SYSTEM, data, filename="a.csv", key="CTRL", name="Red\x1b[31m")
    assert caught.value.message == (
        "name: contains a control character (\\x1b): only tabs and line breaks are text"
    )
    assert db.scalar(select(func.count()).select_from(Program)) == before
