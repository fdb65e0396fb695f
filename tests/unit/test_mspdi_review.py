"""A Microsoft Project XML file that is not well-formed, or holds values Podium cannot
read: the problem says why, in words, and where; what a safe reading leaves out is noted."""

from __future__ import annotations

import pytest

from podium.interop.mspdi import read_mspdi
from podium.interop.plan_format import PlanError, read_plan

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


def _file(*tasks: str, calendar: str = "") -> bytes:
    """A small MSPDI file: a standard calendar (UID 1) and these ``<Task>`` bodies."""
    calendars = f"<Calendars><Calendar><UID>1</UID><Name>Standard</Name>{calendar}</Calendar>"
    body = "".join(f"<Task>{t}</Task>" for t in tasks)
    return (
        HEAD + b"<Title>Small</Title><StartDate>2027-01-04T08:00:00</StartDate>"
        b"<CalendarUID>1</CalendarUID>"
        + (calendars + "</Calendars>").encode()
        + f"<Tasks>{body}</Tasks></Project>".encode()
    )


def _task(uid: int, extra: str = "", *, name: str = "") -> str:
    return (
        f"<UID>{uid}</UID><Name>{name or f'T{uid}'}</Name><OutlineLevel>1</OutlineLevel>"
        f"<Duration>PT16H0M0S</Duration>{extra}"
    )


LINK = "<PredecessorLink><PredecessorUID>1</PredecessorUID>{}</PredecessorLink>"


@pytest.mark.parametrize(
    ("second", "message"),
    [
        (_task(2, LINK.format("<Type>7</Type>")), "PredecessorLink Type 7 is not a link type"),
        (_task(2, LINK.format("<LagFormat>99</LagFormat>")), "LagFormat 99 is not a duration"),
        (_task(2, "<DurationFormat>x</DurationFormat>"), "DurationFormat 'x' is not a duration"),
        (_task(2, "<ConstraintType>9</ConstraintType>"), "ConstraintType 9 is not a constraint"),
        (_task(2, "<PercentComplete>250</PercentComplete>"), "PercentComplete 250 is not between"),
        (
            _task(2).replace("<OutlineLevel>1", "<OutlineLevel>99"),
            "OutlineLevel 99 with no task of level 98 above it",
        ),
        (
            _task(2).replace("PT16H0M0S", "-PT80H0M0S"),
            "Duration '-PT80H0M0S' is negative",
        ),
    ],
    ids=["link-type", "lag-format", "duration-format", "constraint", "percent", "outline", "dur"],
)
def test_a_value_microsoft_project_does_not_write_refuses_the_file_at_its_task(
    second: str, message: str
) -> None:
    imported = read_mspdi(_file(_task(1), second, _task(3, LINK.format(""))))
    (problem,) = imported.problems  # the link to task 2 from task 3 is not another problem
    assert problem.location == "line 2, Task UID 2 (T2)"
    assert problem.message.startswith(message)
    assert not imported.document


def test_what_a_safe_reading_leaves_out_is_in_the_imports_notes() -> None:
    imported = read_mspdi(
        _file(
            _task(1, "<CalendarUID>777</CalendarUID>"),
            _task(2, "<CalendarUID>777</CalendarUID><ConstraintType>4</ConstraintType>"),
        )
    )
    assert imported.ok, imported.problems
    assert (
        "calendar UID 777 (2 tasks, first line 2, Task UID 1 (T1)) is not in the file: "
        "the program's calendar is used"
    ) in imported.notes
    assert (
        "line 2, Task UID 2 (T2): snet constraint without a date in the file: left out"
        in imported.notes
    )
    assert all("calendar" not in t and "constraint" not in t for t in imported.document["tasks"])


def test_a_name_longer_than_podium_keeps_is_refused_not_cut() -> None:
    imported = read_mspdi(_file(_task(1, name="N" * 301)))
    assert imported.document["tasks"][0]["name"] == "N" * 301
    with pytest.raises(PlanError) as refused:
        read_plan(imported.document)
    (problem,) = imported.locate(refused.value.problems)
    assert problem["location"] == f"line 2, Task UID 1 ({'N' * 59}…) (name)"
    assert problem["message"] == "String should have at most 300 characters"


def test_an_exception_name_longer_than_podium_keeps_refuses_its_calendar() -> None:
    exception = (
        "<Exceptions><Exception><TimePeriod><FromDate>2027-01-05T00:00:00</FromDate>"
        "<ToDate>2027-01-05T23:59:00</ToDate></TimePeriod><Name>"
        + "H" * 201
        + "</Name><DayWorking>0</DayWorking></Exception></Exceptions>"
    )
    (problem,) = read_mspdi(_file(_task(1), calendar=exception)).problems
    assert problem.location == "line 2, Calendar UID 1"
    assert (
        problem.message == "the name of exception 1 has 201 characters (Podium keeps at most 200)"
    )
