"""A plan file larger than an upload may be (20 MB) is imported from the server's own
disk with ``podium import``: a 100,000-task program exports to about 70 MB, and its
export must come back in. Uploads keep their limit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from podium.interop.imported import LOCAL_IMPORT_BYTES, MAX_IMPORT_BYTES
from podium.models import Program
from tests.integration.test_cli_programs import podium


def _large_plan(tmp_path: Path) -> Path:
    """The demo's export, padded past the upload limit with whitespace (still JSON)."""
    small = tmp_path / "plan.json"
    assert podium("export", "CLOUD", "--output", str(small))[0] == 0
    plan = json.loads(small.read_text())
    large = tmp_path / "large.json"
    large.write_text(json.dumps(plan) + " " * (MAX_IMPORT_BYTES + 1))
    return large


def test_podium_import_reads_a_plan_larger_than_an_upload_may_be(
    demo: None, engine: Engine, db: Session, tmp_path: Path
) -> None:
    large = _large_plan(tmp_path)
    assert MAX_IMPORT_BYTES < large.stat().st_size < LOCAL_IMPORT_BYTES
    code, out = podium("import", str(large), "--key", "BIG")
    assert code == 0, out
    assert db.scalar(select(Program.name).where(Program.key == "BIG")) is not None


def test_an_upload_that_large_is_still_refused(demo: None, engine: Engine, tmp_path: Path) -> None:
    from podium.errors import PayloadTooLarge
    from podium.services.import_readers import read_file

    large = _large_plan(tmp_path)
    with pytest.raises(PayloadTooLarge, match=f"at most {MAX_IMPORT_BYTES} bytes"):
        read_file(large.read_bytes(), filename="large.json")
