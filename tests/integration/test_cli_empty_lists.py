"""A list with nothing to show says so, and how to add the first (as `podium task list`
does), instead of printing an empty table; `podium health` says how many reasons it
leaves out, and `--all` lists them."""

from __future__ import annotations

import re

import pytest

from podium.config import get_settings
from tests.integration.test_cli import podium


@pytest.fixture
def empty(cli_env: None) -> None:
    code, out = podium("program", "create", "EMPTY", "--name", "Empty", "--start", "2027-01-04")
    assert code == 0, out


@pytest.mark.parametrize(
    ("command", "said"),
    [
        (
            ("scenario", "list", "EMPTY"),
            "No active scenario in EMPTY (--all lists applied and discarded ones too): start "
            "one with `podium scenario create EMPTY NAME`.",
        ),
        (
            ("scenario", "list", "EMPTY", "--all"),
            "No scenario in EMPTY yet: start one with `podium scenario create EMPTY NAME`.",
        ),
        (
            ("webhook", "list", "EMPTY"),
            "No webhook in EMPTY yet: add one with `podium webhook add EMPTY URL`.",
        ),
        (
            ("risk", "list", "EMPTY", "--all"),
            "No risk in EMPTY yet: add one with `podium risk add EMPTY --title TITLE -p 1-5 "
            "-i 1-5`.",
        ),
        (("risk", "list", "EMPTY", "--min-score", "10"), "No risk in EMPTY matches those filters."),
        (
            ("benefit", "list", "EMPTY"),
            "No benefit in EMPTY yet: add one with `podium benefit add EMPTY NAME --baseline N "
            "--target N --by YYYY-MM-DD`.",
        ),
        (
            ("review", "list", "EMPTY"),
            "No review in EMPTY yet: add one with `podium review add EMPTY NAME --frequency "
            "weekly --first YYYY-MM-DD`.",
        ),
        (
            ("decision", "list", "EMPTY"),
            "No decision in EMPTY's log yet: record one with `podium decision add EMPTY --title "
            "TITLE`.",
        ),
        (
            ("change", "list", "EMPTY"),
            "No change request in EMPTY yet: raise one with `podium change raise EMPTY --title "
            "TITLE`.",
        ),
        (
            ("change", "list", "EMPTY", "--status", "approved"),
            "No approved change request in EMPTY.",
        ),
        (
            ("baseline", "list", "EMPTY"),
            "No baseline of EMPTY yet: take one with `podium baseline take EMPTY --name NAME`.",
        ),
    ],
)
def test_an_empty_list_says_so_instead_of_an_empty_table(
    empty: None, command: tuple[str, ...], said: str
) -> None:
    code, out = podium(*command)
    assert code == 0, out
    assert " ".join(out.split()) == said
    assert "┏" not in out


def test_health_says_how_many_reasons_it_leaves_out_and_all_lists_them(demo: None) -> None:
    code, out = podium("health", "CLOUD")
    assert code == 0, out
    shown = out.count("●")
    more = re.search(r"… and (\d+) more reasons?: --all lists them\.", out)
    assert shown == 10 and more is not None, out
    code, every = podium("health", "CLOUD", "--all")
    assert code == 0 and "--all lists them" not in every
    assert every.count("●") == shown + int(more[1])


def test_resources_feeds_and_deliveries_say_when_there_are_none(
    empty: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for command, said in (
        (
            ("resource", "list"),
            "No resource yet: add one with `podium resource add KEY --name NAME`.",
        ),
        (("resource", "list", "-p", "EMPTY"), "No resource is assigned in EMPTY."),
    ):
        code, out = podium(*command)
        assert code == 0 and " ".join(out.split()) == said, out
    assert podium("user", "add", "ana@example.com", "--password", "long enough")[0] == 0
    code, out = podium("feed", "list", "--as", "ana@example.com")
    assert code == 0 and " ".join(out.split()) == (
        "ana@example.com has made no feed yet: `podium feed create PROGRAM --as "
        "ana@example.com` (or --personal) makes one."
    )
    monkeypatch.setenv("PODIUM_WEBHOOKS_ALLOW_PRIVATE", "true")
    get_settings.cache_clear()
    code, out = podium("webhook", "add", "EMPTY", "http://127.0.0.1:9/hook")
    assert code == 0, out
    hook = re.search(r"Webhook (\d+)", out)
    assert hook is not None, out
    code, out = podium("webhook", "deliveries", hook[1])
    assert code == 0 and " ".join(out.split()) == (
        f"No delivery of webhook {hook[1]} yet: one is queued at each event it is sent, and "
        f"`podium webhook test {hook[1]}` queues a ping."
    )
