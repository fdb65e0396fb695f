"""Webhook routes: who may subscribe, the secret shown once, refusals, the delivery log."""

from __future__ import annotations

import pytest

from podium.services.events import EVENTS
from tests.api.conftest import Cast
from tests.factories import assert_error

pytestmark = pytest.mark.db

PUBLIC = "https://93.184.215.14/hooks/podium"  # a literal public address: no name to resolve


def _hooks(cast: Cast) -> str:
    return f"/api/v1/programs/{cast.program.id}/webhooks"


def _subscribe(cast: Cast, **body: object) -> dict:
    response = cast.manager.post(_hooks(cast), json={"url": PUBLIC, **body})
    assert response.status_code == 201, response.text
    created: dict = response.json()
    return created


def test_the_secret_is_in_the_creation_answer_only(cast: Cast) -> None:
    created = _subscribe(cast, events=["risk.escalated", "alert.raised"], format="slack")
    assert len(created["secret"]) >= 32
    assert created["events"] == ["alert.raised", "risk.escalated"]
    assert (created["format"], created["active"], created["url"]) == ("slack", True, PUBLIC)
    listed = cast.manager.get(_hooks(cast)).json()["items"]
    assert [h["id"] for h in listed] == [created["id"]]
    assert "secret" not in listed[0]


def test_no_events_means_every_event(cast: Cast) -> None:
    assert sorted(_subscribe(cast)["events"]) == sorted(EVENTS)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "http://127.0.0.1:9/hook"}, "url"),
        ({"url": "http://10.1.2.3/hook"}, "url"),
        # IPv6 forms that a gateway unwraps to a private IPv4 address
        ({"url": "http://[64:ff9b::7f00:1]/hook"}, "url"),  # NAT64 of 127.0.0.1
        ({"url": "http://[64:ff9b::a9fe:a9fe]/hook"}, "url"),  # NAT64 of 169.254.169.254
        ({"url": "http://[2002:7f00:1::]/hook"}, "url"),  # 6to4 of 127.0.0.1
        ({"url": "http://[::ffff:10.0.0.1]/hook"}, "url"),  # IPv4-mapped
        ({"url": "http://[::127.0.0.1]:8000/hook"}, "url"),  # IPv4-compatible
        ({"url": "ftp://93.184.215.14/hook"}, "url"),
        ({"url": PUBLIC, "events": ["alert.raised", "coffee.ready"]}, "events"),
    ],
)
def test_private_addresses_other_schemes_and_unknown_events_are_refused(
    cast: Cast, body: dict, field: str
) -> None:
    response = cast.manager.post(_hooks(cast), json=body)
    error = assert_error(response, 422, "validation_failed")
    assert field in str(error["details"])
    assert cast.manager.get(_hooks(cast)).json()["items"] == []


def test_a_malformed_body_is_refused(cast: Cast) -> None:
    assert_error(cast.manager.post(_hooks(cast), json={"url": PUBLIC, "x": 1}), 422)
    assert_error(cast.manager.post(_hooks(cast), json={"url": PUBLIC, "format": "xml"}), 422)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("owner", 201),
        ("manager", 201),
        ("admin", 201),
        ("member", 403),
        ("viewer", 403),
        ("outsider", 404),
    ],
)
def test_who_may_subscribe_list_test_and_remove(cast: Cast, role: str, expected: int) -> None:
    person = cast.by_role(role)
    response = person.post(_hooks(cast), json={"url": PUBLIC})
    assert response.status_code == expected, response.text
    hook = _subscribe(cast)
    reads = [
        person.get(_hooks(cast)),
        person.get(f"/api/v1/webhooks/{hook['id']}/deliveries"),
        person.get(f"/api/v1/webhooks/{hook['id']}"),
    ]
    writes = [
        person.post(f"/api/v1/webhooks/{hook['id']}/test"),
        person.patch(f"/api/v1/webhooks/{hook['id']}", json={"active": False}),
        person.delete(f"/api/v1/webhooks/{hook['id']}"),
    ]
    if expected == 201:
        assert [r.status_code for r in reads] == [200, 200, 200]
        assert [r.status_code for r in writes] == [202, 200, 204]
    else:
        for answer in reads + writes:
            assert_error(answer, expected)
    if expected == 404:  # as if there were no such webhook: its program is not named
        for answer in reads[1:] + writes:
            assert answer.json()["error"]["message"] == f"webhook {hook['id']} not found"


def test_a_test_event_is_queued_in_the_delivery_log_and_removal_ends_it(cast: Cast) -> None:
    hook = _subscribe(cast)
    log = f"/api/v1/webhooks/{hook['id']}/deliveries"
    assert cast.manager.get(log).json()["items"] == []
    answer = cast.manager.post(f"/api/v1/webhooks/{hook['id']}/test")
    assert (answer.status_code, answer.json()) == (202, {"status": "queued"})
    [delivery] = cast.manager.get(log).json()["items"]
    assert (delivery["event"], delivery["status"], delivery["attempts"]) == ("ping", "pending", 0)
    assert delivery["delivered_at"] is None
    assert cast.manager.delete(f"/api/v1/webhooks/{hook['id']}").status_code == 204
    assert_error(cast.manager.get(log), 404, "not_found")
    assert_error(cast.manager.delete(f"/api/v1/webhooks/{hook['id']}"), 404, "not_found")
    assert_error(cast.manager.post("/api/v1/webhooks/999999/test"), 404, "not_found")


