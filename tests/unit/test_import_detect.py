"""A file's format found from its content, also when it is saved as UTF-16."""

from __future__ import annotations

import pytest

from podium.services.import_readers import detect_format

MSPDI = '<?xml version="1.0" encoding="UTF-16"?>\n<Project xmlns="http://schemas.microsoft.com/project">'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (MSPDI, "mspdi"),
        ('{"format": "podium-plan", "version": 1}', "podium-plan"),
        ("ERMHDR\t8.4\t2015-01-01", "xer"),
        ("Name,Duration\nDig,3\n", "csv"),
    ],
)
def test_a_utf16_file_with_its_byte_order_mark_is_recognised_whatever_its_name(
    text: str, expected: str
) -> None:
    for codec in ("utf-16-le", "utf-16-be"):
        bom = b"\xff\xfe" if codec == "utf-16-le" else b"\xfe\xff"
        assert detect_format(bom + text.encode(codec), "upload.dat") == expected
