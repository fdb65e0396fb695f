"""A file's format found from its content, also when it is saved as UTF-16; content in no
format Podium reads is refused saying what it seems to be, without echoing control
characters."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from podium.services.import_readers import (
    UNKNOWN,
    ImportRefused,
    chosen_format,
    detect_format,
    printable,
)

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


DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "projects"
READS = (
    "not a format Podium reads (it reads Microsoft Project XML, Primavera P6 XER, CSV and "
    "Podium plan JSON)"
)


@pytest.mark.skipif(not DATA.exists(), reason="the shared project files are not here")
def test_the_files_of_tools_podium_does_not_read_are_told_apart_from_those_it_reads() -> None:
    expected = {".xml": "mspdi", ".xer": "xer", ".tjp": UNKNOWN, ".gan": UNKNOWN}
    for path in sorted(DATA.iterdir()):
        if path.suffix in expected:  # by content alone, as when the name says nothing
            assert detect_format(path.read_bytes(), "upload.dat") == expected[path.suffix], path


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (bytes(range(256)), f"it is binary data, {READS}"),
        (
            b"PK\x03\x04" + bytes(range(64)),
            f"it is a zip archive (an Excel .xlsx workbook? Save the sheet as CSV), {READS}",
        ),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", f"it is a PDF document, {READS}"),
        (
            b'/* a plan */\n# more\nproject acso "Accounting" 2002-01-16 +4m {\n}',
            f"it is a TaskJuggler project, {READS}; TaskJuggler can export it as Microsoft "
            "Project XML",
        ),
        (
            b"<?xml version='1.0'?><!DOCTYPE x><!-- c --><ns:plan xmlns:ns='urn:x'/>",
            f"it is XML whose root element is <ns:plan>, {READS}; Microsoft Project XML has the "
            'root element <Project xmlns="http://schemas.microsoft.com/project">',
        ),
    ],
)
def test_content_in_no_format_podium_reads_is_refused_saying_what_it_seems_to_be(
    data: bytes, said: str
) -> None:
    assert detect_format(data) == UNKNOWN
    with pytest.raises(ImportRefused) as refused:
        chosen_format(data, "upload.dat")
    assert refused.value.details == [{"location": "file", "message": said}]
    assert refused.value.message == f"cannot import this file: {said}"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("Name,Duration\nDig,3\n".encode("utf-16-le"), "csv"),  # UTF-16 without its mark
        (b"Name,Duration\nDi\x00g,3\nPour,\x01\n", "csv"),  # stray controls: read, then told
        (b"<ns0:Project xmlns:ns0='http://schemas.microsoft.com/project'/>", "mspdi"),
        (b"<!--" * 2000, "mspdi"),  # no root element in sight: its reader says what is wrong
        (b"#" * 5000 + b"\nName\nDig\n", "csv"),
        (b"", "csv"),
    ],
)
def test_text_in_a_format_podium_reads_is_not_mistaken_for_another(
    data: bytes, expected: str
) -> None:
    started = time.perf_counter()
    assert detect_format(data) == expected
    assert time.perf_counter() - started < 0.5  # no pattern backtracks over a long run


def test_a_format_given_is_read_as_such_unless_the_data_is_binary() -> None:
    tjp = b'project "To do" 2011-01-01 +5y {\n}\n'
    assert chosen_format(tjp, "todo.tjp", "csv") == "csv"
    with pytest.raises(ImportRefused, match="binary data"):
        chosen_format(bytes(range(256)), "plan.csv", "csv")


def test_control_characters_in_a_refusal_are_escaped_and_other_letters_kept() -> None:
    assert (
        printable("Dig\x00 the\x1b[31m site\u202e\u00a0é")
        == "Dig\\x00 the\\x1b[31m site\\u202e\u00a0é"
    )
    refused = ImportRefused([{"location": "line 2\x07", "message": "bad \x01value"}])
    assert refused.details == [{"location": "line 2\\x07", "message": "bad \\x01value"}]
    assert refused.message == "cannot import this file: line 2\\x07: bad \\x01value"
