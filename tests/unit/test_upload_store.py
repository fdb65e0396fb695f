"""Uploads kept between the CSV import's two steps: only their uploader finds them, for an hour."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from podium.config import get_settings
from podium.errors import NotFound
from podium.web.imports.uploads import UploadStore

DATA = b"Name,Days\nDig,3\n"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> UploadStore:
    return UploadStore(tmp_path / "uploads", clock=clock)


def test_an_upload_is_found_again_by_its_token_with_its_bytes_and_form(
    store: UploadStore,
) -> None:
    token = store.keep(7, DATA, filename="plan.csv", form={"key": "DIG"})
    assert len(token) >= 40
    kept = store.find(token, 7)
    assert (kept.user_id, kept.filename, kept.form) == (7, "plan.csv", {"key": "DIG"})
    assert store.data(kept) == DATA


def test_another_user_cannot_use_the_token(store: UploadStore) -> None:
    token = store.keep(7, DATA, filename="plan.csv")
    with pytest.raises(NotFound, match="no longer waiting"):
        store.find(token, 8)
    assert store.data(store.find(token, 7)) == DATA  # still there for its uploader


def test_an_upload_expires_after_an_hour(store: UploadStore, clock: Clock) -> None:
    token = store.keep(7, DATA, filename="plan.csv")
    clock.now += timedelta(minutes=59)
    store.find(token, 7)
    clock.now += timedelta(minutes=1)
    with pytest.raises(NotFound):
        store.find(token, 7)
    assert list(store.directory.iterdir()) == []  # its files are gone


def test_expired_uploads_are_swept_when_another_is_kept(store: UploadStore, clock: Clock) -> None:
    store.keep(7, DATA, filename="old.csv")
    store.keep(8, DATA, filename="other.csv")
    clock.now += timedelta(hours=2)
    fresh = store.keep(9, DATA, filename="new.csv")
    assert sorted(p.name for p in store.directory.iterdir()) == [
        f"{fresh}.json",
        f"{fresh}.upload",
    ]


def test_a_discarded_upload_is_gone(store: UploadStore) -> None:
    token = store.keep(7, DATA, filename="plan.csv")
    store.discard(token)
    with pytest.raises(NotFound):
        store.find(token, 7)


def test_each_user_keeps_a_few_uploads_at_most_the_oldest_go_first(
    store: UploadStore, clock: Clock
) -> None:
    tokens = []
    for n in range(store.per_user + 2):
        clock.now += timedelta(seconds=1)
        tokens.append(store.keep(7, DATA, filename=f"{n}.csv"))
    someone_else = store.keep(8, DATA, filename="x.csv")
    for token in tokens[:2]:
        with pytest.raises(NotFound):
            store.find(token, 7)
    assert [store.find(t, 7).filename for t in tokens[2:]] == [
        "2.csv",
        "3.csv",
        "4.csv",
        "5.csv",
        "6.csv",
    ]
    store.find(someone_else, 8)


@pytest.mark.parametrize("token", ["../../etc/passwd", "short", "", "a" * 32 + "/.."])
def test_a_token_that_is_not_one_of_ours_finds_nothing(store: UploadStore, token: str) -> None:
    with pytest.raises(NotFound):
        store.find(token, 7)
    store.discard(token)  # and removes nothing


def test_the_default_folder_is_a_private_temporary_one() -> None:
    store = UploadStore()
    folder = store.directory
    assert folder.name.startswith("podium-uploads-") and folder.stat().st_mode & 0o077 == 0
    assert store.directory == folder  # made once
    folder.rmdir()


def test_a_configured_folder_is_shared_by_every_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PODIUM_UPLOAD_DIR", str(tmp_path / "shared"))
    get_settings.cache_clear()
    try:
        one, other = UploadStore(), UploadStore()  # as two server processes would have
        token = one.keep(7, b"Name\nWrite", filename="plan.csv")
        assert one.directory == tmp_path / "shared"
        assert other.data(other.find(token, 7)) == b"Name\nWrite"
    finally:
        get_settings.cache_clear()
