"""Status reports: numbers that match the API, three formats, issued reports kept unchanged."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy.orm import Session

from podium.services import auth
from podium.services.demo import load_demo
from podium.services.uow import complete
from tests.api.conftest import Cast, Net
from tests.api.test_programs import assert_error
from tests.factories import ApiUser


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _with_baseline_and_slip(cast: Cast, net: Net) -> None:
    cast.manager.post(f"/api/v1/programs/{cast.program.id}/baselines", json={"name": "Plan"})
    cast.manager.patch(f"/api/v1/tasks/{net.plat['id']}", json={"duration": 12})


def test_markdown_report_carries_health_milestones_and_blockers_as_the_api_says(
    cast: Cast, net: Net
) -> None:
    _with_baseline_and_slip(cast, net)
    pid = cast.program.id
    health = cast.viewer.get(f"/api/v1/programs/{pid}/health").json()
    schedule = cast.viewer.get(f"/api/v1/programs/{pid}/schedule").json()
    response = cast.viewer.get(f"/api/v1/programs/{pid}/report", params={"format": "md"})
    assert response.status_code == 200 and response.headers["content-type"].startswith(
        "text/markdown"
    )
    text = response.text
    assert f"**Health: {health['program']['status'].upper()}**" in text
    assert f"Forecast finish: {schedule['finish']}" in text
    assert "| M1 Trainers ready | 2027-01-22 | 2027-01-22 | 2027-01-26 | +2 |" in text
    assert "PLAT-1 → TRAIN-1 → M1" in text  # the cross-project blocker's chain
    assert "+2 working days against the baseline" in text


def test_pdf_report_is_self_contained_and_its_text_matches(cast: Cast, net: Net) -> None:
    _with_baseline_and_slip(cast, net)
    response = cast.viewer.get(
        f"/api/v1/programs/{cast.program.id}/report", params={"format": "pdf"}
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = _pdf_text(response.content)
    assert "Cloud migration" in text and "Health: Red" in text
    assert "M1 Trainers ready" in text and "2027-01-26" in text


def test_an_issued_report_is_kept_unchanged_and_the_next_says_what_changed(
    cast: Cast, net: Net
) -> None:
    pid = cast.program.id
    cast.manager.post(f"/api/v1/programs/{pid}/baselines", json={"name": "Plan"})
    first = cast.manager.post(f"/api/v1/programs/{pid}/reports")
    assert first.status_code == 201, first.text
    issued = first.json()
    before = cast.viewer.get(issued["links"]["md"]).text
    cast.manager.patch(f"/api/v1/tasks/{net.plat['id']}", json={"duration": 12})
    assert cast.viewer.get(issued["links"]["md"]).text == before  # unchanged by later edits
    assert "Health: GREEN" in before
    second = cast.manager.post(f"/api/v1/programs/{pid}/reports").json()
    changed = cast.viewer.get(second["links"]["md"]).text
    assert "Health went from green to red." in changed
    assert "Milestone M1 is forecast 2 working days later than reported" in changed
    listed = cast.viewer.get(f"/api/v1/programs/{pid}/reports").json()
    assert [r["id"] for r in listed] == [second["id"], issued["id"]]
    pdf = cast.viewer.get(second["links"]["pdf"])
    assert pdf.content.startswith(b"%PDF") and "attachment" in pdf.headers["content-disposition"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [("manager", 201), ("owner", 201), ("member", 403), ("viewer", 403), ("outsider", 404)],
)
def test_only_managers_issue_reports(cast: Cast, net: Net, role: str, expected: int) -> None:
    assert (
        cast.by_role(role).post(f"/api/v1/programs/{cast.program.id}/reports").status_code
        == expected
    )


def test_report_errors(cast: Cast, net: Net) -> None:
    assert_error(
        cast.viewer.get(f"/api/v1/programs/{cast.program.id}/report", params={"format": "docx"}),
        422,
    )
    assert_error(cast.viewer.get("/api/v1/reports/999999"), 404)
    assert_error(cast.outsider.get(f"/api/v1/programs/{cast.program.id}/report"), 404)


def test_the_report_on_the_demo_program_matches_the_api(
    app_client: TestClient, db: Session
) -> None:
    loaded = load_demo(db)
    complete(db)
    user = auth.find_user(db, loaded.email)
    assert user is not None
    admin = ApiUser(app_client, loaded.token, user)
    program = admin.get("/api/v1/programs", params={"q": "CLOUD"}).json()["items"][0]
    pid = program["id"]
    health = admin.get(f"/api/v1/programs/{pid}/health").json()
    schedule = admin.get(f"/api/v1/programs/{pid}/schedule").json()
    value = admin.get(f"/api/v1/programs/{pid}/earned-value").json()["program"]
    text = admin.get(f"/api/v1/programs/{pid}/report", params={"format": "md"}).text
    assert f"**Health: {health['program']['status'].upper()}**" in text
    assert f"Forecast finish: {schedule['finish']}" in text
    for m in schedule["milestones"]:
        assert f"| {m['milestone']['key']} {m['milestone']['name']} | {m['target']} |" in text
    assert f"SPI {value['spi']:.2f}, CPI {value['cpi']:.2f}" in text
    assert "Plan of record" in text
