"""The CSV mapping step's pieces: fields shown, inspection, mappings from JSON and pairs."""

from __future__ import annotations

import pytest

from podium.errors import PayloadTooLarge, ValidationFailed
from podium.interop.csv_plan import FIELDS
from podium.interop.imported import MAX_IMPORT_BYTES
from podium.services.import_columns import (
    MAPPING_FIELDS,
    inspect_file,
    mapping_from_pairs,
    parse_mapping,
)

CSV = b"Task;Length;Needs\nDig;3;\nPour;2;1\nCure;5;2\n"


def test_every_field_the_reader_knows_is_offered_once_and_only_the_name_is_required() -> None:
    assert sorted(f.name for f in MAPPING_FIELDS) == sorted(FIELDS)
    assert [f.name for f in MAPPING_FIELDS if f.required] == ["name"]
    assert all(f.label and f.hint for f in MAPPING_FIELDS)


def test_inspecting_a_csv_gives_columns_suggestion_and_rows() -> None:
    found = inspect_file(CSV, filename="plan.txt", rows=2)
    assert found.is_csv and found.format == "csv"
    assert found.columns == ["Task", "Length", "Needs"]
    assert found.mapping == {"name": "Task"}
    assert found.rows == [["Dig", "3", ""], ["Pour", "2", "1"]]


def test_inspecting_another_format_gives_no_columns() -> None:
    found = inspect_file(b"ERMHDR\t19.12\n", filename="plan.xer")
    assert found.format == "xer" and not found.is_csv
    assert found.as_dict()["fields"] is None
    assert inspect_file(CSV, format="mspdi").format == "mspdi"
    with pytest.raises(PayloadTooLarge):
        inspect_file(b" " * (MAX_IMPORT_BYTES + 1))


def test_a_json_mapping_drops_unmapped_fields_and_refuses_unknown_ones() -> None:
    assert parse_mapping('{"name": "Task", "duration": "", "start": null}') == {"name": "Task"}
    for bad, message in [
        ("{", "not valid JSON"),
        ('"name"', "a JSON object"),
        ('{"name": ["Task"]}', "a JSON object"),
        ('{"name": "Task", "colour": "Red"}', "unknown field 'colour'"),
    ]:
        with pytest.raises(ValidationFailed, match=message) as refused:
            parse_mapping(bad)
        assert refused.value.details[0]["field"] == "mapping"


def test_pairs_map_fields_to_columns_that_may_hold_spaces_and_equals() -> None:
    assert mapping_from_pairs(["name=Activity Title", " duration = Length ", "id=A=B"]) == {
        "name": "Activity Title",
        "duration": "Length",
        "id": "A=B",
    }
    for bad, message in [
        (["name"], "not FIELD=COLUMN"),
        (["name="], "not FIELD=COLUMN"),
        (["title=Task"], "unknown field 'title'"),
        (["name=A", "name=B"], "mapped twice"),
    ]:
        with pytest.raises(ValidationFailed, match=message):
            mapping_from_pairs(bad)
