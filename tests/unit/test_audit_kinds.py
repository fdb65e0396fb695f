"""Every kind of record the services audit may be asked for by ``entity_type``: the audit
lists refuse any other with 422, so a kind recorded but not known would be unreadable."""

from __future__ import annotations

import re
from pathlib import Path

from podium.models import Base
from podium.services.audit import ENTITY_TYPES, KNOWN_ENTITY_TYPES

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ROOT / "src" / "podium" / "services"


def test_every_kind_the_services_record_is_a_known_kind() -> None:
    written = {
        kind
        for path in SERVICES.rglob("*.py")
        for kind in re.findall(r'entity_type="([^"]+)"', path.read_text(encoding="utf-8"))
    }
    assert written, 'no entity_type="…" found: the pattern is out of date'
    assert sorted(written - set(KNOWN_ENTITY_TYPES)) == []


def test_every_table_named_in_the_audit_kinds_exists() -> None:
    assert sorted(set(ENTITY_TYPES) - set(Base.metadata.tables)) == []


def test_every_kind_is_listed_in_the_api_reference() -> None:
    audit_row = next(
        line
        for line in (ROOT / "docs" / "api.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("| audit |")
    )
    assert [kind for kind in KNOWN_ENTITY_TYPES if f"`{kind}`" not in audit_row] == []
