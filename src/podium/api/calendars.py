"""Calendars API (being written)."""

from __future__ import annotations

from fastapi import APIRouter

from podium.api.schemas import ERROR_RESPONSES

router = APIRouter(prefix="/calendars", tags=["calendars"], responses=ERROR_RESPONSES)
