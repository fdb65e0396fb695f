"""Every kind of alert the API can return is named in the API reference."""

from __future__ import annotations

from pathlib import Path

from podium.models import AlertKind

API_DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def test_every_alert_kind_is_listed_in_the_api_reference() -> None:
    alerts_row = next(
        line
        for line in API_DOC.read_text(encoding="utf-8").splitlines()
        if line.startswith("| alerts |")
    )
    missing = [kind.value for kind in AlertKind if f"`{kind.value}`" not in alerts_row]
    assert missing == []