def test_a_scenarios_copy_takes_no_webhook(cast: Cast) -> None:
    scenario = cast.manager.post(
        f"/api/v1/programs/{cast.program.id}/scenarios", json={"name": "Slip the pilot"}
    ).json()
    copy = f"/api/v1/programs/{scenario['copy_program_id']}/webhooks"
    refused = cast.manager.post(copy, json={"url": PUBLIC})
    error = assert_error(refused, 409, "scenario_copy")
    assert "scenario's copy" in error["message"] and "live program" in error["message"]
    assert error["details"] == {"live_program_id": cast.program.id}
    assert cast.manager.get(copy).json()["items"] == []


def test_a_webhook_is_paused_resumed_and_changed_with_its_version(cast: Cast) -> None:
    hook = _subscribe(cast, events=["alert.raised"])
    url = f"/api/v1/webhooks/{hook['id']}"
    read = cast.manager.get(url)
    assert read.headers["ETag"] == '"1"' and read.json()["version"] == 1
    paused = cast.manager.patch(url, json={"active": False}, headers={"If-Match": '"1"'})
    assert paused.status_code == 200, paused.text
    assert (paused.json()["active"], paused.headers["ETag"]) == (False, '"2"')
    stale = cast.manager.patch(url, json={"events": []}, headers={"If-Match": '"1"'})
    error = assert_error(stale, 412, "stale_version")
    assert error["details"] == {"expected": 1, "current": 2}
    changed = cast.manager.patch(
        url, json={"events": [], "format": "slack", "active": True}, headers={"If-Match": '"2"'}
    ).json()
    assert sorted(changed["events"]) == sorted(EVENTS)
    assert (changed["format"], changed["active"], changed["version"]) == ("slack", True, 3)
    assert "secret" not in changed


@pytest.mark.parametrize(
    "body",
    [
        {"url": "http://[zz]/"},
        {"url": "http://example.com:99999/"},
        {"url": "http://10.1.2.3/hook"},
        {"url": None},
        {"active": None},
        {"events": ["coffee.ready"]},
        {"format": "xml"},
        {"secret": "mine"},
    ],
)
def test_a_bad_change_is_refused_and_changes_nothing(cast: Cast, body: dict) -> None:
    hook = _subscribe(cast)
    url = f"/api/v1/webhooks/{hook['id']}"
    assert_error(cast.manager.patch(url, json=body), 422, "validation_failed")
    after = cast.manager.get(url).json()
    assert after == {k: v for k, v in hook.items() if k != "secret"}


def test_a_url_that_cannot_be_sent_to_is_refused_not_a_fault(cast: Cast) -> None:
    for url in ("http://[zz]/", "http://example.com:99999/", "http://exa mple.com/"):
        error = assert_error(cast.manager.post(_hooks(cast), json={"url": url}), 422)
        assert error["details"][0]["field"] == "url", error


def test_the_delivery_log_pages_through_every_delivery(cast: Cast) -> None:
    from podium.models import DeliveryStatus, WebhookDelivery, utcnow

    hook = _subscribe(cast)
    now = utcnow()
    cast.db.add_all(
        WebhookDelivery(
            subscription_id=hook["id"],
            event="ping",
            payload={"event": "ping", "n": n},
            status=DeliveryStatus.PENDING,
            attempts=0,
            next_attempt_at=now,
            last_error="",
            created_at=now,
        )
        for n in range(103)
    )
    cast.db.commit()
    log = f"/api/v1/webhooks/{hook['id']}/deliveries"
    first = cast.manager.get(log, params={"limit": 100}).json()
    last = cast.manager.get(log, params={"limit": 100, "offset": 100}).json()
    assert (first["total"], len(first["items"]), len(last["items"])) == (103, 100, 3)
    ids = [d["id"] for d in first["items"] + last["items"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 103


def test_adding_changing_and_removing_a_webhook_is_in_the_history(cast: Cast) -> None:
    hook = _subscribe(cast, events=["alert.raised"])
    url = f"/api/v1/webhooks/{hook['id']}"
    cast.manager.patch(url, json={"active": False})
    moved = cast.manager.patch(url, json={"url": "https://93.184.215.15/secret-path?token=x"})
    assert moved.status_code == 200 and moved.json()["version"] == 3, moved.text
    cast.manager.delete(url)
    # read by a viewer: the history shows the receiver's host, never its path or secret
    audit = cast.viewer.get(f"/api/v1/programs/{cast.program.id}/audit", params={"limit": 500})
    entries = [e for e in audit.json()["items"] if e["entity_type"] == "webhook"]
    assert [e["action"] for e in entries] == ["delete", "update", "update", "create"]
    assert entries[3]["entity_label"] == "https://93.184.215.14/…"
    assert entries[2]["changes"] == {"active": [True, False]}
    assert entries[1]["changes"] == {"url": ["https://93.184.215.14/…", "https://93.184.215.15/…"]}
    assert entries[3]["changes"]["events"] == [None, ["alert.raised"]]
    assert "secret" not in str(entries) and "token=x" not in str(entries)
    assert "/hooks/podium" not in str(entries)


def test_a_paused_webhook_takes_no_test_event(cast: Cast) -> None:
    hook = _subscribe(cast)
    url = f"/api/v1/webhooks/{hook['id']}"
    assert cast.manager.patch(url, json={"active": False}).status_code == 200
    error = assert_error(cast.manager.post(f"{url}/test"), 409, "webhook_paused")
    assert "resume it" in error["message"]
    assert cast.manager.get(f"{url}/deliveries").json()["total"] == 0
