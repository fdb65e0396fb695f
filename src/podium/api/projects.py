"""Projects API (being written)."""

from __future__ import annotations

from fastapi import APIRouter

from podium.api.schemas import ERROR_RESPONSES

router = APIRouter(prefix="/projects", tags=["projects"], responses=ERROR_RESPONSES)
