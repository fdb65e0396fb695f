"""The unit of work for commands and jobs: one transaction, rescheduled before commit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from podium.db import get_engine, session_factory
from podium.services.auth import keep_failed_sign_ins
from podium.services.common import flush
from podium.services.scheduling.pending import ACTOR_EMAIL, reschedule_pending


def complete(session: Session) -> None:
    """Finish a unit of work: flush, reschedule what changed, commit."""
    flush(session)
    reschedule_pending(session)
    session.commit()


@contextmanager
def unit_of_work(engine: Engine | None = None, *, actor_email: str = "") -> Iterator[Session]:
    """A session whose changes are rescheduled and committed on success, rolled back on error.

    Either way, the failed sign-ins noted in it are kept afterwards, in a transaction of
    their own (:func:`podium.services.auth.keep_failed_sign_ins`)."""
    session = session_factory(engine or get_engine())()
    session.info[ACTOR_EMAIL] = actor_email
    try:
        yield session
        complete(session)
    except BaseException:
        session.rollback()
        raise
    finally:
        try:
            keep_failed_sign_ins(session)
        finally:
            session.close()
