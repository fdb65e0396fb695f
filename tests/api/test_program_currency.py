"""A program's currency over the API: set, read, cleared, checked, versioned, audited."""

from __future__ import annotations

import pytest

from tests.api.conftest import Cast
from tests.factories import assert_error


def test_a_currency_is_stored_in_capitals_read_back_and_cleared(cast: Cast) -> None:
    url = f"/api/v1/programs/{cast.program.id}"
    assert cast.owner.get(url).json()["currency"] is None
    set_ = cast.owner.patch(url, json={"currency": " eur "})
    assert set_.status_code == 200, set_.text
    assert set_.json()["currency"] == "EUR"
    assert cast.viewer.get(url).json()["currency"] == "EUR"
    assert cast.owner.patch(url, json={"name": "Renamed"}).json()["currency"] == "EUR"
    assert cast.owner.patch(url, json={"currency": ""}).json()["currency"] is None
    cast.owner.patch(url, json={"currency": "usd"})
    assert cast.owner.patch(url, json={"currency": None}).json()["currency"] is None


def test_a_program_is_created_with_its_currency(cast: Cast) -> None:
    made = cast.member.post(
        "/api/v1/programs",
        json={"key": "DATA", "name": "Data", "start_date": "2027-02-01", "currency": "gbp"},
    )
    assert made.status_code == 201, made.text
    assert made.json()["currency"] == "GBP"


@pytest.mark.parametrize("code", ["EURO", "E1R", "ABC", "€", "EU", "x" * 30])
def test_anything_but_an_iso_4217_code_is_422_naming_the_currency(cast: Cast, code: str) -> None:
    url = f"/api/v1/programs/{cast.program.id}"
    error = assert_error(cast.owner.patch(url, json={"currency": code}), 422)
    assert [d["field"] for d in error["details"]] == ["currency"]
    created = cast.owner.post(
        "/api/v1/programs",
        json={"key": "DATA", "name": "Data", "start_date": "2027-02-01", "currency": code},
    )
    assert [d["field"] for d in assert_error(created, 422)["details"]] == ["currency"]
    assert cast.owner.get(url).json()["currency"] is None


def test_a_currency_set_on_a_stale_version_is_412_and_changes_nothing(cast: Cast) -> None:
    url = f"/api/v1/programs/{cast.program.id}"
    cast.owner.patch(url, json={"currency": "EUR"}, headers={"If-Match": '"1"'})
    stale = cast.owner.patch(url, json={"currency": "USD"}, headers={"If-Match": '"1"'})
    assert_error(stale, 412, "stale_version")
    assert cast.owner.get(url).json()["currency"] == "EUR"


@pytest.mark.parametrize("role", ["viewer", "member", "manager"])
def test_only_owners_set_the_currency(cast: Cast, role: str) -> None:
    url = f"/api/v1/programs/{cast.program.id}"
    assert_error(cast.by_role(role).patch(url, json={"currency": "EUR"}), 403)
    assert cast.owner.get(url).json()["currency"] is None


def test_a_currency_change_is_in_the_audit_log(cast: Cast) -> None:
    url = f"/api/v1/programs/{cast.program.id}"
    cast.owner.patch(url, json={"currency": "EUR"})
    cast.owner.patch(url, json={"currency": "CHF"})
    latest = cast.viewer.get(f"{url}/audit").json()["items"][0]
    assert latest["changes"]["currency"] == ["EUR", "CHF"]
