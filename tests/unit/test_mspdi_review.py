"""A Microsoft Project XML file that is not well-formed: the problem says why, in words."""

from __future__ import annotations

import pytest

from podium.interop.mspdi import read_mspdi

HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n<Project xmlns="http://schemas.microsoft.com/project">'


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (HEAD + b"<Name>Office mo</Na", "the file ends inside a tag (cut short?)"),
        (HEAD + b"<Name>Office move</Name>", "the file ends too soon (cut short?)"),
        (
            HEAD + "<Name>Tomás</Name></Project>".encode("latin-1"),
            "a character that cannot be read (a file not in the encoding its first line names?)",
        ),
        (
            HEAD + b"<Name>Office</Nam></Project>",
            "a closing tag that does not match its opening tag",
        ),
    ],
)
def test_a_broken_file_is_refused_with_the_reason(data: bytes, why: str) -> None:
    problems = read_mspdi(data).problems
    assert len(problems) == 1
    assert problems[0].location == "line 2"
    assert problems[0].message.startswith("not well-formed XML (column ")
    assert problems[0].message.endswith(f"): {why}")
