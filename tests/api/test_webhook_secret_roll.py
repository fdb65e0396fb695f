"""Rolling a webhook's signing secret through the API: the new secret shown once, the old
one signing too for the grace period chosen, its version, who may, and its history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from podium.models import User, WebhookSubscription
from podium.services import programs, users
from podium.services.actor import SYSTEM
from tests.api.conftest import Cast
from tests.api.test_webhooks_api import PUBLIC, _subscribe
from tests.factories import assert_error

pytestmark = pytest.mark.db


def _stored(cast: Cast, hook_id: int) -> WebhookSubscription:
    cast.db.expire_all()
    hook = cast.db.get(WebhookSubscription, hook_id)
    assert hook is not None
    return hook


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_a_rolled_secret_is_shown_once_and_the_old_one_signs_for_24_hours(cast: Cast) -> None:
    created = _subscribe(cast)
    url = f"/api/v1/webhooks/{created['id']}"
    before = datetime.now(UTC)
    rolled = cast.manager.post(f"{url}/secret", headers={"If-Match": '"1"'})
    assert rolled.status_code == 200, rolled.text
    body = rolled.json()
    assert body["secret"].startswith("whsec_") and body["secret"] != created["secret"]
    assert (body["version"], rolled.headers["ETag"]) == (2, '"2"')
    until = _at(body["previous_secret_expires_at"])
    assert before + timedelta(hours=24) <= until <= datetime.now(UTC) + timedelta(hours=24)
    assert before <= _at(body["secret_rolled_at"]) <= datetime.now(UTC)
    stored = _stored(cast, created["id"])
    assert (stored.secret, stored.previous_secret) == (body["secret"], created["secret"])

    read = cast.manager.get(url).json()
    assert "secret" not in read and "previous_secret" not in read
    assert read["previous_secret_expires_at"] == body["previous_secret_expires_at"]
    assert created["secret"] not in cast.manager.get(url).text
    assert (created["url"], created["events"]) == (read["url"], read["events"])


def test_a_secret_that_leaked_stops_signing_at_once(cast: Cast) -> None:
    created = _subscribe(cast)
    rolled = cast.manager.post(f"/api/v1/webhooks/{created['id']}/secret", json={"grace_hours": 0})
    assert rolled.status_code == 200, rolled.text
    assert (rolled.json()["previous_secret_expires_at"], rolled.json()["version"]) == (None, 2)
    stored = _stored(cast, created["id"])
    assert (stored.previous_secret, stored.previous_secret_expires_at) == (None, None)
    assert stored.secret == rolled.json()["secret"]


def test_rolling_again_within_the_grace_period_ends_the_oldest_secret(cast: Cast) -> None:
    created = _subscribe(cast)
    url = f"/api/v1/webhooks/{created['id']}/secret"
    first = cast.manager.post(url, json={"grace_hours": 168}).json()
    second = cast.manager.post(url, json={"grace_hours": 1}).json()
    stored = _stored(cast, created["id"])
    assert (stored.secret, stored.previous_secret) == (second["secret"], first["secret"])
    assert created["secret"] not in (stored.secret, stored.previous_secret)
    assert _at(second["previous_secret_expires_at"]) <= datetime.now(UTC) + timedelta(hours=1)


def test_a_roll_on_a_stale_version_is_refused_and_changes_nothing(cast: Cast) -> None:
    created = _subscribe(cast)
    url = f"/api/v1/webhooks/{created['id']}"
    assert cast.manager.patch(url, json={"active": False}).status_code == 200
    stale = cast.manager.post(f"{url}/secret", headers={"If-Match": '"1"'})
    error = assert_error(stale, 412, "stale_version")
    assert error["details"] == {"expected": 1, "current": 2}
    stored = _stored(cast, created["id"])
    assert (stored.secret, stored.previous_secret, stored.version) == (created["secret"], None, 2)


@pytest.mark.parametrize(
    "body",
    [{"grace_hours": 5}, {"grace_hours": -1}, {"grace_hours": "24"}, {"grace": 24}, [24]],
)
def test_a_grace_period_not_offered_is_refused(cast: Cast, body: object) -> None:
    created = _subscribe(cast)
    refused = cast.manager.post(f"/api/v1/webhooks/{created['id']}/secret", json=body)
    assert_error(refused, 422, "validation_failed")
    assert _stored(cast, created["id"]).secret == created["secret"]


def test_the_choices_are_named_when_a_grace_period_is_refused(cast: Cast) -> None:
    created = _subscribe(cast)
    refused = cast.manager.post(
        f"/api/v1/webhooks/{created['id']}/secret", json={"grace_hours": 48}
    )
    error = assert_error(refused, 422, "validation_failed")
    assert "0, 1, 24, 72, 168" in str(error["details"])


@pytest.mark.parametrize(
    ("role", "expected"),
    [("owner", 200), ("admin", 200), ("member", 403), ("viewer", 403), ("outsider", 404)],
)
def test_only_managers_roll_a_secret(cast: Cast, role: str, expected: int) -> None:
    created = _subscribe(cast)
    answer = cast.by_role(role).post(f"/api/v1/webhooks/{created['id']}/secret")
    if expected == 200:
        assert answer.status_code == 200 and answer.json()["secret"] != created["secret"]
        return
    error = assert_error(answer, expected)
    assert "whsec_" not in answer.text
    if expected == 404:  # as if there were no such webhook
        assert error["message"] == f"webhook {created['id']} not found"
    assert _stored(cast, created["id"]).secret == created["secret"]


def test_rolling_a_webhook_that_does_not_exist_is_not_found(cast: Cast) -> None:
    assert_error(cast.manager.post("/api/v1/webhooks/999999/secret"), 404, "not_found")


def test_a_roll_is_in_the_history_without_any_secret(cast: Cast) -> None:
    created = _subscribe(cast)
    url = f"/api/v1/webhooks/{created['id']}/secret"
    first = cast.manager.post(url, json={"grace_hours": 72}).json()
    second = cast.manager.post(url, json={"grace_hours": 0}).json()
    audit = cast.viewer.get(f"/api/v1/programs/{cast.program.id}/audit", params={"limit": 500})
    entries = [e for e in audit.json()["items"] if e["entity_type"] == "webhook"]
    assert [e["action"] for e in entries] == ["update", "update", "create"]
    later, earlier = entries[0]["changes"], entries[1]["changes"]
    assert earlier["signing_secret"] == ["replaced", "new"]
    assert earlier["previous_secret_signs_until"][0] is None
    assert earlier["previous_secret_signs_until"][1].endswith("UTC")
    assert later["previous_secret_signs_until"] == [
        earlier["previous_secret_signs_until"][1],
        "stopped at once",
    ]
    assert entries[0]["entity_label"] == "https://93.184.215.14/…"
    for secret in (created["secret"], first["secret"], second["secret"]):
        assert secret not in audit.text
    assert "whsec_" not in audit.text


def test_a_webhook_outlives_its_creator_leaving_and_losing_their_account(cast: Cast) -> None:
    """It belongs to the program: the other managers still read, roll and change it."""
    creator = cast.db.scalar(select(User).where(User.email == "manager@example.com"))
    assert creator is not None
    created = _subscribe(cast)  # added by the manager
    assert created["created_by"] == "manager@example.com"
    programs.remove_member(cast.db, SYSTEM, cast.program.id, creator.id)
    users.update_user(cast.db, SYSTEM, creator.id, {"is_active": False}, expected_version=None)
    cast.db.commit()
    url = f"/api/v1/webhooks/{created['id']}"
    assert cast.owner.get(url).json()["created_by"] == "manager@example.com"
    assert cast.owner.post(f"{url}/secret").status_code == 200
    cast.db.delete(cast.db.get(User, creator.id))
    cast.db.commit()
    listed = cast.owner.get(f"/api/v1/programs/{cast.program.id}/webhooks")
    assert [h["id"] for h in listed.json()["items"]] == [created["id"]]
    assert cast.owner.patch(url, json={"url": PUBLIC + "/2"}).status_code == 200
    assert cast.owner.post(f"{url}/test").status_code == 202
