"""Uploads kept between the two steps of a CSV import: upload, then choose the columns.

The bytes wait on the server, not in the page: one file per upload in a temporary
folder of this process, named by a random token, with a small JSON beside it that
says who uploaded it, when, and what the first step's form said. Only the person
who uploaded a file can use its token; an upload is removed once imported and
expires after an hour (expired ones are swept whenever a new one is kept), and
each person keeps at most a few at a time. The folder belongs to one process
unless ``PODIUM_UPLOAD_DIR`` names one: ``podium serve --workers N`` makes one for
its workers to share; servers started otherwise behind several processes set it
(or keep both steps on one process), else the second step may ask for the file
again.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from podium.config import get_settings
from podium.errors import NotFound

LIFETIME = timedelta(hours=1)
PER_USER = 5  # uploads one person may have waiting; the oldest go first
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")
GONE = "This upload is no longer waiting (uploads are kept for an hour): choose the file again."


def _now() -> datetime:
    return datetime.now(tz=UTC)


@dataclass(frozen=True)
class PendingUpload:
    """One kept upload: whose it is, when it came, and what the first step's form said."""

    token: str
    user_id: int
    filename: str
    created: datetime
    form: dict[str, str] = field(default_factory=dict)


class UploadStore:
    """Uploads waiting for their second step, one file each under ``directory``
    (by default a temporary folder made on first use and removed at exit)."""

    def __init__(
        self,
        directory: Path | None = None,
        *,
        lifetime: timedelta = LIFETIME,
        per_user: int = PER_USER,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self._directory = directory
        self.lifetime = lifetime
        self.per_user = per_user
        self.clock = clock

    @property
    def directory(self) -> Path:
        """The folder the uploads wait in (made, private to this user, on first use)."""
        if self._directory is None:
            configured = get_settings().upload_dir
            if configured is not None:
                self._directory = configured
            else:
                path = Path(tempfile.mkdtemp(prefix="podium-uploads-"))
                atexit.register(shutil.rmtree, path, ignore_errors=True)
                self._directory = path
        self._directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        return self._directory

    def _paths(self, token: str) -> tuple[Path, Path]:
        return self.directory / f"{token}.upload", self.directory / f"{token}.json"

    def keep(
        self, user_id: int, data: bytes, *, filename: str, form: dict[str, str] | None = None
    ) -> str:
        """Keep ``data`` for ``user_id``; returns the token that finds it again."""
        self.sweep()
        mine = sorted((u for u in self._all() if u.user_id == user_id), key=lambda u: u.created)
        for old in mine[: max(0, len(mine) - self.per_user + 1)]:
            self.discard(old.token)
        token = secrets.token_urlsafe(32)
        data_path, meta_path = self._paths(token)
        data_path.write_bytes(data)
        meta = {
            "user_id": user_id,
            "filename": filename,
            "created": self.clock().isoformat(),
            "form": form or {},
        }
        partial = meta_path.with_suffix(".partial")
        partial.write_text(json.dumps(meta), encoding="utf-8")
        os.replace(partial, meta_path)  # the upload is found only once it is complete
        return token

    def _read(self, token: str) -> PendingUpload | None:
        if not _TOKEN.fullmatch(token):
            return None
        try:
            meta = json.loads(self._paths(token)[1].read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return PendingUpload(
            token=token,
            user_id=int(meta["user_id"]),
            filename=str(meta["filename"]),
            created=datetime.fromisoformat(meta["created"]),
            form={str(k): str(v) for k, v in meta.get("form", {}).items()},
        )

    def _all(self) -> list[PendingUpload]:
        found = (self._read(p.stem) for p in self.directory.glob("*.json"))
        return [u for u in found if u is not None]

    def _expired(self, upload: PendingUpload) -> bool:
        return self.clock() - upload.created >= self.lifetime

    def find(self, token: str, user_id: int) -> PendingUpload:
        """The upload behind ``token`` if ``user_id`` made it and it has not expired;
        else ``NotFound`` (the same for every case: a token tells nothing of others')."""
        upload = self._read(token)
        if upload is None or upload.user_id != user_id:
            raise NotFound(GONE)
        if self._expired(upload):
            self.discard(token)
            raise NotFound(GONE)
        return upload

    def data(self, upload: PendingUpload) -> bytes:
        """The kept bytes of an upload found with :meth:`find`."""
        try:
            return self._paths(upload.token)[0].read_bytes()
        except OSError as exc:
            raise NotFound(GONE) from exc

    def discard(self, token: str) -> None:
        """Remove an upload (done with, or expired)."""
        if _TOKEN.fullmatch(token):
            for path in self._paths(token):
                path.unlink(missing_ok=True)

    def sweep(self) -> int:
        """Remove the expired uploads; returns how many."""
        expired = [u.token for u in self._all() if self._expired(u)]
        for token in expired:
            self.discard(token)
        return len(expired)
