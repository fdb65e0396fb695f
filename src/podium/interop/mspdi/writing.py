"""Write a plan-format document as MSPDI XML (placeholder)."""

from __future__ import annotations

from typing import Any


def write_mspdi(document: dict[str, Any]) -> bytes:
    raise NotImplementedError
