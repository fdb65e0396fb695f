"""Milestones API (being written)."""

from __future__ import annotations

from fastapi import APIRouter

from podium.api.schemas import ERROR_RESPONSES

router = APIRouter(prefix="/milestones", tags=["milestones"], responses=ERROR_RESPONSES)
