"""Reusing a loaded program network while nothing has changed since.

Each time a program's schedule is stored, its ``schedule_token`` gets a new
random value in the same transaction. A process keeps the network it last
loaded or scheduled, under that token; a later reader checks the token in the
database (one small query) and reuses the network only if it still matches. A
rolled-back transaction never committed its token, so what it left here is
never matched. Nothing here is needed by another process: a miss just loads.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict

from sqlalchemy import Connection, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from podium.models import Program
from podium.services.scheduling.network import ProgramNetwork, load_network

MAX_PROGRAMS = 16

_lock = threading.Lock()
_networks: OrderedDict[tuple[str, int], tuple[str, ProgramNetwork]] = OrderedDict()


def _key(session: Session, program_id: int) -> tuple[str, int]:
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    return (engine.url.render_as_string(hide_password=True), program_id)


def stored_token(session: Session, program_id: int) -> str | None:
    """The token of the schedule stored now (as this transaction sees it)."""
    return session.scalar(select(Program.schedule_token).where(Program.id == program_id))


def lookup(session: Session, program_id: int, token: str | None) -> ProgramNetwork | None:
    """The network remembered under ``token``, if any."""
    if token is None:
        return None
    with _lock:
        entry = _networks.get(_key(session, program_id))
    return entry[1] if entry is not None and entry[0] == token else None


def remember(session: Session, program_id: int, token: str, network: ProgramNetwork) -> None:
    with _lock:
        key = _key(session, program_id)
        _networks[key] = (token, network)
        _networks.move_to_end(key)
        while len(_networks) > MAX_PROGRAMS:
            _networks.popitem(last=False)


def new_token(session: Session, program_id: int) -> str:
    """Give the program's stored schedule a new token (inside the caller's transaction)."""
    token = uuid.uuid4().hex
    table = Program.__table__
    session.execute(
        update(table)  # type: ignore[arg-type]
        .where(table.c.id == program_id)
        .values(schedule_token=token, updated_at=table.c.updated_at)
    )
    program = session.identity_map.get(identity_key(Program, program_id))
    if program is not None:
        set_committed_value(program, "schedule_token", token)
    return token


def current_network(session: Session, program_id: int) -> ProgramNetwork:
    """The program's network for reading (shared: callers must not change it)."""
    session.flush()
    token = stored_token(session, program_id)
    network = lookup(session, program_id, token)
    if network is None:
        network = load_network(session, program_id)
        if token is not None:
            remember(session, program_id, token, network)
    return network


def clear() -> None:
    """Forget every remembered network (tests)."""
    with _lock:
        _networks.clear()
