"""API fixtures: users with each role in one program, each with a bearer-token client."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from podium.models import Program, Role
from tests.factories import ApiUser, add_member, api_as, make_program, make_user


@dataclass
class Cast:
    """A program and one client per role (plus an admin and an outsider)."""

    program: Program
    owner: ApiUser
    manager: ApiUser
    member: ApiUser
    viewer: ApiUser
    outsider: ApiUser
    admin: ApiUser

    def by_role(self, name: str) -> ApiUser:
        client: ApiUser = getattr(self, name)
        return client


@pytest.fixture
def cast(app_client: TestClient, db: Session) -> Cast:
    owner = make_user(db, email="owner@example.com")
    program = make_program(db, owner=owner, key="CLOUD")
    users = {}
    for role in (Role.MANAGER, Role.MEMBER, Role.VIEWER):
        user = make_user(db, email=f"{role.value}@example.com")
        add_member(db, program, user, role)
        users[role] = user
    outsider = make_user(db, email="outsider@example.com")
    admin = make_user(db, email="admin@example.com", is_admin=True)
    return Cast(
        program=program,
        owner=api_as(app_client, db, owner),
        manager=api_as(app_client, db, users[Role.MANAGER]),
        member=api_as(app_client, db, users[Role.MEMBER]),
        viewer=api_as(app_client, db, users[Role.VIEWER]),
        outsider=api_as(app_client, db, outsider),
        admin=api_as(app_client, db, admin),
    )


ROLES = ["owner", "manager", "member", "viewer", "outsider", "admin"]
