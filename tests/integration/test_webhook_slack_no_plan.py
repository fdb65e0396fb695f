"""A report issued on a program with nothing scheduled tells Slack "no plan yet", in words."""

from __future__ import annotations

from sqlalchemy.orm import Session

from podium.services import events
from podium.services.webhook_slack import slack_message
from tests.factories import make_program, make_user


def test_an_issued_report_of_a_program_with_no_plan_says_so_in_words(db: Session) -> None:
    program = make_program(db, owner=make_user(db), key="OPS", name="Operations")
    issued = {"report_id": 2, "title": "Operations — status on 2027-03-01", "status": "no_plan"}
    payload = {"event": events.REPORT_ISSUED, "program_id": program.id, "data": issued}
    text = slack_message(db, payload)["text"]
    assert text == (
        "[OPS Operations] Report issued: *Operations — status on 2027-03-01* — health no plan yet"
    )
